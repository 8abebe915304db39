/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference the module meets lives here, so the rest
 * of the code is written against one API. Supported: 6.1, 6.12, 7.x.
 */
#ifndef SECTIONS_COMPAT_H
#define SECTIONS_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/ipc_namespace.h>
#include <linux/pagemap.h>
#include <linux/proc_ns.h>

/* The one place that compares kernel versions. */
#define SECTIONS_KERNEL_AT_LEAST(a, b, c) (KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/* vm_flags became read-only behind helpers in 6.3. */
#if !SECTIONS_KERNEL_AT_LEAST(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * Run a backing file's mmap hook on a VMA we are setting up. Since 6.16 shmem
 * has ->mmap_prepare only; vfs_mmap() bridges the two hooks.
 */
static inline int sections_backing_mmap(struct file *file, struct vm_area_struct *vma)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 16, 0)
	return vfs_mmap(file, vma);
#else
	return call_mmap(file, vma);
#endif
}

/*
 * Share count of an order-0 page: the PTEs mapping it. folio_mapcount() is
 * out of line and unexported on 6.1; for order-0 pages it is _mapcount + 1.
 */
static inline unsigned int sections_folio_mapcount(struct folio *folio)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 12, 0)
	return folio_mapcount(folio);
#else
	/* Views map order-0 pages only (VM_NOHUGEPAGE); see view.c. */
	if (folio_test_large(folio))
		return folio_entire_mapcount(folio);
	return atomic_read(&folio->_mapcount) + 1;
#endif
}

/* put_ipc_ns() is exported since 6.12; before, go through the nsfs ops. */
static inline void sections_put_ipc_ns(struct ipc_namespace *ns)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 12, 0)
	put_ipc_ns(ns);
#else
	ns->ns.ops->put(&ns->ns);
#endif
}

/* A page-cache miss is NULL before 6.4 and ERR_PTR(-ENOENT) since. */
static inline struct folio *sections_get_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

#endif /* SECTIONS_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference the module meets lives here, so the rest
 * of the code is written against one API. Supported: 6.1, 6.12, 7.x.
 */
#ifndef SECTIONS_COMPAT_H
#define SECTIONS_COMPAT_H

#include <linux/backing-dev.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/ipc_namespace.h>
#include <linux/pagemap.h>
#include <linux/proc_ns.h>
#include <linux/shmem_fs.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/writeback.h>

/*
 * struct folio_batch moved out of pagevec.h in 7.x. The #ifdef keeps the test
 * away from sparse 0.6.4, which lacks __has_include (and checks 6.x here).
 */
#ifdef __has_include
#if __has_include("linux/folio_batch.h")
#define SECTIONS_HAVE_FOLIO_BATCH_H
#endif
#endif
#ifdef SECTIONS_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif

/* Typed allocation helpers came in 7.x; checkpatch there prefers them. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP) kzalloc(sizeof(P), GFP)
#define kmalloc_obj(P, GFP) kmalloc(sizeof(P), GFP)
#endif

/*
 * The one place that compares kernel versions: kmod/Kbuild passes the
 * VERSION and PATCHLEVEL of the tree the module is built against.
 */
#ifndef SECTIONS_KVER_MAJOR
#error "build with kbuild (kmod/Kbuild defines SECTIONS_KVER_MAJOR and _MINOR)"
#endif
#define SECTIONS_KERNEL_AT_LEAST(major, minor) \
	(SECTIONS_KVER_MAJOR > (major) || \
	 (SECTIONS_KVER_MAJOR == (major) && SECTIONS_KVER_MINOR >= (minor)))

/*
 * No leases on a file: until 7.0 a NULL ->setlease meant generic_setlease(),
 * and simple_nosetlease() refused; since, NULL refuses (-EINVAL) and
 * simple_nosetlease() is gone.
 */
#if SECTIONS_KERNEL_AT_LEAST(7, 0)
#define SECTIONS_NO_SETLEASE NULL
#else
#define SECTIONS_NO_SETLEASE simple_nosetlease
#endif

/* vm_flags became read-only behind helpers in 6.3. */
#if !SECTIONS_KERNEL_AT_LEAST(6, 3)
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
#if SECTIONS_KERNEL_AT_LEAST(6, 16)
	return vfs_mmap(file, vma);
#else
	return call_mmap(file, vma);
#endif
}

/*
 * Since BDI_CAP_WRITEBACK_ACCT went (7.x), __folio_start_writeback() accounts
 * to the inode's bdi_writeback unconditionally, and with cgroup writeback
 * that is inode->i_wb, which only a mapping that can write back gets when its
 * folios are dirtied. sectionsfs inodes cannot write back (that is the
 * point: only writeback.c writes their pages), so attach the bdi's own wb
 * when the inode is made, through the one door the kernel exports for it.
 */
static inline void sections_inode_attach_wb(struct inode *inode)
{
#ifndef BDI_CAP_WRITEBACK_ACCT
	struct writeback_control wbc = {};

	wbc_attach_fdatawrite_inode(&wbc, inode);
	wbc_detach_inode(&wbc);
#endif
}

/* vm_operations_struct.get_policy() takes the interleave index since 6.7. */
#if SECTIONS_KERNEL_AT_LEAST(6, 7)
#define SECTIONS_GET_POLICY_ILX
#endif

/*
 * Share count of an order-0 page: the PTEs mapping it. folio_mapcount() is
 * out of line and unexported on 6.1; for order-0 pages it is _mapcount + 1.
 */
static inline unsigned int sections_folio_mapcount(struct folio *folio)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 12)
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
#if SECTIONS_KERNEL_AT_LEAST(6, 12)
	put_ipc_ns(ns);
#else
	ns->ns.ops->put(&ns->ns);
#endif
}

/* ->setattr() takes the mount's idmap since 6.3, its user namespace before. */
#if SECTIONS_KERNEL_AT_LEAST(6, 3)
#define sections_idmap mnt_idmap
#else
#define sections_idmap user_namespace
#endif

/* generic_fillattr() takes the request mask since 6.6. */
static inline void sections_fillattr(struct sections_idmap *idmap, u32 request_mask,
				     struct inode *inode, struct kstat *stat)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 6)
	generic_fillattr(idmap, request_mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
#endif
}

/* A page-cache miss is NULL before 6.4 and ERR_PTR(-ENOENT) since. */
static inline struct folio *sections_get_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

/*
 * shmem_file_setup() takes a vma_flags_t bitmap since vma flags became one
 * (tested by the type's own macro rather than a release number).
 */
static inline struct file *sections_shmem_setup(const char *name, loff_t size, bool noreserve)
{
#ifdef EMPTY_VMA_FLAGS
	return shmem_file_setup(name, size,
				noreserve ? mk_vma_flags(VMA_NORESERVE_BIT) : EMPTY_VMA_FLAGS);
#else
	return shmem_file_setup(name, size, noreserve ? VM_NORESERVE : 0);
#endif
}

/* Shrinkers are allocated by the core since 6.7; before, the caller owns them. */
static inline struct shrinker *sections_shrinker_create(
	unsigned long (*count)(struct shrinker *, struct shrink_control *),
	unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	struct shrinker *shrinker;

#if SECTIONS_KERNEL_AT_LEAST(6, 7)
	shrinker = shrinker_alloc(0, "sections");
	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker_register(shrinker);
#else
	shrinker = kzalloc(sizeof(*shrinker), GFP_KERNEL);
	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
	if (register_shrinker(shrinker, "sections")) {
		kfree(shrinker);
		return NULL;
	}
#endif
	return shrinker;
}

static inline void sections_shrinker_destroy(struct shrinker *shrinker)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 7)
	shrinker_free(shrinker);
#else
	unregister_shrinker(shrinker);
	kfree(shrinker);
#endif
}

/*
 * vfs_iter_write() takes freeze protection itself since 6.8; before, its
 * callers did (as vfs_writev() does).
 */
static inline ssize_t sections_iter_write(struct file *file, struct iov_iter *iter, loff_t *pos)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 8)
	return vfs_iter_write(file, iter, pos, 0);
#else
	ssize_t ret;

	file_start_write(file);
	ret = vfs_iter_write(file, iter, pos, 0);
	file_end_write(file);
	return ret;
#endif
}

/*
 * Remove @folio (locked) from @mapping, as truncation does (its dirty bit
 * cancelled): generic_error_remove_folio() since 6.8, on a page before.
 */
static inline void sections_remove_folio(struct address_space *mapping, struct folio *folio)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 8)
	generic_error_remove_folio(mapping, folio);
#else
	generic_error_remove_page(mapping, &folio->page);
#endif
}

/* The same for vfs_iocb_iter_write() (kiocb_start_write() inside since 6.8). */
static inline ssize_t sections_iocb_iter_write(struct file *file, struct kiocb *iocb,
					       struct iov_iter *iter)
{
#if SECTIONS_KERNEL_AT_LEAST(6, 8)
	return vfs_iocb_iter_write(file, iocb, iter);
#else
	ssize_t ret;

	file_start_write(file);
	ret = vfs_iocb_iter_write(file, iocb, iter);
	file_end_write(file);
	return ret;
#endif
}

#endif /* SECTIONS_COMPAT_H */

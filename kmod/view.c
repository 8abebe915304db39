// SPDX-License-Identifier: GPL-2.0
/*
 * Views: a view is one VMA whose vm_file is the section's view file.
 *
 * The backing store's own fault handlers map its pages, so the kernel's
 * reverse map counts every PTE of every page: that count is the share count,
 * and fork, exit, kill and mremap keep it exact with no bookkeeping here.
 *
 * A view is indivisible, as in Windows: splitting it (partial munmap or
 * mprotect, mremap shrinking) fails with EINVAL and growing it with EFAULT.
 * Moving a whole view with mremap is allowed; the view keeps its identity.
 * This keeps "the base of a view" well defined for the unmap-view ioctl.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "sections.h"

static void view_open(struct vm_area_struct *vma)
{
	struct section *sec = vma->vm_private_data;

	atomic_inc(&sec->views);
	section_get(sec);
}

/*
 * The PTEs are already zapped here: the share counts no longer include us, so
 * pages of a file-backed section may now be due for write-back.
 */
static void view_close(struct vm_area_struct *vma)
{
	struct section *sec = vma->vm_private_data;

	if (sec->control)
		sections_writer_kick(sec->control);
	atomic_dec(&sec->views);
	section_put(sec);
}

static int view_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int view_mremap(struct vm_area_struct *vma)
{
	return 0;
}

static vm_fault_t view_fault(struct vm_fault *vmf)
{
	struct section *sec = vmf->vma->vm_private_data;

	return sec->backing_vm_ops->fault(vmf);
}

/*
 * The first write to a pagefile page through a view: mark the folio dirty
 * here. With a ->page_mkwrite the kernel maps pages of a shared writable
 * view read-only until written (write-notify), so every page written
 * through a view passes here, and the page query reads the folio's dirty
 * bit instead of write-protecting every mapping to learn it from the page
 * tables. shmem has no write-back: a pagefile page, once dirty, stays so.
 */
static vm_fault_t view_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);

	folio_lock(folio);
	if (folio->mapping != vmf->vma->vm_file->f_mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	folio_mark_dirty(folio);
	return VM_FAULT_LOCKED;
}

/* What a pagefile view forwards to shmem, as ipc/shm.c does for SysV segments. */
static unsigned long view_pagesize(struct vm_area_struct *vma)
{
	struct section *sec = vma->vm_private_data;

	if (sec->backing_vm_ops->pagesize)
		return sec->backing_vm_ops->pagesize(vma);
	return PAGE_SIZE;
}

#ifdef CONFIG_NUMA
/* mbind() on a view sets the section's shared policy, seen by every view. */
static int view_set_policy(struct vm_area_struct *vma, struct mempolicy *mpol)
{
	struct section *sec = vma->vm_private_data;

	if (sec->backing_vm_ops->set_policy)
		return sec->backing_vm_ops->set_policy(vma, mpol);
	return 0;
}

#ifdef SECTIONS_GET_POLICY_ILX
static struct mempolicy *view_get_policy(struct vm_area_struct *vma, unsigned long addr,
					 pgoff_t *ilx)
{
	struct section *sec = vma->vm_private_data;

	if (sec->backing_vm_ops->get_policy)
		return sec->backing_vm_ops->get_policy(vma, addr, ilx);
	return vma->vm_policy;
}
#else
static struct mempolicy *view_get_policy(struct vm_area_struct *vma, unsigned long addr)
{
	struct section *sec = vma->vm_private_data;

	if (sec->backing_vm_ops->get_policy)
		return sec->backing_vm_ops->get_policy(vma, addr);
	return vma->vm_policy;
}
#endif
#endif

/*
 * Fault-around is off by default: it maps neighbouring pages the process
 * never touched, and share counts would no longer mean "views that touched
 * the page", which is what NT counts. An administrator who wants a page
 * cache mapping's first-touch cost more than that meaning turns it on; it
 * applies to faults from then on. The method must exist either way: since
 * 6.4 the kernel runs ->fault and ->page_mkwrite under the per-VMA lock only
 * for vm_ops that have one (vmf_can_call_fault()), and retries every other
 * fault under mmap_lock. Ours need no mmap_lock: they are filemap_fault(),
 * shmem's fault and folio-locked page_mkwrite.
 */
static bool fault_around;
module_param(fault_around, bool, 0644);
MODULE_PARM_DESC(fault_around,
		 "Map the neighbouring pages in memory on a read fault; share counts then count them (default: off)");

/*
 * The pages are mapped read-only, as any read fault maps them: the first
 * write still goes through ->page_mkwrite. A file view maps none past the
 * backing file's end, where its fault is SIGBUS (sections_file_fault()).
 */
static vm_fault_t view_map_pages(struct vm_fault *vmf, pgoff_t start, pgoff_t end)
{
	struct section *sec = vmf->vma->vm_private_data;
	pgoff_t pages;

	if (!READ_ONCE(fault_around))
		return 0;
	if (!sec->control)
		return sec->backing_vm_ops->map_pages ?
		       sec->backing_vm_ops->map_pages(vmf, start, end) : 0;
	pages = DIV_ROUND_UP(i_size_read(file_inode(sec->control->file)), PAGE_SIZE);
	if (start >= pages)
		return 0;
	return filemap_map_pages(vmf, start, min_t(pgoff_t, end, pages - 1));
}

static const struct vm_operations_struct pagefile_view_vm_ops = {
	.open = view_open,
	.close = view_close,
	.may_split = view_may_split,
	.mremap = view_mremap,
	.fault = view_fault,
	.map_pages = view_map_pages,
	.page_mkwrite = view_page_mkwrite,
	.pagesize = view_pagesize,
#ifdef CONFIG_NUMA
	.set_policy = view_set_policy,
	.get_policy = view_get_policy,
#endif
};

static const struct vm_operations_struct file_view_vm_ops = {
	.open = view_open,
	.close = view_close,
	.may_split = view_may_split,
	.mremap = view_mremap,
	.fault = sections_file_fault,
	.map_pages = view_map_pages,
	.page_mkwrite = sections_file_page_mkwrite,
};

static bool is_view(struct vm_area_struct *vma)
{
	return vma->vm_ops == &pagefile_view_vm_ops || vma->vm_ops == &file_view_vm_ops;
}

static int view_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct section *sec = file->private_data;

	if (start < 0 || end < start)
		return -EINVAL;
	return section_flush(sec, start >> PAGE_SHIFT,
			     (end >> PAGE_SHIFT) - (start >> PAGE_SHIFT) + 1, SECTIONS_FLUSH_DURABLE);
}

/* The view file is never an fd: it exists to be vm_file (msync lands in ->fsync). */
const struct file_operations sections_view_fops = {
	.owner = THIS_MODULE,
	.release = section_view_file_release,
	.fsync = view_fsync,
	.llseek = noop_llseek,
};

/* Check a new view against the handle's access and the section's protection. */
static int view_check(struct vm_area_struct *vma, struct section *sec, u32 access)
{
	u64 pages = sec->size >> PAGE_SHIFT;
	bool writable = sec->protection &
			(SECTIONS_PAGE_READWRITE | SECTIONS_PAGE_EXECUTE_READWRITE);
	bool executable = sections_protection_access(sec->protection) & SECTIONS_ACCESS_MAP_EXECUTE;

	if (vma->vm_flags & VM_MAYSHARE) {
		if (!(access & (SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE)))
			return -EACCES;
		if (!(access & SECTIONS_ACCESS_MAP_WRITE) || !writable) {
			if (vma->vm_flags & VM_WRITE)
				return -EACCES;
			vm_flags_clear(vma, VM_MAYWRITE);
		}
	} else if (!(access & SECTIONS_ACCESS_MAP_COPY)) {
		/* Copy-on-write: writes stay private, whatever the protection. */
		return -EACCES;
	}
	if (!(access & SECTIONS_ACCESS_MAP_EXECUTE) || !executable) {
		if (vma->vm_flags & VM_EXEC)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYEXEC);
	}
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;
	return 0;
}

/**
 * sections_view_mmap() - set up a view of @sec in @vma
 * @file: the handle being mapped
 * @vma: the new VMA
 * @sec: the handle's section
 * @access: the handle's rights
 *
 * Return: 0 or -errno.
 */
int sections_view_mmap(struct file *file, struct vm_area_struct *vma,
		       struct section *sec, u32 access)
{
	int ret;

	ret = view_check(vma, sec, access);
	if (ret)
		return ret;
	if (sec->control) {
		vma->vm_ops = &file_view_vm_ops;
	} else {
		ret = sections_backing_mmap(sec->backing, vma);
		if (ret)
			return ret;
		/*
		 * shmem's vm_ops are known only once its mmap hook has run on a
		 * VMA, so the first view saves them; they are the same for every
		 * view of every section, and nothing writes them again.
		 */
		cmpxchg(&sec->backing_vm_ops, NULL, vma->vm_ops);
		vma->vm_ops = &pagefile_view_vm_ops;
	}
	vma->vm_private_data = sec;
	/* Order-0 pages keep share counts per page; see compat.h. */
	vm_flags_set(vma, VM_DONTEXPAND | VM_NOHUGEPAGE);
	vma_set_file(vma, sec->view_file);
	view_open(vma);
	return 0;
}

/* The view VMA containing @addr, or NULL. Caller holds mmap_lock. */
static struct vm_area_struct *view_at(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	vma = vma_lookup(mm, addr);

	return vma && is_view(vma) ? vma : NULL;
}

/**
 * sections_unmap_view() - UnmapViewOfFile: unmap the view based at *@uaddr
 * @uaddr: user pointer to the view's base address
 *
 * Like munmap(), this races with another thread of the process that unmaps
 * the view and maps something else at the same address meanwhile.
 *
 * Return: 0, -EFAULT, or -EINVAL when the address is not the base of a view.
 */
long sections_unmap_view(u64 __user *uaddr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long len = 0;
	u64 addr;

	if (get_user(addr, uaddr))
		return -EFAULT;
	if (offset_in_page(addr) || addr >= TASK_SIZE)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = view_at(mm, addr);
	if (vma && vma->vm_start == addr)
		len = vma->vm_end - vma->vm_start;
	mmap_read_unlock(mm);
	if (!len)
		return -EINVAL;
	return vm_munmap(addr, len);
}

/*
 * Resolve [addr, addr + len) to one view; len 0 means to the end of the view.
 * Returns the section (referenced) and the page range in it.
 */
static struct section *view_range(u64 addr, u64 len, pgoff_t *first, pgoff_t *count)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct section *sec;
	u64 end;

	if (addr >= TASK_SIZE)
		return ERR_PTR(-EINVAL);
	if (mmap_read_lock_killable(mm))
		return ERR_PTR(-EINTR);
	vma = view_at(mm, addr);
	if (!vma) {
		mmap_read_unlock(mm);
		return ERR_PTR(-EINVAL);
	}
	/*
	 * As FlushViewOfFile: the length counts from @addr, then whole pages.
	 * vm_end is page aligned, so end <= vm_end also bounds PAGE_ALIGN(end),
	 * which would wrap to 0 for an end in the last page below 2^64.
	 */
	end = len ? addr + len : vma->vm_end;
	if (end < addr || end > vma->vm_end) {
		mmap_read_unlock(mm);
		return ERR_PTR(-ENXIO);
	}
	addr &= PAGE_MASK;
	*first = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	*count = (PAGE_ALIGN(end) - addr) >> PAGE_SHIFT;
	sec = vma->vm_private_data;
	section_get(sec);
	mmap_read_unlock(mm);
	return sec;
}

long sections_flush_view(struct sections_flush_args __user *uargs)
{
	struct sections_flush_args args;
	struct section *sec;
	pgoff_t first, count;
	int ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.pad || (args.flags & ~SECTIONS_FLUSH_DURABLE))
		return -EINVAL;
	sec = view_range(args.addr, args.len, &first, &count);
	if (IS_ERR(sec))
		return PTR_ERR(sec);
	ret = section_flush(sec, first, count, args.flags);
	section_put(sec);
	return ret;
}

long sections_query_view_pages(struct sections_page_query __user *uargs)
{
	struct sections_page_query args;
	struct section *sec;
	pgoff_t first, count;
	int ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (!args.count || offset_in_page(args.start))
		return -EINVAL;
	if (args.count > (TASK_SIZE >> PAGE_SHIFT))
		return -ENXIO;
	sec = view_range(args.start, args.count << PAGE_SHIFT, &first, &count);
	if (IS_ERR(sec))
		return PTR_ERR(sec);
	ret = sections_query_pages(sec, first, count, u64_to_user_ptr(args.pages));
	section_put(sec);
	return ret;
}

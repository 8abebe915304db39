// SPDX-License-Identifier: GPL-2.0
/*
 * Control areas: one per backing file (per inode, as NT keeps one data
 * control area per file), shared by every section created on that file, by
 * any process, named or not. The pages live in the control area's own inode
 * on sectionsfs and are filled from the file on first touch; the file itself
 * changes only when writeback.c writes a page back.
 */
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "compat.h"
#include "sections.h"

static DEFINE_MUTEX(controls_lock);
static DEFINE_HASHTABLE(controls, 8);
static DECLARE_WAIT_QUEUE_HEAD(controls_wq);
/* Bumped each time a dying control area leaves the table. */
static atomic_t controls_gone = ATOMIC_INIT(0);

/* Fill a page from the backing file; past its end the page reads as zero. */
static int control_read_folio(struct file *unused, struct folio *folio)
{
	struct sections_control *ca = folio->mapping->host->i_private;
	loff_t pos = folio_pos(folio);
	size_t len = folio_size(folio);
	void *kaddr = kmap_local_folio(folio, 0);
	ssize_t done = 0, n = 0;

	while (done < len) {
		n = kernel_read(ca->file, kaddr + done, len - done, &pos);
		if (n <= 0)
			break;
		done += n;
	}
	memset(kaddr + done, 0, len - done);
	kunmap_local(kaddr);
	if (n < 0) {
		folio_unlock(folio);
		return n;
	}
	folio_mark_uptodate(folio);
	folio_unlock(folio);
	return 0;
}

static const struct address_space_operations control_aops = {
	.read_folio = control_read_folio,
	.dirty_folio = filemap_dirty_folio,
};

static struct sections_control *control_alloc(struct file *file, u64 size, bool writable)
{
	struct sections_control *ca;
	struct inode *inode;
	int ret;

	ca = kzalloc_obj(*ca, GFP_KERNEL_ACCOUNT);
	if (!ca)
		return ERR_PTR(-ENOMEM);
	/* The caller's section holds a pin: sectionsfs is mounted. */
	ret = sectionsfs_pin();
	if (ret) {
		kfree(ca);
		return ERR_PTR(ret);
	}
	inode = sectionsfs_new_inode(size);
	if (IS_ERR(inode)) {
		sectionsfs_unpin();
		kfree(ca);
		return ERR_CAST(inode);
	}
	inode->i_mapping->a_ops = &control_aops;
	inode->i_private = ca;
	sections_inode_attach_wb(inode);

	kref_init(&ca->ref);
	ca->key = file_inode(file);
	ca->file = get_file(file);
	ca->wfile = writable ? get_file(file) : NULL;
	ca->inode = inode;
	mutex_init(&ca->io_lock);
	mutex_init(&ca->grow_lock);
	INIT_DELAYED_WORK(&ca->writer, sections_writer_work);
	INIT_WORK(&ca->teardown, sections_control_teardown);
	ca->kcov_handle = kcov_common_handle();
	/* Teardown runs from a workqueue after the last file has gone. */
	__module_get(THIS_MODULE);
	return ca;
}

/**
 * sections_control_get() - the control area of @file, made if need be
 * @file: the backing file
 * @size: the section's size; the control area covers at least that much
 * @writable: the section needs the file for writing
 *
 * Return: a referenced control area, or ERR_PTR(-ENOMEM), or ERR_PTR(-EINTR)
 * when killed while waiting for a dying control area of @file.
 */
struct sections_control *sections_control_get(struct file *file, u64 size, bool writable)
{
	struct inode *key = file_inode(file);
	struct sections_control *ca, *found;
	int gone;

retry:
	mutex_lock(&controls_lock);
	found = NULL;
	hash_for_each_possible(controls, ca, link, (unsigned long)key) {
		if (ca->key == key) {
			found = ca;
			break;
		}
	}
	if (found && !kref_get_unless_zero(&found->ref)) {
		/*
		 * Dying: its last dirty pages are being written. A new control
		 * area would read stale bytes from the file, so wait for it.
		 */
		gone = atomic_read(&controls_gone);
		mutex_unlock(&controls_lock);
		if (wait_event_killable(controls_wq, atomic_read(&controls_gone) != gone))
			return ERR_PTR(-EINTR);
		goto retry;
	}
	if (!found) {
		found = control_alloc(file, size, writable);
		if (!IS_ERR(found))
			hash_add(controls, &found->link, (unsigned long)key);
		mutex_unlock(&controls_lock);
		return found;
	}
	/*
	 * Referenced, so it stays; drop the table's lock before waiting for
	 * the writer, which holds io_lock across I/O on the file: a hung
	 * filesystem must stall only creates on that file, and killably.
	 */
	mutex_unlock(&controls_lock);
	if (mutex_lock_killable(&found->io_lock)) {
		sections_control_put(found);
		return ERR_PTR(-EINTR);
	}
	if (i_size_read(found->inode) < size)
		i_size_write(found->inode, size);
	if (writable && !found->wfile)
		found->wfile = get_file(file);
	mutex_unlock(&found->io_lock);
	return found;
}

static void control_release(struct kref *ref)
{
	struct sections_control *ca = container_of(ref, struct sections_control, ref);

	/* Called with controls_lock held; writing may sleep long, so defer. */
	lockdep_assert_held(&controls_lock);
	queue_work(sections_wq, &ca->teardown);
}

/* May be called under mmap_lock: the writing happens in teardown. */
void sections_control_put(struct sections_control *ca)
{
	if (kref_put_mutex(&ca->ref, control_release, &controls_lock))
		mutex_unlock(&controls_lock);
}

/* Write what is left, then let the file go. */
void sections_control_teardown(struct work_struct *work)
{
	struct sections_control *ca = container_of(work, struct sections_control, teardown);

	kcov_remote_start_common(ca->kcov_handle);
	cancel_delayed_work_sync(&ca->writer);
	/* Once more if the first try failed (a transient error): data is at stake. */
	if (sections_write_back(ca, 0, ULONG_MAX, SECTIONS_WB_FINAL))
		sections_write_back(ca, 0, ULONG_MAX, SECTIONS_WB_FINAL);
	sections_drop_dirty(ca);
	mutex_lock(&controls_lock);
	hash_del(&ca->link);
	atomic_inc(&controls_gone);
	mutex_unlock(&controls_lock);
	wake_up_all(&controls_wq);
	if (ca->wfile)
		fput(ca->wfile);
	fput(ca->file);
	iput(ca->inode);
	sectionsfs_unpin();
	kfree(ca);
	kcov_remote_stop();
	/* sections_exit() destroys sections_wq first, so this work has returned. */
	module_put(THIS_MODULE);
}

/* Start every writer now (memory is short). */
void sections_controls_kick_all(void)
{
	struct sections_control *ca;
	unsigned int bkt;

	mutex_lock(&controls_lock);
	hash_for_each(controls, bkt, ca, link)
		if (kref_read(&ca->ref))
			mod_delayed_work(sections_wq, &ca->writer, 0);
	mutex_unlock(&controls_lock);
}

/* Pages past the end of the backing file fault SIGBUS, as a Linux mmap would. */
vm_fault_t sections_file_fault(struct vm_fault *vmf)
{
	struct section *sec = vmf->vma->vm_private_data;
	loff_t isize = i_size_read(file_inode(sec->control->file));

	if (vmf->pgoff >= DIV_ROUND_UP(isize, PAGE_SIZE))
		return VM_FAULT_SIGBUS;
	return filemap_fault(vmf);
}

/*
 * The first write to a clean page: mark it dirty. It stays in memory, dirty,
 * until its share count reaches zero (unmap, or trimming when too many pages
 * are dirty: then this waits a little for the writers) or a flush writes it.
 */
vm_fault_t sections_file_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct sections_control *ca = mapping->host->i_private;

	sections_dirty_throttle();
	folio_lock(folio);
	if (folio->mapping != mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	if (folio_mark_dirty(folio))
		sections_page_dirtied(ca);
	folio_wait_stable(folio);
	return VM_FAULT_LOCKED;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Handles: each is a struct file on the section's inode, with a fixed access
 * mask. dup(), fork and SCM_RIGHTS share a handle; the duplicate ioctl makes
 * a new one with equal or fewer rights.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "sections.h"

struct sections_handle {
	struct section *sec;
	u32 access;
};

static int handle_release(struct inode *inode, struct file *file)
{
	struct sections_handle *handle = file->private_data;

	section_handle_put(handle->sec);
	kfree(handle);
	return 0;
}

static int handle_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sections_handle *handle = file->private_data;

	return sections_view_mmap(file, vma, handle->sec, handle->access);
}

/*
 * A handle is not a file: it has no position, and no read, write, splice or
 * fallocate method, so those fail in the VFS (EINVAL, EOPNOTSUPP); its
 * inode refuses ftruncate(), fchmod() and fchown() (EPERM, fs.c). Nor has
 * it locks: all handles share one inode, and a lock on one must not reach
 * another user's; nor leases, which would be a lease on every user's
 * handles at once (EINVAL, even with CAP_LEASE).
 */
static loff_t handle_llseek(struct file *file, loff_t offset, int whence)
{
	return -ESPIPE;
}

static int handle_lock(struct file *file, int cmd, struct file_lock *fl)
{
	return -ENOLCK;
}

const struct file_operations sections_handle_fops = {
	.owner = THIS_MODULE,
	.release = handle_release,
	.mmap = handle_mmap,
	.unlocked_ioctl = sections_handle_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = handle_llseek,
	.lock = handle_lock,
	.flock = handle_lock,
	.setlease = SECTIONS_NO_SETLEASE,
};

/**
 * sections_handle_file() - a new handle file on @sec
 * @sec: the section; the caller has counted the handle (one handle count and
 *	one reference), which the new file owns from here on, even on error
 * @access: SECTIONS_ACCESS_* rights of the handle
 *
 * Return: the file, not yet installed, or an ERR_PTR. fput() undoes it.
 */
struct file *sections_handle_file(struct section *sec, u32 access)
{
	struct sections_handle *handle;
	struct file *file;

	handle = kmalloc_obj(*handle, GFP_KERNEL_ACCOUNT);
	if (!handle) {
		section_handle_put(sec);
		return ERR_PTR(-ENOMEM);
	}
	handle->sec = sec;
	handle->access = access;
	file = section_handle_file(sec);
	if (IS_ERR(file)) {
		kfree(handle);
		section_handle_put(sec);
		return file;
	}
	file->private_data = handle;
	return file;
}

/**
 * sections_handle_install() - give the caller a new handle to @sec
 * @sec: the section, with the handle counted as for sections_handle_file()
 * @access: SECTIONS_ACCESS_* rights of the handle
 * @flags: SECTIONS_HANDLE_CLOEXEC
 *
 * Return: the new file descriptor, or -errno.
 */
int sections_handle_install(struct section *sec, u32 access, u32 flags)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags((flags & SECTIONS_HANDLE_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0) {
		section_handle_put(sec);
		return fd;
	}
	file = sections_handle_file(sec, access);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

static long handle_query(struct sections_handle *handle, struct sections_info __user *uinfo)
{
	struct section *sec = handle->sec;
	struct sections_info info;
	struct user_namespace *user_ns = current_user_ns();
	long ret = 0;

	if (!(handle->access & SECTIONS_ACCESS_QUERY))
		return -EACCES;
	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;

	info.size = sec->size;
	info.name_len = sec->name.name ? sec->name.len : 0;
	info.protection = sec->protection;
	info.attributes = sec->attributes;
	if (sec->name.name && sec->name.global)
		info.attributes |= SECTIONS_ATTR_GLOBAL_NAME;
	info.backing = sec->control ? SECTIONS_BACKING_FILE : SECTIONS_BACKING_PAGEFILE;
	info.access = handle->access;
	info.handles = atomic_read(&sec->handles);
	info.views = atomic_read(&sec->views);
	info.uid = from_kuid_munged(user_ns, sec->uid);
	info.gid = from_kgid_munged(user_ns, sec->gid);
	info.mode = sec->mode;
	info.write_error = sec->control ? -section_write_error(sec, false) : 0;

	if (info.name && info.name_len) {
		if (info.name_size < info.name_len + 1)
			ret = -ERANGE;
		else if (copy_to_user(u64_to_user_ptr(info.name), sec->name.name,
				      info.name_len + 1))
			return -EFAULT;
	}
	if (copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return ret;
}

static long handle_duplicate(struct sections_handle *handle,
			     const struct sections_dup_args __user *uargs)
{
	struct sections_dup_args args;
	u32 access;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(SECTIONS_HANDLE_CLOEXEC | SECTIONS_DUP_SAME_ACCESS))
		return -EINVAL;
	if (args.access & ~SECTIONS_ACCESS_ALL)
		return -EINVAL;
	access = (args.flags & SECTIONS_DUP_SAME_ACCESS) ? handle->access : args.access;
	if (access & ~handle->access)
		return -EACCES;

	section_handle_get(handle->sec);
	return sections_handle_install(handle->sec, access, args.flags);
}

static long handle_query_pages(struct sections_handle *handle,
			       const struct sections_page_query __user *uargs)
{
	struct section *sec = handle->sec;
	struct sections_page_query args;
	u64 pages = sec->size >> PAGE_SHIFT;

	if (!(handle->access & SECTIONS_ACCESS_QUERY))
		return -EACCES;
	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (!args.count || offset_in_page(args.start))
		return -EINVAL;
	if ((args.start >> PAGE_SHIFT) >= pages || args.count > pages - (args.start >> PAGE_SHIFT))
		return -ENXIO;
	return sections_query_pages(sec, args.start >> PAGE_SHIFT, args.count,
				    u64_to_user_ptr(args.pages));
}

long sections_handle_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sections_handle *handle = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SECTIONS_IOC_QUERY:
		return handle_query(handle, uarg);
	case SECTIONS_IOC_DUPLICATE:
		return handle_duplicate(handle, uarg);
	case SECTIONS_IOC_QUERY_PAGES:
		return handle_query_pages(handle, uarg);
	}
	return -ENOTTY;
}

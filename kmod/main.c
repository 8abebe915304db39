// SPDX-License-Identifier: GPL-2.0
/*
 * sections: Windows NT section objects for Linux.
 *
 * The misc device /dev/sections creates and opens sections, and unmaps,
 * flushes and queries views by address. Everything else is done on handles.
 */
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "sections.h"

#define CREATE_FLAGS		(SECTIONS_HANDLE_CLOEXEC | SECTIONS_CREATE_FILE)
#define CREATE_ATTRIBUTES	SECTIONS_ATTR_NORESERVE

/* Write-back and control-area teardown. */
struct workqueue_struct *sections_wq;

static int check_create_args(const struct sections_create_args *args)
{
	bool from_file = args->flags & SECTIONS_CREATE_FILE;

	if ((args->fd && !from_file) || (args->flags & ~CREATE_FLAGS) ||
	    (args->attributes & ~CREATE_ATTRIBUTES) || (args->access & ~SECTIONS_ACCESS_ALL) ||
	    (args->mode & ~0777) || !section_protection_valid(args->protection))
		return -EINVAL;
	if (!args->name_len && args->name)
		return -EINVAL;
	if (!args->size && !from_file)
		return -EINVAL;
	if (args->size > SECTIONS_SIZE_MAX)
		return -EFBIG;
	return 0;
}

/*
 * Open the object of a ready @entry for create or open: the rights asked for
 * (0: all the protection allows) must be allowed by its protection and, for
 * the caller, by its mode. Caller holds sections_names_lock. On success the
 * handle is counted.
 */
static struct section *open_existing(struct sections_name *entry, u32 *access)
{
	struct section *sec;

	lockdep_assert_held(&sections_names_lock);
	if (entry->type != SECTIONS_OBJ_SECTION)
		return ERR_PTR(-EMEDIUMTYPE);
	sec = section_of_name(entry);
	if (!*access)
		*access = sections_protection_access(sec->protection);
	if (*access & ~sections_protection_access(sec->protection))
		return ERR_PTR(-EACCES);
	if (!section_permits(sec, *access))
		return ERR_PTR(-EACCES);
	section_handle_get(sec);
	return sec;
}

/*
 * Reserve @sec's name, or find the section that holds it. @charge is the
 * error of charging the caller for a new section: it matters only if the
 * name is free (at the limit, opening an existing section still works).
 * Return: NULL when reserved (@sec will publish it), the existing section
 * (handle counted), or an ERR_PTR.
 */
static struct section *reserve_or_open(struct section *sec, u32 *access, int charge)
{
	struct sections_ns_names *spare = sections_ns_names_alloc();
	struct sections_name *existing;
	struct section *found;
	int ret;

	mutex_lock(&sections_names_lock);
	existing = sections_name_find(&sec->name);
	if (IS_ERR(existing)) {
		found = ERR_CAST(existing);
	} else if (existing) {
		found = open_existing(existing, access);
	} else {
		/* Without the privilege for a global name, that is the answer, limit or not. */
		ret = sections_name_may_create(&sec->name) ?: charge ?:
		      sections_name_reserve(&sec->name, sec->user, &spare);
		found = ret ? ERR_PTR(ret) : NULL;
	}
	mutex_unlock(&sections_names_lock);
	kfree(spare);
	return found;
}

/*
 * A handle to an existing section @sec for create (SECTIONS_CREATE_EXISTED)
 * or open, on the reserved @fd. Consumes the counted handle.
 */
static long install_existing(struct section *sec, u32 access, int fd, u32 __user *result)
{
	struct file *file;

	file = sections_handle_file(sec, access);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	if (result && put_user(SECTIONS_CREATE_EXISTED, result)) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;
}

/*
 * Create: everything that can fail is done before the file grows, and the
 * name (reserved meanwhile) is published last, so a failed create changes
 * nothing another process can see. No global lock is held while the section
 * is built or the file grows.
 */
static long dev_create(struct sections_create_args __user *uargs)
{
	struct sections_name name = { .type = SECTIONS_OBJ_SECTION };
	struct sections_create_args args;
	struct file *backing = NULL, *file;
	struct section *sec, *existing;
	struct sections_user *user;
	long ret;
	int fd;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	ret = check_create_args(&args);
	if (ret)
		return ret;
	if (args.name_len) {
		ret = sections_name_from_user(args.name, args.name_len, &name);
		if (ret)
			return ret;
	}
	if (args.flags & SECTIONS_CREATE_FILE) {
		backing = fget(args.fd);
		if (!backing) {
			ret = -EBADF;
			goto out_name;
		}
	}
	fd = get_unused_fd_flags((args.flags & SECTIONS_HANDLE_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto out_backing;
	}

	user = sections_user_charge_section();
	if (IS_ERR(user) && !name.name) {
		ret = PTR_ERR(user);
		goto out_fd;
	}
	sec = section_alloc(&args, &name, IS_ERR(user) ? NULL : user);
	if (IS_ERR(sec)) {
		if (!IS_ERR(user))
			sections_user_uncharge_section(user);
		ret = PTR_ERR(sec);
		goto out_fd;
	}
	if (sec->name.name) {
		existing = reserve_or_open(sec, &args.access, PTR_ERR_OR_ZERO(user));
		if (existing) {
			/* Size, protection, mode and file are those of the existing section. */
			section_handle_put(sec);
			if (IS_ERR(existing)) {
				ret = PTR_ERR(existing);
				goto out_fd;
			}
			ret = install_existing(existing, args.access, fd, &uargs->result);
			goto out_backing;
		}
	}

	/* A new section: the checks an existing one would not have needed. */
	ret = -EACCES;
	if (!args.access)
		args.access = sections_protection_access(args.protection);
	if (args.access & ~sections_protection_access(args.protection))
		goto out_sec;
	if (backing) {
		ret = section_check_file(&args, backing);
		if (ret)
			goto out_sec;
		/* Size 0 became the file's size. */
		sec->size = PAGE_ALIGN(args.size);
	}
	ret = section_init(sec, backing);
	if (ret)
		goto out_sec;
	file = sections_handle_file(sec, args.access);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_fd;
	}
	if (put_user(0, &uargs->result)) {
		ret = -EFAULT;
		goto out_file;
	}
	if (backing) {
		/* To the size asked for, as CreateFileMapping does, not to a page boundary. */
		ret = section_grow_file(sec, backing, args.size);
		if (ret)
			goto out_file;
	}
	if (sec->name.name) {
		mutex_lock(&sections_names_lock);
		sections_name_ready(&sec->name);
		mutex_unlock(&sections_names_lock);
	}
	fd_install(fd, file);
	ret = fd;
	goto out_backing;

out_file:
	fput(file);	/* handle_release() puts the handle, which frees the section */
	goto out_fd;
out_sec:
	section_handle_put(sec);
out_fd:
	put_unused_fd(fd);
out_backing:
	if (backing)
		fput(backing);
out_name:
	sections_name_release(&name);
	return ret;
}

static long dev_open(struct sections_open_args __user *uargs)
{
	struct sections_name name = { .type = SECTIONS_OBJ_SECTION };
	struct sections_open_args args;
	struct sections_name *existing;
	struct section *sec;
	long ret;
	int fd;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.pad || (args.flags & ~SECTIONS_HANDLE_CLOEXEC) || !args.access ||
	    (args.access & ~SECTIONS_ACCESS_ALL))
		return -EINVAL;
	ret = sections_name_from_user(args.name, args.name_len, &name);
	if (ret)
		return ret;
	fd = get_unused_fd_flags((args.flags & SECTIONS_HANDLE_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto out_name;
	}

	mutex_lock(&sections_names_lock);
	existing = sections_name_find(&name);
	if (IS_ERR(existing))
		sec = ERR_CAST(existing);
	else
		sec = existing ? open_existing(existing, &args.access) : ERR_PTR(-ENOENT);
	mutex_unlock(&sections_names_lock);
	if (IS_ERR(sec)) {
		put_unused_fd(fd);
		ret = PTR_ERR(sec);
		goto out_name;
	}
	ret = install_existing(sec, args.access, fd, NULL);
out_name:
	sections_name_release(&name);
	return ret;
}

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SECTIONS_IOC_CREATE:
		return dev_create(uarg);
	case SECTIONS_IOC_OPEN:
		return dev_open(uarg);
	case SECTIONS_IOC_UNMAP_VIEW:
		return sections_unmap_view(uarg);
	case SECTIONS_IOC_FLUSH_VIEW:
		return sections_flush_view(uarg);
	case SECTIONS_IOC_QUERY_VIEW_PAGES:
		return sections_query_view_pages(uarg);
	case SECTIONS_IOC_FILE_READ:
	case SECTIONS_IOC_FILE_WRITE:
	case SECTIONS_IOC_FILE_FLUSH:
	case SECTIONS_IOC_FILE_SET_SIZE:
		return sections_file_ioctl(cmd, uarg);
	}
	return -ENOTTY;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sections_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sections",
	.fops = &dev_fops,
	.mode = 0666,
};

static int __init sections_init(void)
{
	int ret;

	sections_wq = alloc_workqueue("sections", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!sections_wq)
		return -ENOMEM;
	ret = sections_writeback_init();
	if (ret)
		goto err_wq;
	ret = sectionsfs_init();
	if (ret)
		goto err_wb;
	ret = sections_names_init();
	if (ret)
		goto err_fs;
	ret = sections_procfs_init();
	if (ret)
		goto err_names;
	sections_placeholder_init();
	ret = misc_register(&sections_misc);
	if (ret)
		goto err_procfs;
	return 0;

err_procfs:
	sections_placeholder_exit();
	sections_procfs_exit();
err_names:
	sections_names_exit();
err_fs:
	sectionsfs_exit();
err_wb:
	sections_writeback_exit();
err_wq:
	destroy_workqueue(sections_wq);
	return ret;
}

static void __exit sections_exit(void)
{
	misc_deregister(&sections_misc);
	sections_placeholder_exit();
	sections_procfs_exit();
	sections_writeback_exit();
	/* Control-area teardowns still running hold no module reference any more. */
	destroy_workqueue(sections_wq);
	sections_names_exit();
	sectionsfs_exit();
}

module_init(sections_init);
module_exit(sections_exit);

MODULE_DESCRIPTION("Windows NT section objects (file mappings)");
MODULE_AUTHOR("The sections developers");
MODULE_LICENSE("GPL");

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
 * Open an existing object found under @key for create or open. Caller holds
 * sections_names_lock. On success the handle is counted.
 */
static struct section *open_existing(struct sections_name *entry, u32 *access)
{
	struct section *sec;

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

/* A new section, file-backed if @file. Caller holds sections_names_lock if named. */
static struct section *create_new(struct sections_create_args *args,
				  struct sections_name *name, struct file *file)
{
	int ret;

	if (!args->access)
		args->access = sections_protection_access(args->protection);
	if (args->access & ~sections_protection_access(args->protection))
		return ERR_PTR(-EACCES);
	if (file) {
		ret = section_prepare_file(args, file);
		if (ret)
			return ERR_PTR(ret);
	}
	return section_create(args, name, file);
}

static long dev_create(struct sections_create_args __user *uargs)
{
	struct sections_name name = { .type = SECTIONS_OBJ_SECTION };
	struct sections_create_args args;
	struct sections_name *existing;
	struct file *file = NULL;
	struct section *sec;
	u32 result = 0;
	long ret;

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
		file = fget(args.fd);
		if (!file) {
			sections_name_release(&name);
			return -EBADF;
		}
	}

	mutex_lock(&sections_names_lock);
	existing = name.name ? sections_name_lookup(&name) : NULL;
	if (existing) {
		/* Size, protection and mode are those of the existing section. */
		sec = open_existing(existing, &args.access);
		result = SECTIONS_CREATE_EXISTED;
	} else {
		sec = create_new(&args, &name, file);
		if (!IS_ERR(sec) && sec->name.name) {
			ret = sections_name_publish(&sec->name);
			if (ret) {
				/* The section owns the name now; the put frees both. */
				mutex_unlock(&sections_names_lock);
				section_handle_put(sec);
				if (file)
					fput(file);
				return ret;
			}
		}
	}
	mutex_unlock(&sections_names_lock);
	sections_name_release(&name);
	if (file)
		fput(file);
	if (IS_ERR(sec))
		return PTR_ERR(sec);
	return sections_handle_install(sec, args.access, args.flags, &uargs->result, result);
}

static long dev_open(struct sections_open_args __user *uargs)
{
	struct sections_name name = { .type = SECTIONS_OBJ_SECTION };
	struct sections_open_args args;
	struct sections_name *existing;
	struct section *sec;
	long ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.pad || (args.flags & ~SECTIONS_HANDLE_CLOEXEC) || !args.access ||
	    (args.access & ~SECTIONS_ACCESS_ALL))
		return -EINVAL;
	ret = sections_name_from_user(args.name, args.name_len, &name);
	if (ret)
		return ret;

	mutex_lock(&sections_names_lock);
	existing = sections_name_lookup(&name);
	sec = existing ? open_existing(existing, &args.access) : ERR_PTR(-ENOENT);
	mutex_unlock(&sections_names_lock);
	sections_name_release(&name);
	if (IS_ERR(sec))
		return PTR_ERR(sec);
	return sections_handle_install(sec, args.access, args.flags, NULL, 0);
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

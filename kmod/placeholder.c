// SPDX-License-Identifier: GPL-2.0
/*
 * Test hook: /sys/kernel/debug/sections/reserve_name. Writing a name to an
 * open file holds that name, in the writer's IPC namespace, with an object
 * that is not a section until the file is closed. Until events, mutexes and
 * semaphores join the name table, this is how the tests prove that a name of
 * another type makes create and open fail.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "sections.h"

static struct dentry *debug_dir;

static int reserve_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static ssize_t reserve_write(struct file *file, const char __user *buf, size_t len,
			     loff_t *ppos)
{
	struct sections_name *entry, *existing;
	struct sections_ns_names *spare;
	int ret;

	if (len > SECTIONS_NAME_MAX)
		return -ENAMETOOLONG;
	entry = kzalloc_obj(*entry, GFP_KERNEL_ACCOUNT);
	if (!entry)
		return -ENOMEM;
	ret = sections_name_from_user((unsigned long)buf, len, entry);
	if (ret)
		goto err_free;
	entry->type = SECTIONS_OBJ_PLACEHOLDER;

	spare = sections_ns_names_alloc();
	mutex_lock(&sections_names_lock);
	existing = sections_name_find(entry);
	if (file->private_data)
		ret = -EBUSY;
	else if (IS_ERR(existing))
		ret = PTR_ERR(existing);
	else if (existing)
		ret = -EEXIST;
	else
		ret = sections_name_reserve(entry, NULL, &spare);
	if (!ret) {
		sections_name_ready(entry);
		file->private_data = entry;
	}
	mutex_unlock(&sections_names_lock);
	kfree(spare);
	if (ret)
		goto err_release;
	return len;

err_release:
	sections_name_release(entry);
err_free:
	kfree(entry);
	return ret;
}

static int reserve_release(struct inode *inode, struct file *file)
{
	struct sections_name *entry = file->private_data;

	if (!entry)
		return 0;
	mutex_lock(&sections_names_lock);
	sections_name_unpublish(entry);
	mutex_unlock(&sections_names_lock);
	sections_name_release(entry);
	kfree(entry);
	return 0;
}

static const struct file_operations reserve_fops = {
	.owner = THIS_MODULE,
	.open = reserve_open,
	.write = reserve_write,
	.release = reserve_release,
	.llseek = noop_llseek,
};

void __init sections_placeholder_init(void)
{
	debug_dir = debugfs_create_dir("sections", NULL);
	debugfs_create_file("reserve_name", 0200, debug_dir, NULL, &reserve_fops);
}

void sections_placeholder_exit(void)
{
	debugfs_remove_recursive(debug_dir);
}

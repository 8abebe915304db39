// SPDX-License-Identifier: GPL-2.0
/*
 * sectionsfs: a pseudo filesystem with one inode per file-backed control
 * area, so a section owns its pages in its own address_space. The inodes
 * have no writeback-capable bdi: the flusher threads never write these pages,
 * only writeback.c does, which is what lets writeback wait for share counts.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/wait.h>

#include "compat.h"
#include "sections.h"

#define SECTIONSFS_MAGIC 0x53454354	/* "SECT" */

static struct vfsmount *sectionsfs_mnt;
/*
 * The inode of every handle: one for all, so that opening a section by name
 * touches no inode of its own (open by name stays flat as names grow) and a
 * create makes one inode fewer. Owned by root, mode 0600: nobody else can
 * watch it with inotify. Handles have no locks or leases (handle.c), so
 * sharing the inode shares nothing between them.
 */
static struct inode *handle_inode;
static atomic_t live_inodes = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(live_inodes_wq);

static void sectionsfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (atomic_dec_and_test(&live_inodes))
		wake_up(&live_inodes_wq);
}

static const struct super_operations sectionsfs_sops = {
	.statfs = simple_statfs,
	.evict_inode = sectionsfs_evict_inode,
};

static int sectionsfs_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, SECTIONSFS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = &sectionsfs_sops;
	/* Views with an execute protection may be PROT_EXEC. */
	fc->s_iflags &= ~SB_I_NOEXEC;
	return 0;
}

/*
 * No .owner: kern_mount() would pin the module for good. Module exit waits
 * for the last inode instead (sectionsfs_exit()).
 */
static struct file_system_type sectionsfs_type = {
	.name = "sectionsfs",
	.init_fs_context = sectionsfs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/*
 * Only the module sizes these inodes (i_size_write()): a handle is not a
 * file, and a control area's size follows its sections. ftruncate(),
 * fchmod(), fchown() and utimensat() on a handle end here.
 */
static int sectionsfs_setattr(struct sections_idmap *idmap, struct dentry *dentry,
			      struct iattr *attr)
{
	return -EPERM;
}

/*
 * fstat() of a handle gives its section's size (what MapViewOfFile needs
 * to map a whole section through a handle that may not query); the rest
 * is the shared handle inode's. Each handle file has a dentry of its own,
 * which holds the size in pages by value: the dentry can outlive the file
 * and the section (an O_PATH open of /proc/PID/fd/N keeps it), so it must
 * point to nothing. A long holds any size on 64-bit kernels; on 32-bit the
 * size saturates.
 */
void sectionsfs_set_handle_size(struct dentry *dentry, u64 size)
{
	dentry->d_fsdata = (void *)(unsigned long)min_t(u64, size >> PAGE_SHIFT, ULONG_MAX);
}

static int sectionsfs_getattr(struct sections_idmap *idmap, const struct path *path,
			      struct kstat *stat, u32 request_mask, unsigned int query_flags)
{
	unsigned long pages = (unsigned long)path->dentry->d_fsdata;

	sections_fillattr(idmap, request_mask, d_inode(path->dentry), stat);
	if (d_inode(path->dentry) == handle_inode)
		stat->size = (loff_t)pages << PAGE_SHIFT;
	return 0;
}

static const struct inode_operations sectionsfs_iops = {
	.setattr = sectionsfs_setattr,
	.getattr = sectionsfs_getattr,
};

/* Opening one of these inodes by path (/proc/PID/fd, map_files) would bypass handles. */
static int sectionsfs_reopen(struct inode *inode, struct file *file)
{
	return -EACCES;
}

const struct file_operations sectionsfs_reopen_fops = {
	.owner = THIS_MODULE,
	.open = sectionsfs_reopen,
};

/**
 * sectionsfs_new_inode() - a new regular inode on sectionsfs
 * @size: its i_size: the size a control area covers, or the handle inode's
 *
 * Return: the inode, or an ERR_PTR.
 */
struct inode *sectionsfs_new_inode(loff_t size)
{
	struct inode *inode = alloc_anon_inode(sectionsfs_mnt->mnt_sb);

	if (IS_ERR(inode))
		return inode;
	atomic_inc(&live_inodes);
	inode->i_mode = S_IFREG | 0600;
	inode->i_op = &sectionsfs_iops;
	inode->i_fop = &sectionsfs_reopen_fops;
	i_size_write(inode, size);
	return inode;
}

struct vfsmount *sectionsfs_mount(void)
{
	return sectionsfs_mnt;
}

struct inode *sectionsfs_handle_inode(void)
{
	return handle_inode;
}

int sectionsfs_init(void)
{
	sectionsfs_mnt = kern_mount(&sectionsfs_type);
	if (IS_ERR(sectionsfs_mnt))
		return PTR_ERR(sectionsfs_mnt);
	/*
	 * fstat() shows each handle's section size (getattr); i_size is the
	 * largest, so that copy_file_range() does not succeed with nothing to
	 * copy but reaches the missing splice method and fails.
	 */
	handle_inode = sectionsfs_new_inode(MAX_LFS_FILESIZE);
	if (IS_ERR(handle_inode)) {
		kern_unmount(sectionsfs_mnt);
		return PTR_ERR(handle_inode);
	}
	return 0;
}

/*
 * The final fput() of a file drops its module reference before its dentry
 * and inode go, so wait for the inodes before the superblock goes.
 */
void sectionsfs_exit(void)
{
	iput(handle_inode);
	wait_event(live_inodes_wq, !atomic_read(&live_inodes));
	kern_unmount(sectionsfs_mnt);
}

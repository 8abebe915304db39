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

#include "sections.h"

#define SECTIONSFS_MAGIC 0x53454354	/* "SECT" */

static struct vfsmount *sectionsfs_mnt;
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

/* A new inode whose address_space will hold a control area's pages. */
struct inode *sectionsfs_new_inode(void)
{
	struct inode *inode = alloc_anon_inode(sectionsfs_mnt->mnt_sb);

	if (!IS_ERR(inode))
		atomic_inc(&live_inodes);
	return inode;
}

struct vfsmount *sectionsfs_mount(void)
{
	return sectionsfs_mnt;
}

int sectionsfs_init(void)
{
	sectionsfs_mnt = kern_mount(&sectionsfs_type);
	return PTR_ERR_OR_ZERO(sectionsfs_mnt);
}

/*
 * The final fput() of a file drops its module reference before its dentry
 * and inode go, so wait for the inodes before the superblock goes.
 */
void sectionsfs_exit(void)
{
	wait_event(live_inodes_wq, !atomic_read(&live_inodes));
	kern_unmount(sectionsfs_mnt);
}

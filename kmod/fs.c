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

/*
 * Mounted while anything of the module lives on it, and a second after the
 * last goes. The filesystem type has an owner: its superblock, not the
 * module's own code, holds the module, so rmmod is refused (EBUSY) while
 * any dentry or inode of it exists, even a path to a handle that an O_PATH
 * open of /proc/PID/fd/N keeps after every file is gone, and the VFS drops
 * that reference after the superblock has gone, when no code of ours runs.
 */
static struct vfsmount *sectionsfs_mnt;
static atomic_t pins = ATOMIC_INIT(0);
static DEFINE_MUTEX(pin_lock);
#define RELEASE_DELAY	HZ
/*
 * The inode of every handle: one for all, so that opening a section by name
 * touches no inode of its own (open by name stays flat as names grow) and a
 * create makes one inode fewer. Owned by root, mode 0600: nobody else can
 * watch it with inotify. Handles have no locks or leases (handle.c), so
 * sharing the inode shares nothing between them.
 */
static struct inode *handle_inode;

static void sectionsfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
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

static struct file_system_type sectionsfs_type = {
	.owner = THIS_MODULE,
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
	/*
	 * Not S_PRIVATE, which alloc_anon_inode() sets: LSMs skip private
	 * inodes in their inode and file hooks (SELinux checks no ioctl or
	 * mmap on them), so handles and views would escape the policy, as
	 * secretmem's files did until anon_inode_make_secure_inode(). That
	 * function is kvm's alone from 6.12 on; here the LSM labels the inode
	 * when a file's dentry is instantiated on it, from the filesystem type
	 * (SELinux: "genfscon sectionsfs"), as it labels pipefs inodes. The
	 * handle inode is shared, so a per-task rule (fs_use_task) would give
	 * every handle the context of the task that made the first.
	 */
	inode->i_flags &= ~S_PRIVATE;
	/*
	 * Root's, not the caller's (alloc_anon_inode() gives it the caller's
	 * fsuid): the handle inode is shared by every handle on the system and
	 * made by whoever mounts sectionsfs, which any user's create may do.
	 * Its owner could take leases on it, watch it, and every fstat() of a
	 * handle would show that user.
	 */
	inode->i_uid = GLOBAL_ROOT_UID;
	inode->i_gid = GLOBAL_ROOT_GID;
	inode->i_mode = S_IFREG | 0600;
	inode->i_op = &sectionsfs_iops;
	inode->i_fop = &sectionsfs_reopen_fops;
	i_size_write(inode, size);
	return inode;
}

/* Whether @inode is one of ours (a handle's, or a control area's). */
bool sectionsfs_owns(const struct inode *inode)
{
	return inode->i_sb->s_type == &sectionsfs_type;
}

/* The mount and the handle inode; the caller holds a pin. */
struct vfsmount *sectionsfs_mount(void)
{
	return sectionsfs_mnt;
}

struct inode *sectionsfs_handle_inode(void)
{
	return handle_inode;
}

static int sectionsfs_mount_locked(void)
{
	struct vfsmount *mnt;
	struct inode *inode;

	lockdep_assert_held(&pin_lock);
	mnt = kern_mount(&sectionsfs_type);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	sectionsfs_mnt = mnt;
	/*
	 * fstat() shows each handle's section size (getattr); i_size is the
	 * largest, so that copy_file_range() does not succeed with nothing to
	 * copy but reaches the missing splice method and fails.
	 */
	inode = sectionsfs_new_inode(MAX_LFS_FILESIZE);
	if (IS_ERR(inode)) {
		sectionsfs_mnt = NULL;
		kern_unmount(mnt);
		return PTR_ERR(inode);
	}
	handle_inode = inode;
	return 0;
}

static void sectionsfs_release(struct work_struct *work)
{
	mutex_lock(&pin_lock);
	if (!atomic_read(&pins) && sectionsfs_mnt) {
		iput(handle_inode);
		handle_inode = NULL;
		/* May drop the superblock's module reference: sectionsfs_exit() waits for us. */
		kern_unmount(sectionsfs_mnt);
		sectionsfs_mnt = NULL;
	}
	mutex_unlock(&pin_lock);
}

static DECLARE_DELAYED_WORK(release_work, sectionsfs_release);

/**
 * sectionsfs_pin() - keep sectionsfs mounted, mounting it if need be
 *
 * Every section and control area holds a pin. The common case is one atomic
 * increment; pin_lock is taken only when no pin is held.
 *
 * Return: 0, or -errno when the filesystem could not be mounted.
 */
int sectionsfs_pin(void)
{
	int ret = 0;

	if (atomic_inc_not_zero(&pins))
		return 0;
	mutex_lock(&pin_lock);
	if (!sectionsfs_mnt)
		ret = sectionsfs_mount_locked();
	if (!ret)
		atomic_inc(&pins);
	mutex_unlock(&pin_lock);
	return ret;
}

/* Drop a pin; the last one unmounts a little later (a create-close loop does not remount). */
void sectionsfs_unpin(void)
{
	if (atomic_dec_and_mutex_lock(&pins, &pin_lock)) {
		mod_delayed_work(system_long_wq, &release_work, RELEASE_DELAY);
		mutex_unlock(&pin_lock);
	}
}

int __init sectionsfs_init(void)
{
	return 0;
}

/*
 * While mounted, the superblock holds the module, so here nothing is: only
 * the release that unmounted it may still be returning.
 */
void sectionsfs_exit(void)
{
	cancel_delayed_work_sync(&release_work);
	WARN_ON(sectionsfs_mnt);
}

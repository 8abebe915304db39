// SPDX-License-Identifier: GPL-2.0
/*
 * The section object: its protection and owner, its backing store, and the
 * two counts (handles, views) that decide when its name and its memory go.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/ipc_namespace.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/mount.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "sections.h"

bool section_protection_valid(u32 protection)
{
	switch (protection) {
	case SECTIONS_PAGE_READONLY:
	case SECTIONS_PAGE_READWRITE:
	case SECTIONS_PAGE_WRITECOPY:
	case SECTIONS_PAGE_EXECUTE_READ:
	case SECTIONS_PAGE_EXECUTE_READWRITE:
	case SECTIONS_PAGE_EXECUTE_WRITECOPY:
		return true;
	}
	return false;
}

/*
 * May the caller open @sec with @access? The mode is checked as for a file:
 * read for query, map-read and map-copy, write for map-write and extend,
 * execute for map-execute. CAP_IPC_OWNER overrides it, as for SysV shm.
 */
bool section_permits(const struct section *sec, u32 access)
{
	unsigned int want = 0, granted = sec->mode;

	if (access & (SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_COPY))
		want |= 4;
	if (access & (SECTIONS_ACCESS_MAP_WRITE | SECTIONS_ACCESS_EXTEND))
		want |= 2;
	if (access & SECTIONS_ACCESS_MAP_EXECUTE)
		want |= 1;

	if (uid_eq(current_euid(), sec->uid))
		granted >>= 6;
	else if (in_group_p(sec->gid))
		granted >>= 3;
	if (!(want & ~granted & 7))
		return true;
	return ns_capable(sec->name.ns ? sec->name.ns->user_ns : current_user_ns(),
			  CAP_IPC_OWNER);
}

/*
 * alloc_file_pseudo() takes no module reference while the final fput() drops
 * one, so take it here.
 */
static struct file *section_file(struct inode *inode, struct vfsmount *mnt, const char *name,
				 const struct file_operations *fops)
{
	struct file *file;

	ihold(inode);
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, mnt, name, O_RDWR, fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(inode);
	}
	return file;
}

/*
 * A new handle file (fops = sections_handle_fops); the caller sets its
 * private_data. Handles are on sectionsfs' one handle inode, never on the
 * backing store's, so no handle reaches shmem's or a control area's file
 * and inode operations; their dentry keeps the size for fstat().
 */
struct file *section_handle_file(struct section *sec)
{
	struct file *file;

	file = section_file(sectionsfs_handle_inode(), sectionsfs_mount(), "[sections]",
			    &sections_handle_fops);
	if (!IS_ERR(file))
		sectionsfs_set_handle_size(file->f_path.dentry, sec->size);
	return file;
}

/* The one free path of a section (see sections.h), from section_release() or the view file. */
static void section_free(struct section *sec)
{
	if (sec->backing)
		fput(sec->backing);
	if (sec->control) {
		sections_control_unclaim(sec->control, sec);
		sections_control_put(sec->control);
	}
	sections_name_release(&sec->name);
	if (sec->user)
		sections_user_uncharge_section(sec->user);
	sectionsfs_unpin();
	kfree(sec);
}

/* The view file's ->release: nothing can call into it, or into the section, any more. */
int section_view_file_release(struct inode *inode, struct file *file)
{
	section_free(file->private_data);
	return 0;
}

/* path_noexec() is not exported; this is its test. */
static bool file_noexec(const struct file *file)
{
	return (file->f_path.mnt->mnt_flags & MNT_NOEXEC) ||
	       (file_inode(file)->i_sb->s_iflags & SB_I_NOEXEC);
}

static bool protection_writable(u32 protection)
{
	return protection & (SECTIONS_PAGE_READWRITE | SECTIONS_PAGE_EXECUTE_READWRITE);
}

/*
 * A writable section's pages must be writable to its file one day, or they
 * stay dirty, and pinned, for ever: refuse what can never be written. The
 * module opens its own file on the path (control.c), so what only an open
 * by path refuses (append-only, immutable) is checked here.
 */
int section_file_writable(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (!(file->f_mode & FMODE_WRITE))
		return -EACCES;
	/* No write path at all (hugetlbfs, some pseudo filesystems). */
	if (!(file->f_mode & FMODE_CAN_WRITE))
		return -EACCES;
	if (IS_APPEND(inode) || IS_IMMUTABLE(inode))
		return -EPERM;
	/* A memfd sealed against writes (as shmem's own mmap refuses it). */
	if (shmem_mapping(file->f_mapping) &&
	    (SHMEM_I(inode)->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	return 0;
}

/**
 * section_check_file() - check a backing file and settle the section size
 * @args: create arguments; a size of 0 becomes the file's size
 * @file: the backing file
 *
 * Only checks: a size past the end of the file (writable protections only)
 * is grown by section_grow_file(), the last step of a create.
 *
 * Return: 0, -ENODEV (not a regular file, or a section's own file), -EACCES
 * (the file's open mode does not cover the protection, a writable protection
 * on a file with no write path, or an execute protection on a noexec mount),
 * -EPERM (a writable protection on an append-only or immutable file, or on a
 * memfd sealed with F_SEAL_WRITE or F_SEAL_FUTURE_WRITE), -EOPNOTSUPP (a DAX
 * file), -ENODATA (size 0
 * and an empty file),
 * -EFBIG (size 0 and a file larger than SECTIONS_SIZE_MAX), or -EOVERFLOW
 * (size past the end with a read-only protection).
 */
int section_check_file(struct sections_create_args *args, struct file *file)
{
	struct inode *inode = file_inode(file);
	loff_t isize = i_size_read(inode);
	int ret;

	if (!S_ISREG(inode->i_mode) || sectionsfs_owns(inode) ||
	    file->f_op == &sections_handle_fops)
		return -ENODEV;
	/*
	 * DAX files have no page cache to fill pages from, and their read
	 * path takes i_rwsem: a write() of the file from a view of it would
	 * wait for itself.
	 */
	if (IS_DAX(inode))
		return -EOPNOTSUPP;
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	if (protection_writable(args->protection)) {
		ret = section_file_writable(file);
		if (ret)
			return ret;
	}
	if ((sections_protection_access(args->protection) & SECTIONS_ACCESS_MAP_EXECUTE) &&
	    file_noexec(file))
		return -EACCES;
	if (!args->size) {
		if (!isize)
			return -ENODATA;
		/* The size asked for was checked; the file's own size is checked here. */
		if (isize > SECTIONS_SIZE_MAX)
			return -EFBIG;
		args->size = isize;
	}
	if (args->size > isize && !protection_writable(args->protection))
		return -EOVERFLOW;
	return 0;
}

/*
 * vfs_truncate() waits for a frozen filesystem in sb_start_write(), which no
 * signal ends. Wait for the thaw here instead, killably, so that a user whose
 * create meets a frozen (or hung) filesystem can give up. A freeze that
 * starts between this check and vfs_truncate() is still waited for
 * unkillably, as by any write(); so is a writer holding the file's i_rwsem.
 */
int sections_wait_unfrozen(struct super_block *sb)
{
	while (!sb_start_write_trylock(sb)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		schedule_timeout_killable(HZ / 50);
	}
	sb_end_write(sb);
	return 0;
}

/**
 * section_grow_file() - grow a backing file to @size, as CreateFileMapping does
 * @sec: the new section, after section_init()
 * @file: its backing file, checked by section_check_file()
 * @size: the size asked for
 *
 * The last step of a create, after everything that can fail: a create that
 * fails leaves the file at the size it had. Only writable sections grow
 * their file, and creates on one file grow it one at a time, each
 * re-reading the size, so that none shrinks what another has grown. No lock
 * of ours is held but that file's grow_lock or size_lock.
 *
 * Return: 0, -EINTR (killed while waiting for another create's growth or
 * for a frozen filesystem), -EOVERFLOW (a read-only section's file was cut
 * below @size since it was checked), or an error from vfs_truncate().
 */
int section_grow_file(struct section *sec, struct file *file, u64 size)
{
	struct sections_control *ca = sec->control;
	int ret = 0;

	/*
	 * The file reached @size for a section: raise the sizes its sections
	 * claim and it is known to cover, only once the create cannot fail
	 * (a failed one claims nothing). Most creates do not grow their file:
	 * they wait for no other create, only for a SetEndOfFile that may be
	 * cutting the file under their check (size_lock).
	 */
	if (down_read_killable(&ca->size_lock))
		return -EINTR;
	if (size <= i_size_read(file_inode(file))) {
		sections_control_claim(ca, sec, size);
		up_read(&ca->size_lock);
		return 0;
	}
	up_read(&ca->size_lock);
	/* Cut since section_check_file() found it long enough. */
	if (!protection_writable(sec->protection))
		return -EOVERFLOW;
	if (mutex_lock_killable(&ca->grow_lock))
		return -EINTR;
	if (size > i_size_read(file_inode(file))) {
		ret = sections_wait_unfrozen(file_inode(file)->i_sb);
		/* truncate refuses an append-only file (write and fallocate do not). */
		if (!ret && IS_APPEND(file_inode(file)))
			ret = -EPERM;
		if (!ret)
			ret = sections_control_zero_past_eof(ca, i_size_read(file_inode(file)),
							    size);
		if (!ret)
			ret = vfs_truncate(&file->f_path, size);
	}
	if (!ret)
		sections_control_claim(ca, sec, size);
	mutex_unlock(&ca->grow_lock);
	return ret;
}

/**
 * section_file_extend() - grow a file for a write through its control area
 * @ca: the file's control area
 * @file: the caller's file, open for writing
 * @size: the size the write needs
 *
 * As section_grow_file() does for a create, one grower at a time (the
 * caller holds grow_lock: fileio.c holds it across the write that follows
 * when it appends); with fallocate() (the caller's open file is the
 * permission, as for write()), else, where the filesystem has none, with
 * truncate (which checks the caller's write permission on the file).
 *
 * Return: 0, -EINTR, or an error of fallocate or truncate.
 */
int section_file_extend(struct sections_control *ca, struct file *file, loff_t size)
{
	loff_t isize;
	int ret;

	lockdep_assert_held(&ca->grow_lock);
	isize = i_size_read(file_inode(file));
	if (size <= isize)
		return 0;
	ret = sections_wait_unfrozen(file_inode(file)->i_sb);
	if (!ret)
		ret = sections_control_zero_past_eof(ca, isize, size);
	if (!ret)
		ret = vfs_fallocate(file, 0, isize, size - isize);
	if (ret == -EOPNOTSUPP)
		ret = vfs_truncate(&file->f_path, size);
	return ret;
}

/**
 * section_file_set_size() - SetEndOfFile on a file that has sections
 * @ca: the file's control area
 * @file: the caller's file, open for writing
 * @size: the new size
 *
 * Under grow_lock, so that no create grows the file meanwhile, and
 * size_lock, so that no create finds it long enough and claims its size
 * meanwhile: every section that exists or is being made has claimed its
 * size (in bytes) once either lock is free. A create that has not reached
 * section_grow_file() yet grows the file again if this cuts it.
 *
 * Only the sections that exist hold the file at their size, as on Windows:
 * once the larger ones are gone, the file may be cut below them, and the
 * control area then ends at the cut: their dirty pages past it are dropped
 * (the cut is the caller's, not a loss; writing them first would only fail
 * a shrink on a full disk). Under io_lock from the size check on, so that
 * no write-back run that read the sizes before sees the cut as a loss or
 * writes the cut bytes back, and the check, the cut and the zeroing of the
 * page at the end all see one size.
 *
 * Return: 0, -EBUSY (the file would shrink below a section's end), -EINTR,
 * or an error of truncate.
 */
int section_file_set_size(struct sections_control *ca, struct file *file, loff_t size)
{
	loff_t claimed, end, keep, before, now;
	int ret;

	if (mutex_lock_killable(&ca->grow_lock))
		return -EINTR;
	if (down_write_killable(&ca->size_lock)) {
		ret = -EINTR;
		goto out_grow;
	}
	claimed = atomic64_read(&ca->claimed);
	end = sections_control_claims_end(ca);
	ret = sections_wait_unfrozen(file_inode(file)->i_sb);
	/* As vfs_truncate() would, before anything changes. */
	if (!ret && IS_APPEND(file_inode(file)))
		ret = -EPERM;
	if (ret)
		goto out_size;
	/*
	 * Under io_lock from here on: no write-back run that read the size
	 * before writes cut bytes back meanwhile (nor sees the cut as a loss),
	 * and the size is read once, for the check and the cut or grow. A
	 * plain write past the sections (fileio.c) may have grown the file
	 * since; another program may still change it under us.
	 */
	if (mutex_lock_killable(&ca->io_lock)) {
		ret = -EINTR;
		goto out_size;
	}
	before = i_size_read(file_inode(file));
	if (size < end && size < before) {
		ret = -EBUSY;
		goto out_io;
	}
	/*
	 * The control area keeps what the cut or a section that exists covers
	 * (one that someone else cut the file below already, hence not
	 * refused: its pages past the end stay its own, their loss reported).
	 */
	keep = max(size, end);
	if (keep < claimed) {
		ret = vfs_truncate(&file->f_path, size);
		/*
		 * A truncate that failed may still have cut the file (FUSE or
		 * NFS: cut, then EINTR; ext4: i_size lowered, then an error):
		 * the control area then ends where the file did, at most where
		 * it was (someone may grow it meanwhile, which is no cut).
		 */
		if (ret)
			keep = max(min(i_size_read(file_inode(file)), before), end);
		sections_control_lower_claim(ca, keep);
		goto out_io;
	}
	/*
	 * Past every section. A grow zeroes first what views wrote past the
	 * end; a cut zeroes after the tail of the page that holds the new end,
	 * no file data now (truncate_pagecache() zeroes it in a file's own
	 * page), lest a later grow bring it back; so when a failed truncate
	 * cut the file too.
	 */
	if (size > before) {
		ret = sections_control_zero_past_eof(ca, before, size);
		/*
		 * A grow past every page of the control area cuts none of
		 * them, even if another program grew the file meanwhile: not
		 * under io_lock across vfs_truncate(), which may wait for a
		 * lease to break (grow_lock and size_lock still keep out every
		 * create of this file, and its cached writes past the sections).
		 */
		if (size >= round_up(claimed, PAGE_SIZE)) {
			mutex_unlock(&ca->io_lock);
			if (!ret)
				ret = vfs_truncate(&file->f_path, size);
			goto out_size;
		}
		if (!ret)
			ret = vfs_truncate(&file->f_path, size);
		goto out_io;
	}
	ret = vfs_truncate(&file->f_path, size);
	now = min(i_size_read(file_inode(file)), before);
	if (now < before)
		ret = sections_control_zero_past_eof(ca, now, now) ?: ret;
out_io:
	mutex_unlock(&ca->io_lock);
out_size:
	up_write(&ca->size_lock);
out_grow:
	mutex_unlock(&ca->grow_lock);
	return ret;
}

static int section_init_pagefile(struct section *sec)
{
	struct file *file;

	/* Without NORESERVE the whole size is charged now: NT's commit. */
	file = sections_shmem_setup("sections", sec->size,
				    sec->attributes & SECTIONS_ATTR_NORESERVE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	sec->backing = file;
	sec->inode = file_inode(file);
	sec->mnt = file->f_path.mnt;
	/*
	 * Only the view file is on shmem's inode, and it is never an fd, but
	 * /proc/PID/map_files reopens a view's file by path, which would give
	 * a shmem file with every right whatever the view's. The one exception
	 * to leaving shmem's inode alone: shmem reads i_fop nowhere (its own
	 * files get shmem_file_operations from shmem_file_setup() directly), so
	 * replacing it changes only what such a reopen finds. Sealing the size
	 * keeps anything else that reaches the inode from freeing the pages
	 * under the views.
	 */
	sec->inode->i_fop = &sectionsfs_reopen_fops;
	SHMEM_I(sec->inode)->seals |= F_SEAL_SHRINK | F_SEAL_GROW;
	return 0;
}

static int section_init_file(struct section *sec, struct file *file)
{
	struct sections_control *ca;

	ca = sections_control_get(file, protection_writable(sec->protection));
	if (IS_ERR(ca))
		return PTR_ERR(ca);
	sec->control = ca;
	/* An error no one has seen yet is this section's to report too, as for a file. */
	sec->wb_seen = errseq_sample(&ca->wb_err);
	spin_lock_init(&sec->wb_seen_lock);
	sec->inode = ca->inode;
	sec->mnt = sectionsfs_mount();
	return 0;
}

/**
 * section_alloc() - a new section, not yet backed
 * @args: checked create arguments (for a file, after section_check_file())
 * @name: the name entry, moved into the section (the caller's is left with
 *	a NULL name), or one with a NULL name
 *
 * @user: the creator's counts, charged for the section (moved into it)
 *
 * section_init() backs it.
 *
 * Return: the section with one handle counted, or ERR_PTR(-ENOMEM, or an
 * error mounting sectionsfs). On error the name entry and the charge are
 * left to the caller.
 */
struct section *section_alloc(const struct sections_create_args *args,
			      struct sections_name *name, struct sections_user *user)
{
	struct section *sec;
	int ret;

	sec = kzalloc_obj(*sec, GFP_KERNEL_ACCOUNT);
	if (!sec)
		return ERR_PTR(-ENOMEM);
	/* Its handles live on sectionsfs. */
	ret = sectionsfs_pin();
	if (ret) {
		kfree(sec);
		return ERR_PTR(ret);
	}
	kref_init(&sec->ref);
	atomic_set(&sec->handles, 1);
	atomic_set(&sec->views, 0);
	sec->user = user;
	sec->size = PAGE_ALIGN(args->size);
	sec->protection = args->protection;
	sec->attributes = args->attributes;
	sec->mode = args->mode ? args->mode : SECTIONS_DEFAULT_MODE;
	sec->uid = current_euid();
	sec->gid = current_egid();
	sections_name_move(&sec->name, name);
	RB_CLEAR_NODE(&sec->claim_node);
	return sec;
}

/**
 * section_init() - give a section from section_alloc() its pages and files
 * @sec: the section
 * @backing: the backing file, or NULL for a pagefile-backed section
 *
 * Called without sections_names_lock: it may wait for a dying control area
 * of @backing to finish writing. On error the caller puts its handle, which
 * frees what was set up.
 *
 * Return: 0 or -errno.
 */
int section_init(struct section *sec, struct file *backing)
{
	char file_name[SECTIONS_NAME_MAX + 16];
	struct file *file;
	int ret;

	ret = backing ? section_init_file(sec, backing) : section_init_pagefile(sec);
	if (ret)
		return ret;

	snprintf(file_name, sizeof(file_name), "sections:%s", sec->name.name ?: "");
	file = section_file(sec->inode, sec->mnt, file_name, &sections_view_fops);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (sec->control)
		sections_control_init_ra(sec->control, file);
	/* From here on the view file's release frees the section. */
	file->private_data = sec;
	sec->view_file = file;
	return 0;
}

void section_get(struct section *sec)
{
	kref_get(&sec->ref);
}

/* No handle, view or user is left: only calls already in the view file may run. */
static void section_release(struct kref *ref)
{
	struct section *sec = container_of(ref, struct section, ref);

	if (sec->view_file)
		fput(sec->view_file);
	else
		section_free(sec);	/* section_init() did not get that far */
}

void section_put(struct section *sec)
{
	kref_put(&sec->ref, section_release);
}

/*
 * Count one more handle. The caller holds a handle to @sec (duplicate), or
 * sections_names_lock with @sec found in the table (open): either way the
 * handle count cannot reach zero meanwhile.
 */
void section_handle_get(struct section *sec)
{
	/*
	 * The reference first: once handles is 2, a closing handle drops its
	 * reference without the lock, and it must not be the last one.
	 */
	section_get(sec);
	atomic_inc(&sec->handles);
}

/* The last handle takes the name with it; views may keep the memory. */
void section_handle_put(struct section *sec)
{
	if (!sec->name.name) {
		atomic_dec(&sec->handles);
	} else if (atomic_dec_and_mutex_lock(&sec->handles, &sections_names_lock)) {
		sections_name_unpublish(&sec->name);
		mutex_unlock(&sections_names_lock);
	}
	section_put(sec);
}

/**
 * section_flush() - write the dirty pages of a range to the backing file
 * @sec: the section
 * @first: first page index
 * @count: number of pages
 * @flags: SECTIONS_FLUSH_*
 *
 * A pagefile-backed section has no file: its pages go to swap only under
 * memory pressure, so there is nothing to write.
 *
 * Return: 0, or a write-back error (this flush's or an earlier lazy one's).
 */
int section_flush(struct section *sec, pgoff_t first, pgoff_t count, u32 flags)
{
	struct sections_control *ca = sec->control;
	pgoff_t last;
	int ret;

	if (!ca || !count)
		return 0;
	last = first + count - 1 < first ? ULONG_MAX : first + count - 1;
	ret = sections_write_back(ca, first, last, SECTIONS_WB_FLUSH);
	if (ret == -EINTR)
		return ret;	/* killed: the lazy writer's error stays for others */
	if (!ret && (flags & SECTIONS_FLUSH_DURABLE))
		ret = vfs_fsync_range(ca->wfile ? ca->wfile : ca->file,
				      (loff_t)first << PAGE_SHIFT,
				      last >= (LLONG_MAX >> PAGE_SHIFT) ? LLONG_MAX :
				      ((loff_t)(last + 1) << PAGE_SHIFT) - 1, 0);
	/* Report (once to each section) an error the lazy writer met earlier. */
	return section_write_error(sec, true) ?: ret;
}

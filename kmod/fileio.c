// SPDX-License-Identifier: GPL-2.0
/*
 * Cached file I/O (SECTIONS_IOC_FILE_READ, _WRITE, _FLUSH, _SET_SIZE): reads
 * and writes of a file that go through its control area when it has one.
 *
 * On Windows, cached ReadFile and WriteFile and the views of a section of the
 * file share one set of physical pages; only non-cached I/O bypasses them.
 * Here a file's sections keep their own pages (control.c), so the native
 * file API does what the cache manager does: the bytes a section covers are
 * copied from and to the control area's pages, which are written back as a
 * view's writes are. Bytes beyond every section, and files with no section,
 * are plain reads and writes of the caller's file.
 *
 * Locks: as a fault does (sections.h). A write copies into a locked folio of
 * ours with page faults disabled, after faulting the source in unlocked (the
 * source may be a view of that very page), as generic_perform_write() does;
 * a read copies from an unlocked, referenced folio.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "compat.h"
#include "sections.h"

/* @fd as a regular file open for @need (FMODE_READ or FMODE_WRITE). */
static struct file *fileio_fget(int fd, fmode_t need)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (!S_ISREG(file_inode(file)->i_mode) || sectionsfs_owns(file_inode(file))) {
		fput(file);
		return ERR_PTR(-ENODEV);
	}
	if (!(file->f_mode & need)) {
		fput(file);
		return ERR_PTR(-EBADF);
	}
	return file;
}

/*
 * @fd's file (as fileio_fget()) and, in *@ca, its control area or NULL,
 * both referenced; fileio_put() drops them.
 */
static struct file *fileio_get(int fd, fmode_t need, struct sections_control **ca)
{
	struct file *file = fileio_fget(fd, need);

	if (IS_ERR(file))
		return file;
	*ca = sections_control_find(file_inode(file));
	if (IS_ERR(*ca)) {
		fput(file);
		return ERR_CAST(*ca);
	}
	return file;
}

static void fileio_put(struct file *file, struct sections_control *ca)
{
	if (ca)
		sections_control_put(ca);
	fput(file);
}

/*
 * The bytes of the file the control area covers: up to its largest
 * section's end, in pages. Made sections only (claimed, which the control
 * inode's size follows): bytes past what write-back counts as a section's
 * would be lost to a cut unreported.
 */
static loff_t control_end(struct sections_control *ca)
{
	return round_up(atomic64_read(&ca->claimed), PAGE_SIZE);
}

static ssize_t plain_io(struct file *file, bool write, char __user *buf, size_t len, loff_t pos)
{
	struct iov_iter iter;

	/* As pread(2) and pwrite(2): not on a stream (procfs, FOPEN_STREAM). */
	if (!(file->f_mode & (write ? FMODE_PWRITE : FMODE_PREAD)))
		return -ESPIPE;

	iov_iter_ubuf(&iter, write ? ITER_SOURCE : ITER_DEST, buf, len);
	return write ? sections_iter_write(file, &iter, &pos) : vfs_iter_read(file, &iter, &pos, 0);
}

/*
 * What write(2) does first, as the caller: drop the set-id bits and
 * security.capability. The pages are written back later with the
 * credentials of whoever made the section writable, who may be allowed to
 * keep them (root): the caller may not. Killable, as every wait here.
 */
static int fileio_remove_privs(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	int ret;

	if (IS_NOSEC(inode))
		return 0;
	while (!sb_start_write_trylock(sb)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		schedule_timeout_killable(HZ / 50);
	}
	ret = down_write_killable(&inode->i_rwsem);
	if (!ret) {
		ret = file_remove_privs(file);
		inode_unlock(inode);
	}
	sb_end_write(sb);
	return ret;
}

/*
 * The page at @pos, filled from the file if need be, as a fault would; NULL
 * once @pos is past the control area's end (SetEndOfFile cut it meanwhile:
 * the rest is the caller's plain I/O).
 */
static struct folio *control_get_folio(struct sections_control *ca, loff_t pos)
{
	struct folio *folio;
	int tries = 0;

	for (;;) {
		if (pos >= control_end(ca))
			return NULL;
		folio = read_mapping_folio(ca->inode->i_mapping, pos >> PAGE_SHIFT, NULL);
		/*
		 * Refused past a cut that came between (control_fill_folio()):
		 * look at the end again. A few times only: the backing
		 * filesystem may say -ESTALE itself (NFS, FUSE), and mean it;
		 * the module's refusal lasts only while a cut is under way.
		 */
		if (!IS_ERR(folio) || PTR_ERR(folio) != -ESTALE || ++tries > 4)
			return folio;
		cond_resched();
	}
}

/* Read @len bytes at @pos, all inside the control area and the file. */
static ssize_t control_read(struct sections_control *ca, char __user *buf, size_t len,
			    loff_t pos)
{
	size_t done = 0, n, left;
	struct folio *folio;
	void *kaddr;
	int err = 0;

	while (done < len) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		folio = control_get_folio(ca, pos);
		if (IS_ERR_OR_NULL(folio)) {
			err = PTR_ERR_OR_ZERO(folio);
			break;
		}
		n = min_t(size_t, len - done, PAGE_SIZE - offset_in_page(pos));
		kaddr = kmap_local_folio(folio, offset_in_folio(folio, pos));
		left = copy_to_user(buf + done, kaddr, n);
		kunmap_local(kaddr);
		folio_put(folio);
		done += n - left;
		pos += n - left;
		if (left) {
			err = -EFAULT;
			break;
		}
		cond_resched();
	}
	return done ?: err;
}

/* Write @len bytes at @pos, all inside the control area and the file. */
static ssize_t control_write(struct sections_control *ca, const char __user *buf, size_t len,
			     loff_t pos)
{
	struct address_space *mapping = ca->inode->i_mapping;
	size_t done = 0, n, left;
	struct folio *folio;
	void *kaddr;
	int err = 0;

	while (done < len) {
		n = min_t(size_t, len - done, PAGE_SIZE - offset_in_page(pos));
		/* Unlocked: the source may be a view of the page about to be locked. */
		if (fault_in_readable(buf + done, n) == n) {
			err = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		folio = control_get_folio(ca, pos);
		if (IS_ERR_OR_NULL(folio)) {
			err = PTR_ERR_OR_ZERO(folio);
			break;
		}
		sections_dirty_throttle(ca, folio);
		/* A fault's read-around may hold it across its file's reads. */
		if (folio_lock_killable(folio)) {
			folio_put(folio);
			err = -EINTR;
			break;
		}
		/*
		 * Cut by SetEndOfFile meanwhile (it lowers control_end(), then
		 * truncates, locking each page): the rest is the file's.
		 */
		if (pos >= control_end(ca)) {
			folio_unlock(folio);
			folio_put(folio);
			break;
		}
		if (folio->mapping != mapping) {
			folio_unlock(folio);
			folio_put(folio);
			continue;
		}
		/* As a view's write fault: refused past the bound of a failing file. */
		if (!folio_test_dirty(folio)) {
			err = sections_dirty_refused(ca);
			if (err) {
				folio_unlock(folio);
				folio_put(folio);
				break;
			}
		}
		kaddr = kmap_local_folio(folio, offset_in_folio(folio, pos));
		pagefault_disable();
		left = __copy_from_user_inatomic(kaddr, buf + done, n);
		pagefault_enable();
		kunmap_local(kaddr);
		/* Counted, and the writer kicked, by sections_dirty_folio(). */
		if (left < n)
			folio_mark_dirty(folio);
		folio_unlock(folio);
		folio_put(folio);
		/* Short: the source went away meanwhile; fault it in again (or fail above). */
		done += n - left;
		pos += n - left;
		cond_resched();
	}
	return done ?: err;
}

/*
 * A cached write that may change the file's size or the control area's
 * reach runs whole under grow_lock and size_lock (for writing), as the
 * module's own grows and SetEndOfFile do: one that grows the file, has a
 * part past the sections, or appends. Then no SetEndOfFile reads the size
 * and cuts with a part of the write between (a cut that drops the pages of
 * its cached part, then a plain part that grows the file again: neither
 * order), and no create claims the pages its plain part writes under
 * (their next write-back would put their old bytes over it). A write
 * wholly inside the file and the sections takes neither: a cut that meets
 * it stops it short. The writer never takes either lock, and the source
 * may be a view of this file, whose faults take no lock of ours.
 */
static int fileio_lock(struct sections_control *ca)
{
	if (mutex_lock_killable(&ca->grow_lock))
		return -EINTR;
	if (down_write_killable(&ca->size_lock)) {
		mutex_unlock(&ca->grow_lock);
		return -EINTR;
	}
	return 0;
}

static void fileio_unlock(struct sections_control *ca)
{
	up_write(&ca->size_lock);
	mutex_unlock(&ca->grow_lock);
}

/*
 * The plain part of a write, past the sections (fileio_lock() held). What
 * views wrote past the end is zeroed first (sections_control_zero_past_eof()),
 * unless the write is refused before it starts: its first byte unreadable,
 * or past the size limits that generic_write_checks() applies.
 */
static ssize_t fileio_plain_write(struct sections_control *ca, struct file *file,
				  char __user *buf, size_t len, loff_t pos)
{
	struct inode *inode = file_inode(file);
	loff_t isize, first;
	int ret;

	lockdep_assert_held(&ca->grow_lock);
	lockdep_assert_held_write(&ca->size_lock);
	ret = sections_wait_unfrozen(inode->i_sb);
	if (ret)
		return ret;
	if (fault_in_readable(buf, 1))
		return -EFAULT;
	isize = i_size_read(inode);
	/* Its first byte past the end (or at @pos) is what a size limit refuses. */
	first = max(pos, isize);
	if (pos + len > isize && ((file->f_flags & O_LARGEFILE) || first < MAX_NON_LFS)) {
		ret = sections_control_zero_past_eof(ca, isize, first + 1);
		if (ret)
			return ret;
	}
	return plain_io(file, true, buf, len, pos);
}

static long fileio_rw(struct sections_file_io __user *uargs, bool write)
{
	struct sections_control *ca = NULL;
	struct sections_file_io args;
	char __user *buf;
	loff_t pos, start, end, isize, cached_end, covered, want, grow;
	size_t len, done = 0;
	bool append, locked = false;
	struct inode *inode;
	struct file *file;
	ssize_t n = 0;
	long ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.offset > LLONG_MAX)
		return -EINVAL;
	len = min_t(u64, args.len, SECTIONS_FILE_IO_MAX);
	if (args.offset + len > LLONG_MAX || args.offset + len < args.offset)
		return -EFBIG;
	pos = args.offset;
	buf = u64_to_user_ptr(args.buf);
	if (!len)
		return 0;
	if (!access_ok(buf, len))
		return -EFAULT;
	file = fileio_get(args.fd, write ? FMODE_WRITE : FMODE_READ, &ca);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (!ca) {
		ret = plain_io(file, write, buf, len, pos);
		goto out;
	}
	inode = file_inode(file);
	/*
	 * O_APPEND (an append-only file has it too): the write goes to the
	 * end, which holds still only under the locks: at the end read then,
	 * through the control area where it covers the end; the plain part is
	 * written at the end by the file itself (IOCB_APPEND), the same place
	 * under the locks. (An O_APPEND set by fcntl() while the call runs is
	 * the caller's race with itself, as with pwrite(2).)
	 */
	append = write && (file->f_flags & O_APPEND);
	if (append || (write && pos + len > min(control_end(ca), i_size_read(inode)))) {
		ret = fileio_lock(ca);
		if (ret)
			goto out;
		locked = true;
	}
	if (append) {
		pos = i_size_read(inode);
		if (len > LLONG_MAX - pos) {
			ret = -EFBIG;
			goto out;
		}
	}
	end = pos + len;
again:
	/*
	 * Read once a pass: a create may enlarge the control area meanwhile
	 * (not while the locks are held); bytes past this end are plain I/O.
	 */
	covered = control_end(ca);
	start = pos;
	if (write && pos < covered) {
		n = section_file_writable(file);
		if (!n)
			n = sections_control_make_writable(ca, file);
		if (!n)
			n = fileio_remove_privs(file);
		if (n)
			goto out_done;
		/*
		 * Every byte written through the control area must lie inside
		 * the file: grow it first, but only as far as the source can
		 * be read (growing allocates), so that a buffer that faults
		 * early does not leave the file gigabytes longer.
		 */
		want = min(end, covered);
		if (want > i_size_read(inode)) {
			/* Cut since the check: nothing written yet, the rest under the locks. */
			if (!locked)
				goto lock_again;
			grow = want - fault_in_readable(buf + done, want - pos);
			if (grow == pos) {
				n = -EFAULT;
				goto out_done;
			}
			n = section_file_extend(ca, file, grow);
			if (n)
				goto out_done;
			/* The rest of the source faults: a short write. */
			if (grow < want)
				end = grow;
		}
	}
	isize = i_size_read(inode);
	cached_end = min(covered, write ? end : min(end, isize));
	if (pos < cached_end) {
		n = write ? control_write(ca, buf + done, cached_end - pos, pos) :
			    control_read(ca, buf + done, cached_end - pos, pos);
		if (n > 0) {
			done += n;
			pos += n;
		}
	}
	/*
	 * A cut of SetEndOfFile met an unlocked write before its first byte:
	 * the cut first, then the whole write, under the locks.
	 */
	if (write && !locked && !done && (n == 0 || n == -ESTALE))
		goto lock_again;
	/*
	 * The rest, beyond every section: plain I/O, unless the first part
	 * came short (a fault, or a cut of SetEndOfFile that met it: a short
	 * count, as a write(2) that a truncate met).
	 */
	if (n >= 0 && pos < end && pos == max(cached_end, start)) {
		/*
		 * Unlocked, the write met a cut after writing some (a cut that
		 * may drop what it wrote; going on under the locks would grow
		 * the file past that loss): a short count.
		 */
		if (write && !locked) {
			if (done)
				goto out_done;
			goto lock_again;
		}
		n = write ? fileio_plain_write(ca, file, buf + done, end - pos, pos) :
			    plain_io(file, false, buf + done, end - pos, pos);
		if (n > 0)
			done += n;
	}
	goto out_done;

lock_again:
	/* The file or the sections changed since the check: the rest under the locks. */
	n = fileio_lock(ca);
	if (!n) {
		locked = true;
		goto again;
	}
out_done:
	ret = done ?: n;
out:
	if (locked)
		fileio_unlock(ca);
	fileio_put(file, ca);
	return ret;
}

/* FlushFileBuffers: the unmapped dirty pages, then the file durable. */
static long fileio_flush(struct sections_file_args *args)
{
	struct sections_control *ca;
	struct file *file;
	long ret = 0, err;

	if (args->flags || args->size)
		return -EINVAL;
	file = fileio_get(args->fd, FMODE_WRITE, &ca);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (ca) {
		ret = sections_write_back(ca, 0, ULONG_MAX, SECTIONS_WB_UNMAPPED);
		if (ret == -EINTR)
			goto out;
	}
	err = vfs_fsync(file, 0);
	ret = ret ?: err;
	/*
	 * Write-back errors reach the file's own error state: report (once to
	 * each file description) what the lazy writer met, as fsync() of the
	 * file does, and also where ->fsync does not look (tmpfs).
	 */
	err = file_check_and_advance_wb_err(file);
	ret = ret ?: err;
out:
	fileio_put(file, ca);
	return ret;
}

/* SetEndOfFile: no shrinking below a live section's end. */
static long fileio_set_size(struct sections_file_args *args)
{
	struct sections_control *ca;
	struct file *file;
	long ret;

	if (args->flags)
		return -EINVAL;
	if (args->size > LLONG_MAX)
		return -EFBIG;
	file = fileio_get(args->fd, FMODE_WRITE, &ca);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (ca)
		ret = section_file_set_size(ca, file, args->size);
	else
		ret = vfs_truncate(&file->f_path, args->size);
	fileio_put(file, ca);
	return ret;
}

/**
 * sections_file_ioctl() - the SECTIONS_IOC_FILE_* ioctls of /dev/sections
 * @cmd: the ioctl
 * @uarg: its argument
 *
 * Return: the bytes transferred (READ, WRITE), 0, or -errno.
 */
long sections_file_ioctl(unsigned int cmd, void __user *uarg)
{
	struct sections_file_args args;

	switch (cmd) {
	case SECTIONS_IOC_FILE_READ:
		return fileio_rw(uarg, false);
	case SECTIONS_IOC_FILE_WRITE:
		return fileio_rw(uarg, true);
	}
	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (cmd == SECTIONS_IOC_FILE_FLUSH)
		return fileio_flush(&args);
	return fileio_set_size(&args);
}

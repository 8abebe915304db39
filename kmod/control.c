// SPDX-License-Identifier: GPL-2.0
/*
 * Control areas: one per backing file (per inode, as NT keeps one data
 * control area per file), shared by every section created on that file, by
 * any process, named or not. The pages live in the control area's own inode
 * on sectionsfs and are filled from the file on first touch; the file itself
 * changes only when writeback.c writes a page back.
 */
#include <linux/fadvise.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/migrate.h>
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

/* The most pages one fill batch reads from the file at once. */
#define CONTROL_FILL_MAX	64

/*
 * A fill of section pages from the backing file, one batch: a ->read_folio
 * (one folio) or a ->readahead (the folios the kernel's readahead chose).
 * The batch's pages of the file are read in one go when the first is
 * missing from the file's page cache.
 */
struct control_fill {
	struct file *file;
	pgoff_t first;		/* the file's page index of the batch's first page */
	unsigned int nr;	/* pages in the batch */
	/* The file's folios copied from, over every batch of the fill: */
	pgoff_t src_first;	/* the first one's index */
	bool copied;		/* any at all */
};

#define CONTROL_FILL_INIT	{ .nr = 0, .src_first = ULONG_MAX, .copied = false }

static void fill_begin(struct control_fill *fill, struct file *file, pgoff_t first,
		       unsigned int nr)
{
	fill->file = file;
	fill->first = first;
	fill->nr = min_t(unsigned int, nr, CONTROL_FILL_MAX);
}

/*
 * Copy @len bytes at @pos of the backing file into @folio at @off, from the
 * file's page cache, as a fault on a mapping of the file would find them:
 * ->read_folio takes none of the locks the file's read and write paths hold
 * (i_rwsem), so a write() of the file from a view of it, which faults here
 * with i_rwsem held, never waits for itself (XFS takes i_rwsem shared for a
 * buffered read: a kernel_read() here deadlocked on the first such write).
 * Lock order: our folio, then the file's invalidate_lock (shared), then its
 * folio: nothing that holds the file's invalidate_lock locks a folio of ours.
 */
static int control_copy_cached(struct control_fill *fill, struct folio *folio, size_t off,
			       loff_t pos, size_t len)
{
	struct file *file = fill->file;
	struct address_space *src = file->f_mapping;

	while (len) {
		pgoff_t index = pos >> PAGE_SHIFT;
		struct folio *from = sections_get_folio(src, index);
		bool cached = from;
		size_t soff, n;
		void *to, *kaddr;

		/* Being read by someone else: read_mapping_folio() waits for it. */
		if (from && !folio_test_uptodate(from)) {
			folio_put(from);
			from = NULL;
		}
		if (!from) {
			/*
			 * Read the rest of the batch from the file in one go, as
			 * the file's own readahead would (it takes invalidate_lock
			 * itself).
			 */
			if (!cached && index >= fill->first && index < fill->first + fill->nr)
				page_cache_sync_readahead(src, &file->f_ra, file, index,
							  fill->first + fill->nr - index);
			/*
			 * invalidate_lock, as filemap_fault() holds it to bring
			 * a page in: a page read meanwhile must not survive a
			 * hole punch or truncation of the file.
			 */
			filemap_invalidate_lock_shared(src);
			from = read_mapping_folio(src, index, file);
			filemap_invalidate_unlock_shared(src);
			if (IS_ERR(from))
				return PTR_ERR(from);
		}
		fill->src_first = min(fill->src_first, from->index);
		fill->copied = true;
		soff = offset_in_folio(from, pos);
		/* A page at a time: kmap_local_folio() maps one page. */
		n = min3(len, PAGE_SIZE - offset_in_page(off), PAGE_SIZE - offset_in_page(soff));
		to = kmap_local_folio(folio, off);
		kaddr = kmap_local_folio(from, soff);
		memcpy(to, kaddr, n);
		kunmap_local(kaddr);
		kunmap_local(to);
		folio_put(from);
		off += n;
		pos += n;
		len -= n;
	}
	return 0;
}

/* The same through the file's read path, for files without a page cache of their own. */
static int control_copy_read(struct file *file, struct folio *folio, size_t off, loff_t pos,
			     size_t len)
{
	while (len) {
		size_t n = min(len, PAGE_SIZE - offset_in_page(off));
		void *to = kmap_local_folio(folio, off);
		ssize_t got = kernel_read(file, to, n, &pos);

		kunmap_local(to);
		if (got < 0)
			return got;
		if (!got)	/* the file shrank meanwhile: the rest reads as zero */
			break;
		off += got;
		len -= got;
	}
	if (len)
		folio_zero_range(folio, off, len);
	return 0;
}

/*
 * One copy of each page: once pages are copied into a section, the file's
 * page-cache copy of them is redundant while the control area lives (cached
 * file I/O goes through the control area too), so it is dropped; nr 0 means
 * to the end of the file. Only clean pages no one maps or holds go; the rest
 * stay, and stay right: this only reads the file's pages. POSIX_FADV_DONTNEED,
 * as a program reading a file once does: it also drains the per-CPU LRU
 * batches that hold pages just read in, which invalidate_mapping_pages()
 * alone would skip (and starts the write-out of pages others dirtied).
 * Called with every folio of ours unlocked: it takes the file's folio locks,
 * never i_rwsem (XFS takes its iolock only for WILLNEED).
 */
static void drop_file_copy(struct file *file, pgoff_t first, pgoff_t nr)
{
	loff_t pos = (loff_t)first << PAGE_SHIFT;

	if (pos < 0 || nr > (LLONG_MAX >> PAGE_SHIFT))
		nr = 0;
	if (pos >= 0)
		vfs_fadvise(file, pos, (loff_t)nr << PAGE_SHIFT, POSIX_FADV_DONTNEED);
}

/*
 * Drop the file's copy of what @fill copied into pages [@first, @end) of
 * ours. The file's folios may be larger than ours (XFS caches files in large
 * folios), and an invalidation leaves out a folio that straddles either end
 * of its range: the range starts at the first folio copied from, so that a
 * large folio the previous fill left (it went on past that fill's end) goes
 * with the fill that copied the rest of it.
 *
 * Not here, but in @ca's drop work: a fill runs in a fault, under mmap_lock
 * and our mapping's invalidate_lock, and the fadvise waits for every CPU to
 * drain its LRU batches (lru_add_drain_all()): first-touch faults of 64 MiB
 * took 227 ms with the drop in the fault, 170 ms with it here (6.12 guest).
 * The work runs CONTROL_DROP_DELAY after the first fill that asks, once for
 * all the fills meanwhile: their ranges add up to one: what lies between loses only clean pages no one maps (a reread,
 * never data) and has the write-out of pages others dirtied there started
 * early, as a fadvise of the file by any reader would. The file's copy
 * outlives ours by that much at most.
 */
#define CONTROL_DROP_DELAY	(HZ / 50)

static void fill_drop(struct control_fill *fill, struct sections_control *ca, pgoff_t first,
		      pgoff_t end)
{
	if (!fill->copied || end <= first)
		return;
	first = min(first, fill->src_first);
	spin_lock(&ca->drop_lock);
	if (ca->drop_end <= ca->drop_first) {
		ca->drop_first = first;
		ca->drop_end = end;
	} else {
		ca->drop_first = min(ca->drop_first, first);
		ca->drop_end = max(ca->drop_end, end);
	}
	spin_unlock(&ca->drop_lock);
	queue_delayed_work(sections_wq, &ca->drop_work, CONTROL_DROP_DELAY);
}

static void control_drop_work(struct work_struct *work)
{
	struct sections_control *ca = container_of(to_delayed_work(work), struct sections_control,
						   drop_work);
	pgoff_t first, end;

	kcov_remote_start_common(ca->kcov_handle);
	spin_lock(&ca->drop_lock);
	first = ca->drop_first;
	end = ca->drop_end;
	ca->drop_first = 0;
	ca->drop_end = 0;
	spin_unlock(&ca->drop_lock);
	if (end > first)
		drop_file_copy(ca->file, first, end - first);
	kcov_remote_stop();
}

static bool file_has_page_cache(struct file *file)
{
	return file->f_mapping->a_ops->read_folio && !IS_DAX(file_inode(file));
}

/*
 * Fill @folio (locked) from the backing file and unlock it; past the file's
 * end it reads as zero. Through the page cache when the file has one (most
 * do, and it is the one the file's own mmap and read() use); else (tmpfs,
 * whose read path takes no i_rwsem; overlayfs, hugetlbfs) through
 * kernel_read() of the module's own file, which is never O_DIRECT.
 */
static int control_fill_folio(struct control_fill *fill, struct sections_control *ca,
			      struct folio *folio)
{
	struct file *file = ca->file;
	loff_t pos = folio_pos(folio), isize = i_size_read(file_inode(file));
	size_t len = 0;
	int ret = 0;

	/*
	 * Past the sections (cached I/O racing SetEndOfFile, which lowers the
	 * control inode's size, then truncates): no page of the file there is
	 * the control area's. Left !uptodate, to be read again; -ESTALE tells
	 * fileio.c to look at the control area's end again. A fault cannot
	 * meet it (filemap_fault() checks the same size first), but a
	 * read-around that sized its window before SetEndOfFile lowered the
	 * size can: its folios past the end stay !uptodate, which a page
	 * query does not count as resident, until reclaim or the control
	 * area's end frees them (or a fault reads them, once they are in).
	 */
	if (folio->index >= DIV_ROUND_UP(i_size_read(ca->inode), PAGE_SIZE)) {
		folio_unlock(folio);
		return -ESTALE;
	}
	if (pos < isize)
		len = min_t(loff_t, folio_size(folio), isize - pos);
	if (len && fill)
		ret = control_copy_cached(fill, folio, 0, pos, len);
	else if (len)
		ret = control_copy_read(file, folio, 0, pos, len);
	if (!ret && len < folio_size(folio))
		folio_zero_range(folio, len, folio_size(folio) - len);
	if (!ret)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	return ret;
}

static int control_read_folio(struct file *unused, struct folio *folio)
{
	struct sections_control *ca = folio->mapping->host->i_private;
	pgoff_t index = folio->index, nr = folio_nr_pages(folio);
	struct control_fill fill = CONTROL_FILL_INIT;
	int ret;

	if (!file_has_page_cache(ca->file))
		return control_fill_folio(NULL, ca, folio);
	fill_begin(&fill, ca->file, index, nr);
	ret = control_fill_folio(&fill, ca, folio);
	/* Unlocked now (and perhaps truncated): @index and @nr were taken before. */
	fill_drop(&fill, ca, index, index + nr);
	return ret;
}

/*
 * First-touch faults read ahead in clusters (filemap_fault()'s read-around
 * on the section's mapping, sections_control_init_ra()): the batch is read
 * from the file with one readahead of the file, then each page is copied.
 * Only up to the file's end: a page wholly past it would be filled with
 * zeros that no fault asked for (a fault there is SIGBUS), and stay so if
 * the file grew again by plain I/O. The folios not taken are the caller's
 * (read_pages()): it removes some or all of them (which, depends on the
 * kernel) and unlocks the rest, !uptodate, to be read when asked for (a
 * page query does not count them). A truncation racing the check can still leave a page of zeros
 * past the new end, as the non-cached I/O it is (README).
 */
static void control_readahead(struct readahead_control *rac)
{
	struct sections_control *ca = rac->mapping->host->i_private;
	bool cached = file_has_page_cache(ca->file);
	struct control_fill fill = CONTROL_FILL_INIT;
	pgoff_t first = readahead_index(rac), end = first;
	loff_t next = readahead_pos(rac);
	struct folio *folio;

	/*
	 * A folio that fails is left !uptodate: a fault on it reads it again,
	 * alone. The rac's position moves on only as the next folio is taken:
	 * the next one's is tracked here, to take none wholly past the end.
	 */
	while (next < i_size_read(file_inode(ca->file)) && (folio = readahead_folio(rac))) {
		next = folio_pos(folio) + folio_size(folio);
		end = folio_next_index(folio);
		/* In batches of at most CONTROL_FILL_MAX pages; the count includes this folio. */
		if (cached && folio->index >= fill.first + fill.nr)
			fill_begin(&fill, ca->file, folio->index, readahead_count(rac));
		control_fill_folio(cached ? &fill : NULL, ca, folio);
	}
	/* Every folio taken is unlocked: drop the file's copy of them. */
	if (cached)
		fill_drop(&fill, ca, first, end);
}

/*
 * Whether growing @inode to @size is refused before anything changes, by
 * the checks that truncate, fallocate and write all make first: the
 * caller's file size limit (tested without the SIGXFSZ the grow itself
 * sends), the filesystem's largest file, an immutable or swap file. Not an
 * append-only one: a write (O_APPEND) and fallocate grow it.
 */
static bool control_grow_refused(struct inode *inode, loff_t size)
{
	unsigned long limit = rlimit(RLIMIT_FSIZE);

	return IS_IMMUTABLE(inode) || IS_SWAPFILE(inode) ||
	       (limit != RLIM_INFINITY && size > limit) || size > inode->i_sb->s_maxbytes;
}

/**
 * sections_control_zero_past_eof() - zero what views wrote past the file's end
 * @ca: the control area (grow_lock held: the module grows the file no
 *	further meanwhile; its plain writes past the sections and other
 *	programs' writes never write into a control page past the end)
 * @isize: the file's size, about to grow (or just cut, past every section)
 * @size: the size it grows to (@isize after a cut)
 *
 * A view maps whole pages: the bytes of the page that holds the file's end,
 * past it, can be written through a view, but they are no file data (the
 * writer writes no further than the end). Before the module grows the file
 * they are zeroed: the file then reads as zeros there, from the file and
 * from every view, as a file grown by truncate does (and as Windows gives:
 * its cache manager zeroes from the valid data length), and no later
 * write-back of the page puts the old bytes in it. Not when the file ends
 * below the largest section made on it (@claimed: someone else cut it
 * below a section, whose bytes they may be, their loss reported), nor
 * when the grow is refused before it starts (control_grow_refused()): a
 * grow that fails later (ENOSPC, a lease, a seal) leaves the bytes zeroed,
 * which were no file data. A view writing there meanwhile may still win; a
 * grow by another program (ftruncate()) is not seen (README: non-cached I/O).
 *
 * Return: 0, or -EINTR (killed waiting for the page's lock or write-back).
 */
int sections_control_zero_past_eof(struct sections_control *ca, loff_t isize, loff_t size)
{
	struct folio *folio;
	int ret = 0;

	lockdep_assert_held(&ca->grow_lock);
	if (!offset_in_page(isize) || isize < atomic64_read(&ca->claimed))
		return 0;
	if (size > isize && control_grow_refused(file_inode(ca->file), size))
		return 0;
	folio = sections_get_folio(ca->inode->i_mapping, isize >> PAGE_SHIFT);
	if (!folio)
		return 0;
	/*
	 * Not while the writer writes it: direct I/O writes whole blocks, and
	 * a device that checksums its data wants the page stable meanwhile.
	 * Nor waiting for that with the page locked: the writer may be
	 * waiting for the file's i_rwsem, held by a write() whose source
	 * faults on this page through a view, which waits for the lock. The
	 * writer starts on a page only with its lock held.
	 */
	for (;;) {
		if (folio_wait_writeback_killable(folio) || folio_lock_killable(folio)) {
			ret = -EINTR;
			goto out;
		}
		if (!folio_test_writeback(folio))
			break;
		folio_unlock(folio);
	}
	if (folio->mapping == ca->inode->i_mapping && folio_test_uptodate(folio))
		folio_zero_segment(folio, offset_in_folio(folio, isize), folio_size(folio));
	folio_unlock(folio);
out:
	folio_put(folio);
	return ret;
}

/* The largest read-around window of a view: 256 KiB, whatever the page size. */
#define CONTROL_RA_MAX		max_t(unsigned int, SZ_256K >> PAGE_SHIFT, 1)

/**
 * sections_control_init_ra() - the readahead window of a view file of @ca
 * @ca: the control area
 * @file: the view file of a section of it
 *
 * filemap_fault() reads around with the view file's f_ra, which
 * alloc_file_pseudo() leaves zero: no readahead, each first-touch fault
 * filling one page. The window is the backing file's (its device's; 0 where
 * readahead was turned off, blockdev --setra 0 or FUSE's max_readahead), or
 * the kernel's default for a file read through its read path (tmpfs, which
 * has no window of its own), and at most CONTROL_RA_MAX: control_readahead()
 * fills its pages in the fault, synchronously, with their folios locked, and
 * charges them all to the faulting task's cgroup, where a file's own
 * readahead only starts the I/O. MADV_HUGEPAGE on a view still asks for
 * two huge pages' worth (filemap_fault() reads that much around whatever
 * the window: 4 MiB on x86; one under MADV_RANDOM), all of it filled in the
 * fault here, where a
 * mapping of the file only starts that I/O: the caller's choice, charged
 * to its cgroup. It fills the
 * control area only: the views map the pages a process touches and nothing
 * more (view.c: no fault-around, unless the fault_around parameter is set).
 */
void sections_control_init_ra(struct sections_control *ca, struct file *file)
{
	unsigned int window = ca->file->f_ra.ra_pages;

	if (!file_has_page_cache(ca->file))
		window = VM_READAHEAD_PAGES;
	file_ra_state_init(&file->f_ra, file->f_mapping);
	file->f_ra.ra_pages = min_t(unsigned int, window, CONTROL_RA_MAX);
}

static const struct address_space_operations control_aops = {
	.read_folio = control_read_folio,
	.readahead = control_readahead,
	.dirty_folio = sections_dirty_folio,
	/*
	 * No private data on these folios: the generic move keeps the dirty
	 * bit and tag (no ->dirty_folio call, so the counts stay), and a folio
	 * under writeback holds the writer's reference, so it is not moved.
	 * Without it a dirty page could never be migrated (there is no
	 * ->writepage to clean it first): NUMA balancing, compaction, CMA.
	 */
	.migrate_folio = filemap_migrate_folio,
};

static struct sections_control *control_alloc(struct file *key_file, struct file *rfile,
					      struct file *wfile)
{
	struct sections_user *user = NULL;
	struct sections_control *ca;
	struct inode *inode;
	int ret;

	ca = kzalloc_obj(*ca, GFP_KERNEL_ACCOUNT);
	if (!ca)
		return ERR_PTR(-ENOMEM);
	/* Write-back runs as the caller: its failing pages are the caller's. */
	if (wfile) {
		user = sections_user_hold();
		if (IS_ERR(user)) {
			ret = PTR_ERR(user);
			goto out_free;
		}
	}
	/* The caller's section holds a pin: sectionsfs is mounted. */
	ret = sectionsfs_pin();
	if (ret)
		goto out_release;
	/* Sized by the sections made on it, none yet (sections_control_claim()). */
	inode = sectionsfs_new_inode(0);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto out_unpin;
	}
	inode->i_mapping->a_ops = &control_aops;
	inode->i_private = ca;
	sections_inode_attach_wb(inode);
	/*
	 * Open for writing, as far as the mm can tell, for its whole life:
	 * with CONFIG_READ_ONLY_THP_FOR_FS, MADV_COLLAPSE (after MADV_HUGEPAGE
	 * on a view) and khugepaged put large folios in the page cache of a
	 * regular inode no one has open for writing (file_thp_enabled()),
	 * and fills and write-back handle order-0 folios only.
	 */
	atomic_inc(&inode->i_writecount);

	kref_init(&ca->ref);
	ca->key = file_inode(key_file);
	ca->file = rfile;
	ca->wfile = wfile;
	ca->user = user;
	ca->inode = inode;
	mutex_init(&ca->io_lock);
	mutex_init(&ca->grow_lock);
	init_rwsem(&ca->size_lock);
	atomic64_set(&ca->claimed, 0);
	atomic64_set(&ca->covered, 0);
	atomic64_set(&ca->final_size, 0);
	ca->claims = RB_ROOT;
	spin_lock_init(&ca->claims_lock);
	spin_lock_init(&ca->count_lock);
	spin_lock_init(&ca->drop_lock);
	INIT_DELAYED_WORK(&ca->drop_work, control_drop_work);
	INIT_DELAYED_WORK(&ca->writer, sections_writer_work);
	INIT_WORK(&ca->teardown, sections_control_teardown);
	ca->kcov_handle = kcov_common_handle();
	/* Teardown runs from a workqueue after the last file has gone. */
	__module_get(THIS_MODULE);
	return ca;

out_unpin:
	sectionsfs_unpin();
out_release:
	if (user)
		sections_user_release(user);
out_free:
	kfree(ca);
	return ERR_PTR(ret);
}

/*
 * The module's own file on @file's path for its I/O, with flags of its own:
 * whatever the caller's file description says (O_APPEND, O_DIRECT, O_NONBLOCK;
 * some can be changed by any holder of it with fcntl()) never reaches the
 * writer. It is opened with the caller's credentials, which write-back then
 * runs with (writeback.c). dentry_open() checks no permission bits: the
 * caller's own file, already open for what @f_mode asks, is the permission;
 * an append-only or immutable inode, which only the open by path refuses,
 * was refused by section_check_file().
 */
static struct file *control_open(struct file *file, fmode_t f_mode)
{
	int flags = (f_mode & FMODE_WRITE ? O_WRONLY : O_RDONLY) | O_LARGEFILE;

	return dentry_open(&file->f_path, flags, current_cred());
}

/**
 * sections_control_get() - the control area of @file, made if need be
 * @file: the backing file
 * @writable: the section needs the file for writing
 *
 * The first writable section of a file gives the control area its file for
 * writing, opened with that caller's credentials: write-back runs with them
 * (NT charges the write to the section's file object likewise).
 *
 * Return: a referenced control area, or ERR_PTR(-ENOMEM), ERR_PTR(-EINTR)
 * when killed while waiting for a dying control area of @file, or an error
 * from opening @file's path again (-ETXTBSY: a running executable, for
 * writing; an error of the filesystem's own open).
 */
struct sections_control *sections_control_get(struct file *file, bool writable)
{
	struct inode *key = file_inode(file);
	struct sections_control *ca, *found;
	struct file *rfile = NULL, *wfile = NULL;
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
		if (wait_event_killable(controls_wq, atomic_read(&controls_gone) != gone)) {
			found = ERR_PTR(-EINTR);
			goto out_fput;
		}
		goto retry;
	}
	if (!found && (!rfile || (writable && !wfile))) {
		/*
		 * A new control area needs files of its own, opened before any
		 * lock (a filesystem's open may wait long: FUSE, NFS, leases);
		 * then look again.
		 */
		mutex_unlock(&controls_lock);
		if (!rfile)
			rfile = control_open(file, FMODE_READ);
		if (!IS_ERR(rfile) && writable && !wfile)
			wfile = control_open(file, FMODE_WRITE);
		if (IS_ERR(rfile) || IS_ERR(wfile)) {
			found = IS_ERR(rfile) ? ERR_CAST(rfile) : ERR_CAST(wfile);
			if (IS_ERR(rfile))
				rfile = NULL;
			if (IS_ERR(wfile))
				wfile = NULL;
			goto out_fput;
		}
		goto retry;
	}
	if (!found) {
		found = control_alloc(file, rfile, wfile);
		if (IS_ERR(found)) {
			mutex_unlock(&controls_lock);
			goto out_fput;
		}
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
	if (writable && !READ_ONCE(found->wfile)) {
		int ret = sections_control_make_writable(found, file);

		if (ret) {
			sections_control_put(found);
			found = ERR_PTR(ret);
			goto out_fput;
		}
	}
out_fput:
	/* Files opened for a control area another create made meanwhile. */
	if (wfile)
		fput(wfile);
	if (rfile)
		fput(rfile);
	return found;
}

/* The control inode's size, up (creates) or down (SetEndOfFile) to @size. */
static void control_set_inode_size(struct sections_control *ca, loff_t size, bool raise)
{
	struct inode *inode = ca->inode;

	/* Creates claim concurrently; i_lock orders them (there is no other writer). */
	spin_lock(&inode->i_lock);
	if (raise ? i_size_read(inode) < size : i_size_read(inode) > size)
		i_size_write(inode, size);
	spin_unlock(&inode->i_lock);
}

/**
 * sections_control_claim() - a section of @size bytes is made on @ca's file
 * @ca: the control area
 * @sec: the section, which claims @size bytes of the file from now until
 *	it is freed (sections_control_unclaim())
 * @size: the section's size, which the file has reached
 *
 * Raises the control inode's size, which bounds faults and readahead on
 * its mapping (first, so that cached I/O up to claimed finds its pages
 * fill), then the size the sections claim and the size the file is known
 * to cover. Only a made section sizes it (a failed create claims
 * nothing; one under way, nothing yet): no page past every section is read
 * into the control area, where a write through the file (fileio.c: plain
 * I/O past the sections) would leave it stale for a later, larger section.
 * Called once the create cannot fail, before its handle is installed: no
 * view of it faults before.
 */
void sections_control_claim(struct sections_control *ca, struct section *sec, loff_t size)
{
	struct rb_node **link = &ca->claims.rb_node, *parent = NULL;

	sec->claimed = size;
	spin_lock(&ca->claims_lock);
	/* A section again: cuts of the file are losses again. */
	if (RB_EMPTY_ROOT(&ca->claims))
		atomic64_set(&ca->final_size, 0);
	/* Equal sizes to the right: the order among them does not matter. */
	while (*link) {
		parent = *link;
		if (size < rb_entry(parent, struct section, claim_node)->claimed)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&sec->claim_node, parent, link);
	rb_insert_color(&sec->claim_node, &ca->claims);
	spin_unlock(&ca->claims_lock);
	/* The inode first: cached I/O up to claimed finds the pages fill. */
	control_set_inode_size(ca, size, true);
	sections_atomic64_raise(&ca->claimed, size);
	sections_atomic64_raise(&ca->covered, size);
}

/**
 * sections_control_unclaim() - @sec, freed, claims nothing of @ca's file
 * @ca: the control area
 * @sec: a section of it, made or not
 *
 * When the last made section goes, whoever cuts the file from then on
 * (ftruncate() before the last pages are written, or while a cached read
 * keeps the control area) chose to drop what lies past the cut, as with a
 * file's own dirty page cache, and is told of no loss. A cut made before,
 * while a section held the file, still is (run_cut() counts only bytes past
 * this size).
 */
void sections_control_unclaim(struct sections_control *ca, struct section *sec)
{
	spin_lock(&ca->claims_lock);
	if (!RB_EMPTY_NODE(&sec->claim_node)) {
		rb_erase(&sec->claim_node, &ca->claims);
		RB_CLEAR_NODE(&sec->claim_node);
		if (RB_EMPTY_ROOT(&ca->claims))
			atomic64_set(&ca->final_size, i_size_read(file_inode(ca->file)));
	}
	spin_unlock(&ca->claims_lock);
}

/**
 * sections_control_claims_end() - the end of the largest section of @ca
 * @ca: the control area (size_lock held for writing: no create claims)
 *
 * The sections that exist now, not the largest ever made (@claimed): a
 * section that went holds no size. @claims is ordered by size, so this is
 * its last node, found in O(log n) under the spinlock, however many
 * sections (up to the per-user limits of every user) share the file.
 *
 * Return: its size in bytes, 0 when there is none.
 */
loff_t sections_control_claims_end(struct sections_control *ca)
{
	struct rb_node *last;
	loff_t end = 0;

	lockdep_assert_held_write(&ca->size_lock);
	spin_lock(&ca->claims_lock);
	last = rb_last(&ca->claims);
	if (last)
		end = rb_entry(last, struct section, claim_node)->claimed;
	spin_unlock(&ca->claims_lock);
	return end;
}

/**
 * sections_control_lower_claim() - the sections of @ca claim only @size bytes
 * @ca: the control area (size_lock held for writing, grow_lock and io_lock)
 * @size: the file's new size, or sections_control_claims_end() if larger
 *
 * After SetEndOfFile cut the file below what sections that went had
 * claimed: the control area ends at the cut. Bytes past it are the file's
 * own again (cached I/O is plain I/O there: claimed goes first), no page is
 * filled there (the inode's size next), and its pages past it go, dirty
 * ones uncounted (the cut is the caller's choice, not a loss), with the
 * tail of the page that holds it zeroed: a page left there would be stale
 * once the file grew again and a section claimed it. No view maps the
 * pages past the one that holds @size (a section that exists ends at or
 * before @size; that one may be mapped, and its tail is zeroed in the
 * view too), each page past it is uncounted and removed in one hold of
 * its lock (sections_clean_from()), and under io_lock no run of the writer
 * holds them.
 */
void sections_control_lower_claim(struct sections_control *ca, loff_t size)
{
	lockdep_assert_held_write(&ca->size_lock);
	lockdep_assert_held(&ca->grow_lock);
	lockdep_assert_held(&ca->io_lock);
	if (size >= atomic64_read(&ca->claimed))
		return;
	atomic64_set(&ca->claimed, size);
	if (atomic64_read(&ca->covered) > size)
		atomic64_set(&ca->covered, size);
	control_set_inode_size(ca, size, false);
	sections_clean_from(ca, DIV_ROUND_UP(size, PAGE_SIZE), true);
	truncate_inode_pages_range(ca->inode->i_mapping, size, -1);
}

/**
 * sections_control_find() - the control area of a file, if it has one
 * @key: the file's inode
 *
 * Waits (killably) for a dying control area to be gone: until then the
 * file may still lack its last pages.
 *
 * Return: a referenced control area, NULL if the file has none, or
 * ERR_PTR(-EINTR).
 */
struct sections_control *sections_control_find(struct inode *key)
{
	struct sections_control *ca, *found;
	int gone;

	for (;;) {
		mutex_lock(&controls_lock);
		found = NULL;
		hash_for_each_possible(controls, ca, link, (unsigned long)key) {
			if (ca->key == key) {
				found = ca;
				break;
			}
		}
		if (!found || kref_get_unless_zero(&found->ref)) {
			mutex_unlock(&controls_lock);
			return found;
		}
		gone = atomic_read(&controls_gone);
		mutex_unlock(&controls_lock);
		if (wait_event_killable(controls_wq, atomic_read(&controls_gone) != gone))
			return ERR_PTR(-EINTR);
	}
}

/**
 * sections_control_make_writable() - give a control area its file for writing
 * @ca: a referenced control area
 * @file: a file of its inode, open for writing
 *
 * For a write through the control area when no writable section made it
 * writable: the writer's file is opened with the caller's credentials, as a
 * writable create's is.
 *
 * Return: 0, -EINTR, or an error from opening the file.
 */
int sections_control_make_writable(struct sections_control *ca, struct file *file)
{
	struct sections_user *user;
	struct file *wfile;
	int ret = 0;

	if (READ_ONCE(ca->wfile))
		return 0;
	wfile = control_open(file, FMODE_WRITE);
	if (IS_ERR(wfile))
		return PTR_ERR(wfile);
	user = sections_user_hold();
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		user = NULL;
		goto out;
	}
	if (mutex_lock_killable(&ca->io_lock)) {
		ret = -EINTR;
		goto out;
	}
	if (!ca->wfile) {
		sections_control_set_user(ca, user);
		user = NULL;
		swap(wfile, ca->wfile);
	}
	mutex_unlock(&ca->io_lock);
out:
	if (user)
		sections_user_release(user);
	if (wfile)
		fput(wfile);
	return ret;
}

static void control_release(struct kref *ref)
{
	struct sections_control *ca = container_of(ref, struct sections_control, ref);

	/* Called with controls_lock held; writing may sleep long, so defer. */
	lockdep_assert_held(&controls_lock);
	/* No section is left: final_size is set (sections_control_unclaim()). */
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
	/* From here on a dirtied page arms no writer (sections_dirty_folio()). */
	WRITE_ONCE(ca->dying, true);
	/* No fill can come now; the file's copy is the one left once ours go. */
	cancel_delayed_work_sync(&ca->drop_work);
	cancel_delayed_work_sync(&ca->writer);
	/* Once more if the first try failed (a transient error): data is at stake. */
	if (sections_write_back(ca, 0, ULONG_MAX, SECTIONS_WB_FINAL))
		sections_write_back(ca, 0, ULONG_MAX, SECTIONS_WB_FINAL);
	/* Uncounts and removes every page: none can be dirtied after it. */
	sections_drop_dirty(ca);
	/* A kick that raced with setting dying. */
	cancel_delayed_work_sync(&ca->writer);
	/* Asked for by a dirtier, and no writer ran since. */
	if (ca->trim_memcg)
		sections_memcg_put(ca->trim_memcg);
	mutex_lock(&controls_lock);
	hash_del(&ca->link);
	atomic_inc(&controls_gone);
	mutex_unlock(&controls_lock);
	wake_up_all(&controls_wq);
	if (ca->wfile)
		fput(ca->wfile);
	/* After sections_drop_dirty(): none of its pages is the user's now. */
	if (ca->user)
		sections_user_release(ca->user);
	fput(ca->file);
	atomic_dec(&ca->inode->i_writecount);
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

	sections_dirty_throttle(ca, folio);
	folio_lock(folio);
	if (folio->mapping != mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	/* Its file refuses writes and it holds its bound of dirty pages: no more. */
	if (!folio_test_dirty(folio) && sections_dirty_refused(ca)) {
		folio_unlock(folio);
		return VM_FAULT_SIGBUS;
	}
	/*
	 * Wholly past the end of a file cut since the page was mapped: a
	 * write could never reach the file, so it faults, as a write fault
	 * past the end of a Linux mmap does (block_page_mkwrite()).
	 */
	if (folio_pos(folio) >= i_size_read(file_inode(ca->file))) {
		folio_unlock(folio);
		return VM_FAULT_SIGBUS;
	}
	folio_mark_dirty(folio);		/* counted by sections_dirty_folio() */
	folio_wait_stable(folio);
	return VM_FAULT_LOCKED;
}

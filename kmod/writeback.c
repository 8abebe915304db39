// SPDX-License-Identifier: GPL-2.0
/*
 * Write-back of file-backed sections, NT's rule: a dirty page is written to
 * its file only once its share count is zero (its last mapping went: unmap,
 * exit, kill, or trimming: by reclaim, or by the writers when too many pages
 * are dirty), and then lazily, by a writer that runs
 * writeback_delay_ms after a page is dirtied or a view goes. A flush writes a
 * range at once, mapped or not.
 *
 * Invariant that makes reclaim safe: a page is clean only when its bytes are
 * in the file. Reclaim drops clean pages and a later fault reads them back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "compat.h"
#include "sections.h"

static unsigned int writeback_delay_ms = 3000;
module_param(writeback_delay_ms, uint, 0644);
MODULE_PARM_DESC(writeback_delay_ms,
		 "Delay before dirty pages whose share count reached zero are written (ms)");

static unsigned int max_dirty_percent = 10;
module_param(max_dirty_percent, uint, 0644);
MODULE_PARM_DESC(max_dirty_percent,
		 "Dirty pages of file-backed sections, in percent of RAM, above which views are trimmed (1-100)");

/*
 * Dirty pages of all file-backed sections. Pages still mapped cannot be
 * written (NT's rule), so nothing bounds them but trimming, as NT's working
 * set manager does: above max_dirty_percent of RAM the writers take mapped
 * dirty pages out of their views (their share count drops to zero), write
 * them, and stop at three quarters of the limit; a process dirtying a page
 * meanwhile waits a little for them, as balance_dirty_pages() makes writers
 * of ordinary files wait. Below the limit reclaim still trims pages on its
 * own: a shrinker counts the dirty pages and starts the writers, and reclaim
 * frees the pages once they are clean.
 */
static atomic_long_t nr_dirty = ATOMIC_LONG_INIT(0);
/*
 * Of those, the pages of control areas whose write-back fails (a file that
 * returns EIO or ENOSPC, or was made immutable): they cannot be written, so
 * they neither count towards the others' limit nor make the writers trim;
 * each such control area is bounded on its own (sections_dirty_refused()).
 */
static atomic_long_t nr_failing = ATOMIC_LONG_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(dirty_wait);
static struct shrinker *dirty_shrinker;
static struct work_struct kick_all_work;
/* Reclaim calls the shrinker in bursts: one kick per KICK_INTERVAL is enough. */
#define KICK_INTERVAL (HZ / 10)
static unsigned long last_kick;
/* For KCOV: the last task that asked for kick_all_work (see struct sections_control). */
static typeof(kcov_common_handle()) kick_all_kcov;
/* The longest a page fault waits for the writers, as balance_dirty_pages()'s pause. */
#define THROTTLE_MAX (HZ / 5)

static unsigned long dirty_limit(void)
{
	unsigned int pct = clamp(READ_ONCE(max_dirty_percent), 1U, 100U);

	/* At least 1 MiB, so that a tiny guest still defers some writes. */
	return max(totalram_pages() / 100 * pct, 256UL);
}

/*
 * The dirty pages the writers can write. Failing pages count apart only up to
 * twice the dirty limit: a control area brings all its dirty pages with it
 * when it starts failing, and one user's failing pages stop at about one
 * and a half times the limit (sections_dirty_refused()), so no one user's
 * failing files throttle the others; past it (users together, or what that
 * bound does not see) they throttle everyone, as any dirty pages do.
 */
static long nr_writable(void)
{
	return atomic_long_read(&nr_dirty) -
	       min(atomic_long_read(&nr_failing), 2 * (long)dirty_limit());
}

static bool over_dirty_limit(void)
{
	return nr_writable() > (long)dirty_limit();
}

static bool over_trim_target(void)
{
	return nr_writable() > (long)(dirty_limit() / 4 * 3);
}

/* Count @n more (or fewer) dirty pages of @ca. Any context: a bio completion dirties. */
static void dirty_add(struct sections_control *ca, long n)
{
	unsigned long flags;

	spin_lock_irqsave(&ca->count_lock, flags);
	atomic_long_add(n, &ca->nr_dirty);
	if (ca->write_failing) {
		atomic_long_add(n, &nr_failing);
		if (ca->user)
			sections_user_failing_add(ca->user, n);
	}
	spin_unlock_irqrestore(&ca->count_lock, flags);
	atomic_long_add(n, &nr_dirty);
}

/* The last write-back run of @ca failed with @err (-errno), or succeeded (0). */
static void set_write_failing(struct sections_control *ca, int err)
{
	unsigned long flags;

	lockdep_assert_held(&ca->io_lock);
	spin_lock_irqsave(&ca->count_lock, flags);
	if (!ca->write_failing != !err) {
		long n = atomic_long_read(&ca->nr_dirty);

		atomic_long_add(err ? n : -n, &nr_failing);
		if (ca->user)
			sections_user_failing_add(ca->user, err ? n : -n);
	}
	WRITE_ONCE(ca->write_failing, err);
	spin_unlock_irqrestore(&ca->count_lock, flags);
}

/**
 * sections_control_set_user() - whose failing pages @ca's are
 * @ca: a control area without a user yet (@io_lock held)
 * @user: the user its writable file is opened as (sections_user_hold())
 *
 * Pages dirtied without a writable file (get_user_pages() into a read-only
 * view) fail with EBADF: if @ca is failing already, they count with @user
 * from now on.
 */
void sections_control_set_user(struct sections_control *ca, struct sections_user *user)
{
	unsigned long flags;

	lockdep_assert_held(&ca->io_lock);
	spin_lock_irqsave(&ca->count_lock, flags);
	/* sections_dirty_refused() reads it without the lock. */
	smp_store_release(&ca->user, user);
	if (ca->write_failing)
		sections_user_failing_add(user, atomic_long_read(&ca->nr_dirty));
	spin_unlock_irqrestore(&ca->count_lock, flags);
}

/* The most dirty pages a control area whose write-back fails may hold. */
static unsigned long failing_max(void)
{
	return max(dirty_limit() / 8, 256UL);
}

/*
 * The most failing dirty pages of one user's control areas before their
 * others refuse: half the dirty limit, and never below one control area's
 * own bound (a small machine's limit is below 512 pages).
 */
static unsigned long user_failing_max(void)
{
	return max(dirty_limit() / 2, failing_max());
}

/**
 * sections_dirty_refused() - whether a clean page of @ca may not be dirtied
 * @ca: the control area
 *
 * While @ca's write-back fails, the memory its dirty pages pin stays bounded:
 * past failing_max() pages, a clean page is not dirtied (the write fault
 * raises SIGBUS, a cached write fails). Pages already dirty stay, and may be
 * written again; flush and query report the error. All failing control areas
 * together refuse once they hold the dirty limit, however many files a user
 * makes fail (a FUSE server of their own answering EIO): past it, each
 * refuses as if it were at its own bound.
 *
 * A control area that starts failing takes its dirty pages with it, which no
 * refusal of failing areas sees: a user could fill file after file while it
 * writes, then make it fail. So failing pages also count for the user whose
 * credentials write-back runs with, and once theirs hold user_failing_max(),
 * that user is refused in every control area that writes as them, failing
 * or not: at most that share plus what their healthy areas held when they
 * started failing (within the dirty limit) is theirs to pin. Only that user
 * is refused: another who writes a page of the same file is not (nor
 * throttled because of it), else a user who made a shared file's control
 * area writable first could have everyone else's writes to it refused. A
 * user whose file server died is refused likewise until it answers again
 * or the failing sections are closed (their pages then lost, and reported,
 * as pages of a file that cannot be written are).
 *
 * Not bounded by this (README, limits): users who collude (a second uid
 * dirties the first one's healthy areas before they fail), and a control
 * area whose pass writes some runs and fails others (a full filesystem: a
 * sparse file's holes fail, its allocated pages take writes), which any
 * successful run turns healthy again. Both end up throttled with everyone:
 * a healthy area's pages count as dirty, and nr_writable() counts failing
 * pages past twice the dirty limit.
 *
 * Return: 0, the write-back error (-errno) that refuses it, or -EDQUOT when
 * the user's failing pages elsewhere do.
 */
int sections_dirty_refused(struct sections_control *ca)
{
	int err = READ_ONCE(ca->write_failing);
	/* Pairs with sections_control_set_user(): the entry it set is whole. */
	struct sections_user *user = smp_load_acquire(&ca->user);

	if (err && (atomic_long_read(&ca->nr_dirty) >= (long)failing_max() ||
		    atomic_long_read(&nr_failing) >= (long)dirty_limit()))
		return err;
	if (user && sections_user_failing(user) >= (long)user_failing_max() &&
	    sections_user_is_caller(user))
		return err ?: -EDQUOT;
	return 0;
}

/**
 * sections_dirty_folio() - the control inodes' ->dirty_folio
 * @mapping: a control area's mapping
 * @folio: the folio being dirtied
 *
 * Every way a section page becomes dirty comes here: a write fault
 * (->page_mkwrite), and the kernel dirtying pages it wrote through
 * get_user_pages() (O_DIRECT reads into a view, process_vm_writev(),
 * ptrace), which no fault of ours sees. Counting here keeps the dirty
 * counts exact, so they never go below zero when those pages are cleaned.
 * May be called in atomic context (bio completion): it only counts and
 * queues the writer.
 *
 * Return: true if the folio was clean before.
 */
bool sections_dirty_folio(struct address_space *mapping, struct folio *folio)
{
	struct sections_control *ca = mapping->host->i_private;

	if (!filemap_dirty_folio(mapping, folio))
		return false;
	dirty_add(ca, 1);
	/*
	 * The file reaches this far now: a cut reported earlier lowered
	 * covered, and a file grown again since (by anyone) must count as
	 * covered before this page is cut too, or that loss goes unreported.
	 * Not from an interrupt on 32-bit SMP: there i_size_read() spins
	 * until an i_size_write() it interrupted on this CPU ends.
	 */
	if (IS_ENABLED(CONFIG_64BIT) || !in_interrupt())
		sections_atomic64_raise(&ca->covered,
					min_t(s64, i_size_read(file_inode(ca->file)),
					      atomic64_read(&ca->claimed)));
	/*
	 * Teardown cancels the writer and frees the control area: a page
	 * dirtied meanwhile (an O_DIRECT read into a view completing after
	 * munmap, a re-dirtied page the final write could not write) must
	 * not arm it again. Teardown uncounts what is left.
	 */
	if (!READ_ONCE(ca->dying))
		sections_writer_kick(ca);
	return true;
}

/* A dirty page of @ca was written (or dropped). */
static void page_cleaned(struct sections_control *ca)
{
	dirty_add(ca, -1);
	if (wq_has_sleeper(&dirty_wait) && !over_dirty_limit())
		wake_up_all(&dirty_wait);
}

/* Start every writer, at most once per KICK_INTERVAL: reclaim asks in bursts. */
static void kick_all_soon(void)
{
	unsigned long now = jiffies;

	if (time_after(now, READ_ONCE(last_kick) + KICK_INTERVAL)) {
		WRITE_ONCE(last_kick, now);
		kick_all_kcov = kcov_common_handle();
		queue_work(sections_wq, &kick_all_work);
	}
}

/*
 * The cgroup holding @folio, which the dirtier is in, is short of memory
 * (memcg.c): once @ca holds a part of the cgroup's limit dirty, its writer
 * trims and writes the cgroup's pages of @ca while the dirtier waits for it,
 * at most THROTTLE_MAX. One cgroup at a time per control area: a dirtier
 * that finds another cgroup's pass asked for does not wait for it.
 */
static void memcg_throttle(struct sections_control *ca, struct folio *folio)
{
	struct mem_cgroup *memcg;
	unsigned long limit, flags;
	bool asked = false;

	if (time_before(jiffies, READ_ONCE(ca->trim_memcg_quiet)))
		return;
	memcg = sections_memcg_short(folio, &limit);
	if (!memcg)
		return;
	if (atomic_long_read(&ca->nr_dirty) >= (long)(limit / SECTIONS_MEMCG_TRIM_PART)) {
		spin_lock_irqsave(&ca->count_lock, flags);
		if (!ca->trim_memcg || ca->trim_memcg == memcg) {
			asked = true;
			if (!ca->trim_memcg)
				swap(ca->trim_memcg, memcg);
		}
		spin_unlock_irqrestore(&ca->count_lock, flags);
	}
	if (memcg)
		sections_memcg_put(memcg);
	if (!asked)
		return;
	mod_delayed_work(sections_wq, &ca->writer, 0);
	wait_event_killable_timeout(dirty_wait, !READ_ONCE(ca->trim_memcg), THROTTLE_MAX);
}

/**
 * sections_dirty_throttle() - wait while file-backed sections hold too many dirty pages
 * @ca: the control area of @folio
 * @folio: the page about to be dirtied (a reference held, unlocked)
 *
 * Called before a page is dirtied through a view, without locks of ours.
 * Above the global dirty limit, starts every writer (they trim) and waits
 * for them at most THROTTLE_MAX, so a writer that cannot make progress
 * (write errors) slows the faulting process down but never hangs it. Then
 * does the same for the cgroup holding @folio, if it is short of memory.
 */
void sections_dirty_throttle(struct sections_control *ca, struct folio *folio)
{
	if (over_dirty_limit()) {
		kick_all_kcov = kcov_common_handle();
		queue_work(sections_wq, &kick_all_work);
		wait_event_killable_timeout(dirty_wait, !over_dirty_limit(), THROTTLE_MAX);
	}
	memcg_throttle(ca, folio);
}

static unsigned long dirty_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	return max(nr_writable(), 0L) ?: SHRINK_EMPTY;
}

/*
 * Reclaim trims mapped dirty pages (their share count drops to zero) but
 * cannot write them: only the writers can. Start them now; reclaim frees the
 * pages once they are clean.
 */
static unsigned long dirty_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	kick_all_soon();
	return SHRINK_STOP;
}

static void kick_all(struct work_struct *work)
{
	kcov_remote_start_common(kick_all_kcov);
	sections_controls_kick_all();
	kcov_remote_stop();
}

int __init sections_writeback_init(void)
{
	last_kick = jiffies - KICK_INTERVAL - 1;
	INIT_WORK(&kick_all_work, kick_all);
	dirty_shrinker = sections_shrinker_create(dirty_count, dirty_scan);
	return dirty_shrinker ? 0 : -ENOMEM;
}

/* Before sections_wq goes. */
void sections_writeback_exit(void)
{
	sections_shrinker_destroy(dirty_shrinker);
	cancel_work_sync(&kick_all_work);
}

/*
 * A run of contiguous dirty folios under writeback, written to the file with
 * one kernel_write(): the file's locks, its timestamps and its write path are
 * taken once per run, not once per page. The folios are not locked while the
 * file's write path runs: it takes i_rwsem, and a write() of the file from a
 * view of it holds i_rwsem while it faults on the view's pages, which takes
 * their folio locks. PG_writeback keeps a folio in the mapping (reclaim,
 * migration and truncation wait for it); a write through a view meanwhile
 * dirties it again (nothing here needs stable pages), and the bytes written
 * may be a mix of old and new, as with any writeback of a mapped page: the
 * page is written again later.
 *
 * A run is up to 4 MiB: the direct write of a run waits for its I/O before
 * the next run is taken. In the bench (6.12 guest, 64 MiB), a durable flush
 * took 1.59 times msync(MS_SYNC) of the same bytes with runs of 256 KiB,
 * 0.80-1.31 with 2 MiB, 0.95 with 4 MiB and 0.91-0.93 with 8 MiB (the lazy
 * write-back against pwrite(): 1.62, 0.85-1.26, 0.88-0.94, 0.82-1.10); 4 MiB
 * keeps the pages under writeback at once, and the arrays, small. The page
 * array is allocated per write-back; when that fails, write-back goes on in
 * runs of WB_RUN_PAGES_MIN pages from the stack.
 */
#define WB_RUN_PAGES		1024
#define WB_RUN_PAGES_MIN	16

struct wb_run {
	struct page **pages;
	unsigned int nr_pages;
	unsigned int max_pages;
};

static pgoff_t run_next_index(const struct wb_run *run)
{
	return page_folio(run->pages[0])->index + run->nr_pages;
}

static bool run_takes(const struct wb_run *run, struct folio *folio)
{
	return !run->nr_pages ||
	       (folio->index == run_next_index(run) &&
		run->nr_pages + folio_nr_pages(folio) <= run->max_pages);
}

/* Add @folio (prepared, under writeback): the run holds a reference until it is written. */
static void run_add(struct wb_run *run, struct folio *folio)
{
	long i;

	/* Control areas hold order-0 folios only (no large folios in their mapping). */
	VM_WARN_ON_ONCE_FOLIO(folio_test_large(folio), folio);
	folio_get(folio);
	for (i = 0; i < folio_nr_pages(folio); i++)
		run->pages[run->nr_pages++] = folio_page(folio, i);
}

/*
 * Write @len bytes at @kaddr to @file at *@pos. Return the bytes written;
 * when short, *@err says why (-EIO if the file gave no reason).
 */
static size_t write_bytes(struct file *file, void *kaddr, size_t len, loff_t *pos, int *err)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = kernel_write(file, kaddr + done, len - done, pos);
		if (n <= 0) {
			*err = n ?: -EIO;
			break;
		}
		done += n;
	}
	return done;
}

/*
 * Of @len bytes at @pos, those still inside the file, whose size is read
 * again before each write: a cut while a run is written (by ftruncate(),
 * which takes i_rwsem between two of the run's writes) ends the run there.
 * A write that started after the cut would grow the file back with the
 * section's bytes and undo the cut. *@isize keeps the least size seen: a
 * file growing meanwhile gets no more of the run (its next write-back
 * writes it). A cut between this read and the file's own locking in the
 * write still loses that race, as it does against a write(2): the write
 * grows the file back to its own end, a hole before it. That is no rare
 * window: an ftruncate() that waited for i_rwsem through the last write runs
 * as it is released. Nothing a module can take orders the two, since the
 * write takes i_rwsem itself and truncation holds it while it waits (for
 * direct I/O, page locks and writeback): the loss is bounded to one write
 * (WB_MAP_PAGES pages through the page cache, a run by direct I/O).
 */
static size_t within_file(struct file *file, loff_t pos, size_t len, loff_t *isize)
{
	loff_t now = i_size_read(file_inode(file));

	if (now < *isize)
		*isize = now;
	if (pos >= *isize)
		return 0;
	return min_t(loff_t, len, *isize - pos);
}

/*
 * vm_map_ram() maps up to VMAP_MAX_ALLOC (BITS_PER_LONG) pages from per-CPU
 * blocks; a larger range takes the global vmap area allocator and, on its
 * lazy purge, TLB flushes on every CPU.
 */
#define WB_MAP_PAGES BITS_PER_LONG

/*
 * Write @len bytes of the run, from its page @first on, to @file at @pos, as
 * write_bytes() does, no further than the file's end (within_file()) before
 * each write. Mapping WB_MAP_PAGES pages into one virtual range lets
 * a single kernel_write() take them all; once that mapping fails, the rest of
 * the run goes page by page (a failed map may have purged the lazy vmap
 * areas, flushing every CPU's TLB: not once per page).
 */
static size_t run_write_bytes(struct file *file, struct wb_run *run, unsigned int first,
			      loff_t pos, size_t len, loff_t *isize, int *err)
{
	unsigned int i = first, nr;
	size_t done = 0, chunk, n;
	bool map = true;
	void *kaddr = NULL;

	while (done < len) {
		chunk = min_t(size_t, (size_t)WB_MAP_PAGES << PAGE_SHIFT, len - done);
		nr = DIV_ROUND_UP(chunk, PAGE_SIZE);
		if (map) {
			kaddr = vm_map_ram(run->pages + i, nr, NUMA_NO_NODE);
			map = kaddr;
		}
		if (!map) {
			chunk = min_t(size_t, PAGE_SIZE, chunk);
			nr = 1;
			kaddr = kmap_local_page(run->pages[i]);
		}
		/* The last thing before the write: mapping may have slept. */
		chunk = within_file(file, pos, chunk, isize);
		n = chunk ? write_bytes(file, kaddr, chunk, &pos, err) : 0;
		if (map)
			vm_unmap_ram(kaddr, nr);
		else
			kunmap_local(kaddr);
		kaddr = NULL;	/* not a vm_map_ram() range for the next chunk */
		done += n;
		if (!chunk || n < chunk)
			break;
		i += nr;
	}
	return done;
}

/*
 * Whether write-back goes to @file by direct I/O: on the filesystems whose
 * direct writes of pages that may change in flight are safe (no data
 * checksums, as btrfs keeps) and are tested here, ext4 and XFS, unless the
 * device wants stable pages during writes (integrity metadata). A write
 * through a view during the I/O dirties the page again, as with buffered
 * write-back: the bytes on disk may mix old and new until the next write.
 *
 * Not while another program maps the file itself (an mmap() of it, which is
 * what Windows calls non-cached access next to a section): a fault on that
 * mapping during the I/O brings back the page-cache page the direct write
 * has to drop after it, which the kernel then reports as EIO to every
 * fsync() of the file ("page cache invalidation failure"). Through the page
 * cache, that mapping sees the bytes written, and nothing fails.
 */
static bool write_direct_ok(struct file *file)
{
	struct super_block *sb = file_inode(file)->i_sb;

	return (file->f_mode & FMODE_CAN_ODIRECT) && !(sb->s_iflags & SB_I_STABLE_WRITES) &&
	       !mapping_stable_writes(file->f_mapping) && !mapping_mapped(file->f_mapping) &&
	       (sb->s_magic == EXT4_SUPER_MAGIC || sb->s_magic == XFS_SUPER_MAGIC);
}

/*
 * One copy of each page: write the run's whole pages among its first @len
 * bytes straight from the section's pages to the disk, by direct I/O, which
 * leaves no copy in the file's page cache (and drops the stale one there,
 * writing out first what others dirtied in the range). The file's write path
 * runs as for kernel_write(): its locks, freeze protection, set-id
 * clearing and timestamps. Return the bytes written; the caller writes the
 * rest (a partial last page, or all of it on an error, which the buffered
 * write then meets and reports) through the page cache.
 */
static size_t run_write_direct(struct file *file, struct wb_run *run, loff_t pos, size_t len,
			       loff_t *isize)
{
	unsigned int i, nr = len >> PAGE_SHIFT;
	struct bio_vec *bvec;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;

	if (!nr || !write_direct_ok(file))
		return 0;
	/*
	 * Not on the stack: the I/O goes down through the block layer from
	 * here, which reads the array but maps only the pages it names (16 KiB
	 * for a whole run: vmalloc'ed when memory is fragmented).
	 */
	bvec = kvmalloc_array(nr, sizeof(*bvec), GFP_KERNEL);
	if (!bvec)
		return 0;
	for (i = 0; i < nr; i++)
		bvec[i] = (struct bio_vec) {
			.bv_page = run->pages[i], .bv_len = PAGE_SIZE, .bv_offset = 0,
		};
	/* The allocation may have slept: a cut meanwhile ends the write sooner. */
	nr = within_file(file, pos, len, isize) >> PAGE_SHIFT;
	if (!nr) {
		kvfree(bvec);
		return 0;
	}
	iov_iter_bvec(&iter, ITER_SOURCE, bvec, nr, (size_t)nr << PAGE_SHIFT);
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	kiocb.ki_flags |= IOCB_DIRECT;
	ret = sections_iocb_iter_write(file, &kiocb, &iter);
	kvfree(bvec);
	/* Whole pages only: the buffered write picks up where this stopped. */
	return ret > 0 ? round_down(ret, PAGE_SIZE) : 0;
}

/*
 * An error that belongs to the task writing, not to the file: a flusher
 * killed mid-run (the write path stops for a fatal signal), or one whose
 * RLIMIT_FSIZE is below the offset (EFBIG: write-back never writes past the
 * file's end, so only the writer's own limit gives it). The pages are dirty
 * again; the error is the flusher's alone, not one to report to the next
 * flush or query. In a kworker neither can happen.
 */
static bool flusher_own_error(int err)
{
	if (current->flags & PF_KTHREAD)
		return false;
	return (err == -EINTR && fatal_signal_pending(current)) || err == -EFBIG;
}

/*
 * Keep @err for every section's next flush and query (errseq_t), and in the
 * file's own error state, so that fsync() of the file reports it too, to
 * each file description once: the data did not reach the file then (it may
 * later, the page staying dirty, unless the error is a loss).
 */
static void write_error(struct sections_control *ca, int err)
{
	errseq_set(&ca->wb_err, err);
	/*
	 * The file's errseq only, not mapping_set_error(): that would also set
	 * the filesystem's (every syncfs() on it would fail, at the will of
	 * anyone who can cut a file of their own) and AS_EIO, which the next
	 * direct write would meet and consume.
	 */
	errseq_set(&ca->file->f_mapping->wb_err, err);
}

/*
 * Bytes of the run's dirty pages, from @start, that lie past the file's end
 * @isize but inside a section: someone cut the file below them (a section
 * keeps its file at least its size: creates grow it, and the native
 * SetEndOfFile refuses), and they are lost as truncation loses them. True if
 * there are. Only sizes the file is known to have reached count (@covered,
 * read before @isize: a file growing meanwhile is not cut): between a
 * create's raising of the control area's size and its growing of the file,
 * the file is short but not cut, and bytes past the largest section's end
 * (in the page that holds it) are no section's. Nor is a cut made after
 * the last section went (@ca->final_size) a loss. Whole pages past the end
 * and inside the sections (@claimed, read before @isize: it is raised only
 * once the file has reached it) are lost however often they are cut: each
 * is a loss (a page can be dirtied past the end through get_user_pages()
 * or a write fault that raced the cut). Once reported, the page that holds
 * the end is not reported again. A cut inside a dirty page counts whether or
 * not the bytes past it are the ones written: dirtiness is known per page,
 * not per byte, and reporting a loss that did not happen beats hiding one
 * that did.
 */
static bool run_cut(struct sections_control *ca, struct wb_run *run, loff_t start, loff_t isize,
		    loff_t claimed, loff_t covered)
{
	loff_t end = start + ((loff_t)run->nr_pages << PAGE_SHIFT);
	loff_t floor = atomic64_read(&ca->final_size);

	/* Whole pages past the end: whatever an earlier report lowered covered to. */
	if (min(end, claimed) > max3(start, round_up(isize, PAGE_SIZE), floor))
		return true;
	/* Bytes of the page that holds the end. */
	return min3(end, claimed, covered) > max3(start, isize, floor);
}

/*
 * Write the run and end it. Bytes past the file's end are dropped, as
 * truncation does; if the file was cut below bytes of a section, the loss
 * is reported (ENXIO) to the next flush, to query and to fsync() of the
 * file. A folio not written in full is dirtied again and the error kept, so
 * nothing is lost.
 */
static int run_end(struct sections_control *ca, struct wb_run *run, unsigned long *written)
{
	loff_t start = folio_pos(page_folio(run->pages[0])), end = LLONG_MAX, isize = 0;
	loff_t claimed = 0, covered = 0;
	struct file *wfile = ca->wfile;
	const struct cred *old_cred;
	size_t len = 0, done;
	bool cut = false;
	unsigned int i, nofs;
	int err = 0;

	lockdep_assert_held(&ca->io_lock);
	if (!wfile) {
		err = -EBADF;
		end = start;
	} else if (IS_APPEND(file_inode(wfile)) || IS_IMMUTABLE(file_inode(wfile))) {
		/* Made append-only or immutable (chattr) after the section was. */
		err = -EPERM;
		end = start;
	} else {
		/*
		 * Growth raises the file's size, then claimed and covered
		 * (cmpxchgs, which order them): read them the other way round.
		 */
		claimed = atomic64_read(&ca->claimed);
		covered = atomic64_read(&ca->covered);
		smp_rmb();	/* pairs with the cmpxchgs that raise them */
		isize = i_size_read(file_inode(wfile));
		/*
		 * Seen longer (grown by anyone, or again after a cut was
		 * reported): it covers that much, up to the sections' end.
		 */
		if (isize > covered)
			sections_atomic64_raise(&ca->covered, min(isize, claimed));
		len = start < isize ?
		      min_t(loff_t, (loff_t)run->nr_pages << PAGE_SHIFT, isize - start) : 0;
		/*
		 * As the user who made the section writable on this file: a
		 * write(2) by them would drop set-id bits, obey their quota and
		 * not use the blocks reserved for root. A kworker has every
		 * capability; so may a flusher who is not that user.
		 */
		old_cred = override_creds(wfile->f_cred);
		/*
		 * No reclaim into filesystems while the run is under writeback:
		 * memcg v1 reclaim waits for PG_writeback on folios it finds
		 * again (shrink_folio_list()), and would wait for these.
		 */
		nofs = memalloc_nofs_save();
		done = run_write_direct(wfile, run, start, len, &isize);
		if (done < len)
			done += run_write_bytes(wfile, run, done >> PAGE_SHIFT, start + done,
						len - done, &isize, &err);
		memalloc_nofs_restore(nofs);
		revert_creds(old_cred);
		/* Cut while it was written: what lies past the cut is not to be. */
		len = start < isize ? min_t(loff_t, len, isize - start) : 0;
		/* Everything before @end reached the file (or lies past its end). */
		if (done < len)
			end = start + done;
		else if (run_cut(ca, run, start, isize, claimed, covered))
			cut = true;
	}

	for (i = 0; i < run->nr_pages; i += folio_nr_pages(page_folio(run->pages[i]))) {
		struct folio *folio = page_folio(run->pages[i]);

		if (folio_pos(folio) + folio_size(folio) <= end) {
			folio_end_writeback(folio);
			*written += folio_nr_pages(folio);
		} else {
			/*
			 * Not written: dirty again before writeback ends. Not
			 * under the folio lock: migration holds it while it waits
			 * for writeback to end. PG_writeback keeps truncation out
			 * (this mapping is truncated at teardown, and past a cut
			 * by SetEndOfFile, which holds io_lock).
			 */
			folio_mark_dirty(folio);
			folio_end_writeback(folio);
		}
		folio_put(folio);
	}
	run->nr_pages = 0;
	if (err && !flusher_own_error(err)) {
		write_error(ca, err);
		set_write_failing(ca, err);
	} else if (!err && len) {
		/* The file takes writes again. */
		set_write_failing(ca, 0);
	}
	if (cut) {
		pr_warn_ratelimited("dirty pages past the end of a cut file were dropped (inode %llu)\n",
				    (unsigned long long)file_inode(wfile)->i_ino);
		write_error(ca, -ENXIO);
		/*
		 * Reported once: the file covers @isize now, and the next
		 * write-back of the page holding its end is no loss. A create
		 * that grew the file meanwhile made covered bigger (the
		 * cmpxchg fails); one that found it long enough may not have:
		 * then the next write-back sees the file longer and raises
		 * covered again, and only a cut before it goes unreported.
		 */
		atomic64_try_cmpxchg(&ca->covered, &covered, isize);
	}
	return err;
}

/*
 * Trim @folio (locked) from every view that maps it: its share count drops
 * to zero and it may be written. False when trimming has gone far enough.
 */
static bool trim_folio(struct address_space *mapping, struct folio *folio)
{
	if (!over_trim_target())
		return false;
	unmap_mapping_pages(mapping, folio->index, folio_nr_pages(folio), false);
	return true;
}

/* Flushes run on behalf of a user (killable); the writers and teardown do not. */
static bool for_user(enum sections_wb_mode mode)
{
	return mode == SECTIONS_WB_FLUSH || mode == SECTIONS_WB_UNMAPPED;
}

/*
 * Lock the next folio for @mode and decide: 1 to write it (locked), 0 to
 * skip it (unlocked), -1 to stop (trimming has gone far enough), -EINTR to
 * stop a flush that was killed.
 */
static int folio_take(struct address_space *mapping, struct folio *folio,
		      enum sections_wb_mode mode, struct mem_cgroup *memcg)
{
	/* The lazy writer skips a page being faulted; it comes back. */
	if (mode == SECTIONS_WB_LAZY || mode == SECTIONS_WB_TRIM ||
	    mode == SECTIONS_WB_TRIM_MEMCG) {
		if (!folio_trylock(folio))
			return 0;
	} else if (for_user(mode)) {
		/* Behind a fault that waits on a hung filesystem: killably. */
		if (folio_lock_killable(folio))
			return -EINTR;
	} else {
		folio_lock(folio);
	}
	if (folio->mapping != mapping || !folio_test_dirty(folio) ||
	    (folio_mapped(folio) && (mode == SECTIONS_WB_LAZY || mode == SECTIONS_WB_UNMAPPED))) {
		folio_unlock(folio);
		return 0;
	}
	if (folio_mapped(folio) && mode == SECTIONS_WB_TRIM && !trim_folio(mapping, folio)) {
		folio_unlock(folio);
		return -1;
	}
	if (folio_mapped(folio) && mode == SECTIONS_WB_TRIM_MEMCG) {
		/* Another cgroup's page stays mapped: its share count is not zero. */
		if (!sections_memcg_holds(memcg, folio)) {
			folio_unlock(folio);
			return 0;
		}
		unmap_mapping_pages(mapping, folio->index, folio_nr_pages(folio), false);
	}
	return 1;
}

static int write_back(struct sections_control *ca, pgoff_t first, pgoff_t last,
		      enum sections_wb_mode mode, struct mem_cgroup *memcg,
		      unsigned long *written)
{
	struct address_space *mapping = ca->inode->i_mapping;
	struct folio_batch fbatch;
	struct page *stack_pages[WB_RUN_PAGES_MIN];
	struct wb_run run = {
		/* Not worth reclaim, nor vmalloc: the stack's pages do, in smaller runs. */
		.pages = kmalloc_array(WB_RUN_PAGES, sizeof(struct page *),
				       GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN),
		.max_pages = WB_RUN_PAGES,
	};
	pgoff_t index = first;
	bool stop = false;
	unsigned int i;
	int err = 0, ret, take;

	if (!run.pages) {
		run.pages = stack_pages;
		run.max_pages = WB_RUN_PAGES_MIN;
	}
	/* A flush waits for the writer on behalf of a user: killably. */
	if (!for_user(mode)) {
		mutex_lock(&ca->io_lock);
	} else if (mutex_lock_killable(&ca->io_lock)) {
		err = -EINTR;
		goto out;
	}
	folio_batch_init(&fbatch);
	while (!stop && index <= last &&
	       filemap_get_folios_tag(mapping, &index, last, PAGECACHE_TAG_DIRTY, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			/*
			 * Never one (control_alloc() keeps THP collapse out):
			 * a run's page array has room for order-0 folios only.
			 */
			if (unlikely(folio_test_large(folio))) {
				pr_warn_once("a large folio in a control area is left unwritten\n");
				/* Not a success: the flush that meets it fails. */
				err = err ?: -EIO;
				continue;
			}
			/* A gap ends the run: write it before locking more. */
			if (!run_takes(&run, folio)) {
				ret = run_end(ca, &run, written);
				err = err ?: ret;
			}
			take = folio_take(mapping, folio, mode, memcg);
			if (take < 0) {
				if (take == -EINTR)
					err = err ?: -EINTR;
				stop = true;
				break;
			}
			if (!take)
				continue;
			/*
			 * folio_clear_dirty_for_io() does not clean the PTEs of a
			 * mapping that cannot write back: do it here.
			 */
			if (folio_mapped(folio))
				folio_mkclean(folio);
			if (folio_clear_dirty_for_io(folio))
				page_cleaned(ca);
			folio_start_writeback(folio);
			folio_unlock(folio);
			run_add(&run, folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
		/* A flush is on behalf of a user: let a fatal signal end it. */
		if (for_user(mode) && fatal_signal_pending(current)) {
			err = err ?: -EINTR;
			break;
		}
	}
	if (run.nr_pages) {
		ret = run_end(ca, &run, written);
		err = err ?: ret;
	}
	mutex_unlock(&ca->io_lock);
out:
	if (run.pages != stack_pages)
		kfree(run.pages);
	return err;
}

/**
 * sections_write_back() - write dirty pages of a control area to its file
 * @ca: the control area
 * @first: first page index
 * @last: last page index (inclusive)
 * @mode: SECTIONS_WB_LAZY skips pages that are still mapped; TRIM takes
 *	mapped pages out of their views first, until the dirty pages are well
 *	below the limit; TRIM_MEMCG (the writer's alone) trims a cgroup's pages;
 *	FLUSH writes mapped pages too, write-protecting them
 *	first so the next write dirties them again; UNMAPPED writes every
 *	page no view maps (FlushFileBuffers); FINAL is used at teardown,
 *	when nothing is mapped
 *
 * A page that fails to write stays dirty and the error is kept for the next
 * flush and for query.
 *
 * Return: 0 or the first write error of this call.
 */
int sections_write_back(struct sections_control *ca, pgoff_t first, pgoff_t last,
			enum sections_wb_mode mode)
{
	unsigned long written = 0;

	return write_back(ca, first, last, mode, NULL, &written);
}

/**
 * sections_clean_from() - clean the dirty pages of @ca from page @first on
 * @ca: the control area (io_lock held: no run of the writer is in flight)
 * @first: the first page
 * @remove: remove each page from the control area, too
 *
 * For pages whose bytes are not to reach the file: truncation cancels a
 * dirty bit without uncounting the page, so they are uncounted here first.
 * Every page is locked, not only those tagged dirty: a cached write that
 * found the page inside the control area before it shrank holds the lock
 * until it has dirtied it. With @remove, each page goes in the same hold of
 * its lock: a page pinned earlier (an O_DIRECT read into an old view) and
 * dirtied later finds it out of the mapping, and is never counted.
 *
 * Return: how many were dirty.
 */
unsigned long sections_clean_from(struct sections_control *ca, pgoff_t first, bool remove)
{
	struct address_space *mapping = ca->inode->i_mapping;
	struct folio_batch fbatch;
	unsigned long cleaned = 0;
	pgoff_t index = first;
	unsigned int i;

	lockdep_assert_held(&ca->io_lock);
	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &index, ULONG_MAX, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			folio_lock(folio);
			if (folio->mapping == mapping) {
				if (folio_clear_dirty_for_io(folio)) {
					page_cleaned(ca);
					cleaned++;
				}
				if (remove)
					sections_remove_folio(mapping, folio);
			}
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return cleaned;
}

/*
 * Teardown, after the final write-back: pages that still could not be written
 * are lost with the control area. Say so, and stop counting them.
 */
void sections_drop_dirty(struct sections_control *ca)
{
	struct address_space *mapping = ca->inode->i_mapping;
	unsigned long lost;
	long late;

	mutex_lock(&ca->io_lock);
	lost = sections_clean_from(ca, 0, false);
	mutex_unlock(&ca->io_lock);
	/*
	 * No page stays behind a control area: a page dirtied after the loop
	 * (see sections_dirty_folio()) was counted, and truncation cancels its
	 * dirty bit without uncounting it; uncount what is left here. After
	 * truncation no folio of this mapping can be dirtied any more.
	 */
	truncate_inode_pages(mapping, 0);
	mutex_lock(&ca->io_lock);
	set_write_failing(ca, 0);
	mutex_unlock(&ca->io_lock);
	late = atomic_long_read(&ca->nr_dirty);
	dirty_add(ca, -late);
	lost += late;
	if (lost) {
		pr_err_ratelimited("%lu dirty pages could not be written to their file (error %d)\n",
				   lost, errseq_check(&ca->wb_err, 0));
		/* fsync() of the file reports the loss too, as for a page cache write error. */
		write_error(ca, errseq_check(&ca->wb_err, 0) ?: -EIO);
	}
}

/**
 * section_write_error() - a write-back error @sec has not reported yet
 * @sec: a file-backed section
 * @advance: a flush reports it (and will not again); a query only peeks
 *
 * Every section of the file sees each error once, whoever flushed first, as
 * every file description of a file does (errseq_t).
 *
 * Return: the error (-errno), or 0.
 */
int section_write_error(struct section *sec, bool advance)
{
	struct sections_control *ca = sec->control;
	int err;

	if (!advance)
		return errseq_check(&ca->wb_err, READ_ONCE(sec->wb_seen));
	spin_lock(&sec->wb_seen_lock);
	err = errseq_check_and_advance(&ca->wb_err, &sec->wb_seen);
	spin_unlock(&sec->wb_seen_lock);
	return err;
}

void sections_writer_kick(struct sections_control *ca)
{
	queue_delayed_work(sections_wq, &ca->writer, msecs_to_jiffies(writeback_delay_ms));
}

/*
 * A cgroup short of memory asked @ca's writer (memcg_throttle()): trim its
 * pages of @ca from their views and write them, with every unmapped one.
 * Return: whether it did.
 */
static bool write_back_memcg(struct sections_control *ca, unsigned long *written)
{
	unsigned long flags, before = *written;
	struct mem_cgroup *memcg;

	spin_lock_irqsave(&ca->count_lock, flags);
	memcg = ca->trim_memcg;
	spin_unlock_irqrestore(&ca->count_lock, flags);
	if (!memcg)
		return false;
	/* Its errors are kept for the next flush and query by run_end(). */
	write_back(ca, 0, ULONG_MAX, SECTIONS_WB_TRIM_MEMCG, memcg, written);
	/* The dirty pages were other cgroups' (still mapped): stop asking for a while. */
	if (*written == before)
		WRITE_ONCE(ca->trim_memcg_quiet, jiffies + HZ);
	spin_lock_irqsave(&ca->count_lock, flags);
	ca->trim_memcg = NULL;
	spin_unlock_irqrestore(&ca->count_lock, flags);
	sections_memcg_put(memcg);
	wake_up_all(&dirty_wait);
	return true;
}

/*
 * The lazy writer. Pages still mapped, or that failed, are tried again later;
 * at once while the dirty pages are over the limit and this pass wrote some.
 */
void sections_writer_work(struct work_struct *work)
{
	struct sections_control *ca = container_of(to_delayed_work(work),
						   struct sections_control, writer);
	enum sections_wb_mode mode = over_dirty_limit() ? SECTIONS_WB_TRIM : SECTIONS_WB_LAZY;
	unsigned long written = 0;

	kcov_remote_start_common(ca->kcov_handle);
	if (!write_back_memcg(ca, &written))
		write_back(ca, 0, ULONG_MAX, mode, NULL, &written);
	if (written && over_dirty_limit())
		mod_delayed_work(sections_wq, &ca->writer, 0);
	else if (mapping_tagged(ca->inode->i_mapping, PAGECACHE_TAG_DIRTY))
		sections_writer_kick(ca);
	kcov_remote_stop();
}

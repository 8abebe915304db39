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
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
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
static DECLARE_WAIT_QUEUE_HEAD(dirty_wait);
static struct shrinker *dirty_shrinker;
static struct work_struct kick_all_work;
/* Reclaim calls the shrinker in bursts: one kick per KICK_INTERVAL is enough. */
#define KICK_INTERVAL (HZ / 10)
static unsigned long last_kick;
/* The longest a page fault waits for the writers, as balance_dirty_pages()'s pause. */
#define THROTTLE_MAX (HZ / 5)

static unsigned long dirty_limit(void)
{
	unsigned int pct = clamp(READ_ONCE(max_dirty_percent), 1U, 100U);

	/* At least 1 MiB, so that a tiny guest still defers some writes. */
	return max(totalram_pages() / 100 * pct, 256UL);
}

static bool over_dirty_limit(void)
{
	return atomic_long_read(&nr_dirty) > dirty_limit();
}

static bool over_trim_target(void)
{
	return atomic_long_read(&nr_dirty) > dirty_limit() / 4 * 3;
}

/* A page of @ca became dirty. */
void sections_page_dirtied(struct sections_control *ca)
{
	atomic_long_inc(&nr_dirty);
	sections_writer_kick(ca);
}

/* A dirty page was written (or dropped). */
static void page_cleaned(void)
{
	atomic_long_dec(&nr_dirty);
	if (wq_has_sleeper(&dirty_wait) && !over_dirty_limit())
		wake_up_all(&dirty_wait);
}

/**
 * sections_dirty_throttle() - wait while file-backed sections hold too many dirty pages
 *
 * Called before a page is dirtied through a view, without locks of ours. Starts
 * every writer (they trim above the limit) and waits for them at most
 * THROTTLE_MAX, so a writer that cannot make progress (write errors) slows
 * the faulting process down but never hangs it.
 */
void sections_dirty_throttle(void)
{
	if (!over_dirty_limit())
		return;
	queue_work(sections_wq, &kick_all_work);
	wait_event_killable_timeout(dirty_wait, !over_dirty_limit(), THROTTLE_MAX);
}

static unsigned long dirty_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	return atomic_long_read(&nr_dirty) ?: SHRINK_EMPTY;
}

/*
 * Reclaim trims mapped dirty pages (their share count drops to zero) but
 * cannot write them: only the writers can. Start them now; reclaim frees the
 * pages once they are clean.
 */
static unsigned long dirty_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	unsigned long now = jiffies;

	if (time_after(now, READ_ONCE(last_kick) + KICK_INTERVAL)) {
		WRITE_ONCE(last_kick, now);
		queue_work(sections_wq, &kick_all_work);
	}
	return SHRINK_STOP;
}

static void kick_all(struct work_struct *work)
{
	sections_controls_kick_all();
}

int sections_writeback_init(void)
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

/* Write one locked folio to @file. Bytes past the file's end are dropped, as truncation does. */
static int write_folio(struct file *file, struct folio *folio)
{
	loff_t pos = folio_pos(folio);
	loff_t isize = i_size_read(file_inode(file));
	size_t len, done = 0;
	ssize_t n = 0;
	void *kaddr;

	if (pos >= isize)
		return 0;
	len = min_t(loff_t, folio_size(folio), isize - pos);
	kaddr = kmap_local_folio(folio, 0);
	while (done < len) {
		n = kernel_write(file, kaddr + done, len - done, &pos);
		if (n <= 0)
			break;
		done += n;
	}
	kunmap_local(kaddr);
	if (n < 0)
		return n;
	return done < len ? -EIO : 0;
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

static int write_back(struct sections_control *ca, pgoff_t first, pgoff_t last,
		      enum sections_wb_mode mode, unsigned long *written)
{
	struct address_space *mapping = ca->inode->i_mapping;
	struct folio_batch fbatch;
	pgoff_t index = first;
	bool stop = false;
	unsigned int i;
	int err = 0, ret;

	mutex_lock(&ca->io_lock);
	folio_batch_init(&fbatch);
	while (!stop && index <= last &&
	       filemap_get_folios_tag(mapping, &index, last, PAGECACHE_TAG_DIRTY, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];
			bool lazy = mode == SECTIONS_WB_LAZY || mode == SECTIONS_WB_TRIM;

			/* The lazy writer skips a page being faulted; it comes back. */
			if (!lazy)
				folio_lock(folio);
			else if (!folio_trylock(folio))
				continue;
			if (folio->mapping != mapping || !folio_test_dirty(folio)) {
				folio_unlock(folio);
				continue;
			}
			if (folio_mapped(folio) && mode == SECTIONS_WB_LAZY) {
				folio_unlock(folio);
				continue;
			}
			if (folio_mapped(folio) && mode == SECTIONS_WB_TRIM &&
			    !trim_folio(mapping, folio)) {
				folio_unlock(folio);
				stop = true;
				break;
			}
			/*
			 * folio_clear_dirty_for_io() does not clean the PTEs of a
			 * mapping that cannot write back: do it here.
			 */
			if (folio_mapped(folio))
				folio_mkclean(folio);
			if (folio_clear_dirty_for_io(folio))
				page_cleaned();
			folio_start_writeback(folio);
			ret = ca->wfile ? write_folio(ca->wfile, folio) : -EBADF;
			folio_end_writeback(folio);
			if (ret) {
				if (folio_mark_dirty(folio))
					atomic_long_inc(&nr_dirty);
				if (!ca->wb_error)
					WRITE_ONCE(ca->wb_error, ret);
				if (!err)
					err = ret;
			} else {
				*written += folio_nr_pages(folio);
			}
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	mutex_unlock(&ca->io_lock);
	return err;
}

/**
 * sections_write_back() - write dirty pages of a control area to its file
 * @ca: the control area
 * @first: first page index
 * @last: last page index (inclusive)
 * @mode: SECTIONS_WB_LAZY skips pages that are still mapped; TRIM takes
 *	mapped pages out of their views first, until the dirty pages are well
 *	below the limit; FLUSH writes mapped pages too, write-protecting them
 *	first so the next write dirties them again; FINAL is used at teardown,
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

	return write_back(ca, first, last, mode, &written);
}

/*
 * Teardown, after the final write-back: pages that still could not be written
 * are lost with the control area. Say so, and stop counting them.
 */
void sections_drop_dirty(struct sections_control *ca)
{
	struct address_space *mapping = ca->inode->i_mapping;
	struct folio_batch fbatch;
	unsigned long lost = 0;
	pgoff_t index = 0;
	unsigned int i;

	folio_batch_init(&fbatch);
	while (filemap_get_folios_tag(mapping, &index, ULONG_MAX, PAGECACHE_TAG_DIRTY, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			folio_lock(folio);
			if (folio_clear_dirty_for_io(folio)) {
				page_cleaned();
				lost++;
			}
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
	}
	if (lost)
		pr_err("sections: %lu dirty pages could not be written to their file (error %d)\n",
		       lost, ca->wb_error);
}

/*
 * The first unreported write error (-errno, or 0), optionally cleared. A
 * query only peeks, without waiting for a writer that holds io_lock.
 */
int sections_write_error(struct sections_control *ca, bool clear)
{
	int err;

	if (!clear)
		return READ_ONCE(ca->wb_error);
	mutex_lock(&ca->io_lock);
	err = ca->wb_error;
	ca->wb_error = 0;
	mutex_unlock(&ca->io_lock);
	return err;
}

void sections_writer_kick(struct sections_control *ca)
{
	queue_delayed_work(sections_wq, &ca->writer, msecs_to_jiffies(writeback_delay_ms));
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

	write_back(ca, 0, ULONG_MAX, mode, &written);
	if (written && over_dirty_limit())
		mod_delayed_work(sections_wq, &ca->writer, 0);
	else if (mapping_tagged(ca->inode->i_mapping, PAGECACHE_TAG_DIRTY))
		sections_writer_kick(ca);
}

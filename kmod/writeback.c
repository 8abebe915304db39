// SPDX-License-Identifier: GPL-2.0
/*
 * Write-back of file-backed sections, NT's rule: a dirty page is written to
 * its file only once its share count is zero (its last mapping went: unmap,
 * exit, kill, or trimming by reclaim), and then lazily, by a writer that runs
 * writeback_delay_ms after a page is dirtied or a view goes. A flush writes a
 * range at once, mapped or not.
 *
 * Invariant that makes reclaim safe: a page is clean only when its bytes are
 * in the file. Reclaim drops clean pages and a later fault reads them back.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>

#include "compat.h"
#include "sections.h"

static unsigned int writeback_delay_ms = 3000;
module_param(writeback_delay_ms, uint, 0644);
MODULE_PARM_DESC(writeback_delay_ms,
		 "Delay before dirty pages whose share count reached zero are written (ms)");

/*
 * Dirty pages of all file-backed sections. Reclaim trims mapped dirty pages
 * from views (their share count drops to zero) but cannot write them: a
 * shrinker counts them and starts the writers, and reclaim frees the pages
 * once they are clean. No dirty throttling: pages still mapped cannot be
 * written (NT's rule), so making the writing process wait would not help.
 */
static atomic_long_t nr_dirty = ATOMIC_LONG_INIT(0);
static struct shrinker *dirty_shrinker;
static struct work_struct kick_all_work;
/* Reclaim calls the shrinker in bursts: one kick per KICK_INTERVAL is enough. */
#define KICK_INTERVAL (HZ / 10)
static unsigned long last_kick;

/* A page of @ca became dirty. */
void sections_page_dirtied(struct sections_control *ca)
{
	atomic_long_inc(&nr_dirty);
	sections_writer_kick(ca);
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

/**
 * sections_write_back() - write dirty pages of a control area to its file
 * @ca: the control area
 * @first: first page index
 * @last: last page index (inclusive)
 * @mode: SECTIONS_WB_LAZY skips pages that are still mapped; FLUSH writes
 *	them too, write-protecting them first so the next write dirties them
 *	again; FINAL is used at teardown, when nothing is mapped
 *
 * A page that fails to write stays dirty and the error is kept for the next
 * flush and for query.
 *
 * Return: 0 or the first write error of this call.
 */
int sections_write_back(struct sections_control *ca, pgoff_t first, pgoff_t last,
			enum sections_wb_mode mode)
{
	struct address_space *mapping = ca->inode->i_mapping;
	struct folio_batch fbatch;
	pgoff_t index = first;
	unsigned int i;
	int err = 0, ret;

	mutex_lock(&ca->io_lock);
	folio_batch_init(&fbatch);
	while (index <= last &&
	       filemap_get_folios_tag(mapping, &index, last, PAGECACHE_TAG_DIRTY, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			/* The lazy writer skips a page being faulted; it comes back. */
			if (mode != SECTIONS_WB_LAZY)
				folio_lock(folio);
			else if (!folio_trylock(folio))
				continue;
			if (folio->mapping != mapping || !folio_test_dirty(folio) ||
			    (mode == SECTIONS_WB_LAZY && folio_mapped(folio))) {
				folio_unlock(folio);
				continue;
			}
			/*
			 * folio_clear_dirty_for_io() does not clean the PTEs of a
			 * mapping that cannot write back: do it here.
			 */
			if (folio_mapped(folio))
				folio_mkclean(folio);
			if (folio_clear_dirty_for_io(folio))
				atomic_long_dec(&nr_dirty);
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
			}
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	mutex_unlock(&ca->io_lock);
	return err;
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
				atomic_long_dec(&nr_dirty);
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

/* The lazy writer. Pages still mapped, or that failed, are tried again later. */
void sections_writer_work(struct work_struct *work)
{
	struct sections_control *ca = container_of(to_delayed_work(work),
						   struct sections_control, writer);

	sections_write_back(ca, 0, ULONG_MAX, SECTIONS_WB_LAZY);
	if (mapping_tagged(ca->inode->i_mapping, PAGECACHE_TAG_DIRTY))
		sections_writer_kick(ca);
}

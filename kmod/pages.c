// SPDX-License-Identifier: GPL-2.0
/*
 * Page queries: share count, residency and dirtiness of each page of a range.
 */
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "sections.h"

/* Entries filled per walk and copied out at once: 512 bytes of stack. */
#define QUERY_BATCH 64

/*
 * Fill @n entries from page @first, in one walk of the page cache under its
 * xa_lock: a folio in the mapping cannot be removed from it (nor freed, the
 * page cache holding its reference) while the lock is held, so neither a
 * reference per page nor a walk from the root per page is needed. No folio
 * lock and no page table is touched: the folio's dirty bit is exact (every
 * view is write-notified: a write through one comes through a ->page_mkwrite
 * that dirties the folio, and write-back write-protects the page again when
 * it cleans it), and the answer is a snapshot either way. The lock is held
 * for QUERY_BATCH entries at a time, as the page cache's own tag walks do.
 */
static void query_batch(struct address_space *mapping, pgoff_t first, unsigned int n,
			struct sections_page_info *batch)
{
	XA_STATE(xas, &mapping->i_pages, first);
	pgoff_t last = first + n - 1, index, end;
	struct sections_page_info info;
	struct folio *folio;

	memset(batch, 0, n * sizeof(*batch));
	xas_lock_irq(&xas);
	xas_for_each(&xas, folio, last) {
		/* A swap or shadow entry (pagefile sections): not resident. */
		if (xa_is_value(folio))
			continue;
		/*
		 * A file-backed page not read (yet, or after a failed or
		 * abandoned readahead): no data in memory. shmem's folios
		 * that fallocate() left !uptodate are memory all the same.
		 */
		if (!folio_test_uptodate(folio) && !shmem_mapping(mapping))
			continue;
		info.share_count = sections_folio_mapcount(folio);
		info.flags = SECTIONS_PAGE_RESIDENT;
		if (folio_test_dirty(folio))
			info.flags |= SECTIONS_PAGE_DIRTY;
		/* Each page of the range a large folio covers. */
		index = max(folio->index, first);
		end = min(folio->index + folio_nr_pages(folio) - 1, last);
		for (; index <= end; index++)
			batch[index - first] = info;
	}
	xas_unlock_irq(&xas);
}

/**
 * sections_query_pages() - fill @out with the state of @count pages
 * @sec: the section (the caller has checked the range)
 * @first: first page index
 * @count: number of pages
 * @out: user array of @count entries
 *
 * Return: 0, -EFAULT, or -EINTR on a fatal signal.
 */
int sections_query_pages(struct section *sec, pgoff_t first, u64 count,
			 struct sections_page_info __user *out)
{
	struct address_space *mapping = sec->inode->i_mapping;
	struct sections_page_info batch[QUERY_BATCH];
	u64 done = 0;
	unsigned int n;

	while (done < count) {
		n = min_t(u64, count - done, QUERY_BATCH);
		query_batch(mapping, first + done, n, batch);
		if (copy_to_user(out + done, batch, n * sizeof(batch[0])))
			return -EFAULT;
		done += n;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Page queries: share count, residency and dirtiness of each page of a range.
 */
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "sections.h"

#define QUERY_BATCH 32

static void page_info(struct address_space *mapping, pgoff_t index,
		      struct sections_page_info *info)
{
	struct folio *folio = sections_get_folio(mapping, index);

	info->share_count = 0;
	info->flags = 0;
	if (!folio)
		return;
	/*
	 * No lock and no page table is touched: the folio's dirty bit is exact
	 * (every view is write-notified: a write through one comes through a
	 * ->page_mkwrite that dirties the folio, and write-back write-protects
	 * the page again when it cleans it), and the answer is a snapshot
	 * either way. A folio truncated meanwhile is no longer ours.
	 */
	if (READ_ONCE(folio->mapping) == mapping) {
		info->share_count = sections_folio_mapcount(folio);
		info->flags = SECTIONS_PAGE_RESIDENT;
		if (folio_test_dirty(folio))
			info->flags |= SECTIONS_PAGE_DIRTY;
	}
	folio_put(folio);
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
	unsigned int i, n;

	while (done < count) {
		n = min_t(u64, count - done, QUERY_BATCH);
		for (i = 0; i < n; i++)
			page_info(mapping, first + done + i, &batch[i]);
		if (copy_to_user(out + done, batch, n * sizeof(batch[0])))
			return -EFAULT;
		done += n;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups and the dirty pages of file-backed sections.
 *
 * A section's pages are charged, as any page-cache page, to the cgroup of
 * the task that faulted them in. Reclaim in that cgroup can take a dirty
 * page out of its views but cannot clean it: only our writers can (NT's
 * rule keeps it out of the kernel's flushers). A cgroup whose memory is
 * mostly our dirty pages therefore runs out of reclaimable memory and is
 * OOM-killed, where a MAP_SHARED mapping of the same file is not: the kernel
 * throttles each cgroup's dirtiers (balance_dirty_pages()'s memcg domain),
 * and that does not see our pages.
 *
 * The same remedy, done here: before a page is dirtied, if its cgroup (or an
 * ancestor) is within 1/SECTIONS_MEMCG_MARGIN of its memory.max or
 * memory.high, and the control area holds 1/SECTIONS_MEMCG_TRIM_PART of that
 * limit dirty, the control area's writer trims that cgroup's dirty pages
 * from their views and writes them at once (writeback.c), as the writers do
 * above the global dirty limit, and the dirtier waits for it a little. Clean
 * and unmapped, the pages are then the cgroup's to reclaim.
 *
 * Only inline helpers of <linux/memcontrol.h> are used: the cgroup's
 * counters are read, never changed.
 */
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/rcupdate.h>

#include "sections.h"

#ifdef CONFIG_MEMCG

/* The lower of memory.max and memory.high, in pages: PAGE_COUNTER_MAX if neither is set. */
static unsigned long memcg_limit(struct mem_cgroup *memcg)
{
	return min(READ_ONCE(memcg->memory.max), READ_ONCE(memcg->memory.high));
}

/**
 * sections_memcg_short() - the cgroup of @folio, or an ancestor, short of memory
 * @folio: a section page about to be dirtied (a reference held, unlocked)
 * @limit: set to that cgroup's limit, in pages
 *
 * Only a dirtier inside that cgroup is asked to wait for its trimming: a
 * process of another cgroup writing a shared file's page does not make the
 * module trim pages that this cgroup's processes map.
 *
 * Return: the nearest cgroup whose usage is within 1/SECTIONS_MEMCG_MARGIN of
 * its limit, with a reference (sections_memcg_put()), or NULL.
 */
struct mem_cgroup *sections_memcg_short(struct folio *folio, unsigned long *limit)
{
	struct mem_cgroup *memcg, *found = NULL;
	unsigned long lim;

	if (mem_cgroup_disabled() || !current->mm)
		return NULL;
	rcu_read_lock();
	/*
	 * Unlocked: the folio's cgroup may change under us (migration,
	 * reparenting of a dying cgroup), and page_memcg_check() reads it
	 * once; RCU keeps whichever it read alive until the tryget.
	 */
	for (memcg = page_memcg_check(folio_page(folio, 0)); memcg;
	     memcg = parent_mem_cgroup(memcg)) {
		lim = memcg_limit(memcg);
		if (lim == PAGE_COUNTER_MAX ||
		    page_counter_read(&memcg->memory) + lim / SECTIONS_MEMCG_MARGIN < lim)
			continue;
		/* A dying cgroup's pages are its parent's to reclaim. */
		if (!css_tryget(&memcg->css))
			continue;
		if (!mm_match_cgroup(current->mm, memcg)) {
			css_put(&memcg->css);
			break;
		}
		found = memcg;
		*limit = lim;
		break;
	}
	rcu_read_unlock();
	return found;
}

/**
 * sections_memcg_holds() - whether @folio is charged to @memcg or a descendant
 * @memcg: a cgroup (a reference held)
 * @folio: a section page (locked)
 */
bool sections_memcg_holds(struct mem_cgroup *memcg, struct folio *folio)
{
	struct mem_cgroup *of;
	bool holds;

	rcu_read_lock();
	of = page_memcg_check(folio_page(folio, 0));
	holds = of && mem_cgroup_is_descendant(of, memcg);
	rcu_read_unlock();
	return holds;
}

/**
 * sections_memcg_put() - drop the reference sections_memcg_short() took
 * @memcg: the cgroup
 */
void sections_memcg_put(struct mem_cgroup *memcg)
{
	css_put(&memcg->css);
}

#endif /* CONFIG_MEMCG */

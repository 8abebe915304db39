// SPDX-License-Identifier: GPL-2.0
/*
 * Share counts: how many page-table entries map each page of a section,
 * through SECTIONS_IOC_QUERY_PAGES on a handle and
 * SECTIONS_IOC_QUERY_VIEW_PAGES on a view.
 */
#define _GNU_SOURCE
#include "sections_test.h"

#define NPAGES	4
#define RES	SECTIONS_PAGE_RESIDENT
#define DIRTY	SECTIONS_PAGE_DIRTY

FIXTURE(shares) {
	int dev;
	int h;
	long ps;
};

FIXTURE_SETUP(shares)
{
	self->ps = page_size();
	set_fault_around(0);
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	self->h = sec_create(self->dev, NPAGES * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0,
			     NULL);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(shares)
{
	set_fault_around(0);
	close(self->h);
	close(self->dev);
}

/* Share count of page i of the section (-1 when the query fails). */
#define share(i) ((int)sec_page(self->h, (__u64)(i) * self->ps).share_count)
#define pflags(i) (sec_page(self->h, (__u64)(i) * self->ps).flags)

static char *map(FIXTURE_DATA(shares) *self, int prot, int flags)
{
	return sec_map(self->h, NPAGES * self->ps, prot, flags, 0);
}

/* Every entry poisoned, plus one more after count that must stay poisoned. */
static bool sentinel_intact(const struct sections_page_info *pi)
{
	return pi->share_count == POISON32 && pi->flags == POISON32;
}

TEST_F(shares, untouched)
{
	struct sections_page_info pi[NPAGES + 1];
	char *p;
	int i;

	poison_pages(pi, NPAGES + 1);
	ASSERT_EQ(0, sec_query_pages(self->h, 0, NPAGES, pi));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(0, pi[i].share_count) TH_LOG("page %d", i);
		EXPECT_EQ(0, pi[i].flags) TH_LOG("page %d", i);
	}
	EXPECT_TRUE(sentinel_intact(&pi[NPAGES]));

	/* Mapping alone touches nothing. */
	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	poison_pages(pi, NPAGES + 1);
	ASSERT_EQ(0, sec_query_pages(self->h, 0, NPAGES, pi));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(0, pi[i].share_count) TH_LOG("page %d", i);
		EXPECT_FALSE(pi[i].flags & RES) TH_LOG("page %d", i);
	}
	EXPECT_TRUE(sentinel_intact(&pi[NPAGES]));
	munmap(p, NPAGES * self->ps);
}

TEST_F(shares, read_touch)
{
	char *p;

	p = map(self, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_read(p + self->ps);
	EXPECT_EQ(1, share(1));
	EXPECT_TRUE(pflags(1) & RES);
	EXPECT_EQ(0, share(0));
	EXPECT_EQ(0, share(2));
	EXPECT_FALSE(pflags(0) & RES);
	EXPECT_EQ(0, p[self->ps]);
	munmap(p, NPAGES * self->ps);
}

TEST_F(shares, write_touch)
{
	char *p;

	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p + 2 * self->ps, 'w');
	EXPECT_EQ(1, share(2));
	EXPECT_EQ(RES | DIRTY, pflags(2) & (RES | DIRTY));
	EXPECT_EQ(0, share(3));
	EXPECT_EQ(0, pflags(3));
	munmap(p, NPAGES * self->ps);
}

/* One query over a mixed range. */
TEST_F(shares, range)
{
	struct sections_page_info pi[NPAGES + 1];
	char *p;

	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_read(p);
	touch_write(p + 2 * self->ps, 1);

	poison_pages(pi, NPAGES + 1);
	ASSERT_EQ(0, sec_query_pages(self->h, 0, NPAGES, pi));
	EXPECT_EQ(1, pi[0].share_count);
	EXPECT_TRUE(pi[0].flags & RES);
	EXPECT_EQ(0, pi[1].share_count);
	EXPECT_EQ(0, pi[1].flags);
	EXPECT_EQ(1, pi[2].share_count);
	EXPECT_EQ(RES | DIRTY, pi[2].flags);
	EXPECT_EQ(0, pi[3].share_count);
	EXPECT_EQ(0, pi[3].flags);
	EXPECT_TRUE(sentinel_intact(&pi[NPAGES]));

	/* A sub-range starts where asked. */
	poison_pages(pi, 3);
	ASSERT_EQ(0, sec_query_pages(self->h, 2 * self->ps, 2, pi));
	EXPECT_EQ(1, pi[0].share_count);
	EXPECT_EQ(RES | DIRTY, pi[0].flags);
	EXPECT_EQ(0, pi[1].share_count);
	EXPECT_TRUE(sentinel_intact(&pi[2]));
	munmap(p, NPAGES * self->ps);
}

/* An unmapped page stays resident (and dirty) with no one mapping it. */
TEST_F(shares, resident_after_unmap)
{
	char *p;

	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 'k');
	munmap(p, NPAGES * self->ps);
	EXPECT_EQ(0, share(0));
	EXPECT_EQ(RES | DIRTY, pflags(0) & (RES | DIRTY));

	p = map(self, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('k', p[0]);
	EXPECT_EQ(1, share(0));
	munmap(p, NPAGES * self->ps);
}

TEST_F(shares, two_views_one_process)
{
	char *a, *b;

	a = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, a);
	b = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, b);

	touch_write(a, 1);
	touch_read(a + self->ps);
	EXPECT_EQ(1, share(0));
	/* (a write: a read fault here is the subject of neighbours_not_counted) */
	touch_write(b, 2);
	EXPECT_EQ(2, share(0));
	EXPECT_EQ(1, share(1));
	EXPECT_EQ(0, share(2));

	munmap(a, NPAGES * self->ps);
	EXPECT_EQ(1, share(0));
	EXPECT_EQ(0, share(1));
	EXPECT_TRUE(pflags(1) & RES);
	munmap(b, NPAGES * self->ps);
	EXPECT_EQ(0, share(0));
}

/*
 * Touching one page maps that page only: pages around it that are resident
 * (and that the kernel's fault-around would map too) do not count for a view
 * that did not touch them.
 */
TEST_F(shares, neighbours_not_counted)
{
	char *a, *b;
	int i;

	a = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, a);
	for (i = 0; i < NPAGES; i++)
		touch_write(a + i * self->ps, 'a' + i);
	b = map(self, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ('b', b[self->ps]);
	EXPECT_EQ(2, share(1));
	EXPECT_EQ(1, share(0));
	EXPECT_EQ(1, share(2));
	EXPECT_EQ(1, share(3));
	munmap(b, NPAGES * self->ps);
	munmap(a, NPAGES * self->ps);
}

/*
 * fault_around=1: a read fault maps the resident neighbours too, and each
 * counts the view; off again, the next view maps only what it touches.
 */
TEST_F(shares, fault_around_counts_mapped_neighbours)
{
	char *a, *b;
	int i;

	if (kernel_fault_around_pages() < NPAGES)
		SKIP(return, "the kernel's fault-around maps fewer than %d pages", NPAGES);
	a = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, a);
	for (i = 0; i < NPAGES; i++)
		touch_write(a + i * self->ps, 'a' + i);
	ASSERT_EQ(0, set_fault_around(1));
	b = sec_map_aligned(self->h, NPAGES * self->ps, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ('c', b[2 * self->ps]);
	ASSERT_EQ(0, set_fault_around(0));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(2, share(i)) TH_LOG("page %d", i);
		EXPECT_EQ('a' + i, b[i * self->ps]);
	}
	munmap(b, NPAGES * self->ps);
	b = sec_map_aligned(self->h, NPAGES * self->ps, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ('c', b[2 * self->ps]);
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(i == 2 ? 2 : 1, share(i)) TH_LOG("off: page %d", i);
	munmap(b, NPAGES * self->ps);
	munmap(a, NPAGES * self->ps);
}

/* A second process that maps the section and touches a page. */
TEST_F(shares, two_processes)
{
	struct lockstep ls;
	char *p;
	pid_t pid;

	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 'p');
	EXPECT_EQ(1, share(0));
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *q;

		CHILD_CHECK(munmap(p, NPAGES * self->ps) == 0);
		q = map(self, PROT_READ, MAP_SHARED);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(q[0] == 'p');
		touch_read(q + 3 * self->ps);
		CHILD_CHECK(child_post(&ls, '1') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		CHILD_CHECK(munmap(q, NPAGES * self->ps) == 0);
		CHILD_CHECK(child_post(&ls, '2') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		_exit(0);
	}
	ASSERT_EQ('1', parent_wait(&ls));
	EXPECT_EQ(2, share(0));
	EXPECT_EQ(1, share(3));
	EXPECT_EQ(0, share(1));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	ASSERT_EQ('2', parent_wait(&ls));
	EXPECT_EQ(1, share(0));
	EXPECT_EQ(0, share(3));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, share(0));
	munmap(p, NPAGES * self->ps);
	EXPECT_EQ(0, share(0));
}

/* A fork child counts once it touches the page through its copy of the view. */
TEST_F(shares, fork_child_touches)
{
	struct lockstep ls;
	char *p;
	pid_t pid;

	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 'f');
	EXPECT_EQ(1, share(0));
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(p[0] == 'f');
		touch_read(p + self->ps);
		CHILD_CHECK(child_post(&ls, 't') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		_exit(0);
	}
	ASSERT_EQ('t', parent_wait(&ls));
	EXPECT_EQ(2, share(0));
	EXPECT_EQ(1, share(1));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, share(0));
	EXPECT_EQ(0, share(1));
	munmap(p, NPAGES * self->ps);
}

/* SIGKILL of a process that maps the pages takes its entries away. */
TEST_F(shares, killed_child)
{
	struct lockstep ls;
	char *p;
	pid_t pid;
	int i;

	p = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 'k');
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *q;

		q = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
		CHILD_CHECK(q != MAP_FAILED);
		for (i = 0; i < NPAGES; i++)
			touch_write(q + i * self->ps, 'c');
		touch_write(p, 'C');
		CHILD_CHECK(child_post(&ls, 'r') == 0);
		for (;;)
			pause();
	}
	ASSERT_EQ('r', parent_wait(&ls));
	EXPECT_EQ(3, share(0));
	for (i = 1; i < NPAGES; i++)
		EXPECT_EQ(1, share(i)) TH_LOG("page %d", i);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_child(pid));
	EXPECT_EQ(1, share(0));
	for (i = 1; i < NPAGES; i++)
		EXPECT_EQ(0, share(i)) TH_LOG("page %d", i);
	EXPECT_EQ('C', p[0]);
	EXPECT_EQ('c', p[self->ps]);
	munmap(p, NPAGES * self->ps);
}

/* A copy-on-write view counts while it maps the section's page, not its own copy. */
TEST_F(shares, private_view)
{
	char *shared, *priv;

	shared = map(self, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, shared);
	touch_write(shared, 's');
	priv = map(self, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, priv);

	EXPECT_EQ(1, share(0));
	EXPECT_EQ('s', priv[0]);
	EXPECT_EQ(2, share(0));
	touch_read(priv + self->ps);
	EXPECT_EQ(1, share(1));

	touch_write(priv, 'c');
	EXPECT_EQ(1, share(0));
	EXPECT_EQ('s', shared[0]);
	touch_write(priv + self->ps, 'c');
	EXPECT_EQ(0, share(1));

	munmap(priv, NPAGES * self->ps);
	EXPECT_EQ(1, share(0));
	munmap(shared, NPAGES * self->ps);
	EXPECT_EQ(0, share(0));
}

/* QUERY_VIEW_PAGES: by address in a view, which may start inside the section. */
TEST_F(shares, view_pages)
{
	struct sections_page_info pi[4];
	char *v, *w;

	v = sec_map(self->h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->ps);
	ASSERT_NE(MAP_FAILED, v);
	touch_write(v, 'v');
	EXPECT_EQ(1, share(1));

	poison_pages(pi, 3);
	ASSERT_EQ(0, sec_query_view_pages(self->dev, v, 2, pi));
	EXPECT_EQ(1, pi[0].share_count);
	EXPECT_EQ(RES | DIRTY, pi[0].flags);
	EXPECT_EQ(0, pi[1].share_count);
	EXPECT_EQ(0, pi[1].flags);
	EXPECT_TRUE(sentinel_intact(&pi[2]));

	/* Another view of the same page counts in both answers. */
	w = map(self, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, w);
	touch_read(w + self->ps);
	touch_read(w + 2 * self->ps);
	poison_pages(pi, 4);
	ASSERT_EQ(0, sec_query_view_pages(self->dev, v + self->ps, 1, pi));
	EXPECT_EQ(1, pi[0].share_count);
	EXPECT_TRUE(pi[0].flags & RES);
	EXPECT_TRUE(sentinel_intact(&pi[1]));
	poison_pages(pi, 4);
	ASSERT_EQ(0, sec_query_view_pages(self->dev, w, 3, pi));
	EXPECT_EQ(0, pi[0].share_count);
	EXPECT_EQ(2, pi[1].share_count);
	EXPECT_EQ(1, pi[2].share_count);
	EXPECT_TRUE(sentinel_intact(&pi[3]));

	munmap(w, NPAGES * self->ps);
	munmap(v, 2 * self->ps);
}

TEST_F(shares, query_pages_errors)
{
	struct sections_page_info pi[NPAGES + 2];
	char *ro;
	int h;

	poison_pages(pi, NPAGES + 2);

	EXPECT_EQ(-1, sec_query_pages(self->h, 0, 0, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, NPAGES * self->ps, 1, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, (NPAGES - 1) * self->ps, 2, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, 0, NPAGES + 1, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, self->ps, ~0ULL, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, 0, 1ULL << 61, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, ~0ULL & ~(__u64)(self->ps - 1), 2, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, 1, 1, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, self->ps + 8, 1, pi));
	EXPECT_EQ(EINVAL, errno);
	/* None of the failures wrote an entry. */
	EXPECT_TRUE(sentinel_intact(&pi[0]));
	EXPECT_TRUE(sentinel_intact(&pi[NPAGES]));

	EXPECT_EQ(-1, sec_query_pages(self->h, 0, 1, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, sec_query_pages(self->h, 0, 1, unmapped_address()));
	EXPECT_EQ(EFAULT, errno);
	ro = mmap(NULL, self->ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, sec_query_pages(self->h, 0, 1, (void *)ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, self->ps);
	EXPECT_EQ(-1, ioctl(self->h, SECTIONS_IOC_QUERY_PAGES, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* Needs QUERY. */
	h = sec_dup(self->h, SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE, 0);
	ASSERT_LE(0, h);
	EXPECT_EQ(-1, sec_query_pages(h, 0, 1, pi));
	EXPECT_EQ(EACCES, errno);
	EXPECT_TRUE(sentinel_intact(&pi[0]));
	close(h);
	h = sec_dup(self->h, SECTIONS_ACCESS_QUERY, 0);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, sec_query_pages(h, 0, 1, pi));
	EXPECT_EQ(0, pi[0].share_count);
	close(h);

	/* A handle ioctl, not a device one. */
	EXPECT_EQ(-1, sec_query_pages(self->dev, 0, 1, pi));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(shares, query_view_pages_errors)
{
	struct sections_page_info pi[NPAGES + 2];
	char *v, *anon;

	v = sec_map(self->h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, v);
	anon = mmap(NULL, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	touch_write(v, 1);
	poison_pages(pi, NPAGES + 2);

	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v, 0, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v + 1, 1, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v + self->ps + 100, 1, pi));
	EXPECT_EQ(EINVAL, errno);
	/* The view is 2 pages of a 4-page section: a range past the view is ENXIO. */
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v, 3, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v + self->ps, 2, pi));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v, ~0ULL, pi));
	EXPECT_EQ(ENXIO, errno);
	/* Not in a view at all. */
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, anon, 1, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, unmapped_address(), 1, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_query_view_pages(self->dev, NULL, 1, pi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(sentinel_intact(&pi[0]));

	EXPECT_EQ(-1, sec_query_view_pages(self->dev, v, 1, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_QUERY_VIEW_PAGES, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* A device ioctl, not a handle one. */
	EXPECT_EQ(-1, sec_query_view_pages(self->h, v, 1, pi));
	EXPECT_EQ(ENOTTY, errno);

	/* The good query still works, and needs no QUERY right. */
	EXPECT_EQ(0, sec_query_view_pages(self->dev, v, 2, pi));
	EXPECT_EQ(1, pi[0].share_count);
	EXPECT_EQ(0, pi[1].share_count);
	munmap(anon, 2 * self->ps);
	munmap(v, 2 * self->ps);
}

/* The view query works on a view whose handle had no QUERY right, and after its close. */
TEST_F(shares, view_pages_without_handle)
{
	struct sections_page_info pi[2];
	char *v;
	int h;

	h = sec_dup(self->h, SECTIONS_ACCESS_MAP_READ, 0);
	ASSERT_LE(0, h);
	v = sec_map(h, NPAGES * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, v);
	close(h);
	touch_read(v + 3 * self->ps);
	poison_pages(pi, 2);
	ASSERT_EQ(0, sec_query_view_pages(self->dev, v + 3 * self->ps, 1, pi));
	EXPECT_EQ(1, pi[0].share_count);
	EXPECT_TRUE(pi[0].flags & RES);
	EXPECT_TRUE(sentinel_intact(&pi[1]));
	munmap(v, NPAGES * self->ps);
}

TEST_HARNESS_MAIN

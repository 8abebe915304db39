// SPDX-License-Identifier: GPL-2.0
/*
 * Views: mmap() of a handle, the rights each kind of view needs, views that
 * cannot be split or grown, the unmap-view and flush-view ioctls, and the
 * count of views.
 */
#define _GNU_SOURCE
#include "sections_test.h"

#define Q SECTIONS_ACCESS_QUERY
#define R SECTIONS_ACCESS_MAP_READ
#define W SECTIONS_ACCESS_MAP_WRITE
#define X SECTIONS_ACCESS_MAP_EXECUTE
#define E SECTIONS_ACCESS_EXTEND
#define C SECTIONS_ACCESS_MAP_COPY

#define SEGV (128 + SIGSEGV)

static const __u32 all_protections[] = {
	SECTIONS_PAGE_READONLY,
	SECTIONS_PAGE_READWRITE,
	SECTIONS_PAGE_WRITECOPY,
	SECTIONS_PAGE_EXECUTE_READ,
	SECTIONS_PAGE_EXECUTE_READWRITE,
	SECTIONS_PAGE_EXECUTE_WRITECOPY,
};

static bool writable(__u32 protection)
{
	return protection == SECTIONS_PAGE_READWRITE ||
	       protection == SECTIONS_PAGE_EXECUTE_READWRITE;
}

static bool executable(__u32 protection)
{
	return protection >= SECTIONS_PAGE_EXECUTE_READ;
}

FIXTURE(views) {
	int dev;
	long ps;
};

FIXTURE_SETUP(views)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(views)
{
	close(self->dev);
}

static int mk(int dev, long size, __u32 protection, __u32 access)
{
	return sec_create(dev, size, NULL, protection, access, NULL);
}

/* Fill page i of a view of n pages with the byte 'A' + i. */
static void fill_pages(char *p, long ps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		memset(p + i * ps, 'A' + i, ps);
}

/* Returns the number of bytes that differ from fill_pages()' pattern. */
static long check_pages(const char *p, long ps, int n)
{
	long bad = 0, j;
	int i;

	for (i = 0; i < n; i++)
		for (j = 0; j < ps; j++)
			bad += p[i * ps + j] != 'A' + i;
	return bad;
}

/* ---- the rights each kind of view needs ---- */

TEST_F(views, shared_needs_read_or_write)
{
	static const struct { __u32 protection, access; int prot; bool ok; } cases[] = {
		{ SECTIONS_PAGE_READWRITE, Q, PROT_READ, false },
		{ SECTIONS_PAGE_READWRITE, Q | C, PROT_READ, false },
		{ SECTIONS_PAGE_READWRITE, Q | E, PROT_READ, false },
		{ SECTIONS_PAGE_EXECUTE_READWRITE, X, PROT_READ | PROT_EXEC, false },
		{ SECTIONS_PAGE_READWRITE, R, PROT_READ, true },
		{ SECTIONS_PAGE_READWRITE, W, PROT_READ, true },
		{ SECTIONS_PAGE_READWRITE, W, PROT_READ | PROT_WRITE, true },
		{ SECTIONS_PAGE_READONLY, R, PROT_READ, true },
		{ SECTIONS_PAGE_WRITECOPY, R, PROT_READ, true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int h = mk(self->dev, self->ps, cases[i].protection, cases[i].access);
		void *p;

		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, cases[i].prot, MAP_SHARED, 0);
		if (cases[i].ok) {
			EXPECT_NE(MAP_FAILED, p) TH_LOG("case %u: %s", i, strerror(errno));
		} else {
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("case %u", i);
			EXPECT_EQ(EACCES, errno) TH_LOG("case %u", i);
		}
		if (p != MAP_FAILED)
			munmap(p, self->ps);
		close(h);
	}
}

/* Writable shared views need MAP_WRITE and a writable protection. */
TEST_F(views, shared_write)
{
	unsigned int i;
	int h;

	for (i = 0; i < ARRAY_SIZE(all_protections); i++) {
		__u32 protection = all_protections[i];
		char *p, *q;

		h = mk(self->dev, self->ps, protection, 0);
		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (!writable(protection)) {
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("protection %#x", protection);
			EXPECT_EQ(EACCES, errno) TH_LOG("protection %#x", protection);
			if (p != MAP_FAILED)
				munmap(p, self->ps);
			/* PROT_WRITE alone is no different. */
			p = sec_map(h, self->ps, PROT_WRITE, MAP_SHARED, 0);
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("protection %#x", protection);
			EXPECT_EQ(EACCES, errno) TH_LOG("protection %#x", protection);
			if (p != MAP_FAILED)
				munmap(p, self->ps);
			close(h);
			continue;
		}
		ASSERT_NE(MAP_FAILED, p) TH_LOG("protection %#x: %s", protection, strerror(errno));
		q = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, q);
		strcpy(p, "shared write");
		EXPECT_STREQ("shared write", q);
		munmap(p, self->ps);
		munmap(q, self->ps);
		close(h);
	}

	/* A writable section, but a handle without MAP_WRITE. */
	h = mk(self->dev, self->ps, SECTIONS_PAGE_READWRITE, Q | R | C | E);
	ASSERT_LE(0, h);
	EXPECT_EQ(MAP_FAILED, sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	close(h);
}

/* Executable views need MAP_EXECUTE and an executable protection. */
TEST_F(views, exec)
{
	unsigned int i;
	int h;

	for (i = 0; i < ARRAY_SIZE(all_protections); i++) {
		__u32 protection = all_protections[i];
		void *p;

		h = mk(self->dev, self->ps, protection, 0);
		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
		if (executable(protection)) {
			EXPECT_NE(MAP_FAILED, p) TH_LOG("protection %#x: %s", protection,
							strerror(errno));
		} else {
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("protection %#x", protection);
			EXPECT_EQ(EACCES, errno) TH_LOG("protection %#x", protection);
		}
		if (p != MAP_FAILED)
			munmap(p, self->ps);
		/* The same for copy-on-write views. */
		p = sec_map(h, self->ps, PROT_READ | PROT_EXEC, MAP_PRIVATE, 0);
		if (executable(protection)) {
			EXPECT_NE(MAP_FAILED, p) TH_LOG("private, protection %#x: %s", protection,
							strerror(errno));
		} else {
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("private, protection %#x", protection);
			EXPECT_EQ(EACCES, errno) TH_LOG("private, protection %#x", protection);
		}
		if (p != MAP_FAILED)
			munmap(p, self->ps);
		close(h);
	}

	/* An executable section, but a handle without MAP_EXECUTE. */
	h = mk(self->dev, self->ps, SECTIONS_PAGE_EXECUTE_READWRITE, Q | R | W | C);
	ASSERT_LE(0, h);
	EXPECT_EQ(MAP_FAILED, sec_map(h, self->ps, PROT_READ | PROT_EXEC, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, sec_map(h, self->ps, PROT_READ | PROT_EXEC, MAP_PRIVATE, 0));
	EXPECT_EQ(EACCES, errno);
	close(h);
}

#if defined(__x86_64__) || defined(__i386__)
/* Code written through a writable view runs from an executable one. */
TEST_F(views, exec_runs_code)
{
	/* mov $42, %eax; ret */
	static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
	char *w, *x;
	int h;

	h = mk(self->dev, self->ps, SECTIONS_PAGE_EXECUTE_READWRITE, 0);
	ASSERT_LE(0, h);
	w = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, w);
	memcpy(w, code, sizeof(code));
	x = sec_map(h, self->ps, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, x);
	EXPECT_EQ(42, ((int (*)(void))x)());
	munmap(x, self->ps);
	munmap(w, self->ps);
	close(h);
}
#endif

/* Copy-on-write views need MAP_COPY. */
TEST_F(views, private_needs_map_copy)
{
	static const __u32 denied[] = { Q, Q | R, Q | R | W, R | W | E | X };
	unsigned int i;
	void *p;
	int h;

	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		h = mk(self->dev, self->ps, SECTIONS_PAGE_EXECUTE_READWRITE, denied[i]);
		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, PROT_READ, MAP_PRIVATE, 0);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("access %#x", denied[i]);
		EXPECT_EQ(EACCES, errno) TH_LOG("access %#x", denied[i]);
		if (p != MAP_FAILED)
			munmap(p, self->ps);
		close(h);
	}

	h = mk(self->dev, self->ps, SECTIONS_PAGE_READWRITE, C);
	ASSERT_LE(0, h);
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	EXPECT_NE(MAP_FAILED, p) TH_LOG("%s", strerror(errno));
	if (p != MAP_FAILED)
		munmap(p, self->ps);
	/* MAP_COPY alone gives no shared view. */
	EXPECT_EQ(MAP_FAILED, sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	close(h);
}

/* Copy-on-write views may write even read-only and write-copy sections. */
TEST_F(views, private_write_any_protection)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all_protections); i++) {
		__u32 protection = all_protections[i];
		char *priv, *priv2, *shared;
		int h;

		h = mk(self->dev, 2 * self->ps, protection, 0);
		ASSERT_LE(0, h);
		priv = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
		ASSERT_NE(MAP_FAILED, priv) TH_LOG("protection %#x: %s", protection,
						   strerror(errno));
		shared = sec_map(h, 2 * self->ps, PROT_READ, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, shared);
		priv2 = sec_map(h, 2 * self->ps, PROT_READ, MAP_PRIVATE, 0);
		ASSERT_NE(MAP_FAILED, priv2);

		strcpy(priv + self->ps, "private copy");
		EXPECT_STREQ("private copy", priv + self->ps);
		EXPECT_EQ(0, shared[self->ps]) TH_LOG("protection %#x", protection);
		EXPECT_EQ(0, priv2[self->ps]) TH_LOG("protection %#x", protection);
		EXPECT_EQ(0, priv[0]);

		munmap(priv, 2 * self->ps);
		munmap(priv2, 2 * self->ps);
		munmap(shared, 2 * self->ps);
		close(h);
	}
}

/* A copy-on-write view sees the section until it writes a page, then its copy. */
TEST_F(views, private_copy_on_write)
{
	char *shared, *priv;
	int h;

	h = mk(self->dev, 2 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	shared = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, shared);
	strcpy(shared, "first");
	strcpy(shared + self->ps, "other page");

	priv = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_STREQ("first", priv);
	EXPECT_STREQ("other page", priv + self->ps);

	/* Not yet copied: later shared writes show through. */
	strcpy(shared, "second");
	EXPECT_STREQ("second", priv);

	/* Copied: the private write is private, and shared writes no longer show. */
	strcpy(priv, "private");
	EXPECT_STREQ("second", shared);
	strcpy(shared, "third");
	EXPECT_STREQ("private", priv);
	/* The other page is still shared. */
	strcpy(shared + self->ps, "still shared");
	EXPECT_STREQ("still shared", priv + self->ps);

	munmap(priv, 2 * self->ps);
	munmap(shared, 2 * self->ps);
	close(h);
}

/* ---- offsets and lengths ---- */

TEST_F(views, offset_unaligned)
{
	static const long offs[] = { 1, 512, -1 };
	unsigned int i;
	int h;

	h = mk(self->dev, 4 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		off_t off = offs[i] < 0 ? self->ps + 1 : offs[i];
		void *p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, off);

		EXPECT_EQ(MAP_FAILED, p) TH_LOG("offset %ld", (long)off);
		EXPECT_EQ(EINVAL, errno) TH_LOG("offset %ld", (long)off);
		if (p != MAP_FAILED)
			munmap(p, self->ps);
	}
	close(h);
}

TEST_F(views, range_past_end)
{
	static const struct { long off, len; bool ok; } cases[] = {
		/* in pages of a 2-page section; len -1 means one byte more than a page */
		{ 0, 2, true },
		{ 1, 1, true },
		{ 0, 1, true },
		{ 0, -1, true },
		{ 2, 1, false },
		{ 3, 1, false },
		{ 1, 2, false },
		{ 0, 3, false },
		{ 1, -1, false },
		{ 1024, 1, false },
	};
	unsigned int i;
	int h;

	h = mk(self->dev, 2 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = cases[i].len < 0 ? self->ps + 1 : cases[i].len * self->ps;
		char *p = sec_map(h, len, PROT_READ, MAP_SHARED, cases[i].off * self->ps);

		if (cases[i].ok) {
			EXPECT_NE(MAP_FAILED, p) TH_LOG("case %u: %s", i, strerror(errno));
		} else {
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("case %u", i);
			EXPECT_EQ(ENXIO, errno) TH_LOG("case %u", i);
		}
		if (p != MAP_FAILED)
			munmap(p, len);
		/* Copy-on-write views the same. */
		p = sec_map(h, len, PROT_READ, MAP_PRIVATE, cases[i].off * self->ps);
		if (cases[i].ok) {
			EXPECT_NE(MAP_FAILED, p) TH_LOG("private case %u: %s", i, strerror(errno));
		} else {
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("private case %u", i);
			EXPECT_EQ(ENXIO, errno) TH_LOG("private case %u", i);
		}
		if (p != MAP_FAILED)
			munmap(p, len);
	}
	EXPECT_EQ(0, sec_query_field(h, views));
	close(h);
}

/* A view at an offset sees that part of the section. */
TEST_F(views, offset_view_data)
{
	char *all, *part;
	int h;

	h = mk(self->dev, 4 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	all = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, all);
	fill_pages(all, self->ps, 4);
	part = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 2 * self->ps);
	ASSERT_NE(MAP_FAILED, part);
	EXPECT_EQ('C', part[0]);
	EXPECT_EQ('D', part[2 * self->ps - 1]);
	part[5] = 'z';
	EXPECT_EQ('z', all[2 * self->ps + 5]);
	munmap(part, 2 * self->ps);
	munmap(all, 4 * self->ps);
	close(h);
}

/* ---- mprotect ---- */

TEST_F(views, mprotect_write_denied)
{
	static const struct { __u32 protection, access; } cases[] = {
		{ SECTIONS_PAGE_READWRITE, Q | R | C | E },
		{ SECTIONS_PAGE_READONLY, 0 },
		{ SECTIONS_PAGE_WRITECOPY, 0 },
		{ SECTIONS_PAGE_EXECUTE_READ, 0 },
		{ SECTIONS_PAGE_EXECUTE_WRITECOPY, 0 },
		{ SECTIONS_PAGE_EXECUTE_READWRITE, Q | R | X },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int h = mk(self->dev, self->ps, cases[i].protection, cases[i].access);
		char *p;

		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(-1, mprotect(p, self->ps, PROT_READ | PROT_WRITE)) TH_LOG("case %u", i);
		EXPECT_EQ(EACCES, errno) TH_LOG("case %u", i);
		EXPECT_EQ(-1, mprotect(p, self->ps, PROT_WRITE)) TH_LOG("case %u", i);
		EXPECT_EQ(EACCES, errno) TH_LOG("case %u", i);
		/* Still read-only. */
		EXPECT_EQ(SEGV, child_access(p, 1)) TH_LOG("case %u", i);
		munmap(p, self->ps);
		close(h);
	}
}

TEST_F(views, mprotect_write_allowed)
{
	char *p, *q;
	int h;

	h = mk(self->dev, self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(SEGV, child_access(p, 1));
	ASSERT_EQ(0, mprotect(p, self->ps, PROT_READ | PROT_WRITE));
	strcpy(p, "made writable");
	EXPECT_STREQ("made writable", q);
	munmap(p, self->ps);
	munmap(q, self->ps);
	close(h);
}

TEST_F(views, mprotect_exec)
{
	static const struct { __u32 protection, access; bool ok; } cases[] = {
		{ SECTIONS_PAGE_READWRITE, 0, false },
		{ SECTIONS_PAGE_READONLY, 0, false },
		{ SECTIONS_PAGE_EXECUTE_READ, Q | R | C, false },
		{ SECTIONS_PAGE_EXECUTE_READWRITE, Q | R | W, false },
		{ SECTIONS_PAGE_EXECUTE_READ, 0, true },
		{ SECTIONS_PAGE_EXECUTE_READWRITE, 0, true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int h = mk(self->dev, self->ps, cases[i].protection, cases[i].access);
		char *p;
		int ret;

		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, p);
		ret = mprotect(p, self->ps, PROT_READ | PROT_EXEC);
		if (cases[i].ok) {
			EXPECT_EQ(0, ret) TH_LOG("case %u: %s", i, strerror(errno));
		} else {
			EXPECT_EQ(-1, ret) TH_LOG("case %u", i);
			EXPECT_EQ(EACCES, errno) TH_LOG("case %u", i);
		}
		munmap(p, self->ps);
		close(h);
	}
}

TEST_F(views, mprotect_whole_view)
{
	char *p;
	int h;

	h = mk(self->dev, 3 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 3);

	ASSERT_EQ(0, mprotect(p, 3 * self->ps, PROT_READ));
	EXPECT_EQ(SEGV, child_access(p + self->ps, 1));
	EXPECT_EQ(0, child_access(p + self->ps, 0));
	EXPECT_EQ(0, check_pages(p, self->ps, 3));

	ASSERT_EQ(0, mprotect(p, 3 * self->ps, PROT_NONE));
	EXPECT_EQ(SEGV, child_access(p, 0));

	ASSERT_EQ(0, mprotect(p, 3 * self->ps, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, check_pages(p, self->ps, 3));
	p[2 * self->ps] = 'C';
	EXPECT_EQ(1, sec_query_field(h, views));
	munmap(p, 3 * self->ps);
	close(h);
}

/* A view cannot be split: part of it cannot be unmapped or reprotected. */
TEST_F(views, partial_munmap)
{
	char *p;
	int h;

	h = mk(self->dev, 3 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 3);

	EXPECT_EQ(-1, munmap(p, self->ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, munmap(p + self->ps, self->ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, munmap(p + 2 * self->ps, self->ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, munmap(p, 2 * self->ps));
	EXPECT_EQ(EINVAL, errno);

	/* Intact: every page mapped, data and count unchanged. */
	EXPECT_EQ(0, child_access(p, 0));
	EXPECT_EQ(0, child_access(p + self->ps, 0));
	EXPECT_EQ(0, child_access(p + 2 * self->ps, 0));
	EXPECT_EQ(0, check_pages(p, self->ps, 3));
	EXPECT_EQ(1, sec_query_field(h, views));
	EXPECT_EQ(0, sec_unmap_view(self->dev, p)) TH_LOG("view lost its base: %s",
							   strerror(errno));
	EXPECT_EQ(0, sec_query_field(h, views));
	close(h);
}

TEST_F(views, partial_mprotect)
{
	char *p;
	int h;

	h = mk(self->dev, 3 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 3);

	EXPECT_EQ(-1, mprotect(p, self->ps, PROT_READ));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mprotect(p + self->ps, self->ps, PROT_READ));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mprotect(p + self->ps, 2 * self->ps, PROT_NONE));
	EXPECT_EQ(EINVAL, errno);

	/* Every page is still writable (the children's writes land in the shared pages). */
	EXPECT_EQ(0, child_access(p, 1));
	EXPECT_EQ(0, child_access(p + self->ps, 1));
	EXPECT_EQ(0, child_access(p + 2 * self->ps, 1));
	EXPECT_EQ(0x5a, p[self->ps]);
	p[0] = 'A';
	p[self->ps] = 'B';
	p[2 * self->ps] = 'C';
	EXPECT_EQ(0, check_pages(p, self->ps, 3));
	EXPECT_EQ(1, sec_query_field(h, views));
	munmap(p, 3 * self->ps);
	close(h);
}

/* ---- mremap ---- */

TEST_F(views, mremap_grow)
{
	void *q;
	char *p;
	int h;

	h = mk(self->dev, 4 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 2);

	q = mremap(p, 2 * self->ps, 3 * self->ps, 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	q = mremap(p, 2 * self->ps, 3 * self->ps, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(0, check_pages(p, self->ps, 2));
	EXPECT_EQ(1, sec_query_field(h, views));
	munmap(p, 2 * self->ps);
	close(h);
}

TEST_F(views, mremap_move)
{
	char *p, *target, *q;
	int h;

	h = mk(self->dev, 2 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 2);

	/* A free range: reserve it, then give it back. */
	target = mmap(NULL, 2 * self->ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	ASSERT_EQ(0, munmap(target, 2 * self->ps));

	q = mremap(p, 2 * self->ps, 2 * self->ps, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_EQ(target, q) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(0, check_pages(q, self->ps, 2));
	EXPECT_EQ(SEGV, child_access(p, 0));
	EXPECT_EQ(1, sec_query_field(h, views));

	/* The moved view is one view, with its base at the new address. */
	q[0] = 'm';
	EXPECT_EQ(-1, sec_unmap_view(self->dev, p));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, sec_unmap_view(self->dev, q));
	EXPECT_EQ(0, sec_query_field(h, views));
	EXPECT_EQ(SEGV, child_access(q, 0));

	p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('m', p[0]);
	munmap(p, self->ps);
	close(h);
}

/* ---- the unmap-view ioctl ---- */

TEST_F(views, unmap_view)
{
	char *p, *p2, *priv;
	int h;

	h = mk(self->dev, 2 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p2 = sec_map(h, 2 * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p2);
	priv = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, priv);
	strcpy(p, "kept");
	priv[0] = 'x';
	EXPECT_EQ(3, sec_query_field(h, views));

	EXPECT_EQ(0, sec_unmap_view(self->dev, p));
	EXPECT_EQ(2, sec_query_field(h, views));
	EXPECT_EQ(SEGV, child_access(p, 0));
	EXPECT_EQ(SEGV, child_access(p + self->ps, 0));
	/* The other views are untouched. */
	EXPECT_STREQ("kept", p2);

	/* Copy-on-write views are views too. */
	EXPECT_EQ(0, sec_unmap_view(self->dev, priv));
	EXPECT_EQ(1, sec_query_field(h, views));
	EXPECT_EQ(SEGV, child_access(priv, 0));

	/* Gone is gone. */
	EXPECT_EQ(-1, sec_unmap_view(self->dev, p));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(0, sec_unmap_view(self->dev, p2));
	EXPECT_EQ(0, sec_query_field(h, views));
	close(h);
}

TEST_F(views, unmap_view_errors)
{
	char *p, *anon;
	void *gone;
	int h;

	h = mk(self->dev, 3 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 3);
	anon = mmap(NULL, self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	anon[0] = 'a';
	gone = unmapped_address();

	EXPECT_EQ(-1, sec_unmap_view(self->dev, p + self->ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_unmap_view(self->dev, p + 2 * self->ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_unmap_view(self->dev, p + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_unmap_view(self->dev, p + self->ps - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_unmap_view(self->dev, gone));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_unmap_view(self->dev, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_unmap_view(self->dev, anon));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ('a', anon[0]);
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_UNMAP_VIEW, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_UNMAP_VIEW, gone));
	EXPECT_EQ(EFAULT, errno);

	/* Nothing was unmapped. */
	EXPECT_EQ(0, check_pages(p, self->ps, 3));
	EXPECT_EQ(1, sec_query_field(h, views));
	EXPECT_EQ(0, sec_unmap_view(self->dev, p));
	munmap(anon, self->ps);
	close(h);
}

/* ---- the flush-view ioctl and msync ---- */

TEST_F(views, flush_view)
{
	char *p;
	int h;

	h = mk(self->dev, 3 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 3);

	EXPECT_EQ(0, sec_flush(self->dev, p, 0, 0));
	EXPECT_EQ(0, sec_flush(self->dev, p, 0, SECTIONS_FLUSH_DURABLE));
	EXPECT_EQ(0, sec_flush(self->dev, p, 3 * self->ps, 0));
	EXPECT_EQ(0, sec_flush(self->dev, p + self->ps, self->ps, 0));
	EXPECT_EQ(0, sec_flush(self->dev, p + self->ps, 0, SECTIONS_FLUSH_DURABLE));
	EXPECT_EQ(0, sec_flush(self->dev, p + self->ps + 100, 10, 0));
	EXPECT_EQ(0, sec_flush(self->dev, p + 2 * self->ps + 1, self->ps - 1, 0));
	EXPECT_EQ(0, sec_flush(self->dev, p + 3 * self->ps - 1, 1, 0));
	EXPECT_EQ(0, check_pages(p, self->ps, 3));
	EXPECT_EQ(1, sec_query_field(h, views));
	munmap(p, 3 * self->ps);
	close(h);
}

TEST_F(views, flush_view_errors)
{
	struct sections_flush_args args;
	char *p, *anon;
	int h;

	h = mk(self->dev, 3 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	anon = mmap(NULL, self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);

	/* Past the end of the view. */
	EXPECT_EQ(-1, sec_flush(self->dev, p, 3 * self->ps + 1, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, p, 4 * self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, p + 2 * self->ps, 2 * self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, p + 2 * self->ps + 1, self->ps + 1, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, p + self->ps, ~0ULL, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, p + self->ps, ~0ULL - self->ps + 2, 0));
	EXPECT_EQ(ENXIO, errno);

	/* Not in a view. */
	EXPECT_EQ(-1, sec_flush(self->dev, anon, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, anon, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, unmapped_address(), 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, NULL, 0, 0));
	EXPECT_EQ(EINVAL, errno);

	/* Flags and pad. */
	EXPECT_EQ(-1, sec_flush(self->dev, p, 0, 0x02));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, p, 0, 0x80000000));
	EXPECT_EQ(EINVAL, errno);
	memset(&args, 0, sizeof(args));
	args.addr = (uintptr_t)p;
	args.pad = 1;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_FLUSH_VIEW, &args));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_FLUSH_VIEW, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(h, SECTIONS_IOC_FLUSH_VIEW, &args));
	EXPECT_EQ(ENOTTY, errno);

	munmap(anon, self->ps);
	munmap(p, 3 * self->ps);
	close(h);
}

TEST_F(views, msync)
{
	char *p;
	int h;

	h = mk(self->dev, 2 * self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill_pages(p, self->ps, 2);
	EXPECT_EQ(0, msync(p, 2 * self->ps, MS_SYNC));
	EXPECT_EQ(0, msync(p + self->ps, self->ps, MS_SYNC));
	EXPECT_EQ(0, msync(p, 2 * self->ps, MS_ASYNC));
	EXPECT_EQ(0, check_pages(p, self->ps, 2));
	munmap(p, 2 * self->ps);
	close(h);
}

/* ---- the count of views ---- */

TEST_F(views, views_count)
{
	struct lockstep ls;
	char *p1, *p2, *priv;
	pid_t pid;
	int h, h2;

	h = mk(self->dev, self->ps, SECTIONS_PAGE_READWRITE, 0);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, sec_query_field(h, views));
	p1 = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p1);
	EXPECT_EQ(1, sec_query_field(h, views));
	p2 = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p2);
	EXPECT_EQ(2, sec_query_field(h, views));
	priv = sec_map(h, self->ps, PROT_READ, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_EQ(3, sec_query_field(h, views));
	munmap(priv, self->ps);
	EXPECT_EQ(2, sec_query_field(h, views));

	/* A fork child's copies count until it exits. */
	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(sec_query_field(h, views) == 4);
		CHILD_CHECK(munmap(p2, self->ps) == 0);
		CHILD_CHECK(sec_query_field(h, views) == 3);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		_exit(0);
	}
	ASSERT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(3, sec_query_field(h, views));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(2, sec_query_field(h, views));

	/* A child that maps and exits without unmapping. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0) != MAP_FAILED);
		CHILD_CHECK(sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0) != MAP_FAILED);
		CHILD_CHECK(sec_query_field(h, views) == 6);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(2, sec_query_field(h, views));

	/* Views outlive the handle they were made from. */
	h2 = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, h2);
	close(h);
	EXPECT_EQ(2, sec_query_field(h2, views));
	munmap(p1, self->ps);
	EXPECT_EQ(1, sec_query_field(h2, views));
	munmap(p2, self->ps);
	EXPECT_EQ(0, sec_query_field(h2, views));
	close(h2);
}

TEST_HARNESS_MAIN

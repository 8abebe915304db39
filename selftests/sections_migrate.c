// SPDX-License-Identifier: GPL-2.0
/*
 * Page migration of views: dirty pages of a file-backed view move to another
 * NUMA node with move_pages(2), keep their bytes, stay dirty (and counted),
 * and are written back afterwards as if nothing had happened; pagefile views
 * move too.
 *
 * Needs two NUMA nodes: scripts/check boots its guest with vm-run --numa.
 * Skips on a machine with one node.
 */
#include "sections_test.h"

#include <sys/stat.h>

#define MPOL_MF_MOVE	(1 << 1)
#define PAGES		8

static bool two_nodes(void)
{
	struct stat st;

	return !stat("/sys/devices/system/node/node1", &st);
}

static long move_pages(void **pages, const int *nodes, int *status, unsigned long count)
{
	return syscall(SYS_move_pages, 0, count, pages, nodes, status, MPOL_MF_MOVE);
}

/* The node each page is on (move_pages with no target nodes only asks). */
static void where(void **pages, int *status, unsigned long count)
{
	syscall(SYS_move_pages, 0, count, pages, NULL, status, 0);
}

static int sec_create_file(int dev, int fd, __u32 protection)
{
	struct sections_create_args args;

	memset(&args, 0, sizeof(args));
	args.protection = protection;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	return ioctl(dev, SECTIONS_IOC_CREATE, &args);
}

/* Move every page of @view to the other node; the number that moved. */
static int move_all(char *view, long ps, int *before, int *after)
{
	void *pages[PAGES];
	int nodes[PAGES], status[PAGES], i, moved = 0;

	for (i = 0; i < PAGES; i++)
		pages[i] = view + i * ps;
	where(pages, before, PAGES);
	for (i = 0; i < PAGES; i++)
		nodes[i] = before[i] == 0 ? 1 : 0;
	if (move_pages(pages, nodes, status, PAGES) < 0)
		return -errno;
	where(pages, after, PAGES);
	for (i = 0; i < PAGES; i++)
		moved += after[i] == nodes[i];
	return moved;
}

TEST(dirty_file_view_pages_migrate)
{
	char path[] = "/tmp/sections-migrate-XXXXXX", *view, *buf;
	int before[PAGES], after[PAGES];
	long ps = page_size();
	int dev, fd, h, i, moved;

	if (!two_nodes())
		SKIP(return, "one NUMA node");
	dev = sections_open_dev();
	ASSERT_LE(0, dev);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PAGES * ps));
	h = sec_create_file(dev, fd, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	for (i = 0; i < PAGES; i++)
		memset(view + i * ps, 'A' + i, ps);

	moved = move_all(view, ps, before, after);
	TH_LOG("pages on node %d before, %d of %d moved", before[0], moved, PAGES);
	EXPECT_EQ(PAGES, moved);
	for (i = 0; i < PAGES; i++) {
		struct sections_page_info pi = sec_page(h, i * ps);

		EXPECT_EQ('A' + i, view[i * ps]);
		EXPECT_EQ('A' + i, view[i * ps + ps - 1]);
		EXPECT_EQ(1, pi.share_count);
		EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, pi.flags);
	}
	/* Written back after the move: the file holds the bytes. */
	ASSERT_EQ(0, sec_flush(dev, view, 0, 0));
	buf = malloc(ps);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < PAGES; i++) {
		ASSERT_EQ(ps, pread(fd, buf, ps, i * ps));
		EXPECT_EQ('A' + i, buf[0]);
		EXPECT_EQ('A' + i, buf[ps - 1]);
	}
	/* And back again, clean this time. */
	EXPECT_EQ(PAGES, move_all(view, ps, before, after));
	EXPECT_EQ('A', view[0]);
	free(buf);
	ASSERT_EQ(0, munmap(view, PAGES * ps));
	close(h);
	close(fd);
	unlink(path);
	close(dev);
	EXPECT_EQ(0, kernel_taint());
}

TEST(pagefile_view_pages_migrate)
{
	int before[PAGES], after[PAGES];
	long ps = page_size();
	char *view;
	int dev, h, i;

	if (!two_nodes())
		SKIP(return, "one NUMA node");
	dev = sections_open_dev();
	ASSERT_LE(0, dev);
	h = sec_create(dev, PAGES * ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	for (i = 0; i < PAGES; i++)
		memset(view + i * ps, 'a' + i, ps);
	EXPECT_EQ(PAGES, move_all(view, ps, before, after));
	for (i = 0; i < PAGES; i++)
		EXPECT_EQ('a' + i, view[i * ps + 7]);
	ASSERT_EQ(0, munmap(view, PAGES * ps));
	close(h);
	close(dev);
}

TEST_HARNESS_MAIN

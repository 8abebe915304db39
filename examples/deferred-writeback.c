// SPDX-License-Identifier: GPL-2.0
/*
 * deferred-writeback [FILE]: when bytes written to a view of a file-backed
 * section reach the file (native API).
 *
 * NT's rule, which the module follows: a modified page is written to its file
 * only once its share count is zero (no view maps it any more), and then
 * lazily, by a writer that runs writeback_delay_ms later; a flush writes a
 * range at once, mapped or not. FILE (default deferred-writeback.dat, created
 * or truncated, deleted at the end) holds two pages; the program writes both
 * through a view, flushes page 1, leaves page 0 to the lazy writer, and reads
 * the file with pread(2) at each step. Needs root, to set the writer's delay.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <sections.h>

#define DELAY_PARAM	"/sys/module/sections/parameters/writeback_delay_ms"
#define DELAY_MS	1000	/* shorter than the default 3 s: a shorter demo */

static const char *const old_text[2] = { "old page 0", "old page 1" };
static const char *const new_text[2] = { "new page 0", "new page 1" };
static int fd, handle = -1;
static long ps;

/* Page N of the file as read(2) sees it, printed with NOTE unless NULL. */
static int file_is(int n, const char *want, const char *note)
{
	char buf[16] = "";

	if (pread(fd, buf, 11, n * ps) != 11)
		strcpy(buf, "(short read)");
	if (note)
		printf("deferred-writeback: file, page %d: \"%s\"%s\n", n, buf, note);
	return !strcmp(buf, want);
}

/* Print page N's share count and state; true when they are as expected. */
static int page_is(int n, unsigned int count, int dirty)
{
	struct sections_page_info page;

	if (sections_query_pages(handle, n * ps, 1, &page))
		return 0;
	printf("deferred-writeback: page %d: share count %u, %s\n", n, page.share_count,
	       page.flags & SECTIONS_PAGE_DIRTY ? "dirty" : "clean");
	return page.share_count == count && !(page.flags & SECTIONS_PAGE_DIRTY) == !dirty;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

#define CHECK(cond, what) do { if (!(cond)) { \
	printf("FAIL: deferred-writeback: %s\n", what); goto out; } } while (0)

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "deferred-writeback.dat";
	struct sections_create_args args = { 0 };
	unsigned int old_delay = 3000;
	int dev, n, status = 1;
	struct timespec t0;
	char *view = NULL;
	FILE *param;
	long left;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ps = sysconf(_SC_PAGESIZE);
	param = fopen(DELAY_PARAM, "r+");
	if (!param || fscanf(param, "%u", &old_delay) != 1 || fseek(param, 0, SEEK_SET) ||
	    fprintf(param, "%d\n", DELAY_MS) < 0 || fflush(param)) {
		printf("FAIL: deferred-writeback: cannot set %s\n", DELAY_PARAM);
		return 1;
	}
	printf("deferred-writeback: lazy writer delay: %d ms\n", DELAY_MS);

	dev = sections_open_device();
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(dev >= 0 && fd >= 0, "cannot open /dev/sections or the file");
	for (n = 0; n < 2; n++)
		CHECK(pwrite(fd, old_text[n], 11, n * ps) == 11, "pwrite");
	CHECK(ftruncate(fd, 2 * ps) == 0, "ftruncate");

	args.protection = SECTIONS_PAGE_READWRITE;
	args.flags = SECTIONS_CREATE_FILE | SECTIONS_HANDLE_CLOEXEC;
	args.fd = fd;			/* size 0: the file's size */
	handle = sections_create_ex(dev, &args);
	CHECK(handle >= 0, "sections_create_ex");
	CHECK(!sections_map_view(handle, 0, 0, PROT_READ | PROT_WRITE, 0, (void **)&view),
	      "sections_map_view");

	/* Dirtying page 0 starts the lazy writer's clock. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < 2; n++)
		strcpy(view + n * ps, new_text[n]);
	printf("deferred-writeback: wrote \"%s\" and \"%s\" through the view\n",
	       new_text[0], new_text[1]);
	CHECK(page_is(0, 1, 1) && page_is(1, 1, 1), "pages should be mapped once, dirty");
	CHECK(file_is(0, old_text[0], ""), "page 0 was written while mapped");

	CHECK(!sections_flush_view(dev, view + ps, ps, 0), "sections_flush_view");
	printf("deferred-writeback: flushed page 1 (still mapped)\n");
	CHECK(file_is(1, new_text[1], ""), "the flush did not write page 1");
	CHECK(page_is(1, 1, 0), "page 1 should be clean after the flush");

	/*
	 * The writer runs 1 and 2 delays after t0 and skips the mapped page;
	 * unmapping half-way to its third run leaves half a delay either side.
	 */
	left = DELAY_MS * 5 / 2 - ms_since(&t0);
	if (left > 0)
		usleep(left * 1000);
	CHECK(file_is(0, old_text[0], " (2.5 delays later, still mapped)"),
	      "page 0 was written while mapped");

	CHECK(!sections_unmap_view(dev, view), "sections_unmap_view");
	view = NULL;
	printf("deferred-writeback: unmapped the view\n");
	CHECK(page_is(0, 0, 1), "page 0 should be unmapped and still dirty");
	CHECK(file_is(0, old_text[0], ""), "page 0 was written at once by the unmap");

	/* Now the lazy writer may write it: wait for it, 10 s at most. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!file_is(0, new_text[0], NULL) && ms_since(&t0) < 10000)
		usleep(20000);
	CHECK(file_is(0, new_text[0], " (written by the lazy writer)"),
	      "the lazy writer did not write page 0 within 10 s");
	CHECK(page_is(0, 0, 0), "page 0 should be clean");
	printf("deferred-writeback: done\n");
	status = 0;
out:
	/* Handles, views and descriptors go with the process; the file does not. */
	if (fd >= 0)
		unlink(path);
	/* Put the delay back for whatever runs next. */
	rewind(param);
	fprintf(param, "%u\n", old_delay);
	fclose(param);
	return status;
}

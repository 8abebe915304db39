// SPDX-License-Identifier: GPL-2.0
/*
 * section-writer NAME MESSAGE
 *
 * Creates the named pagefile-backed section NAME (one page, read-write), maps
 * a view of it, writes MESSAGE (with its NUL) at offset 0, prints the share
 * count of page 0, then obeys one command per line on stdin, printing
 * "writer: ready" after each so that a script can wait for it:
 *
 *	close	close the handle (the view stays mapped)
 *	show	print what the view holds and page 0's share count, found by
 *		the view's address (this needs no handle)
 *	unmap	unmap the view
 *	quit, an empty line, or end of input: close and unmap what is still
 *		open and exit
 *
 * Meanwhile other processes can open the section by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sections.h>

#define SECTION_SIZE	4096

static int fail(const char *what, int err)
{
	fprintf(stderr, "writer: %s: %s\n", what, strerror(-err));
	return 1;
}

static int show(int dev, const char *view)
{
	struct sections_page_info page;
	int ret;

	printf("writer: view still reads: \"%.*s\"\n", SECTION_SIZE, view);
	ret = sections_query_view_pages(dev, view, 1, &page);
	if (ret)
		return fail("query view pages", ret);
	printf("writer: page 0 share count: %" PRIu32 " (by view address)\n",
	       page.share_count);
	return 0;
}

int main(int argc, char **argv)
{
	struct sections_page_info page;
	struct sections_info info;
	int dev, handle, ret, status = 0;
	char line[64], name[SECTIONS_NAME_MAX + 1];
	void *view = NULL;
	bool existed;
	size_t len;

	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME MESSAGE\n", argv[0]);
		return 2;
	}
	len = strlen(argv[2]);
	if (len >= SECTION_SIZE) {
		fprintf(stderr, "writer: message longer than %d bytes\n", SECTION_SIZE - 1);
		return 2;
	}
	/* stdout is often a pipe read by a script waiting for each line. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	dev = sections_open_device();
	if (dev < 0)
		return fail("open " SECTIONS_DEVICE_PATH, dev);
	handle = sections_create(dev, SECTION_SIZE, SECTIONS_PAGE_READWRITE, argv[1],
				 SECTIONS_HANDLE_CLOEXEC, &existed);
	if (handle < 0)
		return fail("create", handle);
	ret = sections_query(handle, &info, name, sizeof(name));
	if (ret)
		return fail("query", ret);
	printf("writer: created \"%s\": %s section \"%s\", %" PRIu64 " bytes, mode %03" PRIo32 "\n",
	       argv[1], existed ? "existing" : "new", name, (uint64_t)info.size, info.mode);

	/* Length 0: the whole section. */
	ret = sections_map_view(handle, 0, 0, PROT_READ | PROT_WRITE, 0, &view);
	if (ret)
		return fail("map view", ret);
	memcpy(view, argv[2], len + 1);
	printf("writer: wrote \"%s\" to the view at %p\n", argv[2], view);

	ret = sections_query_pages(handle, 0, 1, &page);
	if (ret)
		return fail("query pages", ret);
	printf("writer: page 0 share count: %" PRIu32 "\n", page.share_count);
	printf("writer: ready\n");

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "") || !strcmp(line, "quit"))
			break;
		if (!strcmp(line, "close") && handle >= 0) {
			close(handle);
			handle = -1;
			printf("writer: closed the handle; the view stays mapped\n");
		} else if (!strcmp(line, "show") && view) {
			if (show(dev, view))
				status = 1;
		} else if (!strcmp(line, "unmap") && view) {
			ret = sections_unmap_view(dev, view);
			if (ret) {
				status = fail("unmap view", ret);
			} else {
				view = NULL;
				printf("writer: unmapped the view\n");
			}
		} else {
			printf("writer: cannot \"%s\" now (commands: close, show, unmap, quit)\n",
			       line);
		}
		printf("writer: ready\n");
	}

	if (handle >= 0)
		close(handle);
	if (view) {
		ret = sections_unmap_view(dev, view);
		if (ret)
			status = fail("unmap view", ret);
	}
	close(dev);
	printf("writer: done\n");
	return status;
}

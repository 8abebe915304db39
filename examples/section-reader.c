// SPDX-License-Identifier: GPL-2.0
/*
 * section-reader NAME
 *
 * Opens the named section NAME with map-read and query access, maps a read
 * view of it, prints the NUL-terminated message it holds and the share count
 * of page 0: counted by offset through the handle and by address through the
 * view. While section-writer still maps the page this is 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sections.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "reader: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct sections_page_info by_offset, by_addr;
	struct sections_info info;
	int dev, handle, ret;
	const char *view;
	void *addr = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: %s NAME\n", argv[0]);
		return 2;
	}

	dev = sections_open_device();
	if (dev < 0)
		return fail("open " SECTIONS_DEVICE_PATH, dev);
	handle = sections_open(dev, argv[1], SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_QUERY,
			       SECTIONS_HANDLE_CLOEXEC);
	if (handle < 0)
		return fail("open section", handle);
	ret = sections_map_view(handle, 0, 0, PROT_READ, 0, &addr);
	if (ret)
		return fail("map view", ret);
	ret = sections_query(handle, &info, NULL, 0);
	if (ret)
		return fail("query", ret);
	printf("reader: opened and mapped \"%s\": %" PRIu64 " bytes; the section has %" PRIu32
	       " handles and %" PRIu32 " views\n",
	       argv[1], (uint64_t)info.size, info.handles, info.views);
	view = addr;
	/* Reading the message faults page 0 into this view. */
	printf("reader: message: \"%.*s\"\n", (int)strnlen(view, info.size), view);

	ret = sections_query_pages(handle, 0, 1, &by_offset);
	if (ret)
		return fail("query pages", ret);
	ret = sections_query_view_pages(dev, view, 1, &by_addr);
	if (ret)
		return fail("query view pages", ret);
	printf("reader: page 0 share count: %" PRIu32 "\n", by_offset.share_count);
	printf("reader: page 0 share count: %" PRIu32 " (by view address)\n",
	       by_addr.share_count);

	ret = sections_unmap_view(dev, addr);
	if (ret)
		return fail("unmap view", ret);
	close(handle);
	close(dev);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * section-open-check NAME
 *
 * Tells whether a section of that name can be opened right now (with query
 * access). Exit status, as grep's: 0 it exists, 1 not found (ENOENT),
 * 2 any other error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sections.h>

int main(int argc, char **argv)
{
	int dev, handle;

	if (argc != 2) {
		fprintf(stderr, "usage: %s NAME\n", argv[0]);
		return 2;
	}
	dev = sections_open_device();
	if (dev < 0) {
		fprintf(stderr, "open-check: open %s: %s\n", SECTIONS_DEVICE_PATH,
			strerror(-dev));
		return 2;
	}
	handle = sections_open(dev, argv[1], SECTIONS_ACCESS_QUERY, SECTIONS_HANDLE_CLOEXEC);
	close(dev);
	if (handle >= 0) {
		close(handle);
		printf("open-check: \"%s\": exists\n", argv[1]);
		return 0;
	}
	if (handle == -ENOENT) {
		printf("open-check: \"%s\": not found\n", argv[1]);
		return 1;
	}
	printf("open-check: \"%s\": cannot open: %s\n", argv[1], strerror(-handle));
	return 2;
}

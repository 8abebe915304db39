// SPDX-License-Identifier: GPL-2.0
/*
 * sections_powercut DIR: the guest half of the power-cut test (scripts/check
 * has the host half). In DIR, on the test disk, it makes a durable file of
 * PAGES pages of 'o', then through one view of a file-backed section:
 *   page 0  written 'D', durable flush                  -> must survive
 *   page 1  written 'M', still mapped, never flushed    -> must stay 'o'
 *   pages 2.. written 'L', unmapped (lazy write-back)   -> each 'o' or 'L'
 * and cuts the power (sysrq b) without any sync. The host then reads the file
 * from the disk image: no page may be torn or zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>
#include <linux/sections.h>

#define PAGES 16

static int fail(const char *what)
{
	printf("powercut: FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE);
	struct sections_create_args args;
	struct sections_flush_args flush;
	char path[256], *buf, *view, *keep;
	int dev, fd, dir, h, i;
	FILE *sysrq;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/powercut", argv[1]);
	buf = malloc(ps);
	if (!buf)
		return fail("malloc");
	memset(buf, 'o', ps);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("open");
	for (i = 0; i < PAGES; i++)
		if (write(fd, buf, ps) != ps)
			return fail("write");
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fsync(fd) || dir < 0 || fsync(dir))
		return fail("fsync");

	dev = open("/dev/sections", O_RDWR);
	if (dev < 0)
		return fail("/dev/sections");
	memset(&args, 0, sizeof(args));
	args.protection = SECTIONS_PAGE_READWRITE;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	h = ioctl(dev, SECTIONS_IOC_CREATE, &args);
	if (h < 0)
		return fail("create");
	view = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	if (view == MAP_FAILED)
		return fail("mmap");
	memset(view, 'D', ps);
	memset(&flush, 0, sizeof(flush));
	flush.addr = (unsigned long)view;
	flush.len = ps;
	flush.flags = SECTIONS_FLUSH_DURABLE;
	if (ioctl(dev, SECTIONS_IOC_FLUSH_VIEW, &flush))
		return fail("durable flush");
	memset(view + ps, 'M', ps);
	/*
	 * A second view keeps page 1 mapped while the first goes: once it has
	 * touched the page (a view that has not does not count in its share
	 * count, and the page would be written once the first view goes).
	 */
	keep = mmap(NULL, ps, PROT_READ, MAP_SHARED, h, ps);
	if (keep == MAP_FAILED)
		return fail("mmap page 1");
	if (*(volatile char *)keep != 'M')
		return fail("page 1 through the second view");
	memset(view + 2 * ps, 'L', (PAGES - 2) * ps);
	if (munmap(view, PAGES * ps))
		return fail("munmap");
	/* Let the lazy writer run, or not: either is allowed. */
	usleep(300000);
	printf("powercut: cutting the power\n");
	fflush(stdout);
	/* The reset drops what the serial port has not sent yet: let the line out first. */
	tcdrain(STDOUT_FILENO);
	sleep(1);
	sysrq = fopen("/proc/sysrq-trigger", "w");
	if (!sysrq)
		return fail("sysrq");
	fputc('b', sysrq);
	fclose(sysrq);
	sleep(10);
	return fail("still running after sysrq b");
}

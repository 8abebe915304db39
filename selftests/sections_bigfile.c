// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded memory: a file-backed section twice the size of RAM, written end
 * to end through one view, must finish without OOM and leave the file exactly
 * right. Reclaim trims dirty pages from the view (their share count drops to
 * zero), the writers write them, and reclaim frees them.
 *
 * Run in a small guest with an ext4 disk: SECTIONS_BIGFILE_DIR names the
 * mounted directory (default /mnt).
 */
#include "sections_test.h"

#include <sys/stat.h>

static unsigned long mem_total(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

static unsigned long vmstat(const char *key)
{
	char name[64];
	unsigned long v, found = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %lu", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	if (f)
		fclose(f);
	return found;
}

FIXTURE(big) {
	int unused;
};

FIXTURE_SETUP(big)
{
}

FIXTURE_TEARDOWN(big)
{
}

TEST_F_TIMEOUT(big, twice_ram_through_one_view, 1800)
{
	const char *dir = getenv("SECTIONS_BIGFILE_DIR") ?: "/mnt";
	unsigned long ps = page_size(), oom_before, pages, i, bad = 0;
	struct sections_create_args args;
	unsigned long long size;
	char path[256], *view, *buf;
	int dev, fd, h;

	size = 2ULL * mem_total();
	ASSERT_LT(0, size);
	pages = size / ps;
	size = (unsigned long long)pages * ps;
	snprintf(path, sizeof(path), "%s/sections-bigfile", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd) TH_LOG("%s: is the test disk mounted there?", path);
	dev = sections_open_dev();
	ASSERT_LE(0, dev);

	memset(&args, 0, sizeof(args));
	args.size = size;
	args.protection = SECTIONS_PAGE_READWRITE;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	h = ioctl(dev, SECTIONS_IOC_CREATE, &args);
	ASSERT_LE(0, h);
	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	ASSERT_NE(MAP_FAILED, view);
	TH_LOG("writing %llu MiB through one view (RAM %lu MiB)", size >> 20, mem_total() >> 20);

	oom_before = vmstat("oom_kill");
	for (i = 0; i < pages; i++) {
		unsigned long *p = (unsigned long *)(view + i * ps);

		p[0] = i;
		p[ps / sizeof(*p) - 1] = ~i;
	}
	ASSERT_EQ(0, munmap(view, size));
	ASSERT_EQ(0, close(h));
	EXPECT_EQ(oom_before, vmstat("oom_kill"));

	/* The last handle and view are gone: the teardown writes the rest. Wait for it. */
	buf = malloc(ps);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 600; i++) {
		unsigned long last[2];

		if (pread(fd, last, sizeof(last), size - ps) == sizeof(last) &&
		    last[0] == pages - 1)
			break;
		usleep(100000);
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	for (i = 0; i < pages; i++) {
		unsigned long *p = (unsigned long *)buf;

		if (pread(fd, buf, ps, (off_t)i * ps) != (ssize_t)ps || p[0] != i ||
		    p[ps / sizeof(*p) - 1] != ~i) {
			if (bad++ < 5)
				TH_LOG("page %lu wrong: %lx", i, p[0]);
		}
	}
	EXPECT_EQ(0, bad);
	free(buf);
	close(fd);
	unlink(path);
	close(dev);
}

TEST_HARNESS_MAIN

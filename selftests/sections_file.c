// SPDX-License-Identifier: GPL-2.0
/*
 * File-backed sections: one control area per file, deferred write-back until
 * the share count is zero, flush, write errors, truncation, copy-on-write.
 *
 * The lazy writer's delay is set to DELAY_MS for the run; checks that data
 * has NOT reached the file wait several delays, checks that it has poll.
 */
#include "sections_test.h"

#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define DELAY_MS	200
#define DELAY_PARAM	"/sys/module/sections/parameters/writeback_delay_ms"
#define MAX_DIRTY_PARAM	"/sys/module/sections/parameters/max_dirty_percent"

/* Set a module parameter (the tests run as root). */
static void set_param(const char *path, unsigned int val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%u\n", val);
		fclose(f);
	}
}

static void set_delay(unsigned int ms)
{
	set_param(DELAY_PARAM, ms);
}

static void set_max_dirty(unsigned int pct)
{
	set_param(MAX_DIRTY_PARAM, pct);
}

/* MemTotal in pages, or 0. */
static unsigned long ram_pages(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024 / page_size();
}

static void quiet_wait(void)
{
	usleep(4 * DELAY_MS * 1000);
}

/* The first @len bytes of @path at @off, as read() sees them. */
static int file_bytes(const char *path, off_t off, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Wait up to 10 s for @path to hold @want at @off. */
static int file_becomes(const char *path, off_t off, const char *want)
{
	char buf[64];
	size_t len = strlen(want);
	int i;

	for (i = 0; i < 200; i++) {
		if (!file_bytes(path, off, buf, len) && !memcmp(buf, want, len))
			return 1;
		usleep(50000);
	}
	return 0;
}

static int file_is(const char *path, off_t off, const char *want)
{
	char buf[64];
	size_t len = strlen(want);

	return !file_bytes(path, off, buf, len) && !memcmp(buf, want, len);
}

static int sec_create_file(int dev, int fd, __u64 size, __u32 protection, const char *name)
{
	struct sections_create_args args;

	memset(&args, 0, sizeof(args));
	args.size = size;
	args.protection = protection;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	if (name) {
		args.name = (unsigned long)name;
		args.name_len = strlen(name);
	}
	return ioctl(dev, SECTIONS_IOC_CREATE, &args);
}

FIXTURE(file) {
	int dev;
	long ps;
	char dir[64];
	char path[96];
	int fd;
};

FIXTURE_SETUP(file)
{
	char *buf;
	long i;

	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev);
	self->ps = page_size();
	set_delay(DELAY_MS);
	set_fault_around(0);
	strcpy(self->dir, "/tmp/sections-file-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/data", self->dir);
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, self->fd);
	/* Four pages: page i is filled with 'a' + i. */
	buf = malloc(self->ps);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 4; i++) {
		memset(buf, 'a' + i, self->ps);
		ASSERT_EQ(self->ps, write(self->fd, buf, self->ps));
	}
	free(buf);
}

FIXTURE_TEARDOWN(file)
{
	char cmd[128];

	close(self->fd);
	close(self->dev);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
	set_delay(3000);
	set_max_dirty(10);
	set_fault_around(0);
}

TEST_F(file, view_reads_the_file)
{
	struct sections_info info;
	char *view;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(SECTIONS_BACKING_FILE, info.backing);
	EXPECT_EQ(4 * self->ps, info.size);
	EXPECT_EQ(0, info.write_error);
	view = sec_map(h, 4 * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ('a', view[0]);
	EXPECT_EQ('c', view[2 * self->ps + 5]);
	EXPECT_EQ('d', view[4 * self->ps - 1]);
	munmap(view, 4 * self->ps);
	close(h);
}

TEST_F(file, write_deferred_until_last_unmap)
{
	struct sections_page_info pi;
	char *view;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memcpy(view, "NEW1", 4);
	pi = sec_page(h, 0);
	EXPECT_EQ(1, pi.share_count);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, pi.flags);
	quiet_wait();
	EXPECT_TRUE(file_is(self->path, 0, "aaaa"));
	ASSERT_EQ(0, munmap(view, 4 * self->ps));
	EXPECT_TRUE(file_becomes(self->path, 0, "NEW1"));
	pi = sec_page(h, 0);
	EXPECT_EQ(0, pi.share_count);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT, pi.flags);
	close(h);
}

TEST_F(file, other_process_mapping_holds_writeback_back)
{
	struct lockstep ls;
	char *view;
	pid_t pid;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		touch_read(view);
		child_post(&ls, 'm');
		child_wait(&ls);
		_exit(munmap(view, self->ps) ? 1 : 0);
	}
	ASSERT_EQ('m', parent_wait(&ls));
	memcpy(view, "HELD", 4);
	EXPECT_EQ(2, sec_page(h, 0).share_count);
	ASSERT_EQ(0, munmap(view, self->ps));
	EXPECT_EQ(1, sec_page(h, 0).share_count);
	quiet_wait();
	EXPECT_TRUE(file_is(self->path, 0, "aaaa"));
	parent_post(&ls, 'u');
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_TRUE(file_becomes(self->path, 0, "HELD"));
	close(h);
}

TEST_F(file, flush_writes_mapped_pages_now)
{
	struct sections_page_info pi;
	char *view;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memcpy(view + self->ps, "FLU1", 4);
	memcpy(view + 2 * self->ps, "NOTF", 4);
	/* Flush page 1 only. */
	ASSERT_EQ(0, sec_flush(self->dev, view + self->ps, self->ps, 0));
	EXPECT_TRUE(file_is(self->path, self->ps, "FLU1"));
	EXPECT_TRUE(file_is(self->path, 2 * self->ps, "cccc"));
	pi = sec_page(h, self->ps);
	EXPECT_EQ(1, pi.share_count);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT, pi.flags);
	/* The next write dirties the page again, and nothing is written meanwhile. */
	memcpy(view + self->ps, "FLU2", 4);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, sec_page(h, self->ps).flags);
	quiet_wait();
	EXPECT_TRUE(file_is(self->path, self->ps, "FLU1"));
	/* Durable flush of the whole view, then msync(MS_SYNC). */
	ASSERT_EQ(0, sec_flush(self->dev, view, 0, SECTIONS_FLUSH_DURABLE));
	EXPECT_TRUE(file_is(self->path, self->ps, "FLU2"));
	EXPECT_TRUE(file_is(self->path, 2 * self->ps, "NOTF"));
	memcpy(view + 3 * self->ps, "MSYN", 4);
	ASSERT_EQ(0, msync(view, 4 * self->ps, MS_SYNC));
	EXPECT_TRUE(file_is(self->path, 3 * self->ps, "MSYN"));
	munmap(view, 4 * self->ps);
	close(h);
}

TEST_F(file, sections_on_one_file_share_pages)
{
	char *v1, *v2;
	int fd2, h1, h2;

	h1 = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h1);
	fd2 = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd2);
	h2 = sec_create_file(self->dev, fd2, 0, SECTIONS_PAGE_READONLY, NULL);
	ASSERT_LE(0, h2);
	/* The caller may close its fds at once. */
	close(fd2);
	v1 = sec_map(h1, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	v2 = sec_map(h2, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, v1);
	ASSERT_NE(MAP_FAILED, v2);
	memcpy(v1, "COHR", 4);
	EXPECT_EQ(0, memcmp(v2, "COHR", 4));
	EXPECT_EQ(2, sec_page(h1, 0).share_count);
	EXPECT_EQ(2, sec_page(h2, 0).share_count);
	munmap(v1, self->ps);
	munmap(v2, self->ps);
	close(h1);
	close(h2);
	/* The last section's teardown writes what is left. */
	EXPECT_TRUE(file_becomes(self->path, 0, "COHR"));
}

TEST_F(file, caller_fd_closed_early)
{
	char *view;
	int fd, h;

	fd = open(self->path, O_RDWR);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, close(fd));
	view = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ('a', view[0]);
	memcpy(view, "EARL", 4);
	ASSERT_EQ(0, close(h));
	ASSERT_EQ(0, munmap(view, self->ps));
	EXPECT_TRUE(file_becomes(self->path, 0, "EARL"));
}

TEST_F(file, larger_section_grows_the_file)
{
	struct stat st;
	char *view;
	int fd, h;

	fd = open(self->path, O_RDWR | O_TRUNC);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 3 * self->ps + 100, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * self->ps + 100, st.st_size);
	view = sec_map(h, 4 * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ(0, view[3 * self->ps + 50]);
	munmap(view, 4 * self->ps);
	close(h);
	close(fd);
}

TEST_F(file, create_errors)
{
	struct sections_create_args args;
	int ro, wo, empty, dir, h;

	ro = open(self->path, O_RDONLY);
	wo = open(self->path, O_WRONLY);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	EXPECT_EQ(-1, sec_create_file(self->dev, ro, 0, SECTIONS_PAGE_READWRITE, NULL));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, sec_create_file(self->dev, ro, 0, SECTIONS_PAGE_EXECUTE_READWRITE, NULL));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, sec_create_file(self->dev, wo, 0, SECTIONS_PAGE_READONLY, NULL));
	EXPECT_EQ(EACCES, errno);
	/* A read-only section cannot grow the file. */
	EXPECT_EQ(-1, sec_create_file(self->dev, ro, 8 * self->ps, SECTIONS_PAGE_READONLY, NULL));
	EXPECT_EQ(EOVERFLOW, errno);
	h = sec_create_file(self->dev, ro, self->ps, SECTIONS_PAGE_WRITECOPY, NULL);
	EXPECT_LE(0, h);
	close(h);

	empty = open(self->dir, O_RDONLY);
	ASSERT_LE(0, empty);
	close(empty);
	empty = openat(AT_FDCWD, "/tmp/sections-empty-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, empty);
	EXPECT_EQ(-1, sec_create_file(self->dev, empty, 0, SECTIONS_PAGE_READWRITE, NULL));
	EXPECT_EQ(ENODATA, errno);
	close(empty);
	unlink("/tmp/sections-empty-file");

	dir = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dir);
	EXPECT_EQ(-1, sec_create_file(self->dev, dir, 0, SECTIONS_PAGE_READONLY, NULL));
	EXPECT_EQ(ENODEV, errno);
	close(dir);
	EXPECT_EQ(-1, sec_create_file(self->dev, 1000, 0, SECTIONS_PAGE_READONLY, NULL));
	EXPECT_EQ(EBADF, errno);

	/* A section's own handle is not a file to back a section. */
	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(-1, sec_create_file(self->dev, h, 0, SECTIONS_PAGE_READONLY, NULL));
	EXPECT_EQ(ENODEV, errno);
	close(h);

	/* An fd without SECTIONS_CREATE_FILE is a non-zero pad. */
	memset(&args, 0, sizeof(args));
	args.size = self->ps;
	args.protection = SECTIONS_PAGE_READWRITE;
	args.fd = self->fd;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_CREATE, &args));
	EXPECT_EQ(EINVAL, errno);
	close(ro);
	close(wo);
}

TEST_F(file, kill9_with_dirty_view_still_writes)
{
	struct lockstep ls;
	char *view;
	pid_t pid;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (view == MAP_FAILED)
			_exit(1);
		memcpy(view + 3 * self->ps, "KILL", 4);
		child_post(&ls, 'w');
		pause();
		_exit(0);
	}
	ASSERT_EQ('w', parent_wait(&ls));
	EXPECT_EQ(1, sec_page(h, 3 * self->ps).share_count);
	quiet_wait();
	EXPECT_TRUE(file_is(self->path, 3 * self->ps, "dddd"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(0, sec_page(h, 3 * self->ps).share_count);
	EXPECT_TRUE(file_becomes(self->path, 3 * self->ps, "KILL"));
	close(h);
}

TEST_F(file, copy_on_write_view_never_writes_the_file)
{
	struct sections_info info;
	char *cow;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_WRITECOPY, NULL);
	ASSERT_LE(0, h);
	cow = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, cow);
	memcpy(cow, "PRIV", 4);
	EXPECT_EQ(0, sec_page(h, 0).share_count);
	EXPECT_EQ(0, sec_flush(self->dev, cow, 0, SECTIONS_FLUSH_DURABLE));
	munmap(cow, self->ps);
	quiet_wait();
	EXPECT_TRUE(file_is(self->path, 0, "aaaa"));
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(0, info.write_error);
	close(h);
}

TEST_F(file, page_query_is_exact)
{
	struct sections_page_info pi[4];
	char *view;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	/* No read-around: only the pages touched come in. */
	ASSERT_EQ(0, madvise(view, 4 * self->ps, MADV_RANDOM));
	touch_read(view + self->ps);
	touch_write(view + 2 * self->ps, 'Z');
	poison_pages(pi, 4);
	ASSERT_EQ(0, sec_query_view_pages(self->dev, view, 4, pi));
	EXPECT_EQ(0, pi[0].share_count);
	EXPECT_EQ(0, pi[0].flags);
	EXPECT_EQ(1, pi[1].share_count);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT, pi[1].flags);
	EXPECT_EQ(1, pi[2].share_count);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, pi[2].flags);
	EXPECT_EQ(0, pi[3].share_count);
	munmap(view, 4 * self->ps);
	close(h);
}

/* Share counts and flags of the four pages of the view at @view. */
static void query4(struct __test_metadata *_metadata, int dev, char *view,
		   struct sections_page_info *pi)
{
	poison_pages(pi, 4);
	ASSERT_EQ(0, sec_query_view_pages(dev, view, 4, pi));
}

/*
 * fault_around=1: a read fault maps the neighbours already in memory, and
 * share counts count them; mapped read-only, so a write to one still
 * faults, makes it dirty, and only that page reaches the file. Off (the
 * default) a fault maps its own page alone.
 */
TEST_F(file, fault_around_maps_resident_neighbours_and_counts_them)
{
	struct sections_page_info pi[4];
	char *view;
	int h, i;

	if (kernel_fault_around_pages() < 4)
		SKIP(return, "the kernel's fault-around maps fewer than 4 pages");
	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	/* All four pages in the control area, mapped by nobody. */
	view = sec_map_aligned(h, 4 * self->ps, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, view);
	for (i = 0; i < 4; i++)
		ASSERT_EQ('a' + i, view[i * self->ps]);
	munmap(view, 4 * self->ps);

	view = sec_map_aligned(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ('b', view[self->ps]);
	query4(_metadata, self->dev, view, pi);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(i == 1, pi[i].share_count) TH_LOG("off: page %d", i);
		EXPECT_EQ(SECTIONS_PAGE_RESIDENT, pi[i].flags) TH_LOG("off: page %d", i);
	}
	munmap(view, 4 * self->ps);

	ASSERT_EQ(0, set_fault_around(1));
	view = sec_map_aligned(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ('b', view[self->ps]);
	query4(_metadata, self->dev, view, pi);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1, pi[i].share_count) TH_LOG("on: page %d", i);
		EXPECT_EQ(SECTIONS_PAGE_RESIDENT, pi[i].flags) TH_LOG("on: page %d", i);
	}
	/* Mapped around, then written: the write still makes it dirty. */
	touch_write(view + 3 * self->ps, 'Z');
	query4(_metadata, self->dev, view, pi);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(i == 3 ? SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY :
			  SECTIONS_PAGE_RESIDENT, pi[i].flags) TH_LOG("written: page %d", i);
	EXPECT_EQ('a', view[0]);
	EXPECT_EQ('c', view[2 * self->ps]);
	/*
	 * Bytes put in the file under the clean page 2 stay: a write-back of
	 * page 2 (counted dirty by mistake) would put its 'c's back over them.
	 */
	ASSERT_EQ(2, pwrite(self->fd, "QQ", 2, 2 * self->ps));
	munmap(view, 4 * self->ps);
	EXPECT_TRUE(file_becomes(self->path, 3 * self->ps, "Z"));
	quiet_wait();
	EXPECT_TRUE(file_is(self->path, 2 * self->ps, "QQ"));
	close(h);
}

/*
 * A file cut by someone else: fault-around maps none of the section's
 * pages past the new end, where a fault raises SIGBUS.
 */
TEST_F(file, fault_around_maps_nothing_past_a_cut_file_end)
{
	struct sections_page_info pi[4];
	char *view;
	pid_t pid;
	int h, i, status;

	if (kernel_fault_around_pages() < 4)
		SKIP(return, "the kernel's fault-around maps fewer than 4 pages");
	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READONLY, NULL);
	ASSERT_LE(0, h);
	view = sec_map_aligned(h, 4 * self->ps, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, view);
	for (i = 0; i < 4; i++)
		ASSERT_EQ('a' + i, view[i * self->ps]);
	munmap(view, 4 * self->ps);
	ASSERT_EQ(0, ftruncate(self->fd, self->ps));

	ASSERT_EQ(0, set_fault_around(1));
	view = sec_map_aligned(h, 4 * self->ps, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ('a', view[0]);
	query4(_metadata, self->dev, view, pi);
	EXPECT_EQ(1, pi[0].share_count);
	/* Still in the section, so fault-around would have found them. */
	for (i = 1; i < 4; i++) {
		EXPECT_EQ(0, pi[i].share_count) TH_LOG("page %d", i);
		EXPECT_EQ(SECTIONS_PAGE_RESIDENT, pi[i].flags) TH_LOG("page %d", i);
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		touch_read(view + 2 * self->ps);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	munmap(view, 4 * self->ps);
	close(h);
}

TEST_F(file, truncated_file_gives_sigbus)
{
	char *view;
	pid_t pid;
	int h, status;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READONLY, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, 4 * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	ASSERT_EQ(0, ftruncate(self->fd, self->ps));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		touch_read(view + 2 * self->ps);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	EXPECT_EQ('a', view[10]);
	munmap(view, 4 * self->ps);
	close(h);
}

/* Wait for page @i of @path to hold its letter, 'A' + i % 26; say what it holds if it never does. */
static bool letter_reaches_file(struct __test_metadata *_metadata, const char *path, long ps,
				unsigned long i)
{
	char want[2] = { 'A' + i % 26, 0 }, got = 0;

	if (file_becomes(path, i * ps, want))
		return true;
	file_bytes(path, i * ps, &got, 1);
	TH_LOG("page %lu holds %d in the file, not %d", i, got, want[0]);
	return false;
}

/*
 * Too many dirty pages: the writers trim mapped dirty pages from the view
 * (share count 0) and write them while the view is still mapped, and the
 * dirty pages stay near the limit. The lazy writer's delay is a minute here,
 * so only trimming can have written anything.
 */
TEST_F(file, too_many_dirty_pages_are_trimmed_and_written)
{
	unsigned long limit = ram_pages() / 100, pages = 3 * limit, i, dirty = 0;
	struct sections_page_info *info;
	char last = 1;
	char *view;
	int h;

	ASSERT_LT(0, limit);
	ASSERT_EQ(0, ftruncate(self->fd, pages * self->ps));
	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, pages * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	set_delay(60000);
	set_max_dirty(1);
	for (i = 0; i < pages; i++)
		memset(view + i * self->ps, 'A' + i % 26, self->ps);

	info = calloc(pages, sizeof(*info));
	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, sec_query_pages(h, 0, pages, info));
	for (i = 0; i < pages; i++)
		dirty += !!(info[i].flags & SECTIONS_PAGE_DIRTY);
	/* Page 0 went first: trimmed (no view maps it), written, clean. */
	EXPECT_EQ(0, info[0].share_count);
	EXPECT_FALSE(info[0].flags & SECTIONS_PAGE_DIRTY);
	EXPECT_TRUE(file_is(self->path, 0, "AAAA"));
	/* The page written last is still mapped, dirty, and not in the file. */
	EXPECT_EQ(1, info[pages - 1].share_count);
	EXPECT_TRUE(info[pages - 1].flags & SECTIONS_PAGE_DIRTY);
	EXPECT_EQ(0, file_bytes(self->path, (pages - 1) * self->ps, &last, 1));
	EXPECT_EQ(0, last);
	/* Bounded: the limit, and what was dirtied while the writers caught up. */
	EXPECT_GE(limit + limit / 4 + 64, dirty) TH_LOG("%lu dirty pages, limit %lu", dirty, limit);
	EXPECT_LT(0, dirty);

	set_max_dirty(10);
	set_delay(DELAY_MS);
	munmap(view, pages * self->ps);
	close(h);
	/*
	 * Every page reaches the file once the view is gone, but not in index
	 * order: a lazy pass that ran during munmap() wrote the pages already
	 * unmapped and skipped the rest, which teardown writes after it.
	 */
	for (i = 0; i < pages; i += 97) {
		bool written = letter_reaches_file(_metadata, self->path, self->ps, i);

		EXPECT_TRUE(written);
		if (!written)
			break;
	}
	EXPECT_TRUE(letter_reaches_file(_metadata, self->path, self->ps, pages - 1));
	free(info);
}

TEST_F(file, named_file_section_opens_by_name)
{
	char name[64], *v1, *v2;
	int h1, h2;

	uniq_name(name, sizeof(name), "file");
	h1 = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, name);
	ASSERT_LE(0, h1);
	h2 = sec_open(self->dev, name, SECTIONS_ACCESS_MAP_READ);
	ASSERT_LE(0, h2);
	v1 = sec_map(h1, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	v2 = sec_map(h2, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, v1);
	ASSERT_NE(MAP_FAILED, v2);
	memcpy(v1, "NAME", 4);
	EXPECT_EQ(0, memcmp(v2, "NAME", 4));
	munmap(v1, self->ps);
	munmap(v2, self->ps);
	close(h1);
	close(h2);
}

/* A write-back that fails keeps the page dirty and is reported; nothing is lost. */
TEST(write_error_is_reported_and_data_kept)
{
	char dir[] = "/tmp/sections-enospc-XXXXXX", path[64], *view;
	struct sections_info info;
	long ps = page_size();
	int dev, fd, h, i, ret;

	dev = sections_open_dev();
	ASSERT_LE(0, dev);
	set_delay(DELAY_MS);
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", 0, "size=64k"));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	/* 32 pages on a 16-page filesystem: the file is sparse until written. */
	h = sec_create_file(dev, fd, 32 * ps, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, 32 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	for (i = 0; i < 32; i++)
		memset(view + i * ps, 'A' + i % 26, ps);
	ret = sec_flush(dev, view, 0, 0);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ENOSPC, errno);
	/* The pages that did not fit are still dirty, and counted as such. */
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, sec_page(h, 31 * ps).flags);
	/* The lazy writer meets the error too; query shows it until a flush reports it. */
	ASSERT_EQ(0, munmap(view, 32 * ps));
	usleep(6 * DELAY_MS * 1000);
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(ENOSPC, info.write_error);
	/* With room again, a flush writes everything: no byte was dropped. */
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", MS_REMOUNT, "size=1m"));
	view = sec_map(h, 32 * ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	ret = sec_flush(dev, view, 0, 0);
	/* The lazy writer's error is reported once, by this flush or none if it already retried. */
	if (ret)
		EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, sec_flush(dev, view, 0, 0));
	for (i = 0; i < 32; i++) {
		char want[2] = { 'A' + i % 26, 0 };

		EXPECT_TRUE(file_is(path, i * ps + ps - 1, want));
	}
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(0, info.write_error);
	munmap(view, 32 * ps);
	close(h);
	close(fd);
	/* The control area lets the file go once the section is gone. */
	for (i = 0; i < 100 && umount(dir); i++)
		usleep(50000);
	EXPECT_EQ(0, rmdir(dir));
	set_delay(3000);
	close(dev);
}

/* msync() of a view whose handle is closed, racing munmap() of that view. */
struct msync_race {
	char *view;
	size_t len;
	volatile int stop;
	long calls;
	int bad_errno;
};

static void *msync_loop(void *arg)
{
	struct msync_race *r = arg;

	while (!r->stop) {
		/* Once the view is gone msync says ENOMEM; anything else is wrong. */
		if (msync(r->view, r->len, MS_SYNC) && errno != ENOMEM)
			r->bad_errno = errno;
		r->calls++;
	}
	return NULL;
}

/*
 * The MapViewOfFile-then-CloseHandle pattern: the view is the last holder of
 * the section, and munmap() frees it while another thread's msync() is in
 * the view file's ->fsync. The debug kernel's KASAN reported a use-after-free
 * here; the data must also reach the file.
 */
TEST_F(file, msync_races_munmap_after_close)
{
	struct msync_race r = { .len = 4 * self->ps };
	char last[2] = "";
	pthread_t thread;
	int i, h;

	for (i = 0; i < 200; i++) {
		h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
		ASSERT_LE(0, h);
		r.view = sec_map(h, r.len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, r.view);
		close(h);
		r.view[0] = 'A' + i % 26;
		r.stop = 0;
		ASSERT_EQ(0, pthread_create(&thread, NULL, msync_loop, &r));
		usleep(i % 7 * 100);
		ASSERT_EQ(0, munmap(r.view, r.len));
		r.stop = 1;
		ASSERT_EQ(0, pthread_join(thread, NULL));
		ASSERT_EQ(0, r.bad_errno) TH_LOG("msync: %s", strerror(r.bad_errno));
	}
	last[0] = 'A' + (i - 1) % 26;
	EXPECT_TRUE(file_becomes(self->path, 0, last)) TH_LOG("the last write did not reach the file");
}

/* A flush whose end lies in the last page below 2^64 must not wrap past the range check. */
TEST_F(file, flush_range_that_wraps_is_enxio)
{
	char *view;
	int h;

	h = sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL);
	ASSERT_LE(0, h);
	view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	view[0] = 'w';
	EXPECT_EQ(-1, sec_flush(self->dev, view, -(uintptr_t)view - 1, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, view, -(uintptr_t)view - self->ps / 2, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, view + 1, UINT64_MAX, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, view, 4 * self->ps + 1, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, 4 * self->ps, 0));
	EXPECT_TRUE(file_is(self->path, 0, "w"));
	munmap(view, 4 * self->ps);
	close(h);
}

/* Size 0 takes the file's size, which obeys SECTIONS_SIZE_MAX like a size asked for. */
TEST_F(file, size_zero_of_a_huge_file_is_efbig)
{
	ASSERT_EQ(0, ftruncate(self->fd, SECTIONS_SIZE_MAX + self->ps));
	EXPECT_EQ(-1, sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READONLY, NULL));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(-1, sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READWRITE, NULL));
	EXPECT_EQ(EFBIG, errno);
	ASSERT_EQ(0, ftruncate(self->fd, SECTIONS_SIZE_MAX));
	EXPECT_LE(0, close(sec_create_file(self->dev, self->fd, 0, SECTIONS_PAGE_READONLY, NULL)));
}

struct grow_arg {
	int dev, fd;
	__u64 size;
	int handle;
};

static void *grow_create(void *arg)
{
	struct grow_arg *g = arg;

	g->handle = sec_create_file(g->dev, g->fd, g->size, SECTIONS_PAGE_READWRITE, NULL);
	return NULL;
}

/*
 * Two creates that grow one file at once: whatever the order, the file ends
 * at the larger size; the smaller create never shrinks what the larger grew.
 */
TEST_F(file, concurrent_growth_never_shrinks)
{
	struct grow_arg big = { .dev = self->dev, .fd = self->fd },
			small = { .dev = self->dev, .fd = self->fd };
	pthread_t a, b;
	struct stat st;
	int i;

	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, ftruncate(self->fd, 0));
		big.size = (64 + i) * self->ps;
		small.size = (8 + i % 5) * self->ps;
		ASSERT_EQ(0, pthread_create(&a, NULL, grow_create, i & 1 ? &small : &big));
		ASSERT_EQ(0, pthread_create(&b, NULL, grow_create, i & 1 ? &big : &small));
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		ASSERT_LE(0, big.handle);
		ASSERT_LE(0, small.handle);
		ASSERT_EQ(0, fstat(self->fd, &st));
		EXPECT_EQ(big.size, st.st_size) TH_LOG("round %d", i);
		close(big.handle);
		close(small.handle);
	}
}

TEST_HARNESS_MAIN

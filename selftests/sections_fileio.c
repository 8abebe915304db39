// SPDX-License-Identifier: GPL-2.0
/*
 * File I/O mixed with views of the same file, as a Windows port does it
 * (WriteFile(hFile, view), ReadFile(hFile, view)), and what write-back does
 * to the file: whose credentials it runs with, which file description it
 * uses, which files a writable section is refused on.
 *
 * The backing files live in $SECTIONS_TEST_DIR (default /tmp): scripts/check
 * runs this program on tmpfs in the main guest and on ext4 and XFS disks in
 * the disk guests. A deadlock shows as a hang, which the guest's timeout
 * turns into a failed run.
 */
#include "sections_test.h"

#include <dirent.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <limits.h>
#include <time.h>

#define DELAY_PARAM	"/sys/module/sections/parameters/writeback_delay_ms"
#define MAX_DIRTY_PARAM	"/sys/module/sections/parameters/max_dirty_percent"
/* How long each race runs. */
#define RACE_NS		(3 * 1000000000LL)
/* The race's file: large enough that 1% of a small guest's RAM is exceeded (trimming). */
#define RACE_PAGES	1024

static void set_param(const char *path, unsigned int val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%u\n", val);
		fclose(f);
	}
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *test_dir(void)
{
	const char *d = getenv("SECTIONS_TEST_DIR");

	return d && *d ? d : "/tmp";
}

static int sec_create_file(int dev, int fd, __u64 size, __u32 protection)
{
	struct sections_create_args args;

	memset(&args, 0, sizeof(args));
	args.size = size;
	args.protection = protection;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	return ioctl(dev, SECTIONS_IOC_CREATE, &args);
}

/* Whether @len bytes of @path at @off are all @c. */
static bool file_all(const char *path, off_t off, size_t len, char c)
{
	char *buf = malloc(len);
	int fd = open(path, O_RDONLY);
	bool ok = false;
	size_t i;

	if (buf && fd >= 0 && pread(fd, buf, len, off) == (ssize_t)len) {
		for (i = 0; i < len && buf[i] == c; i++)
			;
		ok = i == len;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

/* How many of the bytes of @path from @off to its end are @c. */
static long file_count(const char *path, off_t off, char c)
{
	long n = 0, i;
	char buf[4096];
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((got = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (i = 0; i < got; i++)
			n += buf[i] == c;
		off += got;
	}
	close(fd);
	return got < 0 ? -1 : n;
}

/* Wait up to 20 s for file_all(). */
static bool file_becomes_all(const char *path, off_t off, size_t len, char c)
{
	int i;

	for (i = 0; i < 400; i++) {
		if (file_all(path, off, len, c))
			return true;
		usleep(50000);
	}
	return false;
}

/* The module lets go of a control area (and writes its last pages) after the last close. */
static bool file_mode_becomes(const char *path, mode_t mask, mode_t want)
{
	struct stat st;
	int i;

	for (i = 0; i < 400; i++) {
		if (!stat(path, &st) && (st.st_mode & mask) == want)
			return true;
		usleep(50000);
	}
	return false;
}

FIXTURE(fileio) {
	int dev;
	long ps;
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
};

FIXTURE_SETUP(fileio)
{
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev);
	self->ps = page_size();
	snprintf(self->dir, sizeof(self->dir), "%s/sections-fileio-XXXXXX", test_dir());
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0777));
	snprintf(self->path, sizeof(self->path), "%s/data", self->dir);
	set_param(DELAY_PARAM, 1);
}

/* A test that failed may leave its files append-only or immutable, which rm cannot remove. */
static void clear_inode_flags(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d = opendir(dir);
	int fd, fl;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!ioctl(fd, FS_IOC_GETFLAGS, &fl) && (fl & (FS_IMMUTABLE_FL | FS_APPEND_FL))) {
			fl &= ~(FS_IMMUTABLE_FL | FS_APPEND_FL);
			ioctl(fd, FS_IOC_SETFLAGS, &fl);
		}
		close(fd);
	}
	closedir(d);
}

FIXTURE_TEARDOWN(fileio)
{
	char cmd[PATH_MAX + 32];

	close(self->dev);
	clear_inode_flags(self->dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
	set_param(DELAY_PARAM, 3000);
	set_param(MAX_DIRTY_PARAM, 10);
}

/* A file of @pages pages of @c, opened with @flags. */
static int make_file(const char *path, long pages, char c, int flags)
{
	long ps = page_size(), i;
	char *buf = malloc(ps);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || !buf)
		goto fail;
	memset(buf, c, ps);
	for (i = 0; i < pages; i++)
		if (write(fd, buf, ps) != ps)
			goto fail;
	free(buf);
	if (!flags)
		return fd;
	close(fd);
	return open(path, O_RDWR | flags);
fail:
	free(buf);
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * A new file at @path of @pages pages of @c, a read-write section of all of
 * it (*@h) and a shared read-write view of the section: the view, or
 * MAP_FAILED with *@fd and *@h closed.
 */
static char *map_new_file(int dev, const char *path, long pages, char c, int *fd, int *h)
{
	size_t len = pages * page_size();
	char *view;

	*h = -1;
	*fd = make_file(path, pages, c, 0);
	if (*fd < 0)
		return MAP_FAILED;
	*h = sec_create_file(dev, *fd, 0, SECTIONS_PAGE_READWRITE);
	if (*h < 0)
		goto fail;
	view = sec_map(*h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (view != MAP_FAILED)
		return view;
	close(*h);
fail:
	close(*fd);
	*fd = *h = -1;
	return MAP_FAILED;
}

/*
 * The race: a dirtier thread keeps writing the view and dropping it from
 * the page tables (MADV_DONTNEED: the share count drops to zero, the lazy
 * writer writes the pages; with the dirty limit at 1% trimming does too), a
 * flusher thread flushes a view of its own, and the test's thread does file
 * I/O of the backing file from or into the view, as WriteFile(hFile, view)
 * and ReadFile(hFile, view) do.
 */
struct race {
	int dev;
	char *view;		/* the I/O's view, which the dirtier writes */
	char *fview;		/* the flusher's view */
	size_t len;
	long ps;
	volatile int stop;
	long rounds, flushes;
};

/* Each step of the race is this much: short, so that a slow kernel still stops on time. */
#define RACE_CHUNK	(16 * page_size())

static void *dirtier(void *arg)
{
	struct race *r = arg;
	unsigned int c = 0;
	size_t off;

	while (!r->stop) {
		for (off = 0; off < r->len && !r->stop; off += RACE_CHUNK)
			memset(r->view + off, 'A' + c % 26, RACE_CHUNK);
		c++;
		madvise(r->view, r->len, MADV_DONTNEED);
		__atomic_add_fetch(&r->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *flusher(void *arg)
{
	struct race *r = arg;
	size_t off = 0;

	while (!r->stop) {
		/* Keep some pages mapped here: the lazy writer skips them, a flush writes them. */
		touch_read(r->fview + off);
		off = (off + 7 * r->ps) % r->len;
		sec_flush(r->dev, r->fview, 0, 0);
		__atomic_add_fetch(&r->flushes, 1, __ATOMIC_RELAXED);
		usleep(500);
	}
	return NULL;
}

enum io { IO_WRITE, IO_READ };

/* Run the race with the file opened with @oflags for the I/O (SKIP if refused). */
static void race(struct __test_metadata *_metadata, FIXTURE_DATA(fileio) *self, enum io io,
		 int oflags)
{
	size_t len = RACE_PAGES * self->ps;
	pthread_t td, tf;
	struct race r = { .dev = self->dev, .len = len, .ps = self->ps };
	long long end;
	long ios = 0;
	size_t off;
	ssize_t n;
	int fd, iofd, h;

	fd = make_file(self->path, RACE_PAGES, 'a', 0);
	ASSERT_LE(0, fd);
	iofd = oflags ? open(self->path, O_RDWR | oflags) : dup(fd);
	if (iofd < 0 && errno == EINVAL) {
		close(fd);
		SKIP(return, "%s refuses O_DIRECT", test_dir());
	}
	ASSERT_LE(0, iofd);
	set_param(MAX_DIRTY_PARAM, 1);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	r.view = sec_map(h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, r.view);
	r.fview = sec_map(h, len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, r.fview);
	ASSERT_EQ(0, pthread_create(&td, NULL, dirtier, &r));
	ASSERT_EQ(0, pthread_create(&tf, NULL, flusher, &r));
	end = now_ns() + RACE_NS;
	for (off = 0; now_ns() < end; off = (off + RACE_CHUNK) % len) {
		if (io == IO_WRITE)
			n = pwrite(iofd, r.view + off, RACE_CHUNK, off);
		else
			n = pread(iofd, r.view + off, RACE_CHUNK, off);
		if (n != RACE_CHUNK) {
			TH_LOG("%s returned %zd (%s)", io == IO_WRITE ? "pwrite" : "pread", n,
			       n < 0 ? strerror(errno) : "short");
			break;
		}
		ios++;
	}
	r.stop = 1;
	pthread_join(td, NULL);
	pthread_join(tf, NULL);
	/* Written out before the last round, so that it meets no throttling. */
	EXPECT_EQ(0, sec_flush(self->dev, r.view, 0, 0));
	TH_LOG("%ld %s of 16 pages of the file from its view, %ld dirtier rounds, %ld flushes", ios,
	       io == IO_WRITE ? "writes" : "reads", r.rounds, r.flushes);
	EXPECT_LT(0, ios);
	EXPECT_LT(0, r.rounds);
	/* What the view says last is what the file ends with. */
	memset(r.view, 'Q', len);
	ASSERT_EQ((ssize_t)len, pwrite(iofd, r.view, len, 0));
	ASSERT_EQ(0, munmap(r.view, len));
	ASSERT_EQ(0, munmap(r.fview, len));
	close(h);
	close(iofd);
	close(fd);
	EXPECT_TRUE(file_becomes_all(self->path, 0, len, 'Q'));
	EXPECT_EQ(0, kernel_taint());
}

/* The debug kernel under TCG is slow: time for the final write-back. */
TEST_F_TIMEOUT(fileio, write_file_from_its_view_racing_the_writer, 300)
{
	race(_metadata, self, IO_WRITE, 0);
}

TEST_F_TIMEOUT(fileio, read_file_into_its_view_racing_the_writer, 300)
{
	race(_metadata, self, IO_READ, 0);
}

TEST_F_TIMEOUT(fileio, direct_write_from_its_view_racing_the_writer, 300)
{
	race(_metadata, self, IO_WRITE, O_DIRECT);
}

TEST_F_TIMEOUT(fileio, direct_read_into_its_view_racing_the_writer, 300)
{
	race(_metadata, self, IO_READ, O_DIRECT);
}

/* The first write() of a file from an untouched view of it: faults fill the view meanwhile. */
TEST_F(fileio, first_write_from_an_untouched_view)
{
	size_t len = 64 * self->ps;
	char *view;
	int fd, h;

	view = map_new_file(self->dev, self->path, 64, 'u', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	/* Every page of the view is filled from the file while write() holds its locks. */
	ASSERT_EQ((ssize_t)len, pwrite(fd, view, len, 0));
	EXPECT_TRUE(file_all(self->path, 0, len, 'u'));
	ASSERT_EQ(0, munmap(view, len));
	close(h);
	close(fd);
}

/*
 * Write-back runs as the user who made the section writable: a write(2)
 * by that user would clear the set-user-ID bit, so write-back does too,
 * even when the lazy writer (a kworker, which has every capability) does
 * it after that user has gone.
 */
TEST_F(fileio, writeback_clears_setuid_as_the_writer_would)
{
	struct stat st;
	pid_t pid;
	int fd;

	fd = make_file(self->path, 4, 's', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchown(fd, NOBODY, NOBODY));
	ASSERT_EQ(0, fchmod(fd, 04755));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(S_ISUID, st.st_mode & S_ISUID);
	close(fd);
	set_param(DELAY_PARAM, 200);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int dev, h;
		char *view;

		CHILD_CHECK(!drop_to_nobody());
		dev = sections_open_dev();
		CHILD_CHECK(dev >= 0);
		fd = open(self->path, O_RDWR);
		CHILD_CHECK(fd >= 0);
		h = sec_create_file(dev, fd, 0, SECTIONS_PAGE_READWRITE);
		CHILD_CHECK(h >= 0);
		view = sec_map(h, 4 * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(view != MAP_FAILED);
		memset(view, 'N', 4 * page_size());
		/* Unmapped and closed: the kworkers write the pages, after this process has gone. */
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_TRUE(file_becomes_all(self->path, 0, 4 * self->ps, 'N'));
	EXPECT_TRUE(file_mode_becomes(self->path, S_ISUID, 0));
}

/* Root keeps the bit, as write(2) by root does (CAP_FSETID). */
TEST_F(fileio, writeback_by_root_keeps_setuid)
{
	struct stat st;
	char *view;
	int fd, h;

	fd = make_file(self->path, 2, 'r', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchmod(fd, 04755));
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'R', 2 * self->ps);
	ASSERT_EQ(0, munmap(view, 2 * self->ps));
	close(h);
	close(fd);
	EXPECT_TRUE(file_becomes_all(self->path, 0, 2 * self->ps, 'R'));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(S_ISUID, st.st_mode & S_ISUID);
}

/*
 * The caller's file description is not the writer's: O_APPEND on it (at
 * open, or set later with fcntl by any holder) does not send write-back to
 * the end of the file.
 */
static void append_case(struct __test_metadata *_metadata, FIXTURE_DATA(fileio) *self,
			bool later)
{
	struct stat st;
	char *view;
	int fd, h;

	fd = make_file(self->path, 4, 'p', later ? 0 : O_APPEND);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	if (later)
		ASSERT_EQ(0, fcntl(fd, F_SETFL, O_APPEND));
	view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'W', self->ps);
	ASSERT_EQ(0, sec_flush(self->dev, view, 0, 0));
	EXPECT_TRUE(file_all(self->path, 0, self->ps, 'W'));
	EXPECT_TRUE(file_all(self->path, self->ps, 3 * self->ps, 'p'));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(4 * self->ps, st.st_size);
	ASSERT_EQ(0, munmap(view, 4 * self->ps));
	close(h);
	close(fd);
}

TEST_F(fileio, o_append_at_open_does_not_redirect_writeback)
{
	append_case(_metadata, self, false);
}

TEST_F(fileio, o_append_set_later_does_not_redirect_writeback)
{
	append_case(_metadata, self, true);
}

/* A section of a file opened O_DIRECT reads and writes its pages like any other. */
TEST_F(fileio, o_direct_backing_fd_works)
{
	char *view;
	int fd, h;

	fd = make_file(self->path, 4, 'd', O_DIRECT);
	if (fd < 0 && errno == EINVAL)
		SKIP(return, "%s refuses O_DIRECT", test_dir());
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ(0, child_access(view + 3 * self->ps, 0));
	EXPECT_EQ('d', view[3 * self->ps]);
	memset(view, 'D', 4 * self->ps);
	ASSERT_EQ(0, sec_flush(self->dev, view, 0, 0));
	EXPECT_TRUE(file_all(self->path, 0, 4 * self->ps, 'D'));
	ASSERT_EQ(0, munmap(view, 4 * self->ps));
	close(h);
	close(fd);
}

/* The dirty column of /proc/sections for the local name @name; LONG_MIN if absent. */
static long proc_dirty(const char *name)
{
	char line[512], n[256];
	long dirty, v = LONG_MIN;
	FILE *f = fopen(SECTIONS_PROC, "r");

	if (!f)
		return LONG_MIN;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %*u %*s %*u %*u %*o %*d %*d %*u %ld", n, &dirty) == 2 &&
		    !strcmp(n, name))
			v = dirty;
	fclose(f);
	return v;
}

struct dio_race {
	int dev, fd;
	char *view;
	size_t len;
	volatile int stop;
	long reads;
};

static void *dio_reader(void *arg)
{
	struct dio_race *r = arg;

	while (!r->stop)
		if (pread(r->fd, r->view, r->len, 0) == (ssize_t)r->len)
			r->reads++;
	return NULL;
}

/*
 * O_DIRECT reads into a view dirty its pages through get_user_pages(), at
 * I/O completion, with no write fault of ours; flushes racing them clean
 * the pages. The dirty count (the dirty column of /proc/sections) never
 * goes below zero and returns to zero once everything is written.
 */
TEST_F(fileio, direct_reads_into_a_view_keep_the_dirty_count_exact)
{
	size_t len = 64 * self->ps;
	struct dio_race r = { .dev = self->dev, .len = len };
	long long end;
	long d, lowest = 0;
	char name[64];
	pthread_t t;
	struct sections_create_args args;
	int fd, h, i;

	fd = make_file(self->path, 64, 'o', 0);
	ASSERT_LE(0, fd);
	r.fd = open(self->path, O_RDONLY | O_DIRECT);
	if (r.fd < 0 && errno == EINVAL) {
		close(fd);
		SKIP(return, "%s refuses O_DIRECT", test_dir());
	}
	ASSERT_LE(0, r.fd);
	snprintf(name, sizeof(name), "fio-%d-dirty", (int)getpid());
	memset(&args, 0, sizeof(args));
	args.protection = SECTIONS_PAGE_READWRITE;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	args.name = (uintptr_t)name;
	args.name_len = strlen(name);
	h = ioctl(self->dev, SECTIONS_IOC_CREATE, &args);
	ASSERT_LE(0, h);
	r.view = sec_map(h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, r.view);
	ASSERT_EQ(0, pthread_create(&t, NULL, dio_reader, &r));
	end = now_ns() + RACE_NS;
	while (now_ns() < end) {
		sec_flush(self->dev, r.view, 0, 0);
		d = proc_dirty(name);
		if (d != LONG_MIN && d < lowest)
			lowest = d;
	}
	r.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%ld direct reads into the view", r.reads);
	EXPECT_LT(0, r.reads);
	EXPECT_EQ(0, lowest);
	EXPECT_EQ(0, sec_flush(self->dev, r.view, 0, 0));
	for (i = 0; i < 100 && (d = proc_dirty(name)) != 0; i++)
		usleep(50000);
	EXPECT_EQ(0, d);
	EXPECT_TRUE(file_all(self->path, 0, len, 'o'));
	ASSERT_EQ(0, munmap(r.view, len));
	close(h);
	close(r.fd);
	close(fd);
}

/* ---- cached file I/O (SECTIONS_IOC_FILE_*) ---- */

static long file_io(int dev, unsigned long req, int fd, const void *buf, size_t len, __u64 off)
{
	struct sections_file_io a = {
		.fd = fd, .offset = off, .buf = (uintptr_t)buf, .len = len,
	};

	return ioctl(dev, req, &a);
}

static int file_op(int dev, unsigned long req, int fd, __u64 size)
{
	struct sections_file_args a = { .fd = fd, .size = size };

	return ioctl(dev, req, &a);
}

/* pread() of a fresh fd: what the file's page cache (and the disk) holds. */
static bool file_has(const char *path, off_t off, const char *want)
{
	char buf[64];
	size_t len = strlen(want);
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0 && pread(fd, buf, len, off) == (ssize_t)len && !memcmp(buf, want, len);

	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * As Windows' cached ReadFile and WriteFile: a view's write is read at once,
 * a write is seen by the views at once, and a view and a write changing
 * different bytes of one page both reach the file.
 */
TEST_F(fileio, cached_io_and_views_share_pages)
{
	char *view, buf[16];
	int fd, h;

	view = map_new_file(self->dev, self->path, 3, 'a', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);

	memcpy(view, "VIEW", 4);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "VIEW", 4));
	/* A plain read() does not see it: non-cached I/O, as the README says. */
	EXPECT_TRUE(file_has(self->path, 0, "aaaa"));

	EXPECT_EQ(4, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "FILE", 4, 100));
	EXPECT_EQ(0, memcmp(view + 100, "FILE", 4));
	view[200] = 'v';
	EXPECT_EQ(1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "w", 1, 300));
	/* Both a view's bytes and the write's are in the one page that is written. */
	ASSERT_EQ(0, sec_flush(self->dev, view, 0, 0));
	EXPECT_TRUE(file_has(self->path, 0, "VIEW"));
	EXPECT_TRUE(file_has(self->path, 100, "FILE"));
	EXPECT_TRUE(file_has(self->path, 200, "v"));
	EXPECT_TRUE(file_has(self->path, 300, "w"));
	EXPECT_TRUE(file_has(self->path, 4, "a"));

	/* WriteFile(hFile, view): the source is the very page written. */
	EXPECT_EQ(self->ps, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, view, self->ps, 0));
	EXPECT_EQ(self->ps, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, view + self->ps,
				    self->ps, 0));
	EXPECT_EQ('a', view[0]);
	/* ReadFile(hFile, view): into the very page read. */
	EXPECT_EQ(self->ps, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, view + 2 * self->ps,
				    self->ps, 2 * self->ps));
	EXPECT_EQ('a', view[2 * self->ps]);
	ASSERT_EQ(0, munmap(view, 3 * self->ps));
	close(h);
	close(fd);
}

/*
 * A write to a page no view maps: share count zero, dirty; the lazy writer
 * writes it, as it would a view's page once unmapped. FLUSH writes such
 * pages at once, but not a page a view maps (NT's rule), then fsyncs.
 */
TEST_F(fileio, cached_write_is_written_back_like_a_view)
{
	struct sections_page_info pi;
	char *view;
	int fd, h;

	fd = make_file(self->path, 4, 'b', 0);
	ASSERT_LE(0, fd);
	/* Long enough for the checks before the flush; the writer's kick stays queued that long. */
	set_param(DELAY_PARAM, 3000);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memcpy(view, "MAPD", 4);
	EXPECT_EQ(4, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "UNMP", 4, 2 * self->ps));
	pi = sec_page(h, 2 * self->ps);
	EXPECT_EQ(0, pi.share_count);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, pi.flags);
	EXPECT_TRUE(file_has(self->path, 2 * self->ps, "bbbb"));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_TRUE(file_has(self->path, 2 * self->ps, "UNMP"));
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT, sec_page(h, 2 * self->ps).flags);
	/* The mapped page waits for its view. */
	EXPECT_TRUE(file_has(self->path, 0, "bbbb"));
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, sec_page(h, 0).flags);
	/* Without the flush, the lazy writer writes an unmapped page. */
	set_param(DELAY_PARAM, 1);
	EXPECT_EQ(4, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "LAZY", 4, 3 * self->ps));
	EXPECT_TRUE(file_becomes_all(self->path, 3 * self->ps, 1, 'L'));
	ASSERT_EQ(0, munmap(view, self->ps));
	EXPECT_TRUE(file_becomes_all(self->path, 0, 1, 'M'));
	close(h);
	close(fd);
}

/*
 * A write through a section root made writable, by a user without
 * CAP_FSETID: the set-user-ID bit goes at once, as write(2) by that user
 * would drop it, though the write-back itself runs as root.
 */
TEST_F(fileio, cached_write_by_a_user_clears_setuid)
{
	struct stat st;
	pid_t pid;
	int fd, h;

	fd = make_file(self->path, 2, 'g', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchown(fd, NOBODY, NOBODY));
	ASSERT_EQ(0, fchmod(fd, 04755));
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int dev, f;

		CHILD_CHECK(!drop_to_nobody());
		dev = sections_open_dev();
		CHILD_CHECK(dev >= 0);
		f = open(self->path, O_RDWR);
		CHILD_CHECK(f >= 0);
		CHILD_CHECK(file_io(dev, SECTIONS_IOC_FILE_WRITE, f, "USER", 4, 0) == 4);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_mode & S_ISUID);
	close(h);
	close(fd);
	EXPECT_TRUE(file_becomes_all(self->path, 0, 1, 'U'));
}

/* Writes past the end grow the file; bytes beyond every section are plain I/O. */
TEST_F(fileio, cached_write_past_the_end_grows_the_file)
{
	struct stat st;
	char *view, buf[8];
	int fd, h;

	fd = make_file(self->path, 1, 'c', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 100));
	/* A section of 2 pages grows the file to 2 pages. */
	h = sec_create_file(self->dev, fd, 2 * self->ps, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	/* Past the file's end and past the section: one write, both parts. */
	EXPECT_EQ(8, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "ABCDEFGH", 8,
			     2 * self->ps - 4));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * self->ps + 4, st.st_size);
	EXPECT_EQ(0, memcmp(view + 2 * self->ps - 4, "ABCD", 4));
	EXPECT_TRUE(file_has(self->path, 2 * self->ps, "EFGH"));
	EXPECT_EQ(8, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 8, 2 * self->ps - 4));
	EXPECT_EQ(0, memcmp(buf, "ABCDEFGH", 8));
	/* At and past the end: nothing. */
	EXPECT_EQ(0, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 8, st.st_size));
	EXPECT_EQ(0, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 8, 1ULL << 40));
	ASSERT_EQ(0, munmap(view, 2 * self->ps));
	close(h);
	close(fd);
}

/* Resident pages of @h's first @n pages; *@shared: how many a view maps. */
static long resident_pages(int h, long n, long *shared)
{
	struct sections_page_info *pi = calloc(n, sizeof(*pi));
	long i, res = 0;

	*shared = 0;
	if (!pi || sec_query_pages(h, 0, n, pi)) {
		free(pi);
		return -1;
	}
	for (i = 0; i < n; i++) {
		res += !!(pi[i].flags & SECTIONS_PAGE_RESIDENT);
		*shared += pi[i].share_count;
	}
	free(pi);
	return res;
}

/*
 * A first-touch fault reads around, as one on a mapping of the file does:
 * the pages about it come in from the file with it (the control area's
 * ->readahead), unmapped, and a view then maps only the page touched. Under
 * MADV_RANDOM the kernel reads no more than that page. Before, the view
 * file had no readahead window: each fault read one page.
 */
TEST_F(fileio, a_first_touch_reads_the_pages_around_it)
{
	enum { PAGES = 256 };
	long i, res, shared;
	char *view;
	int fd, h;

	fd = make_file(self->path, PAGES, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < PAGES; i++)
		ASSERT_EQ(1, pwrite(fd, &(char){ 'A' + i % 26 }, 1, i * self->ps));
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));

	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	view = sec_map(h, PAGES * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ('A' + 100 % 26, view[100 * self->ps]);
	res = resident_pages(h, PAGES, &shared);
	TH_LOG("one page touched: %ld resident, %ld mapped", res, shared);
	EXPECT_LE(8, res);
	EXPECT_EQ(1, shared);
	EXPECT_EQ(1, sec_page(h, 100 * self->ps).share_count);
	/* What came in ahead is the file's: each page starts with its letter. */
	for (i = 80; i < 120; i++)
		EXPECT_EQ('A' + i % 26, view[i * self->ps]);
	ASSERT_EQ(0, munmap(view, PAGES * self->ps));
	close(h);

	/* MADV_RANDOM: the page touched, no more (a new section of the file, cold again). */
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	view = sec_map(h, PAGES * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	ASSERT_EQ(0, madvise(view, PAGES * self->ps, MADV_RANDOM));
	EXPECT_EQ('A' + 200 % 26, view[200 * self->ps]);
	res = resident_pages(h, PAGES, &shared);
	TH_LOG("one page touched under MADV_RANDOM: %ld resident, %ld mapped", res, shared);
	EXPECT_EQ(1, res);
	EXPECT_EQ(1, shared);
	ASSERT_EQ(0, munmap(view, PAGES * self->ps));
	close(h);
	close(fd);
}

/*
 * A file of one page and 100 bytes of 'f' at @path, a read-write section
 * of all of it (*@h) and a view of its two pages, the second of which
 * holds the file's end. Returns the view (MAP_FAILED on failure), the
 * file's fd in *@fd.
 */
static char *tail_file_view(int dev, const char *path, int *fd, int *h)
{
	long ps = page_size();
	char tail[100];

	*h = -1;
	*fd = make_file(path, 1, 'f', 0);
	if (*fd < 0 || pwrite(*fd, memset(tail, 'f', 100), 100, ps) != 100)
		return MAP_FAILED;
	*h = sec_create_file(dev, *fd, 0, SECTIONS_PAGE_READWRITE);
	if (*h < 0)
		return MAP_FAILED;
	return sec_map(*h, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}

/*
 * Bytes a view wrote past the file's end, in the page that holds the end,
 * are no file data: when the module grows the file (SetEndOfFile, a cached
 * write past the end, a larger section's create), the file reads as zeros
 * there, through the module, from a view and on disk after a write-back of
 * that page. Before, they came back: the control area's page kept them,
 * and its next write-back put them in the file.
 */
TEST_F(fileio, a_grown_file_reads_zeros_where_a_view_wrote_past_its_end)
{
	const char *how[] = { "SetEndOfFile", "a cached write past the end", "a larger create" };
	long ps = self->ps, eof = ps + 100;
	char *view, *big_view, c;
	int fd, h, big, way;

	for (way = 0; way < 3; way++) {
		view = tail_file_view(self->dev, self->path, &fd, &h);
		ASSERT_NE(MAP_FAILED, view);
		EXPECT_EQ('f', view[eof - 1]);
		EXPECT_EQ(0, view[eof]);
		/* Past the end: in the view's page, not in the file. */
		view[eof + 10] = 'G';
		view[ps] = 'v';
		ASSERT_EQ(0, sec_flush(self->dev, view, 2 * ps, SECTIONS_FLUSH_DURABLE));
		EXPECT_TRUE(file_has(self->path, ps, "v"));

		switch (way) {
		case 0:
			ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 3 * ps));
			break;
		case 1:
			ASSERT_EQ(1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "w", 1,
					     3 * ps - 1));
			break;
		default:
			big = sec_create_file(self->dev, fd, 3 * ps, SECTIONS_PAGE_READWRITE);
			ASSERT_LE(0, big);
			close(big);
			break;
		}
		EXPECT_EQ(3 * ps, lseek(fd, 0, SEEK_END));
		c = 'x';
		EXPECT_EQ(1, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, &c, 1, eof + 10));
		EXPECT_EQ(0, c) TH_LOG("%s: a cached read past the old end read %#x", how[way], c);
		EXPECT_EQ(0, view[eof + 10]) TH_LOG("%s: the view kept %#x", how[way],
						      view[eof + 10]);
		/* A larger section's view, and a write-back of the page: zeros on disk. */
		big = sec_create_file(self->dev, fd, 3 * ps, SECTIONS_PAGE_READWRITE);
		ASSERT_LE(0, big);
		big_view = sec_map(big, 3 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, big_view);
		EXPECT_EQ(0, big_view[eof + 10]);
		big_view[ps + 1] = 'b';
		ASSERT_EQ(0, sec_flush(self->dev, big_view, 3 * ps, SECTIONS_FLUSH_DURABLE));
		c = 'x';
		EXPECT_EQ(1, pread(fd, &c, 1, eof + 10));
		EXPECT_EQ(0, c) TH_LOG("%s: the file has %#x past its old end", how[way], c);
		EXPECT_TRUE(file_has(self->path, ps, "vb"));
		ASSERT_EQ(0, munmap(big_view, 3 * ps));
		ASSERT_EQ(0, munmap(view, 2 * ps));
		close(big);
		close(h);
		close(fd);
	}
}

/*
 * A grow that the caller's file-size limit refuses before it starts zeroes
 * nothing: the view keeps what it wrote past the end, and the file its
 * size, however the grow was asked for.
 */
TEST_F(fileio, a_grow_refused_by_the_size_limit_leaves_the_view_past_the_end_alone)
{
	static const char * const how[] = {
		"SetEndOfFile", "a cached write past the end", "a larger create"
	};
	long ps = self->ps, eof = ps + 100;
	struct rlimit old, lim;
	char *view;
	int fd, h, big, way, ret, err;

	ASSERT_EQ(0, getrlimit(RLIMIT_FSIZE, &old));
	for (way = 0; way < 3; way++) {
		view = tail_file_view(self->dev, self->path, &fd, &h);
		ASSERT_NE(MAP_FAILED, view);
		view[eof + 10] = 'G';

		lim.rlim_cur = eof;
		lim.rlim_max = old.rlim_max;
		signal(SIGXFSZ, SIG_IGN);
		ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &lim));
		switch (way) {
		case 0:
			ret = file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 3 * ps);
			break;
		case 1:
			ret = file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "w", 1, 3 * ps - 1);
			break;
		default:
			ret = big = sec_create_file(self->dev, fd, 3 * ps, SECTIONS_PAGE_READWRITE);
			if (big >= 0)
				close(big);
			break;
		}
		err = errno;
		ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &old));
		signal(SIGXFSZ, SIG_DFL);
		EXPECT_EQ(-1, ret) TH_LOG("%s", how[way]);
		EXPECT_EQ(EFBIG, err) TH_LOG("%s", how[way]);
		EXPECT_EQ(eof, lseek(fd, 0, SEEK_END)) TH_LOG("%s", how[way]);
		EXPECT_EQ('G', view[eof + 10]) TH_LOG("%s: the view has %#x past the end",
						       how[way], view[eof + 10]);
		ASSERT_EQ(0, munmap(view, 2 * ps));
		close(h);
		close(fd);
	}
}

/*
 * A cached write that the caller's file size limit cuts short still grows
 * the file (to the limit): what views wrote past the old end is zeroed.
 */
TEST_F(fileio, a_write_the_size_limit_cuts_short_still_zeroes_past_the_old_end)
{
	long ps = self->ps, eof = ps + 100;
	struct rlimit old, lim;
	char *view, buf[100], c;
	int fd, h;
	long ret;

	view = tail_file_view(self->dev, self->path, &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	view[eof + 10] = 'G';
	ASSERT_EQ(0, getrlimit(RLIMIT_FSIZE, &old));
	lim.rlim_cur = 2 * ps + 50;
	lim.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &lim));
	/* Past the section's pages: a plain write of the file, 50 of its 100 bytes. */
	ret = file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, memset(buf, 'w', 100), 100, 2 * ps);
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &old));
	signal(SIGXFSZ, SIG_DFL);
	EXPECT_EQ(50, ret);
	EXPECT_EQ(2 * ps + 50, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(0, view[eof + 10]);
	c = 'x';
	EXPECT_EQ(1, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, &c, 1, eof + 10));
	EXPECT_EQ(0, c);
	ASSERT_EQ(0, sec_flush(self->dev, view, 2 * ps, SECTIONS_FLUSH_DURABLE));
	c = 'x';
	EXPECT_EQ(1, pread(fd, &c, 1, eof + 10));
	EXPECT_EQ(0, c);
	ASSERT_EQ(0, munmap(view, 2 * ps));
	close(h);
	close(fd);
}

/*
 * A cached write through an O_APPEND file goes to the end, as write(2)
 * does (and WriteFile on a handle with FILE_APPEND_DATA alone): through
 * the section's page that holds the end when a section covers it, so that
 * the views see the bytes and no write-back of that page overwrites them.
 * Before, it was written to the file under the section's page, and a
 * flush of a view then put the page's old bytes over it.
 */
TEST_F(fileio, a_cached_write_through_o_append_goes_to_the_end_through_the_section)
{
	long ps = self->ps, eof = ps + 100;
	char *view, got[8] = { 0 };
	int fd, afd, h;

	view = tail_file_view(self->dev, self->path, &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	/* The page that holds the end, dirty. */
	view[ps] = 'v';
	afd = open(self->path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, afd);
	/* The offset is the end's, whatever the call says. */
	EXPECT_EQ(6, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, afd, "APPEND", 6, 5 * ps));
	EXPECT_EQ(eof + 6, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(0, memcmp(view + eof, "APPEND", 6));
	EXPECT_EQ(6, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, got, 6, eof));
	EXPECT_STREQ("APPEND", got);
	ASSERT_EQ(0, sec_flush(self->dev, view, 2 * ps, SECTIONS_FLUSH_DURABLE));
	EXPECT_TRUE(file_has(self->path, eof, "APPEND"));
	EXPECT_TRUE(file_has(self->path, ps, "v"));
	/* An end past the section's pages: a plain write, at the end too. */
	ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * ps + 10));
	EXPECT_EQ(2, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, afd, "ZZ", 2, 0));
	EXPECT_EQ(2 * ps + 12, lseek(fd, 0, SEEK_END));
	EXPECT_TRUE(file_has(self->path, 2 * ps + 10, "ZZ"));
	ASSERT_EQ(0, sec_flush(self->dev, view, 2 * ps, SECTIONS_FLUSH_DURABLE));
	EXPECT_TRUE(file_has(self->path, eof, "APPEND"));
	close(afd);
	ASSERT_EQ(0, munmap(view, 2 * ps));
	close(h);
	close(fd);
}

/*
 * An O_APPEND cached write that starts in the section's page that holds the
 * end and goes past the section's pages: the first part through the
 * section (the views see it), the rest appended to the file right after.
 */
TEST_F(fileio, an_o_append_write_across_the_sections_end_is_whole)
{
	long ps = self->ps, eof = ps + 100, i;
	char *view, *buf, *got;
	int fd, afd, h;

	buf = malloc(ps);
	got = malloc(ps);
	ASSERT_TRUE(buf && got);
	memset(buf, 'Q', ps);
	view = tail_file_view(self->dev, self->path, &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	view[ps] = 'v';
	afd = open(self->path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, afd);
	EXPECT_EQ(ps, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, afd, buf, ps, 0));
	EXPECT_EQ(eof + ps, lseek(fd, 0, SEEK_END));
	for (i = eof; i < 2 * ps && view[i] == 'Q'; i++)
		;
	EXPECT_EQ(2 * ps, i);
	EXPECT_EQ(ps, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, got, ps, eof));
	EXPECT_EQ(0, memcmp(got, buf, ps));
	ASSERT_EQ(0, sec_flush(self->dev, view, 2 * ps, SECTIONS_FLUSH_DURABLE));
	ASSERT_EQ(ps, pread(fd, got, ps, eof));
	EXPECT_EQ(0, memcmp(got, buf, ps));
	EXPECT_TRUE(file_has(self->path, ps, "v"));
	close(afd);
	ASSERT_EQ(0, munmap(view, 2 * ps));
	close(h);
	close(fd);
	free(buf);
	free(got);
}

struct grow_race {
	int dev, fd;
	long ps;
	int ready, go;
	long written;
};

static void *grow_race_writer(void *arg)
{
	struct grow_race *r = arg;

	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		;
	r->written = file_io(r->dev, SECTIONS_IOC_FILE_WRITE, r->fd, "X", 1, 32 * r->ps);
	return NULL;
}

/*
 * SetEndOfFile and a cached write past the sections that grows the file
 * happen one after the other, in either order, never interleaved: with the
 * file cut below a live section by someone else, SetEndOfFile to a size
 * between the cut and the section's end succeeds before the write (which
 * then grows the file past it) and is refused after it (the file is then
 * longer than the size, which is below the section). Interleaved, it read
 * the size before the write and cut the file after it: the written byte
 * was lost, an outcome of neither order.
 */
TEST_F(fileio, set_size_and_a_growing_write_past_the_sections_are_serialised)
{
	long ps = self->ps, rounds, before = 0, after = 0, spin;
	long long end = now_ns() + RACE_NS;
	struct grow_race r = { .dev = self->dev, .ps = ps };
	struct stat st;
	int fd, h, ret, err;
	pthread_t t;
	char c;

	fd = make_file(self->path, 16, 's', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 16 * ps, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	r.fd = fd;
	for (rounds = 0; now_ns() < end && rounds < 4000; rounds++) {
		/* Someone else's cut, below the section: not refused. */
		ASSERT_EQ(0, ftruncate(fd, 2 * ps));
		r.ready = r.go = 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, grow_race_writer, &r));
		while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
			;
		__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
		/* A head start for the write, from none to some: both orders happen. */
		for (spin = rounds % 64 * 500; spin; spin--)
			__asm__ __volatile__("" ::: "memory");
		ret = file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 4 * ps);
		err = errno;
		pthread_join(t, NULL);
		ASSERT_EQ(1, r.written);
		if (ret) {
			ASSERT_EQ(EBUSY, err);
			after++;
		} else {
			before++;
		}
		ASSERT_EQ(0, fstat(fd, &st));
		ASSERT_EQ(32 * ps + 1, st.st_size)
			TH_LOG("round %ld: SetEndOfFile %s, the file has %lld bytes", rounds,
			       ret ? "refused" : "done", (long long)st.st_size);
		ASSERT_EQ(1, pread(fd, &c, 1, 32 * ps));
		ASSERT_EQ('X', c);
	}
	TH_LOG("%ld rounds: SetEndOfFile first %ld times, the write first %ld times", rounds,
	       before, after);
	close(h);
	close(fd);
}

struct straddle_race {
	int dev, fd;
	long ps;
	int ready, go;
	char *buf;
	long written;
};

static void *straddle_writer(void *arg)
{
	struct straddle_race *r = arg;

	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		;
	r->written = file_io(r->dev, SECTIONS_IOC_FILE_WRITE, r->fd, r->buf, 8 * r->ps,
			     12 * r->ps);
	return NULL;
}

/*
 * A cached write across the end of the sections (its first half through
 * the control area, the rest plain) and SetEndOfFile's cut below it (a
 * larger section has gone, so the cut is allowed) happen one after the
 * other: the file ends at the cut (the write first), or holds the whole
 * write (the cut first). Interleaved, the cut dropped the pages the first
 * half had just written and the plain half then grew the file again: the
 * write said it wrote everything, and its first half read as zeros.
 */
TEST_F(fileio, a_cut_and_a_write_across_the_sections_end_are_serialised)
{
	long ps = self->ps, rounds, cut_last = 0, write_last = 0, spin, i;
	long long end = now_ns() + RACE_NS;
	struct straddle_race r = { .dev = self->dev, .ps = ps };
	char *got;
	struct stat st;
	int fd, h, big;
	pthread_t t;

	r.buf = malloc(8 * ps);
	got = malloc(8 * ps);
	ASSERT_TRUE(r.buf && got);
	memset(r.buf, 'W', 8 * ps);
	fd = make_file(self->path, 16, 's', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, ps, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	r.fd = fd;
	for (rounds = 0; now_ns() < end && rounds < 2000; rounds++) {
		ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 16 * ps));
		/* A section of the whole file, gone: the control area still reaches 16 pages. */
		big = sec_create_file(self->dev, fd, 16 * ps, SECTIONS_PAGE_READWRITE);
		ASSERT_LE(0, big);
		close(big);
		r.ready = r.go = 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, straddle_writer, &r));
		while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
			;
		__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
		for (spin = rounds % 64 * 500; spin; spin--)
			__asm__ __volatile__("" ::: "memory");
		ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * ps));
		pthread_join(t, NULL);
		ASSERT_LT(0, r.written);
		ASSERT_EQ(0, fstat(fd, &st));
		if (st.st_size == 2 * ps) {
			cut_last++;
			continue;
		}
		write_last++;
		ASSERT_EQ(20 * ps, st.st_size) TH_LOG("round %ld", rounds);
		ASSERT_EQ(8 * ps, r.written) TH_LOG("round %ld", rounds);
		ASSERT_EQ(8 * ps, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, got, 8 * ps,
					  12 * ps));
		for (i = 0; i < 8 * ps && got[i] == 'W'; i++)
			;
		ASSERT_EQ(8 * ps, i) TH_LOG("round %ld: byte %ld of the write reads %#x", rounds,
					    i, got[i]);
	}
	TH_LOG("%ld rounds: the cut last %ld times, the write last %ld times", rounds, cut_last,
	       write_last);
	free(r.buf);
	free(got);
	close(h);
	close(fd);
}

/*
 * SetEndOfFile's cut inside a page, past every section, then a grow: the
 * file reads zeros from the cut on, as truncate makes it (the file's own
 * page cache zeroes the page's tail). Before, the control area's page kept
 * the bytes that were cut, and the grow brought them back.
 */
TEST_F(fileio, a_cut_then_grown_file_reads_zeros_past_the_cut)
{
	long ps = self->ps;
	char *view, c, tail[3000];
	int fd, h;

	fd = make_file(self->path, 1, 'f', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3000, pwrite(fd, memset(tail, 'f', 3000), 3000, ps));
	/* A section of one page and 100 bytes, on a file of one page and 3000. */
	h = sec_create_file(self->dev, fd, ps + 100, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, ps + 100, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	/* The whole page is in the control area: the file's bytes past the section too. */
	EXPECT_EQ('f', view[ps + 2000]);
	ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, ps + 200));
	ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * ps));
	c = 'x';
	EXPECT_EQ(1, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, &c, 1, ps + 2000));
	EXPECT_EQ(0, c) TH_LOG("a cached read past the cut read %#x", c);
	EXPECT_EQ(0, view[ps + 2000]) TH_LOG("the view kept %#x", view[ps + 2000]);
	c = 'x';
	EXPECT_EQ(1, pread(fd, &c, 1, ps + 2000));
	EXPECT_EQ(0, c);
	EXPECT_EQ('f', view[ps + 199]);
	ASSERT_EQ(0, munmap(view, ps + 100));
	close(h);
	close(fd);
}

/*
 * Read-around stops at the file's end: after someone else cut the file
 * below a section, a fault near the new end reads the pages before it,
 * none past it (a page there would be zeros no fault asked for, and stale
 * once the file grew again). Before, the first page past the end came in,
 * zero-filled.
 */
TEST_F(fileio, read_around_stops_at_the_files_end)
{
	struct sections_page_info pi[32];
	long i, past = 0, before = 0;
	char *view;
	int fd, h;

	fd = make_file(self->path, 64, 'e', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	view = sec_map(h, 64 * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	/* Someone else's cut, below the section. */
	ASSERT_EQ(0, ftruncate(fd, 8 * self->ps));
	EXPECT_EQ('e', view[5 * self->ps]);
	ASSERT_EQ(0, sec_query_pages(h, 0, 32, pi));
	for (i = 0; i < 32; i++) {
		if (!(pi[i].flags & SECTIONS_PAGE_RESIDENT))
			continue;
		if (i < 8)
			before++;
		else
			past++;
	}
	TH_LOG("%ld pages resident before the end, %ld past it", before, past);
	EXPECT_LE(2, before);
	EXPECT_EQ(0, past);
	ASSERT_EQ(0, munmap(view, 64 * self->ps));
	close(h);
	close(fd);
}

/* SetEndOfFile: no shrinking below a section's end while it exists. */
TEST_F(fileio, set_size_refuses_to_cut_a_section)
{
	struct stat st;
	int fd, h;

	fd = make_file(self->path, 4, 'd', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 2 * self->ps, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 3 * self->ps));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * self->ps));
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, self->ps));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 5 * self->ps));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5 * self->ps, st.st_size);
	close(h);
	/* Once the section is gone (its control area may take a moment), anything goes. */
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(1, st.st_size);
	close(fd);
}

/*
 * Only sections that exist hold the file at their size, as on Windows: once
 * a larger one is closed, SetEndOfFile cuts below its end (not below the
 * one still open). Before, every section ever made on the file held it.
 */
TEST_F(fileio, set_size_cuts_below_a_section_that_went)
{
	struct stat st;
	int fd, h, big;

	fd = make_file(self->path, 64, 'g', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 4 * self->ps, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	big = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, big);
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 8 * self->ps));
	EXPECT_EQ(EBUSY, errno);
	close(big);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 8 * self->ps));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(8 * self->ps, st.st_size);
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 4 * self->ps - 1));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 4 * self->ps));
	close(h);
	close(fd);
}

/* Fisher-Yates, with rand(): the caller seeds it, for a run that repeats. */
static void shuffle(int *a, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = rand() % (i + 1);
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

/*
 * SetEndOfFile stops at the largest section that still exists, whichever
 * were made and closed in whatever order, equal sizes among them: 33
 * sections of 1 to 32 pages (16 twice), closed in a shuffled order, each
 * close checked by a cut one byte short of the largest left (refused) and
 * one at it (made, then the file grown back).
 */
TEST_F(fileio, set_size_stops_at_the_largest_section_left_in_any_order)
{
	enum { N = 33 };
	int fd, h[N], order[N], i, j;
	long pages[N], end;
	bool open[N];

	fd = make_file(self->path, 64, 'o', 0);
	ASSERT_LE(0, fd);
	srand(12345);
	for (i = 0; i < N; i++) {
		pages[i] = i < 32 ? 32 - (i * 13) % 32 : 16;
		order[i] = i;
	}
	shuffle(order, N);
	/* Made in one shuffled order... */
	for (i = 0; i < N; i++) {
		h[order[i]] = sec_create_file(self->dev, fd, pages[order[i]] * self->ps,
					      SECTIONS_PAGE_READONLY);
		ASSERT_LE(0, h[order[i]]);
		open[order[i]] = true;
	}
	/* ...closed in another. */
	shuffle(order, N);
	for (i = 0; i < N; i++) {
		close(h[order[i]]);
		open[order[i]] = false;
		end = 0;
		for (j = 0; j < N; j++)
			if (open[j] && pages[j] > end)
				end = pages[j];
		if (end) {
			EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd,
					      end * self->ps - 1));
			EXPECT_EQ(EBUSY, errno);
		}
		EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, end * self->ps));
		EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 64 * self->ps));
	}
	close(fd);
}

struct cut_io_race {
	int dev, fd;
	long ps;
	bool stop;
	long ios, failed, last_errno;
};

static void *cut_io_racer(void *arg)
{
	struct cut_io_race *r = arg;
	char *buf = malloc(64 * r->ps);
	long n, i = 0;

	if (!buf)
		return NULL;
	memset(buf, 'w', 64 * r->ps);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		if (i++ % 2)
			n = file_io(r->dev, SECTIONS_IOC_FILE_READ, r->fd, buf, 64 * r->ps, 0);
		else
			n = file_io(r->dev, SECTIONS_IOC_FILE_WRITE, r->fd, buf, r->ps,
				    (i % 60) * r->ps);
		r->ios++;
		if (n < 0) {
			r->failed++;
			r->last_errno = errno;
		}
	}
	free(buf);
	return NULL;
}

/*
 * Cached reads and writes racing SetEndOfFile below a section that went
 * (made and closed again each round, so that each cut shrinks the control
 * area) never fail: a page the cut took meanwhile is read or written as
 * plain I/O, as the part past the sections always is.
 */
TEST_F(fileio, cached_io_racing_a_cut_below_a_section_that_went_never_fails)
{
	struct cut_io_race r = { .dev = self->dev, .ps = self->ps };
	long long end = now_ns() + RACE_NS;
	long rounds = 0;
	pthread_t t;
	int fd, h, big;

	fd = make_file(self->path, 64, 'r', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, self->ps, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	r.fd = fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, cut_io_racer, &r));
	while (now_ns() < end) {
		ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 64 * self->ps));
		big = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
		ASSERT_LE(0, big);
		close(big);
		ASSERT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, self->ps));
		rounds++;
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	TH_LOG("%ld cuts, %ld cached reads and writes, %ld failed (last errno %ld)",
	       rounds, r.ios, r.failed, r.last_errno);
	EXPECT_LT(0, rounds);
	EXPECT_EQ(0, r.failed);
	/*
	 * The dirty counts came out even: teardown reports pages it still
	 * counts as lost (EIO to fsync() of the file), and none is.
	 */
	close(h);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_EQ(0, fsync(fd));
	close(fd);
}

/*
 * SetEndOfFile inside a page the control area holds zeroes the page past
 * the cut: a cached write further on in that page (which grows the file)
 * leaves zeros between, as on any file, not the bytes that were cut.
 */
TEST_F(fileio, set_size_inside_a_page_leaves_zeros_past_the_cut)
{
	char *big_view, buf[100];
	int fd, h, big;

	fd = make_file(self->path, 8, 'q', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 50, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	big = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, big);
	big_view = sec_map(big, 8 * self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, big_view);
	EXPECT_EQ('q', big_view[300]);
	munmap(big_view, 8 * self->ps);
	close(big);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 100));
	EXPECT_EQ(1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "x", 1, 200));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_TRUE(file_all(self->path, 0, 100, 'q'));
	EXPECT_TRUE(file_all(self->path, 100, 100, 0));
	EXPECT_TRUE(file_all(self->path, 200, 1, 'x'));
	memset(buf, 'z', sizeof(buf));
	EXPECT_EQ(100, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 100, 100));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(0, buf[99]);
	close(h);
	close(fd);
}

/*
 * A section the file was cut below by someone else keeps its pages: a
 * SetEndOfFile that grows the file a little (allowed) does not make the
 * section's dirty pages past the new end anyone else's, and their loss is
 * still reported.
 */
TEST_F(fileio, set_size_after_a_cut_below_a_section_keeps_its_loss_reported)
{
	int fd, other, h;
	char *view;

	set_param(DELAY_PARAM, 60000);
	view = map_new_file(self->dev, self->path, 8, 'k', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	memset(view + 5 * self->ps, 'L', self->ps);
	other = open(self->path, O_WRONLY);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ftruncate(other, 2 * self->ps));
	close(other);
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, self->ps));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 4 * self->ps));
	EXPECT_EQ(-1, sec_flush(self->dev, view, 8 * self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	set_param(DELAY_PARAM, 200);
	munmap(view, 8 * self->ps);
	close(h);
	close(fd);
}

/*
 * SetEndOfFile below a section that went, whose dirty pages past the cut
 * are not written yet: they are written first (no loss is reported, the
 * cut is the caller's), and the control area ends at the cut: grown again,
 * the file reads zeros there through a new section, not the old bytes.
 */
TEST_F(fileio, set_size_below_a_section_that_went_leaves_no_page_of_it)
{
	char *view, *big_view, buf[16];
	int fd, h, big;

	set_param(DELAY_PARAM, 60000);
	view = map_new_file(self->dev, self->path, 4, 'g', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	ASSERT_EQ(0, ftruncate(fd, 64 * self->ps));
	big = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, big);
	big_view = sec_map(big, 64 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, big_view);
	memset(big_view + 6 * self->ps, 'D', self->ps);
	memset(big_view + 40 * self->ps, 'D', self->ps);
	ASSERT_EQ(0, munmap(big_view, 64 * self->ps));
	close(big);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 8 * self->ps));
	/* Page 40 was written before the cut: nothing to report, to anyone. */
	EXPECT_EQ(0, sec_flush(self->dev, view, 4 * self->ps, 0));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_EQ(0, fsync(fd));
	EXPECT_TRUE(file_all(self->path, 6 * self->ps, self->ps, 'D'));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 64 * self->ps));
	EXPECT_TRUE(file_all(self->path, 40 * self->ps, self->ps, 0));
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(sizeof(buf), file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, sizeof(buf),
				       40 * self->ps));
	EXPECT_EQ(0, buf[0]);
	big = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, big);
	big_view = sec_map(big, 64 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, big_view);
	EXPECT_EQ(0, big_view[40 * self->ps]);
	EXPECT_EQ('D', big_view[6 * self->ps]);
	/* Written back from the new section: still zeros. */
	big_view[40 * self->ps + 1] = 0;
	EXPECT_EQ(0, sec_flush(self->dev, big_view, 64 * self->ps, 0));
	EXPECT_TRUE(file_all(self->path, 40 * self->ps, self->ps, 0));
	set_param(DELAY_PARAM, 200);
	munmap(big_view, 64 * self->ps);
	munmap(view, 4 * self->ps);
	close(big);
	close(h);
	close(fd);
}

/*
 * SetEndOfFile is refused by the byte: a section of 2 pages and 100 bytes
 * keeps those bytes, not the rest of the page that holds its end.
 */
TEST_F(fileio, set_size_is_refused_below_a_section_end_by_the_byte)
{
	struct stat st;
	int fd, h;

	fd = make_file(self->path, 4, 'd', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 2 * self->ps + 100, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * self->ps + 200));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * self->ps + 100));
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 2 * self->ps + 99));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * self->ps + 100, st.st_size);
	close(h);
	close(fd);
}

struct set_size_race {
	int dev, fd;
	long ps;
	long k;		/* __atomic: the round */
	bool stop;	/* __atomic */
};

/* Cut the file to the size claimed so far (allowed), grow it back to the next. */
static void *set_size_cutter(void *arg)
{
	struct set_size_race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		long k = __atomic_load_n(&r->k, __ATOMIC_RELAXED);

		file_op(r->dev, SECTIONS_IOC_FILE_SET_SIZE, r->fd, k * r->ps);
		file_op(r->dev, SECTIONS_IOC_FILE_SET_SIZE, r->fd, (k + 1) * r->ps);
	}
	return NULL;
}

/*
 * SetEndOfFile racing creates that find the file long enough: once a
 * create has succeeded, the file is at least the section's size for as long
 * as the section exists (the create fails, or the cut is refused). Round k
 * makes a section of k + 1 pages while the file is cut to k pages (the
 * largest section so far) and grown back. A one-page section is open
 * throughout, so that SetEndOfFile always meets the file's control area:
 * one that finds none is a plain truncate, as unsynchronized with a create
 * as another program's ftruncate() (README).
 */
TEST_F(fileio, set_size_racing_creates_never_cuts_a_made_section)
{
	struct set_size_race r = { .dev = self->dev, .ps = self->ps, .k = 1 };
	long made = 0, refused = 0, cut = 0, k;
	long long end = now_ns() + RACE_NS;
	struct stat st;
	int fd, h0, h;
	pthread_t t;

	fd = make_file(self->path, 2, 'r', 0);
	ASSERT_LE(0, fd);
	h0 = sec_create_file(self->dev, fd, self->ps, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h0);
	r.fd = open(self->path, O_RDWR);
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, set_size_cutter, &r));
	for (k = 1; now_ns() < end && k < 16384; ) {
		h = sec_create_file(self->dev, fd, (k + 1) * self->ps, SECTIONS_PAGE_READONLY);
		if (h < 0) {
			EXPECT_EQ(EOVERFLOW, errno);
			refused++;
			continue;
		}
		made++;
		/* Twice: a cut may land after the create, while the section lives. */
		ASSERT_EQ(0, fstat(fd, &st));
		cut += st.st_size < (k + 1) * self->ps;
		sched_yield();
		ASSERT_EQ(0, fstat(fd, &st));
		cut += st.st_size < (k + 1) * self->ps;
		close(h);
		__atomic_store_n(&r.k, ++k, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	TH_LOG("%ld sections made, %ld refused, %ld seen on a cut file", made, refused, cut);
	EXPECT_LT(0, made);
	EXPECT_EQ(0, cut);
	close(r.fd);
	close(h0);
	close(fd);
}

/*
 * A write through the control area grows the file first (fallocate, which
 * allocates): only as far as the source can be read, so that a buffer that
 * faults after one page leaves the file one page longer, not 255.
 */
TEST_F(fileio, a_write_from_a_short_buffer_grows_the_file_only_as_far_as_it_reads)
{
	size_t big = 256 * self->ps;
	struct stat st;
	char *src;
	int fd, h;

	fd = make_file(self->path, 1, 'g', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, big, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	/* Cut by someone else: the section covers bytes the file lacks. */
	ASSERT_EQ(0, ftruncate(fd, self->ps));
	src = mmap(NULL, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	memset(src, 'S', self->ps);
	ASSERT_EQ(0, mprotect(src + self->ps, self->ps, PROT_NONE));
	EXPECT_EQ(self->ps, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, src,
				    big - self->ps, self->ps));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * self->ps, st.st_size);
	/* Nothing readable at all: EFAULT, and the file as it was. */
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, src + self->ps,
			      self->ps, 4 * self->ps));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * self->ps, st.st_size);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_TRUE(file_all(self->path, self->ps, self->ps, 'S'));
	munmap(src, 2 * self->ps);
	close(h);
	close(fd);
}

/* Without a section: plain pread/pwrite/fsync/truncate. */
TEST_F(fileio, file_io_without_a_section_is_plain)
{
	char buf[4];
	struct stat st;
	int fd;

	fd = make_file(self->path, 1, 'e', 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "PLAN", 4, 8));
	EXPECT_TRUE(file_has(self->path, 8, "PLAN"));
	EXPECT_EQ(4, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 4, 8));
	EXPECT_EQ(0, memcmp(buf, "PLAN", 4));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, fd, 10));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(10, st.st_size);
	close(fd);
}

/* Hostile arguments: a clear errno, nothing changed. */
TEST_F(fileio, file_io_bad_arguments)
{
	struct sections_file_io a;
	char buf[8];
	int fd, ro, h, opath;

	fd = make_file(self->path, 1, 'f', 0);
	ASSERT_LE(0, fd);
	ro = open(self->path, O_RDONLY);
	ASSERT_LE(0, ro);
	opath = open(self->path, O_PATH);
	ASSERT_LE(0, opath);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);

	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_READ, -1, buf, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_READ, opath, buf, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, ro, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_SET_SIZE, ro, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_READ, self->dev, buf, 1, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_READ, h, buf, 1, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, unmapped_address(), 1, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, unmapped_address(), 1, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, 1, 1ULL << 63));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, buf, 8, (1ULL << 63) - 4));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(0, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, buf, 0, 0));
	memset(&a, 0, sizeof(a));
	a.fd = fd;
	a.buf = (uintptr_t)buf;
	a.len = 1;
	a.flags = 1;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_FILE_READ, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_FILE_READ, unmapped_address()));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 1));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing above changed the file. */
	EXPECT_TRUE(file_all(self->path, 0, self->ps, 'f'));
	close(h);
	close(opath);
	close(ro);
	close(fd);
}

/* ---- the page query changes nothing ---- */

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Query a written page and write it again: the second write takes no fault,
 * as the query write-protects nothing, and the page reads as dirty (file and
 * pagefile views), a page only read as clean.
 */
static void query_is_passive(struct __test_metadata *_metadata, int dev, int h, long ps)
{
	char *view = sec_map(h, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	long before;
	int i;

	ASSERT_NE(MAP_FAILED, view);
	view[0] = 'x';
	touch_read(view + ps);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, sec_page(h, 0).flags);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT, sec_page(h, ps).flags);
	before = minor_faults();
	for (i = 0; i < 100; i++) {
		EXPECT_EQ(1, sec_page(h, 0).share_count);
		view[1 + i] = 'y';
	}
	EXPECT_EQ(0, minor_faults() - before);
	/* A page written after a read fault is dirty too (write-notify). */
	view[ps] = 'z';
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, sec_page(h, ps).flags);
	ASSERT_EQ(0, munmap(view, 2 * ps));
}

TEST_F(fileio, page_query_write_protects_nothing)
{
	int fd, h;

	fd = make_file(self->path, 2, 'q', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	query_is_passive(_metadata, self->dev, h, self->ps);
	close(h);
	close(fd);
	h = sec_create(self->dev, 2 * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	query_is_passive(_metadata, self->dev, h, self->ps);
	close(h);
}

/* ---- files that can never be written ---- */

static int set_inode_flags(int fd, int flags, bool on)
{
	int cur;

	if (ioctl(fd, FS_IOC_GETFLAGS, &cur))
		return -1;
	cur = on ? cur | flags : cur & ~flags;
	return ioctl(fd, FS_IOC_SETFLAGS, &cur);
}

static void unwritable_inode(struct __test_metadata *_metadata, FIXTURE_DATA(fileio) *self,
			     int flag)
{
	int fd, h;

	fd = make_file(self->path, 2, 'i', 0);
	ASSERT_LE(0, fd);
	if (set_inode_flags(fd, flag, true)) {
		close(fd);
		SKIP(return, "%s: no FS_IOC_SETFLAGS %#x: %s", test_dir(), flag, strerror(errno));
	}
	/* Readable stays possible; writable never could be written back. */
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	EXPECT_LE(0, h);
	close(h);
	EXPECT_EQ(-1, sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_EXECUTE_READWRITE));
	EXPECT_EQ(EPERM, errno);
	/* Copy-on-write never writes the file: allowed. */
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_WRITECOPY);
	EXPECT_LE(0, h);
	close(h);
	EXPECT_EQ(0, set_inode_flags(fd, flag, false));
	close(fd);
}

TEST_F(fileio, append_only_file_refuses_writable_sections)
{
	unwritable_inode(_metadata, self, FS_APPEND_FL);
}

TEST_F(fileio, immutable_file_refuses_writable_sections)
{
	unwritable_inode(_metadata, self, FS_IMMUTABLE_FL);
}

/*
 * A file made immutable after its section was: write-back fails with
 * EPERM, the pages stay dirty (nothing is dropped), and once the flag is
 * gone a flush writes them.
 */
TEST_F(fileio, immutable_later_keeps_pages_dirty)
{
	char *view;
	int fd, h, ret;

	view = map_new_file(self->dev, self->path, 2, 'k', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'K', 2 * self->ps);
	if (set_inode_flags(fd, FS_IMMUTABLE_FL, true)) {
		munmap(view, 2 * self->ps);
		close(h);
		close(fd);
		SKIP(return, "%s: no FS_IMMUTABLE_FL: %s", test_dir(), strerror(errno));
	}
	ret = sec_flush(self->dev, view, 0, 0);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY, sec_page(h, 0).flags);
	EXPECT_TRUE(file_all(self->path, 0, 2 * self->ps, 'k'));
	EXPECT_EQ(0, set_inode_flags(fd, FS_IMMUTABLE_FL, false));
	EXPECT_EQ(0, sec_flush(self->dev, view, 0, 0));
	EXPECT_TRUE(file_all(self->path, 0, 2 * self->ps, 'K'));
	ASSERT_EQ(0, munmap(view, 2 * self->ps));
	close(h);
	close(fd);
}

static void sealed_memfd(struct __test_metadata *_metadata, FIXTURE_DATA(fileio) *self,
			 int seal)
{
	int fd, h;

	fd = memfd_create("sections-sealed", MFD_ALLOW_SEALING);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 2 * self->ps));
	if (fcntl(fd, F_ADD_SEALS, seal)) {
		close(fd);
		SKIP(return, "seal %#x: %s", seal, strerror(errno));
	}
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	EXPECT_LE(0, h);
	close(h);
	EXPECT_EQ(-1, sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE));
	EXPECT_EQ(EPERM, errno);
	close(fd);
}

TEST_F(fileio, write_sealed_memfd_refuses_writable_sections)
{
	sealed_memfd(_metadata, self, F_SEAL_WRITE);
}

TEST_F(fileio, future_write_sealed_memfd_refuses_writable_sections)
{
	sealed_memfd(_metadata, self, F_SEAL_FUTURE_WRITE);
}

/*
 * One copy of each page. A section's page filled from the file, or written
 * back to it, must not leave a second copy in the file's page cache: mincore()
 * of a mapping of the file (which maps nothing itself) counts that copy.
 */
static long file_cached_pages(int fd, size_t len)
{
	long ps = page_size(), n = -1;
	size_t pages = (len + ps - 1) / ps, i;
	unsigned char *vec = malloc(pages);
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	if (vec && m != MAP_FAILED && !mincore(m, len, vec))
		for (n = 0, i = 0; i < pages; i++)
			n += vec[i] & 1;
	if (m != MAP_FAILED)
		munmap(m, len);
	free(vec);
	return n;
}

/* A field of /proc/meminfo in KiB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[128], name[64];
	FILE *f = fopen("/proc/meminfo", "r");
	long kb = -1, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld", name, &v) == 2 && !strcmp(name, field)) {
			kb = v;
			break;
		}
	fclose(f);
	return kb;
}

/*
 * Free pages on the per-CPU lists, in KiB (/proc/zoneinfo's pagesets):
 * MemFree leaves them out, and pages freed on another CPU (the module drops
 * the file's copy in a work item) stay there, up to a high mark the kernel
 * tunes, before the allocating CPU can reuse them.
 */
static long percpu_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long n = 0, v;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			n += v;
	fclose(f);
	return n * (page_size() / 1024);
}

static long used_kb(void)
{
	return meminfo_kb("MemTotal") - meminfo_kb("MemFree") - percpu_free_kb();
}

/* Skip on tmpfs, whose page cache is the file: there is no second copy to avoid. */
#define SKIP_ON_TMPFS(dir) do { \
	struct statfs sfs_; \
	ASSERT_EQ(0, statfs(dir, &sfs_)); \
	if (sfs_.f_type == TMPFS_MAGIC) \
		SKIP(return, "tmpfs: the file's page cache is the file itself"); \
} while (0)

#define MiB	(1024L * 1024)

/* Wait up to 20 s for the file's page cache to hold at most @max of its first @len bytes' pages. */
static long cached_becomes_at_most(int fd, size_t len, long max)
{
	long n = -1;
	int i;

	for (i = 0; i < 400; i++) {
		n = file_cached_pages(fd, len);
		if (n >= 0 && n <= max)
			break;
		usleep(50000);
	}
	return n;
}

/*
 * Reading a file section end to end (256 MiB, or a third of the guest's
 * available memory if less) from a cold file: the guest's used memory grows
 * by at most 1.1 times the bytes read, and the file's page cache keeps at
 * most a tenth of them (readahead past the last fill, pages others hold).
 */
TEST_F_TIMEOUT(fileio, reading_a_file_section_keeps_one_copy_of_each_page, 900)
{
	long avail = meminfo_kb("MemAvailable"), pages, cached, grew, i, bad = 0;
	size_t len = 256 * MiB;
	char *view;
	int fd, h;

	SKIP_ON_TMPFS(self->dir);
	ASSERT_LT(0, avail);
	if ((size_t)avail * 1024 / 3 < len)
		len = ((size_t)avail * 1024 / 3) & ~(MiB - 1);
	if (len < 32 * MiB)
		SKIP(return, "%ld KiB available: too little to measure", avail);
	pages = len / self->ps;
	fd = make_file(self->path, pages, 'r', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	EXPECT_GE(pages / 100, file_cached_pages(fd, len));

	grew = used_kb();
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h);
	view = sec_map(h, len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	for (i = 0; i < pages; i++)
		bad += view[i * self->ps] != 'r' || view[(i + 1) * self->ps - 1] != 'r';
	/* The file's copy goes a moment after the fills (control.c: fill_drop()). */
	cached = cached_becomes_at_most(fd, len, pages / 100);
	grew = used_kb() - grew;
	TH_LOG("read %zu MiB through a view: used memory grew %ld KiB (%.2fx), the file's page cache holds %ld of %ld pages",
	       len / MiB, grew, grew * 1024.0 / len, cached, pages);
	EXPECT_EQ(0, bad);
	EXPECT_GE(pages / 10, cached);
	EXPECT_GE((long)(len / 1024 * 11 / 10), grew);
	/* The section holds every page it read. */
	EXPECT_EQ(SECTIONS_PAGE_RESIDENT, sec_page(h, len - self->ps).flags & SECTIONS_PAGE_RESIDENT);
	munmap(view, len);
	close(h);
	close(fd);
}

/*
 * Write-back leaves no second copy either: on ext4 and XFS it writes the
 * section's pages to the disk by direct I/O, so neither a durable flush nor
 * the lazy writer leaves the bytes in the file's page cache. The bytes on
 * disk are the view's (read back with a cold page cache).
 */
TEST_F_TIMEOUT(fileio, write_back_keeps_one_copy_of_each_page, 300)
{
	long pages = 2048, cached;
	size_t len = pages * self->ps;
	char *view;
	int fd, h;

	SKIP_ON_TMPFS(self->dir);
	fd = make_file(self->path, pages, 'o', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);

	/* Durable flush of a mapped range. */
	view = sec_map(h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'D', len);
	ASSERT_EQ(0, sec_flush(self->dev, view, len, SECTIONS_FLUSH_DURABLE));
	cached = file_cached_pages(fd, len);
	TH_LOG("after a durable flush of %ld pages the file's page cache holds %ld", pages, cached);
	EXPECT_GE(pages / 10, cached);

	/* The lazy writer, once the view is gone. */
	memset(view, 'L', len);
	ASSERT_EQ(0, munmap(view, len));
	EXPECT_TRUE(file_becomes_all(self->path, len - self->ps, self->ps, 'L'));
	cached = cached_becomes_at_most(fd, len, pages / 10);
	TH_LOG("after lazy write-back of %ld pages the file's page cache holds %ld", pages, cached);
	EXPECT_GE(pages / 10, cached);
	close(h);
	close(fd);

	/* What reached the disk, read with the page cache dropped. */
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	close(fd);
	EXPECT_TRUE(file_all(self->path, 0, len, 'L'));
}


struct file_toucher {
	const volatile char *map;
	long pages, ps, sum;
	volatile int stop;
};

/* Read every page of another program's mapping of the file, round and round. */
static void *file_toucher(void *arg)
{
	struct file_toucher *t = arg;
	long i;

	while (!t->stop)
		for (i = 0; i < t->pages && !t->stop; i++)
			t->sum += t->map[i * t->ps];
	return NULL;
}

/*
 * While another program maps the file itself (what Windows calls non-cached
 * access), write-back goes through the page cache, not by direct I/O: a
 * direct write could not keep that mapping's pages and the file's page
 * cache apart (a fault during the I/O brings back a page it must drop,
 * which the kernel reports as EIO to fsync()). The mapping keeps its pages
 * and sees the section's bytes; fsync() reports nothing.
 */
TEST_F_TIMEOUT(fileio, write_back_while_the_file_is_mapped_keeps_its_page_cache, 300)
{
	struct file_toucher t = { .pages = 2048, .ps = self->ps };
	size_t len = t.pages * self->ps;
	pthread_t thread;
	long cached, i, bad = 0;
	char *view;
	int fd, h;

	SKIP_ON_TMPFS(self->dir);
	fd = make_file(self->path, t.pages, 'o', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	t.map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, t.map);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	/* The mapping's pages, all in: a direct write would drop them. */
	for (i = 0; i < t.pages; i++)
		t.sum += t.map[i * self->ps];
	memset(view, 'M', len);
	ASSERT_EQ(0, sec_flush(self->dev, view, len, SECTIONS_FLUSH_DURABLE));
	cached = file_cached_pages(fd, len);
	for (i = 0; i < t.pages; i++)
		bad += t.map[i * self->ps] != 'M';
	TH_LOG("after a durable flush the mapped file's page cache holds %ld of %ld pages, %ld stale",
	       cached, t.pages, bad);
	EXPECT_LE(t.pages * 9 / 10, cached);
	EXPECT_EQ(0, bad);

	/* Again with the other program faulting on its mapping all along. */
	ASSERT_EQ(0, pthread_create(&thread, NULL, file_toucher, &t));
	memset(view, 'N', len);
	ASSERT_EQ(0, sec_flush(self->dev, view, len, SECTIONS_FLUSH_DURABLE));
	t.stop = 1;
	pthread_join(thread, NULL);
	EXPECT_EQ(0, fsync(fd));
	for (bad = 0, i = 0; i < t.pages; i++)
		bad += t.map[i * self->ps] != 'N';
	EXPECT_EQ(0, bad);
	munmap((void *)t.map, len);
	munmap(view, len);
	close(h);
	close(fd);
}

/*
 * A file whose end is inside a page: write-back writes the whole pages by
 * direct I/O and the last part page through the page cache; the file keeps
 * its size and every byte the view wrote.
 */
TEST_F(fileio, write_back_of_a_partial_last_page)
{
	size_t size = 5 * self->ps + 100;
	struct stat st;
	char *view;
	int fd, h;

	fd = make_file(self->path, 6, 'p', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, size));
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, 6 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'Q', size);
	/* Past the end: never written to the file. */
	memset(view + size, 'Z', 6 * self->ps - size);
	ASSERT_EQ(0, sec_flush(self->dev, view, 6 * self->ps, SECTIONS_FLUSH_DURABLE));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((off_t)size, st.st_size);
	EXPECT_TRUE(file_all(self->path, 0, size, 'Q'));
	/* Again through the lazy writer, once unmapped. */
	memset(view, 'R', size);
	ASSERT_EQ(0, munmap(view, 6 * self->ps));
	EXPECT_TRUE(file_becomes_all(self->path, size - 1, 1, 'R'));
	EXPECT_TRUE(file_all(self->path, 0, size, 'R'));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((off_t)size, st.st_size);
	close(h);
	close(fd);
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Write one byte to each of @n pages of @view from the first; the pages written before a SIGBUS. */
static long write_until_sigbus(char *view, long n, long ps, char c)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile long i = 0;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(sigbus_jmp, 1))
		for (; i < n; i++)
			view[i * ps] = c;
	sigaction(SIGBUS, &old, NULL);
	return i;
}

static long dirty_pages(int h, long pages)
{
	struct sections_page_info *pi = calloc(pages, sizeof(*pi));
	long i, n = -1;

	if (pi && !sec_query_pages(h, 0, pages, pi))
		for (n = 0, i = 0; i < pages; i++)
			n += !!(pi[i].flags & SECTIONS_PAGE_DIRTY);
	free(pi);
	return n;
}

/*
 * A section whose write-back keeps failing pins a bounded amount of memory:
 * at most an eighth of the dirty limit (max_dirty_percent of RAM, at least
 * 256 pages) in dirty pages. Past it, the write fault on a clean page raises
 * SIGBUS and a cached write fails with the write error, while nothing dirty
 * is dropped; flush and query report the error. Once the file takes writes
 * again, a flush writes every kept page and new writes work.
 */
TEST_F_TIMEOUT(fileio, failing_write_back_pins_bounded_memory, 300)
{
	long ram = meminfo_kb("MemTotal") / (self->ps / 1024), limit, bound, pages, written, dirty;
	struct sections_info info;
	char *view;
	int fd, h;

	ASSERT_LT(0, ram);
	set_param(MAX_DIRTY_PARAM, 1);
	/* The lazy writer retries the failing pages, but not in a tight loop. */
	set_param(DELAY_PARAM, 200);
	limit = ram / 100;
	if (limit < 256)
		limit = 256;
	bound = limit / 8 > 256 ? limit / 8 : 256;
	pages = 2 * bound + 64;
	view = map_new_file(self->dev, self->path, pages, 'f', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	view[0] = 'F';
	if (set_inode_flags(fd, FS_IMMUTABLE_FL, true)) {
		munmap(view, pages * self->ps);
		close(h);
		close(fd);
		SKIP(return, "%s: no FS_IMMUTABLE_FL: %s", test_dir(), strerror(errno));
	}
	/* The write-back fails: from now on the section is failing. */
	EXPECT_EQ(-1, sec_flush(self->dev, view, self->ps, 0));
	EXPECT_EQ(EPERM, errno);

	written = write_until_sigbus(view, pages, self->ps, 'F');
	dirty = dirty_pages(h, pages);
	TH_LOG("bound %ld pages: %ld written before SIGBUS, %ld dirty", bound, written, dirty);
	EXPECT_GT(pages, written);
	EXPECT_LE(bound - 1, written);
	EXPECT_EQ(written, dirty);
	EXPECT_GE(bound + 1, dirty);
	/* A page already dirty can still be written; a clean one cannot, not even by WriteFile. */
	view[0] = 'G';
	EXPECT_EQ(-1, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, "W", 1,
			      (pages - 1) * self->ps));
	EXPECT_EQ(EPERM, errno);
	/* Flush and query say why. */
	EXPECT_EQ(-1, sec_flush(self->dev, view, pages * self->ps, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, sec_query(h, &info));
	EXPECT_TRUE(info.write_error == 0 || info.write_error == EPERM);
	EXPECT_TRUE(file_all(self->path, 0, pages * self->ps, 'f'));

	/* Writable again: every kept page reaches the file, and writes work again. */
	ASSERT_EQ(0, set_inode_flags(fd, FS_IMMUTABLE_FL, false));
	/* The first flush may report (once) the lazy writer's last failure. */
	if (sec_flush(self->dev, view, pages * self->ps, 0))
		EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, pages * self->ps, 0));
	EXPECT_EQ(0, dirty_pages(h, pages));
	EXPECT_TRUE(file_all(self->path, 0, 1, 'G'));
	EXPECT_TRUE(file_all(self->path, self->ps, 1, 'F'));
	EXPECT_TRUE(file_all(self->path, (written - 1) * self->ps, 1, 'F'));
	EXPECT_EQ(pages, write_until_sigbus(view, pages, self->ps, 'H'));
	EXPECT_EQ(0, sec_flush(self->dev, view, pages * self->ps, 0));
	EXPECT_TRUE(file_all(self->path, (pages - 1) * self->ps, 1, 'H'));
	munmap(view, pages * self->ps);
	close(h);
	close(fd);
}

#define FAILING_FILES_MAX 64

/*
 * However many files a user makes fail (here: immutable; a FUSE server of
 * their own answering EIO would do), their dirty pages together stay within
 * half of the dirty limit: past it, every section of that user's refuses new
 * dirty pages (SIGBUS) as a failing one does at its own bound, and nothing
 * already dirty is dropped. (All users' failing files together refuse at
 * the dirty limit: failing_files_of_all_users_pin_at_most_the_dirty_limit.)
 */
TEST_F_TIMEOUT(fileio, failing_files_of_one_user_pin_at_most_half_the_dirty_limit, 300)
{
	long ram = meminfo_kb("MemTotal") / (self->ps / 1024), limit, bound, share, pages;
	long total = 0;
	long written[FAILING_FILES_MAX], n, i, short_of_bound = 0;
	int fds[FAILING_FILES_MAX], hs[FAILING_FILES_MAX];
	char *views[FAILING_FILES_MAX], path[PATH_MAX + 32];

	ASSERT_LT(0, ram);
	set_param(MAX_DIRTY_PARAM, 1);
	set_param(DELAY_PARAM, 200);
	limit = ram / 100 > 256 ? ram / 100 : 256;
	bound = limit / 8 > 256 ? limit / 8 : 256;
	pages = bound + 64;
	n = limit / bound + 3;
	ASSERT_GE(FAILING_FILES_MAX, n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/failing-%ld", self->dir, i);
		fds[i] = make_file(path, pages, 'f', 0);
		ASSERT_LE(0, fds[i]);
		hs[i] = sec_create_file(self->dev, fds[i], 0, SECTIONS_PAGE_READWRITE);
		ASSERT_LE(0, hs[i]);
		views[i] = sec_map(hs[i], pages * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, views[i]);
		views[i][0] = 'F';
		if (set_inode_flags(fds[i], FS_IMMUTABLE_FL, true))
			SKIP(return, "%s: no FS_IMMUTABLE_FL: %s", test_dir(), strerror(errno));
		EXPECT_EQ(-1, sec_flush(self->dev, views[i], self->ps, 0));
		EXPECT_EQ(EPERM, errno);
	}
	for (i = 0; i < n; i++) {
		written[i] = write_until_sigbus(views[i], pages, self->ps, 'F');
		EXPECT_EQ(written[i], dirty_pages(hs[i], pages));
		EXPECT_GT(pages, written[i]);
		total += written[i];
		short_of_bound += written[i] < bound - 1;
	}
	TH_LOG("%ld failing files, each bounded to %ld pages: %ld dirty pages in all (dirty limit %ld)",
	       n, bound, total, limit);
	/* The user's share: half the limit, at least one file's bound. */
	share = limit / 2 > bound ? limit / 2 : bound;
	EXPECT_GE(share + n, total);
	EXPECT_LE(share - bound, total);
	EXPECT_LE(1, short_of_bound);

	/* Writable again: every kept page reaches its file. */
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, set_inode_flags(fds[i], FS_IMMUTABLE_FL, false));
		if (sec_flush(self->dev, views[i], pages * self->ps, 0))
			EXPECT_EQ(EPERM, errno);
		EXPECT_EQ(0, sec_flush(self->dev, views[i], pages * self->ps, 0));
		EXPECT_EQ(0, dirty_pages(hs[i], pages));
		snprintf(path, sizeof(path), "%s/failing-%ld", self->dir, i);
		EXPECT_TRUE(file_all(path, 0, 1, 'F'));
		EXPECT_TRUE(file_all(path, (written[i] - 1) * self->ps, 1, 'F'));
		munmap(views[i], pages * self->ps);
		close(hs[i]);
		close(fds[i]);
	}
}

#define GLOBAL_USERS	2
#define GLOBAL_FILES	8

/*
 * A user's half of the global test below, in a child: as @uid, map the @n
 * files @dir/global-@uid-I (made and chowned by the parent), post 'r' and
 * wait (the parent makes them immutable), then make each fail and fill it
 * until SIGBUS, and send the dirty pages of all on the pipe. Wait again (the
 * parent makes them writable), then flush everything and end.
 */
static void fill_failing_files_as(uid_t uid, const char *dir, int n, long pages,
				  struct lockstep *ls)
{
	char *views[GLOBAL_FILES], path[PATH_MAX + 64];
	int dev, fd, hs[GLOBAL_FILES], i;
	long ps = page_size(), total = 0;

	CHILD_CHECK(!setgroups(0, NULL) && !setresgid(uid, uid, uid) && !setresuid(uid, uid, uid));
	dev = sections_open_dev();
	CHILD_CHECK(dev >= 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/global-%d-%d", dir, (int)uid, i);
		fd = open(path, O_RDWR);
		CHILD_CHECK(fd >= 0);
		hs[i] = sec_create_file(dev, fd, 0, SECTIONS_PAGE_READWRITE);
		CHILD_CHECK(hs[i] >= 0);
		close(fd);
		views[i] = sec_map(hs[i], pages * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(views[i] != MAP_FAILED);
	}
	CHILD_CHECK(!child_post(ls, 'r') && child_wait(ls) == 'g');
	for (i = 0; i < n; i++) {
		if (write_until_sigbus(views[i], 1, ps, 'F') == 1)
			CHILD_CHECK_ERR(EPERM, sec_flush(dev, views[i], ps, 0));
		write_until_sigbus(views[i], pages, ps, 'F');
		total += dirty_pages(hs[i], pages);
	}
	CHILD_CHECK(write(ls->to_parent[1], &total, sizeof(total)) == sizeof(total));
	CHILD_CHECK(child_wait(ls) == 'w');
	for (i = 0; i < n; i++) {
		if (sec_flush(dev, views[i], pages * ps, 0))
			CHILD_CHECK(errno == EPERM);
		CHILD_CHECK(!sec_flush(dev, views[i], pages * ps, 0));
		CHILD_CHECK(dirty_pages(hs[i], pages) == 0);
	}
	_exit(0);
}

/*
 * All users' failing files together refuse once they hold the dirty limit:
 * two users fill failing files up to their shares (half the limit each),
 * and then a third user's file that starts failing refuses its writes
 * before its own bound (an eighth of the limit), although that user holds
 * no failing page elsewhere. Nothing dirty is dropped: once the files take
 * writes again, every page is written.
 */
TEST_F_TIMEOUT(fileio, failing_files_of_all_users_pin_at_most_the_dirty_limit, 300)
{
	long ram = meminfo_kb("MemTotal") / (self->ps / 1024), limit, bound, share, pages;
	long totals[GLOBAL_USERS] = { 0 }, written = -1, sum = 0;
	int fds[GLOBAL_USERS][GLOBAL_FILES], n, u, i, status[GLOBAL_USERS];
	struct lockstep ls[GLOBAL_USERS];
	char path[PATH_MAX + 64], *view;
	pid_t pids[GLOBAL_USERS];
	int fd, h;

	ASSERT_LT(0, ram);
	set_param(MAX_DIRTY_PARAM, 1);
	set_param(DELAY_PARAM, 200);
	limit = ram / 100 > 256 ? ram / 100 : 256;
	bound = limit / 8 > 256 ? limit / 8 : 256;
	share = limit / 2 > bound ? limit / 2 : bound;
	pages = bound + 64;
	/* Enough files for a user to reach their share, each stopped at its bound. */
	n = share / bound + 2;
	ASSERT_GE(GLOBAL_FILES, n);
	fd = make_file(self->path, pages, 'f', 0);
	ASSERT_LE(0, fd);
	if (set_inode_flags(fd, FS_IMMUTABLE_FL, false))
		SKIP(return, "%s: no inode flags: %s", test_dir(), strerror(errno));
	for (u = 0; u < GLOBAL_USERS; u++) {
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/global-%d-%d", self->dir, 2000 + u, i);
			fds[u][i] = make_file(path, pages, 'f', 0);
			ASSERT_LE(0, fds[u][i]);
			ASSERT_EQ(0, fchown(fds[u][i], 2000 + u, 2000 + u));
		}
		ASSERT_EQ(0, lockstep_init(&ls[u]));
		fflush(stdout);
		fflush(stderr);
		pids[u] = fork();
		ASSERT_LE(0, pids[u]);
		if (!pids[u])
			fill_failing_files_as(2000 + u, self->dir, n, pages, &ls[u]);
		ASSERT_EQ('r', parent_wait(&ls[u]));
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, set_inode_flags(fds[u][i], FS_IMMUTABLE_FL, true));
		ASSERT_EQ(0, parent_post(&ls[u], 'g'));
		ASSERT_EQ(sizeof(totals[u]),
			  read(ls[u].to_parent[0], &totals[u], sizeof(totals[u])));
		sum += totals[u];
	}

	/* Root, a third user, with no failing page: its file fails and is refused at once. */
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, pages * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ(1, write_until_sigbus(view, 1, self->ps, 'R'));
	ASSERT_EQ(0, set_inode_flags(fd, FS_IMMUTABLE_FL, true));
	EXPECT_EQ(-1, sec_flush(self->dev, view, self->ps, 0));
	EXPECT_EQ(EPERM, errno);
	written = write_until_sigbus(view, pages, self->ps, 'R');
	TH_LOG("dirty limit %ld, a file's bound %ld, a user's share %ld: users' failing pages %ld + %ld, then the third user's file took %ld",
	       limit, bound, share, totals[0], totals[1], written);
	/*
	 * The first at their share, the second at theirs or at the limit
	 * (two shares exceed it when a file's bound sets the share); then
	 * the third's file short of its bound.
	 */
	EXPECT_LE(share - 1, totals[0]);
	EXPECT_LE((2 * share < limit ? 2 * share : limit) - n, sum);
	EXPECT_GT(bound - 1, written);
	EXPECT_GE(limit + 2 * n + 1, sum + dirty_pages(h, pages));

	/* Writable again: every kept page is written. */
	ASSERT_EQ(0, set_inode_flags(fd, FS_IMMUTABLE_FL, false));
	for (u = 0; u < GLOBAL_USERS; u++) {
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, set_inode_flags(fds[u][i], FS_IMMUTABLE_FL, false));
		ASSERT_EQ(0, parent_post(&ls[u], 'w'));
	}
	for (u = 0; u < GLOBAL_USERS; u++)
		status[u] = wait_child(pids[u]);
	if (sec_flush(self->dev, view, pages * self->ps, 0))
		EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, pages * self->ps, 0));
	EXPECT_TRUE(file_all(self->path, 0, 1, 'R'));
	munmap(view, pages * self->ps);
	close(h);
	close(fd);
	/* write_until_sigbus() writes each page's first byte: every page kept dirty reached its file. */
	for (u = 0; u < GLOBAL_USERS; u++) {
		long pages_f = 0, p;
		char c;

		EXPECT_EQ(0, status[u]);
		for (i = 0; i < n; i++) {
			for (p = 0; p < pages; p++)
				pages_f += pread(fds[u][i], &c, 1, p * self->ps) == 1 && c == 'F';
			close(fds[u][i]);
		}
		EXPECT_EQ(totals[u], pages_f);
	}
}

/*
 * A control area that starts failing takes its dirty pages with it, past
 * any refusal of failing sections: a user could fill file after file while it
 * still writes, then make it fail (a FUSE server answering EIO; here:
 * immutable). Once that user's failing pages hold half of the dirty limit,
 * their next file refuses its first write (SIGBUS): all of it pins at most
 * that share plus one file's worth (every file, the limit here, before the
 * user's failing pages were counted).
 */
#define FLIPPED_FILES 4

TEST_F_TIMEOUT(fileio, files_made_to_fail_one_after_another_pin_a_bounded_share, 300)
{
	long ram = meminfo_kb("MemTotal") / (self->ps / 1024), limit, share, pages, total = 0;
	int fds[FLIPPED_FILES], hs[FLIPPED_FILES];
	char *views[FLIPPED_FILES], path[PATH_MAX + 32];
	long written[FLIPPED_FILES], i;

	ASSERT_LT(0, ram);
	set_param(MAX_DIRTY_PARAM, 1);
	/* Mapped pages are not lazily written. */
	set_param(DELAY_PARAM, 200);
	limit = ram / 100 > 256 ? ram / 100 : 256;
	/* The user's share: half the limit, at least one file's bound (256 pages at least). */
	share = limit / 2 > 256 ? limit / 2 : 256;
	/* Two files hold a little more than that. */
	pages = share / 2 + 8;
	for (i = 0; i < FLIPPED_FILES; i++) {
		snprintf(path, sizeof(path), "%s/flipped-%ld", self->dir, i);
		fds[i] = make_file(path, pages, 'f', 0);
		ASSERT_LE(0, fds[i]);
		hs[i] = sec_create_file(self->dev, fds[i], 0, SECTIONS_PAGE_READWRITE);
		ASSERT_LE(0, hs[i]);
		views[i] = sec_map(hs[i], pages * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, views[i]);
		written[i] = write_until_sigbus(views[i], pages, self->ps, 'F');
		if (set_inode_flags(fds[i], FS_IMMUTABLE_FL, true))
			SKIP(return, "%s: no FS_IMMUTABLE_FL: %s", test_dir(), strerror(errno));
		/* The write-back fails: the section is failing, with its dirty pages. */
		if (written[i])
			EXPECT_EQ(-1, sec_flush(self->dev, views[i], self->ps, 0));
		if (written[i])
			EXPECT_EQ(EPERM, errno);
		total += dirty_pages(hs[i], pages);
	}
	TH_LOG("%d files of %ld pages, each made to fail once written: %ld, %ld, %ld, %ld written, %ld dirty in all (dirty limit %ld)",
	       FLIPPED_FILES, pages, written[0], written[1], written[2], written[3], total, limit);
	/* Healthy while written, and the user's failing pages under half the limit. */
	EXPECT_EQ(pages, written[0]);
	EXPECT_EQ(pages, written[1]);
	/* Then half the limit is failing: the user's next file refuses. */
	EXPECT_EQ(0, written[2]);
	EXPECT_EQ(0, written[3]);
	EXPECT_GE(share + pages, total);

	/* Writable again: every page reaches its file, and writes work again. */
	for (i = 0; i < FLIPPED_FILES; i++) {
		ASSERT_EQ(0, set_inode_flags(fds[i], FS_IMMUTABLE_FL, false));
		if (sec_flush(self->dev, views[i], pages * self->ps, 0))
			EXPECT_EQ(EPERM, errno);
		EXPECT_EQ(0, sec_flush(self->dev, views[i], pages * self->ps, 0));
		EXPECT_EQ(0, dirty_pages(hs[i], pages));
	}
	for (i = 0; i < FLIPPED_FILES; i++) {
		EXPECT_EQ(pages, write_until_sigbus(views[i], pages, self->ps, 'G'));
		EXPECT_EQ(0, sec_flush(self->dev, views[i], pages * self->ps, 0));
		snprintf(path, sizeof(path), "%s/flipped-%ld", self->dir, i);
		EXPECT_TRUE(file_all(path, 0, 1, 'G'));
		EXPECT_TRUE(file_all(path, (pages - 1) * self->ps, 1, 'G'));
		munmap(views[i], pages * self->ps);
		close(hs[i]);
		close(fds[i]);
	}
}

/*
 * The user whose credentials a failing file's write-back runs with is
 * refused (EDQUOT) in their other file sections once their failing pages
 * hold half of the dirty limit: flipping file after file to failing, each
 * filled while it still wrote, pins no more than that plus one file's worth.
 * Another user's section is not refused, and its dirty pages are not
 * trimmed (it is not throttled) because of them. Once the file takes
 * writes again, everything works again and reaches the files.
 */
TEST_F_TIMEOUT(fileio, a_user_with_failing_files_is_refused_elsewhere_and_no_one_else, 300)
{
	long ram = meminfo_kb("MemTotal") / (self->ps / 1024), limit, pages, other = 64, small = 16;
	char apath[PATH_MAX + 32], bpath[PATH_MAX + 32], cpath[PATH_MAX + 32], c;
	int to_child[2], to_parent[2], afd, fd, h, status;
	char *view;
	pid_t pid;

	ASSERT_LT(0, ram);
	set_param(MAX_DIRTY_PARAM, 1);
	set_param(DELAY_PARAM, 200);
	limit = ram / 100 > 256 ? ram / 100 : 256;
	/* Past the user's share: half the limit, at least one file's bound (256 pages at least). */
	pages = (limit / 2 > 256 ? limit / 2 : 256) + 64;
	snprintf(apath, sizeof(apath), "%s/user-failing", self->dir);
	snprintf(bpath, sizeof(bpath), "%s/user-other", self->dir);
	snprintf(cpath, sizeof(cpath), "%s/root-file", self->dir);
	afd = make_file(apath, pages, 'a', 0);
	ASSERT_LE(0, afd);
	fd = make_file(bpath, small, 'b', 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchown(afd, NOBODY, NOBODY));
	ASSERT_EQ(0, fchown(fd, NOBODY, NOBODY));
	close(fd);
	if (set_inode_flags(afd, FS_IMMUTABLE_FL, false))
		SKIP(return, "%s: no inode flags: %s", test_dir(), strerror(errno));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int dev, a, b, ha, hb;
		char *va, *vb;

		CHILD_CHECK(!drop_to_nobody());
		dev = sections_open_dev();
		CHILD_CHECK(dev >= 0);
		a = open(apath, O_RDWR);
		b = open(bpath, O_RDWR);
		CHILD_CHECK(a >= 0 && b >= 0);
		ha = sec_create_file(dev, a, 0, SECTIONS_PAGE_READWRITE);
		hb = sec_create_file(dev, b, 0, SECTIONS_PAGE_READWRITE);
		CHILD_CHECK(ha >= 0 && hb >= 0);
		va = sec_map(ha, pages * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		vb = sec_map(hb, small * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(va != MAP_FAILED && vb != MAP_FAILED);
		/* Filled while it writes: within the dirty limit, nothing is refused. */
		CHILD_CHECK(write_until_sigbus(va, pages, page_size(), 'F') == pages);
		CHILD_CHECK(write(to_parent[1], "1", 1) == 1 && read(to_child[0], &c, 1) == 1);
		/* Made immutable: failing, with its pages, more than half the limit. */
		CHILD_CHECK_ERR(EPERM, sec_flush(dev, va, page_size(), 0));
		/* The user's healthy file refuses a new dirty page, both ways. */
		CHILD_CHECK(write_until_sigbus(vb, small, page_size(), 'B') == 0);
		CHILD_CHECK_ERR(EDQUOT, file_io(dev, SECTIONS_IOC_FILE_WRITE, b, "W", 1, 0));
		CHILD_CHECK(write(to_parent[1], "2", 1) == 1 && read(to_child[0], &c, 1) == 1);
		/* Writable again: the failing pages are written, and writes work. */
		if (sec_flush(dev, va, pages * page_size(), 0))
			CHILD_CHECK(errno == EPERM);
		CHILD_CHECK(!sec_flush(dev, va, pages * page_size(), 0));
		CHILD_CHECK(write_until_sigbus(vb, small, page_size(), 'B') == small);
		CHILD_CHECK(!sec_flush(dev, vb, small * page_size(), 0));
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0, set_inode_flags(afd, FS_IMMUTABLE_FL, true));
	ASSERT_EQ(1, write(to_child[1], "1", 1));
	if (read(to_parent[0], &c, 1) == 1) {
		/* Root, another user, writes a section of its own: neither refused nor trimmed. */
		fd = make_file(cpath, other, 'c', 0);
		ASSERT_LE(0, fd);
		h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
		ASSERT_LE(0, h);
		view = sec_map(h, other * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, view);
		EXPECT_EQ(other, write_until_sigbus(view, other, self->ps, 'R'));
		EXPECT_EQ(other, dirty_pages(h, other));
		EXPECT_EQ(0, sec_flush(self->dev, view, other * self->ps, 0));
		munmap(view, other * self->ps);
		close(h);
		close(fd);
		/* Nor in nobody's file, whose write-back runs as nobody: the refusal is nobody's. */
		fd = open(bpath, O_RDWR);
		ASSERT_LE(0, fd);
		h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
		ASSERT_LE(0, h);
		view = sec_map(h, small * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, view);
		EXPECT_EQ(small, write_until_sigbus(view, small, self->ps, 'R'));
		munmap(view, small * self->ps);
		close(h);
		close(fd);
	}
	ASSERT_EQ(0, set_inode_flags(afd, FS_IMMUTABLE_FL, false));
	ASSERT_EQ(1, write(to_child[1], "3", 1));
	/* The child writes 'B' over root's 'R' in every page of its file, then flushes. */
	status = wait_child(pid);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(file_all(apath, 0, 1, 'F'));
	EXPECT_TRUE(file_all(apath, (pages - 1) * self->ps, 1, 'F'));
	/* write_until_sigbus() writes each page's first byte. */
	EXPECT_TRUE(file_all(bpath, 0, 1, 'B'));
	EXPECT_TRUE(file_all(bpath, (small - 1) * self->ps, 1, 'B'));
	EXPECT_TRUE(file_all(cpath, (other - 1) * self->ps, 1, 'R'));
	close(afd);
}

/*
 * Another program cuts the file below dirty bytes of a section: those bytes
 * are lost, as truncation loses them, and the loss is not silent. The write-
 * back that finds them reports ENXIO to query and to the section's next
 * flush (once), and to FlushFileBuffers and fsync() of the file (once to
 * each file description that was open then).
 */
TEST_F(fileio, truncation_by_another_reports_the_lost_bytes)
{
	struct sections_info info;
	struct statfs sfs;
	char *view;
	int fd, before, other, h, h2, i;

	fd = make_file(self->path, 8, 't', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	/* A second section of the same file, and control area. */
	h2 = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h2);
	view = sec_map(h, 8 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'T', 8 * self->ps);
	before = open(self->path, O_RDONLY);
	ASSERT_LE(0, before);
	other = open(self->path, O_WRONLY);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ftruncate(other, 2 * self->ps));
	close(other);
	/* The lazy writer writes what is left of the file once the view goes. */
	ASSERT_EQ(0, munmap(view, 8 * self->ps));
	EXPECT_TRUE(file_becomes_all(self->path, 0, 2 * self->ps, 'T'));
	for (i = 0; i < 400 && !sec_query(h, &info) && !info.write_error; i++)
		usleep(50000);
	EXPECT_EQ(ENXIO, info.write_error);
	/* FlushFileBuffers reports it, once to each file description. */
	EXPECT_EQ(-1, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	/* A flush of the section's view reports it once to the section, whose query shows it until then. */
	EXPECT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(ENXIO, info.write_error);
	view = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ(-1, sec_flush(self->dev, view, self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, self->ps, 0));
	EXPECT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(0, info.write_error);
	munmap(view, self->ps);
	/* Every other section of the file sees it once too (errseq_t, as file descriptions do)... */
	EXPECT_EQ(0, sec_query(h2, &info));
	EXPECT_EQ(ENXIO, info.write_error);
	view = sec_map(h2, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ(-1, sec_flush(self->dev, view, self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, self->ps, 0));
	munmap(view, self->ps);
	close(h2);
	/* ...but not one made after it was reported, as a file opened then would not. */
	h2 = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READONLY);
	ASSERT_LE(0, h2);
	EXPECT_EQ(0, sec_query(h2, &info));
	EXPECT_EQ(0, info.write_error);
	close(h2);
	/* So does fsync() of another file description opened before the loss (not tmpfs's). */
	ASSERT_EQ(0, fstatfs(fd, &sfs));
	if (sfs.f_type != TMPFS_MAGIC) {
		EXPECT_EQ(-1, fsync(before));
		EXPECT_EQ(ENXIO, errno);
		EXPECT_EQ(0, fsync(before));
	}
	close(before);
	close(h);
	close(fd);
}

/*
 * A cut inside a dirty page loses the bytes of the page past the new end:
 * reported too (the module knows dirty pages, not bytes). A cut inside a
 * clean page loses nothing written, and nothing is reported.
 */
TEST_F(fileio, a_cut_inside_a_dirty_page_is_reported_and_inside_a_clean_one_is_not)
{
	char clean_path[PATH_MAX + 32];
	struct sections_info info;
	int fd, other, h;
	struct stat st;
	char *view;

	view = map_new_file(self->dev, self->path, 2, 't', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	memset(view + self->ps, 'C', self->ps);
	other = open(self->path, O_WRONLY);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ftruncate(other, self->ps + 100));
	close(other);
	EXPECT_EQ(-1, sec_flush(self->dev, view, 2 * self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, 2 * self->ps, 0));
	/* What is left of the page reached the file, which stays cut. */
	EXPECT_TRUE(file_all(self->path, self->ps, 100, 'C'));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(self->ps + 100, st.st_size);
	/* Reported once: the next write of that page loses nothing more. */
	memset(view + self->ps, 'X', 100);
	EXPECT_EQ(0, sec_flush(self->dev, view, 2 * self->ps, 0));
	EXPECT_TRUE(file_all(self->path, self->ps, 100, 'X'));
	EXPECT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(0, info.write_error);
	munmap(view, 2 * self->ps);
	close(h);
	close(fd);

	snprintf(clean_path, sizeof(clean_path), "%s/clean", self->dir);
	view = map_new_file(self->dev, clean_path, 2, 't', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'D', self->ps);
	other = open(clean_path, O_WRONLY);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ftruncate(other, self->ps + 100));
	close(other);
	EXPECT_EQ(0, sec_flush(self->dev, view, 2 * self->ps, 0));
	EXPECT_TRUE(file_all(clean_path, 0, self->ps, 'D'));
	EXPECT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(0, info.write_error);
	munmap(view, 2 * self->ps);
	close(h);
	close(fd);
}

/*
 * A file grown again after a reported cut, whose dirty page is cut again
 * before any write-back saw it grown: the second loss is reported too.
 */
TEST_F(fileio, a_second_cut_after_the_file_grew_again_is_reported)
{
	int fd, other, h;
	struct stat st;
	char *view;

	view = map_new_file(self->dev, self->path, 2, 't', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	other = open(self->path, O_WRONLY);
	ASSERT_LE(0, other);
	memset(view + self->ps, 'C', self->ps);
	ASSERT_EQ(0, ftruncate(other, self->ps + 100));
	EXPECT_EQ(-1, sec_flush(self->dev, view, 2 * self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	/* Grown back by someone else, written through the view, cut again. */
	ASSERT_EQ(0, ftruncate(other, 2 * self->ps));
	memset(view + self->ps, 'Y', self->ps);
	ASSERT_EQ(0, ftruncate(other, self->ps + 200));
	EXPECT_EQ(-1, sec_flush(self->dev, view, 2 * self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, 2 * self->ps, 0));
	EXPECT_TRUE(file_all(self->path, self->ps, 200, 'Y'));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(self->ps + 200, st.st_size);
	close(other);
	munmap(view, 2 * self->ps);
	close(h);
	close(fd);
}

/*
 * A cut made after the last section went, while its last dirty pages are
 * still being written, is the file owner's choice (as for a file's own dirty
 * page cache): it loses what lies past the cut and reports no error. A write
 * of the final write-back already waiting for the file's lock when the cut
 * takes it grows the file back to its end (README): at most one run's worth
 * (4 MiB) of the section's bytes past the cut, never all of the 16 MiB.
 */
TEST_F(fileio, a_cut_after_the_last_section_went_is_not_reported)
{
	size_t len = 4096 * self->ps;
	struct stat st;
	char *view;
	int fd, h;

	view = map_new_file(self->dev, self->path, 4096, 'u', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	memset(view, 'V', len);
	ASSERT_EQ(0, munmap(view, len));
	close(h);
	/* The final write-back of 16 MiB has just begun, or is about to. */
	ASSERT_EQ(0, ftruncate(fd, self->ps));
	/* Waits for the control area to be gone, then fsync()s and reports errors. */
	EXPECT_EQ(0, file_op(self->dev, SECTIONS_IOC_FILE_FLUSH, fd, 0));
	EXPECT_EQ(0, fsync(fd));
	ASSERT_EQ(0, fstat(fd, &st));
	if (st.st_size != self->ps)
		TH_LOG("cut to %ld bytes, %lld once written", self->ps, (long long)st.st_size);
	EXPECT_GE(1024 * self->ps, file_count(self->path, self->ps, 'V'));
	close(fd);
}

struct cut_race {
	int dev;
	char *view;
	size_t len;
	int ret, err;
};

static void *cut_race_flusher(void *arg)
{
	struct cut_race *r = arg;

	r->ret = sec_flush(r->dev, r->view, r->len, 0);
	r->err = errno;
	return NULL;
}

/*
 * A cut while a flush writes the pages past it: the flush writes a run of
 * pages as many writes (the file is also mapped by itself, which makes the
 * flush write through the page cache, a write per 64 pages) and reads the
 * file's size again before each, so it writes no more past the cut. A write
 * already waiting for the file's lock when the cut takes it still grows the
 * file back to its own end (README), with a hole before it: at most one
 * write's worth of the section's bytes lie past the cut. Before, the flush
 * wrote the rest of its 4 MiB run. The cut lands at a different point of the
 * flush each round; the flush reports the loss (ENXIO), or succeeds if it
 * wrote all before the cut.
 */
TEST_F(fileio, a_cut_while_a_flush_writes_writes_no_more_past_it)
{
	long long end = now_ns() + RACE_NS;
	long pages = 1024, rounds = 0, regrown = 0, past;
	size_t len = pages * self->ps;
	struct cut_race r = { .dev = self->dev, .len = len };
	char *view, *native;
	int fd, other, h;
	struct stat st;
	pthread_t t;

	while (rounds < 8 || (now_ns() < end && rounds < 200)) {
		view = map_new_file(self->dev, self->path, pages, 'a', &fd, &h);
		ASSERT_NE(MAP_FAILED, view);
		native = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, native);
		other = open(self->path, O_WRONLY);
		ASSERT_LE(0, other);
		memset(view, 'b', len);
		r.view = view;
		ASSERT_EQ(0, pthread_create(&t, NULL, cut_race_flusher, &r));
		usleep((rounds % 16) * 500);
		ASSERT_EQ(0, ftruncate(other, self->ps));
		pthread_join(t, NULL);
		if (r.ret)
			EXPECT_EQ(ENXIO, r.err);
		ASSERT_EQ(0, fstat(fd, &st));
		past = file_count(self->path, self->ps, 'b');
		if (st.st_size != self->ps)
			TH_LOG("round %ld: cut to %ld bytes, %lld after the flush, %ld of its bytes past the cut",
			       rounds, self->ps, (long long)st.st_size, past);
		EXPECT_LE(0, past);
		EXPECT_GE(64 * self->ps, past);
		regrown += st.st_size != self->ps;
		rounds++;
		munmap(native, len);
		munmap(view, len);
		close(other);
		close(h);
		close(fd);
		ASSERT_EQ(0, unlink(self->path));
	}
	TH_LOG("%ld rounds, %ld grown back", rounds, regrown);
}

/*
 * Whole dirty pages past a cut are reported however many write-backs drop
 * them (a flush of one, then of the other); once cut, a page wholly past
 * the end refuses a write (SIGBUS), as a Linux mmap does, while the page
 * that holds the end takes writes that reach the file.
 */
TEST_F(fileio, every_dirty_page_past_a_cut_is_reported_and_none_is_written_after)
{
	int fd, other, h;
	char *view;

	view = map_new_file(self->dev, self->path, 3, 't', &fd, &h);
	ASSERT_NE(MAP_FAILED, view);
	memset(view + self->ps, 'C', 2 * self->ps);
	other = open(self->path, O_WRONLY);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ftruncate(other, self->ps + 100));
	close(other);
	EXPECT_EQ(-1, sec_flush(self->dev, view + self->ps, self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, sec_flush(self->dev, view + 2 * self->ps, self->ps, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0, sec_flush(self->dev, view, 3 * self->ps, 0));
	EXPECT_EQ(0, write_until_sigbus(view + 2 * self->ps, 1, self->ps, 'Z'));
	EXPECT_EQ(1, write_until_sigbus(view + self->ps, 1, self->ps, 'Y'));
	EXPECT_EQ(0, sec_flush(self->dev, view, 3 * self->ps, 0));
	EXPECT_TRUE(file_all(self->path, self->ps, 1, 'Y'));
	munmap(view, 3 * self->ps);
	close(h);
	close(fd);
}

/*
 * A read-write create of @size bytes on @fd while the caller's file-size
 * limit is 4 pages: one that has to grow the file fails (EFBIG) after it
 * found the file's control area. The create's result, errno kept; -2 if the
 * limit could not be set.
 */
static int sec_create_file_over_fsize(int dev, int fd, __u64 size)
{
	struct rlimit old, lim;
	int h, err;

	if (getrlimit(RLIMIT_FSIZE, &old))
		return -2;
	lim.rlim_cur = 4 * page_size();
	lim.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &lim)) {
		signal(SIGXFSZ, SIG_DFL);
		return -2;
	}
	h = sec_create_file(dev, fd, size, SECTIONS_PAGE_READWRITE);
	err = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	errno = err;
	return h;
}

/*
 * A create that fails (here: killed by its file-size limit while growing
 * the file) claims nothing: cached writes past the sections it did not
 * make are plain writes of the file, which no cut can lose unreported.
 */
TEST_F(fileio, a_failed_create_leaves_writes_past_the_sections_plain)
{
	char buf[64];
	int fd, h, big;

	/* No lazy write-back meanwhile: pread() sees the file, not a control area's pages. */
	set_param(DELAY_PARAM, 60000);
	fd = make_file(self->path, 1, 'p', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, self->ps, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	big = sec_create_file_over_fsize(self->dev, fd, 256 * self->ps);
	EXPECT_EQ(-1, big);
	EXPECT_EQ(EFBIG, errno);
	memset(buf, 'W', sizeof(buf));
	EXPECT_EQ(64, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, buf, 64, 8 * self->ps));
	/* Plain: in the file at once, not in pages of a control area. */
	EXPECT_TRUE(file_all(self->path, 8 * self->ps, 64, 'W'));
	set_param(DELAY_PARAM, 1);
	if (big >= 0)
		close(big);
	close(h);
	close(fd);
}

/*
 * A create that fails sizes nothing: the control area ends at the sections
 * made, so reading ahead around a view's fault (MADV_HUGEPAGE asks for
 * 2 MiB) reads no page of the file past them, where a cached write is a
 * plain write of the file. A later, larger section sees the bytes written
 * then, not a stale copy read ahead before (which a write-back of the page
 * would also put back over them).
 */
TEST_F(fileio, a_failed_create_reads_no_page_past_the_sections_ahead)
{
	long offs[] = { 20, 100, 200 }, i;
	char *view, *whole, *buf;
	int fd, h, big;

	buf = malloc(self->ps);
	ASSERT_NE(NULL, buf);
	fd = make_file(self->path, 256, 'o', 0);
	ASSERT_LE(0, fd);
	h = sec_create_file(self->dev, fd, 16 * self->ps, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h);
	view = sec_map(h, 16 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, view);
	big = sec_create_file_over_fsize(self->dev, fd, 512 * self->ps);
	EXPECT_EQ(-1, big);
	EXPECT_EQ(EFBIG, errno);
	/* Without THP it is refused; the read-around of a fault reads ahead anyway. */
	madvise(view, 16 * self->ps, MADV_HUGEPAGE);
	EXPECT_EQ('o', *(volatile char *)(view + 15 * self->ps));
	memset(buf, 'N', self->ps);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(self->ps, file_io(self->dev, SECTIONS_IOC_FILE_WRITE, fd, buf, self->ps,
					    offs[i] * self->ps));
		EXPECT_TRUE(file_all(self->path, offs[i] * self->ps, self->ps, 'N'));
	}
	big = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, big);
	whole = sec_map(big, 256 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, whole);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ('N', whole[offs[i] * self->ps]);
		EXPECT_EQ('N', whole[offs[i] * self->ps + self->ps - 1]);
		memset(buf, 0, self->ps);
		EXPECT_EQ(self->ps, file_io(self->dev, SECTIONS_IOC_FILE_READ, fd, buf, self->ps,
					    offs[i] * self->ps));
		EXPECT_EQ('N', buf[0]);
		/* One byte written through the view: the rest of the page stays the write's. */
		whole[offs[i] * self->ps] = 'v';
	}
	EXPECT_EQ(0, sec_flush(self->dev, whole, 256 * self->ps, 0));
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(file_all(self->path, offs[i] * self->ps + 1, self->ps - 1, 'N'));
	munmap(whole, 256 * self->ps);
	munmap(view, 16 * self->ps);
	close(big);
	close(h);
	close(fd);
	free(buf);
}

/* Write @val to the cgroup file @dir/@name. */
static int cg_write(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX + 64];
	int fd, n = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (int)strlen(val) ? 0 : -1;
}

/* The value of @key in the cgroup file @dir/@name ("key value" lines), or -1. */
static long cg_read_key(const char *dir, const char *name, const char *key)
{
	char path[PATH_MAX + 64], k[64];
	long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", k, &v) == 2)
		if (!strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

/*
 * Mount cgroup v2 at @root (a fresh directory) with the memory controller
 * enabled for its children: a mount of its own, so that whatever the
 * system's cgroup setup is, the test's cgroup is a child of the root.
 */
static bool cg_setup(char *root, size_t len)
{
	char ctl[256] = "";
	int fd;

	snprintf(root, len, "/tmp/sections-cgroup-XXXXXX");
	if (!mkdtemp(root))
		return false;
	if (mount("none", root, "cgroup2", 0, NULL))
		goto fail;
	snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", root);
	fd = open(ctl, O_RDONLY);
	memset(ctl, 0, sizeof(ctl));
	if (fd < 0 || read(fd, ctl, sizeof(ctl) - 1) < 0 || !strstr(ctl, "memory")) {
		if (fd >= 0)
			close(fd);
		umount(root);
		goto fail;
	}
	close(fd);
	/* Already enabled by the system's setup, or enabled now. */
	cg_write(root, "cgroup.subtree_control", "+memory");
	return true;
fail:
	rmdir(root);
	return false;
}

/*
 * A process in a cgroup v2 with memory.max 64 MiB writes 256 MiB through a
 * view of a file-backed section (a quarter as much memory as it writes, in
 * a smaller guest too), with the lazy writer at its default delay. Its
 * reclaim can take dirty pages out of the view but cannot write them: the
 * module trims and writes the cgroup's dirty pages as it nears its limit,
 * as the kernel throttles a cgroup's dirtiers of a MAP_SHARED file. The
 * process is not OOM-killed, and the file holds every byte it wrote. Pages
 * of the same file charged to another cgroup (the test's, which dirtied the
 * first MiB through a view of its own first) stay mapped and dirty.
 */
TEST_F_TIMEOUT(fileio, writing_four_times_a_memory_cgroup_limit_through_a_view, 600)
{
	long avail = meminfo_kb("MemAvailable"), oom = -1, kept = 0;
	char root[64], cg[128], val[32], *mine;
	size_t len = 256 * MiB, off = 0;
	int fd, h0, status = -1, i;
	struct sections_page_info pi;
	pid_t pid;

	/* The file's pages are memory there, charged to the writer's kworker (README). */
	SKIP_ON_TMPFS(self->dir);
	ASSERT_LT(0, avail);
	if ((size_t)avail * 1024 / 3 < len)
		len = ((size_t)avail * 1024 / 3) & ~(MiB - 1);
	if (len < 64 * MiB)
		SKIP(return, "%ld KiB available: too little to measure", avail);
	fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	/* The first MiB, dirtied (with what the child writes there) outside the cgroup. */
	h0 = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
	ASSERT_LE(0, h0);
	mine = sec_map(h0, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, mine);
	memset(mine, 'a', MiB);
	if (!cg_setup(root, sizeof(root)))
		SKIP(return, "no cgroup v2 with the memory controller");
	/* From here on failures clean up: the mount and the cgroup outlive the test. */
	snprintf(cg, sizeof(cg), "%s/sections-fileio", root);
	rmdir(cg);
	snprintf(val, sizeof(val), "%zu", len / 4);
	if (mkdir(cg, 0755) || cg_write(cg, "memory.max", val)) {
		TH_LOG("cannot make %s with memory.max %s: %s", cg, val, strerror(errno));
		goto out;
	}
	/* No swap to hide in (absent without swap support). */
	cg_write(cg, "memory.swap.max", "0");
	set_param(DELAY_PARAM, 3000);

	pid = fork();
	if (!pid) {
		char *view;
		int h;

		if (cg_write(cg, "cgroup.procs", "0"))
			_exit(2);
		h = sec_create_file(self->dev, fd, 0, SECTIONS_PAGE_READWRITE);
		if (h < 0)
			_exit(3);
		view = sec_map(h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (view == MAP_FAILED)
			_exit(4);
		for (off = 0; off < len; off += self->ps)
			memset(view + off, 'a' + (off / MiB) % 26, self->ps);
		munmap(view, len);
		close(h);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		goto out;
	for (off = 0; off < MiB; off += self->ps) {
		pi = sec_page(h0, off);
		kept += pi.share_count == 1 && (pi.flags & SECTIONS_PAGE_DIRTY);
	}
	TH_LOG("%ld of the %ld pages charged to another cgroup stayed mapped and dirty",
	       kept, MiB / self->ps);
	munmap(mine, MiB);
	mine = NULL;
	/* The last close: the control area's teardown writes what is left, then lets go. */
	close(h0);
	h0 = -1;
	oom = cg_read_key(cg, "memory.events", "oom_kill");
	TH_LOG("wrote %zu MiB in a cgroup of %zu MiB: %s %d, %ld OOM kills, %ld times at memory.max",
	       len / MiB, len / 4 / MiB, WIFSIGNALED(status) ? "killed by signal" : "exit status",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), oom,
	       cg_read_key(cg, "memory.events", "max"));
	/* Every MiB holds its letter once the last close's write-back is done. */
	for (off = 0; off < len; off += MiB)
		if (!file_becomes_all(self->path, off, MiB, 'a' + (off / MiB) % 26))
			break;
	if (off < len)
		TH_LOG("MiB %zu of the file is not what the view wrote", off / MiB);
out:
	if (mine)
		munmap(mine, MiB);
	if (h0 >= 0)
		close(h0);
	close(fd);
	/* The cgroup goes once the pages charged to it are freed. */
	for (i = 0; i < 100 && rmdir(cg) && errno == EBUSY; i++)
		usleep(50000);
	umount(root);
	rmdir(root);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, oom);
	EXPECT_EQ(MiB / self->ps, kept);
	EXPECT_EQ(len, off);
}

TEST_HARNESS_MAIN

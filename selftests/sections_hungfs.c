// SPDX-License-Identifier: GPL-2.0
/*
 * A hung backing filesystem stalls only the create that waits on it.
 *
 * The ext4 disk the guest mounts at /mnt is frozen (FIFREEZE) while a create
 * that must grow a file on it is blocked: every other create, open, close
 * and /proc/sections read, in other processes, must finish within a second,
 * a second create or open of the blocked create's name waits for it, and
 * SIGKILL ends both. After the thaw the file has the size it had: a create
 * that fails changes nothing.
 *
 * Runs in scripts/check's disk guest (scripts/guest-mount-disk mounts /mnt).
 */
#include "sections_test.h"

#include <linux/fs.h>
#include <sys/stat.h>
#include <time.h>

#define MNT		"/mnt"
/* What "finishes at once" means here, with room for the debug kernel under TCG. */
#define PROMPT_NS	1000000000LL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int sec_create_file(int dev, int fd, __u64 size, const char *name)
{
	struct sections_create_args args;

	memset(&args, 0, sizeof(args));
	args.size = size;
	args.protection = SECTIONS_PAGE_READWRITE;
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	if (name) {
		args.name = (uintptr_t)name;
		args.name_len = strlen(name);
	}
	return ioctl(dev, SECTIONS_IOC_CREATE, &args);
}

/* Whether @pid still runs (reaping it, into *@status, if it ended). */
static bool running(pid_t pid, int *status)
{
	return waitpid(pid, status, WNOHANG) == 0;
}

/* Reap @pid within @ns: its wait status, or -1 if it did not end in time. */
static int reap_within(pid_t pid, long long ns)
{
	long long end = now_ns() + ns;
	int st;

	while (now_ns() < end) {
		if (!running(pid, &st))
			return st;
		usleep(10000);
	}
	return -1;
}

FIXTURE(hungfs) {
	int dev, mnt, fd;
	long ps;
	bool frozen;
	char path[64];
	char name[64], other[64];
};

FIXTURE_SETUP(hungfs)
{
	struct stat st;

	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev);
	if (stat(MNT "/lost+found", &st))
		SKIP(return, "no disk at " MNT " (run by scripts/check in its disk guest)");
	self->mnt = open(MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->mnt);
	snprintf(self->path, sizeof(self->path), MNT "/hungfs-%d", (int)getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, self->ps));
	ASSERT_EQ(0, fsync(self->fd));
	uniq_name(self->name, sizeof(self->name), "hung");
	uniq_name(self->other, sizeof(self->other), "other");
}

/*
 * In the parent, so that it runs even when the test is killed for taking
 * too long: a disk left frozen would hang everything after it.
 */
FIXTURE_TEARDOWN_PARENT(hungfs)
{
	int mnt = open(MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (mnt >= 0) {
		ioctl(mnt, FITHAW, 0);	/* EINVAL when not frozen */
		close(mnt);
	}
	if (self->path[0])
		unlink(self->path);
}

/* A child that creates @name on the file, growing it to 16 pages: it blocks while frozen. */
static pid_t fork_growing_create(FIXTURE_DATA(hungfs) *self, const char *name)
{
	pid_t pid = fork();

	if (pid == 0) {
		int h = sec_create_file(self->dev, self->fd, 16 * self->ps, name);

		_exit(h >= 0 ? 0 : 10 + (errno & 0x7f) % 100);
	}
	return pid;
}

/* A child that opens @name: it waits while a create of that name is unfinished. */
static pid_t fork_open(FIXTURE_DATA(hungfs) *self, const char *name)
{
	pid_t pid = fork();

	if (pid == 0) {
		int h = sec_open(self->dev, name, SECTIONS_ACCESS_QUERY);

		_exit(h >= 0 ? 0 : 10 + (errno & 0x7f) % 100);
	}
	return pid;
}

TEST_F(hungfs, frozen_fs_stalls_only_its_create)
{
	char *buf = malloc(1 << 16), *p;
	long long t;
	pid_t creator, opener, closer;
	int h, keep, st, fd;
	struct stat sb;

	ASSERT_NE(NULL, buf);
	/* A named section from before the freeze, for opens and closes meanwhile. */
	keep = sec_create(self->dev, self->ps, self->other, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, keep);

	ASSERT_EQ(0, ioctl(self->mnt, FIFREEZE, 0)) TH_LOG("FIFREEZE: %s", strerror(errno));
	self->frozen = true;
	creator = fork_growing_create(self, self->name);
	ASSERT_LE(0, creator);
	usleep(300000);
	ASSERT_TRUE(running(creator, &st)) TH_LOG("the create did not wait for the frozen fs");

	/* An unnamed create, map, touch, unmap and close. */
	t = now_ns();
	h = sec_create(self->dev, 4 * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	munmap(p, 4 * self->ps);
	close(h);
	EXPECT_GT(PROMPT_NS, now_ns() - t) TH_LOG("unnamed create took %lld ms",
						 (now_ns() - t) / 1000000);

	/* A file-backed create on the frozen fs that needs no growth. */
	t = now_ns();
	h = sec_create_file(self->dev, self->fd, 0, NULL);
	EXPECT_LE(0, h);
	if (h >= 0)
		close(h);
	EXPECT_GT(PROMPT_NS, now_ns() - t);

	/* Opens of another name, and /proc/sections. */
	t = now_ns();
	h = sec_open(self->dev, self->other, SECTIONS_ACCESS_QUERY);
	EXPECT_LE(0, h);
	if (h >= 0)
		close(h);
	fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, fd);
	EXPECT_LT(0, read(fd, buf, 1 << 16));
	close(fd);
	EXPECT_GT(PROMPT_NS, now_ns() - t);
	/* The unfinished section is not listed. */
	EXPECT_EQ(NULL, strstr(buf, self->name));

	/* Another process creates a named section and closes its last handle. */
	t = now_ns();
	closer = fork();
	ASSERT_LE(0, closer);
	if (closer == 0) {
		char name[64];

		uniq_name(name, sizeof(name), "closer");
		h = sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, NULL);
		CHILD_CHECK(h >= 0);
		close(h);
		CHILD_CHECK(sec_open_errno(self->dev, name) == ENOENT);
		_exit(0);
	}
	st = reap_within(closer, PROMPT_NS);
	EXPECT_NE(-1, st) TH_LOG("a named create and last close in another process hung");
	if (st == -1) {
		kill(closer, SIGKILL);
		waitpid(closer, NULL, 0);
	} else {
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}

	/* An open of the unfinished name waits for it, and SIGKILL ends the wait. */
	opener = fork_open(self, self->name);
	ASSERT_LE(0, opener);
	usleep(300000);
	EXPECT_TRUE(running(opener, &st)) TH_LOG("the open did not wait for the create");
	kill(opener, SIGKILL);
	st = reap_within(opener, PROMPT_NS);
	EXPECT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("the waiting open did not die of SIGKILL (status %d)", st);

	/* SIGKILL ends the create blocked on the frozen fs. */
	kill(creator, SIGKILL);
	st = reap_within(creator, PROMPT_NS);
	EXPECT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("the blocked create did not die of SIGKILL (status %d)", st);

	ASSERT_EQ(0, ioctl(self->mnt, FITHAW, 0));
	self->frozen = false;
	if (st == -1)
		waitpid(creator, NULL, 0);

	/* The killed create changed nothing: the file keeps its size, the name is free. */
	ASSERT_EQ(0, fstat(self->fd, &sb));
	EXPECT_EQ(self->ps, sb.st_size);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));

	/* Thawed, the same create grows the file. */
	h = sec_create_file(self->dev, self->fd, 16 * self->ps, self->name);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, fstat(self->fd, &sb));
	EXPECT_EQ(16 * self->ps, sb.st_size);
	close(h);
	close(keep);
	free(buf);
}

/* A create of a name whose first create is blocked waits, then opens what it made. */
TEST_F(hungfs, second_create_waits_for_the_first)
{
	struct sections_info info;
	pid_t creator, second;
	int st;

	ASSERT_EQ(0, ioctl(self->mnt, FIFREEZE, 0));
	self->frozen = true;
	creator = fork();
	ASSERT_LE(0, creator);
	if (creator == 0) {
		int h = sec_create_file(self->dev, self->fd, 8 * self->ps, self->name);

		CHILD_CHECK(h >= 0);
		/* Keep the name until the parent has seen the second create finish. */
		pause();
		_exit(0);
	}
	usleep(300000);
	second = fork();
	ASSERT_LE(0, second);
	if (second == 0) {
		__u32 result = POISON32;
		int h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0,
				   &result);

		CHILD_CHECK(h >= 0);
		CHILD_CHECK(result == SECTIONS_CREATE_EXISTED);
		CHILD_CHECK(sec_query(h, &info) == 0);
		CHILD_CHECK(info.backing == SECTIONS_BACKING_FILE);
		CHILD_CHECK(info.size == (__u64)8 * page_size());
		_exit(0);
	}
	usleep(300000);
	EXPECT_TRUE(running(second, &st)) TH_LOG("the second create did not wait");
	ASSERT_EQ(0, ioctl(self->mnt, FITHAW, 0));
	self->frozen = false;
	st = reap_within(second, 30 * PROMPT_NS);
	EXPECT_TRUE(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %d", st);
	kill(creator, SIGKILL);
	waitpid(creator, NULL, 0);
	if (st == -1) {
		kill(second, SIGKILL);
		waitpid(second, NULL, 0);
	}
}

TEST_HARNESS_MAIN

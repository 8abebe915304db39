// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime: a name lives as long as a handle, the pages as long as a handle
 * or a view; handle counts; processes that exit or die without cleaning up.
 */
#define _GNU_SOURCE
#include "sections_test.h"

#include <sys/stat.h>

#define ANY (SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ)

FIXTURE(lifetime) {
	int dev;
	long ps;
	char name[64];
};

FIXTURE_SETUP(lifetime)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(self->name, sizeof(self->name), "life");
}

FIXTURE_TEARDOWN(lifetime)
{
	close(self->dev);
}

static int create_named(FIXTURE_DATA(lifetime) *self, __u32 *result)
{
	return sec_create(self->dev, 2 * self->ps, self->name, SECTIONS_PAGE_READWRITE, 0,
			  result);
}

/* The name goes with the last handle even while a view remains; the pages stay. */
TEST_F(lifetime, name_goes_with_last_handle)
{
	__u32 result = POISON32;
	char *old, *new;
	int h, h2;

	h = create_named(self, &result);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, result);
	old = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, old);
	strcpy(old, "old object");
	close(h);

	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
	EXPECT_STREQ("old object", old);
	strcpy(old + self->ps, "still writable");
	EXPECT_STREQ("still writable", old + self->ps);

	/* The name now makes a new object. */
	result = POISON32;
	h2 = create_named(self, &result);
	ASSERT_LE(0, h2);
	EXPECT_EQ(0, result);
	EXPECT_EQ(0, sec_query_field(h2, views));
	EXPECT_EQ(1, sec_query_field(h2, handles));
	new = sec_map(h2, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, new);
	EXPECT_EQ(0, new[0]);
	EXPECT_EQ(0, new[self->ps]);
	strcpy(new, "new object");
	EXPECT_STREQ("old object", old);

	munmap(old, 2 * self->ps);
	munmap(new, 2 * self->ps);
	close(h2);
}

TEST_F(lifetime, one_of_two_handles_keeps_name)
{
	char *p, *q;
	int h1, h2, h3;

	h1 = create_named(self, NULL);
	ASSERT_LE(0, h1);
	h2 = sec_open(self->dev, self->name, SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ |
				SECTIONS_ACCESS_MAP_WRITE);
	ASSERT_LE(0, h2);
	p = sec_map(h1, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "kept");
	munmap(p, self->ps);
	close(h1);

	EXPECT_EQ(1, sec_query_field(h2, handles));
	h3 = sec_open(self->dev, self->name, ANY);
	ASSERT_LE(0, h3);
	q = sec_map(h3, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("kept", q);
	munmap(q, self->ps);
	close(h3);
	close(h2);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
}

/* handles counts open file descriptions: dup() shares one, duplicate makes one. */
TEST_F(lifetime, handles_count)
{
	int h, d, h2, h3, h4;
	pid_t pid;

	h = create_named(self, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(1, sec_query_field(h, handles));
	d = dup(h);
	ASSERT_LE(0, d);
	EXPECT_EQ(1, sec_query_field(h, handles));
	h2 = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, h2);
	EXPECT_EQ(2, sec_query_field(h, handles));
	h3 = sec_open(self->dev, self->name, ANY);
	ASSERT_LE(0, h3);
	EXPECT_EQ(3, sec_query_field(h2, handles));
	h4 = create_named(self, NULL);
	ASSERT_LE(0, h4);
	EXPECT_EQ(4, sec_query_field(h3, handles));

	/* A fork child shares the parent's descriptions. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(sec_query_field(h, handles) == 4);
		close(h4);
		CHILD_CHECK(sec_query_field(h, handles) == 4);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(4, sec_query_field(h, handles));

	close(d);
	EXPECT_EQ(4, sec_query_field(h, handles));
	close(h4);
	EXPECT_EQ(3, sec_query_field(h, handles));
	close(h);
	EXPECT_EQ(2, sec_query_field(h2, handles));
	close(h3);
	EXPECT_EQ(1, sec_query_field(h2, handles));
	close(h2);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
}

/* A handle held by another process keeps the name. */
TEST_F(lifetime, handle_in_other_process_keeps_name)
{
	struct lockstep ls;
	pid_t pid;
	int h, hc, h2;

	h = create_named(self, NULL);
	ASSERT_LE(0, h);
	hc = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, hc);
	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(h);
		CHILD_CHECK(child_post(&ls, 'r') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		close(hc);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		_exit(0);
	}
	ASSERT_EQ('r', parent_wait(&ls));
	close(hc);
	close(h);
	/* The child's copy of hc is the last handle. */
	h2 = sec_open(self->dev, self->name, ANY);
	ASSERT_LE(0, h2);
	EXPECT_EQ(2, sec_query_field(h2, handles));
	close(h2);
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
	EXPECT_EQ(0, wait_child(pid));
}

/* Views in another process keep the pages after every handle and local view is gone. */
TEST_F(lifetime, view_in_other_process_keeps_pages)
{
	struct lockstep ls;
	char *p;
	pid_t pid;
	int h;

	h = create_named(self, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "from the parent");
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The child has the inherited view and no handle. */
		close(h);
		CHILD_CHECK(child_post(&ls, 'r') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		CHILD_CHECK(strcmp(p, "from the parent") == 0);
		strcpy(p + self->ps, "child alone");
		CHILD_CHECK(strcmp(p + self->ps, "child alone") == 0);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->name, ANY));
		CHILD_CHECK(sec_unmap_view(self->dev, p) == 0);
		_exit(0);
	}
	ASSERT_EQ('r', parent_wait(&ls));
	munmap(p, 2 * self->ps);
	close(h);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
}

/* A process that exits with views and no handle leaves nothing behind. */
TEST_F(lifetime, exit_with_view_no_handle)
{
	pid_t pid;
	char *p;
	int h;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p;
		int hc;

		hc = create_named(self, NULL);
		CHILD_CHECK(hc >= 0);
		p = sec_map(hc, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(p != MAP_FAILED);
		memset(p, 'x', 2 * self->ps);
		close(hc);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));

	/* Views of someone else's section: the counts come back. */
	h = create_named(self, NULL);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p;
		int hc;

		close(h);
		hc = sec_open(self->dev, self->name, SECTIONS_ACCESS_QUERY |
			      SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE);
		CHILD_CHECK(hc >= 0);
		p = sec_map(hc, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(p != MAP_FAILED);
		CHILD_CHECK(sec_map(hc, self->ps, PROT_READ, MAP_SHARED, 0) != MAP_FAILED);
		strcpy(p, "left by the child");
		CHILD_CHECK(sec_query_field(hc, views) == 2);
		close(hc);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, sec_query_field(h, views));
	EXPECT_EQ(1, sec_query_field(h, handles));
	p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("left by the child", p);
	munmap(p, self->ps);
	close(h);
}

/* A process that exits with handles and views, without any cleanup. */
TEST_F(lifetime, exit_without_cleanup)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p;
		int hc, hd;

		hc = create_named(self, NULL);
		CHILD_CHECK(hc >= 0);
		hd = sec_dup(hc, 0, SECTIONS_DUP_SAME_ACCESS);
		CHILD_CHECK(hd >= 0);
		p = sec_map(hc, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(p != MAP_FAILED);
		memset(p, 'y', 2 * self->ps);
		CHILD_CHECK(sec_map(hd, self->ps, PROT_READ, MAP_PRIVATE, 0) != MAP_FAILED);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
}

/* The same when the process is killed. */
TEST_F(lifetime, killed_without_cleanup)
{
	struct lockstep ls;
	pid_t pid;
	int h;

	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p;
		int hc;

		hc = create_named(self, NULL);
		CHILD_CHECK(hc >= 0);
		p = sec_map(hc, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(p != MAP_FAILED);
		memset(p, 'z', 2 * self->ps);
		CHILD_CHECK(child_post(&ls, 'r') == 0);
		for (;;)
			pause();
	}
	ASSERT_EQ('r', parent_wait(&ls));
	h = sec_open(self->dev, self->name, ANY);
	ASSERT_LE(0, h);
	EXPECT_EQ(1, sec_query_field(h, views));
	EXPECT_EQ(2, sec_query_field(h, handles));
	close(h);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_child(pid));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
}

/* Unnamed sections: the last handle closed, views keep working. */
TEST_F(lifetime, unnamed_views_outlive_handle)
{
	char *a, *b;
	int h;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	a = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, a);
	b = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, b);
	close(h);
	strcpy(a, "coherent");
	EXPECT_STREQ("coherent", b);
	EXPECT_EQ(0, sec_unmap_view(self->dev, a));
	EXPECT_STREQ("coherent", b);
	EXPECT_EQ(0, sec_flush(self->dev, b, 0, 0));
	munmap(b, self->ps);
}

/*
 * A path to a handle (an O_PATH open of /proc/self/fd/N) outlives the handle
 * and its section: fstat() through it must not reach the freed section.
 * (The debug kernel's KASAN reported a use-after-free here.)
 */
TEST_F(lifetime, fstat_of_a_path_that_outlived_its_handle)
{
	char path[64];
	struct stat st;
	int h, p, i;

	for (i = 0; i < 50; i++) {
		h = sec_create(self->dev, (i + 1) * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0,
			       NULL);
		ASSERT_LE(0, h);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", h);
		p = open(path, O_PATH | O_CLOEXEC);
		ASSERT_LE(0, p) TH_LOG("O_PATH open of %s: %s", path, strerror(errno));
		ASSERT_EQ(0, fstat(p, &st));
		EXPECT_EQ((i + 1) * self->ps, st.st_size);
		close(h);
		/* Let the section go: its view file is released on return to user space. */
		usleep(1000);
		ASSERT_EQ(0, fstat(p, &st));
		EXPECT_EQ((i + 1) * self->ps, st.st_size);
		close(p);
	}
}

/*
 * rmmod is refused while a path to a handle exists, even with every file,
 * section and /dev/sections closed: an O_PATH open of /proc/self/fd/N keeps
 * a dentry of the module's filesystem. (It used to hang rmmod in D state
 * until that path was closed, then free the module under the VFS.) Runs in a
 * child that holds nothing else of the module; no fixture keeps the device
 * open.
 */
TEST(rmmod_refused_while_a_path_to_a_handle_exists)
{
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root, to try rmmod");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char path[64];
		int dev, h, p, st;

		dev = sections_open_dev();
		CHILD_CHECK(dev >= 0);
		h = sec_create(dev, page_size(), NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
		CHILD_CHECK(h >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", h);
		p = open(path, O_PATH | O_CLOEXEC);
		CHILD_CHECK(p >= 0);
		close(h);
		close(dev);
		/* Past the filesystem's one-second linger, and control-area teardowns. */
		sleep(3);
		st = system("rmmod sections 2>/dev/null");
		CHILD_CHECK(st != 0);
		CHILD_CHECK(access("/sys/module/sections", F_OK) == 0);
		close(p);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, access(SECTIONS_DEV, F_OK));
}

TEST_HARNESS_MAIN

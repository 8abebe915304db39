// SPDX-License-Identifier: GPL-2.0
/*
 * Security of sections: owner, group and mode of named sections checked at
 * open, CAP_IPC_OWNER, the access mask of handles, duplicating handles, and
 * handles passed on by fork, exec and SCM_RIGHTS.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "sections_test.h"

#define Q SECTIONS_ACCESS_QUERY
#define R SECTIONS_ACCESS_MAP_READ
#define W SECTIONS_ACCESS_MAP_WRITE
#define X SECTIONS_ACCESS_MAP_EXECUTE
#define E SECTIONS_ACCESS_EXTEND
#define C SECTIONS_ACCESS_MAP_COPY

static const __u32 single_rights[] = { Q, W, R, X, E, C };

FIXTURE(access) {
	int dev;
	long ps;
	char name[64];
};

FIXTURE_SETUP(access)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	global_name(self->name, sizeof(self->name), "acc");
}

FIXTURE_TEARDOWN(access)
{
	close(self->dev);
}

/* Create a named EXECUTE_READWRITE section (every right allowed) with mode. */
static int create_all(int dev, const char *name, long size, __u32 mode)
{
	return sec_create_full(dev, size, name, SECTIONS_PAGE_EXECUTE_READWRITE, 0, 0, 0, mode,
			       NULL);
}

/*
 * In a child that dropped to nobody: open name with each single right and
 * check it is granted exactly when it is in allowed. Exits on mismatch.
 */
static void child_check_rights(int dev, const char *name, __u32 allowed)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(single_rights); i++) {
		__u32 right = single_rights[i];
		int h;

		errno = 0;
		h = sec_open(dev, name, right);
		if (allowed & right) {
			if (h < 0)
				fprintf(stderr, "# right %#x refused: %s\n", right, strerror(errno));
			CHILD_CHECK(h >= 0);
			close(h);
		} else {
			if (h >= 0 || errno != EACCES)
				fprintf(stderr, "# right %#x: h %d errno %d\n", right, h, errno);
			CHILD_CHECK(h == -1 && errno == EACCES);
		}
	}
	/* One refused right refuses the whole mask. */
	if (allowed != SECTIONS_ACCESS_ALL)
		CHILD_CHECK_ERR(EACCES, sec_open(dev, name, SECTIONS_ACCESS_ALL));
	if (allowed)
		CHILD_CHECK(({ int __h = sec_open(dev, name, allowed);
			       __h >= 0 ? close(__h) : -1; }) == 0);
}

TEST_F(access, owner_and_default_mode)
{
	struct sections_info info;
	char other[80];
	int h;

	h = create_all(self->dev, self->name, self->ps, 0);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(SECTIONS_DEFAULT_MODE, info.mode);
	EXPECT_EQ(getuid(), info.uid);
	EXPECT_EQ(getgid(), info.gid);
	close(h);

	snprintf(other, sizeof(other), "%s-0640", self->name);
	h = create_all(self->dev, other, self->ps, 0640);
	ASSERT_LE(0, h);
	EXPECT_EQ(0640, sec_query_field(h, mode));
	close(h);
}

/* The creator's ids are recorded, and a later create-or-open does not change them. */
TEST_F(access, owner_is_creator)
{
	pid_t pid;
	int h;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sections_info info;
		int hc;

		CHILD_CHECK(drop_to_nobody() == 0);
		/* Without a privilege, nobody creates in its own scope. */
		hc = create_all(self->dev, local_part(self->name), self->ps, 0644);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(sec_query(hc, &info) == 0);
		CHILD_CHECK(info.uid == NOBODY);
		CHILD_CHECK(info.gid == NOBODY);
		CHILD_CHECK(info.mode == 0644);
		/* The creator gets what it asked for, whatever the mode says. */
		close(hc);
		hc = sec_create_full(self->dev, self->ps, local_part(self->name),
				     SECTIONS_PAGE_READWRITE, SECTIONS_ACCESS_ALL & ~X, 0, 0, 0400, NULL);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(sec_query_field(hc, access) == (SECTIONS_ACCESS_ALL & ~X));
		CHILD_CHECK(sec_query_field(hc, uid) == NOBODY);
		close(hc);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* Root creates a section, nobody opens it by create: still root's. */
	h = create_all(self->dev, self->name, self->ps, 0606);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 result = POISON32;
		int hc;

		CHILD_CHECK(drop_to_nobody() == 0);
		hc = sec_create_full(self->dev, self->ps, self->name,
				     SECTIONS_PAGE_EXECUTE_READWRITE, Q | R, 0, 0, 0666, &result);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(result == SECTIONS_CREATE_EXISTED);
		CHILD_CHECK(sec_query_field(hc, uid) == 0);
		CHILD_CHECK(sec_query_field(hc, gid) == 0);
		CHILD_CHECK(sec_query_field(hc, mode) == 0606);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(h);
}

FIXTURE(mode) {
	int dev;
	long ps;
	char name[64];
};

FIXTURE_VARIANT(mode) {
	__u32 mode;
	/* what uid NOBODY, gid NOBODY may open */
	__u32 other;
};

FIXTURE_VARIANT_ADD(mode, m0600) { .mode = 0600, .other = 0, };
FIXTURE_VARIANT_ADD(mode, m0604) { .mode = 0604, .other = Q | R | C, };
FIXTURE_VARIANT_ADD(mode, m0602) { .mode = 0602, .other = W | E, };
FIXTURE_VARIANT_ADD(mode, m0601) { .mode = 0601, .other = X, };
FIXTURE_VARIANT_ADD(mode, m0606) { .mode = 0606, .other = Q | R | C | W | E, };
FIXTURE_VARIANT_ADD(mode, m0607) { .mode = 0607, .other = SECTIONS_ACCESS_ALL, };
FIXTURE_VARIANT_ADD(mode, m0670) { .mode = 0670, .other = 0, };
FIXTURE_VARIANT_ADD(mode, m0000) { .mode = 0, .other = 0, };

FIXTURE_SETUP(mode)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev);
	global_name(self->name, sizeof(self->name), "mode");
}

FIXTURE_TEARDOWN(mode)
{
	close(self->dev);
}

/* Another user (not in the group) gets the "other" bits. */
TEST_F(mode, other_user_open)
{
	pid_t pid;
	int h;

	h = create_all(self->dev, self->name, self->ps, variant->mode);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(drop_to_nobody() == 0);
		child_check_rights(self->dev, self->name, variant->other);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);
}

/* Create of an existing name by another user checks the same bits. */
TEST_F(mode, other_user_create_existing)
{
	pid_t pid;
	int h;

	h = create_all(self->dev, self->name, self->ps, variant->mode);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned int i;

		CHILD_CHECK(drop_to_nobody() == 0);
		for (i = 0; i < ARRAY_SIZE(single_rights); i++) {
			__u32 right = single_rights[i];
			__u32 result = POISON32;
			int hc;

			errno = 0;
			hc = sec_create(self->dev, self->ps, self->name,
					SECTIONS_PAGE_EXECUTE_READWRITE, right, &result);
			if (variant->other & right) {
				CHILD_CHECK(hc >= 0);
				CHILD_CHECK(result == SECTIONS_CREATE_EXISTED);
				close(hc);
			} else {
				if (hc >= 0 || errno != EACCES)
					fprintf(stderr, "# right %#x: h %d errno %d\n",
						right, hc, errno);
				CHILD_CHECK(hc == -1 && errno == EACCES);
			}
		}
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(h);
}

/* A user whose group is the section's group gets the group bits, not "other". */
TEST(group_class)
{
	static const struct { __u32 mode, allowed; } cases[] = {
		{ 0640, Q | R | C },
		{ 0604, 0 },
		{ 0660, Q | R | C | W | E },
		{ 0610, X },
	};
	char name[64];
	unsigned int i;
	int dev;

	dev = sections_open_dev();
	ASSERT_LE(0, dev);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pid_t pid;
		int h;

		global_name(name, sizeof(name), "grp");
		h = create_all(dev, name, page_size(), cases[i].mode);
		ASSERT_LE(0, h);
		EXPECT_EQ(getgid(), sec_query_field(h, gid));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			gid_t gid = getgid();

			CHILD_CHECK(setgroups(0, NULL) == 0);
			CHILD_CHECK(setresgid(gid, gid, gid) == 0);
			CHILD_CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0);
			child_check_rights(dev, name, cases[i].allowed);
			_exit(0);
		}
		EXPECT_EQ(0, wait_child(pid)) TH_LOG("mode %#o", cases[i].mode);
		close(h);
	}
	close(dev);
}

/* Supplementary groups count, as for files. */
TEST(supplementary_group)
{
	char name[64];
	pid_t pid;
	int dev, h;

	dev = sections_open_dev();
	ASSERT_LE(0, dev);
	global_name(name, sizeof(name), "supp");
	h = create_all(dev, name, page_size(), 0640);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		gid_t groups[1] = { getgid() };

		CHILD_CHECK(setgroups(1, groups) == 0);
		CHILD_CHECK(setresgid(NOBODY, NOBODY, NOBODY) == 0);
		CHILD_CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0);
		child_check_rights(dev, name, Q | R | C);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(h);
	close(dev);
}

/* The owner gets the owner bits even when "other" would give more. */
TEST_F(access, owner_class)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int h;

		CHILD_CHECK(drop_to_nobody() == 0);
		h = create_all(self->dev, local_part(self->name), self->ps, 0407);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(sec_query_field(h, access) == SECTIONS_ACCESS_ALL);
		child_check_rights(self->dev, local_part(self->name), Q | R | C);
		close(h);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/* CAP_IPC_OWNER overrides the mode; without it root is an owner like any other. */
TEST_F(access, cap_ipc_owner)
{
	struct lockstep ls;
	pid_t pid;
	int h, h2;

	h = create_all(self->dev, self->name, self->ps, 0400);
	ASSERT_LE(0, h);
	/* Root holds CAP_IPC_OWNER in the guest. */
	h2 = sec_open(self->dev, self->name, SECTIONS_ACCESS_ALL);
	ASSERT_LE(0, h2) TH_LOG("open with CAP_IPC_OWNER: %s", strerror(errno));
	EXPECT_EQ(SECTIONS_ACCESS_ALL, sec_query_field(h2, access));
	close(h2);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Only CAP_IPC_OWNER goes; CAP_DAC_OVERRIDE and the rest stay. */
		CHILD_CHECK(drop_effective_cap(CAP_IPC_OWNER) == 0);
		child_check_rights(self->dev, self->name, Q | R | C);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(h);

	/*
	 * A section of another user with mode 0600: root opens it anyway. It
	 * is a global name, which nobody may create as a member of global_group.
	 */
	ASSERT_EQ(0, set_global_group(NOBODY));
	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int hc;

		CHILD_CHECK(drop_to_nobody() == 0);
		hc = create_all(self->dev, self->name, self->ps, 0600);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		close(hc);
		_exit(0);
	}
	ASSERT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(0, set_global_group(-1));
	h2 = sec_open(self->dev, self->name, SECTIONS_ACCESS_ALL);
	EXPECT_LE(0, h2);
	EXPECT_EQ(NOBODY, sec_query_field(h2, uid));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	if (h2 >= 0)
		close(h2);
}

/* A nobody with read access maps and reads; the data is the creator's. */
TEST_F(access, other_user_maps)
{
	char *p;
	pid_t pid;
	int h;

	h = create_all(self->dev, self->name, self->ps, 0606);
	ASSERT_LE(0, h);
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "from root");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *q;
		int hr, hw;

		CHILD_CHECK(drop_to_nobody() == 0);
		hr = sec_open(self->dev, self->name, R);
		CHILD_CHECK(hr >= 0);
		q = sec_map(hr, self->ps, PROT_READ, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "from root") == 0);
		CHILD_CHECK(sec_map(hr, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0) ==
			    MAP_FAILED && errno == EACCES);
		munmap(q, self->ps);
		/* A write-only handle maps shared and writes. */
		hw = sec_open(self->dev, self->name, W);
		CHILD_CHECK(hw >= 0);
		q = sec_map(hw, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		strcpy(q + 100, "from nobody");
		munmap(q, self->ps);
		close(hr);
		close(hw);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_STREQ("from nobody", p + 100);
	munmap(p, self->ps);
	close(h);
}

/* ---- handles: query and duplicate ---- */

TEST_F(access, query_needs_query_right)
{
	struct sections_info info;
	struct sections_page_info pi;
	int h, h2;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, R | W | C | E, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(-1, sec_query(h, &info));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(POISON32, info.handles);
	EXPECT_EQ(-1, sec_query_pages(h, 0, 1, &pi));
	EXPECT_EQ(EACCES, errno);

	/* A handle without QUERY can still be duplicated into one... without it. */
	h2 = sec_dup(h, R, 0);
	ASSERT_LE(0, h2);
	EXPECT_EQ(-1, sec_query(h2, &info));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, sec_dup(h, Q, 0));
	EXPECT_EQ(EACCES, errno);
	close(h2);
	close(h);
}

TEST_F(access, dup_fewer_rights)
{
	static const __u32 masks[] = { Q, Q | R, Q | W, Q | C, Q | R | W | C | E, R };
	unsigned int i;
	int h, h2;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		h2 = sec_dup(h, masks[i], 0);
		ASSERT_LE(0, h2) TH_LOG("access %#x: %s", masks[i], strerror(errno));
		EXPECT_NE(h, h2);
		if (masks[i] & Q) {
			EXPECT_EQ(masks[i], sec_query_field(h2, access));
		}
		close(h2);
	}

	/* The reduced handle really is reduced. */
	h2 = sec_dup(h, Q | R, 0);
	ASSERT_LE(0, h2);
	EXPECT_EQ(MAP_FAILED, sec_map(h2, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, sec_map(h2, self->ps, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(EACCES, errno);
	close(h2);
	/* The original keeps its rights. */
	EXPECT_EQ(Q | R | W | C | E, sec_query_field(h, access));
	close(h);
}

TEST_F(access, dup_more_rights)
{
	int h, h2;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_EXECUTE_READWRITE, Q | R, NULL);
	ASSERT_LE(0, h);
	h2 = sec_dup(h, Q | R | W, 0);
	EXPECT_EQ(-1, h2);
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, sec_dup(h, Q | X, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, sec_dup(h, SECTIONS_ACCESS_ALL, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, sec_dup(h, C, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);
}

TEST_F(access, dup_same_access)
{
	int h, h2;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, Q | R | C, NULL);
	ASSERT_LE(0, h);
	/* The access field is ignored: even one that would be refused. */
	h2 = sec_dup(h, SECTIONS_ACCESS_ALL, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, h2);
	EXPECT_EQ(Q | R | C, sec_query_field(h2, access));
	close(h2);
	h2 = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, h2);
	EXPECT_EQ(Q | R | C, sec_query_field(h2, access));
	EXPECT_EQ(2, sec_query_field(h, handles));
	close(h2);
	close(h);
}

TEST_F(access, dup_cloexec)
{
	int h, h2;

	h = sec_create_full(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, 0,
			    SECTIONS_HANDLE_CLOEXEC, 0, NULL);
	ASSERT_LE(0, h);
	h2 = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, h2);
	EXPECT_EQ(0, fd_cloexec(h2));
	close(h2);
	h2 = sec_dup(h, Q, SECTIONS_DUP_SAME_ACCESS | SECTIONS_HANDLE_CLOEXEC);
	ASSERT_LE(0, h2);
	EXPECT_EQ(1, fd_cloexec(h2));
	close(h2);
	h2 = sec_dup(h, Q, SECTIONS_HANDLE_CLOEXEC);
	ASSERT_LE(0, h2);
	EXPECT_EQ(1, fd_cloexec(h2));
	EXPECT_EQ(Q, sec_query_field(h2, access));
	close(h2);
	close(h);
}

TEST_F(access, dup_bad_arguments)
{
	struct sections_dup_args args;
	int h;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(-1, sec_dup(h, Q, SECTIONS_CREATE_FILE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_dup(h, Q, 0x08));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_dup(h, Q, 0x80000000));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sec_dup(h, Q | 0x40, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(h, SECTIONS_IOC_DUPLICATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(h, SECTIONS_IOC_DUPLICATE, unmapped_address()));
	EXPECT_EQ(EFAULT, errno);
	/* Duplicate is a handle ioctl. */
	args.access = Q;
	args.flags = 0;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_DUPLICATE, &args));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);
}

/* dup() gives another descriptor of the same handle: it maps, and it outlives the first. */
TEST_F(access, dup_fd_maps)
{
	char *p, *q;
	int h, d;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, Q | R | W, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "dup");
	d = dup(h);
	ASSERT_LE(0, d);
	EXPECT_EQ(1, sec_query_field(d, handles));
	EXPECT_EQ(Q | R | W, sec_query_field(d, access));
	close(h);
	q = sec_map(d, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("dup", q);
	q[10] = 'z';
	EXPECT_EQ('z', p[10]);
	/* Still no private views through it: the rights are the handle's. */
	EXPECT_EQ(MAP_FAILED, sec_map(d, self->ps, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->ps);
	munmap(q, self->ps);
	close(d);
}

/* A forked child inherits the handle and its rights. */
TEST_F(access, fork_inherits)
{
	char *p;
	pid_t pid;
	int h;

	h = sec_create(self->dev, 2 * self->ps, NULL, SECTIONS_PAGE_READWRITE, Q | R | W, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "parent");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *q;

		CHILD_CHECK(sec_query_field(h, access) == (Q | R | W));
		q = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "parent") == 0);
		strcpy(q + self->ps, "child");
		CHILD_CHECK_ERR(EACCES, sec_map(h, self->ps, PROT_READ, MAP_PRIVATE, 0));
		/* The inherited view works too. */
		CHILD_CHECK(strcmp(p + self->ps, "child") == 0);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_STREQ("child", p + self->ps);
	munmap(p, 2 * self->ps);
	close(h);
}

/* ---- exec: the test binary re-executes itself as a checker ---- */

#define EXEC_CHILD_ARG "--exec-child"

/*
 * argv: EXEC_CHILD_ARG fd expect-open page-size. With expect-open "1" the fd
 * must be a handle whose first page holds "across exec"; with "0" it must not
 * be open.
 */
static int exec_child_main(int argc, char **argv)
{
	int fd, expect_open;
	long ps;
	char *p;

	if (argc != 5)
		return 2;
	fd = atoi(argv[2]);
	expect_open = atoi(argv[3]);
	ps = atol(argv[4]);
	if (!expect_open) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) {
			fprintf(stderr, "# exec child: fd %d is still open\n", fd);
			return 1;
		}
		return 0;
	}
	if (fcntl(fd, F_GETFD) < 0) {
		fprintf(stderr, "# exec child: fd %d is not open\n", fd);
		return 1;
	}
	if (sec_query_field(fd, size) != (__u64)ps) {
		fprintf(stderr, "# exec child: query on fd %d failed\n", fd);
		return 1;
	}
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || strcmp(p, "across exec")) {
		fprintf(stderr, "# exec child: bad view of fd %d\n", fd);
		return 1;
	}
	strcpy(p + 64, "exec child was here");
	return 0;
}

static int run_exec_child(int fd, int expect_open)
{
	char fdstr[16], expstr[4], psstr[32];
	pid_t pid;

	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	snprintf(expstr, sizeof(expstr), "%d", expect_open);
	snprintf(psstr, sizeof(psstr), "%ld", page_size());
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "sections_access", EXEC_CHILD_ARG, fdstr, expstr, psstr,
		      (char *)NULL);
		fprintf(stderr, "# exec: %s\n", strerror(errno));
		_exit(3);
	}
	return wait_child(pid);
}

TEST_F(access, exec_inherits)
{
	char *p;
	int h, hc;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "across exec");

	EXPECT_EQ(0, run_exec_child(h, 1));
	EXPECT_STREQ("exec child was here", p + 64);

	/* A close-on-exec duplicate does not cross. */
	hc = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS | SECTIONS_HANDLE_CLOEXEC);
	ASSERT_LE(0, hc);
	EXPECT_EQ(0, run_exec_child(hc, 0));
	close(hc);

	/* Nor a close-on-exec handle from create. */
	hc = sec_create_full(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, 0,
			     SECTIONS_HANDLE_CLOEXEC, 0, NULL);
	ASSERT_LE(0, hc);
	EXPECT_EQ(0, run_exec_child(hc, 0));
	close(hc);

	munmap(p, self->ps);
	close(h);
}

/* ---- SCM_RIGHTS ---- */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;
	char byte = 'h';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };

	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	int fd;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

TEST_F(access, scm_rights)
{
	int sv[2], h, hr;
	char *p, c = 0;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *q;
		int fd;

		close(sv[0]);
		fd = recv_fd(sv[1]);
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(sec_query_field(fd, access) == (Q | R | W));
		CHILD_CHECK(sec_query_field(fd, size) == (__u64)(3 * self->ps));
		q = sec_map(fd, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q + self->ps, "sent by the parent") == 0);
		strcpy(q + 2 * self->ps, "answered by the child");
		CHILD_CHECK_ERR(EACCES, sec_map(fd, self->ps, PROT_READ, MAP_PRIVATE, 0));
		CHILD_CHECK(write(sv[1], "d", 1) == 1);
		_exit(0);
	}
	close(sv[1]);

	h = sec_create(self->dev, 3 * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, 3 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + self->ps, "sent by the parent");
	hr = sec_dup(h, Q | R | W, 0);
	ASSERT_LE(0, hr);
	ASSERT_EQ(0, send_fd(sv[0], hr));
	close(hr);
	EXPECT_EQ(1, read(sv[0], &c, 1));
	EXPECT_EQ('d', c);
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_STREQ("answered by the child", p + 2 * self->ps);
	munmap(p, 3 * self->ps);
	close(h);
	close(sv[0]);
}

/* ---- re-opening a handle behind the module's back ---- */

/* Whatever reopen gave, it must not map writable. */
static int check_reopened(int fd, long ps)
{
	void *p;

	if (fd < 0)
		return 0;
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		munmap(p, ps);
		return -1;
	}
	return 0;
}

TEST_F(access, proc_fd_reopen)
{
	char path[64];
	int h, fd;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READONLY, 0, NULL);
	ASSERT_LE(0, h);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", h);

	fd = open(path, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(0, check_reopened(fd, self->ps)) TH_LOG("O_RDWR reopen maps writable");
	if (fd >= 0)
		close(fd);

	fd = open(path, O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(0, check_reopened(fd, self->ps)) TH_LOG("O_RDONLY reopen maps writable");
	if (fd >= 0)
		close(fd);
	close(h);
}

/* /proc/self/map_files of a read-only view must not yield a writable mapping. */
TEST_F(access, map_files_reopen)
{
	static const struct { __u32 protection, access; } cases[] = {
		{ SECTIONS_PAGE_READONLY, 0 },
		{ SECTIONS_PAGE_READWRITE, Q | R },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char path[128];
		char *p;
		int h, fd;

		h = sec_create(self->dev, self->ps, NULL, cases[i].protection, cases[i].access,
			       NULL);
		ASSERT_LE(0, h);
		p = sec_map(h, self->ps, PROT_READ, MAP_SHARED, 0);
		ASSERT_NE(MAP_FAILED, p);
		snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
			 (unsigned long)p, (unsigned long)p + self->ps);
		fd = open(path, O_RDWR);
		EXPECT_EQ(0, check_reopened(fd, self->ps)) TH_LOG("case %u: O_RDWR", i);
		if (fd >= 0)
			close(fd);
		fd = open(path, O_RDONLY);
		EXPECT_EQ(0, check_reopened(fd, self->ps)) TH_LOG("case %u: O_RDONLY", i);
		if (fd >= 0)
			close(fd);
		/* And the view itself cannot be made writable. */
		EXPECT_EQ(-1, mprotect(p, self->ps, PROT_READ | PROT_WRITE));
		EXPECT_EQ(EACCES, errno);
		munmap(p, self->ps);
		close(h);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], EXEC_CHILD_ARG))
		return exec_child_main(argc, argv);
	return test_harness_run(argc, argv);
}

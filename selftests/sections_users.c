// SPDX-License-Identifier: GPL-2.0
/*
 * Sections and users: the per-user "Local\" name scope and the "Global\"
 * scope, who may create Global\ names (CAP_IPC_OWNER, the global_group
 * parameter, user and IPC namespaces), create-or-open as an open, the
 * SECTIONS_ATTR_GLOBAL_NAME query bit, the scope column and name escaping of
 * /proc/sections, per-user limits on sections and names, handles that refuse
 * to be used as files, and modes across two users.
 *
 * The unprivileged users are uid/gid 1000 and 1001, reached by setresuid()
 * in forked children (no passwd entry is needed).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "sections_test.h"

#ifndef SECTIONS_ATTR_GLOBAL_NAME
#define SECTIONS_ATTR_GLOBAL_NAME	0x100
#endif

#define Q SECTIONS_ACCESS_QUERY
#define R SECTIONS_ACCESS_MAP_READ
#define W SECTIONS_ACCESS_MAP_WRITE
#define C SECTIONS_ACCESS_MAP_COPY
#define RW_PROT SECTIONS_PAGE_READWRITE

#define USER1		1000
#define USER2		1001

#define PARAMS			"/sys/module/sections/parameters/"
#define MAX_SECTIONS		"max_sections_per_user"
#define MAX_NAMES		"max_names_per_user"
#define GLOBAL_GROUP		"global_group"
#define DEFAULT_MAX		65536

/* ---- credentials ---- */

/* Become uid/gid with the given supplementary groups and no capabilities. */
static int become(uid_t uid, gid_t gid, int ngroups, const gid_t *groups)
{
	if (setgroups(ngroups, groups))
		return -1;
	if (setresgid(gid, gid, gid))
		return -1;
	if (setresuid(uid, uid, uid))
		return -1;
	/* So that /proc/self/{uid,gid}_map and setgroups belong to us. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static int set_caps(__u32 mask0, __u32 mask1)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = mask0;
	data[1].effective = data[1].permitted = mask1;
	return syscall(SYS_capset, &hdr, data);
}

/* Become uid/gid (no supplementary groups) keeping only capability cap. */
static int become_with_cap(uid_t uid, gid_t gid, int cap)
{
	__u32 masks[2] = { 0, 0 };

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -1;
	masks[CAP_TO_INDEX(cap)] = CAP_TO_MASK(cap);
	if (set_caps(masks[0], masks[1]))
		return -1;
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static int write_str(const char *path, const char *s)
{
	ssize_t len = strlen(s), n;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, s, len);
	e = errno;
	close(fd);
	errno = e;
	return n == len ? 0 : -1;
}

/*
 * unshare(CLONE_NEWUSER | extra) and map uid and gid 0 inside to the caller's
 * euid and egid: root inside, the same kuid and kgid as before.
 */
/* A user namespace of its own, then say so on @tell and wait on @wait (a child's steps). */
static int new_userns_then_wait(int tell, int wait)
{
	char c = 0;

	if (unshare(CLONE_NEWUSER) || write(tell, &c, 1) != 1 || read(wait, &c, 1) != 1)
		return -1;
	return 0;
}

/* @pid's uid and gid maps, both @map ("inside outside count"). */
static int write_id_maps(pid_t pid, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (write_str(path, map))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	return write_str(path, map);
}

static int enter_userns(int extra)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER | extra))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (write_str("/proc/self/uid_map", map))
		return -1;
	if (write_str("/proc/self/setgroups", "deny"))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (write_str("/proc/self/gid_map", map))
		return -1;
	return geteuid() == 0 ? 0 : -1;
}

/* ---- module parameters ---- */

static int write_param(const char *param, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", param);
	return write_str(path, value);
}

static int write_param_int(const char *param, long long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	return write_param(param, buf);
}

/* Read an integer parameter; 0 on success. */
static int read_param(const char *param, long long *value)
{
	char path[128], buf[64], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", param);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	errno = 0;
	*value = strtoll(buf, &end, 10);
	if (end == buf || errno || (*end && *end != '\n'))
		return -1;
	return 0;
}

/* ---- /proc/sections ---- */

static const char *const columns[] = {
	"name", "size", "backing", "uid", "gid", "mode", "handles", "views", "resident",
	"dirty", "scope",
};

#define ESCAPED_MAX (4 * SECTIONS_NAME_MAX + 1)

struct prow {
	char name[ESCAPED_MAX + 8];
	unsigned long long size;
	char backing[32];
	unsigned int uid, gid;
	char mode[16];
	unsigned int handles, views;
	unsigned long long resident, dirty;
	char scope[16];
};

static char *read_all_fd(int fd)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (cap - len < 2048) {
			char *nbuf = realloc(buf, cap *= 2);

			if (!nbuf) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = 0;
	return buf;
}

static char *read_proc(void)
{
	int fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = read_all_fd(fd);
	close(fd);
	return buf;
}

static bool parse_prow(const char *line, struct prow *r)
{
	char extra[2];

	memset(r, 0, sizeof(*r));
	return sscanf(line, "%1027s %llu %31s %u %u %15s %u %u %llu %llu %15s %1s", r->name,
		      &r->size, r->backing, &r->uid, &r->gid, r->mode, &r->handles, &r->views,
		      &r->resident, &r->dirty, r->scope, extra) == 11;
}

/*
 * The number of rows of the /proc/sections text buf whose name column is
 * name (as listed, i.e. escaped), whose scope is scope (NULL: any) and whose
 * uid is uid (-1: any); the last match goes to *row when row is not NULL.
 * -1 when a line is malformed.
 */
static int count_prows(const char *buf, const char *name, const char *scope, long uid,
		       struct prow *row)
{
	char *copy = strdup(buf), *line, *save = NULL;
	int found = 0, first = 1;

	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct prow r;

		if (first) {
			first = 0;
			continue;
		}
		if (!parse_prow(line, &r)) {
			fprintf(stderr, "# malformed line in %s: \"%s\"\n", SECTIONS_PROC, line);
			found = -1;
			break;
		}
		if (strcmp(r.name, name) || (scope && strcmp(r.scope, scope)) ||
		    (uid >= 0 && r.uid != (unsigned long)uid))
			continue;
		found++;
		if (row)
			*row = r;
	}
	free(copy);
	return found;
}

/* The rows of a read of /proc/sections (the lines after the header). */
static int proc_lines(const char *buf)
{
	int n = -1;

	for (; *buf; buf++)
		n += *buf == '\n';
	return n;
}

/* count_prows() on a fresh read of /proc/sections. */
static int proc_rows(const char *name, const char *scope, long uid, struct prow *row)
{
	char *buf = read_proc();
	int n;

	if (!buf)
		return -1;
	n = count_prows(buf, name, scope, uid, row);
	free(buf);
	return n;
}

/* ---- checks with a set of acceptable errnos ---- */

static bool errno_in(int e, const int *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == e)
			return true;
	return false;
}

/* In the test process: call must fail with one of the errnos listed. */
#define EXPECT_FAIL_IN(call, ...) do { \
	static const int __set[] = { __VA_ARGS__ }; \
	long __r; \
	int __e; \
	errno = 0; \
	__r = (long)(call); \
	__e = errno; \
	EXPECT_TRUE(__r == -1 && errno_in(__e, __set, ARRAY_SIZE(__set))) \
		TH_LOG("%s returned %ld, errno %d (%s)", #call, __r, __e, strerror(__e)); \
} while (0)

/* In a child: the same, exiting 1 on mismatch. */
#define CHILD_FAIL_IN(call, ...) do { \
	static const int __set[] = { __VA_ARGS__ }; \
	long __r; \
	int __e; \
	errno = 0; \
	__r = (long)(call); \
	__e = errno; \
	if (__r != -1 || !errno_in(__e, __set, ARRAY_SIZE(__set))) { \
		fprintf(stderr, "# child %d: %s:%d: %s returned %ld errno %d (%s)\n", \
			(int)getpid(), __FILE__, __LINE__, #call, __r, __e, strerror(__e)); \
		_exit(1); \
	} \
} while (0)

/* The errnos a handle may give for sendfile, splice and copy_file_range. */
#define XFER_ERRNOS EINVAL, EBADF, EXDEV, ESPIPE, EOPNOTSUPP, EPERM

/* ---- small helpers ---- */

/*
 * In the parent, once the child of ls is forked: close the child's ends, so
 * that a child that dies early is an EOF here rather than a wait until the
 * harness times out.
 */
static void lockstep_parent(struct lockstep *ls)
{
	close(ls->to_child[0]);
	close(ls->to_parent[1]);
}

static void prefixed(char *buf, size_t size, const char *prefix, const char *name)
{
	snprintf(buf, size, "%s%s", prefix, name);
}

/* Create a named pagefile READWRITE section of size bytes with mode; result in *result. */
static int create_named(int dev, long size, const char *name, __u32 access, __u32 mode,
			__u32 *result)
{
	if (result)
		*result = POISON32;
	return sec_create_full(dev, size, name, RW_PROT, access, 0, 0, mode, result);
}

static int create_unnamed(int dev, long size)
{
	return sec_create(dev, size, NULL, RW_PROT, 0, NULL);
}

static __u32 query_attributes(int h)
{
	return (__u32)sec_query_field(h, attributes);
}

/* Query the name of h into buf (size bytes); 0 on success. */
static int query_name(int h, char *buf, size_t size, struct sections_info *info)
{
	memset(buf, POISON_BYTE, size);
	memset(info, POISON_BYTE, sizeof(*info));
	info->name = (uintptr_t)buf;
	info->name_size = size;
	return ioctl(h, SECTIONS_IOC_QUERY, info);
}

/* A READ|WRITE shared view of the first size bytes of h, or MAP_FAILED. */
static char *map_rw(int h, long size)
{
	return sec_map(h, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}

static bool all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* ============================================================ */
/* A. Name scopes                                                */
/* ============================================================ */

FIXTURE(scope) {
	int dev;
	long ps;
	char base[64];
	char local[80];
	char global[80];
};

FIXTURE_SETUP(scope)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(self->base, sizeof(self->base), "scope");
	prefixed(self->local, sizeof(self->local), "Local\\", self->base);
	prefixed(self->global, sizeof(self->global), "Global\\", self->base);
}

FIXTURE_TEARDOWN(scope)
{
	close(self->dev);
}

/*
 * Local\x is per effective uid: root, 1000 and 1001 each create their own
 * (EXISTED clear, zeroed memory); "x" is the caller's Local\x.
 */
TEST_F(scope, local_is_per_user)
{
	struct lockstep ls;
	__u32 result;
	char *p;
	pid_t pid, pid2;
	int h, h2;

	h = create_named(self->dev, self->ps, self->local, 0, 0666, &result);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, result);
	EXPECT_EQ(0, query_attributes(h) & SECTIONS_ATTR_GLOBAL_NAME);
	p = map_rw(h, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "root's local");
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res = POISON32;
		char *q, *q2;
		int hc, hc2;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		hc = create_named(self->dev, self->ps, self->local, 0, 0666, &res);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(res == 0);
		CHILD_CHECK(sec_query_field(hc, uid) == USER1);
		CHILD_CHECK(sec_query_field(hc, handles) == 1);
		CHILD_CHECK((query_attributes(hc) & SECTIONS_ATTR_GLOBAL_NAME) == 0);
		q = map_rw(hc, self->ps);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(all_zero(q, self->ps));
		strcpy(q, "1000's local");
		/* The bare name is this user's Local\ name. */
		hc2 = create_named(self->dev, self->ps, self->base, 0, 0666, &res);
		CHILD_CHECK(hc2 >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		q2 = map_rw(hc2, self->ps);
		CHILD_CHECK(q2 != MAP_FAILED);
		CHILD_CHECK(strcmp(q2, "1000's local") == 0);
		munmap(q2, self->ps);
		close(hc2);
		/* Nobody made a Global\ one. */
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->global, Q));
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		CHILD_CHECK(strcmp(q, "1000's local") == 0);
		CHILD_CHECK(sec_query_field(hc, handles) == 1);
		_exit(0);
	}
	lockstep_parent(&ls);
	ASSERT_EQ('c', parent_wait(&ls));

	/* 1001 gets a third object; its "x" is its own Local\x. */
	pid2 = fork();
	ASSERT_LE(0, pid2);
	if (pid2 == 0) {
		__u32 res = POISON32;
		char *q;
		int hc, ho;

		CHILD_CHECK(become(USER2, USER2, 0, NULL) == 0);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->base, Q));
		hc = create_named(self->dev, self->ps, self->base, 0, 0666, &res);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(res == 0);
		CHILD_CHECK(sec_query_field(hc, uid) == USER2);
		q = map_rw(hc, self->ps);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(all_zero(q, self->ps));
		strcpy(q, "1001's");
		ho = sec_open(self->dev, self->local, Q | R);
		CHILD_CHECK(ho >= 0);
		CHILD_CHECK(sec_query_field(ho, uid) == USER2);
		CHILD_CHECK(sec_query_field(ho, handles) == 2);
		close(ho);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid2));

	/* The effective uid decides, not the real one. */
	pid2 = fork();
	ASSERT_LE(0, pid2);
	if (pid2 == 0) {
		char *q;
		int ho;

		CHILD_CHECK(setgroups(0, NULL) == 0);
		CHILD_CHECK(setresgid(USER2, USER1, USER1) == 0);
		CHILD_CHECK(setresuid(USER2, USER1, USER1) == 0);
		ho = sec_open(self->dev, self->base, Q | R);
		CHILD_CHECK(ho >= 0);
		CHILD_CHECK(sec_query_field(ho, uid) == USER1);
		q = sec_map(ho, self->ps, PROT_READ, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "1000's local") == 0);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid2));
	pid2 = fork();
	ASSERT_LE(0, pid2);
	if (pid2 == 0) {
		CHILD_CHECK(setgroups(0, NULL) == 0);
		CHILD_CHECK(setresgid(USER1, USER2, USER2) == 0);
		CHILD_CHECK(setresuid(USER1, USER2, USER2) == 0);
		/* 1001's own Local\x went with its last handle. */
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->local, Q));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid2));

	/* Root's own object is untouched and still root's only handle. */
	EXPECT_STREQ("root's local", p);
	EXPECT_EQ(1, sec_query_field(h, handles));
	h2 = sec_open(self->dev, self->base, Q | R);
	ASSERT_LE(0, h2);
	EXPECT_EQ(0, sec_query_field(h2, uid));
	EXPECT_EQ(2, sec_query_field(h, handles));
	close(h2);
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	munmap(p, self->ps);
	close(h);
}

/* Global\x and Local\x are two objects; "x" is Local\x. */
TEST_F(scope, global_is_not_local)
{
	__u32 rg, rl, rb;
	char *pg, *pl, *pb;
	int hg, hl, hb, ho;

	hg = create_named(self->dev, self->ps, self->global, 0, 0, &rg);
	ASSERT_LE(0, hg) TH_LOG("create %s: %s", self->global, strerror(errno));
	hl = create_named(self->dev, self->ps, self->local, 0, 0, &rl);
	ASSERT_LE(0, hl);
	EXPECT_EQ(0, rg);
	EXPECT_EQ(0, rl);
	EXPECT_EQ(1, sec_query_field(hg, handles));
	EXPECT_EQ(1, sec_query_field(hl, handles));
	hb = create_named(self->dev, self->ps, self->base, 0, 0, &rb);
	ASSERT_LE(0, hb);
	EXPECT_EQ(SECTIONS_CREATE_EXISTED, rb);
	EXPECT_EQ(2, sec_query_field(hl, handles));
	EXPECT_EQ(1, sec_query_field(hg, handles));

	pg = map_rw(hg, self->ps);
	ASSERT_NE(MAP_FAILED, pg);
	pl = map_rw(hl, self->ps);
	ASSERT_NE(MAP_FAILED, pl);
	pb = map_rw(hb, self->ps);
	ASSERT_NE(MAP_FAILED, pb);
	strcpy(pg, "global");
	strcpy(pl, "local");
	EXPECT_STREQ("global", pg);
	EXPECT_STREQ("local", pb);

	ho = sec_open(self->dev, self->global, Q | R);
	ASSERT_LE(0, ho);
	EXPECT_EQ(2, sec_query_field(hg, handles));
	close(ho);

	/* The local object going leaves the global one. */
	munmap(pl, self->ps);
	munmap(pb, self->ps);
	close(hl);
	close(hb);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->local));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->base));
	EXPECT_EQ(0, sec_open_errno(self->dev, self->global));
	EXPECT_STREQ("global", pg);
	munmap(pg, self->ps);
	close(hg);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->global));
}

/* A Global\ name is one object for every user; it is nobody's Local\ name. */
TEST_F(scope, global_across_users)
{
	char *p;
	pid_t pid;
	int h;

	h = create_named(self->dev, self->ps, self->global, 0, 0666, NULL);
	ASSERT_LE(0, h);
	p = map_rw(h, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "root's global");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res = POISON32;
		char *q;
		int ho, hc;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		ho = sec_open(self->dev, self->global, R | W);
		CHILD_CHECK(ho >= 0);
		q = map_rw(ho, self->ps);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "root's global") == 0);
		strcpy(q + 100, "1000 was here");
		hc = create_named(self->dev, self->ps, self->global, Q | R, 0600, &res);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		CHILD_CHECK(sec_query_field(hc, uid) == 0);
		CHILD_CHECK(sec_query_field(hc, handles) == 3);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->local, Q));
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->base, Q));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_STREQ("1000 was here", p + 100);
	EXPECT_EQ(1, sec_query_field(h, handles));
	munmap(p, self->ps);
	close(h);
}

/*
 * The user of a Local\ name is the kuid: uid 1000 mapped to 0 in a user
 * namespace is uid 1000, not root.
 */
TEST_F(scope, local_is_per_kuid)
{
	char third[80], roots[80];
	struct lockstep la, lb;
	pid_t a, b;
	int hr;

	snprintf(third, sizeof(third), "%s-made-in-userns", self->base);
	snprintf(roots, sizeof(roots), "Local\\%s-root", self->base);
	hr = create_named(self->dev, self->ps, roots, 0, 0666, NULL);
	ASSERT_LE(0, hr);
	ASSERT_EQ(0, lockstep_init(&la));

	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		char *q;
		int h, ho;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		h = create_named(self->dev, self->ps, self->local, 0, 0600, NULL);
		CHILD_CHECK(h >= 0);
		q = map_rw(h, self->ps);
		CHILD_CHECK(q != MAP_FAILED);
		strcpy(q, "from 1000");
		CHILD_CHECK(child_post(&la, 'c') == 0);
		CHILD_CHECK(child_wait(&la) == 'p');
		/* What the user-namespaced 1000 created is this user's too. */
		ho = sec_open(self->dev, third, Q | R);
		CHILD_CHECK(ho >= 0);
		CHILD_CHECK(sec_query_field(ho, uid) == USER1);
		close(ho);
		CHILD_CHECK(strcmp(q + 200, "from userns") == 0);
		_exit(0);
	}
	lockstep_parent(&la);
	ASSERT_EQ('c', parent_wait(&la));
	/* After a's fork, so that a holds none of b's pipe ends. */
	ASSERT_EQ(0, lockstep_init(&lb));

	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		__u32 res = POISON32;
		char *q;
		int ho, h3;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		CHILD_CHECK(enter_userns(0) == 0);
		/* Mode 0600 and we are its owner: read and write. */
		ho = sec_open(self->dev, self->base, Q | R | W);
		CHILD_CHECK(ho >= 0);
		/* Uid 1000 is 0 here. */
		CHILD_CHECK(sec_query_field(ho, uid) == 0);
		q = map_rw(ho, self->ps);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "from 1000") == 0);
		strcpy(q + 200, "from userns");
		/* Root's Local\ names are not ours, even as uid 0 here. */
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, roots, Q));
		h3 = create_named(self->dev, self->ps, third, 0, 0600, &res);
		CHILD_CHECK(h3 >= 0);
		CHILD_CHECK(res == 0);
		CHILD_CHECK(child_post(&lb, 'c') == 0);
		CHILD_CHECK(child_wait(&lb) == 'p');
		close(h3);
		_exit(0);
	}
	lockstep_parent(&lb);
	ASSERT_EQ('c', parent_wait(&lb));
	/* Not root's: root does not see it under its bare name. */
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, third));
	EXPECT_EQ(0, parent_post(&la, 'p'));
	EXPECT_EQ(0, wait_child(a));
	EXPECT_EQ(0, parent_post(&lb, 'p'));
	EXPECT_EQ(0, wait_child(b));
	close(hr);
}

/* ============================================================ */
/* B. Who may create a Global\ name                              */
/* ============================================================ */

FIXTURE(globals) {
	int dev;
	long ps;
	char base[64];
	char global[80];
};

FIXTURE_SETUP(globals)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(self->base, sizeof(self->base), "glob");
	prefixed(self->global, sizeof(self->global), "Global\\", self->base);
}

/* In the parent, even when the test died of a signal: the default comes back. */
FIXTURE_TEARDOWN_PARENT(globals)
{
	write_param_int(GLOBAL_GROUP, -1);
}

/* An unprivileged user cannot create a Global\ name; it can open an existing one. */
TEST_F(globals, unprivileged_create_eperm)
{
	char *p;
	pid_t pid;
	int h;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		CHILD_CHECK_ERR(EPERM, create_named(self->dev, self->ps, self->global, 0, 0666,
						     NULL));
		CHILD_CHECK_ERR(EPERM, create_named(self->dev, self->ps, self->global, Q, 0666,
						     NULL));
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->global, Q));
		/* Its Local\ names it may create. */
		CHILD_CHECK(({ int __h = create_named(self->dev, self->ps, self->base, 0, 0,
						      NULL);
			       __h >= 0 ? close(__h) : -1; }) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	/* Nothing was created. */
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->global));
	EXPECT_EQ(0, proc_rows(self->base, NULL, -1, NULL));

	h = create_named(self->dev, 2 * self->ps, self->global, 0, 0644, NULL);
	ASSERT_LE(0, h) TH_LOG("root: create %s: %s", self->global, strerror(errno));
	p = map_rw(h, 2 * self->ps);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + self->ps, "made by root");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res = POISON32;
		char *q;
		int hc, ho;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		hc = create_named(self->dev, self->ps, self->global, Q | R, 0666, &res);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		CHILD_CHECK(sec_query_field(hc, size) == (__u64)(2 * self->ps));
		ho = sec_open(self->dev, self->global, R);
		CHILD_CHECK(ho >= 0);
		q = sec_map(ho, 2 * self->ps, PROT_READ, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q + self->ps, "made by root") == 0);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, sec_query_field(h, handles));
	munmap(p, 2 * self->ps);
	close(h);
}

/* Root without CAP_IPC_OWNER (and global_group unset) is refused too. */
TEST_F(globals, root_needs_cap_ipc_owner)
{
	char other[80];
	pid_t pid;
	int h;

	snprintf(other, sizeof(other), "Global\\%s-existing", self->base);
	h = create_named(self->dev, self->ps, other, 0, 0600, NULL);
	ASSERT_LE(0, h) TH_LOG("create %s: %s", other, strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res = POISON32;
		int ho;

		CHILD_CHECK(drop_effective_cap(CAP_IPC_OWNER) == 0);
		CHILD_CHECK_ERR(EPERM, create_named(self->dev, self->ps, self->global, 0, 0,
						     NULL));
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->global, Q));
		/* Opening an existing one is an open: root owns it, mode 0600. */
		ho = create_named(self->dev, self->ps, other, 0, 0, &res);
		CHILD_CHECK(ho >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		close(ho);
		ho = sec_open(self->dev, other, Q | R | W);
		CHILD_CHECK(ho >= 0);
		close(ho);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->global));
	close(h);
}

/* Child: with the given ids, create Global\ name and expect err (0: success). */
static void child_global_create(int dev, long ps, const char *name, uid_t uid, gid_t rgid,
				gid_t egid, int ngroups, const gid_t *groups, int err)
{
	__u32 res = POISON32;
	int h;

	CHILD_CHECK(setgroups(ngroups, groups) == 0);
	CHILD_CHECK(setresgid(rgid, egid, egid) == 0);
	CHILD_CHECK(setresuid(uid, uid, uid) == 0);
	errno = 0;
	h = create_named(dev, ps, name, 0, 0, &res);
	if (err) {
		if (h >= 0 || errno != err)
			fprintf(stderr, "# %s: h %d errno %d, expected errno %d\n", name, h,
				errno, err);
		CHILD_CHECK(h == -1 && errno == err);
		CHILD_CHECK_ERR(ENOENT, sec_open(dev, name, Q));
		_exit(0);
	}
	CHILD_CHECK(h >= 0);
	CHILD_CHECK(res == 0);
	CHILD_CHECK(query_attributes(h) & SECTIONS_ATTR_GLOBAL_NAME);
	CHILD_CHECK(sec_query_field(h, uid) == uid);
	CHILD_CHECK(sec_query_field(h, gid) == egid);
	close(h);
	_exit(0);
}

#define RUN_GLOBAL_CREATE(tag, uid, rgid, egid, ngroups, groups, err) do { \
	char __n[96]; \
	pid_t __pid; \
	snprintf(__n, sizeof(__n), "%s-%s", self->global, tag); \
	__pid = fork(); \
	ASSERT_LE(0, __pid); \
	if (__pid == 0) \
		child_global_create(self->dev, self->ps, __n, uid, rgid, egid, ngroups, \
				    groups, err); \
	EXPECT_EQ(0, wait_child(__pid)) TH_LOG("case %s", tag); \
} while (0)

/* Members of global_group (effective or supplementary gid) may create Global\ names. */
TEST_F(globals, global_group)
{
	static const gid_t member[] = { USER1 };
	static const gid_t others[] = { 4242, 4343 };
	long long v;
	pid_t pid;

	ASSERT_EQ(0, read_param(GLOBAL_GROUP, &v)) TH_LOG("%s%s: %s", PARAMS, GLOBAL_GROUP,
							   strerror(errno));
	EXPECT_EQ(-1, v);
	/* With no group set, gid 1000 is nothing special. */
	RUN_GLOBAL_CREATE("unset", USER2, USER1, USER1, 0, NULL, EPERM);

	ASSERT_EQ(0, write_param_int(GLOBAL_GROUP, USER1));
	ASSERT_EQ(0, read_param(GLOBAL_GROUP, &v));
	EXPECT_EQ(USER1, v);
	RUN_GLOBAL_CREATE("egid", USER2, USER1, USER1, 0, NULL, 0);
	RUN_GLOBAL_CREATE("supp", USER2, USER2, USER2, 1, member, 0);
	RUN_GLOBAL_CREATE("none", USER2, USER2, USER2, 2, others, EPERM);
	/* The real gid alone is not membership. */
	RUN_GLOBAL_CREATE("rgid", USER2, USER1, USER2, 0, NULL, EPERM);

	/* The gid is a kgid: gid 1000 mapped to 0 in a user namespace is a member. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n[96];
		int h;

		snprintf(n, sizeof(n), "%s-userns", self->global);
		CHILD_CHECK(become(USER2, USER1, 0, NULL) == 0);
		CHILD_CHECK(enter_userns(0) == 0);
		h = create_named(self->dev, self->ps, n, 0, 0, NULL);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(query_attributes(h) & SECTIONS_ATTR_GLOBAL_NAME);
		close(h);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* -1 means none again. */
	ASSERT_EQ(0, write_param_int(GLOBAL_GROUP, -1));
	ASSERT_EQ(0, read_param(GLOBAL_GROUP, &v));
	EXPECT_EQ(-1, v);
	RUN_GLOBAL_CREATE("reset", USER2, USER1, USER1, 0, NULL, EPERM);
}

/* uid 0 of a new user namespace is not privileged over the initial IPC namespace. */
TEST_F(globals, userns_cannot_create_global)
{
	char existing[80];
	char *p;
	pid_t pid;
	int h;

	snprintf(existing, sizeof(existing), "Global\\%s-root", self->base);
	h = create_named(self->dev, self->ps, existing, 0, 0644, NULL);
	ASSERT_LE(0, h);
	p = map_rw(h, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "root's");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res = POISON32;
		char *q;
		int hc;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		CHILD_CHECK(enter_userns(0) == 0);
		CHILD_CHECK_ERR(EPERM, create_named(self->dev, self->ps, self->global, 0, 0,
						     NULL));
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->global, Q));
		/* An existing one opens with what its mode gives: r for others. */
		hc = create_named(self->dev, self->ps, existing, Q | R, 0, &res);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		q = sec_map(hc, self->ps, PROT_READ, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "root's") == 0);
		CHILD_CHECK_ERR(EACCES, sec_open(self->dev, existing, W));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->global));
	EXPECT_EQ(1, sec_query_field(h, handles));
	munmap(p, self->ps);
	close(h);
}

/*
 * With its own IPC namespace, the user-namespaced user owns it and may create
 * Global\ names there; they are invisible from the initial namespace.
 */
TEST_F(globals, userns_ipcns_creates_global)
{
	char roots[80];
	struct lockstep ls;
	pid_t pid;
	int h;

	snprintf(roots, sizeof(roots), "Global\\%s-root", self->base);
	h = create_named(self->dev, self->ps, roots, 0, 0666, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res = POISON32;
		char name[80], *buf;
		int hg, hl;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		CHILD_CHECK(enter_userns(CLONE_NEWIPC) == 0);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, roots, Q));
		hg = create_named(self->dev, self->ps, self->global, 0, 0, &res);
		CHILD_CHECK(hg >= 0);
		CHILD_CHECK(res == 0);
		CHILD_CHECK(query_name(hg, name, sizeof(name), &(struct sections_info){ 0 }) == 0);
		CHILD_CHECK(strcmp(name, self->base) == 0);
		CHILD_CHECK(query_attributes(hg) & SECTIONS_ATTR_GLOBAL_NAME);
		hl = create_named(self->dev, self->ps, self->base, 0, 0, &res);
		CHILD_CHECK(hl >= 0);
		CHILD_CHECK(res == 0);
		CHILD_CHECK((query_attributes(hl) & SECTIONS_ATTR_GLOBAL_NAME) == 0);
		buf = read_proc();
		CHILD_CHECK(buf != NULL);
		CHILD_CHECK(count_prows(buf, self->base, "global", -1, NULL) == 1);
		CHILD_CHECK(count_prows(buf, self->base, "local", -1, NULL) == 1);
		free(buf);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		close(hg);
		close(hl);
		_exit(0);
	}
	lockstep_parent(&ls);
	ASSERT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->global));
	EXPECT_EQ(0, proc_rows(self->base, NULL, -1, NULL));
	EXPECT_EQ(1, sec_query_field(h, handles));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	close(h);
}

/* ============================================================ */
/* C. Create that meets an existing section is an open           */
/* ============================================================ */

TEST_F(globals, create_existing_checks_mode)
{
	char *p;
	pid_t pid;
	int h;

	h = create_named(self->dev, self->ps, self->global, 0, 0644, NULL);
	ASSERT_LE(0, h) TH_LOG("create %s: %s", self->global, strerror(errno));
	p = map_rw(h, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "root's bytes");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 res;
		char *q;
		int hc;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		/* Access 0 means every right of READWRITE: MAP_WRITE is not in 0644's r. */
		res = POISON32;
		CHILD_CHECK_ERR(EACCES, sec_create(self->dev, self->ps, self->global, RW_PROT, 0,
						    &res));
		CHILD_CHECK_ERR(EACCES, sec_create(self->dev, self->ps, self->global, RW_PROT,
						    Q | W, NULL));
		/* Access 0 follows the existing section's protection, not the one asked. */
		CHILD_CHECK_ERR(EACCES, sec_create(self->dev, self->ps, self->global,
						    SECTIONS_PAGE_READONLY, 0, NULL));
		/* No handle was taken by the refusals. */
		res = POISON32;
		hc = sec_create(self->dev, self->ps, self->global, RW_PROT, R | Q, &res);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		CHILD_CHECK(sec_query_field(hc, handles) == 2);
		CHILD_CHECK(sec_query_field(hc, access) == (R | Q));
		CHILD_CHECK(sec_query_field(hc, uid) == 0);
		CHILD_CHECK(sec_query_field(hc, mode) == 0644);
		q = sec_map(hc, self->ps, PROT_READ, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "root's bytes") == 0);
		CHILD_CHECK_ERR(EACCES, sec_map(hc, self->ps, PROT_READ | PROT_WRITE,
						MAP_SHARED, 0));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, sec_query_field(h, handles));
	EXPECT_STREQ("root's bytes", p);
	munmap(p, self->ps);
	close(h);
}

/* Mode 0600: another user's create-or-open is refused whatever it asks. */
TEST_F(globals, create_existing_mode_0600)
{
	pid_t pid;
	int h;

	h = create_named(self->dev, self->ps, self->global, 0, 0600, NULL);
	ASSERT_LE(0, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		CHILD_CHECK_ERR(EACCES, sec_create(self->dev, self->ps, self->global, RW_PROT,
						    R | Q, NULL));
		CHILD_CHECK_ERR(EACCES, sec_create(self->dev, self->ps, self->global, RW_PROT,
						    Q, NULL));
		CHILD_CHECK_ERR(EACCES, sec_create(self->dev, self->ps, self->global, RW_PROT, 0,
						    NULL));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);
}

/* ============================================================ */
/* D. The SECTIONS_ATTR_GLOBAL_NAME query bit                    */
/* ============================================================ */

TEST_F(scope, query_global_bit)
{
	struct sections_info info;
	char out[128];
	__u32 res;
	int hg, hl, hu, h2;

	hg = sec_create_full(self->dev, self->ps, self->global, RW_PROT, 0,
			     SECTIONS_ATTR_NORESERVE, 0, 0, &res);
	ASSERT_LE(0, hg) TH_LOG("create %s: %s", self->global, strerror(errno));
	ASSERT_EQ(0, query_name(hg, out, sizeof(out), &info));
	EXPECT_STREQ(self->base, out);
	EXPECT_EQ(strlen(self->base), info.name_len);
	EXPECT_EQ(SECTIONS_ATTR_NORESERVE | SECTIONS_ATTR_GLOBAL_NAME, info.attributes);

	hl = create_named(self->dev, self->ps, self->local, 0, 0, &res);
	ASSERT_LE(0, hl);
	ASSERT_EQ(0, query_name(hl, out, sizeof(out), &info));
	EXPECT_STREQ(self->base, out);
	EXPECT_EQ(0, info.attributes);

	/* The bare name: local. */
	h2 = create_named(self->dev, self->ps, self->base, 0, 0, &res);
	ASSERT_LE(0, h2);
	EXPECT_EQ(SECTIONS_CREATE_EXISTED, res);
	EXPECT_EQ(0, query_attributes(h2));
	close(h2);

	/* Every handle to the global one says so: open, create-or-open, duplicate. */
	h2 = sec_open(self->dev, self->global, Q);
	ASSERT_LE(0, h2);
	EXPECT_EQ(SECTIONS_ATTR_NORESERVE | SECTIONS_ATTR_GLOBAL_NAME, query_attributes(h2));
	close(h2);
	h2 = create_named(self->dev, self->ps, self->global, Q, 0, &res);
	ASSERT_LE(0, h2);
	EXPECT_EQ(SECTIONS_CREATE_EXISTED, res);
	EXPECT_EQ(SECTIONS_ATTR_NORESERVE | SECTIONS_ATTR_GLOBAL_NAME, query_attributes(h2));
	close(h2);
	h2 = sec_dup(hg, Q, 0);
	ASSERT_LE(0, h2);
	EXPECT_EQ(SECTIONS_ATTR_NORESERVE | SECTIONS_ATTR_GLOBAL_NAME, query_attributes(h2));
	close(h2);

	hu = create_unnamed(self->dev, self->ps);
	ASSERT_LE(0, hu);
	EXPECT_EQ(0, query_attributes(hu));
	close(hu);
	close(hl);
	close(hg);
}

/* As an input, the bit is invalid: nothing is created. */
TEST_F(scope, create_global_attribute_einval)
{
	const char *names[] = { self->global, self->local, self->base, NULL };
	unsigned int i;
	int h;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		h = sec_create_full(self->dev, self->ps, names[i], RW_PROT, 0,
				    SECTIONS_ATTR_GLOBAL_NAME, 0, 0, NULL);
		EXPECT_EQ(-1, h) TH_LOG("name #%u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("name #%u", i);
		if (h >= 0)
			close(h);
		h = sec_create_full(self->dev, self->ps, names[i], RW_PROT, 0,
				    SECTIONS_ATTR_GLOBAL_NAME | SECTIONS_ATTR_NORESERVE, 0, 0,
				    NULL);
		EXPECT_EQ(-1, h) TH_LOG("name #%u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("name #%u", i);
		if (h >= 0)
			close(h);
		if (names[i])
			EXPECT_EQ(ENOENT, sec_open_errno(self->dev, names[i])) TH_LOG("#%u", i);
	}
	/* Also when the name exists. */
	h = create_named(self->dev, self->ps, self->global, 0, 0, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(-1, sec_create_full(self->dev, self->ps, self->global, RW_PROT, 0,
				      SECTIONS_ATTR_GLOBAL_NAME, 0, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);
}

/* ============================================================ */
/* E. /proc/sections: scope column, escaping, namespaces, users  */
/* ============================================================ */

TEST_F(scope, proc_header)
{
	char *buf, *nl, *tok, *save = NULL;
	unsigned int i = 0;

	buf = read_proc();
	ASSERT_NE(NULL, buf) TH_LOG("%s: %s", SECTIONS_PROC, strerror(errno));
	nl = strchr(buf, '\n');
	ASSERT_NE(NULL, nl);
	*nl = 0;
	EXPECT_STREQ("name size backing uid gid mode handles views resident dirty scope", buf);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++) {
		ASSERT_GT(ARRAY_SIZE(columns), i) TH_LOG("extra column \"%s\"", tok);
		EXPECT_STREQ(columns[i], tok);
	}
	EXPECT_EQ(ARRAY_SIZE(columns), i);
	free(buf);
}

TEST_F(scope, proc_scope_column)
{
	char escaped[96];
	struct prow row;
	int hg, hl, hu;

	hg = create_named(self->dev, 2 * self->ps, self->global, 0, 0640, NULL);
	ASSERT_LE(0, hg);
	hl = create_named(self->dev, self->ps, self->local, 0, 0604, NULL);
	ASSERT_LE(0, hl);
	hu = create_unnamed(self->dev, self->ps);
	ASSERT_LE(0, hu);

	EXPECT_EQ(2, proc_rows(self->base, NULL, -1, NULL));
	ASSERT_EQ(1, proc_rows(self->base, "global", -1, &row));
	EXPECT_EQ(2 * self->ps, row.size);
	EXPECT_STREQ("0640", row.mode);
	EXPECT_EQ(0, row.uid);
	ASSERT_EQ(1, proc_rows(self->base, "local", -1, &row));
	EXPECT_EQ(self->ps, row.size);
	EXPECT_STREQ("0604", row.mode);
	EXPECT_EQ(0, row.uid);
	/* Listed without prefix, escaped or not. */
	snprintf(escaped, sizeof(escaped), "Global\\134%s", self->base);
	EXPECT_EQ(0, proc_rows(escaped, NULL, -1, NULL));
	snprintf(escaped, sizeof(escaped), "Local\\134%s", self->base);
	EXPECT_EQ(0, proc_rows(escaped, NULL, -1, NULL));
	EXPECT_EQ(0, proc_rows(self->global, NULL, -1, NULL));

	close(hg);
	EXPECT_EQ(0, proc_rows(self->base, "global", -1, NULL));
	EXPECT_EQ(1, proc_rows(self->base, "local", -1, NULL));
	close(hl);
	EXPECT_EQ(0, proc_rows(self->base, NULL, -1, NULL));
	close(hu);
}

/* Every byte outside 0x21..0x7e is \ooo; the lines stay lines and columns columns. */
TEST_F(scope, proc_escaping)
{
	char name[128], gname[128], expect[256], gexpect[256], *buf, *p;
	struct prow row;
	int h, hg;

	snprintf(name, sizeof(name), "%s-a b\t\n\x7f\x01\x9b\xff~!\xc3\xa9.", self->base);
	snprintf(expect, sizeof(expect),
		 "%s-a\\040b\\011\\012\\177\\001\\233\\377~!\\303\\251.", self->base);
	snprintf(gname, sizeof(gname), "Global\\%s-g h", self->base);
	snprintf(gexpect, sizeof(gexpect), "%s-g\\040h", self->base);
	h = create_named(self->dev, self->ps, name, 0, 0, NULL);
	ASSERT_LE(0, h) TH_LOG("create: %s", strerror(errno));
	hg = create_named(self->dev, self->ps, gname, 0, 0, NULL);
	ASSERT_LE(0, hg) TH_LOG("create: %s", strerror(errno));

	buf = read_proc();
	ASSERT_NE(NULL, buf);
	for (p = buf; *p; p++) {
		unsigned char c = *p;

		if (c != '\n' && c != ' ' && (c < 0x21 || c > 0x7e)) {
			EXPECT_TRUE(false) TH_LOG("byte %#x at offset %ld of %s", c,
						  (long)(p - buf), SECTIONS_PROC);
			break;
		}
	}
	EXPECT_EQ(1, count_prows(buf, expect, "local", 0, &row));
	EXPECT_EQ(1, count_prows(buf, gexpect, "global", 0, &row));
	free(buf);
	close(hg);
	close(h);
}

/* The namespace is the one the reader was in when it opened the file. */
TEST_F(scope, proc_namespace_at_open)
{
	char newer[80];
	pid_t pid;
	int h;

	snprintf(newer, sizeof(newer), "%s-newns", self->base);
	h = create_named(self->dev, self->ps, self->base, 0, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(1, proc_rows(self->base, "local", 0, NULL));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *buf;
		int fd, hc;

		fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(unshare(CLONE_NEWIPC) == 0);
		hc = create_named(self->dev, self->ps, newer, 0, 0, NULL);
		CHILD_CHECK(hc >= 0);
		buf = read_all_fd(fd);
		CHILD_CHECK(buf != NULL);
		CHILD_CHECK(count_prows(buf, self->base, "local", 0, NULL) == 1);
		CHILD_CHECK(count_prows(buf, newer, NULL, -1, NULL) == 0);
		free(buf);
		close(fd);
		buf = read_proc();
		CHILD_CHECK(buf != NULL);
		CHILD_CHECK(count_prows(buf, self->base, NULL, -1, NULL) == 0);
		CHILD_CHECK(count_prows(buf, newer, "local", 0, NULL) == 1);
		free(buf);
		close(hc);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, proc_rows(newer, NULL, -1, NULL));
	EXPECT_EQ(1, proc_rows(self->base, "local", 0, NULL));
	close(h);
}

/*
 * A read resumes where the last stopped: the file read 1, 7 or 4096 bytes
 * at a time is the file read at once, in a namespace of its own with 300
 * names; a name that goes between two reads takes only its own line out,
 * and one made meanwhile comes after those already read, once.
 */
TEST_F(scope, proc_reads_resume_where_they_stopped)
{
	static const size_t sizes[] = { 1, 7, 4096 };
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char name[96], *whole, *buf, *line;
		size_t i, len, cap;
		int h[300], fd, late = -1;
		ssize_t n;

		CHILD_CHECK(unshare(CLONE_NEWIPC) == 0);
		for (i = 0; i < 300; i++) {
			snprintf(name, sizeof(name), "%s-r%zu", self->base, i);
			h[i] = create_named(self->dev, self->ps, name, 0, 0, NULL);
			CHILD_CHECK(h[i] >= 0);
		}
		whole = read_proc();
		CHILD_CHECK(whole != NULL);
		CHILD_CHECK(proc_lines(whole) == 300);
		cap = strlen(whole) + 8192;
		buf = malloc(cap);
		CHILD_CHECK(buf != NULL);
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
			CHILD_CHECK(fd >= 0);
			for (len = 0; (n = read(fd, buf + len, sizes[i])) > 0; len += n)
				CHILD_CHECK(len + n + sizes[i] < cap);
			CHILD_CHECK(n == 0);
			buf[len] = 0;
			CHILD_CHECK(!strcmp(buf, whole));
			close(fd);
		}
		/* Half way through: name 0 (read) and 299 (not yet) go, one is made. */
		fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(fd >= 0);
		for (len = 0; len < strlen(whole) / 2; len += n) {
			n = read(fd, buf + len, strlen(whole) / 2 - len);
			CHILD_CHECK(n > 0);
		}
		close(h[0]);
		close(h[299]);
		snprintf(name, sizeof(name), "%s-late", self->base);
		late = create_named(self->dev, self->ps, name, 0, 0, NULL);
		CHILD_CHECK(late >= 0);
		while ((n = read(fd, buf + len, 4096)) > 0) {
			len += n;
			CHILD_CHECK(len + 4096 < cap);
		}
		CHILD_CHECK(n == 0);
		buf[len] = 0;
		close(fd);
		snprintf(name, sizeof(name), "%s-r299", self->base);
		CHILD_CHECK(count_prows(buf, name, NULL, -1, NULL) == 0);
		snprintf(name, sizeof(name), "%s-r0", self->base);
		CHILD_CHECK(count_prows(buf, name, NULL, -1, NULL) == 1);
		snprintf(name, sizeof(name), "%s-late", self->base);
		CHILD_CHECK(count_prows(buf, name, NULL, -1, NULL) == 1);
		CHILD_CHECK(proc_lines(buf) == 300);
		/* The late one last. */
		line = strrchr(buf, '\n');
		CHILD_CHECK(line && line > buf);
		*line = 0;
		line = strrchr(buf, '\n');
		CHILD_CHECK(line && !strncmp(line + 1, name, strlen(name)));
		free(buf);
		free(whole);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/*
 * Positions are never reused: a reader half way through, when every name
 * of its namespace goes and new ones come, still finds the new ones.
 */
TEST_F(scope, proc_a_reader_finds_names_made_after_all_went)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char name[96], buf[4096];
		int h[200], late[5], fd, i, found = 0;
		char *all, *p;
		size_t len = 0, cap = 1 << 20;
		ssize_t n;

		CHILD_CHECK(unshare(CLONE_NEWIPC) == 0);
		for (i = 0; i < 200; i++) {
			snprintf(name, sizeof(name), "%s-g%d", self->base, i);
			h[i] = create_named(self->dev, self->ps, name, 0, 0, NULL);
			CHILD_CHECK(h[i] >= 0);
		}
		fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(fd >= 0);
		/* Past the header and a good part of the names. */
		CHILD_CHECK(read(fd, buf, sizeof(buf)) > 0);
		for (i = 0; i < 200; i++)
			close(h[i]);
		for (i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "%s-new%d", self->base, i);
			late[i] = create_named(self->dev, self->ps, name, 0, 0, NULL);
			CHILD_CHECK(late[i] >= 0);
		}
		all = malloc(cap);
		CHILD_CHECK(all != NULL);
		/* The rest starts at a line's start: every name follows a newline. */
		all[len++] = '\n';
		while ((n = read(fd, all + len, 4096)) > 0) {
			len += n;
			CHILD_CHECK(len + 4096 < cap);
		}
		CHILD_CHECK(n == 0);
		all[len] = 0;
		close(fd);
		for (i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "\n%s-new%d ", self->base, i);
			p = strstr(all, name);
			found += p != NULL;
		}
		if (found != 5)
			fprintf(stderr, "# after all went (%zu bytes):\n%s\n", len, all);
		CHILD_CHECK(found == 5);
		free(all);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/* Any user reads it and sees every user's named sections. */
TEST_F(scope, proc_any_user_sees_all)
{
	struct lockstep ls;
	struct prow row;
	pid_t a, b;
	int hl, hg;

	hl = create_named(self->dev, self->ps, self->local, 0, 0600, NULL);
	ASSERT_LE(0, hl);
	hg = create_named(self->dev, self->ps, self->global, 0, 0600, NULL);
	ASSERT_LE(0, hg);
	ASSERT_EQ(0, lockstep_init(&ls));

	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		int h;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		h = create_named(self->dev, 3 * self->ps, self->local, 0, 0600, NULL);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		close(h);
		_exit(0);
	}
	lockstep_parent(&ls);
	ASSERT_EQ('c', parent_wait(&ls));

	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		struct prow r;
		char *buf;

		CHILD_CHECK(become(USER2, USER2, 0, NULL) == 0);
		buf = read_proc();
		CHILD_CHECK(buf != NULL);
		CHILD_CHECK(count_prows(buf, self->base, "local", 0, NULL) == 1);
		CHILD_CHECK(count_prows(buf, self->base, "global", 0, NULL) == 1);
		CHILD_CHECK(count_prows(buf, self->base, "local", USER1, &r) == 1);
		CHILD_CHECK(r.gid == USER1);
		CHILD_CHECK(strcmp(r.mode, "0600") == 0);
		CHILD_CHECK(r.size == (unsigned long long)(3 * self->ps));
		CHILD_CHECK(count_prows(buf, self->base, NULL, -1, NULL) == 3);
		free(buf);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(b));
	/* Root sees the other user's line too; two local lines of one name. */
	EXPECT_EQ(1, proc_rows(self->base, "local", USER1, &row));
	EXPECT_EQ(2, proc_rows(self->base, "local", -1, NULL));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(a));
	EXPECT_EQ(0, proc_rows(self->base, "local", USER1, NULL));
	close(hg);
	close(hl);
}

/* ============================================================ */
/* F. Per-user limits                                            */
/* ============================================================ */

TEST(limit_defaults)
{
	long long v;

	ASSERT_EQ(0, read_param(MAX_SECTIONS, &v)) TH_LOG("%s%s: %s", PARAMS, MAX_SECTIONS,
							   strerror(errno));
	EXPECT_EQ(DEFAULT_MAX, v);
	ASSERT_EQ(0, read_param(MAX_NAMES, &v)) TH_LOG("%s%s: %s", PARAMS, MAX_NAMES,
							strerror(errno));
	EXPECT_EQ(DEFAULT_MAX, v);
	ASSERT_EQ(0, read_param(GLOBAL_GROUP, &v)) TH_LOG("%s%s: %s", PARAMS, GLOBAL_GROUP,
							   strerror(errno));
	EXPECT_EQ(-1, v);
}

#define TEST_MAX_NAMES		3
#define TEST_MAX_SECTIONS	5

FIXTURE(limits) {
	int dev;
	long ps;
	char base[64];
};

static void restore_limits(void)
{
	write_param_int(MAX_NAMES, DEFAULT_MAX);
	write_param_int(MAX_SECTIONS, DEFAULT_MAX);
}

FIXTURE_SETUP(limits)
{
	long long names = 0, sections = 0;
	int r1, r2, e1, e2;

	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(self->base, sizeof(self->base), "lim");
	r1 = write_param_int(MAX_NAMES, TEST_MAX_NAMES);
	e1 = errno;
	r2 = write_param_int(MAX_SECTIONS, TEST_MAX_SECTIONS);
	e2 = errno;
	if (!r1 && !r2 && (read_param(MAX_NAMES, &names) || read_param(MAX_SECTIONS, &sections)))
		r1 = -1;
	/* The teardown does not run after a failed setup: restore here. */
	if (r1 || r2 || names != TEST_MAX_NAMES || sections != TEST_MAX_SECTIONS)
		restore_limits();
	ASSERT_EQ(0, r1) TH_LOG("%s%s: %s", PARAMS, MAX_NAMES, strerror(e1));
	ASSERT_EQ(0, r2) TH_LOG("%s%s: %s", PARAMS, MAX_SECTIONS, strerror(e2));
	ASSERT_EQ(TEST_MAX_NAMES, names);
	ASSERT_EQ(TEST_MAX_SECTIONS, sections);
}

/* In the parent, so that it runs whatever became of the test. */
FIXTURE_TEARDOWN_PARENT(limits)
{
	restore_limits();
}

static void lim_name(char *buf, size_t size, const char *base, const char *tag, int i)
{
	snprintf(buf, size, "%s-%s%d", base, tag, i);
}

/* Child: create a named section, expect success (and a new object). */
static int child_new_named(int dev, long ps, const char *name)
{
	__u32 res = POISON32;
	int h = create_named(dev, ps, name, 0, 0, &res);

	if (h < 0)
		fprintf(stderr, "# child %d: create %s: %s\n", (int)getpid(), name,
			strerror(errno));
	CHILD_CHECK(h >= 0);
	CHILD_CHECK(res == 0);
	return h;
}

static int child_new_unnamed(int dev, long ps)
{
	int h = create_unnamed(dev, ps);

	if (h < 0)
		fprintf(stderr, "# child %d: unnamed create: %s\n", (int)getpid(),
			strerror(errno));
	CHILD_CHECK(h >= 0);
	return h;
}

/* Child: named create must be ENOSPC and leave nothing behind. */
static void child_named_enospc(int dev, long ps, const char *name)
{
	CHILD_CHECK_ERR(ENOSPC, create_named(dev, ps, name, 0, 0, NULL));
	CHILD_CHECK_ERR(ENOENT, sec_open(dev, name, Q));
	CHILD_CHECK(proc_rows(name, NULL, -1, NULL) == 0);
}

TEST_F(limits, names_per_user)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n[8][96];
		int h[8], hu;
		char *p;
		int i;

		for (i = 0; i < 8; i++)
			lim_name(n[i], sizeof(n[i]), self->base, "n", i);
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		for (i = 0; i < TEST_MAX_NAMES; i++)
			h[i] = child_new_named(self->dev, self->ps, n[i]);
		child_named_enospc(self->dev, self->ps, n[3]);
		/* The Local\ spelling is the same scope, the same count. */
		{
			char local[112];

			snprintf(local, sizeof(local), "Local\\%s", n[3]);
			CHILD_CHECK_ERR(ENOSPC, create_named(self->dev, self->ps, local, 0, 0,
							      NULL));
		}

		/* Closing a named section's last handle frees its name slot. */
		close(h[2]);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, n[2], Q));
		h[3] = child_new_named(self->dev, self->ps, n[3]);
		child_named_enospc(self->dev, self->ps, n[4]);

		/* A name stops counting at its last handle, though a view keeps the section. */
		p = map_rw(h[0], self->ps);
		CHILD_CHECK(p != MAP_FAILED);
		touch_write(p, 1);
		close(h[0]);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, n[0], Q));
		h[4] = child_new_named(self->dev, self->ps, n[4]);	/* 3 names, 4 sections */
		child_named_enospc(self->dev, self->ps, n[5]);
		hu = child_new_unnamed(self->dev, self->ps);		/* 5 sections */
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		/* The view still holds n0's section: it counts until munmap. */
		munmap(p, self->ps);
		close(child_new_unnamed(self->dev, self->ps));
		close(hu);
		close(h[1]);
		close(h[3]);
		close(h[4]);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

TEST_F(limits, sections_per_user)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char path[] = "/tmp/sections-users-lim-XXXXXX";
		char n[2][96];
		struct stat st;
		int u[TEST_MAX_SECTIONS], hn, fd, i;
		char *p;

		lim_name(n[0], sizeof(n[0]), self->base, "s", 0);
		lim_name(n[1], sizeof(n[1]), self->base, "s", 1);
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		for (i = 0; i < TEST_MAX_SECTIONS; i++)
			u[i] = child_new_unnamed(self->dev, self->ps);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		/* Named ones count as sections too: no names are used, still ENOSPC. */
		child_named_enospc(self->dev, self->ps, n[0]);
		/* And file-backed ones, which do not grow the file then. */
		fd = mkstemp(path);
		CHILD_CHECK(fd >= 0);
		unlink(path);
		CHILD_CHECK(ftruncate(fd, self->ps) == 0);
		{
			struct sections_create_args args;

			sec_create_init(&args, 2 * self->ps, NULL, RW_PROT, 0);
			args.flags = SECTIONS_CREATE_FILE;
			args.fd = fd;
			CHILD_CHECK_ERR(ENOSPC, sec_create_args(self->dev, &args));
		}
		CHILD_CHECK(fstat(fd, &st) == 0);
		CHILD_CHECK(st.st_size == self->ps);
		close(fd);

		/* A freed section frees its slot. */
		close(u[4]);
		hn = child_new_named(self->dev, self->ps, n[0]);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));

		/* Kept alive by a view, a section with no handle still counts. */
		p = map_rw(u[0], self->ps);
		CHILD_CHECK(p != MAP_FAILED);
		touch_write(p, 1);
		close(u[0]);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		munmap(p, self->ps);
		u[0] = child_new_unnamed(self->dev, self->ps);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		child_named_enospc(self->dev, self->ps, n[1]);
		for (i = 0; i < 4; i++)
			close(u[i]);
		close(hn);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/* Child: as uid, fill both limits from nothing, check both are then reached. */
static void child_fill_limits(int dev, long ps, const char *base, const char *tag)
{
	char n[TEST_MAX_NAMES + 1][112];
	int i;

	for (i = 0; i <= TEST_MAX_NAMES; i++)
		lim_name(n[i], sizeof(n[i]), base, tag, i);
	for (i = 0; i < TEST_MAX_NAMES; i++)
		child_new_named(dev, ps, n[i]);
	child_named_enospc(dev, ps, n[TEST_MAX_NAMES]);
	for (; i < TEST_MAX_SECTIONS; i++)
		child_new_unnamed(dev, ps);
	CHILD_CHECK_ERR(ENOSPC, create_unnamed(dev, ps));
}

/*
 * At both limits, what exists can still be opened: SECTIONS_IOC_OPEN, and a
 * create that meets an existing name (an open, which creates nothing).
 */
TEST_F(limits, open_existing_at_limit)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n0[96], local[112], global[112];
		__u32 res;
		int hg, h;

		lim_name(n0, sizeof(n0), self->base, "o", 0);
		snprintf(local, sizeof(local), "Local\\%s", n0);
		snprintf(global, sizeof(global), "Global\\%s-root", self->base);
		/* Root's Global\ section, which uid 1000 may open. */
		hg = create_named(self->dev, self->ps, global, 0, 0666, NULL);
		CHILD_CHECK(hg >= 0);
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		child_fill_limits(self->dev, self->ps, self->base, "o");
		h = sec_open(self->dev, n0, Q | R);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(sec_query_field(h, handles) == 2);
		close(h);
		res = POISON32;
		h = create_named(self->dev, self->ps, n0, 0, 0, &res);
		if (h < 0)
			fprintf(stderr, "# create of existing %s: %s\n", n0, strerror(errno));
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		close(h);
		res = POISON32;
		h = create_named(self->dev, self->ps, local, Q, 0, &res);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		close(h);
		res = POISON32;
		h = create_named(self->dev, self->ps, global, Q | R, 0, &res);
		if (h < 0)
			fprintf(stderr, "# create of existing %s: %s\n", global, strerror(errno));
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		close(h);
		/* Still full. */
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/* The count is per user: all of 1000's processes share it; 1001 has its own. */
TEST_F(limits, per_user)
{
	struct lockstep ls;
	pid_t a, pid;

	ASSERT_EQ(0, lockstep_init(&ls));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		child_fill_limits(self->dev, self->ps, self->base, "a");
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		_exit(0);
	}
	lockstep_parent(&ls);
	ASSERT_EQ('c', parent_wait(&ls));

	/* Another process of uid 1000. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n[96];

		lim_name(n, sizeof(n), self->base, "b", 0);
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		child_named_enospc(self->dev, self->ps, n);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* Uid 1000 in a user namespace: the same kuid, and no CAP_SYS_RESOURCE that counts. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n[96];

		lim_name(n, sizeof(n), self->base, "u", 0);
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		CHILD_CHECK(enter_userns(0) == 0);
		child_named_enospc(self->dev, self->ps, n);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* Uid 1001 is not affected by 1000's count. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(become(USER2, USER2, 0, NULL) == 0);
		child_fill_limits(self->dev, self->ps, self->base, "c");
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* Once 1000's sections are gone, 1000 starts from zero. */
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		child_fill_limits(self->dev, self->ps, self->base, "d");
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/* Grandchild: inside the namespace, become inner uid @uid and create @n unnamed sections. */
static void child_inner_creates(int dev, long ps, uid_t uid, int n, int expect_last_errno,
				int hold_fd)
{
	char c;
	int i, h;

	CHILD_CHECK(setresgid(uid, uid, uid) == 0);
	CHILD_CHECK(setresuid(uid, uid, uid) == 0);
	for (i = 0; i < n; i++) {
		h = create_unnamed(dev, ps);
		if (i == n - 1 && expect_last_errno) {
			CHILD_CHECK(h == -1 && errno == expect_last_errno);
			break;
		}
		CHILD_CHECK(h >= 0);
	}
	/* Keep them until told. */
	if (hold_fd >= 0)
		CHILD_CHECK(read(hold_fd, &c, 1) >= 0);
	_exit(0);
}

/*
 * Subordinate uids do not multiply the limit: everything created inside a
 * user namespace that uid 1000 made, by any uid mapped there, counts
 * against uid 1000.
 */
TEST_F(limits, subordinate_uids_count_against_the_namespace_owner)
{
	int go[2], hold[2], st;
	char path[64], c = 0;
	pid_t ns_child, outside;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(hold));
	ns_child = fork();
	ASSERT_LE(0, ns_child);
	if (ns_child == 0) {
		pid_t g1, g2;

		close(go[1]);
		close(hold[1]);
		CHILD_CHECK(become(1000, 1000, 0, NULL) == 0);
		CHILD_CHECK(unshare(CLONE_NEWUSER) == 0);
		/* The parent maps inner 0-7 to 300000-300007 (it may: it is root outside). */
		CHILD_CHECK(read(go[0], &c, 1) == 1);
		g1 = fork();
		CHILD_CHECK(g1 >= 0);
		if (g1 == 0)
			child_inner_creates(self->dev, self->ps, 1, 3, 0, hold[0]);
		usleep(300000);
		g2 = fork();
		CHILD_CHECK(g2 >= 0);
		if (g2 == 0)
			child_inner_creates(self->dev, self->ps, 2, TEST_MAX_SECTIONS - 3 + 1, ENOSPC,
					    -1);
		CHILD_CHECK(waitpid(g2, &st, 0) == g2 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHILD_CHECK(waitpid(g1, &st, 0) == g1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		_exit(0);
	}
	close(go[0]);
	close(hold[0]);
	usleep(300000);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)ns_child);
	EXPECT_EQ(0, write_str(path, "0 300000 8"));
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)ns_child);
	EXPECT_EQ(0, write_str(path, "deny"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)ns_child);
	EXPECT_EQ(0, write_str(path, "0 300000 8"));
	EXPECT_EQ(1, write(go[1], &c, 1));
	usleep(1500000);

	/*
	 * uid 1000 itself, outside, shares that count: with inner uid 1's
	 * three sections alive, it gets the rest of the limit and no more.
	 */
	outside = fork();
	ASSERT_LE(0, outside);
	if (outside == 0) {
		int i;

		CHILD_CHECK(become(1000, 1000, 0, NULL) == 0);
		for (i = 3; i < TEST_MAX_SECTIONS; i++)
			CHILD_CHECK(create_unnamed(self->dev, self->ps) >= 0);
		CHILD_CHECK_ERR(ENOSPC, create_unnamed(self->dev, self->ps));
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(outside));
	close(hold[1]);
	EXPECT_EQ(0, wait_child(ns_child));
	close(go[1]);
}

/*
 * A user inside a container (a user namespace its runtime made as root)
 * who makes a namespace of their own, as rootless podman does: whatever
 * uid of that namespace creates, it counts against that user, as outside.
 * The container is the child, root in a namespace mapping 0-65535 to
 * 400000-465535; its user is its uid 1000 (400000 + 1000), whose namespace
 * maps 0-7 to the container's 2000-2007.
 */
TEST_F(limits, a_users_namespace_inside_a_container_counts_against_that_user)
{
	int go[2], ready[2];
	pid_t container;
	char c = 0;

	/* Each step waits for the one before it: ready and go, here and below. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	container = fork();
	ASSERT_LE(0, container);
	if (container == 0) {
		int hold[2], made[2], uready[2], mapped[2], i, h, st;
		pid_t user, g1, g2;

		close(go[1]);
		close(ready[0]);
		CHILD_CHECK(new_userns_then_wait(ready[1], go[0]) == 0);
		CHILD_CHECK(setresgid(0, 0, 0) == 0 && setresuid(0, 0, 0) == 0);
		CHILD_CHECK(pipe(mapped) == 0 && pipe(uready) == 0);
		user = fork();
		CHILD_CHECK(user >= 0);
		if (user == 0) {
			close(mapped[1]);
			close(uready[0]);
			CHILD_CHECK(become(1000, 1000, 0, NULL) == 0);
			CHILD_CHECK(new_userns_then_wait(uready[1], mapped[0]) == 0);
			/* Uid 1 holds three sections until uid 2 has met the limit. */
			CHILD_CHECK(pipe(hold) == 0 && pipe(made) == 0);
			g1 = fork();
			CHILD_CHECK(g1 >= 0);
			if (g1 == 0) {
				close(hold[1]);
				close(made[0]);
				CHILD_CHECK(setresgid(1, 1, 1) == 0 && setresuid(1, 1, 1) == 0);
				for (i = 0; i < 3; i++) {
					h = create_unnamed(self->dev, self->ps);
					CHILD_CHECK(h >= 0);
				}
				CHILD_CHECK(write(made[1], &c, 1) == 1);
				CHILD_CHECK(read(hold[0], &c, 1) >= 0);
				_exit(0);
			}
			close(hold[0]);
			close(made[1]);
			CHILD_CHECK(read(made[0], &c, 1) == 1);
			g2 = fork();
			CHILD_CHECK(g2 >= 0);
			if (g2 == 0)
				child_inner_creates(self->dev, self->ps, 2,
						    TEST_MAX_SECTIONS - 3 + 1, ENOSPC, -1);
			CHILD_CHECK(waitpid(g2, &st, 0) == g2 && WIFEXITED(st) &&
				    WEXITSTATUS(st) == 0);
			close(hold[1]);
			CHILD_CHECK(waitpid(g1, &st, 0) == g1 && WIFEXITED(st) &&
				    WEXITSTATUS(st) == 0);
			_exit(0);
		}
		close(mapped[0]);
		close(uready[1]);
		CHILD_CHECK(read(uready[0], &c, 1) == 1);
		/* Root of the container maps the user's namespace (it is in its parent). */
		CHILD_CHECK(write_id_maps(user, "0 2000 8") == 0);
		CHILD_CHECK(write(mapped[1], &c, 1) == 1);
		CHILD_CHECK(waitpid(user, &st, 0) == user && WIFEXITED(st) &&
			    WEXITSTATUS(st) == 0);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(0, write_id_maps(container, "0 400000 65536"));
	EXPECT_EQ(1, write(go[1], &c, 1));
	EXPECT_EQ(0, wait_child(container));
	close(go[1]);
	close(ready[0]);
}

/* CAP_SYS_RESOURCE lifts the limits; root without it is limited like anyone. */
TEST_F(limits, root_not_limited)
{
	int h[2 * 10], i;
	pid_t pid;

	for (i = 0; i < 10; i++) {
		char n[96];
		__u32 res = POISON32;

		lim_name(n, sizeof(n), self->base, "r", i);
		h[i] = create_named(self->dev, self->ps, n, 0, 0, &res);
		ASSERT_LE(0, h[i]) TH_LOG("named #%d: %s", i, strerror(errno));
		EXPECT_EQ(0, res);
		h[10 + i] = create_unnamed(self->dev, self->ps);
		ASSERT_LE(0, h[10 + i]) TH_LOG("unnamed #%d: %s", i, strerror(errno));
	}
	for (i = 0; i < 20; i++)
		close(h[i]);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(drop_effective_cap(CAP_SYS_RESOURCE) == 0);
		child_fill_limits(self->dev, self->ps, self->base, "x");
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
}

/* ============================================================ */
/* G. A handle is not a file                                     */
/* ============================================================ */

#define NF_PAGES 4

FIXTURE(notfile) {
	int dev;
	long ps;
	size_t size;
	int h;
	int file;
	char *view;
	unsigned char *pattern;
	char name[80];
};

FIXTURE_VARIANT(notfile) {
	bool file_backed;
	bool named;
	__u32 protection;
	__u32 access;
};

/* Unnamed, pagefile-backed, every right there is. */
FIXTURE_VARIANT_ADD(notfile, pagefile) {
	.file_backed = false, .named = false,
	.protection = SECTIONS_PAGE_EXECUTE_READWRITE, .access = SECTIONS_ACCESS_ALL,
};

/* Global\ named (mode 0644), pagefile-backed. */
FIXTURE_VARIANT_ADD(notfile, named) {
	.file_backed = false, .named = true,
	.protection = SECTIONS_PAGE_READWRITE, .access = 0,
};

/* Global\ named (mode 0644), on a file in /tmp. */
FIXTURE_VARIANT_ADD(notfile, file) {
	.file_backed = true, .named = true,
	.protection = SECTIONS_PAGE_READWRITE, .access = 0,
};

FIXTURE_SETUP(notfile)
{
	struct sections_create_args args;
	size_t i;

	self->ps = page_size();
	self->size = NF_PAGES * self->ps;
	self->file = -1;
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	self->pattern = malloc(self->size);
	ASSERT_NE(NULL, self->pattern);
	for (i = 0; i < self->size; i++)
		self->pattern[i] = (unsigned char)(i * 7 + i / self->ps + 3);
	uniq_name(self->name, sizeof(self->name), "notfile");
	if (variant->named) {
		memmove(self->name + 7, self->name, strlen(self->name) + 1);
		memcpy(self->name, "Global\\", 7);
	}

	sec_create_init(&args, self->size, variant->named ? self->name : NULL,
			variant->protection, variant->access);
	args.mode = variant->named ? 0644 : 0;
	if (variant->file_backed) {
		char path[] = "/tmp/sections-users-XXXXXX";

		self->file = mkstemp(path);
		ASSERT_LE(0, self->file);
		unlink(path);
		ASSERT_EQ((ssize_t)self->size, pwrite(self->file, self->pattern, self->size, 0));
		args.size = 0;
		args.flags = SECTIONS_CREATE_FILE;
		args.fd = self->file;
	}
	self->h = sec_create_args(self->dev, &args);
	ASSERT_LE(0, self->h) TH_LOG("create: %s", strerror(errno));
	ASSERT_EQ(self->size, sec_query_field(self->h, size));
	self->view = map_rw(self->h, self->size);
	ASSERT_NE(MAP_FAILED, self->view);
	/* Pagefile: put the pattern in. File-backed: it is the file's, never written. */
	if (!variant->file_backed)
		memcpy(self->view, self->pattern, self->size);
	ASSERT_EQ(0, memcmp(self->view, self->pattern, self->size));
}

FIXTURE_TEARDOWN(notfile)
{
	if (self->view && self->view != MAP_FAILED)
		munmap(self->view, self->size);
	if (self->h >= 0)
		close(self->h);
	if (self->file >= 0)
		close(self->file);
	free(self->pattern);
	close(self->dev);
}

/*
 * The section, its views and its file are as they were: the size, no SIGBUS
 * on any page (checked in children first, so a truncated view cannot kill
 * the test), the bytes, the file's size and content.
 */
static void check_untouched(struct __test_metadata *_metadata, FIXTURE_DATA(notfile) *self,
			    const FIXTURE_VARIANT(notfile) *variant)
{
	bool faulted = false;
	size_t i;

	EXPECT_EQ(self->size, sec_query_field(self->h, size));
	for (i = 0; i < NF_PAGES; i++) {
		int r = child_access(self->view + i * self->ps, 0);

		EXPECT_EQ(0, r) TH_LOG("reading page %zu of the view: status %d", i, r);
		faulted |= r != 0;
	}
	if (!faulted)
		EXPECT_EQ(0, memcmp(self->view, self->pattern, self->size));
	if (variant->file_backed) {
		unsigned char *buf = malloc(self->size + 1);
		struct stat st;

		ASSERT_NE(NULL, buf);
		ASSERT_EQ(0, fstat(self->file, &st));
		EXPECT_EQ(self->size, st.st_size);
		EXPECT_EQ((ssize_t)self->size, pread(self->file, buf, self->size + 1, 0));
		EXPECT_EQ(0, memcmp(buf, self->pattern, self->size));
		free(buf);
	}
}

TEST_F(notfile, file_operations_fail)
{
	struct sections_info before, after;
	char tpath[] = "/tmp/sections-users-t-XXXXXX";
	struct stat st0, st1;
	char buf[64];
	loff_t o1, o2;
	off_t off;
	int h = self->h, t, p[2];

	ASSERT_EQ(0, fstat(h, &st0)) TH_LOG("fstat: %s", strerror(errno));
	ASSERT_EQ(0, sec_query(h, &before));
	memset(buf, 0x77, sizeof(buf));
	t = mkstemp(tpath);
	ASSERT_LE(0, t);
	unlink(tpath);
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(t, buf, sizeof(buf), 0));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));

	EXPECT_FAIL_IN(read(h, buf, 16), EINVAL, ESPIPE);
	EXPECT_FAIL_IN(write(h, buf, 16), EINVAL, ESPIPE);
	EXPECT_FAIL_IN(pread(h, buf, 16, 0), EINVAL, ESPIPE);
	EXPECT_FAIL_IN(pread(h, buf, 16, self->ps), EINVAL, ESPIPE);
	EXPECT_FAIL_IN(pwrite(h, buf, 16, 0), EINVAL, ESPIPE);
	EXPECT_FAIL_IN(pwrite(h, buf, 16, self->size), EINVAL, ESPIPE);

	EXPECT_FAIL_IN(lseek(h, 0, SEEK_SET), ESPIPE);
	EXPECT_FAIL_IN(lseek(h, self->ps, SEEK_SET), ESPIPE);
	EXPECT_FAIL_IN(lseek(h, 0, SEEK_CUR), ESPIPE);
	EXPECT_FAIL_IN(lseek(h, 0, SEEK_END), ESPIPE);

	EXPECT_FAIL_IN(ftruncate(h, 0), EPERM);
	EXPECT_FAIL_IN(ftruncate(h, self->ps), EPERM);
	EXPECT_FAIL_IN(ftruncate(h, self->size), EPERM);
	EXPECT_FAIL_IN(ftruncate(h, 4 * self->size), EPERM);

	EXPECT_FAIL_IN(fallocate(h, 0, 0, 2 * self->size), EOPNOTSUPP);
	EXPECT_FAIL_IN(fallocate(h, FALLOC_FL_KEEP_SIZE, 0, self->size), EOPNOTSUPP);
	/* Hole punching is refused too (EPERM is what an append-only inode gives it). */
	EXPECT_FAIL_IN(fallocate(h, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, self->size),
		       EOPNOTSUPP, EPERM);

	EXPECT_FAIL_IN(fchmod(h, 0777), EPERM);
	EXPECT_FAIL_IN(fchmod(h, 0), EPERM);
	EXPECT_FAIL_IN(fchown(h, USER1, USER1), EPERM);
	EXPECT_FAIL_IN(fchown(h, getuid(), getgid()), EPERM);

	EXPECT_FAIL_IN(sendfile(t, h, NULL, 16), XFER_ERRNOS);
	off = 0;
	EXPECT_FAIL_IN(sendfile(t, h, &off, 16), XFER_ERRNOS);
	EXPECT_FAIL_IN(sendfile(h, t, NULL, 16), XFER_ERRNOS);
	off = 0;
	EXPECT_FAIL_IN(sendfile(h, t, &off, 16), XFER_ERRNOS);

	EXPECT_FAIL_IN(splice(h, NULL, p[1], NULL, 16, SPLICE_F_NONBLOCK), XFER_ERRNOS);
	ASSERT_EQ(16, write(p[1], buf, 16));
	EXPECT_FAIL_IN(splice(p[0], NULL, h, NULL, 16, SPLICE_F_NONBLOCK), XFER_ERRNOS);
	o1 = 0;
	EXPECT_FAIL_IN(splice(p[0], NULL, h, &o1, 16, SPLICE_F_NONBLOCK), XFER_ERRNOS);

	o1 = o2 = 0;
	EXPECT_FAIL_IN(copy_file_range(h, &o1, t, &o2, 16, 0), XFER_ERRNOS);
	o1 = o2 = 0;
	EXPECT_FAIL_IN(copy_file_range(t, &o1, h, &o2, 16, 0), XFER_ERRNOS);
	EXPECT_FAIL_IN(copy_file_range(h, NULL, t, NULL, 16, 0), XFER_ERRNOS);
	o1 = 0;
	o2 = self->ps;
	EXPECT_FAIL_IN(copy_file_range(h, &o1, h, &o2, 16, 0), XFER_ERRNOS);

	/* fstat works, and nothing it reports moved. */
	ASSERT_EQ(0, fstat(h, &st1)) TH_LOG("fstat: %s", strerror(errno));
	EXPECT_EQ(st0.st_size, st1.st_size);
	EXPECT_EQ(st0.st_mode, st1.st_mode);
	EXPECT_EQ(st0.st_uid, st1.st_uid);
	EXPECT_EQ(st0.st_gid, st1.st_gid);
	ASSERT_EQ(0, sec_query(h, &after));
	EXPECT_EQ(before.size, after.size);
	EXPECT_EQ(before.mode, after.mode);
	EXPECT_EQ(before.uid, after.uid);
	EXPECT_EQ(before.gid, after.gid);
	EXPECT_EQ(before.access, after.access);
	check_untouched(_metadata, self, variant);
	/* The pipe still holds the 16 bytes splice did not take. */
	EXPECT_EQ(16, read(p[0], buf, sizeof(buf)));
	close(p[0]);
	close(p[1]);
	close(t);
}

/* A QUERY-only duplicate: no views of any kind, no truncation. */
TEST_F(notfile, query_only_duplicate)
{
	struct stat st;
	char buf[16] = { 0 };
	int hq;

	hq = sec_dup(self->h, Q, 0);
	ASSERT_LE(0, hq);
	EXPECT_EQ(Q, sec_query_field(hq, access));
	EXPECT_EQ(MAP_FAILED, sec_map(hq, self->ps, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, sec_map(hq, self->ps, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, sec_map(hq, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_FAIL_IN(ftruncate(hq, 0), EPERM);
	EXPECT_FAIL_IN(ftruncate(hq, 4 * self->size), EPERM);
	EXPECT_FAIL_IN(fallocate(hq, 0, 0, 2 * self->size), EOPNOTSUPP);
	EXPECT_FAIL_IN(pwrite(hq, buf, sizeof(buf), 0), EINVAL, ESPIPE);
	EXPECT_EQ(0, fstat(hq, &st));
	close(hq);
	check_untouched(_metadata, self, variant);
}

/*
 * Another user's QUERY-only handle (opened by name; for the unnamed section a
 * duplicate it inherited) cannot map or truncate; our views are unaffected.
 */
TEST_F(notfile, query_only_other_user)
{
	__u64 mode = sec_query_field(self->h, mode);
	pid_t pid;
	int hq = -1;

	if (!variant->named) {
		hq = sec_dup(self->h, Q, 0);
		ASSERT_LE(0, hq);
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[16] = { 0 };
		struct stat st;

		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		if (variant->named)
			hq = sec_open(self->dev, self->name, Q);
		CHILD_CHECK(hq >= 0);
		CHILD_CHECK(sec_query_field(hq, access) == Q);
		CHILD_CHECK(sec_query_field(hq, size) == self->size);
		CHILD_CHECK_ERR(EACCES, sec_map(hq, self->ps, PROT_READ, MAP_SHARED, 0));
		CHILD_CHECK_ERR(EACCES, sec_map(hq, self->ps, PROT_READ, MAP_PRIVATE, 0));
		CHILD_CHECK_ERR(EPERM, ftruncate(hq, 0));
		CHILD_CHECK_ERR(EPERM, ftruncate(hq, self->ps));
		CHILD_CHECK_ERR(EOPNOTSUPP, fallocate(hq, 0, 0, self->size));
		CHILD_FAIL_IN(pwrite(hq, buf, sizeof(buf), 0), EINVAL, ESPIPE);
		CHILD_FAIL_IN(write(hq, buf, sizeof(buf)), EINVAL, ESPIPE);
		CHILD_CHECK_ERR(EPERM, fchmod(hq, 0666));
		CHILD_CHECK(fstat(hq, &st) == 0);
		close(hq);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	if (hq >= 0)
		close(hq);
	EXPECT_EQ(1, sec_query_field(self->h, handles));
	EXPECT_EQ(mode, sec_query_field(self->h, mode));
	if (variant->named)
		EXPECT_EQ(0644, mode);
	check_untouched(_metadata, self, variant);
}

/* ============================================================ */
/* H. Modes across two users                                     */
/* ============================================================ */

/*
 * The inode every handle shares is root's, whoever made it, and takes no
 * lease. sectionsfs is mounted by the create that finds it gone (a second
 * after the last object of the module went): here, once nothing holds the
 * module, an unprivileged user's. Were the inode that user's, every
 * fstat() of a handle would show them and they could take leases on it.
 */
TEST(the_shared_handle_inode_is_roots_and_takes_no_lease)
{
	int go[2], done[2], dev, h, i;
	long long refs = -1;
	struct stat st;
	char c = 0;
	FILE *f;
	pid_t pid;

	/* Nothing holds the module (no fd of /dev/sections, no object, no mount). */
	for (i = 0; i < 50; i++) {
		f = fopen("/sys/module/sections/refcnt", "r");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(1, fscanf(f, "%lld", &refs));
		fclose(f);
		if (!refs)
			break;
		usleep(100000);
	}
	if (refs)
		SKIP(return, "the module is held (%lld): sectionsfs may stay mounted", refs);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[0]);
		close(done[1]);
		CHILD_CHECK(become(USER1, USER1, 0, NULL) == 0);
		dev = sections_open_dev();
		CHILD_CHECK(dev >= 0);
		h = create_unnamed(dev, page_size());
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(fstat(h, &st) == 0);
		CHILD_CHECK(st.st_uid == 0 && st.st_gid == 0);
		/* Not the owner: refused, EACCES on 6.12 and 7.2, EINVAL on 6.1 (seen). */
		errno = 0;
		CHILD_CHECK(fcntl(h, F_SETLEASE, F_RDLCK) == -1 &&
			    (errno == EACCES || errno == EINVAL));
		errno = 0;
		CHILD_CHECK(fcntl(h, F_SETLEASE, F_WRLCK) == -1 &&
			    (errno == EACCES || errno == EINVAL));
		CHILD_CHECK(fcntl(h, F_GETLEASE) == F_UNLCK);
		/* Holds it (and the mount) while root looks. */
		CHILD_CHECK(write(go[1], &c, 1) == 1);
		CHILD_CHECK(read(done[0], &c, 1) >= 0);
		_exit(0);
	}
	close(go[1]);
	close(done[0]);
	ASSERT_EQ(1, read(go[0], &c, 1));
	dev = sections_open_dev();
	ASSERT_LE(0, dev);
	h = create_unnamed(dev, page_size());
	ASSERT_LE(0, h);
	ASSERT_EQ(0, fstat(h, &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	/* Root has CAP_LEASE: refused all the same. */
	EXPECT_EQ(-1, fcntl(h, F_SETLEASE, F_RDLCK));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, fcntl(h, F_SETLEASE, F_WRLCK));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(F_UNLCK, fcntl(h, F_GETLEASE));
	close(done[1]);
	EXPECT_EQ(0, wait_child(pid));
	close(h);
	close(dev);
	close(go[0]);
}

FIXTURE(modes) {
	int dev;
	long ps;
	char name[80];
};

FIXTURE_VARIANT(modes) {
	__u32 mode;
	/* What uid 1001 may do: with gid 1000 (the section's), and with gid 1001. */
	bool group_read, group_write, other_read, other_write;
};

FIXTURE_VARIANT_ADD(modes, m0600) { .mode = 0600, };
FIXTURE_VARIANT_ADD(modes, m0640) { .mode = 0640, .group_read = true, };
FIXTURE_VARIANT_ADD(modes, m0666) {
	.mode = 0666, .group_read = true, .group_write = true,
	.other_read = true, .other_write = true,
};

FIXTURE_SETUP(modes)
{
	char base[64];

	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(base, sizeof(base), "modes");
	prefixed(self->name, sizeof(self->name), "Global\\", base);
}

FIXTURE_TEARDOWN(modes)
{
	close(self->dev);
}

#define OPENER_GROUP_OFF	256
#define OPENER_OTHER_OFF	512

/* Child: uid 1001 with gid, opening the section of uid 1000. */
static void child_opener(int dev, long ps, const char *name, gid_t gid, bool may_read,
			 bool may_write, size_t off)
{
	__u32 res = POISON32;
	char *q;
	int h;

	CHILD_CHECK(become(USER2, gid, 0, NULL) == 0);
	h = sec_open(dev, name, R);
	if (may_read) {
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(sec_query_field(h, uid) == (__u64)-1);	/* no QUERY right */
		q = sec_map(h, ps, PROT_READ, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(strcmp(q, "written by 1000") == 0);
		munmap(q, ps);
		close(h);
		h = sec_create(dev, ps, name, RW_PROT, Q | R, &res);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(res == SECTIONS_CREATE_EXISTED);
		CHILD_CHECK(sec_query_field(h, uid) == USER1);
		CHILD_CHECK(sec_query_field(h, gid) == USER1);
		close(h);
	} else {
		CHILD_CHECK(h == -1 && errno == EACCES);
		CHILD_CHECK_ERR(EACCES, sec_open(dev, name, Q));
		CHILD_CHECK_ERR(EACCES, sec_create(dev, ps, name, RW_PROT, Q | R, NULL));
	}
	h = sec_open(dev, name, W);
	if (may_write) {
		CHILD_CHECK(h >= 0);
		q = sec_map(h, ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		snprintf(q + off, 32, "written by 1001:%u", (unsigned int)gid);
		munmap(q, ps);
		close(h);
	} else {
		CHILD_CHECK(h == -1 && errno == EACCES);
		CHILD_CHECK_ERR(EACCES, sec_create(dev, ps, name, RW_PROT, Q | W, NULL));
	}
	if (may_read && may_write) {
		h = sec_open(dev, name, R | W);
		CHILD_CHECK(h >= 0);
		close(h);
	} else {
		CHILD_CHECK_ERR(EACCES, sec_open(dev, name, R | W));
	}
	_exit(0);
}

TEST_F(modes, across_uids)
{
	struct lockstep ls;
	pid_t creator, pid;

	ASSERT_EQ(0, lockstep_init(&ls));
	creator = fork();
	ASSERT_LE(0, creator);
	if (creator == 0) {
		char expect[32], *p;
		int h;

		/* Uid 1000 with CAP_IPC_OWNER only, to create the Global\ name. */
		CHILD_CHECK(become_with_cap(USER1, USER1, CAP_IPC_OWNER) == 0);
		h = create_named(self->dev, self->ps, self->name, 0, variant->mode, NULL);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(set_caps(0, 0) == 0);
		CHILD_CHECK(sec_query_field(h, uid) == USER1);
		CHILD_CHECK(sec_query_field(h, gid) == USER1);
		CHILD_CHECK(sec_query_field(h, mode) == variant->mode);
		p = map_rw(h, self->ps);
		CHILD_CHECK(p != MAP_FAILED);
		strcpy(p, "written by 1000");
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		snprintf(expect, sizeof(expect), "written by 1001:%u", USER1);
		if (variant->group_write)
			CHILD_CHECK(strcmp(p + OPENER_GROUP_OFF, expect) == 0);
		else
			CHILD_CHECK(p[OPENER_GROUP_OFF] == 0);
		snprintf(expect, sizeof(expect), "written by 1001:%u", USER2);
		if (variant->other_write)
			CHILD_CHECK(strcmp(p + OPENER_OTHER_OFF, expect) == 0);
		else
			CHILD_CHECK(p[OPENER_OTHER_OFF] == 0);
		CHILD_CHECK(strcmp(p, "written by 1000") == 0);
		CHILD_CHECK(sec_query_field(h, handles) == 1);
		_exit(0);
	}
	lockstep_parent(&ls);
	ASSERT_EQ('c', parent_wait(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		child_opener(self->dev, self->ps, self->name, USER1, variant->group_read,
			     variant->group_write, OPENER_GROUP_OFF);
	EXPECT_EQ(0, wait_child(pid)) TH_LOG("opener with the section's gid");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		child_opener(self->dev, self->ps, self->name, USER2, variant->other_read,
			     variant->other_write, OPENER_OTHER_OFF);
	EXPECT_EQ(0, wait_child(pid)) TH_LOG("opener with another gid");

	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(creator));
}

TEST_HARNESS_MAIN

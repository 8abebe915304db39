// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sections: one line per named section of the reader's IPC namespace,
 * under a header line:
 *	name size backing uid gid mode handles views resident dirty scope
 */
#define _GNU_SOURCE
#include <sched.h>

#include "sections_test.h"

static const char *const columns[] = {
	"name", "size", "backing", "uid", "gid", "mode", "handles", "views", "resident",
	"dirty", "scope",
};

struct row {
	char name[SECTIONS_NAME_MAX + 1];
	unsigned long long size;
	char backing[32];
	unsigned int uid, gid;
	char mode[16];
	unsigned int handles, views;
	unsigned long long resident, dirty;
	char scope[16];
};

/* Read all of /proc/sections into a malloc()ed, NUL-terminated buffer. */
static char *read_proc(void)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(SECTIONS_PROC, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 1024) {
			char *nbuf = realloc(buf, cap *= 2);

			if (!nbuf)
				break;
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Parse one line; returns true when it has exactly the eleven columns. */
static bool parse_row(const char *line, struct row *row)
{
	char extra[2];
	int n;

	memset(row, 0, sizeof(*row));
	n = sscanf(line, "%255s %llu %31s %u %u %15s %u %u %llu %llu %15s %1s", row->name,
		   &row->size, row->backing, &row->uid, &row->gid, row->mode, &row->handles,
		   &row->views, &row->resident, &row->dirty, row->scope, extra);
	return n == 11 && (!strcmp(row->scope, "global") || !strcmp(row->scope, "local"));
}

/*
 * Find the row of name. Returns 1 and fills *row when listed, 0 when not,
 * -1 when /proc/sections cannot be read or has a malformed line.
 */
static int find_row(const char *name, struct row *row)
{
	char *buf = read_proc(), *line, *save = NULL;
	int found = 0, first = 1;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct row r;

		if (first) {
			first = 0;
			continue;
		}
		if (!parse_row(line, &r)) {
			fprintf(stderr, "# malformed line in %s: \"%s\"\n", SECTIONS_PROC, line);
			found = -1;
			break;
		}
		if (!strcmp(r.name, name)) {
			*row = r;
			found = 1;
		}
	}
	free(buf);
	return found;
}

/* The number of section lines (not counting the header), or -1. */
static int count_rows(void)
{
	char *buf = read_proc(), *p;
	int lines = 0;

	if (!buf)
		return -1;
	for (p = buf; *p; p++)
		lines += *p == '\n';
	free(buf);
	return lines - 1;
}

FIXTURE(proc) {
	int dev;
	long ps;
	char name[64];
};

FIXTURE_SETUP(proc)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(self->name, sizeof(self->name), "proc");
}

FIXTURE_TEARDOWN(proc)
{
	close(self->dev);
}

TEST_F(proc, header)
{
	char *buf, *nl, *tok, *save = NULL;
	unsigned int i = 0;

	buf = read_proc();
	ASSERT_NE(NULL, buf) TH_LOG("%s: %s", SECTIONS_PROC, strerror(errno));
	ASSERT_EQ(0, strncmp(buf, "name", 4)) TH_LOG("first line: %.80s", buf);
	nl = strchr(buf, '\n');
	ASSERT_NE(NULL, nl);
	*nl = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++) {
		ASSERT_GT(ARRAY_SIZE(columns), i) TH_LOG("extra column \"%s\"", tok);
		EXPECT_STREQ(columns[i], tok);
	}
	EXPECT_EQ(ARRAY_SIZE(columns), i);
	free(buf);
}

TEST_F(proc, lists_named_section)
{
	struct row row;
	char *p, *q;
	int h, h2;

	h = sec_create_full(self->dev, 4 * self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, 0, 0,
			    0640, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(4 * self->ps, row.size);
	EXPECT_STREQ("pagefile", row.backing);
	EXPECT_EQ(getuid(), row.uid);
	EXPECT_EQ(getgid(), row.gid);
	EXPECT_STREQ("0640", row.mode);
	EXPECT_EQ(1, row.handles);
	EXPECT_EQ(0, row.views);
	EXPECT_EQ(0, row.resident);

	p = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 1);
	touch_write(p + 2 * self->ps, 1);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(1, row.handles);
	EXPECT_EQ(1, row.views);
	EXPECT_EQ(2, row.resident);

	h2 = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
	ASSERT_LE(0, h2);
	q = sec_map(h2, self->ps, PROT_READ, MAP_SHARED, 3 * self->ps);
	ASSERT_NE(MAP_FAILED, q);
	touch_read(q);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(2, row.handles);
	EXPECT_EQ(2, row.views);
	EXPECT_EQ(3, row.resident);

	/* Unmapping does not make pages leave memory. */
	munmap(q, self->ps);
	munmap(p, 4 * self->ps);
	close(h2);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(1, row.handles);
	EXPECT_EQ(0, row.views);
	EXPECT_EQ(3, row.resident);
	/* Pagefile-backed pages have no file to be written to. */
	EXPECT_EQ(0, row.dirty);
	close(h);
}

/* A file-backed section's dirty column: pages written but not yet in the file. */
TEST_F(proc, file_backed_dirty_pages)
{
	char path[] = "/tmp/sections-proc-XXXXXX";
	struct sections_create_args args;
	struct row row;
	char *p;
	int fd, h;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(fd, 4 * self->ps));
	sec_create_init(&args, 0, self->name, SECTIONS_PAGE_READWRITE, 0);
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	h = sec_create_args(self->dev, &args);
	ASSERT_LE(0, h);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_STREQ("file", row.backing);
	EXPECT_EQ(0, row.dirty);

	p = sec_map(h, 4 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* No read-around: only the pages touched come in. */
	ASSERT_EQ(0, madvise(p, 4 * self->ps, MADV_RANDOM));
	touch_read(p + self->ps);
	touch_write(p, 'x');
	touch_write(p + 3 * self->ps, 'y');
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(3, row.resident);
	EXPECT_EQ(2, row.dirty);

	/* A flush writes them: nothing is left dirty. */
	ASSERT_EQ(0, sec_flush(self->dev, p, 4 * self->ps, 0));
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(0, row.dirty);
	munmap(p, 4 * self->ps);
	close(h);
	close(fd);
}

TEST_F(proc, default_mode_and_protections)
{
	struct row row;
	int h;

	h = sec_create(self->dev, 1, self->name, SECTIONS_PAGE_READONLY, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_STREQ("0600", row.mode);
	EXPECT_EQ(self->ps, row.size);
	EXPECT_STREQ("pagefile", row.backing);
	close(h);
}

/* Listed under the name without its prefix. */
TEST_F(proc, prefix_not_listed)
{
	char local[80], global[80];
	struct row row;
	int h;

	snprintf(local, sizeof(local), "Local\\%s", self->name);
	snprintf(global, sizeof(global), "Global\\%s", self->name);
	h = sec_create(self->dev, self->ps, local, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(0, find_row(local, &row));
	EXPECT_EQ(0, find_row(global, &row));
	close(h);
}

TEST_F(proc, unnamed_not_listed)
{
	int before, h;
	char *p;

	before = count_rows();
	ASSERT_LE(0, before);
	h = sec_create(self->dev, 2 * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 1);
	EXPECT_EQ(before, count_rows());
	munmap(p, 2 * self->ps);
	close(h);
}

TEST_F(proc, gone_after_last_close)
{
	struct row row;
	int before, h, h2;
	char *p;

	before = count_rows();
	ASSERT_LE(0, before);
	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	h2 = sec_open(self->dev, self->name, SECTIONS_ACCESS_QUERY);
	ASSERT_LE(0, h2);
	EXPECT_EQ(before + 1, count_rows());
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_write(p, 1);

	close(h);
	ASSERT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(1, row.handles);
	EXPECT_EQ(1, row.views);
	close(h2);
	/* The view remains, the name does not. */
	EXPECT_EQ(0, find_row(self->name, &row));
	EXPECT_EQ(before, count_rows());
	munmap(p, self->ps);
}

TEST_F(proc, owner_columns)
{
	struct lockstep ls;
	struct row row;
	pid_t pid;

	ASSERT_EQ(0, lockstep_init(&ls));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int h;

		CHILD_CHECK(drop_to_nobody() == 0);
		h = sec_create_full(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0,
				    0, 0, 0604, NULL);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		close(h);
		_exit(0);
	}
	ASSERT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(NOBODY, row.uid);
	EXPECT_EQ(NOBODY, row.gid);
	EXPECT_STREQ("0604", row.mode);
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, find_row(self->name, &row));
}

/* Each reader sees the names of its own IPC namespace only. */
TEST_F(proc, ipc_namespace)
{
	char child_name[80];
	struct lockstep ls;
	struct row row;
	pid_t pid;
	int h;

	snprintf(child_name, sizeof(child_name), "%s-child", self->name);
	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(1, find_row(self->name, &row));
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct row r;
		int hc;

		CHILD_CHECK(unshare(CLONE_NEWIPC) == 0);
		CHILD_CHECK(find_row(self->name, &r) == 0);
		CHILD_CHECK(count_rows() == 0);
		hc = sec_create(self->dev, 2 * self->ps, child_name, SECTIONS_PAGE_READWRITE, 0,
				NULL);
		CHILD_CHECK(hc >= 0);
		CHILD_CHECK(find_row(child_name, &r) == 1);
		CHILD_CHECK(r.size == (unsigned long long)(2 * self->ps));
		CHILD_CHECK(count_rows() == 1);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		close(hc);
		_exit(0);
	}
	ASSERT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(0, find_row(child_name, &row));
	EXPECT_EQ(1, find_row(self->name, &row));
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	close(h);
}

/* Every line is well formed. */
TEST_F(proc, all_lines_well_formed)
{
	char *buf, *line, *save = NULL;
	char names[3][80];
	int h[3], i, rows = 0;

	for (i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "%s-%d", self->name, i);
		h[i] = sec_create_full(self->dev, (i + 1) * self->ps, names[i],
				       SECTIONS_PAGE_READWRITE, 0, 0, 0, 0600 + i, NULL);
		ASSERT_LE(0, h[i]);
	}
	buf = read_proc();
	ASSERT_NE(NULL, buf);
	line = strtok_r(buf, "\n", &save);
	ASSERT_NE(NULL, line);
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct row row;

		rows++;
		ASSERT_TRUE(parse_row(line, &row)) TH_LOG("line \"%s\"", line);
		EXPECT_STREQ("pagefile", row.backing);
		EXPECT_EQ(4, strlen(row.mode)) TH_LOG("mode \"%s\"", row.mode);
		EXPECT_EQ('0', row.mode[0]);
		EXPECT_EQ(4, strspn(row.mode, "01234567")) TH_LOG("mode \"%s\"", row.mode);
		EXPECT_EQ(0, row.size % self->ps);
		EXPECT_LE(1, row.handles);
		EXPECT_GE(row.size / self->ps, row.resident);
	}
	EXPECT_LE(3, rows);
	free(buf);
	for (i = 0; i < 3; i++) {
		struct row row;

		ASSERT_EQ(1, find_row(names[i], &row));
		EXPECT_EQ((i + 1) * self->ps, row.size);
		EXPECT_EQ(0600 + i, strtoul(row.mode, NULL, 8));
		close(h[i]);
	}
}

TEST_HARNESS_MAIN

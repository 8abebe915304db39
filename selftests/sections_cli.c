// SPDX-License-Identifier: GPL-2.0
/*
 * The sections(1) tool: runs it on sections this test made and checks its
 * output byte for byte, its messages and its exit codes. The guest has no
 * JSON parser, so JSON output is compared with the exact text expected.
 *
 * The tool is ./sections (scripts/vm-run --add cli/sections puts it in the
 * working directory), or $SECTIONS_CLI.
 */
#include "sections_test.h"

#include <stdarg.h>
#include <sys/stat.h>

/* What one run of the tool did. */
struct run {
	int status;		/* as wait_child() folds it */
	char *out, *err;	/* all of stdout and stderr, NUL-terminated */
};

static const char *cli_path(void)
{
	const char *p = getenv("SECTIONS_CLI");

	return p && *p ? p : "./sections";
}

/* All of what @fd (a memfd) holds, NUL-terminated, malloc()ed. */
static char *slurp(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf;

	if (len < 0)
		return NULL;
	buf = malloc(len + 1);
	if (buf && pread(fd, buf, len, 0) != len) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/*
 * Run the tool with @argv (NULL-terminated, without argv[0]), as uid nobody
 * when @nobody. Returns 0 when it ran (whatever its status), -1 otherwise.
 */
static int run_cli_argv(struct run *r, bool nobody, const char *const *argv)
{
	const char *args[16];
	int out, err, i;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	args[0] = "sections";
	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	out = memfd_create("cli-out", MFD_CLOEXEC);
	err = memfd_create("cli-err", MFD_CLOEXEC);
	if (out < 0 || err < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		if (nobody && drop_to_nobody())
			_exit(126);
		execv(cli_path(), (char *const *)args);
		dprintf(2, "exec %s: %s\n", cli_path(), strerror(errno));
		_exit(127);
	}
	r->status = wait_child(pid);
	r->out = slurp(out);
	r->err = slurp(err);
	close(out);
	close(err);
	return r->out && r->err ? 0 : -1;
}

#define CLI(r, ...)		run_cli_argv((r), false, (const char *const[]){ __VA_ARGS__, NULL })
#define CLI_NOBODY(r, ...)	run_cli_argv((r), true, (const char *const[]){ __VA_ARGS__, NULL })

/* Log what a run printed, for failing checks. */
#define LOG_RUN(r)	TH_LOG("status %d\n--- stdout:\n%s--- stderr:\n%s", (r)->status, \
			       (r)->out ? (r)->out : "(none)", (r)->err ? (r)->err : "(none)")

/* A malloc()ed printf. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* Whether @text has @line as one whole line (@line without its newline). */
static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* @s as lowercase hex, malloc()ed: what "name_hex" should say. */
static char *hex(const char *s)
{
	size_t i, len = strlen(s);
	char *out = malloc(2 * len + 1);

	for (i = 0; out && i < len; i++)
		sprintf(out + 2 * i, "%02x", (unsigned char)s[i]);
	if (out)
		out[2 * len] = '\0';
	return out;
}

/*
 * The offset of the first thing in @s a terminal would act on rather than
 * show, or -1: a C0 control but newline, DEL, a byte that is not UTF-8, a
 * C1 control (U+0080-U+009F) or a bidi control (U+202A-U+202E,
 * U+2066-U+2069).
 */
static long first_unsafe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c, len, k;
	long i;

	for (i = 0; p[i]; i += len) {
		c = p[i];
		len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
		      c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len || (c < 0x20 && c != '\n') || c == 0x7f)
			return i;
		if (len > 1)
			c &= 0x3f >> (len - 1);
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
		    (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
			return i;
	}
	return -1;
}

/*
 * The `list` line of section @name (its last column), split into the nine
 * columns before the name. Returns the number of columns found (9 when the
 * line is there and well-formed), 0 when there is no such line.
 */
static int list_row(const char *text, const char *name, char col[9][32])
{
	char *want = fmt("  %s", name);
	const char *line = text, *nl, *p;
	size_t wl = strlen(want);
	int n = 0;

	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		if ((size_t)(nl - line) < wl || memcmp(nl - wl, want, wl))
			continue;
		for (p = line; n < 9 && p < nl - wl;) {
			int len = 0;

			while (*p == ' ')
				p++;
			while (p[len] != ' ' && p + len < nl)
				len++;
			if (!len)
				break;
			snprintf(col[n++], 32, "%.*s", len, p);
			p += len;
		}
		break;
	}
	free(want);
	return n;
}

FIXTURE(cli) {
	int dev;
	long ps;
	char name[64];
	char dir[64];
};

FIXTURE_SETUP(cli)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	ASSERT_EQ(0, access(cli_path(), X_OK))
		TH_LOG("%s: %s (set SECTIONS_CLI, or add cli/sections to the guest)",
		       cli_path(), strerror(errno));
	uniq_name(self->name, sizeof(self->name), "cli");
	self->dir[0] = '\0';
}

FIXTURE_TEARDOWN(cli)
{
	close(self->dev);
}

/* A pagefile-backed named section of @pages pages with @mode (0 for the default). */
static int make_pagefile(FIXTURE_DATA(cli) *self, const char *name, long pages, __u32 mode,
			 __u32 attributes)
{
	return sec_create_full(self->dev, pages * self->ps, name, SECTIONS_PAGE_READWRITE, 0,
			       attributes, 0, mode, NULL);
}

/* A named section on a new sparse file of @pages pages in /tmp (nothing in it is dirty). */
static int make_file_backed(FIXTURE_DATA(cli) *self, const char *name, long pages)
{
	struct sections_create_args args;
	char path[] = "/tmp/sections-cli-XXXXXX";
	int fd, h;

	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	if (ftruncate(fd, pages * self->ps)) {
		close(fd);
		return -1;
	}
	sec_create_init(&args, 0, name, SECTIONS_PAGE_READWRITE, 0);
	args.flags = SECTIONS_CREATE_FILE;
	args.fd = fd;
	h = sec_create_args(self->dev, &args);
	close(fd);
	return h;
}

static char *map_all(int h, long pages, long ps)
{
	return sec_map(h, pages * ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
}

/* ---- the command line ---- */

TEST_F(cli, usage_errors_exit_2)
{
	static const char *const bad[][4] = {
		{ NULL }, { "frob" }, { "list", "extra" }, { "info" }, { "pages" },
		{ "info", "a", "b" }, { "--bogus", "list" }, { "list", "--start", "1" },
		{ "pages", "x", "--count", "0" }, { "pages", "x", "--start", "-1" },
		{ "pages", "x", "--count", "1x" }, { "pages", "x", "--start" },
		{ "list", "--json=yes" },
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *const *a = bad[i];

		ASSERT_EQ(0, run_cli_argv(&r, false, a));
		EXPECT_EQ(2, r.status) TH_LOG("case %u", i);
		EXPECT_STREQ("", r.out) TH_LOG("case %u", i);
		EXPECT_EQ(0, strncmp(r.err, "sections: ", 10)) TH_LOG("case %u: %s", i, r.err);
		EXPECT_NE(NULL, strstr(r.err, "\nTry 'sections --help' for more information.\n"))
			TH_LOG("case %u: %s", i, r.err);
		run_free(&r);
	}
}

TEST_F(cli, help_and_version)
{
	struct run r;

	ASSERT_EQ(0, CLI(&r, "--help"));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, strncmp(r.out, "Usage: sections [OPTION]... COMMAND [NAME]\n", 43));
	EXPECT_TRUE(has_line(r.out, "  pages NAME    a map of the pages of NAME: resident, "
				    "share count, dirty"));
	EXPECT_STREQ("", r.err);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "--version"));
	EXPECT_EQ(0, r.status);
	/* The library's version is the one it was built with. */
	EXPECT_EQ(0, strncmp(r.out, "sections 1.0 (libsections ", 26)) LOG_RUN(&r);
	EXPECT_EQ(0, strcmp(r.out + strlen(r.out) - 2, ")\n")) LOG_RUN(&r);
	run_free(&r);
}

TEST_F(cli, unknown_name_exit_1)
{
	char name[64], *msg;
	struct run r;

	uniq_name(name, sizeof(name), "no-such");
	msg = fmt("sections: no section named '%s'\n", name);
	ASSERT_EQ(0, CLI(&r, "info", name));
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ(msg, r.err);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "pages", "--json", name));
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ(msg, r.err);
	run_free(&r);
	free(msg);

	/* A backslash outside a prefix is no name at all: a usage error. */
	ASSERT_EQ(0, CLI(&r, "info", "a\\b"));
	EXPECT_EQ(2, r.status);
	EXPECT_EQ(0, strncmp(r.err, "sections: invalid section name 'a\\134b'", 39)) LOG_RUN(&r);
	run_free(&r);
}

/* ---- list ---- */

TEST_F(cli, list_pagefile_section)
{
	char col[9][32], *p, *uid = fmt("%u", getuid()), *gid = fmt("%u", getgid());
	struct run r;
	int h, i;

	h = make_pagefile(self, self->name, 16, 0, 0);
	ASSERT_LE(0, h);
	p = map_all(h, 16, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 3; i++)
		touch_write(p + i * self->ps, 1);

	ASSERT_EQ(0, CLI(&r, "list", "--numeric"));
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	/* The header: the columns' titles, NAME last. */
	ASSERT_EQ(9, list_row(r.out, "NAME", col)) LOG_RUN(&r);
	EXPECT_STREQ("SIZE", col[0]);
	EXPECT_STREQ("DIRTY", col[8]);
	ASSERT_EQ(9, list_row(r.out, self->name, col)) LOG_RUN(&r);
	EXPECT_EQ(16 * self->ps, atol(col[0]));
	EXPECT_STREQ("pagefile", col[1]);
	EXPECT_STREQ(uid, col[2]);
	EXPECT_STREQ(gid, col[3]);
	EXPECT_STREQ("0600", col[4]);
	EXPECT_STREQ("1", col[5]);	/* handles */
	EXPECT_STREQ("1", col[6]);	/* views */
	EXPECT_STREQ("3", col[7]);	/* resident */
	EXPECT_STREQ("0", col[8]);	/* dirty: a pagefile section has no file to write */
	run_free(&r);

	/* Without --numeric, owners by name (the guest's /etc/passwd has root). */
	if (getuid() == 0) {
		ASSERT_EQ(0, CLI(&r, "list"));
		ASSERT_EQ(9, list_row(r.out, self->name, col)) LOG_RUN(&r);
		EXPECT_STREQ("root", col[2]);
		EXPECT_STREQ("root", col[3]);
		run_free(&r);
	}
	munmap(p, 16 * self->ps);
	close(h);
	free(uid);
	free(gid);
}

TEST_F(cli, list_json)
{
	char *head, *row, *tail = NULL, *p, *name_hex = hex(self->name);
	struct run r;
	int h, i;

	h = make_pagefile(self, self->name, 16, 0640, 0);
	ASSERT_LE(0, h);
	p = map_all(h, 16, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 3; i++)
		touch_write(p + i * self->ps, 1);

	ASSERT_EQ(0, CLI(&r, "list", "--json"));
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	head = fmt("{\"page_size\":%ld,\"sections\":[\n", self->ps);
	row = fmt("{\"name\":\"%s\",\"name_hex\":\"%s\",\"size\":%ld,\"backing\":\"pagefile\","
		  "\"uid\":%u,\"gid\":%u,\"mode\":\"0640\",\"handles\":1,\"views\":1,\"resident\":3,"
		  "\"dirty\":0}", self->name, name_hex, 16 * self->ps, getuid(), getgid());
	EXPECT_EQ(0, strncmp(r.out, head, strlen(head))) LOG_RUN(&r);
	/* One section a line, "," after each but the last. */
	EXPECT_TRUE(has_line(r.out, row) || has_line(r.out, tail = fmt("%s,", row)))
		LOG_RUN(&r);
	free(tail);
	EXPECT_EQ(0, strcmp(r.out + strlen(r.out) - 4, "\n]}\n")) LOG_RUN(&r);
	run_free(&r);
	munmap(p, 16 * self->ps);
	close(h);
	free(head);
	free(row);
	free(name_hex);
}

/* File-backed: resident and dirty pages, in text and JSON. */
TEST_F(cli, list_file_backed_dirty)
{
	char col[9][32], *row, *p, *name_hex;
	struct run r;
	int h, i;

	h = make_file_backed(self, self->name, 8);
	ASSERT_LE(0, h) TH_LOG("file-backed create: %s", strerror(errno));
	p = map_all(h, 8, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 8; i++)
		touch_read(p + i * self->ps);
	/* Mapped dirty pages stay dirty (not written while their share count is not zero). */
	touch_write(p + self->ps, 'x');
	touch_write(p + 3 * self->ps, 'y');

	ASSERT_EQ(0, CLI(&r, "list", "-n"));
	EXPECT_EQ(0, r.status);
	ASSERT_EQ(9, list_row(r.out, self->name, col)) LOG_RUN(&r);
	EXPECT_EQ(8 * self->ps, atol(col[0]));
	EXPECT_STREQ("file", col[1]);
	EXPECT_STREQ("1", col[6]);
	EXPECT_STREQ("8", col[7]);
	EXPECT_STREQ("2", col[8]);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "--json", "list"));
	EXPECT_EQ(0, r.status);
	name_hex = hex(self->name);
	row = fmt("{\"name\":\"%s\",\"name_hex\":\"%s\",\"size\":%ld,\"backing\":\"file\","
		  "\"uid\":%u,\"gid\":%u,\"mode\":\"0600\",\"handles\":1,\"views\":1,\"resident\":8,"
		  "\"dirty\":2}", self->name, name_hex, 8 * self->ps, getuid(), getgid());
	EXPECT_NE(NULL, strstr(r.out, row)) LOG_RUN(&r);
	run_free(&r);
	free(row);
	free(name_hex);
	munmap(p, 8 * self->ps);
	close(h);
}

/* ---- info ---- */

TEST_F(cli, info_text)
{
	struct run r;
	char *want, *p;
	int h, i;

	h = make_pagefile(self, self->name, 16, 0640, SECTIONS_ATTR_NORESERVE);
	ASSERT_LE(0, h);
	p = map_all(h, 16, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 3; i++)
		touch_write(p + i * self->ps, 1);

	ASSERT_EQ(0, CLI(&r, "info", "-n", self->name));
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	want = fmt("name:        %s\n"
		   "size:        %ld bytes (16 pages of %ld bytes)\n"
		   "backing:     pagefile\n"
		   "protection:  readwrite\n"
		   "attributes:  noreserve\n"
		   "owner:       %u\n"
		   "group:       %u\n"
		   "mode:        0640\n"
		   "handles:     1\n"
		   "views:       1\n"
		   "resident:    3 pages\n"
		   "dirty:       0 pages\n"
		   "write error: none\n",
		   self->name, 16 * self->ps, self->ps, getuid(), getgid());
	EXPECT_STREQ(want, r.out);
	run_free(&r);
	free(want);

	/* By name too, and with a Local\ prefix, which names the same section. */
	want = fmt("Local\\%s", self->name);
	ASSERT_EQ(0, CLI(&r, "info", want));
	free(want);
	EXPECT_EQ(0, r.status);
	want = fmt("name:        %s", self->name);
	EXPECT_TRUE(has_line(r.out, want)) LOG_RUN(&r);
	if (getuid() == 0) {
		EXPECT_TRUE(has_line(r.out, "owner:       root (uid 0)")) LOG_RUN(&r);
		EXPECT_TRUE(has_line(r.out, "group:       root (gid 0)")) LOG_RUN(&r);
	}
	run_free(&r);
	free(want);
	munmap(p, 16 * self->ps);
	close(h);
}

TEST_F(cli, info_json)
{
	char *want, *p, *name_hex = hex(self->name);
	struct run r;
	int h;

	h = make_file_backed(self, self->name, 4);
	ASSERT_LE(0, h);
	p = map_all(h, 4, self->ps);
	ASSERT_NE(MAP_FAILED, p);
	touch_read(p);
	touch_read(p + self->ps);
	touch_write(p + 2 * self->ps, 'z');
	touch_read(p + 3 * self->ps);

	ASSERT_EQ(0, CLI(&r, "info", "--json", self->name));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"%s\",\"name_hex\":\"%s\",\"size\":%ld,\"page_size\":%ld,"
		   "\"backing\":\"file\",\"protection\":\"readwrite\",\"attributes\":[],\"uid\":%u,"
		   "\"gid\":%u,\"mode\":\"0600\",\"handles\":1,\"views\":1,\"resident\":4,"
		   "\"dirty\":1,\"write_error\":0,\"query_access\":true}\n",
		   self->name, name_hex, 4 * self->ps, self->ps, getuid(), getgid());
	EXPECT_STREQ(want, r.out);
	run_free(&r);
	free(want);
	free(name_hex);
	munmap(p, 4 * self->ps);
	close(h);
}

/* Without query access, info still shows the /proc/sections row, and says so. */
TEST_F(cli, info_query_denied)
{
	struct run r;
	char *msg;
	char *global;
	int h;

	if (getuid() != 0)
		SKIP(return, "needs root, to run the tool as another user");
	/* Another user reaches root's section only in the global scope. */
	global = fmt("Global\\%s", self->name);
	h = make_pagefile(self, global, 16, 0600, 0);
	ASSERT_LE(0, h);

	ASSERT_EQ(0, CLI_NOBODY(&r, "info", global));
	EXPECT_EQ(0, r.status) LOG_RUN(&r);
	msg = fmt("sections: %s: query access denied: showing what /proc/sections tells\n",
		  global);
	EXPECT_STREQ(msg, r.err);
	free(msg);
	msg = fmt("size:        %ld bytes (16 pages of %ld bytes)", 16 * self->ps, self->ps);
	EXPECT_TRUE(has_line(r.out, msg)) LOG_RUN(&r);
	free(msg);
	EXPECT_TRUE(has_line(r.out, "protection:  unknown (no query access)"));
	EXPECT_TRUE(has_line(r.out, "owner:       root (uid 0)"));
	EXPECT_TRUE(has_line(r.out, "mode:        0600"));
	EXPECT_TRUE(has_line(r.out, "handles:     1"));
	run_free(&r);

	ASSERT_EQ(0, CLI_NOBODY(&r, "info", "--json", global));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, ",\"protection\":null,\"attributes\":null,\"uid\":0,"))
		LOG_RUN(&r);
	EXPECT_NE(NULL, strstr(r.out, ",\"write_error\":null,\"query_access\":false}\n"));
	run_free(&r);

	/* The page map needs query access: an error. */
	ASSERT_EQ(0, CLI_NOBODY(&r, "pages", global));
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	msg = fmt("sections: %s: permission denied (the section's mode does not grant query "
		  "access)\n", global);
	EXPECT_STREQ(msg, r.err);
	free(msg);
	run_free(&r);
	close(h);
	free(global);
}

/* ---- pages ---- */

#define LEGEND \
	"# .    not resident              0  resident, mapped by no view\n" \
	"# 1-9  mapped that many times    +  mapped more than 9 times\n" \
	"# d    (on the \"dirty\" line under a row) not yet in its backing store\n" \
	"# *    (alone on a line) rows equal to the row above\n"

static char *dots(int n)
{
	char *s = malloc(n + 1);

	memset(s, '.', n);
	s[n] = '\0';
	return s;
}

/*
 * A 70-page pagefile section with known share counts: page 0 is mapped by two
 * views, 1, 2 and 65 by one, 5 by none (but resident), 6 by eleven; all
 * those were written (dirty: a pagefile page is dirty until it is in swap).
 */
struct known_map {
	int h;
	char *a, *b, *many[10];
};

static int known_map_make(FIXTURE_DATA(cli) *self, struct known_map *k)
{
	long ps = self->ps;
	char *c;
	int i;

	k->h = make_pagefile(self, self->name, 70, 0, 0);
	if (k->h < 0)
		return -1;
	k->a = map_all(k->h, 70, ps);
	k->b = map_all(k->h, 70, ps);
	c = map_all(k->h, 70, ps);
	if (k->a == MAP_FAILED || k->b == MAP_FAILED || c == MAP_FAILED)
		return -1;
	touch_write(k->a, 1);
	touch_write(k->b, 2);
	touch_write(k->a + ps, 1);
	touch_write(k->a + 2 * ps, 1);
	touch_write(k->a + 65 * ps, 1);
	touch_write(c + 5 * ps, 5);
	munmap(c, 70 * ps);
	touch_write(k->a + 6 * ps, 6);
	for (i = 0; i < 10; i++) {
		k->many[i] = map_all(k->h, 70, ps);
		if (k->many[i] == MAP_FAILED)
			return -1;
		touch_read(k->many[i] + 6 * ps);
	}
	return 0;
}

static void known_map_free(FIXTURE_DATA(cli) *self, struct known_map *k)
{
	int i;

	for (i = 0; i < 10; i++)
		munmap(k->many[i], 70 * self->ps);
	munmap(k->a, 70 * self->ps);
	munmap(k->b, 70 * self->ps);
	close(k->h);
}

TEST_F(cli, pages_map)
{
	char *want, *d57 = dots(57);
	struct known_map k;
	struct run r;

	ASSERT_EQ(0, known_map_make(self, &k));
	ASSERT_EQ(0, CLI(&r, "pages", self->name));
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	/* Page numbers at least 4 wide, offsets at least 8 hex digits. */
	want = fmt("# %s: 70 pages of %ld bytes, pagefile-backed; pages 0-69\n" LEGEND
		   "   0 0x%08lx 211..0+%s\n"
		   "          dirty ddd  dd\n"
		   "  64 0x%08lx .1....\n"
		   "          dirty  d\n",
		   self->name, self->ps, 0L, d57, 64 * self->ps);
	EXPECT_STREQ(want, r.out);
	free(want);
	run_free(&r);

	/* A range: the rows start at --start. */
	ASSERT_EQ(0, CLI(&r, "pages", "--start", "5", "--count", "3", self->name));
	EXPECT_EQ(0, r.status);
	want = fmt("# %s: 70 pages of %ld bytes, pagefile-backed; pages 5-7\n" LEGEND
		   "   5 0x%08lx 0+.\n"
		   "          dirty dd\n",
		   self->name, self->ps, 5 * self->ps);
	EXPECT_STREQ(want, r.out);
	free(want);
	run_free(&r);

	/* Past the end: a runtime error, not a usage error. */
	ASSERT_EQ(0, CLI(&r, "pages", "-s", "60", "-c", "11", self->name));
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("sections: pages 60 to 70 reach past the end of the section (70 pages)\n",
		     r.err);
	run_free(&r);
	ASSERT_EQ(0, CLI(&r, "pages", "-s", "70", self->name));
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("sections: page 70 is past the end of the section (70 pages)\n", r.err);
	run_free(&r);

	known_map_free(self, &k);
	free(d57);
}

TEST_F(cli, pages_json)
{
	char *want, *name_hex = hex(self->name);
	struct known_map k;
	struct run r;

	ASSERT_EQ(0, known_map_make(self, &k));
	ASSERT_EQ(0, CLI(&r, "pages", "--json", self->name));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"%s\",\"name_hex\":\"%s\",\"page_size\":%ld,\"pages\":70,"
		   "\"start\":0,\"count\":70,\"runs\":[\n"
		   "{\"page\":0,\"count\":1,\"share_count\":2,\"resident\":true,\"dirty\":true},\n"
		   "{\"page\":1,\"count\":2,\"share_count\":1,\"resident\":true,\"dirty\":true},\n"
		   "{\"page\":3,\"count\":2,\"share_count\":0,\"resident\":false,\"dirty\":false},\n"
		   "{\"page\":5,\"count\":1,\"share_count\":0,\"resident\":true,\"dirty\":true},\n"
		   "{\"page\":6,\"count\":1,\"share_count\":11,\"resident\":true,\"dirty\":true},\n"
		   "{\"page\":7,\"count\":58,\"share_count\":0,\"resident\":false,\"dirty\":false},\n"
		   "{\"page\":65,\"count\":1,\"share_count\":1,\"resident\":true,\"dirty\":true},\n"
		   "{\"page\":66,\"count\":4,\"share_count\":0,\"resident\":false,\"dirty\":false}\n"
		   "]}\n", self->name, name_hex, self->ps);
	EXPECT_STREQ(want, r.out);
	free(want);
	free(name_hex);
	run_free(&r);
	known_map_free(self, &k);
}

/* Rows equal to the one above fold into one "*" line; the last row is always shown. */
TEST_F(cli, pages_repeated_rows)
{
	char *want, *d64 = dots(64);
	struct run r;
	int h;

	h = make_pagefile(self, self->name, 5 * 64, 0, 0);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, CLI(&r, "pages", self->name));
	EXPECT_EQ(0, r.status);
	want = fmt("# %s: 320 pages of %ld bytes, pagefile-backed; pages 0-319\n" LEGEND
		   "   0 0x%08lx %s\n"
		   "*\n"
		   " 256 0x%08lx %s\n",
		   self->name, self->ps, 0L, d64, 256 * self->ps, d64);
	EXPECT_STREQ(want, r.out);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "pages", "--all", self->name));
	EXPECT_EQ(0, r.status);
	want = fmt("# %s: 320 pages of %ld bytes, pagefile-backed; pages 0-319\n" LEGEND
		   "   0 0x%08lx %s\n  64 0x%08lx %s\n 128 0x%08lx %s\n"
		   " 192 0x%08lx %s\n 256 0x%08lx %s\n",
		   self->name, self->ps, 0L, d64, 64 * self->ps, d64, 128 * self->ps, d64,
		   192 * self->ps, d64, 256 * self->ps, d64);
	EXPECT_STREQ(want, r.out);
	free(want);
	run_free(&r);
	free(d64);
	close(h);
}

/* File-backed: pages read are clean, pages written dirty; a second view counts twice. */
TEST_F(cli, pages_file_backed)
{
	struct run r;
	char *want, *a, *b;
	int h, i;

	h = make_file_backed(self, self->name, 8);
	ASSERT_LE(0, h);
	a = map_all(h, 8, self->ps);
	b = map_all(h, 8, self->ps);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	for (i = 0; i < 8; i++)
		touch_read(a + i * self->ps);
	touch_read(b);
	touch_write(a + self->ps, 'x');
	touch_write(a + 3 * self->ps, 'y');

	ASSERT_EQ(0, CLI(&r, "pages", self->name));
	EXPECT_EQ(0, r.status);
	want = fmt("# %s: 8 pages of %ld bytes, file-backed; pages 0-7\n" LEGEND
		   "   0 0x%08lx 21111111\n"
		   "          dirty  d d\n", self->name, self->ps, 0L);
	EXPECT_STREQ(want, r.out);
	free(want);
	run_free(&r);
	munmap(a, 8 * self->ps);
	munmap(b, 8 * self->ps);
	close(h);
}

/* A name with blanks and a tab: listed, escaped for the terminal and for JSON, found again. */
TEST_F(cli, name_with_blanks_round_trips)
{
	char name[64], col[9][32], *want, *name_hex;
	struct run r;
	int h;

	snprintf(name, sizeof(name), "st-%d cli with\tblanks", (int)getpid());
	h = make_pagefile(self, name, 2, 0, 0);
	ASSERT_LE(0, h);
	name_hex = hex(name);

	ASSERT_EQ(0, CLI(&r, "list"));
	want = fmt("st-%d cli with\\011blanks", (int)getpid());
	EXPECT_EQ(9, list_row(r.out, want, col)) LOG_RUN(&r);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "list", "--json"));
	free(want);
	want = fmt("{\"name\":\"st-%d cli with\\tblanks\",\"name_hex\":\"%s\",\"size\":%ld,",
		   (int)getpid(), name_hex, 2 * self->ps);
	EXPECT_NE(NULL, strstr(r.out, want)) LOG_RUN(&r);
	run_free(&r);
	free(want);

	ASSERT_EQ(0, CLI(&r, "info", name));
	EXPECT_EQ(0, r.status);
	want = fmt("name:        st-%d cli with\\011blanks", (int)getpid());
	EXPECT_TRUE(has_line(r.out, want)) LOG_RUN(&r);
	run_free(&r);
	free(want);

	ASSERT_EQ(0, CLI(&r, "pages", "--json", name));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"st-%d cli with\\tblanks\",\"name_hex\":\"%s\",\"page_size\":%ld,"
		   "\"pages\":2,", (int)getpid(), name_hex, self->ps);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	run_free(&r);
	free(want);
	free(name_hex);
	close(h);
}

/* A name that is not UTF-8, or holds a quote: still valid JSON. */
TEST_F(cli, json_escapes_names)
{
	char name[64], *want, *name_hex;
	struct run r;
	int h;

	snprintf(name, sizeof(name), "st-%d \"q\" \xff", (int)getpid());
	h = make_pagefile(self, name, 1, 0, 0);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, CLI(&r, "info", "--json", name));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"st-%d \\\"q\\\" \\ufffd\",\"name_hex\":\"%s\",\"size\":",
		   (int)getpid(), name_hex = hex(name));
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	run_free(&r);
	free(want);
	free(name_hex);
	close(h);
}

/*
 * Bytes a terminal would act on, in a name anyone may give: a raw CSI byte
 * (0x9b, not UTF-8), U+009B (CSI as UTF-8), U+202E (right-to-left override),
 * ESC, DEL and 0xff (not UTF-8). The literals are split so that no hex
 * escape swallows the digit after it.
 */
#define HOSTILE		"\x9b" "1" "\xc2\x9b" "2" "\xe2\x80\xae" "3" "\x1b" "4" "\x7f" \
			"5" "\xff" "6" "\xe2\x80\x8f" "7" "\xd8\x9c" "8" "\xe2\x80\xa8"
#define HOSTILE_TEXT	"\\233" "1" "\\u009b" "2" "\\u202e" "3" "\\033" "4" "\\177" "5" "\\377" \
			"6" "\\u200f" "7" "\\u061c" "8" "\\u2028"
#define HOSTILE_JSON	"\\ufffd" "1" "\\u009b" "2" "\\u202e" "3" "\\u001b" "4" "\\u007f" \
			"5" "\\ufffd" "6" "\\u200f" "7" "\\u061c" "8" "\\u2028"
#define HOSTILE_HEX	"9b" "31" "c29b" "32" "e280ae" "33" "1b" "34" "7f" "35" "ff" \
			"36" "e2808f" "37" "d89c" "38" "e280a8"

/* Every command prints such a name escaped, in text and JSON, and JSON gives its bytes. */
TEST_F(cli, hostile_name_is_escaped)
{
	char *name = fmt("%s-" HOSTILE, self->name), *missing = fmt("%s-no-" HOSTILE, self->name);
	char *text = fmt("%s-" HOSTILE_TEXT, self->name), *base_hex = hex(self->name);
	char *json = fmt("\"name\":\"%s-" HOSTILE_JSON "\",\"name_hex\":\"%s2d" HOSTILE_HEX "\",",
			 self->name, base_hex);
	char col[9][32], *want;
	struct run r;
	int h;

	h = make_pagefile(self, name, 2, 0, 0);
	ASSERT_LE(0, h) TH_LOG("create: %s", strerror(errno));

	ASSERT_EQ(0, CLI(&r, "list"));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(-1, first_unsafe(r.out)) LOG_RUN(&r);
	EXPECT_EQ(9, list_row(r.out, text, col)) LOG_RUN(&r);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "list", "--json"));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(-1, first_unsafe(r.out)) LOG_RUN(&r);
	want = fmt("{%s\"size\":%ld,", json, 2 * self->ps);
	EXPECT_NE(NULL, strstr(r.out, want)) LOG_RUN(&r);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "info", name));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(-1, first_unsafe(r.out)) LOG_RUN(&r);
	want = fmt("name:        %s", text);
	EXPECT_TRUE(has_line(r.out, want)) LOG_RUN(&r);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "info", "--json", name));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(-1, first_unsafe(r.out)) LOG_RUN(&r);
	want = fmt("{%s\"size\":%ld,", json, 2 * self->ps);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "pages", name));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(-1, first_unsafe(r.out)) LOG_RUN(&r);
	want = fmt("# %s: 2 pages of %ld bytes, pagefile-backed; pages 0-1\n", text, self->ps);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "pages", "--json", name));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(-1, first_unsafe(r.out)) LOG_RUN(&r);
	want = fmt("{%s\"page_size\":%ld,\"pages\":2,", json, self->ps);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	free(want);
	run_free(&r);

	/* Messages too: the name given is shown as escaped. */
	ASSERT_EQ(0, CLI(&r, "info", missing));
	EXPECT_EQ(1, r.status);
	EXPECT_EQ(-1, first_unsafe(r.err)) LOG_RUN(&r);
	want = fmt("sections: no section named '%s-no-" HOSTILE_TEXT "'\n", self->name);
	EXPECT_STREQ(want, r.err);
	free(want);
	run_free(&r);

	close(h);
	free(name);
	free(missing);
	free(text);
	free(base_hex);
	free(json);
}

/* Names that differ only in bytes that are not UTF-8 read alike in "name", not in "name_hex". */
TEST_F(cli, name_hex_tells_names_apart)
{
	char *a = fmt("%s-\xff", self->name), *b = fmt("%s-\xfe", self->name);
	char *base_hex = hex(self->name), *want;
	struct run r;
	int ha, hb;

	ha = make_pagefile(self, a, 1, 0, 0);
	hb = make_pagefile(self, b, 1, 0, 0);
	ASSERT_LE(0, ha);
	ASSERT_LE(0, hb);

	ASSERT_EQ(0, CLI(&r, "list", "--json"));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"%s-\\ufffd\",\"name_hex\":\"%s2dff\",", self->name, base_hex);
	EXPECT_NE(NULL, strstr(r.out, want)) LOG_RUN(&r);
	free(want);
	want = fmt("{\"name\":\"%s-\\ufffd\",\"name_hex\":\"%s2dfe\",", self->name, base_hex);
	EXPECT_NE(NULL, strstr(r.out, want)) LOG_RUN(&r);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "info", "--json", b));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"%s-\\ufffd\",\"name_hex\":\"%s2dfe\",", self->name, base_hex);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	free(want);
	run_free(&r);

	ASSERT_EQ(0, CLI(&r, "pages", "--json", a));
	EXPECT_EQ(0, r.status);
	want = fmt("{\"name\":\"%s-\\ufffd\",\"name_hex\":\"%s2dff\",", self->name, base_hex);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) LOG_RUN(&r);
	free(want);
	run_free(&r);

	/* In text they differ too. */
	ASSERT_EQ(0, CLI(&r, "info", a));
	want = fmt("name:        %s-\\377", self->name);
	EXPECT_TRUE(has_line(r.out, want)) LOG_RUN(&r);
	free(want);
	run_free(&r);

	close(ha);
	close(hb);
	free(a);
	free(b);
	free(base_hex);
}

TEST_HARNESS_MAIN

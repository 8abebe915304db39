// SPDX-License-Identifier: GPL-2.0
/*
 * Named sections: name rules, prefixes, create-or-open, open, the per IPC
 * namespace name table and names held by objects of another type.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "sections_test.h"

#define RO_ACCESS (SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_COPY)

FIXTURE(names) {
	int dev;
	long ps;
	char name[64];
};

FIXTURE_SETUP(names)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(self->name, sizeof(self->name), "n");
}

FIXTURE_TEARDOWN(names)
{
	close(self->dev);
}

/*
 * Query the name of a handle into buf, telling the module it has size bytes;
 * all cap bytes of buf are poisoned first. Returns the ioctl's result.
 */
static int query_name_cap(int h, char *buf, size_t cap, __u32 size, struct sections_info *info)
{
	memset(buf, POISON_BYTE, cap);
	memset(info, POISON_BYTE, sizeof(*info));
	info->name = (uintptr_t)buf;
	info->name_size = size;
	return ioctl(h, SECTIONS_IOC_QUERY, info);
}

#define query_name(h, buf, size, info) query_name_cap(h, buf, sizeof(buf), size, info)

/* A name of exactly len bytes: prefix, then the process-unique part, then 'n's. */
static void long_name(char *buf, const char *prefix, size_t len)
{
	size_t n;

	n = snprintf(buf, len + 1, "%sst-%d-", prefix, (int)getpid());
	memset(buf + n, 'n', len - n);
	buf[len] = 0;
}

TEST_F(names, max_length)
{
	char name[SECTIONS_NAME_MAX + 16], out[SECTIONS_NAME_MAX + 16];
	struct sections_info info;
	__u32 result = POISON32;
	int h;

	long_name(name, "", SECTIONS_NAME_MAX);
	h = sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, result);
	ASSERT_EQ(0, query_name(h, out, sizeof(out), &info));
	EXPECT_EQ(SECTIONS_NAME_MAX, info.name_len);
	EXPECT_EQ(0, memcmp(name, out, SECTIONS_NAME_MAX + 1));
	close(h);

	/* The prefix counts towards the limit; query reports the name without it. */
	long_name(name, "Local\\", SECTIONS_NAME_MAX);
	h = sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, query_name(h, out, sizeof(out), &info));
	EXPECT_EQ(SECTIONS_NAME_MAX - 6, info.name_len);
	EXPECT_STREQ(name + 6, out);
	close(h);
}

/*
 * A name of exactly len bytes after prefix: "s", the pid in hex and "x", then
 * 'n's, cut at len. Names shorter than that are not unique to the process;
 * the test checks that each create made a new section.
 */
static void sized_name(char *buf, size_t size, const char *prefix, size_t len)
{
	size_t plen = strlen(prefix), i;
	char seed[32];
	int n;

	n = snprintf(seed, sizeof(seed), "s%xx", (unsigned int)getpid());
	memcpy(buf, prefix, plen);
	for (i = 0; i < len && plen + i + 1 < size; i++)
		buf[plen + i] = i < (size_t)n ? seed[i] : 'n';
	buf[plen + i] = 0;
}

/*
 * Short names are kept in the name entry itself, longer ones apart: on either
 * side of that length, a name comes back whole from query and opens its own
 * section (with or without Local\), and a name one byte shorter, longer or
 * different does not.
 */
TEST_F(names, names_on_either_side_of_the_inline_length)
{
	static const size_t lens[] = { 1, 14, 15, 16, 17, 40 };
	static const char *const prefixes[] = { "", "Local\\", "Global\\" };
	char name[64], other[64], out[64];
	struct sections_info info;
	unsigned int i, j;
	__u32 result;
	char *a, *b;
	int h, o;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (j = 0; j < ARRAY_SIZE(prefixes); j++) {
			size_t plen = strlen(prefixes[j]), len = lens[i];

			sized_name(name, sizeof(name), prefixes[j], len);
			ASSERT_EQ(plen + len, strlen(name));
			h = sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, &result);
			ASSERT_LE(0, h) TH_LOG("create %s: %s", name, strerror(errno));
			ASSERT_EQ(0, result) TH_LOG("%s was already there", name);
			ASSERT_EQ(0, query_name(h, out, sizeof(out), &info));
			EXPECT_EQ(len, info.name_len);
			EXPECT_STREQ(name + plen, out);
			EXPECT_EQ(j == 2 ? SECTIONS_ATTR_GLOBAL_NAME : 0, info.attributes & SECTIONS_ATTR_GLOBAL_NAME);

			/* Local\x and x are one name. */
			if (j < 2)
				snprintf(other, sizeof(other), "%s%s", j ? "" : "Local\\", name + plen);
			else
				strcpy(other, name);
			o = sec_open(self->dev, other, SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE);
			ASSERT_LE(0, o) TH_LOG("open %s: %s", other, strerror(errno));
			a = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
			b = sec_map(o, self->ps, PROT_READ, MAP_SHARED, 0);
			ASSERT_NE(MAP_FAILED, a);
			ASSERT_NE(MAP_FAILED, b);
			a[0] = (char)(len + j);
			EXPECT_EQ((char)(len + j), b[0]);
			munmap(a, self->ps);
			munmap(b, self->ps);
			close(o);

			strcpy(other, name);
			other[plen + len - 1] ^= 0x20;
			EXPECT_EQ(ENOENT, sec_open_errno(self->dev, other)) TH_LOG("%s", other);
			snprintf(out, sizeof(out), "%sn", name);
			EXPECT_EQ(ENOENT, sec_open_errno(self->dev, out)) TH_LOG("%s", out);
			if (len > 1) {
				EXPECT_EQ(ENOENT, sec_open_len(self->dev, name, plen + len - 1,
							       SECTIONS_ACCESS_QUERY, 0) < 0 ? errno : 0);
			}
			/* A NUL or a backslash in the last byte is refused at either length. */
			other[plen + len - 1] = '\\';
			EXPECT_EQ(EINVAL, sec_open_errno(self->dev, other));
			other[plen + len - 1] = 0;
			EXPECT_EQ(-1, sec_open_len(self->dev, other, plen + len, SECTIONS_ACCESS_QUERY, 0));
			EXPECT_EQ(EINVAL, errno);
			close(h);
			EXPECT_EQ(ENOENT, sec_open_errno(self->dev, name));
		}
	}
}

/*
 * A name read across the end of the readable memory is EFAULT wherever it
 * stops: inside its prefix, just after it, or past a short or long name.
 */
TEST_F(names, name_running_into_unmapped_memory_is_efault)
{
	static const char *const names[] = {
		"Global\\abc", "Local\\abc", "Global\\a", "Local\\a", "Glo", "Global\\",
		"abcdefghijklmnopqrstuvwxyz",
	};
	struct sections_create_args args;
	char *page, *at;
	unsigned int i;
	size_t len;

	page = mmap(NULL, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, mprotect(page + self->ps, self->ps, PROT_NONE));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		len = strlen(names[i]);
		/* All but the last byte readable; the last in the hole. */
		at = page + self->ps - (len - 1);
		memcpy(at, names[i], len - 1);
		EXPECT_EQ(-1, sec_open_len(self->dev, at, len, SECTIONS_ACCESS_QUERY, 0));
		EXPECT_EQ(EFAULT, errno) TH_LOG("open %s", names[i]);
		sec_create_init(&args, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0);
		args.name = (uintptr_t)at;
		args.name_len = len;
		EXPECT_EQ(-1, sec_create_args(self->dev, &args));
		EXPECT_EQ(EFAULT, errno) TH_LOG("create %s", names[i]);
		/*
		 * The readable bytes alone are a name never created, or
		 * nothing but a prefix.
		 */
		EXPECT_EQ(-1, sec_open_len(self->dev, at, len - 1, SECTIONS_ACCESS_QUERY, 0));
		EXPECT_EQ(at[len - 2] == '\\' ? EINVAL : ENOENT, errno) TH_LOG("%s", names[i]);
	}
	munmap(page, 2 * self->ps);
}

TEST_F(names, too_long)
{
	char name[SECTIONS_NAME_MAX + 16];
	struct sections_create_args args;
	int h;

	long_name(name, "", SECTIONS_NAME_MAX + 1);
	h = sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, NULL);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, sec_open(self->dev, name, RO_ACCESS));
	EXPECT_EQ(ENAMETOOLONG, errno);

	long_name(name, "Global\\", SECTIONS_NAME_MAX + 1);
	EXPECT_EQ(-1, sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, NULL));
	EXPECT_EQ(ENAMETOOLONG, errno);

	/* A huge length is ENAMETOOLONG, not EFAULT. */
	sec_create_init(&args, self->ps, name, SECTIONS_PAGE_READWRITE, 0);
	args.name_len = 0xffffffff;
	EXPECT_EQ(-1, sec_create_args(self->dev, &args));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, sec_open_len(self->dev, name, 0xffffffff, RO_ACCESS, 0));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

/*
 * "Local\x" and "x" name one object, in the caller's own scope; "Global\x" is
 * another, in the namespace's global scope, and query tells them apart.
 */
TEST_F(names, prefixes_and_scopes)
{
	char global[80], local[80], out[80];
	struct sections_info info;
	__u32 result;
	int h1, h2, h3;
	char *p1, *p2, *p3;

	snprintf(global, sizeof(global), "Global\\%s", self->name);
	snprintf(local, sizeof(local), "Local\\%s", self->name);

	result = POISON32;
	h1 = sec_create(self->dev, self->ps, global, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h1);
	EXPECT_EQ(0, result);
	result = POISON32;
	h2 = sec_create(self->dev, self->ps, local, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h2);
	EXPECT_EQ(0, result);
	result = POISON32;
	h3 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h3);
	EXPECT_EQ(SECTIONS_CREATE_EXISTED, result);
	EXPECT_EQ(1, sec_query_field(h1, handles));
	EXPECT_EQ(2, sec_query_field(h2, handles));

	p1 = sec_map(h1, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p1);
	p2 = sec_map(h2, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p2);
	p3 = sec_map(h3, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p3);
	strcpy(p1, "through global");
	strcpy(p3, "through bare");
	EXPECT_STREQ("through bare", p2);
	EXPECT_STREQ("through global", p1);

	/* Query reports the name without its prefix, and the global scope as an attribute. */
	ASSERT_EQ(0, query_name(h1, out, sizeof(out), &info));
	EXPECT_EQ(strlen(self->name), info.name_len);
	EXPECT_STREQ(self->name, out);
	EXPECT_EQ(SECTIONS_ATTR_GLOBAL_NAME, info.attributes & SECTIONS_ATTR_GLOBAL_NAME);
	ASSERT_EQ(0, query_name(h2, out, sizeof(out), &info));
	EXPECT_STREQ(self->name, out);
	EXPECT_EQ(0, info.attributes & SECTIONS_ATTR_GLOBAL_NAME);

	/* Open finds each under its own spellings. */
	close(h3);
	h3 = sec_open(self->dev, global, RO_ACCESS);
	ASSERT_LE(0, h3);
	EXPECT_EQ(2, sec_query_field(h1, handles));
	close(h3);
	h3 = sec_open(self->dev, local, RO_ACCESS);
	ASSERT_LE(0, h3);
	EXPECT_EQ(2, sec_query_field(h2, handles));
	close(h3);
	h3 = sec_open(self->dev, self->name, RO_ACCESS);
	ASSERT_LE(0, h3);
	EXPECT_EQ(2, sec_query_field(h2, handles));
	close(h3);

	/* The global name goes with its last handle; the local one stays. */
	close(h1);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, global));
	h3 = sec_open(self->dev, local, RO_ACCESS);
	EXPECT_LE(0, h3);
	close(h3);

	munmap(p1, self->ps);
	munmap(p2, self->ps);
	munmap(p3, self->ps);
	close(h2);
}

/* SECTIONS_ATTR_GLOBAL_NAME is an output of query, never an input of create. */
TEST_F(names, global_attribute_is_not_an_input)
{
	int h;

	h = sec_create_full(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0,
			    SECTIONS_ATTR_GLOBAL_NAME, 0, 0, NULL);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
}

/* The name buffer of query: NUL-terminated when it fits, ERANGE when not. */
TEST_F(names, query_name_buffer)
{
	size_t len = strlen(self->name);
	struct sections_info info;
	char out[128];
	int h;

	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);

	ASSERT_EQ(0, query_name(h, out, len + 1, &info));
	EXPECT_EQ(len, info.name_len);
	EXPECT_EQ(0, memcmp(self->name, out, len + 1));
	EXPECT_EQ((char)POISON_BYTE, out[len + 1]);
	EXPECT_EQ(self->ps, info.size);

	EXPECT_EQ(-1, query_name(h, out, len, &info));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(len, info.name_len);

	EXPECT_EQ(-1, query_name(h, out, 1, &info));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(len, info.name_len);

	/* No buffer: the length only. */
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(len, info.name_len);

	memset(&info, 0, sizeof(info));
	info.name = (uintptr_t)unmapped_address();
	info.name_size = 64;
	EXPECT_EQ(-1, ioctl(h, SECTIONS_IOC_QUERY, &info));
	EXPECT_EQ(EFAULT, errno);
	close(h);

	/* An unnamed section has an empty name. */
	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(0, info.name_len);
	close(h);
}

TEST_F(names, case_sensitive)
{
	char lower[80], upper[80];
	__u32 r1 = POISON32, r2 = POISON32;
	char *p1, *p2;
	int h1, h2, h3;

	snprintf(lower, sizeof(lower), "%s-abc", self->name);
	snprintf(upper, sizeof(upper), "%s-ABC", self->name);
	h1 = sec_create(self->dev, self->ps, lower, SECTIONS_PAGE_READWRITE, 0, &r1);
	ASSERT_LE(0, h1);
	h2 = sec_create(self->dev, self->ps, upper, SECTIONS_PAGE_READWRITE, 0, &r2);
	ASSERT_LE(0, h2);
	EXPECT_EQ(0, r1);
	EXPECT_EQ(0, r2);

	p1 = sec_map(h1, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p1);
	p2 = sec_map(h2, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p2);
	p1[0] = 'a';
	EXPECT_EQ(0, p2[0]);
	EXPECT_EQ(1, sec_query_field(h1, handles));

	close(h2);
	/* Its only handle closed, "ABC" is gone; "abc" is not. */
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, upper));
	h3 = sec_open(self->dev, lower, RO_ACCESS);
	ASSERT_LE(0, h3);
	close(h3);

	munmap(p1, self->ps);
	munmap(p2, self->ps);
	close(h1);
}

struct bad_name {
	const char *name;
	size_t len;
};

#define BAD(s) { s, sizeof(s) - 1 }

static const struct bad_name bad_names[] = {
	BAD("a\\b"),
	BAD("Local\\"),
	BAD("Global\\"),
	BAD("Foo\\bar"),
	BAD("\\"),
	BAD("\\x"),
	BAD("x\\"),
	BAD("Local\\a\\b"),
	BAD("Local\\\\x"),
	BAD("Local\\Global\\x"),
	BAD("ab\0cd"),
	BAD("abc\0"),
	BAD("\0abc"),
	BAD("Local\\\0"),
	BAD("\0"),
};

TEST_F(names, invalid_names)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		struct sections_create_args args;
		int h;

		sec_create_init(&args, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0);
		args.name = (uintptr_t)bad_names[i].name;
		args.name_len = bad_names[i].len;
		h = sec_create_args(self->dev, &args);
		EXPECT_EQ(-1, h) TH_LOG("create, name #%u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("create, name #%u", i);
		if (h >= 0)
			close(h);

		h = sec_open_len(self->dev, bad_names[i].name, bad_names[i].len, RO_ACCESS, 0);
		EXPECT_EQ(-1, h) TH_LOG("open, name #%u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("open, name #%u", i);
		if (h >= 0)
			close(h);
	}
}

/* Anything but a backslash or a NUL is a name character. */
TEST_F(names, unusual_characters)
{
	static const char *const tails[] = { "a/b", "a b", "\xc3\xa9t\xc3\xa9", "\x01\x7f\xff", "." };
	char name[80];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tails); i++) {
		__u32 result = POISON32;
		int h, h2;

		snprintf(name, sizeof(name), "%s-%s", self->name, tails[i]);
		h = sec_create(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, &result);
		ASSERT_LE(0, h) TH_LOG("name #%u: %s", i, strerror(errno));
		EXPECT_EQ(0, result);
		h2 = sec_open(self->dev, name, RO_ACCESS);
		EXPECT_LE(0, h2) TH_LOG("name #%u: %s", i, strerror(errno));
		if (h2 >= 0)
			close(h2);
		close(h);
	}
}

/* Create on an existing name returns it and ignores size, protection and mode. */
TEST_F(names, create_existing_ignores_parameters)
{
	struct sections_info info;
	__u32 result;
	char *p1, *p2;
	int h1, h2;

	result = POISON32;
	h1 = sec_create_full(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, 0, 0,
			     0640, &result);
	ASSERT_LE(0, h1);
	EXPECT_EQ(0, result);

	result = POISON32;
	h2 = sec_create_full(self->dev, 10 * self->ps, self->name, SECTIONS_PAGE_EXECUTE_READ,
			     SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ,
			     SECTIONS_ATTR_NORESERVE, 0, 0604, &result);
	ASSERT_LE(0, h2);
	EXPECT_EQ(SECTIONS_CREATE_EXISTED, result);

	ASSERT_EQ(0, sec_query(h2, &info));
	EXPECT_EQ(self->ps, info.size);
	EXPECT_EQ(SECTIONS_PAGE_READWRITE, info.protection);
	EXPECT_EQ(0, info.attributes);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ, info.access);
	EXPECT_EQ(2, info.handles);

	/* The same pages, and no more of them than the first create asked for. */
	p1 = sec_map(h1, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p1);
	p2 = sec_map(h2, self->ps, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p2);
	p1[100] = 0x42;
	EXPECT_EQ(0x42, p2[100]);
	EXPECT_EQ(MAP_FAILED, sec_map(h2, 2 * self->ps, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(ENXIO, errno);
	munmap(p1, self->ps);
	munmap(p2, self->ps);
	close(h2);
	close(h1);
}

/* On an existing name, access 0 and the access check follow its protection. */
TEST_F(names, create_existing_access)
{
	__u32 result;
	int h1, h2;

	h1 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READONLY, 0, NULL);
	ASSERT_LE(0, h1);

	/* A writable request cannot get write access to a read-only section. */
	h2 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE,
			SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_WRITE, NULL);
	EXPECT_EQ(-1, h2);
	EXPECT_EQ(EACCES, errno);
	if (h2 >= 0)
		close(h2);

	result = POISON32;
	h2 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h2);
	EXPECT_EQ(SECTIONS_CREATE_EXISTED, result);
	EXPECT_EQ(RO_ACCESS, sec_query_field(h2, access));
	EXPECT_EQ(MAP_FAILED, sec_map(h2, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	close(h2);
	close(h1);
}

/* A failed create on an existing name does not take a handle. */
TEST_F(names, create_existing_failure_keeps_count)
{
	int h1, h2;

	h1 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READONLY, 0, NULL);
	ASSERT_LE(0, h1);
	h2 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE,
			SECTIONS_ACCESS_MAP_WRITE, NULL);
	EXPECT_EQ(-1, h2);
	EXPECT_EQ(1, sec_query_field(h1, handles));
	close(h1);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
}

TEST_F(names, open_unknown)
{
	char global[80];

	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
	snprintf(global, sizeof(global), "Global\\%s", self->name);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, global));
}

TEST_F(names, open_access)
{
	static const __u32 masks[] = {
		SECTIONS_ACCESS_QUERY,
		SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ,
		SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_WRITE | SECTIONS_ACCESS_EXTEND,
		SECTIONS_ACCESS_ALL,
	};
	unsigned int i;
	int h, h2;

	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_EXECUTE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		h2 = sec_open(self->dev, self->name, masks[i]);
		ASSERT_LE(0, h2) TH_LOG("access %#x: %s", masks[i], strerror(errno));
		EXPECT_EQ(masks[i], sec_query_field(h2, access));
		EXPECT_EQ(0, fd_cloexec(h2));
		close(h2);
	}

	h2 = sec_open_len(self->dev, self->name, strlen(self->name), SECTIONS_ACCESS_QUERY,
			  SECTIONS_HANDLE_CLOEXEC);
	ASSERT_LE(0, h2);
	EXPECT_EQ(1, fd_cloexec(h2));
	close(h2);

	/* Without QUERY a handle cannot be queried, but it is a handle. */
	h2 = sec_open(self->dev, self->name, SECTIONS_ACCESS_MAP_READ);
	ASSERT_LE(0, h2);
	EXPECT_EQ(2, sec_query_field(h, handles));
	close(h2);
	close(h);
}

TEST_F(names, open_access_zero)
{
	int h, h2;

	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	h2 = sec_open(self->dev, self->name, 0);
	EXPECT_EQ(-1, h2);
	EXPECT_EQ(EINVAL, errno);
	if (h2 >= 0)
		close(h2);
	close(h);
}

TEST_F(names, open_access_beyond_protection)
{
	static const struct { __u32 protection, access; } cases[] = {
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_MAP_WRITE },
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_EXTEND },
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_MAP_EXECUTE },
		{ SECTIONS_PAGE_READWRITE, SECTIONS_ACCESS_MAP_EXECUTE },
		{ SECTIONS_PAGE_WRITECOPY, SECTIONS_ACCESS_MAP_WRITE | SECTIONS_ACCESS_MAP_READ },
		{ SECTIONS_PAGE_EXECUTE_READ, SECTIONS_ACCESS_MAP_WRITE },
		{ SECTIONS_PAGE_EXECUTE_WRITECOPY, SECTIONS_ACCESS_EXTEND },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char name[80];
		int h, h2;

		snprintf(name, sizeof(name), "%s-%u", self->name, i);
		h = sec_create(self->dev, self->ps, name, cases[i].protection, 0, NULL);
		ASSERT_LE(0, h);
		h2 = sec_open(self->dev, name, cases[i].access);
		EXPECT_EQ(-1, h2) TH_LOG("protection %#x access %#x",
					 cases[i].protection, cases[i].access);
		EXPECT_EQ(EACCES, errno) TH_LOG("protection %#x access %#x",
						cases[i].protection, cases[i].access);
		if (h2 >= 0)
			close(h2);
		close(h);
	}
}

TEST_F(names, open_bad_arguments)
{
	struct sections_open_args args;
	int h;

	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);

	memset(&args, 0, sizeof(args));
	args.name = (uintptr_t)self->name;
	args.name_len = strlen(self->name);
	args.access = SECTIONS_ACCESS_QUERY;

	args.flags = SECTIONS_DUP_SAME_ACCESS;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	args.flags = SECTIONS_CREATE_FILE;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	args.flags = 0x80000000;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	args.flags = 0;

	args.pad = 1;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	args.pad = 0;

	args.access = SECTIONS_ACCESS_QUERY | 0x40;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	args.access = SECTIONS_ACCESS_QUERY;

	args.name_len = 0;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);
	args.name = 0;
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EINVAL, errno);

	args.name = (uintptr_t)unmapped_address();
	args.name_len = strlen(self->name);
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, &args));
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* None of these took a handle. */
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);
}

/* Data written through the creator's view is seen through an opener's view. */
TEST_F(names, open_shares_pages)
{
	char *p1, *p2;
	int h1, h2;

	h1 = sec_create(self->dev, 2 * self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h1);
	p1 = sec_map(h1, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p1);
	strcpy(p1 + self->ps, "written before open");

	h2 = sec_open(self->dev, self->name, SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE);
	ASSERT_LE(0, h2);
	p2 = sec_map(h2, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p2);
	EXPECT_STREQ("written before open", p2 + self->ps);
	strcpy(p2, "written by the opener");
	EXPECT_STREQ("written by the opener", p1);

	munmap(p1, 2 * self->ps);
	munmap(p2, 2 * self->ps);
	close(h1);
	close(h2);
}

/* Names live in the IPC namespace of the caller. */
TEST_F(names, ipc_namespace)
{
	char global[80], later[80];
	struct lockstep ls;
	char *p;
	pid_t pid;
	int h, h3;

	snprintf(global, sizeof(global), "Global\\%s", self->name);
	snprintf(later, sizeof(later), "%s-later", self->name);
	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x11;
	ASSERT_EQ(0, lockstep_init(&ls));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 result = POISON32;
		char *q;
		int h2;

		CHILD_CHECK(unshare(CLONE_NEWIPC) == 0);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->name, RO_ACCESS));
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, global, RO_ACCESS));
		h2 = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0,
				&result);
		CHILD_CHECK(h2 >= 0);
		CHILD_CHECK(result == 0);
		CHILD_CHECK(sec_query_field(h2, handles) == 1);
		q = sec_map(h2, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CHILD_CHECK(q != MAP_FAILED);
		CHILD_CHECK(q[0] == 0);
		q[0] = 0x22;
		/* The parent still sees its own object only. */
		CHILD_CHECK(p[0] == 0x11);
		CHILD_CHECK(child_post(&ls, 'c') == 0);
		CHILD_CHECK(child_wait(&ls) == 'p');
		/* A name the parent created later is not here either. */
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, later, RO_ACCESS));
		_exit(0);
	}
	ASSERT_EQ('c', parent_wait(&ls));
	EXPECT_EQ(0x11, p[0]);
	EXPECT_EQ(1, sec_query_field(h, handles));
	h3 = sec_create(self->dev, self->ps, later, SECTIONS_PAGE_READWRITE, 0, NULL);
	EXPECT_LE(0, h3);
	EXPECT_EQ(0, parent_post(&ls, 'p'));
	EXPECT_EQ(0, wait_child(pid));
	if (h3 >= 0)
		close(h3);
	munmap(p, self->ps);
	close(h);
}

/* ---- names held by objects of another type (the reserve_name test hook) ---- */

static int open_reserve(void)
{
	struct stat st;

	if (stat("/sys/kernel/debug/sections", &st) && errno == ENOENT)
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return open(SECTIONS_RESERVE_NAME, O_WRONLY | O_CLOEXEC);
}

/* Hold name with a placeholder object: returns the fd that holds it, or -1. */
static int reserve_name(const char *name)
{
	ssize_t len = strlen(name);
	int fd = open_reserve();

	if (fd < 0)
		return -1;
	if (write(fd, name, len) != len) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

FIXTURE(typed) {
	int dev;
	long ps;
	char name[64];
};

FIXTURE_SETUP(typed)
{
	int fd;

	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev);
	uniq_name(self->name, sizeof(self->name), "typed");
	fd = open_reserve();
	if (fd < 0 && access("/sys/kernel/debug", F_OK))
		SKIP(return, "no debugfs at /sys/kernel/debug");
	ASSERT_LE(0, fd) TH_LOG("%s: %s", SECTIONS_RESERVE_NAME, strerror(errno));
	close(fd);
}

FIXTURE_TEARDOWN(typed)
{
	close(self->dev);
}

TEST_F(typed, other_type_is_emediumtype)
{
	char global[80], local[80];
	__u32 result;
	int r, h;

	snprintf(global, sizeof(global), "Global\\%s", self->name);
	snprintf(local, sizeof(local), "Local\\%s", self->name);
	r = reserve_name(self->name);
	ASSERT_LE(0, r) TH_LOG("reserve: %s", strerror(errno));

	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EMEDIUMTYPE, errno);
	h = sec_create(self->dev, self->ps, local, SECTIONS_PAGE_READWRITE, 0, NULL);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EMEDIUMTYPE, errno);
	/* The global scope is another: its name is free. */
	h = sec_create(self->dev, self->ps, global, SECTIONS_PAGE_READWRITE, 0, NULL);
	EXPECT_LE(0, h);
	close(h);
	h = sec_open(self->dev, self->name, RO_ACCESS);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EMEDIUMTYPE, errno);
	h = sec_open(self->dev, local, RO_ACCESS);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EMEDIUMTYPE, errno);

	/* Once the placeholder goes, the name is free. */
	close(r);
	EXPECT_EQ(ENOENT, sec_open_errno(self->dev, self->name));
	result = POISON32;
	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, &result);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, result);
	close(h);
}

TEST_F(typed, reserve_taken_name)
{
	int r, r2, h;

	r = reserve_name(self->name);
	ASSERT_LE(0, r);
	r2 = reserve_name(self->name);
	EXPECT_EQ(-1, r2);
	EXPECT_EQ(EEXIST, errno);
	if (r2 >= 0)
		close(r2);
	close(r);

	/* A name held by a section cannot be taken by another type either. */
	h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	r2 = reserve_name(self->name);
	EXPECT_EQ(-1, r2);
	EXPECT_EQ(EEXIST, errno);
	if (r2 >= 0)
		close(r2);
	/* And the section is untouched by the attempt. */
	EXPECT_EQ(1, sec_query_field(h, handles));
	close(h);

	/* After the section's last handle, the placeholder can have it. */
	r2 = reserve_name(self->name);
	EXPECT_LE(0, r2);
	if (r2 >= 0)
		close(r2);
}

/* The placeholder lives in the writer's IPC namespace. */
TEST_F(typed, reserve_per_namespace)
{
	pid_t pid;
	int r;

	r = reserve_name(self->name);
	ASSERT_LE(0, r);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 result = POISON32;
		int h, r2;

		CHILD_CHECK(unshare(CLONE_NEWIPC) == 0);
		CHILD_CHECK_ERR(ENOENT, sec_open(self->dev, self->name, RO_ACCESS));
		h = sec_create(self->dev, self->ps, self->name, SECTIONS_PAGE_READWRITE, 0,
			       &result);
		CHILD_CHECK(h >= 0);
		CHILD_CHECK(result == 0);
		close(h);
		/* A placeholder written here holds the name here only. */
		r2 = reserve_name("child-only");
		CHILD_CHECK(r2 >= 0);
		CHILD_CHECK_ERR(EMEDIUMTYPE, sec_open(self->dev, "child-only", RO_ACCESS));
		close(r2);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	/* Still held here. */
	EXPECT_EQ(-1, sec_open(self->dev, self->name, RO_ACCESS));
	EXPECT_EQ(EMEDIUMTYPE, errno);
	close(r);
}

TEST_HARNESS_MAIN

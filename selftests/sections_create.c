// SPDX-License-Identifier: GPL-2.0
/*
 * Creating pagefile-backed sections: the handle, size rounding, the commit
 * limit, protections, access masks and argument validation.
 */
#define _GNU_SOURCE
#include "sections_test.h"

#include <sys/file.h>
#include <sys/stat.h>

static const __u32 all_protections[] = {
	SECTIONS_PAGE_READONLY,
	SECTIONS_PAGE_READWRITE,
	SECTIONS_PAGE_WRITECOPY,
	SECTIONS_PAGE_EXECUTE_READ,
	SECTIONS_PAGE_EXECUTE_READWRITE,
	SECTIONS_PAGE_EXECUTE_WRITECOPY,
};

#define TIB (1ULL << 40)

FIXTURE(create) {
	int dev;
	long ps;
};

FIXTURE_SETUP(create)
{
	self->ps = page_size();
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(create)
{
	close(self->dev);
}

/* The handle is the ioctl's return value: a new, valid descriptor. */
TEST_F(create, returns_fd)
{
	struct sections_create_args args;
	struct sections_info info;
	int h, h2;

	sec_create_init(&args, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0);
	args.result = 0;
	h = sec_create_args(self->dev, &args);
	ASSERT_LE(0, h);
	EXPECT_NE(self->dev, h);
	EXPECT_LE(0, fcntl(h, F_GETFD));
	EXPECT_EQ(0, args.result);

	h2 = sec_create_args(self->dev, &args);
	ASSERT_LE(0, h2);
	EXPECT_NE(h, h2);

	/* Two unnamed sections are two objects: one handle each. */
	EXPECT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(1, info.handles);
	close(h2);
	close(h);
}

/* Query writes every field of a fresh unnamed section. */
TEST_F(create, query_fields)
{
	struct sections_info info;
	int h;

	h = sec_create(self->dev, 3 * self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(3 * self->ps, info.size);
	EXPECT_EQ(0, info.name_len);
	EXPECT_EQ(SECTIONS_PAGE_READWRITE, info.protection);
	EXPECT_EQ(0, info.attributes);
	EXPECT_EQ(SECTIONS_BACKING_PAGEFILE, info.backing);
	EXPECT_EQ(SECTIONS_ACCESS_ALL & ~SECTIONS_ACCESS_MAP_EXECUTE, info.access);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(0, info.views);
	EXPECT_EQ(0, info.write_error);
	close(h);
}

/* A new section reads as zeros, through every kind of view. */
TEST_F(create, pages_read_zero)
{
	size_t len = 4 * self->ps, i;
	unsigned char *p, *q;
	int h, bad = 0;

	h = sec_create(self->dev, len, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = sec_map(h, len, PROT_READ, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, q);
	for (i = 0; i < len; i++)
		bad += p[i] != 0 || q[i] != 0;
	EXPECT_EQ(0, bad);
	munmap(p, len);
	munmap(q, len);
	close(h);

	/* A read-only section too: nobody can ever write it. */
	h = sec_create(self->dev, len, NULL, SECTIONS_PAGE_READONLY, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0, bad = 0; i < len; i++)
		bad += p[i] != 0;
	EXPECT_EQ(0, bad);
	munmap(p, len);
	close(h);
}

/* The size is rounded up to whole pages. */
TEST_F(create, size_rounded_to_pages)
{
	static const struct { long mul; long add; long pages; } cases[] = {
		{ 0, 1, 1 }, { 1, -1, 1 }, { 1, 0, 1 }, { 1, 1, 2 }, { 5, 17, 6 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		__u64 size = cases[i].mul * self->ps + cases[i].add;
		int h = sec_create(self->dev, size, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);

		ASSERT_LE(0, h) TH_LOG("size %llu", (unsigned long long)size);
		EXPECT_EQ(cases[i].pages * self->ps, sec_query_field(h, size))
			TH_LOG("size %llu", (unsigned long long)size);
		close(h);
	}
}

/* The whole rounded size can be mapped, one page more cannot. */
TEST_F(create, rounded_size_mappable)
{
	char *p;
	int h;

	h = sec_create(self->dev, self->ps + 1, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	p = sec_map(h, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[2 * self->ps - 1] = 7;
	EXPECT_EQ(7, p[2 * self->ps - 1]);
	munmap(p, 2 * self->ps);
	EXPECT_EQ(MAP_FAILED, sec_map(h, 3 * self->ps, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(ENXIO, errno);
	close(h);
}

TEST_F(create, size_zero)
{
	int h = sec_create(self->dev, 0, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);

	EXPECT_EQ(-1, h);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(create, size_too_big)
{
	static const __u64 sizes[] = {
		SECTIONS_SIZE_MAX + 1, SECTIONS_SIZE_MAX + 4096, SECTIONS_SIZE_MAX * 2,
		1ULL << 63, ~0ULL, ~0ULL - 4095,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		int h = sec_create_full(self->dev, sizes[i], NULL, SECTIONS_PAGE_READWRITE, 0,
					SECTIONS_ATTR_NORESERVE, 0, 0, NULL);

		EXPECT_EQ(-1, h) TH_LOG("size %#llx", (unsigned long long)sizes[i]);
		EXPECT_EQ(EFBIG, errno) TH_LOG("size %#llx", (unsigned long long)sizes[i]);
		if (h >= 0)
			close(h);
	}
	/* Without NORESERVE, too big is still EFBIG, not ENOMEM. */
	EXPECT_EQ(-1, sec_create(self->dev, SECTIONS_SIZE_MAX + 1, NULL,
				 SECTIONS_PAGE_READWRITE, 0, NULL));
	EXPECT_EQ(EFBIG, errno);
}

/* SECTIONS_SIZE_MAX itself is allowed (with NORESERVE). */
TEST_F(create, size_max)
{
	int h = sec_create_full(self->dev, SECTIONS_SIZE_MAX, NULL, SECTIONS_PAGE_READWRITE, 0,
				SECTIONS_ATTR_NORESERVE, 0, 0, NULL);

	ASSERT_LE(0, h);
	EXPECT_EQ(SECTIONS_SIZE_MAX, sec_query_field(h, size));
	close(h);
}

/* 32 TiB cannot be committed in a guest of a few GiB; reserved it can. */
TEST_F(create, commit_limit)
{
	struct sections_info info;
	char *p;
	int h;

	h = sec_create(self->dev, 32 * TIB, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(ENOMEM, errno);
	if (h >= 0)
		close(h);

	h = sec_create_full(self->dev, 32 * TIB, NULL, SECTIONS_PAGE_READWRITE, 0,
			    SECTIONS_ATTR_NORESERVE, 0, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, sec_query(h, &info));
	EXPECT_EQ(32 * TIB, info.size);
	EXPECT_EQ(SECTIONS_ATTR_NORESERVE, info.attributes);

	/* Its last page works like any other. */
	p = sec_map(h, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 32 * TIB - self->ps);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[0]);
	p[0] = 42;
	EXPECT_EQ(42, p[0]);
	munmap(p, self->ps);
	close(h);
}

/* Each of the six protections is accepted and reported back. */
TEST_F(create, protections_valid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all_protections); i++) {
		int h = sec_create(self->dev, self->ps, NULL, all_protections[i], 0, NULL);

		ASSERT_LE(0, h) TH_LOG("protection %#x: %s", all_protections[i], strerror(errno));
		EXPECT_EQ(all_protections[i], sec_query_field(h, protection));
		close(h);
	}
}

TEST_F(create, protections_invalid)
{
	static const __u32 bad[] = {
		0, 0x01, 0x06, 0x10, 0x22, 0x44, 0x0a, 0x100, 0x200, 0x400, 0x104,
		0x80000004, 0xffffffff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int h = sec_create(self->dev, self->ps, NULL, bad[i], 0, NULL);

		EXPECT_EQ(-1, h) TH_LOG("protection %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("protection %#x", bad[i]);
		if (h >= 0)
			close(h);
	}
}

TEST_F(create, unknown_flags)
{
	static const __u32 bad[] = {
		SECTIONS_DUP_SAME_ACCESS, 0x08, 0x80, 0x80000000, 0xffffffff,
		SECTIONS_HANDLE_CLOEXEC | 0x10,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int h = sec_create_full(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0,
					0, bad[i], 0, NULL);

		EXPECT_EQ(-1, h) TH_LOG("flags %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags %#x", bad[i]);
		if (h >= 0)
			close(h);
	}
}

TEST_F(create, unknown_attributes)
{
	static const __u32 bad[] = { 0x02, 0x04, 0x80000000, 0xffffffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int h = sec_create_full(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0,
					bad[i], 0, 0, NULL);

		EXPECT_EQ(-1, h) TH_LOG("attributes %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("attributes %#x", bad[i]);
		if (h >= 0)
			close(h);
	}
}

/* Unknown access bits are EINVAL even where the protection would allow all. */
TEST_F(create, unknown_access)
{
	static const __u32 bad[] = {
		0x40, 0x80, SECTIONS_ACCESS_ALL | 0x40, 0x80000000, 0xffffffff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_EXECUTE_READWRITE,
				   bad[i], NULL);

		EXPECT_EQ(-1, h) TH_LOG("access %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("access %#x", bad[i]);
		if (h >= 0)
			close(h);
	}
}

/* fd is for file-backed sections only: without SECTIONS_CREATE_FILE it must be 0. */
TEST_F(create, fd_without_file_flag)
{
	struct sections_create_args args;
	int h;

	sec_create_init(&args, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0);
	args.fd = 1;
	h = sec_create_args(self->dev, &args);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EINVAL, errno);

	args.fd = 0x80000000;
	h = sec_create_args(self->dev, &args);
	EXPECT_EQ(-1, h);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(create, mode_too_big)
{
	static const __u32 bad[] = { 01000, 01777, 02600, 04600, 07777, 0x10000, 0xffffffff };
	char name[64];
	unsigned int i;
	int h;

	uniq_name(name, sizeof(name), "mode");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		h = sec_create_full(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0,
				    0, 0, bad[i], NULL);
		EXPECT_EQ(-1, h) TH_LOG("mode %#o", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("mode %#o", bad[i]);
		if (h >= 0)
			close(h);
	}
	/* 0777 itself is fine. */
	h = sec_create_full(self->dev, self->ps, name, SECTIONS_PAGE_READWRITE, 0, 0, 0, 0777,
			    NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(0777, sec_query_field(h, mode));
	close(h);
}

TEST_F(create, bad_args_pointer)
{
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_CREATE, unmapped_address()));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(create, bad_name_pointer)
{
	struct sections_create_args args;
	char *p;

	sec_create_init(&args, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0);
	args.name = (uintptr_t)unmapped_address();
	args.name_len = 8;
	EXPECT_EQ(-1, sec_create_args(self->dev, &args));
	EXPECT_EQ(EFAULT, errno);

	/* A name that runs off the end of mapped memory. */
	p = mmap(NULL, 2 * self->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + self->ps, self->ps));
	memset(p, 'x', self->ps);
	args.name = (uintptr_t)(p + self->ps - 4);
	args.name_len = 8;
	EXPECT_EQ(-1, sec_create_args(self->dev, &args));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, self->ps);
}

TEST_F(create, cloexec)
{
	int h;

	h = sec_create_full(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, 0,
			    SECTIONS_HANDLE_CLOEXEC, 0, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(1, fd_cloexec(h));
	close(h);

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, fd_cloexec(h));
	close(h);
}

/* Asking for a right the protection does not allow is EACCES. */
TEST_F(create, access_beyond_protection)
{
	static const struct { __u32 protection, access; } cases[] = {
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_MAP_WRITE },
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_EXTEND },
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_MAP_EXECUTE },
		{ SECTIONS_PAGE_READONLY, SECTIONS_ACCESS_ALL },
		{ SECTIONS_PAGE_READWRITE, SECTIONS_ACCESS_MAP_EXECUTE },
		{ SECTIONS_PAGE_WRITECOPY, SECTIONS_ACCESS_MAP_WRITE },
		{ SECTIONS_PAGE_WRITECOPY, SECTIONS_ACCESS_EXTEND },
		{ SECTIONS_PAGE_EXECUTE_READ, SECTIONS_ACCESS_MAP_WRITE },
		{ SECTIONS_PAGE_EXECUTE_READ, SECTIONS_ACCESS_EXTEND },
		{ SECTIONS_PAGE_EXECUTE_WRITECOPY, SECTIONS_ACCESS_MAP_WRITE },
		{ SECTIONS_PAGE_EXECUTE_WRITECOPY, SECTIONS_ACCESS_QUERY |
						   SECTIONS_ACCESS_EXTEND },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int h = sec_create(self->dev, self->ps, NULL, cases[i].protection,
				   cases[i].access, NULL);

		EXPECT_EQ(-1, h) TH_LOG("protection %#x access %#x",
					cases[i].protection, cases[i].access);
		EXPECT_EQ(EACCES, errno) TH_LOG("protection %#x access %#x",
						cases[i].protection, cases[i].access);
		if (h >= 0)
			close(h);
	}
}

/* An explicit access mask is what the handle gets. */
TEST_F(create, explicit_access)
{
	static const __u32 masks[] = {
		SECTIONS_ACCESS_QUERY,
		SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ,
		SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_WRITE,
		SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_COPY | SECTIONS_ACCESS_EXTEND,
		SECTIONS_ACCESS_ALL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		int h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_EXECUTE_READWRITE,
				   masks[i], NULL);

		ASSERT_LE(0, h) TH_LOG("access %#x", masks[i]);
		EXPECT_EQ(masks[i], sec_query_field(h, access)) TH_LOG("access %#x", masks[i]);
		close(h);
	}
}

/* Access 0 gives every right the protection allows. */
FIXTURE(default_access) {
	int dev;
};

FIXTURE_VARIANT(default_access) {
	__u32 protection;
	__u32 access;
};

#define Q SECTIONS_ACCESS_QUERY
#define R SECTIONS_ACCESS_MAP_READ
#define W SECTIONS_ACCESS_MAP_WRITE
#define X SECTIONS_ACCESS_MAP_EXECUTE
#define C SECTIONS_ACCESS_MAP_COPY
#define E SECTIONS_ACCESS_EXTEND

FIXTURE_VARIANT_ADD(default_access, readonly) {
	.protection = SECTIONS_PAGE_READONLY, .access = Q | R | C,
};
FIXTURE_VARIANT_ADD(default_access, readwrite) {
	.protection = SECTIONS_PAGE_READWRITE, .access = Q | R | W | C | E,
};
FIXTURE_VARIANT_ADD(default_access, writecopy) {
	.protection = SECTIONS_PAGE_WRITECOPY, .access = Q | R | C,
};
FIXTURE_VARIANT_ADD(default_access, execute_read) {
	.protection = SECTIONS_PAGE_EXECUTE_READ, .access = Q | R | C | X,
};
FIXTURE_VARIANT_ADD(default_access, execute_readwrite) {
	.protection = SECTIONS_PAGE_EXECUTE_READWRITE, .access = SECTIONS_ACCESS_ALL,
};
FIXTURE_VARIANT_ADD(default_access, execute_writecopy) {
	.protection = SECTIONS_PAGE_EXECUTE_WRITECOPY, .access = Q | R | C | X,
};

FIXTURE_SETUP(default_access)
{
	self->dev = sections_open_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(default_access)
{
	close(self->dev);
}

TEST_F(default_access, access_zero)
{
	int h = sec_create(self->dev, page_size(), NULL, variant->protection, 0, NULL);

	ASSERT_LE(0, h);
	EXPECT_EQ(variant->access, sec_query_field(h, access));
	close(h);
}

/* Exactly the default set can also be asked for explicitly. */
TEST_F(default_access, access_explicit_max)
{
	int h = sec_create(self->dev, page_size(), NULL, variant->protection, variant->access,
			   NULL);

	ASSERT_LE(0, h);
	EXPECT_EQ(variant->access, sec_query_field(h, access));
	close(h);
}

/* One right above the default set is refused. */
TEST_F(default_access, access_one_more)
{
	__u32 extra = SECTIONS_ACCESS_ALL & ~variant->access;
	unsigned int bit;

	for (bit = 1; bit & SECTIONS_ACCESS_ALL; bit <<= 1) {
		int h;

		if (!(extra & bit))
			continue;
		h = sec_create(self->dev, page_size(), NULL, variant->protection,
			       variant->access | bit, NULL);
		EXPECT_EQ(-1, h) TH_LOG("extra access %#x", bit);
		EXPECT_EQ(EACCES, errno) TH_LOG("extra access %#x", bit);
		if (h >= 0)
			close(h);
	}
}

#undef Q
#undef R
#undef W
#undef X
#undef C
#undef E

/* Unknown ioctls are ENOTTY, and each ioctl works only on its own kind of fd. */
TEST_F(create, unknown_ioctl)
{
	struct sections_create_args args;
	struct sections_info info;
	__u64 addr = 0;
	int h;

	h = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);

	EXPECT_EQ(-1, ioctl(self->dev, _IO(SECTIONS_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(h, _IO(SECTIONS_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->dev, _IO('T', 0x01)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(h, _IOR(SECTIONS_IOC_MAGIC, 0x00, struct sections_create_args)));
	EXPECT_EQ(ENOTTY, errno);

	/* Handle ioctls on the device. */
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-1, ioctl(self->dev, SECTIONS_IOC_QUERY, &info));
	EXPECT_EQ(ENOTTY, errno);
	/* Device ioctls on a handle. */
	sec_create_init(&args, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0);
	EXPECT_EQ(-1, ioctl(h, SECTIONS_IOC_CREATE, &args));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(h, SECTIONS_IOC_UNMAP_VIEW, &addr));
	EXPECT_EQ(ENOTTY, errno);
	close(h);
}

/*
 * fstat() of a handle gives the section's size, even for a handle that may
 * not query (MapViewOfFile maps a whole section through it); a handle has
 * no locks: all handles share one inode, and a lock must not reach others.
 */
TEST_F(create, handle_fstat_size_and_no_locks)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st;
	int h, q, h2;

	h = sec_create(self->dev, 3 * self->ps + 1, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h);
	h2 = sec_create(self->dev, self->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, h2);
	q = sec_dup(h, SECTIONS_ACCESS_MAP_READ, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, fstat(q, &st));
	EXPECT_EQ(4 * self->ps, st.st_size);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(0, fstat(h2, &st));
	EXPECT_EQ(self->ps, st.st_size);

	EXPECT_EQ(-1, flock(h, LOCK_EX | LOCK_NB));
	EXPECT_EQ(ENOLCK, errno);
	EXPECT_EQ(-1, fcntl(h, F_SETLK, &fl));
	EXPECT_EQ(ENOLCK, errno);
	/* Another section's handle is not blocked by anything the first tried. */
	EXPECT_EQ(-1, flock(h2, LOCK_EX | LOCK_NB));
	EXPECT_EQ(ENOLCK, errno);
	close(q);
	close(h2);
	close(h);
}

TEST_HARNESS_MAIN

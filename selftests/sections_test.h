/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the sections selftests: raw ioctl wrappers that return
 * what the ioctl returns (a handle, 0, or -1 with errno set), and helpers to
 * run code in forked children.
 *
 * Code that runs in a forked child never uses EXPECT_*() or ASSERT_*(): it
 * checks with CHILD_CHECK(), which prints what failed and exits with status 1,
 * and the parent checks the child's exit status.
 */
#ifndef SECTIONS_TEST_H
#define SECTIONS_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sections.h>

#include "kselftest_harness.h"

#define SECTIONS_DEV		"/dev/sections"
#define SECTIONS_PROC		"/proc/sections"
#define SECTIONS_RESERVE_NAME	"/sys/kernel/debug/sections/reserve_name"

/* The unprivileged user and group the access tests drop to. */
#define NOBODY			65534

/* Poison for output buffers, to catch fields the module did not write. */
#define POISON_BYTE		0xcc
#define POISON32		0xccccccccU

static inline long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static inline int sections_open_dev(void)
{
	return open(SECTIONS_DEV, O_RDWR | O_CLOEXEC);
}

/* An address where nothing is mapped (for EFAULT tests). */
static inline void *unmapped_address(void)
{
	long ps = page_size();
	void *p = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)8;
	munmap(p, ps);
	return p;
}

/* A section name unique to the calling process: "st-PID-TAG". */
static inline const char *uniq_name(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "st-%d-%s", (int)getpid(), tag);
	return buf;
}

/*
 * A name in the Global\ scope unique to the calling process: "Global\st-PID-TAG".
 * Tests that open one user's section as another user use these: a plain
 * name is in its creator's own scope.
 */
static inline const char *global_name(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "Global\\st-%d-%s", (int)getpid(), tag);
	return buf;
}

/* The name of global_name() without its prefix: the same name in the caller's scope. */
static inline const char *local_part(const char *name)
{
	return strncmp(name, "Global\\", 7) ? name : name + 7;
}

#define GLOBAL_GROUP_PARAM	"/sys/module/sections/parameters/global_group"

/* Set the module parameter global_group (-1: none); the tests run as root. */
static inline int set_global_group(int gid)
{
	FILE *f = fopen(GLOBAL_GROUP_PARAM, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%d\n", gid) < 0;
	return fclose(f) || ret ? -1 : 0;
}

#define FAULT_AROUND_PARAM	"/sys/module/sections/parameters/fault_around"

/*
 * Pages the kernel's fault-around maps at most (debugfs fault_around_bytes),
 * or 16, its default, when debugfs cannot tell.
 */
static inline long kernel_fault_around_pages(void)
{
	FILE *f = fopen("/sys/kernel/debug/fault_around_bytes", "r");
	long bytes = 16 * sysconf(_SC_PAGESIZE);

	if (f) {
		if (fscanf(f, "%ld", &bytes) != 1)
			bytes = 16 * sysconf(_SC_PAGESIZE);
		fclose(f);
	}
	return bytes / sysconf(_SC_PAGESIZE);
}

/*
 * Set the module parameter fault_around (0 or 1); the tests run as root.
 * Fixtures that set it put it back in their setup too: a teardown does not
 * run when the harness kills a test that timed out.
 */
static inline int set_fault_around(int on)
{
	FILE *f = fopen(FAULT_AROUND_PARAM, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%d\n", on) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* Fill in create arguments; name may be NULL for an unnamed section. */
static inline void sec_create_init(struct sections_create_args *args, __u64 size,
				   const char *name, __u32 protection, __u32 access)
{
	memset(args, 0, sizeof(*args));
	args->size = size;
	args->name = (uintptr_t)name;
	args->name_len = name ? strlen(name) : 0;
	args->protection = protection;
	args->access = access;
}

static inline int sec_create_args(int dev, struct sections_create_args *args)
{
	return ioctl(dev, SECTIONS_IOC_CREATE, args);
}

/*
 * Create (or open) a section. Returns the handle or -1 with errno; stores the
 * result field in *result when result is not NULL.
 */
static inline int sec_create_full(int dev, __u64 size, const char *name, __u32 protection,
				  __u32 access, __u32 attributes, __u32 flags, __u32 mode,
				  __u32 *result)
{
	struct sections_create_args args;
	int ret;

	sec_create_init(&args, size, name, protection, access);
	args.attributes = attributes;
	args.flags = flags;
	args.mode = mode;
	args.result = 0;
	ret = sec_create_args(dev, &args);
	if (result)
		*result = args.result;
	return ret;
}

static inline int sec_create(int dev, __u64 size, const char *name, __u32 protection,
			     __u32 access, __u32 *result)
{
	return sec_create_full(dev, size, name, protection, access, 0, 0, 0, result);
}

/* Open by name with an explicit length (names may hold NUL bytes). */
static inline int sec_open_len(int dev, const void *name, __u32 name_len, __u32 access,
			       __u32 flags)
{
	struct sections_open_args args;

	memset(&args, 0, sizeof(args));
	args.name = (uintptr_t)name;
	args.name_len = name_len;
	args.access = access;
	args.flags = flags;
	return ioctl(dev, SECTIONS_IOC_OPEN, &args);
}

static inline int sec_open(int dev, const char *name, __u32 access)
{
	return sec_open_len(dev, name, strlen(name), access, 0);
}

/*
 * Try to open name (QUERY access): 0 when that worked (the handle is closed
 * again), else the errno. For "the name is gone" checks that do not leak.
 */
static inline int sec_open_errno(int dev, const char *name)
{
	int h = sec_open(dev, name, SECTIONS_ACCESS_QUERY);

	if (h < 0)
		return errno;
	close(h);
	return 0;
}

static inline int sec_dup(int handle, __u32 access, __u32 flags)
{
	struct sections_dup_args args = { .access = access, .flags = flags };

	return ioctl(handle, SECTIONS_IOC_DUPLICATE, &args);
}

/* Query a handle; every output field is poisoned first. No name buffer. */
static inline int sec_query(int handle, struct sections_info *info)
{
	memset(info, POISON_BYTE, sizeof(*info));
	info->name = 0;
	info->name_size = 0;
	return ioctl(handle, SECTIONS_IOC_QUERY, info);
}

/* Query and return one field (as a __u64), or (__u64)-1 when the query fails. */
#define sec_query_field(handle, field) ({ \
	struct sections_info __info; \
	sec_query((handle), &__info) ? (__u64)-1 : (__u64)__info.field; \
})

static inline void poison_pages(struct sections_page_info *pages, size_t n)
{
	memset(pages, POISON_BYTE, n * sizeof(*pages));
}

/* SECTIONS_IOC_QUERY_PAGES on a handle: start is a byte offset. */
static inline int sec_query_pages(int handle, __u64 start, __u64 count,
				  struct sections_page_info *pages)
{
	struct sections_page_query q = {
		.start = start, .count = count, .pages = (uintptr_t)pages,
	};

	return ioctl(handle, SECTIONS_IOC_QUERY_PAGES, &q);
}

/* SECTIONS_IOC_QUERY_VIEW_PAGES on the device: start is an address in a view. */
static inline int sec_query_view_pages(int dev, const void *addr, __u64 count,
				       struct sections_page_info *pages)
{
	struct sections_page_query q = {
		.start = (uintptr_t)addr, .count = count, .pages = (uintptr_t)pages,
	};

	return ioctl(dev, SECTIONS_IOC_QUERY_VIEW_PAGES, &q);
}

/* Share count and flags of the page at byte offset off; share -1 on error. */
static inline struct sections_page_info sec_page(int handle, __u64 off)
{
	struct sections_page_info pi;

	poison_pages(&pi, 1);
	if (sec_query_pages(handle, off, 1, &pi)) {
		pi.share_count = -1;
		pi.flags = -1;
	}
	return pi;
}

static inline int sec_unmap_view(int dev, const void *addr)
{
	__u64 a = (uintptr_t)addr;

	return ioctl(dev, SECTIONS_IOC_UNMAP_VIEW, &a);
}

static inline int sec_flush(int dev, const void *addr, __u64 len, __u32 flags)
{
	struct sections_flush_args args = {
		.addr = (uintptr_t)addr, .len = len, .flags = flags,
	};

	return ioctl(dev, SECTIONS_IOC_FLUSH_VIEW, &args);
}

/* mmap a view; returns MAP_FAILED with errno on failure. */
static inline void *sec_map(int handle, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, handle, off);
}

/*
 * A view at an address aligned to 64 KiB, the kernel's default
 * fault_around_bytes: fault-around maps at most the aligned 64 KiB around
 * a fault (and never across a page table), so a test of it needs to know
 * where its view's first 16 pages lie.
 */
static inline void *sec_map_aligned(int handle, size_t len, int prot, int flags)
{
	const size_t align = 64 << 10;
	char *area, *at;
	void *view;

	area = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return area;
	at = (char *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
	if (at > area)
		munmap(area, at - area);
	munmap(at + len, area + len + align - (at + len));
	view = mmap(at, len, prot, flags | MAP_FIXED, handle, 0);
	if (view == MAP_FAILED)
		munmap(at, len);
	return view;
}

static inline void touch_read(const void *addr)
{
	(void)*(const volatile char *)addr;
}

static inline void touch_write(void *addr, char val)
{
	*(volatile char *)addr = val;
}

static inline int fd_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl < 0 ? -1 : !!(fl & FD_CLOEXEC);
}

/*
 * The kernel's taint flags that a module bug sets: a WARN (W), an oops (D),
 * a bad page (B). A test can check none of them appeared while it ran.
 */
#define TAINT_BUG_MASK	((1UL << 9) | (1UL << 7) | (1UL << 5))

static inline unsigned long kernel_taint(void)
{
	unsigned long t = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%lu", &t) != 1)
			t = 0;
		fclose(f);
	}
	return t & TAINT_BUG_MASK;
}

/* ---- forked children ---- */

#define CHILD_CHECK(cond) do { \
	if (!(cond)) { \
		int __e = errno; \
		fprintf(stderr, "# child %d: %s:%d: check failed: %s (errno %d: %s)\n", \
			(int)getpid(), __FILE__, __LINE__, #cond, __e, strerror(__e)); \
		_exit(1); \
	} \
} while (0)

/* Expect the call to fail with -1 and errno e, in a child. */
#define CHILD_CHECK_ERR(e, call) do { \
	errno = 0; \
	long __r = (long)(call); \
	if (__r != -1 || errno != (e)) { \
		int __e = errno; \
		fprintf(stderr, "# child %d: %s:%d: %s returned %ld errno %d (%s), " \
			"expected -1 errno %d (%s)\n", (int)getpid(), __FILE__, __LINE__, \
			#call, __r, __e, strerror(__e), (e), strerror(e)); \
		_exit(1); \
	} \
} while (0)

/*
 * Wait for a child and fold its fate into one int: its exit status when it
 * exited, 128 + the signal when a signal killed it, -1 when waitpid failed.
 */
static inline int wait_child(pid_t pid)
{
	int status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/*
 * Read (or write) one byte at addr in a forked child: returns 0 when the
 * access worked, 128 + signal when it faulted.
 */
static inline int child_access(void *addr, int write)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (write)
			touch_write(addr, 0x5a);
		else
			touch_read(addr);
		_exit(0);
	}
	return wait_child(pid);
}

/* A pair of pipes to step a parent and a child through a test. */
struct lockstep {
	int to_child[2];
	int to_parent[2];
};

static inline int lockstep_init(struct lockstep *ls)
{
	if (pipe2(ls->to_child, O_CLOEXEC))
		return -1;
	if (pipe2(ls->to_parent, O_CLOEXEC)) {
		close(ls->to_child[0]);
		close(ls->to_child[1]);
		return -1;
	}
	return 0;
}

/* Send one byte to the other side; returns 0 on success. */
static inline int lockstep_post(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

/* Wait for one byte from the other side; returns it, or -1 on EOF/error. */
static inline int lockstep_wait(int fd)
{
	unsigned char c;
	ssize_t n;

	do {
		n = read(fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	return n == 1 ? c : -1;
}

#define child_post(ls, c)	lockstep_post((ls)->to_parent[1], (c))
#define child_wait(ls)		lockstep_wait((ls)->to_child[0])
#define parent_post(ls, c)	lockstep_post((ls)->to_child[1], (c))
#define parent_wait(ls)		lockstep_wait((ls)->to_parent[0])

/* Drop to uid and gid NOBODY with no supplementary groups (and no capabilities). */
static inline int drop_to_nobody(void)
{
	if (setgroups(0, NULL))
		return -1;
	if (setresgid(NOBODY, NOBODY, NOBODY))
		return -1;
	return setresuid(NOBODY, NOBODY, NOBODY);
}

/* Remove one capability from the effective set of the calling thread. */
static inline int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data);
}

#endif /* SECTIONS_TEST_H */

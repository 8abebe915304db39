// SPDX-License-Identifier: GPL-2.0
/*
 * The Win32 layer of libsections (<sections/windows.h>): return values,
 * GetLastError() codes and bytes, as Microsoft documents them.
 *
 * Linked statically against ../lib/libsections.a.
 */
#include "sections_test.h"

#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <sections/windows.h>

#define GRAN	65536

/* "st-PID-TAG" as a name for the A functions. */
static const char *wname(char *buf, size_t size, const char *tag)
{
	return uniq_name(buf, size, tag);
}

/* ASCII to UTF-16 (for the W functions). */
static void to_utf16(WCHAR *out, const char *in)
{
	while ((*out++ = (unsigned char)*in++))
		;
}

/* A temporary file path under /tmp. */
static void tmp_path(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/sections-win32-%d-%s", (int)getpid(), tag);
}

TEST(granularity_and_page_size)
{
	SYSTEM_INFO si;

	memset(&si, 0xcc, sizeof(si));
	GetSystemInfo(&si);
	EXPECT_EQ(65536, si.dwAllocationGranularity);
	EXPECT_EQ(page_size(), (long)si.dwPageSize);
	EXPECT_LE(1, si.dwNumberOfProcessors);
	EXPECT_EQ((void *)0x10000, si.lpMinimumApplicationAddress);
	EXPECT_LT((uintptr_t)si.lpMinimumApplicationAddress,
		  (uintptr_t)si.lpMaximumApplicationAddress);
#ifdef __x86_64__
	EXPECT_EQ(PROCESSOR_ARCHITECTURE_AMD64, si.wProcessorArchitecture);
#endif
}

TEST(constants_have_windows_values)
{
	EXPECT_EQ(0x08000000U, SEC_COMMIT);
	EXPECT_EQ(0x04000000U, SEC_RESERVE);
	EXPECT_EQ(0x01000000U, SEC_IMAGE);
	EXPECT_EQ(0x80000000U, SEC_LARGE_PAGES);
	EXPECT_EQ(0xF001FU, FILE_MAP_ALL_ACCESS);
	EXPECT_EQ(1, FILE_MAP_COPY);
	EXPECT_EQ(0x20, FILE_MAP_EXECUTE);
	EXPECT_EQ(183, ERROR_ALREADY_EXISTS);
	EXPECT_EQ(1132, ERROR_MAPPED_ALIGNMENT);
	EXPECT_EQ(8, sizeof(LARGE_INTEGER));
	EXPECT_EQ(4, sizeof(DWORD));
	EXPECT_EQ(4, sizeof(LONG));
	EXPECT_EQ(2, sizeof(WCHAR));
	EXPECT_EQ((HANDLE)(intptr_t)-1, INVALID_HANDLE_VALUE);
}

static void *set_and_get(void *arg)
{
	SetLastError((DWORD)(uintptr_t)arg);
	usleep(20000);
	return (void *)(uintptr_t)GetLastError();
}

TEST(last_error_is_per_thread)
{
	pthread_t t[4];
	void *ret;
	int i;

	SetLastError(12345);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, set_and_get, (void *)(uintptr_t)(100 + i)));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(100 + i, (int)(uintptr_t)ret);
	}
	EXPECT_EQ(12345, GetLastError());
}

TEST(create_twice_already_exists_and_share)
{
	char name[64];
	HANDLE h1, h2;
	char *v1, *v2;

	wname(name, sizeof(name), "twice");
	SetLastError(777);
	h1 = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 2 * GRAN, name);
	ASSERT_NE(NULL, h1);
	EXPECT_NE(INVALID_HANDLE_VALUE, h1);
	EXPECT_EQ(0, GetLastError());	/* Windows clears it on success here */

	h2 = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, name);
	ASSERT_NE(NULL, h2);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_NE(h1, h2);

	v1 = MapViewOfFile(h1, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v1);
	EXPECT_EQ(0, (uintptr_t)v1 % GRAN);
	/* The existing section's size (2 * GRAN), not the one asked for. */
	v2 = MapViewOfFile(h2, FILE_MAP_READ, 0, GRAN, 0);
	ASSERT_NE(NULL, v2);
	v1[GRAN + 5] = 'x';
	EXPECT_EQ('x', v2[5]);

	EXPECT_TRUE(UnmapViewOfFile(v2));
	EXPECT_TRUE(UnmapViewOfFile(v1));
	EXPECT_TRUE(CloseHandle(h2));
	EXPECT_TRUE(CloseHandle(h1));
}

TEST(named_shared_memory_between_processes)
{
	static const char msg[] = "hello from the parent";
	char name[64];
	HANDLE h;
	char *v;
	pid_t pid;

	wname(name, sizeof(name), "fork");
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 4096);
	ASSERT_NE(NULL, v);
	memcpy(v, msg, sizeof(msg));

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		HANDLE o = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
		char *cv;

		CHILD_CHECK(o != NULL);
		cv = MapViewOfFile(o, FILE_MAP_WRITE, 0, 0, 0);
		CHILD_CHECK(cv != NULL);
		CHILD_CHECK(memcmp(cv, msg, sizeof(msg)) == 0);
		strcpy(cv + 100, "reply from the child");
		CHILD_CHECK(UnmapViewOfFile(cv));
		CHILD_CHECK(CloseHandle(o));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_STREQ("reply from the child", v + 100);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(h));
}

TEST(wide_names)
{
	char name[64];
	WCHAR wn[64];
	HANDLE h, o;
	/* "x" then an unpaired high surrogate. */
	const WCHAR bad[] = { 'x', 0xD800, 'y', 0 };

	wname(name, sizeof(name), "wide");
	to_utf16(wn, name);
	h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, wn);
	ASSERT_NE(NULL, h);
	o = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(CloseHandle(o));
	o = OpenFileMappingW(FILE_MAP_READ, FALSE, wn);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(CloseHandle(o));
	EXPECT_TRUE(CloseHandle(h));

	EXPECT_EQ(NULL, OpenFileMappingW(FILE_MAP_READ, FALSE, bad));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
	EXPECT_EQ(NULL, CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
					   bad + 1));
	EXPECT_EQ(ERROR_INVALID_NAME, GetLastError());
}

/* U+00E9, U+20AC and U+1F600 (a surrogate pair) arrive as UTF-8. */
TEST(wide_names_to_utf8)
{
	char name[64], utf8[96];
	WCHAR wide[80];
	HANDLE h, o;
	int n;

	wname(name, sizeof(name), "utf8");
	to_utf16(wide, name);
	n = strlen(name);
	wide[n] = 0x00E9;
	wide[n + 1] = 0x20AC;
	wide[n + 2] = 0xD83D;
	wide[n + 3] = 0xDE00;
	wide[n + 4] = 0;
	snprintf(utf8, sizeof(utf8), "%s\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", name);
	h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, wide);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0, GetLastError());
	o = OpenFileMappingA(FILE_MAP_READ, FALSE, utf8);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(CloseHandle(o));
	EXPECT_TRUE(CloseHandle(h));
}

TEST(open_missing_is_file_not_found)
{
	char name[64];

	wname(name, sizeof(name), "missing");
	SetLastError(0);
	EXPECT_EQ(NULL, OpenFileMappingA(FILE_MAP_READ, FALSE, name));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	EXPECT_EQ(NULL, OpenFileMappingA(FILE_MAP_READ, FALSE, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
}

TEST(bad_create_arguments)
{
	char name[300];

	/* Pagefile-backed with size 0. */
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	/* Unsupported attributes and protections. */
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY | SEC_IMAGE,
					   0, 4096, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
					   PAGE_READWRITE | SEC_LARGE_PAGES, 0, 4096, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
					   PAGE_READWRITE | SEC_COMMIT | SEC_RESERVE, 0, 4096,
					   NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_NOACCESS, 0, 4096,
					   NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	/* A name over 255 bytes. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
					   name));
	EXPECT_EQ(ERROR_FILENAME_EXCED_RANGE, GetLastError());
	/* A file handle that is not one. */
	EXPECT_EQ(NULL, CreateFileMappingA((HANDLE)(intptr_t)100000, NULL, PAGE_READWRITE, 0,
					   4096, NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
}

TEST(sec_reserve_and_commit)
{
	HANDLE h;
	char *v;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
			       GRAN, NULL);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	v[0] = 1;
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(h));

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT, 0,
			       GRAN, NULL);
	ASSERT_NE(NULL, h);
	EXPECT_TRUE(CloseHandle(h));
}

/* Hold name with the debugfs placeholder object: the fd, or -1. */
static int reserve_name(const char *name)
{
	ssize_t len = strlen(name);
	struct stat st;
	int fd;

	if (stat("/sys/kernel/debug/sections", &st) && errno == ENOENT)
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	fd = open(SECTIONS_RESERVE_NAME, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, name, len) != len) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(name_of_another_type_is_invalid_handle)
{
	char name[64];
	int held;

	wname(name, sizeof(name), "typed");
	held = reserve_name(name);
	if (held < 0)
		SKIP(return, "no %s", SECTIONS_RESERVE_NAME);
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
					   name));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(NULL, OpenFileMappingA(FILE_MAP_READ, FALSE, name));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	close(held);
	/* The name is free again. */
	EXPECT_EQ(NULL, OpenFileMappingA(FILE_MAP_READ, FALSE, name));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
}

TEST(view_arguments)
{
	HANDLE h, ro;
	char name[64];
	char *v;

	wname(name, sizeof(name), "viewargs");
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 2 * GRAN, name);
	ASSERT_NE(NULL, h);

	/* Offsets must be multiples of the allocation granularity. */
	EXPECT_EQ(NULL, MapViewOfFile(h, FILE_MAP_READ, 0, 4096, 4096));
	EXPECT_EQ(ERROR_MAPPED_ALIGNMENT, GetLastError());
	/* Beyond the section. */
	EXPECT_EQ(NULL, MapViewOfFile(h, FILE_MAP_READ, 0, GRAN, 2 * GRAN));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(NULL, MapViewOfFile(h, FILE_MAP_READ, 0, 2 * GRAN, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	/* Not a section handle. */
	EXPECT_EQ(NULL, MapViewOfFile(NULL, FILE_MAP_READ, 0, 0, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(NULL, MapViewOfFile(INVALID_HANDLE_VALUE, FILE_MAP_READ, 0, 0, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* No access at all. */
	EXPECT_EQ(NULL, MapViewOfFile(h, 0, 0, 0, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());

	/* A read-only handle cannot map for writing; it can map copy-on-write. */
	ro = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(NULL, MapViewOfFile(ro, FILE_MAP_WRITE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	v = MapViewOfFile(ro, FILE_MAP_COPY, 0, 0, 0);
	ASSERT_NE(NULL, v);
	v[0] = 'p';	/* private */
	EXPECT_TRUE(UnmapViewOfFile(v));
	v = MapViewOfFile(ro, FILE_MAP_READ, 0, 0, 0);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(0, (uintptr_t)v % GRAN);

	/* Any address inside a view unmaps all of it, as on Windows. */
	EXPECT_FALSE(UnmapViewOfFile(NULL));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());
	EXPECT_FALSE(UnmapViewOfFile(name));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());
	EXPECT_TRUE(UnmapViewOfFile(v + 4096 + 3));
	EXPECT_FALSE(UnmapViewOfFile(v));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());

	EXPECT_TRUE(CloseHandle(ro));
	EXPECT_TRUE(CloseHandle(h));
	EXPECT_FALSE(CloseHandle(h));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(CloseHandle(NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
}

TEST(map_view_ex_at_address)
{
	HANDLE h;
	char *v, *w;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	ASSERT_TRUE(UnmapViewOfFile(v));
	/* The address just freed, exactly. */
	w = MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, v);
	ASSERT_EQ(v, w);
	/* Taken now. */
	EXPECT_EQ(NULL, MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, v));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());
	/* Not a multiple of the granularity. */
	EXPECT_EQ(NULL, MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, v + 4096));
	EXPECT_EQ(ERROR_MAPPED_ALIGNMENT, GetLastError());
	EXPECT_TRUE(UnmapViewOfFile(w));
	EXPECT_TRUE(CloseHandle(h));
}

TEST(inherit_handle_controls_cloexec)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	char name[64];
	HANDLE h, o;

	wname(name, sizeof(name), "inherit");
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, fd_cloexec((int)(intptr_t)h - 1));
	o = CreateFileMappingA(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(0, fd_cloexec((int)(intptr_t)o - 1));
	EXPECT_TRUE(CloseHandle(o));
	o = OpenFileMappingA(FILE_MAP_READ, TRUE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(0, fd_cloexec((int)(intptr_t)o - 1));
	EXPECT_TRUE(CloseHandle(o));
	EXPECT_TRUE(CloseHandle(h));
}

TEST(file_api_round_trip)
{
	char path[96], buf[64];
	HANDLE f;
	DWORD n, high;
	LARGE_INTEGER li, pos;
	WCHAR wpath[96];

	tmp_path(path, sizeof(path), "rt");
	unlink(path);

	SetLastError(99);
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW,
			FILE_ATTRIBUTE_NORMAL, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_NE(NULL, f);
	EXPECT_TRUE(WriteFile(f, "0123456789", 10, &n, NULL));
	EXPECT_EQ(10, n);
	EXPECT_EQ(10, GetFileSize(f, &high));
	EXPECT_EQ(0, high);
	EXPECT_TRUE(GetFileSizeEx(f, &li));
	EXPECT_EQ(10, li.QuadPart);

	EXPECT_EQ(2, SetFilePointer(f, 2, NULL, FILE_BEGIN));
	EXPECT_TRUE(ReadFile(f, buf, 3, &n, NULL));
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, memcmp(buf, "234", 3));
	EXPECT_EQ(4, SetFilePointer(f, -1, NULL, FILE_CURRENT));
	EXPECT_EQ(INVALID_SET_FILE_POINTER, SetFilePointer(f, -100, NULL, FILE_CURRENT));
	EXPECT_EQ(ERROR_NEGATIVE_SEEK, GetLastError());
	li.QuadPart = -3;
	EXPECT_TRUE(SetFilePointerEx(f, li, &pos, FILE_END));
	EXPECT_EQ(7, pos.QuadPart);
	EXPECT_TRUE(SetEndOfFile(f));
	EXPECT_EQ(7, GetFileSize(f, NULL));
	EXPECT_TRUE(ReadFile(f, buf, sizeof(buf), &n, NULL));	/* at EOF */
	EXPECT_EQ(0, n);
	EXPECT_TRUE(FlushFileBuffers(f));
	EXPECT_TRUE(CloseHandle(f));

	/* CREATE_NEW on an existing file; OPEN_ALWAYS / CREATE_ALWAYS report it. */
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(path, GENERIC_READ, 0, NULL, CREATE_NEW, 0,
						   NULL));
	EXPECT_EQ(ERROR_FILE_EXISTS, GetLastError());
	f = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_EQ(7, GetFileSize(f, NULL));
	/* A read-only handle cannot write. */
	EXPECT_FALSE(WriteFile(f, "x", 1, &n, NULL));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(CloseHandle(f));
	to_utf16(wpath, path);
	f = CreateFileW(wpath, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_EQ(0, GetFileSize(f, NULL));
	EXPECT_TRUE(CloseHandle(f));

	EXPECT_TRUE(DeleteFileW(wpath));
	EXPECT_FALSE(DeleteFileA(path));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0,
						   NULL));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	f = CreateFileA(path, GENERIC_READ, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(0, GetLastError());
	EXPECT_TRUE(CloseHandle(f));
	EXPECT_TRUE(DeleteFileA(path));
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(path, GENERIC_READ, 0, NULL, 0, 0, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
}

/* A new directory under /tmp; dir[0] is '\0' when it cannot be made. */
static void tmp_dir(char *dir, size_t size, const char *tag)
{
	snprintf(dir, size, "/tmp/sections-win32-%d-%s-XXXXXX", (int)getpid(), tag);
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

/*
 * OPEN_ALWAYS and CREATE_ALWAYS on a symlink to nothing: O_EXCL finds the
 * link, the open finds nothing behind it. They create the target, once
 * (they used to retry forever). alarm() turns a spin into a failure.
 */
TEST(create_file_dangling_symlink)
{
	char dir[96], link[128], target[128], deep[128], deep_link[128];
	struct stat st;
	WCHAR wlink[128];
	HANDLE f;
	DWORD n;

	tmp_dir(dir, sizeof(dir), "dangling");
	ASSERT_NE('\0', dir[0]);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(deep, sizeof(deep), "%s/nodir/target", dir);
	snprintf(deep_link, sizeof(deep_link), "%s/deep", dir);
	ASSERT_EQ(0, symlink(target, link));
	ASSERT_EQ(0, symlink(deep, deep_link));
	alarm(10);

	SetLastError(99);
	f = CreateFileA(link, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(0, GetLastError());		/* created */
	EXPECT_TRUE(WriteFile(f, "abc", 3, &n, NULL));
	EXPECT_TRUE(CloseHandle(f));
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));	/* the link stays, its target is made */
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_EQ(3, st.st_size);
	/* No longer dangling: opened, and it says so. */
	f = CreateFileA(link, GENERIC_READ, 0, NULL, OPEN_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(ERROR_ALREADY_EXISTS, GetLastError());
	EXPECT_EQ(3, GetFileSize(f, NULL));
	EXPECT_TRUE(CloseHandle(f));

	ASSERT_EQ(0, unlink(target));
	to_utf16(wlink, link);
	SetLastError(99);
	f = CreateFileW(wlink, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(0, GetLastError());
	EXPECT_TRUE(CloseHandle(f));
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_EQ(0, st.st_size);
	ASSERT_EQ(0, unlink(target));
	SetLastError(99);
	f = CreateFileA(link, GENERIC_READ, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(0, GetLastError());
	EXPECT_TRUE(CloseHandle(f));

	/* A target in a missing directory cannot be made: an error, not a spin. */
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(deep_link, GENERIC_READ, 0, NULL,
						   OPEN_ALWAYS, 0, NULL));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(deep_link, GENERIC_WRITE, 0, NULL,
						   CREATE_ALWAYS, 0, NULL));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	/* Opening a dangling link never creates anything. */
	ASSERT_EQ(0, unlink(target));
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(link, GENERIC_READ, 0, NULL, OPEN_EXISTING,
						   0, NULL));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	EXPECT_EQ(-1, stat(target, &st));
	alarm(0);

	unlink(deep_link);
	unlink(link);
	rmdir(dir);
}

/* A loop of links (a -> b -> a) has no target to create: ELOOP, ERROR_PATH_NOT_FOUND. */
TEST(create_file_symlink_loop)
{
	static const DWORD disp[] = { OPEN_ALWAYS, CREATE_ALWAYS, OPEN_EXISTING,
				      TRUNCATE_EXISTING };
	char dir[96], a[128], b[128];
	struct stat st;
	unsigned int i;

	tmp_dir(dir, sizeof(dir), "loop");
	ASSERT_NE('\0', dir[0]);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	ASSERT_EQ(0, symlink(b, a));
	ASSERT_EQ(0, symlink(a, b));
	alarm(10);
	for (i = 0; i < ARRAY_SIZE(disp); i++) {
		SetLastError(99);
		EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(a, GENERIC_READ | GENERIC_WRITE, 0,
							   NULL, disp[i], 0, NULL));
		EXPECT_EQ(ERROR_PATH_NOT_FOUND, GetLastError()) TH_LOG("disposition %u", disp[i]);
	}
	/* The name is taken, by the link. */
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(a, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0,
						   NULL));
	EXPECT_EQ(ERROR_FILE_EXISTS, GetLastError());
	alarm(0);
	ASSERT_EQ(0, lstat(a, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));

	unlink(a);
	unlink(b);
	rmdir(dir);
}

TEST(file_mapping_view_at_64k_and_flush)
{
	char path[96], buf[32];
	HANDLE f, m, m2;
	DWORD n;
	char *v, *c;
	static char block[3 * GRAN];
	int i;

	tmp_path(path, sizeof(path), "map");
	unlink(path);
	for (i = 0; i < (int)sizeof(block); i++)
		block[i] = (char)(i / 7);
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_ALWAYS,
			FILE_ATTRIBUTE_NORMAL, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	ASSERT_TRUE(WriteFile(f, block, sizeof(block), &n, NULL));
	ASSERT_EQ(sizeof(block), n);

	/* Size 0: the file's size. */
	m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0, GetLastError());

	/* A view at 64 KiB reads the file's bytes there. */
	v = MapViewOfFile(m, FILE_MAP_WRITE, 0, GRAN, GRAN);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, memcmp(v, block + GRAN, GRAN));

	/* Write through the view, flush it, ReadFile sees it. */
	memcpy(v + 100, "written via view", 16);
	EXPECT_TRUE(FlushViewOfFile(v, 0));
	EXPECT_EQ(GRAN + 100, SetFilePointer(f, GRAN + 100, NULL, FILE_BEGIN));
	EXPECT_TRUE(ReadFile(f, buf, 16, &n, NULL));
	EXPECT_EQ(16, n);
	EXPECT_EQ(0, memcmp(buf, "written via view", 16));
	EXPECT_FALSE(FlushViewOfFile(buf, 0));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());

	/* A copy-on-write view leaves the file alone. */
	c = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(0, memcmp(c + GRAN + 100, "written via view", 16));
	c[0] = (char)0x55;
	EXPECT_TRUE(UnmapViewOfFile(c));

	/* A section handle is not a file; a file handle is not a section. */
	EXPECT_FALSE(ReadFile(m, buf, 1, &n, NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(NULL, MapViewOfFile(f, FILE_MAP_READ, 0, 0, 0));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(NULL, CreateFileMappingA(m, NULL, PAGE_READONLY, 0, 0, NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());

	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(m));
	EXPECT_TRUE(SetFilePointer(f, 0, NULL, FILE_BEGIN) == 0);
	EXPECT_TRUE(ReadFile(f, buf, 1, &n, NULL));
	EXPECT_EQ(block[0], buf[0]);
	EXPECT_TRUE(CloseHandle(f));

	/* A read-only file: no writable section; read-only larger than it fails. */
	f = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(NULL, CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(NULL, CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 4 * GRAN, NULL));
	EXPECT_EQ(ERROR_NOT_ENOUGH_MEMORY, GetLastError());
	m2 = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
	ASSERT_NE(NULL, m2);
	v = MapViewOfFile(m2, FILE_MAP_READ, 0, 2 * GRAN, 0);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, memcmp(v, block + 2 * GRAN, GRAN));
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(m2));
	EXPECT_TRUE(CloseHandle(f));

	/* An empty file with size 0. */
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, TRUNCATE_EXISTING, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_EQ(0, GetFileSize(f, NULL));
	EXPECT_EQ(NULL, CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL));
	EXPECT_EQ(ERROR_FILE_INVALID, GetLastError());
	EXPECT_TRUE(CloseHandle(f));
	EXPECT_TRUE(DeleteFileA(path));
}

static void *create_map_close(void *arg)
{
	HANDLE h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN,
				      (const char *)arg);
	char *v;

	if (!h)
		return (void *)(uintptr_t)(1000 + GetLastError());
	v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
	if (!v)
		return (void *)(uintptr_t)(2000 + GetLastError());
	__atomic_fetch_add(v, 1, __ATOMIC_SEQ_CST);
	if (!UnmapViewOfFile(v))
		return (void *)(uintptr_t)(3000 + GetLastError());
	if (!CloseHandle(h))
		return (void *)(uintptr_t)(4000 + GetLastError());
	return NULL;
}

/* The device is opened once, by whichever thread comes first. */
TEST(first_use_from_many_threads)
{
	pthread_t t[8];
	char name[64];
	HANDLE h;
	char *v;
	void *ret;
	int i;

	wname(name, sizeof(name), "threads");
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, create_map_close, name));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	/* Every thread's handle is closed: the name is gone. */
	EXPECT_EQ(NULL, OpenFileMappingA(FILE_MAP_READ, FALSE, name));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
	/* And while one holds it, all share one section. */
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, name);
	ASSERT_NE(NULL, h);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, create_map_close, name));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	v = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(8, v[0]);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(h));
}

TEST(execute_views)
{
	HANDLE h;
	char *v;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_EXECUTE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_WRITE | FILE_MAP_EXECUTE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(h));

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(NULL, MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(CloseHandle(h));
}

TEST(sizes_and_commit)
{
	HANDLE h;

	/* Above the module's 64 TiB limit. */
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0x10000, 0,
					   NULL));
	EXPECT_EQ(ERROR_NOT_ENOUGH_MEMORY, GetLastError());
	/* 1 TiB: more than the guest can commit, unless SEC_RESERVE. */
	EXPECT_EQ(NULL, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT,
					   0x100, 0, NULL));
	EXPECT_EQ(ERROR_COMMITMENT_LIMIT, GetLastError());
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0x100, 0,
			       NULL);
	ASSERT_NE(NULL, h);
	EXPECT_TRUE(CloseHandle(h));
}

TEST(file_mapping_grows_file_and_delete_dir)
{
	char path[96];
	HANDLE f, m;
	DWORD high;

	tmp_path(path, sizeof(path), "grow");
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 3 * GRAN, NULL);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(3 * GRAN, GetFileSize(f, &high));
	EXPECT_EQ(0, high);
	EXPECT_TRUE(CloseHandle(m));
	EXPECT_TRUE(CloseHandle(f));
	EXPECT_TRUE(DeleteFileA(path));

	ASSERT_EQ(0, mkdir(path, 0700));
	EXPECT_FALSE(DeleteFileA(path));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(INVALID_HANDLE_VALUE, CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0,
						   NULL));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	rmdir(path);
}

/* The fd behind a handle of the layer (an fd + 1). */
static int hfd(HANDLE h)
{
	return (int)(intptr_t)h - 1;
}

TEST(current_process_and_large_pages)
{
	EXPECT_EQ((HANDLE)(intptr_t)-1, GetCurrentProcess());
	EXPECT_EQ((DWORD)getpid(), GetCurrentProcessId());
	/* Closing the pseudo handle has no effect and succeeds. */
	SetLastError(55);
	EXPECT_TRUE(CloseHandle(GetCurrentProcess()));
	EXPECT_EQ(55, GetLastError());
	/* No large pages: 0, as Windows returns without large-page support. */
	EXPECT_EQ(0, GetLargePageMinimum());
	EXPECT_EQ(1, DUPLICATE_CLOSE_SOURCE);
	EXPECT_EQ(2, DUPLICATE_SAME_ACCESS);
	EXPECT_EQ(0x1000, MEM_COMMIT);
	EXPECT_EQ(0x2000, MEM_RESERVE);
	EXPECT_EQ(0x10000, MEM_FREE);
	EXPECT_EQ(0x20000, MEM_PRIVATE);
	EXPECT_EQ(0x40000, MEM_MAPPED);
	EXPECT_EQ(0x1000000, MEM_IMAGE);
	EXPECT_EQ(24, ERROR_BAD_LENGTH);
#if UINTPTR_MAX > 0xffffffffU
	EXPECT_EQ(48, sizeof(MEMORY_BASIC_INFORMATION));
	EXPECT_EQ(24, offsetof(MEMORY_BASIC_INFORMATION, RegionSize));
#endif
}

TEST(duplicate_section_handle)
{
	HANDLE h, d, d2;
	char name[64];
	char *v, *w;

	wname(name, sizeof(name), "dup");
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, name);
	ASSERT_NE(NULL, h);
	SetLastError(321);
	d = NULL;
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(321, GetLastError());		/* left alone on success */
	ASSERT_NE(NULL, d);
	EXPECT_NE(h, d);
	EXPECT_EQ(1, fd_cloexec(hfd(d)));
	/* Inheritable on request. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d2, 0, TRUE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(0, fd_cloexec(hfd(d2)));
	EXPECT_TRUE(CloseHandle(d2));

	/* The duplicate keeps the section, and its name, after the source closes. */
	v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(CloseHandle(h));
	h = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
	ASSERT_NE(NULL, h);
	EXPECT_TRUE(CloseHandle(h));
	w = MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, w);
	v[10] = 'd';
	EXPECT_EQ('d', w[10]);
	EXPECT_TRUE(UnmapViewOfFile(w));
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(d));
	EXPECT_EQ(NULL, OpenFileMappingA(FILE_MAP_READ, FALSE, name));
	EXPECT_EQ(ERROR_FILE_NOT_FOUND, GetLastError());
}

/* A duplicate gets the rights asked for, never more than the source has. */
TEST(duplicate_access_rules)
{
	HANDLE h, rd, d;
	char *v;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &rd,
				    FILE_MAP_READ, FALSE, 0));
	EXPECT_EQ(NULL, MapViewOfFile(rd, FILE_MAP_WRITE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	v = MapViewOfFile(rd, FILE_MAP_READ, 0, 0, 0);	/* size 0: the size is known */
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(UnmapViewOfFile(v));

	/* More than the source has: ERROR_ACCESS_DENIED, for asked and generic rights. */
	d = (HANDLE)(intptr_t)12345;
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), rd, GetCurrentProcess(), &d,
				     FILE_MAP_WRITE, FALSE, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), rd, GetCurrentProcess(), &d,
				     FILE_MAP_ALL_ACCESS, FALSE, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), rd, GetCurrentProcess(), &d,
				     GENERIC_WRITE, FALSE, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());

	/* The same access, or less, is fine; no access at all is a valid handle. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), rd, GetCurrentProcess(), &d,
				    FILE_MAP_WRITE, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(NULL, MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(CloseHandle(d));
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, 0, FALSE, 0));
	EXPECT_EQ(NULL, MapViewOfFile(d, FILE_MAP_READ, 0, 0, GRAN));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(CloseHandle(d));
	/* A copy view needs map-read only (FILE_MAP_COPY as a right: see the next test). */
	v = MapViewOfFile(rd, FILE_MAP_COPY, 0, 0, 0);
	ASSERT_NE(NULL, v);
	v[0] = 1;
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(rd));
	EXPECT_TRUE(CloseHandle(h));
}

/*
 * FILE_MAP_COPY is SECTION_QUERY (1). Only OpenFileMapping, asked for exactly
 * that, reads it as kernelbase does: SECTION_MAP_READ, enough for a copy
 * view. Anywhere else it is the right to query, which maps nothing.
 */
TEST(file_map_copy_is_query_but_in_open)
{
	HANDLE h, o, q;
	char name[64];
	char *v, *c;

	wname(name, sizeof(name), "mapcopy");
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, name);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	v[0] = 'a';

	o = OpenFileMappingA(FILE_MAP_COPY, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_COPY,
		  sec_query_field(hfd(o), access));
	c = MapViewOfFile(o, FILE_MAP_COPY, 0, 0, 0);
	ASSERT_NE(NULL, c);
	EXPECT_EQ('a', c[0]);
	c[0] = 'c';
	EXPECT_EQ('a', v[0]);		/* the write stayed in the copy */
	EXPECT_TRUE(UnmapViewOfFile(c));
	c = MapViewOfFile(o, FILE_MAP_READ, 0, 0, 0);
	ASSERT_NE(NULL, c);
	EXPECT_EQ('a', c[0]);
	EXPECT_TRUE(UnmapViewOfFile(c));
	EXPECT_EQ(NULL, MapViewOfFile(o, FILE_MAP_WRITE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(CloseHandle(o));

	/* A SECTION_QUERY duplicate can query and nothing else. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &q,
				    SECTION_QUERY, FALSE, 0));
	EXPECT_EQ(SECTIONS_ACCESS_QUERY, sec_query_field(hfd(q), access));
	EXPECT_EQ(GRAN, sec_query_field(hfd(q), size));
	SetLastError(0);
	EXPECT_EQ(NULL, MapViewOfFile(q, FILE_MAP_COPY, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, MapViewOfFile(q, FILE_MAP_COPY, 0, 0, GRAN));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	SetLastError(0);
	EXPECT_EQ(NULL, MapViewOfFile(q, FILE_MAP_READ, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(CloseHandle(q));

	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(h));
}

/*
 * Windows checks a handle's rights against the object's security, and the
 * section's protection only when a view is mapped: FILE_MAP_ALL_ACCESS opens
 * a PAGE_READWRITE or PAGE_READONLY section, as Microsoft's samples expect.
 */
TEST(all_access_opens_any_protection)
{
	char name[64], rname[64];
	HANDLE h, o, r, ro, d;
	char *v;

	wname(name, sizeof(name), "allrw");
	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, name);
	ASSERT_NE(NULL, h);
	SetLastError(1234);
	o = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(1234, GetLastError());
	v = MapViewOfFile(o, FILE_MAP_ALL_ACCESS, 0, 0, 0);
	ASSERT_NE(NULL, v);
	v[10] = 'w';
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_EQ(NULL, MapViewOfFile(o, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d,
				    FILE_MAP_ALL_ACCESS, FALSE, 0));
	v = MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	EXPECT_EQ('w', v[10]);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(d));
	EXPECT_TRUE(CloseHandle(o));

	wname(rname, sizeof(rname), "allro");
	r = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, GRAN, rname);
	ASSERT_NE(NULL, r);
	ro = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, rname);
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(NULL, MapViewOfFile(ro, FILE_MAP_WRITE, 0, 0, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	v = MapViewOfFile(ro, FILE_MAP_READ, 0, 0, 0);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, v[10]);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(ro));
	EXPECT_TRUE(CloseHandle(r));
	EXPECT_TRUE(CloseHandle(h));
}

/* "Closes the source handle. This occurs regardless of any error status returned." */
TEST(duplicate_close_source)
{
	HANDLE h, ro, d;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	/* Success: the source is gone, the duplicate works (a "move"). */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, 0, FALSE,
				    DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(-1, fcntl(hfd(h), F_GETFD));
	h = d;

	/* An access failure still closes the source. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &ro,
				    FILE_MAP_READ, FALSE, 0));
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), ro, GetCurrentProcess(), &d,
				     FILE_MAP_WRITE, FALSE, DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(-1, fcntl(hfd(ro), F_GETFD));

	/* So does a bad target process, and bad options. */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &ro, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), ro, (HANDLE)(intptr_t)4242, &d, 0,
				     FALSE, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(-1, fcntl(hfd(ro), F_GETFD));
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &ro, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), ro, GetCurrentProcess(), &d, 0, FALSE,
				     0x100 | DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(-1, fcntl(hfd(ro), F_GETFD));

	/* No target process: only close the source (the documented way to close). */
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &ro, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), ro, NULL, NULL, 0, FALSE,
				    DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(-1, fcntl(hfd(ro), F_GETFD));

	/* A bad source process: nothing is closed. */
	EXPECT_FALSE(DuplicateHandle((HANDLE)(intptr_t)4242, h, GetCurrentProcess(), &d, 0,
				     FALSE, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(DuplicateHandle(NULL, h, GetCurrentProcess(), &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(0, fcntl(hfd(h), F_GETFD) < 0);
	EXPECT_TRUE(CloseHandle(h));
}

TEST(duplicate_bad_handles)
{
	HANDLE h, d;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), NULL, GetCurrentProcess(), &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), (HANDLE)(intptr_t)100000,
				     GetCurrentProcess(), &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* No target process and no DUPLICATE_CLOSE_SOURCE: an invalid handle, h stays. */
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), h, NULL, &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* A process handle cannot be duplicated here: there are no process objects. */
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(),
				     GetCurrentProcess(), &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_NOT_SUPPORTED, GetLastError());
	/* Without lpTargetHandle no duplicate is made, and it succeeds. */
	EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), NULL, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_TRUE(CloseHandle(h));
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, 0, FALSE,
				     DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
}

TEST(duplicate_file_handle)
{
	char path[96], buf[8];
	HANDLE f, d;
	DWORD n;

	tmp_path(path, sizeof(path), "dup");
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	ASSERT_TRUE(WriteFile(f, "abcdef", 6, &n, NULL));
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), f, GetCurrentProcess(), &d, 0, FALSE,
				    DUPLICATE_SAME_ACCESS));
	EXPECT_EQ(1, fd_cloexec(hfd(d)));
	/* One file pointer for both handles, as Windows documents. */
	EXPECT_EQ(2, SetFilePointer(d, 2, NULL, FILE_BEGIN));
	EXPECT_TRUE(ReadFile(f, buf, 2, &n, NULL));
	EXPECT_EQ(0, memcmp(buf, "cd", 2));
	EXPECT_TRUE(CloseHandle(d));
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), f, GetCurrentProcess(), &d,
				    GENERIC_READ, TRUE, DUPLICATE_CLOSE_SOURCE));
	EXPECT_EQ(0, fd_cloexec(hfd(d)));
	EXPECT_EQ(-1, fcntl(hfd(f), F_GETFD));
	EXPECT_TRUE(CloseHandle(d));

	/* A read-only file handle cannot be duplicated for writing. */
	f = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), f, GetCurrentProcess(), &d,
				     GENERIC_READ | GENERIC_WRITE, FALSE, 0));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), f, GetCurrentProcess(), &d,
				    GENERIC_READ, FALSE, 0));
	EXPECT_TRUE(ReadFile(d, buf, 1, &n, NULL));
	EXPECT_TRUE(CloseHandle(d));
	EXPECT_TRUE(CloseHandle(f));
	EXPECT_TRUE(DeleteFileA(path));
}

static SIZE_T query(const void *addr, MEMORY_BASIC_INFORMATION *mbi)
{
	memset(mbi, 0xcc, sizeof(*mbi));
	return VirtualQuery(addr, mbi, sizeof(*mbi));
}

TEST(virtual_query_views)
{
	MEMORY_BASIC_INFORMATION mbi;
	long ps = page_size();
	HANDLE h;
	char *v;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 3 * GRAN, NULL);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	SetLastError(4321);
	ASSERT_EQ(sizeof(mbi), query(v + GRAN + 5, &mbi));
	EXPECT_EQ(4321, GetLastError());	/* left alone on success */
	EXPECT_EQ(v + GRAN, mbi.BaseAddress);
	EXPECT_EQ(v, mbi.AllocationBase);
	EXPECT_EQ(PAGE_READWRITE, mbi.AllocationProtect);
	EXPECT_EQ(0, mbi.PartitionId);
	EXPECT_EQ(2 * GRAN, mbi.RegionSize);
	EXPECT_EQ(MEM_COMMIT, mbi.State);
	EXPECT_EQ(PAGE_READWRITE, mbi.Protect);
	EXPECT_EQ(MEM_MAPPED, mbi.Type);
	/* The size of a view, as MapViewOfFile's page says to get it. */
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(3 * GRAN, mbi.RegionSize);
	/* A flush may not run past the view. */
	EXPECT_TRUE(FlushViewOfFile(v + GRAN, 2 * GRAN));
	EXPECT_FALSE(FlushViewOfFile(v + GRAN, 3 * GRAN));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_TRUE(UnmapViewOfFile(v));

	/* A read-only view of the second half, still there after CloseHandle. */
	v = MapViewOfFile(h, FILE_MAP_READ, 0, GRAN, 0);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(CloseHandle(h));
	ASSERT_EQ(sizeof(mbi), query(v + 2 * GRAN - 1, &mbi));
	EXPECT_EQ(v + 2 * GRAN - ps, mbi.BaseAddress);
	EXPECT_EQ(v, mbi.AllocationBase);
	EXPECT_EQ(PAGE_READONLY, mbi.AllocationProtect);
	EXPECT_EQ(ps, mbi.RegionSize);
	EXPECT_EQ(PAGE_READONLY, mbi.Protect);
	EXPECT_EQ(MEM_MAPPED, mbi.Type);

	/* Unmapped: free, at least as far as the view went. */
	EXPECT_TRUE(UnmapViewOfFile(v));
	ASSERT_EQ(sizeof(mbi), query(v + 100, &mbi));
	EXPECT_EQ(v, mbi.BaseAddress);
	EXPECT_EQ(MEM_FREE, mbi.State);
	EXPECT_LE(2 * GRAN, mbi.RegionSize);
	EXPECT_EQ(NULL, mbi.AllocationBase);
	EXPECT_EQ(0, mbi.AllocationProtect);
	EXPECT_EQ(PAGE_NOACCESS, mbi.Protect);
	EXPECT_EQ(0, mbi.Type);
}

/* Copy-on-write pages read PAGE_WRITECOPY until written, then PAGE_READWRITE. */
TEST(virtual_query_copy_view)
{
	MEMORY_BASIC_INFORMATION mbi;
	long ps = page_size();
	HANDLE h;
	char *v;

	h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, GRAN, NULL);
	ASSERT_NE(NULL, h);
	v = MapViewOfFile(h, FILE_MAP_COPY, 0, 0, 0);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(PAGE_WRITECOPY, mbi.Protect);
	EXPECT_EQ(PAGE_WRITECOPY, mbi.AllocationProtect);
	EXPECT_EQ(GRAN, mbi.RegionSize);
	EXPECT_EQ(MEM_MAPPED, mbi.Type);

	EXPECT_EQ(0, v[0]);		/* read: still shared */
	v[2 * ps] = 'c';		/* written: a private copy */
	v[3 * ps] = 'c';
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(PAGE_WRITECOPY, mbi.Protect);
	EXPECT_EQ(2 * ps, mbi.RegionSize);
	ASSERT_EQ(sizeof(mbi), query(v + 2 * ps, &mbi));
	EXPECT_EQ(PAGE_READWRITE, mbi.Protect);
	EXPECT_EQ(PAGE_WRITECOPY, mbi.AllocationProtect);
	EXPECT_EQ(v, mbi.AllocationBase);
	EXPECT_EQ(2 * ps, mbi.RegionSize);
	EXPECT_EQ(MEM_MAPPED, mbi.Type);	/* still mapped, as Windows says */
	ASSERT_EQ(sizeof(mbi), query(v + 4 * ps, &mbi));
	EXPECT_EQ(PAGE_WRITECOPY, mbi.Protect);
	EXPECT_EQ(GRAN - 4 * ps, mbi.RegionSize);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(h));
}

TEST(virtual_query_file_and_execute_views)
{
	MEMORY_BASIC_INFORMATION mbi;
	char path[96];
	HANDLE f, m;
	char *v;

	tmp_path(path, sizeof(path), "vq");
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	m = CreateFileMappingA(f, NULL, PAGE_EXECUTE_READWRITE, 0, 2 * GRAN, NULL);
	ASSERT_NE(NULL, m);
	v = MapViewOfFile(m, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, GRAN, 0);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(PAGE_EXECUTE_READ, mbi.Protect);
	EXPECT_EQ(PAGE_EXECUTE_READ, mbi.AllocationProtect);
	EXPECT_EQ(MEM_MAPPED, mbi.Type);
	EXPECT_EQ(GRAN, mbi.RegionSize);
	EXPECT_TRUE(UnmapViewOfFile(v));
	v = MapViewOfFile(m, FILE_MAP_WRITE | FILE_MAP_EXECUTE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(PAGE_EXECUTE_READWRITE, mbi.Protect);
	EXPECT_EQ(2 * GRAN, mbi.RegionSize);
	EXPECT_TRUE(UnmapViewOfFile(v));
	v = MapViewOfFile(m, FILE_MAP_COPY | FILE_MAP_EXECUTE, 0, 0, 0);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(PAGE_EXECUTE_WRITECOPY, mbi.Protect);
	v[0] = 1;
	ASSERT_EQ(sizeof(mbi), query(v, &mbi));
	EXPECT_EQ(PAGE_EXECUTE_READWRITE, mbi.Protect);
	EXPECT_EQ(PAGE_EXECUTE_WRITECOPY, mbi.AllocationProtect);
	EXPECT_TRUE(UnmapViewOfFile(v));
	EXPECT_TRUE(CloseHandle(m));
	EXPECT_TRUE(CloseHandle(f));
	EXPECT_TRUE(DeleteFileA(path));
}

static const char vq_const[] = "read-only data";
static int vq_data = 1;

TEST(virtual_query_other_memory)
{
	MEMORY_BASIC_INFORMATION mbi, img;
	long ps = page_size();
	int local = 0;
	char *p;

	/* This program: an image, code PAGE_EXECUTE_READ, constants PAGE_READONLY. */
	ASSERT_EQ(sizeof(img), query((const void *)&query, &img));
	EXPECT_EQ(MEM_IMAGE, img.Type);
	EXPECT_EQ(MEM_COMMIT, img.State);
	EXPECT_EQ(PAGE_EXECUTE_READ, img.Protect);
	EXPECT_EQ(PAGE_EXECUTE_WRITECOPY, img.AllocationProtect);
	EXPECT_LE((uintptr_t)img.AllocationBase, (uintptr_t)img.BaseAddress);
	ASSERT_EQ(sizeof(mbi), query(vq_const, &mbi));
	EXPECT_EQ(MEM_IMAGE, mbi.Type);
	EXPECT_EQ(PAGE_READONLY, mbi.Protect);
	EXPECT_EQ(img.AllocationBase, mbi.AllocationBase);
	vq_data = 2;
	ASSERT_EQ(sizeof(mbi), query(&vq_data, &mbi));
	EXPECT_EQ(MEM_IMAGE, mbi.Type);
	EXPECT_EQ(PAGE_READWRITE, mbi.Protect);
	EXPECT_EQ(img.AllocationBase, mbi.AllocationBase);
	ASSERT_EQ(sizeof(mbi), query(img.AllocationBase, &mbi));
	EXPECT_EQ(MEM_IMAGE, mbi.Type);
	EXPECT_EQ(img.AllocationBase, mbi.BaseAddress);

	/* The stack: private, committed, read/write. */
	ASSERT_EQ(sizeof(mbi), query(&local, &mbi));
	EXPECT_EQ(MEM_PRIVATE, mbi.Type);
	EXPECT_EQ(MEM_COMMIT, mbi.State);
	EXPECT_EQ(PAGE_READWRITE, mbi.Protect);
	EXPECT_LE((uintptr_t)&local + sizeof(local), (uintptr_t)mbi.BaseAddress + mbi.RegionSize);

	/* Anonymous memory; PROT_NONE is reserved address space. */
	p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + 2 * ps, 2 * ps, PROT_NONE));
	ASSERT_EQ(sizeof(mbi), query(p + 1, &mbi));
	EXPECT_EQ(p, mbi.BaseAddress);
	EXPECT_EQ(p, mbi.AllocationBase);
	EXPECT_EQ(2 * ps, mbi.RegionSize);
	EXPECT_EQ(MEM_COMMIT, mbi.State);
	EXPECT_EQ(PAGE_READWRITE, mbi.Protect);
	EXPECT_EQ(MEM_PRIVATE, mbi.Type);
	ASSERT_EQ(sizeof(mbi), query(p + 3 * ps, &mbi));
	EXPECT_EQ(p + 3 * ps, mbi.BaseAddress);
	EXPECT_EQ(ps, mbi.RegionSize);
	EXPECT_EQ(MEM_RESERVE, mbi.State);
	EXPECT_EQ(0, mbi.Protect);
	EXPECT_EQ(MEM_PRIVATE, mbi.Type);
	ASSERT_EQ(0, munmap(p, 4 * ps));

	/* Page 0 is free (mmap_min_addr). */
	ASSERT_EQ(sizeof(mbi), query(NULL, &mbi));
	EXPECT_EQ(NULL, mbi.BaseAddress);
	EXPECT_EQ(MEM_FREE, mbi.State);
	EXPECT_LE(ps, mbi.RegionSize);
}

TEST(virtual_query_errors)
{
	MEMORY_BASIC_INFORMATION mbi;
	char big[sizeof(mbi) + 16];
	int local;

	EXPECT_EQ(0, VirtualQuery(&local, &mbi, sizeof(mbi) - 1));
	EXPECT_EQ(ERROR_BAD_LENGTH, GetLastError());
	EXPECT_EQ(0, VirtualQuery(&local, &mbi, 0));
	EXPECT_EQ(ERROR_BAD_LENGTH, GetLastError());
	/* A larger buffer is fine: the bytes returned are the structure's. */
	EXPECT_EQ(sizeof(mbi), VirtualQuery(&local, (PMEMORY_BASIC_INFORMATION)big, sizeof(big)));
	EXPECT_EQ(0, VirtualQuery(&local, NULL, sizeof(mbi)));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
#if UINTPTR_MAX > 0xffffffffU
	/* Above the user address space. */
	EXPECT_EQ(0, VirtualQuery((void *)(uintptr_t)0xffff800000000000ULL, &mbi, sizeof(mbi)));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(0, VirtualQuery((void *)(uintptr_t)(1ULL << 62), &mbi, sizeof(mbi)));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(0, VirtualQuery((void *)UINTPTR_MAX, &mbi, sizeof(mbi)));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
#endif
}

/*
 * Cached ReadFile/WriteFile and views share pages, as on Windows: each sees
 * the other at once, and both reach the file. FlushFileBuffers writes the
 * pages no view maps; SetEndOfFile cannot cut a mapped section.
 */
TEST(cached_file_io_is_coherent_with_views)
{
	char path[96], buf[8], *view;
	HANDLE f, m;
	DWORD n;
	int fd;

	tmp_path(path, sizeof(path), "coh");
	unlink(path);
	f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
	ASSERT_NE(INVALID_HANDLE_VALUE, f);
	memset(buf, 'a', sizeof(buf));
	for (n = 0; n < 3 * 4096 / sizeof(buf); n++)
		ASSERT_TRUE(WriteFile(f, buf, sizeof(buf), NULL, NULL));
	m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL);
	ASSERT_NE(NULL, m);
	view = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 4096);
	ASSERT_NE(NULL, view);

	memcpy(view, "VIEW", 4);
	EXPECT_EQ(0, SetFilePointer(f, 0, NULL, FILE_BEGIN));
	EXPECT_TRUE(ReadFile(f, buf, 4, &n, NULL));
	EXPECT_EQ(4, n);
	EXPECT_EQ(0, memcmp(buf, "VIEW", 4));
	EXPECT_EQ(4, SetFilePointer(f, 0, NULL, FILE_CURRENT));
	EXPECT_EQ(100, SetFilePointer(f, 100, NULL, FILE_BEGIN));
	EXPECT_TRUE(WriteFile(f, "FILE", 4, &n, NULL));
	EXPECT_EQ(4, n);
	EXPECT_EQ(0, memcmp(view + 100, "FILE", 4));
	/* A page no view maps: FlushFileBuffers writes it; the mapped page waits. */
	EXPECT_EQ(8192, SetFilePointer(f, 8192, NULL, FILE_BEGIN));
	EXPECT_TRUE(WriteFile(f, "UNMP", 4, &n, NULL));
	EXPECT_TRUE(FlushFileBuffers(f));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, pread(fd, buf, 4, 8192));
	EXPECT_EQ(0, memcmp(buf, "UNMP", 4));
	EXPECT_EQ(4, pread(fd, buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "aaaa", 4));
	/* SetEndOfFile cannot cut the section; growing is fine. */
	EXPECT_EQ(4096, SetFilePointer(f, 4096, NULL, FILE_BEGIN));
	EXPECT_FALSE(SetEndOfFile(f));
	EXPECT_EQ(ERROR_USER_MAPPED_FILE, GetLastError());
	EXPECT_EQ(16384, SetFilePointer(f, 16384, NULL, FILE_BEGIN));
	EXPECT_TRUE(SetEndOfFile(f));
	EXPECT_EQ(16384, GetFileSize(f, NULL));

	/* Unmapped and closed: the view's bytes and WriteFile's both reach the file. */
	EXPECT_TRUE(UnmapViewOfFile(view));
	EXPECT_TRUE(CloseHandle(m));
	EXPECT_TRUE(FlushFileBuffers(f));
	EXPECT_EQ(4, pread(fd, buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "VIEW", 4));
	EXPECT_EQ(4, pread(fd, buf, 4, 100));
	EXPECT_EQ(0, memcmp(buf, "FILE", 4));
	/* No section now: SetEndOfFile shrinks. */
	EXPECT_EQ(10, SetFilePointer(f, 10, NULL, FILE_BEGIN));
	EXPECT_TRUE(SetEndOfFile(f));
	EXPECT_EQ(10, GetFileSize(f, NULL));
	close(fd);
	EXPECT_TRUE(CloseHandle(f));
	unlink(path);
}

TEST_HARNESS_MAIN

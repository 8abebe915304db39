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

	/* Only the base of a view unmaps it. */
	EXPECT_FALSE(UnmapViewOfFile(v + 4096));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());
	EXPECT_FALSE(UnmapViewOfFile(NULL));
	EXPECT_EQ(ERROR_INVALID_ADDRESS, GetLastError());
	EXPECT_TRUE(UnmapViewOfFile(v));
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

TEST_HARNESS_MAIN

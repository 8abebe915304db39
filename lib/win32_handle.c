// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: the process's /dev/sections descriptor, telling
 * section handles from file handles, CloseHandle, DuplicateHandle and the
 * current process's pseudo handle and id.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "win32.h"

static pthread_once_t device_once = PTHREAD_ONCE_INIT;
static int device_fd = -ENODEV;

static void device_open(void)
{
	device_fd = sections_open_device();
}

int win32_device(void)
{
	pthread_once(&device_once, device_open);
	return device_fd;
}

bool win32_is_section(int fd)
{
	struct sections_info info;
	int ret;

	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	ret = sections_ioctl(fd, SECTIONS_IOC_QUERY, &info);
	return ret == 0 || ret == -EACCES;
}

/* Is fd the layer's own /dev/sections descriptor (never a caller's handle)? */
static bool is_device(int fd)
{
	return fd == __atomic_load_n(&device_fd, __ATOMIC_RELAXED);
}

SECTIONS_EXPORT BOOL WINAPI CloseHandle(HANDLE hObject)
{
	int fd = win32_fd(hObject);

	/* "Calling CloseHandle with a pseudo handle has no effect." */
	if (hObject == WIN32_CURRENT_PROCESS)
		return TRUE;
	if (fd < 0 || is_device(fd)) {
		SetLastError(ERROR_INVALID_HANDLE);
		return FALSE;
	}
	/* Linux closes the fd even when close() reports an error (EINTR, EIO). */
	if (close(fd) && errno == EBADF) {
		SetLastError(ERROR_INVALID_HANDLE);
		return FALSE;
	}
	return TRUE;
}

SECTIONS_EXPORT HANDLE WINAPI GetCurrentProcess(void)
{
	return WIN32_CURRENT_PROCESS;
}

SECTIONS_EXPORT DWORD WINAPI GetCurrentProcessId(void)
{
	return (DWORD)getpid();
}

/*
 * A new section handle: the rights asked for (or the same ones), plus query
 * access when the source has it, as OpenFileMapping gives it, so that
 * MapViewOfFile(size 0) can learn the size. The kernel refuses rights the
 * source lacks with EACCES.
 */
static int dup_section(int fd, DWORD access, bool same, uint32_t flags)
{
	uint32_t want = win32_map_access(access);
	int ret;

	if (same)
		return sections_duplicate(fd, 0, flags | SECTIONS_DUP_SAME_ACCESS);
	/* As OpenFileMapping: rights the protection forbids are dropped, not refused. */
	want = win32_clip_access(fd, want);
	ret = sections_duplicate(fd, want | SECTIONS_ACCESS_QUERY, flags);
	if (ret == -EACCES && !(want & SECTIONS_ACCESS_QUERY))
		ret = sections_duplicate(fd, want, flags);
	return ret;
}

/*
 * A new file handle: dup(2) shares the open file description, hence the file
 * pointer, as a duplicated Windows file handle does. Its access mode is the
 * source's: asking for a right the source lacks is ERROR_ACCESS_DENIED, asking
 * for fewer keeps all of the source's.
 */
static int dup_file(int fd, DWORD access, bool same, bool inherit)
{
	bool rd = access & WIN32_FILE_READ_RIGHTS;
	bool wr = access & WIN32_FILE_WRITE_RIGHTS;
	int mode = fcntl(fd, F_GETFL), ret;

	if (mode < 0)
		return -errno;
	mode &= O_ACCMODE;
	if (!same && ((rd && mode == O_WRONLY) || (wr && mode == O_RDONLY)))
		return -EACCES;
	ret = fcntl(fd, inherit ? F_DUPFD : F_DUPFD_CLOEXEC, 0);
	return ret < 0 ? -errno : ret;
}

/*
 * The checks that come before anything can be closed: the source process must
 * be this one, and the source handle one of this layer's handles.
 */
static int dup_source(HANDLE hSourceProcessHandle, HANDLE hSourceHandle)
{
	int fd = win32_fd(hSourceHandle);

	if (hSourceProcessHandle != WIN32_CURRENT_PROCESS) {
		SetLastError(ERROR_INVALID_HANDLE);
		return -1;
	}
	/* A real handle to a process would need a process object; there is none. */
	if (hSourceHandle == WIN32_CURRENT_PROCESS) {
		SetLastError(ERROR_NOT_SUPPORTED);
		return -1;
	}
	if (fd < 0 || is_device(fd) || fcntl(fd, F_GETFD) < 0) {
		SetLastError(ERROR_INVALID_HANDLE);
		return -1;
	}
	return fd;
}

SECTIONS_EXPORT BOOL WINAPI DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
					    HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle,
					    DWORD dwDesiredAccess, BOOL bInheritHandle,
					    DWORD dwOptions)
{
	bool close_source = dwOptions & DUPLICATE_CLOSE_SOURCE;
	bool same = dwOptions & DUPLICATE_SAME_ACCESS;
	DWORD err = ERROR_SUCCESS;
	int fd, ret = -1;

	fd = dup_source(hSourceProcessHandle, hSourceHandle);
	if (fd < 0)
		return FALSE;
	if (dwOptions & ~(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS)) {
		err = ERROR_INVALID_PARAMETER;
	} else if (!hTargetProcessHandle && close_source) {
		/* No target: only close the source (the documented way to close a handle). */
		if (lpTargetHandle)
			*lpTargetHandle = NULL;
	} else if (hTargetProcessHandle != WIN32_CURRENT_PROCESS) {
		err = ERROR_INVALID_HANDLE;
	} else if (lpTargetHandle) {
		/* Without lpTargetHandle no duplicate is made, as NtDuplicateObject does. */
		if (win32_is_section(fd))
			ret = dup_section(fd, dwDesiredAccess, same,
					  bInheritHandle ? 0 : SECTIONS_HANDLE_CLOEXEC);
		else
			ret = dup_file(fd, dwDesiredAccess, same, bInheritHandle);
		if (ret < 0)
			err = win32_error_of(ret);
		else
			*lpTargetHandle = win32_handle(ret);
	}
	/* "Closes the source handle. This occurs regardless of any error status returned." */
	if (close_source)
		close(fd);
	if (err) {
		SetLastError(err);
		return FALSE;
	}
	return TRUE;
}

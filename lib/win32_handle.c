// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: the process's /dev/sections descriptor, telling
 * section handles from file handles, and CloseHandle.
 */
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

SECTIONS_EXPORT BOOL WINAPI CloseHandle(HANDLE hObject)
{
	int fd = win32_fd(hObject);

	if (fd < 0 || fd == __atomic_load_n(&device_fd, __ATOMIC_RELAXED)) {
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

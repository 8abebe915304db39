// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: the small synchronous file API (CreateFile,
 * ReadFile, WriteFile, file sizes and pointers, SetEndOfFile,
 * FlushFileBuffers, DeleteFile) over open(2) and friends.
 *
 * Cached I/O, as on Windows: ReadFile, WriteFile, SetEndOfFile and
 * FlushFileBuffers go through the module's file I/O (sections_file_read()
 * and friends), so they see, and are seen by, the views of the file's
 * sections at once. A file opened with FILE_FLAG_NO_BUFFERING (O_DIRECT) is
 * non-cached, as on Windows: plain read(2) and write(2). So is everything
 * when the module is not there (no section can exist then).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "win32.h"

#define WIN32_PATH_MAX	4096

/* The fd of a file handle, or -1 with ERROR_INVALID_HANDLE set. */
static int file_fd(HANDLE h)
{
	int fd = win32_fd(h);

	if (fd < 0 || fcntl(fd, F_GETFD) < 0 || win32_is_section(fd)) {
		SetLastError(ERROR_INVALID_HANDLE);
		return -1;
	}
	return fd;
}

static int open_retry(const char *path, int flags, mode_t mode)
{
	int fd;

	do {
		fd = open(path, flags, mode);
		/* A filesystem without O_DIRECT (tmpfs before 6.6): buffered, then. */
		if (fd < 0 && errno == EINVAL && (flags & O_DIRECT)) {
			flags &= ~O_DIRECT;
			errno = EINTR;
		}
	} while (fd < 0 && errno == EINTR);
	return fd;
}

/*
 * The device for cached I/O of @fd at its file pointer: -1 for non-cached
 * I/O (FILE_FLAG_NO_BUFFERING, no module), *@pos the offset to use
 * (the end for an O_APPEND file, as Windows' FILE_APPEND_DATA).
 */
static int cached_io(int fd, off_t *pos)
{
	int dev, fl = fcntl(fd, F_GETFL);
	struct stat st;

	if (fl < 0 || (fl & O_DIRECT))
		return -1;
	dev = win32_device();
	if (dev < 0)
		return -1;
	if (fl & O_APPEND) {
		if (fstat(fd, &st))
			return -1;
		*pos = st.st_size;
		return dev;
	}
	*pos = lseek(fd, 0, SEEK_CUR);
	return *pos < 0 ? -1 : dev;
}

static HANDLE create_file(const char *path, DWORD access, LPSECURITY_ATTRIBUTES sa,
			  DWORD disposition, DWORD flags_attrs)
{
	bool rd = access & WIN32_FILE_READ_RIGHTS;
	bool wr = access & WIN32_FILE_WRITE_RIGHTS;
	int flags = O_CLOEXEC, fd = -1;
	bool existed = false;

	if (!path) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return INVALID_HANDLE_VALUE;
	}
	if (flags_attrs & (FILE_FLAG_OVERLAPPED | FILE_FLAG_DELETE_ON_CLOSE)) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return INVALID_HANDLE_VALUE;
	}
	flags |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
	if (sa && sa->bInheritHandle)
		flags &= ~O_CLOEXEC;
	if (flags_attrs & FILE_FLAG_WRITE_THROUGH)
		flags |= O_DSYNC;
	if (flags_attrs & FILE_FLAG_NO_BUFFERING)
		flags |= O_DIRECT;

	switch (disposition) {
	case CREATE_NEW:
		fd = open_retry(path, flags | O_CREAT | O_EXCL, 0666);
		if (fd < 0 && errno == EEXIST) {
			SetLastError(ERROR_FILE_EXISTS);
			return INVALID_HANDLE_VALUE;
		}
		break;
	case CREATE_ALWAYS:
	case OPEN_ALWAYS:
		/*
		 * Create, or open what is there. A name with nothing behind
		 * it (a dangling symlink, or a file unlinked in between) makes
		 * O_EXCL say EEXIST and the plain open ENOENT: then one
		 * open(O_CREAT), which follows the link and creates its
		 * target, as Windows does; that counts as created. No loop:
		 * the name can stay dangling forever.
		 */
		fd = open_retry(path, flags | O_CREAT | O_EXCL, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
		if (disposition == CREATE_ALWAYS)
			flags |= O_TRUNC;
		fd = open_retry(path, flags, 0);
		existed = fd >= 0;
		if (fd < 0 && errno == ENOENT)
			fd = open_retry(path, flags | O_CREAT, 0666);
		break;
	case OPEN_EXISTING:
		fd = open_retry(path, flags, 0);
		break;
	case TRUNCATE_EXISTING:
		if (!wr) {
			SetLastError(ERROR_INVALID_PARAMETER);
			return INVALID_HANDLE_VALUE;
		}
		fd = open_retry(path, flags | O_TRUNC, 0);
		break;
	default:
		SetLastError(ERROR_INVALID_PARAMETER);
		return INVALID_HANDLE_VALUE;
	}
	if (fd < 0) {
		win32_set_errno(errno);
		return INVALID_HANDLE_VALUE;
	}
	/* A directory opens only with FILE_FLAG_BACKUP_SEMANTICS on Windows. */
	if (!(flags_attrs & FILE_FLAG_BACKUP_SEMANTICS)) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			SetLastError(ERROR_ACCESS_DENIED);
			return INVALID_HANDLE_VALUE;
		}
	}
	if (disposition == CREATE_ALWAYS || disposition == OPEN_ALWAYS)
		SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
	else
		SetLastError(ERROR_SUCCESS);
	return win32_handle(fd);
}

SECTIONS_EXPORT HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess,
					  DWORD dwShareMode, LPSECURITY_ATTRIBUTES sa,
					  DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
					  HANDLE hTemplateFile)
{
	(void)dwShareMode;
	(void)hTemplateFile;
	return create_file(lpFileName, dwDesiredAccess, sa, dwCreationDisposition,
			   dwFlagsAndAttributes);
}

SECTIONS_EXPORT HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess,
					  DWORD dwShareMode, LPSECURITY_ATTRIBUTES sa,
					  DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
					  HANDLE hTemplateFile)
{
	char path[WIN32_PATH_MAX];
	int ret;

	(void)dwShareMode;
	(void)hTemplateFile;
	if (!lpFileName)
		return create_file(NULL, 0, sa, 0, 0);
	ret = win32_utf16_to_utf8(lpFileName, path, sizeof(path));
	if (ret) {
		win32_set_name_error(ret);
		return INVALID_HANDLE_VALUE;
	}
	return create_file(path, dwDesiredAccess, sa, dwCreationDisposition,
			   dwFlagsAndAttributes);
}

SECTIONS_EXPORT BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
				     LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)
{
	off_t pos = 0;
	int fd, dev;
	ssize_t n;

	if (lpNumberOfBytesRead)
		*lpNumberOfBytesRead = 0;
	fd = file_fd(hFile);
	if (fd < 0)
		return FALSE;
	if (lpOverlapped || (!lpBuffer && nNumberOfBytesToRead)) {
		SetLastError(lpOverlapped ? ERROR_INVALID_PARAMETER : ERROR_NOACCESS);
		return FALSE;
	}
	dev = cached_io(fd, &pos);
	n = dev < 0 ? -ENODEV : sections_file_read(dev, fd, lpBuffer, nNumberOfBytesToRead, pos);
	if (n >= 0) {
		lseek(fd, pos + n, SEEK_SET);
	} else if (n == -ENODEV) {
		/* Not a regular file (a pipe, a terminal), or non-cached. */
		do {
			n = read(fd, lpBuffer, nNumberOfBytesToRead);
		} while (n < 0 && errno == EINTR);
	} else {
		errno = (int)-n;
		n = -1;
	}
	if (n < 0) {
		SetLastError(errno == EIO ? ERROR_READ_FAULT :
			     errno == EBADF ? ERROR_ACCESS_DENIED : win32_error_of(errno));
		return FALSE;
	}
	if (lpNumberOfBytesRead)
		*lpNumberOfBytesRead = (DWORD)n;
	return TRUE;
}

SECTIONS_EXPORT BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
				      LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)
{
	const char *p = lpBuffer;
	DWORD done = 0;
	off_t pos = 0;
	int fd, dev;

	if (lpNumberOfBytesWritten)
		*lpNumberOfBytesWritten = 0;
	fd = file_fd(hFile);
	if (fd < 0)
		return FALSE;
	if (lpOverlapped || (!lpBuffer && nNumberOfBytesToWrite)) {
		SetLastError(lpOverlapped ? ERROR_INVALID_PARAMETER : ERROR_NOACCESS);
		return FALSE;
	}
	dev = cached_io(fd, &pos);
	while (done < nNumberOfBytesToWrite) {
		ssize_t n = -ENODEV;

		if (dev >= 0)
			n = sections_file_write(dev, fd, p + done, nNumberOfBytesToWrite - done,
						pos + done);
		if (n == -ENODEV) {
			dev = -1;
			n = write(fd, p + done, nNumberOfBytesToWrite - done);
		} else if (n < 0) {
			errno = (int)-n;
			n = -1;
		} else {
			lseek(fd, pos + done + n, SEEK_SET);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EBADF: a valid fd not open for writing. */
			win32_set_errno(n == 0 ? ENOSPC : errno == EBADF ? EACCES : errno);
			if (lpNumberOfBytesWritten)
				*lpNumberOfBytesWritten = done;
			return FALSE;
		}
		done += (DWORD)n;
	}
	if (lpNumberOfBytesWritten)
		*lpNumberOfBytesWritten = done;
	return TRUE;
}

static bool file_size(HANDLE h, uint64_t *size)
{
	int fd = file_fd(h);
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st)) {
		win32_set_errno(errno);
		return false;
	}
	*size = (uint64_t)st.st_size;
	return true;
}

SECTIONS_EXPORT DWORD WINAPI GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh)
{
	uint64_t size;

	if (!file_size(hFile, &size))
		return INVALID_FILE_SIZE;
	if (lpFileSizeHigh)
		*lpFileSizeHigh = (DWORD)(size >> 32);
	if ((DWORD)size == INVALID_FILE_SIZE)
		SetLastError(NO_ERROR);
	return (DWORD)size;
}

SECTIONS_EXPORT BOOL WINAPI GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize)
{
	uint64_t size;

	if (!lpFileSize) {
		SetLastError(ERROR_NOACCESS);
		return FALSE;
	}
	if (!file_size(hFile, &size))
		return FALSE;
	lpFileSize->QuadPart = (LONGLONG)size;
	return TRUE;
}

/* lseek for both pointer functions: 0 with *pos, or a Windows error code. */
static DWORD seek(int fd, int64_t dist, DWORD method, int64_t *pos)
{
	int whence;
	off_t r;

	switch (method) {
	case FILE_BEGIN:
		whence = SEEK_SET;
		break;
	case FILE_CURRENT:
		whence = SEEK_CUR;
		break;
	case FILE_END:
		whence = SEEK_END;
		break;
	default:
		return ERROR_INVALID_PARAMETER;
	}
	r = lseek(fd, (off_t)dist, whence);
	if (r < 0)
		return errno == EINVAL ? ERROR_NEGATIVE_SEEK : win32_error_of(errno);
	*pos = r;
	return 0;
}

SECTIONS_EXPORT DWORD WINAPI SetFilePointer(HANDLE hFile, LONG lDistanceToMove,
					    PLONG lpDistanceToMoveHigh, DWORD dwMoveMethod)
{
	int64_t dist, pos = 0, old;
	int fd = file_fd(hFile);
	DWORD err;

	if (fd < 0)
		return INVALID_SET_FILE_POINTER;
	if (lpDistanceToMoveHigh)
		dist = (int64_t)(((uint64_t)(uint32_t)*lpDistanceToMoveHigh << 32) |
				 (uint32_t)lDistanceToMove);
	else
		dist = lDistanceToMove;
	old = lseek(fd, 0, SEEK_CUR);
	err = seek(fd, dist, dwMoveMethod, &pos);
	if (!err && !lpDistanceToMoveHigh && pos > (int64_t)UINT32_MAX) {
		/* Not representable in 32 bits: put the pointer back, as Windows refuses. */
		if (old >= 0)
			lseek(fd, old, SEEK_SET);
		err = ERROR_INVALID_PARAMETER;
	}
	if (err) {
		SetLastError(err);
		return INVALID_SET_FILE_POINTER;
	}
	if (lpDistanceToMoveHigh)
		*lpDistanceToMoveHigh = (LONG)(uint32_t)((uint64_t)pos >> 32);
	if ((DWORD)pos == INVALID_SET_FILE_POINTER)
		SetLastError(NO_ERROR);
	return (DWORD)pos;
}

SECTIONS_EXPORT BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove,
					     PLARGE_INTEGER lpNewFilePointer, DWORD dwMoveMethod)
{
	int fd = file_fd(hFile);
	int64_t pos = 0;
	DWORD err;

	if (fd < 0)
		return FALSE;
	err = seek(fd, liDistanceToMove.QuadPart, dwMoveMethod, &pos);
	if (err) {
		SetLastError(err);
		return FALSE;
	}
	if (lpNewFilePointer)
		lpNewFilePointer->QuadPart = pos;
	return TRUE;
}

SECTIONS_EXPORT BOOL WINAPI SetEndOfFile(HANDLE hFile)
{
	int fd = file_fd(hFile), dev, ret;
	off_t pos;

	if (fd < 0)
		return FALSE;
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0) {
		win32_set_errno(errno);
		return FALSE;
	}
	dev = win32_device();
	ret = dev < 0 ? -ENODEV : sections_file_set_size(dev, fd, (uint64_t)pos);
	if (ret == -ENODEV)
		ret = ftruncate(fd, pos) ? -errno : 0;
	if (ret) {
		/* EBUSY: a section of the file covers what it would cut. */
		SetLastError(ret == -EBUSY ? ERROR_USER_MAPPED_FILE :
			     ret == -EINVAL || ret == -EBADF ? ERROR_ACCESS_DENIED :
			     win32_error_of(-ret));
		return FALSE;
	}
	return TRUE;
}

SECTIONS_EXPORT BOOL WINAPI FlushFileBuffers(HANDLE hFile)
{
	int fd = file_fd(hFile), dev, ret;

	if (fd < 0)
		return FALSE;
	/* The file's cached pages no view maps, then the file durable. */
	dev = win32_device();
	ret = dev < 0 ? -ENODEV : sections_file_flush(dev, fd);
	if (ret == -ENODEV || ret == -EBADF)
		ret = fsync(fd) ? -errno : 0;
	if (ret) {
		win32_set_errno(-ret);
		return FALSE;
	}
	return TRUE;
}

static BOOL delete_file(const char *path)
{
	struct stat st;

	if (!path) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return FALSE;
	}
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		SetLastError(ERROR_ACCESS_DENIED);
		return FALSE;
	}
	if (unlink(path)) {
		win32_set_errno(errno);
		return FALSE;
	}
	return TRUE;
}

SECTIONS_EXPORT BOOL WINAPI DeleteFileA(LPCSTR lpFileName)
{
	return delete_file(lpFileName);
}

SECTIONS_EXPORT BOOL WINAPI DeleteFileW(LPCWSTR lpFileName)
{
	char path[WIN32_PATH_MAX];
	int ret;

	if (!lpFileName)
		return delete_file(NULL);
	ret = win32_utf16_to_utf8(lpFileName, path, sizeof(path));
	if (ret) {
		win32_set_name_error(ret);
		return FALSE;
	}
	return delete_file(path);
}

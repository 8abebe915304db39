// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: the per-thread last-error code and the mapping of
 * errno values to Windows error codes (the README's table).
 */
#include "win32.h"

static __thread DWORD last_error;

SECTIONS_EXPORT DWORD WINAPI GetLastError(void)
{
	return last_error;
}

SECTIONS_EXPORT void WINAPI SetLastError(DWORD dwErrCode)
{
	last_error = dwErrCode;
}

DWORD win32_error_of(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return ERROR_SUCCESS;
	case EINVAL:
		return ERROR_INVALID_PARAMETER;
	case EFBIG:
	case EOVERFLOW:
		return ERROR_NOT_ENOUGH_MEMORY;
	case ENOMEM:
		return ERROR_COMMITMENT_LIMIT;
	case ENAMETOOLONG:
		return ERROR_FILENAME_EXCED_RANGE;
	case ENOENT:
		return ERROR_FILE_NOT_FOUND;
	case ENOTDIR:
	case ELOOP:
		return ERROR_PATH_NOT_FOUND;
	case EACCES:
	case EPERM:
	case ENXIO:
	case EISDIR:
		return ERROR_ACCESS_DENIED;
	case EMEDIUMTYPE:
	case EBADF:
	case ENODEV:
	case ENOTTY:
		return ERROR_INVALID_HANDLE;
	case ENODATA:
		return ERROR_FILE_INVALID;
	case EIO:
		return ERROR_WRITE_FAULT;
	case ENOSPC:
	case EDQUOT:
		return ERROR_DISK_FULL;
	case EFAULT:
		return ERROR_NOACCESS;
	case EEXIST:
		return ERROR_ALREADY_EXISTS;
	case EMFILE:
	case ENFILE:
		return ERROR_TOO_MANY_OPEN_FILES;
	case EROFS:
		return ERROR_WRITE_PROTECT;
	case ETXTBSY:
		return ERROR_SHARING_VIOLATION;
	case EBUSY:
		return ERROR_BUSY;
	case ENOSYS:
	case EOPNOTSUPP:
		return ERROR_NOT_SUPPORTED;
	case ESPIPE:
		return ERROR_INVALID_FUNCTION;
	default:
		return ERROR_GEN_FAILURE;
	}
}

void win32_set_errno(int err)
{
	last_error = win32_error_of(err);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libsections Win32 layer internals: shared by the win32_*.c files only.
 */
#ifndef LIBSECTIONS_WIN32_H
#define LIBSECTIONS_WIN32_H

#include <limits.h>
#include <stdbool.h>

#include "internal.h"
#include "sections/windows.h"

/* Windows' allocation granularity: view offsets and bases are multiples of it. */
#define WIN32_GRANULARITY	65536U

/* GetCurrentProcess()'s pseudo handle, (HANDLE)-1 as on Windows (= INVALID_HANDLE_VALUE). */
#define WIN32_CURRENT_PROCESS	((HANDLE)(intptr_t)-1)

/* A HANDLE is an fd + 1, so that no valid handle is NULL or INVALID_HANDLE_VALUE. */
static inline HANDLE win32_handle(int fd)
{
	return (HANDLE)(intptr_t)(fd + 1);
}

/* The fd of a handle, or -1 for NULL, INVALID_HANDLE_VALUE and nonsense. */
static inline int win32_fd(HANDLE h)
{
	intptr_t v = (intptr_t)h;

	if (v <= 0 || v > INT_MAX)
		return -1;
	return (int)(v - 1);
}

/* win32_error.c */
DWORD win32_error_of(int err);
/* Set the last error from a positive or negative errno value. */
void win32_set_errno(int err);

/* File rights that need the file open for reading, and for writing. */
#define WIN32_FILE_READ_RIGHTS	(GENERIC_READ | GENERIC_ALL | FILE_READ_DATA)
#define WIN32_FILE_WRITE_RIGHTS	(GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA | FILE_APPEND_DATA)

/* win32_handle.c */
/* The process's /dev/sections fd, or a negative errno (sticky). */
int win32_device(void);
/* Is fd a section handle (SECTIONS_IOC_QUERY works or says EACCES)? */
bool win32_is_section(int fd);

/* win32_mapping.c */
/* FILE_MAP_* / SECTION_* / GENERIC_* rights to SECTIONS_ACCESS_* rights. */
uint32_t win32_map_access(DWORD access);
uint32_t win32_clip_access(int fd, uint32_t want);

/* win32_memory.c */
/*
 * The start of the mapping holding addr: 0 with *start, -EINVAL when addr is
 * in no mapping, another negative errno when that cannot be told. Whether it
 * is a view is for SECTIONS_IOC_UNMAP_VIEW to say.
 */
int win32_mapping_start(const void *addr, uintptr_t *start);
/* The page size, 4096 if sysconf cannot tell. */
long win32_page_size(void);

/* win32_name.c */
/*
 * Convert a NUL-terminated UTF-16 string to UTF-8 in buf (size bytes, with the
 * NUL). Returns 0, -EILSEQ for an unpaired surrogate, -ENAMETOOLONG when it
 * does not fit.
 */
int win32_utf16_to_utf8(const WCHAR *in, char *buf, size_t size);
/* The last error for a failed conversion. */
void win32_set_name_error(int err);

#endif /* LIBSECTIONS_WIN32_H */

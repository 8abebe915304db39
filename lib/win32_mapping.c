// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: CreateFileMapping, OpenFileMapping, MapViewOfFile(Ex),
 * UnmapViewOfFile and FlushViewOfFile.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "win32.h"

#define SEC_UNSUPPORTED	(SEC_IMAGE | SEC_PROTECTED_IMAGE | SEC_LARGE_PAGES | SEC_NOCACHE | \
			 SEC_WRITECOMBINE | SEC_64K_PAGES | SEC_PARTITION_OWNER_HANDLE | SEC_FILE)
#define FILE_MAP_UNSUPPORTED	(FILE_MAP_LARGE_PAGES | FILE_MAP_TARGETS_INVALID | FILE_MAP_RESERVE)

/* The device, or -1 with the last error set (ERROR_NOT_SUPPORTED: no module). */
static int device_or_error(void)
{
	int dev = win32_device();

	if (dev >= 0)
		return dev;
	if (dev == -ENOENT || dev == -ENXIO || dev == -ENODEV)
		SetLastError(ERROR_NOT_SUPPORTED);
	else
		win32_set_errno(dev);
	return -1;
}

static HANDLE create_mapping(HANDLE hFile, LPSECURITY_ATTRIBUTES sa, DWORD flProtect,
			     DWORD high, DWORD low, const char *name)
{
	struct sections_create_args args;
	DWORD prot = flProtect & 0xFF, attrs = flProtect & ~0xFFU;
	int dev, fd = -1, ret;

	if ((attrs & SEC_UNSUPPORTED) || (attrs & ~(SEC_COMMIT | SEC_RESERVE | SEC_UNSUPPORTED)) ||
	    (attrs & (SEC_COMMIT | SEC_RESERVE)) == (SEC_COMMIT | SEC_RESERVE)) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	switch (prot) {
	case PAGE_READONLY:
	case PAGE_READWRITE:
	case PAGE_WRITECOPY:
	case PAGE_EXECUTE_READ:
	case PAGE_EXECUTE_READWRITE:
	case PAGE_EXECUTE_WRITECOPY:
		break;
	default:
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}

	memset(&args, 0, sizeof(args));
	args.size = ((uint64_t)high << 32) | low;
	args.protection = prot;
	if (hFile != INVALID_HANDLE_VALUE) {
		fd = win32_fd(hFile);
		if (fd < 0 || fcntl(fd, F_GETFD) < 0 || win32_is_section(fd)) {
			SetLastError(ERROR_INVALID_HANDLE);
			return NULL;
		}
		args.flags |= SECTIONS_CREATE_FILE;
		args.fd = (__u32)fd;
	} else {
		if (args.size == 0) {
			SetLastError(ERROR_INVALID_PARAMETER);
			return NULL;
		}
		if (attrs & SEC_RESERVE)
			args.attributes |= SECTIONS_ATTR_NORESERVE;
	}
	if (!sa || !sa->bInheritHandle)
		args.flags |= SECTIONS_HANDLE_CLOEXEC;
	if (name && name[0]) {
		size_t len = strnlen(name, SECTIONS_NAME_MAX + 1);

		if (len > SECTIONS_NAME_MAX) {
			SetLastError(ERROR_FILENAME_EXCED_RANGE);
			return NULL;
		}
		args.name = sections_ptr(name);
		args.name_len = (__u32)len;
	}

	dev = device_or_error();
	if (dev < 0)
		return NULL;
	ret = sections_create_ex(dev, &args);
	if (ret < 0) {
		/*
		 * ENOSPC from create is the per-user limit on sections or names,
		 * not a full disk: Windows says ERROR_NOT_ENOUGH_MEMORY when a
		 * quota keeps it from making an object.
		 */
		if (ret == -ENOSPC)
			SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		else
			win32_set_errno(ret);
		return NULL;
	}
	SetLastError((args.result & SECTIONS_CREATE_EXISTED) ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
	return win32_handle(ret);
}

SECTIONS_EXPORT HANDLE WINAPI CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES sa,
						 DWORD flProtect, DWORD dwMaximumSizeHigh,
						 DWORD dwMaximumSizeLow, LPCSTR lpName)
{
	return create_mapping(hFile, sa, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow, lpName);
}

SECTIONS_EXPORT HANDLE WINAPI CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES sa,
						 DWORD flProtect, DWORD dwMaximumSizeHigh,
						 DWORD dwMaximumSizeLow, LPCWSTR lpName)
{
	char name[SECTIONS_NAME_MAX + 1];
	int ret;

	if (!lpName)
		return create_mapping(hFile, sa, flProtect, dwMaximumSizeHigh,
				      dwMaximumSizeLow, NULL);
	ret = win32_utf16_to_utf8(lpName, name, sizeof(name));
	if (ret) {
		win32_set_name_error(ret);
		return NULL;
	}
	return create_mapping(hFile, sa, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow, name);
}

/* FILE_MAP_* / SECTION_* / GENERIC_* rights to the module's rights. */
uint32_t win32_map_access(DWORD access)
{
	uint32_t a = 0;

	if (access & GENERIC_ALL)
		access |= SECTION_ALL_ACCESS | FILE_MAP_EXECUTE;
	if (access & GENERIC_READ)
		access |= SECTION_QUERY | SECTION_MAP_READ;
	if (access & GENERIC_WRITE)
		access |= SECTION_MAP_WRITE;
	if (access & GENERIC_EXECUTE)
		access |= SECTION_MAP_EXECUTE;

	/* Only query: FILE_MAP_COPY shares the value, but only open_mapping() maps it. */
	if (access & SECTION_QUERY)
		a |= SECTIONS_ACCESS_QUERY;
	if (access & SECTION_MAP_WRITE)
		a |= SECTIONS_ACCESS_MAP_WRITE;
	if (access & SECTION_MAP_READ)		/* a copy view needs only map-read */
		a |= SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_COPY;
	if (access & (SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT))
		a |= SECTIONS_ACCESS_MAP_EXECUTE;
	if (access & SECTION_EXTEND_SIZE)
		a |= SECTIONS_ACCESS_EXTEND;
	return a;
}

/*
 * @want without the rights the protection of the section behind @fd (a
 * handle with query access) forbids; never 0, which would mean "all" to the
 * module. Returns @want when the protection cannot be read.
 *
 * Windows checks a handle's rights against the object's security only and
 * refuses a view the protection forbids when it is mapped; the module
 * refuses such rights when the handle is made. This bridges the two, so
 * OpenFileMapping(FILE_MAP_ALL_ACCESS) on a PAGE_READWRITE section works, as
 * in Microsoft's samples.
 */
uint32_t win32_clip_access(int fd, uint32_t want)
{
	struct sections_info info;
	uint32_t clipped;

	if (sections_query(fd, &info, NULL, 0))
		return want;
	clipped = want & sections_protection_access(info.protection);
	return clipped ? clipped : SECTIONS_ACCESS_QUERY;
}

/* Open @name with @want, and query access too when the mode allows it. */
static int open_with_query(int dev, const char *name, uint32_t want, uint32_t flags)
{
	/* Query access too when allowed: MapViewOfFile(size 0) needs the size. */
	int ret = sections_open(dev, name, want | SECTIONS_ACCESS_QUERY, flags);

	if (ret == -EACCES && want && !(want & SECTIONS_ACCESS_QUERY))
		ret = sections_open(dev, name, want, flags);
	return ret;
}

static HANDLE open_mapping(DWORD access, BOOL inherit, const char *name)
{
	uint32_t flags = inherit ? 0 : SECTIONS_HANDLE_CLOEXEC;
	uint32_t want;
	int dev, ret, q;

	/*
	 * kernelbase's one rewrite: exactly FILE_MAP_COPY (== SECTION_QUERY)
	 * asks for SECTION_MAP_READ, the right a copy view needs. Nowhere else
	 * is the value anything but SECTION_QUERY.
	 */
	if (access == FILE_MAP_COPY)
		access = SECTION_MAP_READ;
	want = win32_map_access(access);
	if (!name) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	dev = device_or_error();
	if (dev < 0)
		return NULL;
	ret = open_with_query(dev, name, want, flags);
	if (ret == -EACCES) {
		/* Rights the protection forbids? Learn it and drop them. */
		q = sections_open(dev, name, SECTIONS_ACCESS_QUERY, SECTIONS_HANDLE_CLOEXEC);
		if (q >= 0) {
			uint32_t clipped = win32_clip_access(q, want);

			close(q);
			if (clipped != want)
				ret = open_with_query(dev, name, clipped, flags);
		}
	}
	if (ret < 0) {
		win32_set_errno(ret);
		return NULL;
	}
	return win32_handle(ret);
}

SECTIONS_EXPORT HANDLE WINAPI OpenFileMappingA(DWORD dwDesiredAccess, BOOL bInheritHandle,
					       LPCSTR lpName)
{
	return open_mapping(dwDesiredAccess, bInheritHandle, lpName);
}

SECTIONS_EXPORT HANDLE WINAPI OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle,
					       LPCWSTR lpName)
{
	char name[SECTIONS_NAME_MAX + 1];
	int ret;

	if (!lpName)
		return open_mapping(dwDesiredAccess, bInheritHandle, NULL);
	ret = win32_utf16_to_utf8(lpName, name, sizeof(name));
	if (ret) {
		win32_set_name_error(ret);
		return NULL;
	}
	return open_mapping(dwDesiredAccess, bInheritHandle, name);
}

/* Size of the section behind fd: the query, or fstat without query access. */
static int section_size(int fd, uint64_t *size)
{
	struct sections_info info;
	int ret = sections_query(fd, &info, NULL, 0);
	struct stat st;

	if (ret == 0) {
		*size = info.size;
		return 0;
	}
	if (ret == -EACCES && fstat(fd, &st) == 0 && st.st_size > 0) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	return ret;
}

/*
 * Map a view at a 64 KiB-aligned address. Find a free aligned range by
 * reserving len + 64 KiB of address space and giving it back, then map there
 * with SECTIONS_VIEW_FIXED (MAP_FIXED_NOREPLACE), which never replaces
 * anything another thread may have mapped meanwhile: if one did, try again,
 * and after a few tries take any page-aligned address. With a wanted base,
 * map exactly there.
 */
static int map_aligned(int fd, uint64_t offset, size_t len, int prot, bool copy, void *want,
		       void **out)
{
	unsigned int view_flags = copy ? SECTIONS_VIEW_COPY : 0;
	size_t span = len + WIN32_GRANULARITY;
	void *addr;
	int tries, ret;

	if (want) {
		addr = want;
		ret = sections_map_view(fd, offset, len, prot, view_flags | SECTIONS_VIEW_FIXED,
					&addr);
		if (ret == 0)
			*out = addr;
		return ret;
	}
	for (tries = 0; span > len && tries < 8; tries++) {
		void *res = mmap(NULL, span, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		uintptr_t base;

		if (res == MAP_FAILED)
			break;
		munmap(res, span);
		base = ((uintptr_t)res + WIN32_GRANULARITY - 1) &
		       ~(uintptr_t)(WIN32_GRANULARITY - 1);
		addr = (void *)base;
		ret = sections_map_view(fd, offset, len, prot, view_flags | SECTIONS_VIEW_FIXED,
					&addr);
		if (ret != -EEXIST) {
			if (ret == 0)
				*out = addr;
			return ret;
		}
	}
	addr = NULL;
	ret = sections_map_view(fd, offset, len, prot, view_flags, &addr);
	if (ret == 0)
		*out = addr;
	return ret;
}

SECTIONS_EXPORT LPVOID WINAPI MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
					      DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
					      SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress)
{
	uint64_t offset = ((uint64_t)dwFileOffsetHigh << 32) | dwFileOffsetLow;
	int fd = win32_fd(hFileMappingObject);
	DWORD kind = dwDesiredAccess & ~FILE_MAP_EXECUTE;
	size_t len = dwNumberOfBytesToMap;
	bool copy = false;
	void *view = NULL;
	int prot, ret;

	if (fd < 0 || !win32_is_section(fd)) {
		SetLastError(ERROR_INVALID_HANDLE);
		return NULL;
	}
	if (dwDesiredAccess & FILE_MAP_UNSUPPORTED) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	if (kind == FILE_MAP_COPY) {
		copy = true;
		prot = PROT_READ | PROT_WRITE;
	} else if (dwDesiredAccess & FILE_MAP_WRITE) {
		prot = PROT_READ | PROT_WRITE;
	} else if (dwDesiredAccess & FILE_MAP_READ) {
		prot = PROT_READ;
	} else {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	if (dwDesiredAccess & FILE_MAP_EXECUTE)
		prot |= PROT_EXEC;
	if ((offset % WIN32_GRANULARITY) ||
	    ((uintptr_t)lpBaseAddress % WIN32_GRANULARITY)) {
		SetLastError(ERROR_MAPPED_ALIGNMENT);
		return NULL;
	}
	if (len == 0) {
		uint64_t size;

		ret = section_size(fd, &size);
		if (ret == 0 && offset >= size)
			ret = -ENXIO;
		if (ret == 0 && size - offset > SIZE_MAX)
			ret = -ENOMEM;
		if (ret) {
			if (ret == -ENOMEM)
				SetLastError(ERROR_NOT_ENOUGH_MEMORY);
			else
				win32_set_errno(ret);
			return NULL;
		}
		len = (size_t)(size - offset);
	}
	ret = map_aligned(fd, offset, len, prot, copy, lpBaseAddress, &view);
	if (ret) {
		if (ret == -EEXIST)
			SetLastError(ERROR_INVALID_ADDRESS);
		else if (ret == -ENOMEM)
			SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		else
			win32_set_errno(ret);
		return NULL;
	}
	return view;
}

SECTIONS_EXPORT LPVOID WINAPI MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
					    DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
					    SIZE_T dwNumberOfBytesToMap)
{
	return MapViewOfFileEx(hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh,
			       dwFileOffsetLow, dwNumberOfBytesToMap, NULL);
}

SECTIONS_EXPORT BOOL WINAPI UnmapViewOfFile(LPCVOID lpBaseAddress)
{
	int dev, ret;

	if (!lpBaseAddress) {
		SetLastError(ERROR_INVALID_ADDRESS);
		return FALSE;
	}
	dev = device_or_error();
	if (dev < 0)
		return FALSE;
	ret = sections_unmap_view(dev, (void *)lpBaseAddress);
	if (ret == -EINVAL) {
		uintptr_t start;

		/*
		 * Windows unmaps the view holding any address of it, not only
		 * its base; an address in no view is ERROR_INVALID_ADDRESS.
		 */
		ret = win32_mapping_start(lpBaseAddress, &start);
		if (!ret)
			ret = sections_unmap_view(dev, (void *)start);
	}
	if (ret) {
		if (ret == -EINVAL)
			SetLastError(ERROR_INVALID_ADDRESS);
		else
			win32_set_errno(ret);
		return FALSE;
	}
	return TRUE;
}

SECTIONS_EXPORT BOOL WINAPI FlushViewOfFile(LPCVOID lpBaseAddress, SIZE_T dwNumberOfBytesToFlush)
{
	int dev, ret;

	if (!lpBaseAddress) {
		SetLastError(ERROR_INVALID_ADDRESS);
		return FALSE;
	}
	dev = device_or_error();
	if (dev < 0)
		return FALSE;
	ret = sections_flush_view(dev, (void *)lpBaseAddress, dwNumberOfBytesToFlush, 0);
	if (ret) {
		if (ret == -EINVAL)
			SetLastError(ERROR_INVALID_ADDRESS);
		else
			win32_set_errno(ret);
		return FALSE;
	}
	return TRUE;
}

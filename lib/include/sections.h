/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libsections: user-space interface to the "sections" kernel module, which
 * gives Linux Windows NT section objects (CreateFileMapping/MapViewOfFile).
 *
 * Conventions (as in liburing):
 *  - Every function returns 0 (or a file descriptor) on success and a negative
 *    errno value on failure. errno itself is not meant to be inspected,
 *    although the failing system call may have changed it.
 *  - The library keeps no global or hidden state and allocates no memory;
 *    every function is thread-safe. Each is a thin wrapper around one system
 *    call (sections_map_view() makes up to three: a size query, mmap and,
 *    to undo a misplaced fixed view, munmap).
 *  - Handles are plain file descriptors: close them with close(2). Views are
 *    plain mappings: sections_unmap_view() or munmap(2) both end them.
 *
 * Building against this header: it includes <linux/sections.h>, the kernel
 * module's UAPI header, which lives in uapi/linux/sections.h of the source
 * tree (the library's Makefile passes -I../uapi; users of an uninstalled tree
 * need -I<top>/uapi, pkg-config --cflags libsections gives the installed
 * path). Link with -lsections.
 */
#ifndef LIBSECTIONS_SECTIONS_H
#define LIBSECTIONS_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/sections.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBSECTIONS_VERSION_MAJOR	1
#define LIBSECTIONS_VERSION_MINOR	2

/* Path of the control device. */
#define SECTIONS_DEVICE_PATH		"/dev/sections"

/*
 * Flags of sections_map_view(). These belong to the library only; the kernel
 * never sees them.
 */
/* Copy-on-write view (MAP_PRIVATE); otherwise a shared view (MAP_SHARED). */
#define SECTIONS_VIEW_COPY		0x01U
/* Map exactly at *addr, failing with -EEXIST if that range is in use. */
#define SECTIONS_VIEW_FIXED		0x02U

/**
 * sections_open_device() - open the control device /dev/sections
 *
 * The descriptor is opened O_RDWR | O_CLOEXEC. It is needed to create and
 * open sections and to unmap, flush and query views; close it with close(2).
 * Handles and views stay valid after it is closed.
 *
 * RETURN VALUE: a file descriptor, or a negative errno value.
 *
 * ERRORS:
 *  -ENOENT	/dev/sections does not exist (module not loaded).
 *  -ENXIO, -ENODEV	the device node exists but no driver is behind it.
 *  -EACCES	the caller may not open the device.
 *  Any other error of open(2).
 */
int sections_open_device(void);

/**
 * sections_create() - create a pagefile-backed section, or open the named one
 * @dev:	descriptor of /dev/sections.
 * @size:	maximum size in bytes (rounded up to whole pages by the kernel).
 * @protection:	one SECTIONS_PAGE_* value.
 * @name:	NUL-terminated name (an optional "Global\" or "Local\" prefix is
 *		accepted), or NULL for an unnamed section.
 * @flags:	SECTIONS_HANDLE_CLOEXEC or 0.
 * @existed:	if not NULL, set to true when @name was already held by a
 *		section and the returned handle is to that section (then @size
 *		and @protection were ignored, as with CreateFileMapping's
 *		ERROR_ALREADY_EXISTS), false otherwise.
 *
 * The handle gets every access right @protection allows, the section gets no
 * attributes and the default mode (SECTIONS_DEFAULT_MODE). Use
 * sections_create_ex() for control over these.
 *
 * RETURN VALUE: the new handle (a file descriptor), or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@dev is negative, @name is the empty string, @size is 0,
 *		@protection is not exactly one SECTIONS_PAGE_* value, @flags has
 *		unknown bits, or @name is malformed (a backslash other than the
 *		prefix's).
 *  -ENAMETOOLONG	@name is longer than SECTIONS_NAME_MAX bytes.
 *  -EFBIG	@size is above SECTIONS_SIZE_MAX.
 *  -ENOMEM	@size exceeds what the commit limit allows.
 *  -EACCES	an existing section of that name may not be opened by the
 *		caller with the rights @protection implies.
 *  -EMEDIUMTYPE	the name is held by an object of another type.
 *  -EMFILE, -ENFILE	no descriptor is available.
 *  -ENOTTY, -EBADF	@dev is not a descriptor of /dev/sections.
 */
int sections_create(int dev, uint64_t size, uint32_t protection,
		    const char *name, uint32_t flags, bool *existed);

/**
 * sections_create_ex() - SECTIONS_IOC_CREATE with every field under control
 * @dev:	descriptor of /dev/sections.
 * @args:	the arguments, as documented in <linux/sections.h>; the caller
 *		fills in @args->name and @args->name_len itself. @args->result
 *		is written on success (SECTIONS_CREATE_EXISTED).
 *
 * RETURN VALUE: the new handle, or a negative errno value.
 *
 * ERRORS: -EINVAL if @dev is negative or @args is NULL; otherwise those of
 * sections_create(), and -EACCES when @args->access asks for more than
 * @args->protection allows.
 */
int sections_create_ex(int dev, struct sections_create_args *args);

/**
 * sections_open() - open a named section (OpenFileMapping)
 * @dev:	descriptor of /dev/sections.
 * @name:	NUL-terminated name, as for sections_create().
 * @access:	SECTIONS_ACCESS_* rights wanted (not 0).
 * @flags:	SECTIONS_HANDLE_CLOEXEC or 0.
 *
 * RETURN VALUE: the new handle, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@dev is negative, @name is NULL or empty, @access is 0 or has
 *		unknown bits, @flags has unknown bits, or @name is malformed.
 *  -ENAMETOOLONG	@name is longer than SECTIONS_NAME_MAX bytes.
 *  -ENOENT	no section holds that name (any more: a name disappears with the
 *		last handle, even while views remain).
 *  -EACCES	a right in @access is not allowed by the section's protection
 *		or by its mode for the caller.
 *  -EMEDIUMTYPE	the name is held by an object of another type.
 *  -EMFILE, -ENFILE	no descriptor is available.
 *  -ENOTTY, -EBADF	@dev is not a descriptor of /dev/sections.
 */
int sections_open(int dev, const char *name, uint32_t access, uint32_t flags);

/**
 * sections_duplicate() - a new handle to the same section (DuplicateHandle)
 * @handle:	a section handle.
 * @access:	rights of the new handle, a subset of @handle's; ignored with
 *		SECTIONS_DUP_SAME_ACCESS.
 * @flags:	SECTIONS_HANDLE_CLOEXEC, SECTIONS_DUP_SAME_ACCESS.
 *
 * Unlike dup(2), the new handle is a separate open file description with its
 * own access mask.
 *
 * RETURN VALUE: the new handle, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@handle is negative, or @access or @flags has unknown bits.
 *  -EACCES	@access is not a subset of @handle's rights.
 *  -EMFILE, -ENFILE	no descriptor is available.
 *  -ENOTTY, -EBADF	@handle is not a section handle.
 */
int sections_duplicate(int handle, uint32_t access, uint32_t flags);

/**
 * sections_map_view() - map a view of a section (MapViewOfFile)
 * @handle:	a section handle.
 * @offset:	byte offset in the section; a multiple of the page size.
 * @length:	bytes to map; 0 means from @offset to the end of the section
 *		(the size is then queried first, which needs
 *		SECTIONS_ACCESS_QUERY unless fstat(2) on the handle reports it).
 * @prot:	PROT_READ, PROT_WRITE, PROT_EXEC or PROT_NONE, as for mmap(2).
 *		A shared view needs SECTIONS_ACCESS_MAP_READ or MAP_WRITE,
 *		and MAP_WRITE (and a writable protection) for PROT_WRITE; a
 *		SECTIONS_VIEW_COPY view needs SECTIONS_ACCESS_MAP_COPY, its
 *		writes staying private. PROT_EXEC needs MAP_EXECUTE and an
 *		executable protection.
 * @view_flags:	SECTIONS_VIEW_COPY, SECTIONS_VIEW_FIXED.
 * @addr:	in: the wanted address with SECTIONS_VIEW_FIXED, otherwise a
 *		hint (NULL for none); out: the address of the view on success,
 *		left alone on failure.
 *
 * A view is indivisible, as in Windows: it ends as a whole, with
 * sections_unmap_view() or a munmap(2) of all of it; unmapping or mprotecting
 * part of it fails with EINVAL.
 *
 * RETURN VALUE: 0, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@handle is negative, @addr is NULL, @offset is not page
 *		aligned, @view_flags has unknown bits, or SECTIONS_VIEW_FIXED
 *		with a NULL or unaligned *@addr.
 *  -EOVERFLOW	@offset + @length overflows.
 *  -ENXIO	the range lies (partly) outside the section, or @length is 0
 *		and @offset is at or past its end.
 *  -EACCES	@handle lacks a right @prot, the view kind or the size query
 *		needs, or @prot asks for more than the section's protection.
 *  -EEXIST	SECTIONS_VIEW_FIXED and the range is already mapped.
 *  -ENOMEM	no room in the address space, or too many mappings.
 *  -ENODEV, -EBADF	@handle is not a section handle.
 */
int sections_map_view(int handle, uint64_t offset, size_t length, int prot,
		      unsigned int view_flags, void **addr);

/**
 * sections_unmap_view() - unmap a whole view (UnmapViewOfFile)
 * @dev:	descriptor of /dev/sections.
 * @addr:	the base address of a view of the calling process.
 *
 * RETURN VALUE: 0, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@dev is negative, @addr is NULL, or @addr is not the base of a
 *		view.
 *  -ENOTTY, -EBADF	@dev is not a descriptor of /dev/sections.
 */
int sections_unmap_view(int dev, void *addr);

/**
 * sections_flush_view() - write a range of a view to its backing store
 *			   (FlushViewOfFile)
 * @dev:	descriptor of /dev/sections.
 * @addr:	an address inside a view (rounded down to a page boundary).
 * @len:	bytes to flush; 0 means to the end of the view.
 * @flags:	SECTIONS_FLUSH_DURABLE or 0.
 *
 * For pagefile-backed sections this only validates the range.
 *
 * RETURN VALUE: 0, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@dev is negative, @addr is NULL or not in any view, or @flags
 *		has unknown bits.
 *  -ENXIO	the range does not lie inside one view.
 *  -EIO	writing back failed.
 *  -ENOTTY, -EBADF	@dev is not a descriptor of /dev/sections.
 */
int sections_flush_view(int dev, void *addr, size_t len, unsigned int flags);

/**
 * sections_query() - what a handle refers to (NtQuerySection)
 * @handle:	a section handle with SECTIONS_ACCESS_QUERY.
 * @info:	filled in on success. Its name and name_size input fields are
 *		set by this function from @name and @name_size.
 * @name:	buffer for the NUL-terminated name (without prefix), or NULL.
 * @name_size:	size of @name in bytes; must be 0 when @name is NULL. Sizes
 *		above UINT32_MAX are treated as UINT32_MAX.
 *
 * An unnamed section gives info->name_len == 0 and, if @name is not NULL and
 * @name_size is at least 1, an empty string.
 *
 * RETURN VALUE: 0, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@handle is negative, @info is NULL, or @name is NULL with a
 *		non-zero @name_size.
 *  -ERANGE	the name does not fit in @name; info->name_len holds its length
 *		(the rest of @info is filled in too).
 *  -EACCES	@handle lacks SECTIONS_ACCESS_QUERY.
 *  -EFAULT	@name is not writable.
 *  -ENOTTY, -EBADF	@handle is not a section handle.
 */
int sections_query(int handle, struct sections_info *info, char *name,
		   size_t name_size);

/**
 * sections_query_pages() - share counts of pages of a section, by offset
 * @handle:	a section handle with SECTIONS_ACCESS_QUERY.
 * @offset:	byte offset in the section; page aligned.
 * @count:	number of pages (at least 1).
 * @pages:	array of @count entries, filled in on success.
 *
 * share_count counts the page-table entries that map each page in all
 * processes right now (see struct sections_page_info).
 *
 * RETURN VALUE: 0, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@handle is negative, @pages is NULL, @count is 0, or @offset is
 *		not page aligned.
 *  -ENXIO	the range lies (partly) outside the section.
 *  -EACCES	@handle lacks SECTIONS_ACCESS_QUERY.
 *  -EFAULT	@pages is not writable.
 *  -ENOTTY, -EBADF	@handle is not a section handle.
 */
int sections_query_pages(int handle, uint64_t offset, uint64_t count,
			 struct sections_page_info *pages);

/**
 * sections_query_view_pages() - share counts of pages of a view, by address
 * @dev:	descriptor of /dev/sections.
 * @addr:	a page-aligned address inside a view of the calling process.
 * @count:	number of pages (at least 1), all inside that one view.
 * @pages:	array of @count entries, filled in on success.
 *
 * Needs no handle: it works after every handle to the section is closed.
 *
 * RETURN VALUE: 0, or a negative errno value.
 *
 * ERRORS:
 *  -EINVAL	@dev is negative, @addr or @pages is NULL, @count is 0, or
 *		@addr is not page aligned or not in a view.
 *  -ENXIO	the range does not lie inside one view.
 *  -EFAULT	@pages is not writable.
 *  -ENOTTY, -EBADF	@dev is not a descriptor of /dev/sections.
 */
int sections_query_view_pages(int dev, const void *addr, uint64_t count,
			      struct sections_page_info *pages);

/**
 * sections_file_read() - cached read of a file (ReadFile)
 * @dev:	descriptor of /dev/sections.
 * @fd:		the file, open for reading.
 * @buf:	where to read to.
 * @len:	bytes to read (at most SECTIONS_FILE_IO_MAX are read).
 * @offset:	byte offset in the file.
 *
 * The bytes a section of the file covers come from the pages the sections
 * share, so what a view wrote is read at once; the others are a plain
 * pread(2). Does not move the file offset.
 *
 * RETURN VALUE: the bytes read (0 at or past the end of the file), or a
 * negative errno value.
 *
 * ERRORS:
 *  -EBADF	@fd is not open for reading.
 *  -ENODEV	@fd is not a regular file.
 *  -EINVAL	@offset is above 2^63 - 1.
 *  -EFAULT	@buf is not writable.
 *  -EINTR	a fatal signal came before anything was read.
 *  -EIO	the file could not be read.
 *  -ENOTTY	@dev is not a descriptor of /dev/sections.
 */
ssize_t sections_file_read(int dev, int fd, void *buf, size_t len, uint64_t offset);

/**
 * sections_file_write() - cached write of a file (WriteFile)
 * @dev:	descriptor of /dev/sections.
 * @fd:		the file, open for writing.
 * @buf:	what to write.
 * @len:	bytes to write (at most SECTIONS_FILE_IO_MAX are written).
 * @offset:	byte offset in the file.
 *
 * The bytes a section of the file covers go to the pages the sections share:
 * every view sees them at once, and they reach the file as a view's writes
 * do (when no view maps the page, after writeback_delay_ms; or at a flush).
 * The others are a plain pwrite(2). A write past the end of the file grows
 * it. Does not move the file offset.
 *
 * RETURN VALUE: the bytes written, or a negative errno value.
 *
 * ERRORS:
 *  -EBADF	@fd is not open for writing.
 *  -ENODEV	@fd is not a regular file.
 *  -EPERM	the file is append-only or immutable and a section covers the
 *		range.
 *  -EFBIG	@offset + @len is past the largest file offset.
 *  -ENOSPC, -EDQUOT	growing the file failed.
 *  -EFAULT	@buf is not readable.
 *  -EINTR	a fatal signal came before anything was written.
 *  -ENOTTY	@dev is not a descriptor of /dev/sections.
 */
ssize_t sections_file_write(int dev, int fd, const void *buf, size_t len, uint64_t offset);

/**
 * sections_file_flush() - write a file's cached pages and make it durable
 *			   (FlushFileBuffers)
 * @dev:	descriptor of /dev/sections.
 * @fd:		the file, open for writing.
 *
 * Writes the dirty pages of the file's sections that no view maps (mapped
 * pages wait for their views, as on Windows), then fsync(2)s the file.
 *
 * RETURN VALUE: 0, or a negative errno value: -EBADF, -ENODEV as above; a
 * write-back error (-EIO, -ENOSPC...) not reported before; -EINTR.
 */
int sections_file_flush(int dev, int fd);

/**
 * sections_file_set_size() - set the size of a file (SetEndOfFile)
 * @dev:	descriptor of /dev/sections.
 * @fd:		the file, open for writing.
 * @size:	the new size.
 *
 * As truncate(2) (the caller needs write permission on the file), except
 * that while a section of the file exists the file cannot shrink below the
 * end of the largest one.
 *
 * RETURN VALUE: 0, or a negative errno value: -EBADF, -ENODEV as above;
 * -EBUSY (a section covers the bytes it would cut; Windows'
 * ERROR_USER_MAPPED_FILE); -EFBIG; -EACCES; -EINTR.
 */
int sections_file_set_size(int dev, int fd, uint64_t size);

#ifdef __cplusplus
}
#endif

#endif /* LIBSECTIONS_SECTIONS_H */

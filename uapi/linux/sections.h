/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sections: Windows NT section objects (file mappings) for Linux.
 *
 * The misc device /dev/sections creates and opens sections. Each handle to a
 * section is a file descriptor that carries an access mask. A view of a
 * section is an mmap() of a handle.
 *
 * A handle is not a file: read(), write(), splice(), sendfile() and
 * copy_file_range() on it fail with EINVAL, lseek() with ESPIPE,
 * ftruncate(), fchmod() and fchown() with EPERM, fallocate() with
 * EOPNOTSUPP, flock() and fcntl() locks with ENOLCK, and none of them
 * changes the section. fstat() gives the section's size in st_size.
 *
 * All structures use fixed-width fields only; pointers travel as __u64 and
 * every pad field must be zero. Unknown flag bits are rejected with EINVAL.
 */
#ifndef _UAPI_LINUX_SECTIONS_H
#define _UAPI_LINUX_SECTIONS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Page protections of a section (the values of Windows' PAGE_* constants). */
#define SECTIONS_PAGE_READONLY		0x02
#define SECTIONS_PAGE_READWRITE		0x04
#define SECTIONS_PAGE_WRITECOPY		0x08
#define SECTIONS_PAGE_EXECUTE_READ	0x20
#define SECTIONS_PAGE_EXECUTE_READWRITE	0x40
#define SECTIONS_PAGE_EXECUTE_WRITECOPY	0x80

/*
 * Access rights of a handle. The first five have the values of Windows'
 * SECTION_* rights; SECTIONS_ACCESS_MAP_COPY is ours (Windows folds
 * copy-on-write views into FILE_MAP_COPY).
 */
#define SECTIONS_ACCESS_QUERY		0x01
#define SECTIONS_ACCESS_MAP_WRITE	0x02
#define SECTIONS_ACCESS_MAP_READ	0x04
#define SECTIONS_ACCESS_MAP_EXECUTE	0x08
#define SECTIONS_ACCESS_EXTEND		0x10
#define SECTIONS_ACCESS_MAP_COPY	0x20
#define SECTIONS_ACCESS_ALL		0x3f

/**
 * sections_protection_access() - the rights a handle may have on a section
 * @protection: the section's SECTIONS_PAGE_* protection
 *
 * Create, open and duplicate refuse a handle with any other right (EACCES).
 * Writing and extending need a writable protection, executing an executable
 * one; querying, reading and copy-on-write views are always allowed.
 *
 * Return: a mask of SECTIONS_ACCESS_* rights.
 */
static inline __u32 sections_protection_access(__u32 protection)
{
	__u32 access = SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_COPY;

	if (protection & (SECTIONS_PAGE_READWRITE | SECTIONS_PAGE_EXECUTE_READWRITE))
		access |= SECTIONS_ACCESS_MAP_WRITE | SECTIONS_ACCESS_EXTEND;
	if (protection & (SECTIONS_PAGE_EXECUTE_READ | SECTIONS_PAGE_EXECUTE_READWRITE |
			  SECTIONS_PAGE_EXECUTE_WRITECOPY))
		access |= SECTIONS_ACCESS_MAP_EXECUTE;
	return access;
}

/* Section attributes. */
/* Do not charge the whole size to the commit limit at create (like SEC_RESERVE). */
#define SECTIONS_ATTR_NORESERVE		0x01
/* Query only (never an input): the name is in the Global\ scope. */
#define SECTIONS_ATTR_GLOBAL_NAME	0x100

/* Flags of create, open and duplicate. */
#define SECTIONS_HANDLE_CLOEXEC		0x01
/* Duplicate only: the new handle gets the same access as the old one. */
#define SECTIONS_DUP_SAME_ACCESS	0x02
/* Create only: a file-backed section on sections_create_args.fd. */
#define SECTIONS_CREATE_FILE		0x04

/* Output flags of create. */
/* The name was taken by an existing section; a handle to it was returned. */
#define SECTIONS_CREATE_EXISTED		0x01

/* Backing of a section, as reported by query. */
#define SECTIONS_BACKING_PAGEFILE	1
#define SECTIONS_BACKING_FILE		2

/* Flags of flush-view. */
/* Also make the written range durable (fsync of the range). */
#define SECTIONS_FLUSH_DURABLE		0x01

/* Bits of struct sections_page_info.flags. */
#define SECTIONS_PAGE_RESIDENT		0x01
#define SECTIONS_PAGE_DIRTY		0x02

/* Longest name, in bytes, including a "Global\" or "Local\" prefix. */
#define SECTIONS_NAME_MAX		255

/* Largest section, in bytes (64 TiB). Larger sizes fail with EFBIG. */
#define SECTIONS_SIZE_MAX		(1ULL << 46)

/* Default mode of a named section when sections_create_args.mode is 0. */
#define SECTIONS_DEFAULT_MODE		0600

/**
 * struct sections_create_args - create a section, or open the one of that name
 * @size: maximum size in bytes; rounded up to whole pages. Above
 *	SECTIONS_SIZE_MAX is EFBIG. Pagefile-backed: 0 is EINVAL, more than the
 *	commit limit allows is ENOMEM (unless SECTIONS_ATTR_NORESERVE).
 *	File-backed: 0 means the file's size (ENODATA if the file is empty); a
 *	size past the end of the file grows the file when the protection is
 *	writable, and is EOVERFLOW when it is not.
 * @name: user pointer to the name (not NUL-terminated), or 0 for an unnamed
 *	section. Names live in the caller's IPC namespace: "Global\x" in its
 *	global scope, shared by all users; "Local\x" and "x" in the scope of
 *	the caller's effective uid, so another user's "Local\x" is another
 *	object. Creating a Global\ name needs CAP_IPC_OWNER over the IPC
 *	namespace, or membership in the group of the module parameter
 *	global_group (else EPERM); opening one needs only its mode. No other
 *	backslash and no NUL is allowed (EINVAL).
 * @name_len: length of @name in bytes, 0 for unnamed, at most
 *	SECTIONS_NAME_MAX (else ENAMETOOLONG).
 * @protection: exactly one SECTIONS_PAGE_* value.
 * @access: the SECTIONS_ACCESS_* rights of the returned handle; 0 means every
 *	right the protection allows. Asking for more than the protection allows
 *	is EACCES.
 * @attributes: SECTIONS_ATTR_* bits.
 * @flags: SECTIONS_HANDLE_CLOEXEC, SECTIONS_CREATE_FILE.
 * @mode: permission bits (0777 at most) of a named section, checked when
 *	others open it; 0 means SECTIONS_DEFAULT_MODE.
 * @result: output, SECTIONS_CREATE_EXISTED when the name was held by an
 *	existing section: the handle is then to that section, and @size,
 *	@protection, @attributes, @mode and @fd were ignored. That is an open:
 *	the rights asked for must be granted as for SECTIONS_IOC_OPEN (else
 *	EACCES, and no handle).
 * @fd: with SECTIONS_CREATE_FILE, an open regular file to back the section
 *	(EBADF if not open, ENODEV if not a regular file); it must be open for
 *	reading, and for writing too with a writable protection (EACCES). The
 *	section keeps its own reference: the caller may close @fd at once.
 *	Must be zero without SECTIONS_CREATE_FILE.
 *
 * SECTIONS_IOC_CREATE on /dev/sections returns the new handle (a file
 * descriptor) as the ioctl's return value. Past the creator's limits
 * (module parameters max_sections_per_user, max_names_per_user; no limit
 * with CAP_SYS_RESOURCE) it fails with ENOSPC. A create of a name that
 * another create is still building waits for it; a signal that kills the
 * caller ends that wait, or a wait for a frozen filesystem, with EINTR. A
 * create that fails changes nothing: the file keeps its size.
 *
 * All sections created on one file, by any process, named or not, share one
 * set of pages (one control area). A dirty page is written to the file only
 * when its share count is zero, after a delay (module parameter
 * writeback_delay_ms), or when a flush asks for it.
 */
struct sections_create_args {
	__u64 size;
	__u64 name;
	__u32 name_len;
	__u32 protection;
	__u32 access;
	__u32 attributes;
	__u32 flags;
	__u32 mode;
	__u32 result;
	__u32 fd;
};

/**
 * struct sections_open_args - open a named section
 * @name: user pointer to the name, as for create.
 * @name_len: length of @name in bytes (1 to SECTIONS_NAME_MAX).
 * @access: SECTIONS_ACCESS_* rights wanted (0 is EINVAL). Each right must be
 *	allowed by the section's protection and by its mode for the caller
 *	(CAP_IPC_OWNER overrides the mode), else EACCES.
 * @flags: SECTIONS_HANDLE_CLOEXEC.
 *
 * SECTIONS_IOC_OPEN on /dev/sections returns the new handle. A name nobody
 * holds is ENOENT; a name held by an object of another type is EMEDIUMTYPE.
 */
struct sections_open_args {
	__u64 name;
	__u32 name_len;
	__u32 access;
	__u32 flags;
	__u32 pad;
};

/**
 * struct sections_dup_args - duplicate a handle
 * @access: rights of the new handle; must be a subset of the old handle's
 *	(else EACCES). Ignored with SECTIONS_DUP_SAME_ACCESS.
 * @flags: SECTIONS_HANDLE_CLOEXEC, SECTIONS_DUP_SAME_ACCESS.
 *
 * SECTIONS_IOC_DUPLICATE on a handle returns the new handle.
 */
struct sections_dup_args {
	__u32 access;
	__u32 flags;
};

/**
 * struct sections_info - what SECTIONS_IOC_QUERY tells about a handle
 * @size: size of the section in bytes (a multiple of the page size).
 * @name: input: user pointer to a buffer for the name, or 0.
 * @name_size: input: size of that buffer. The name is written there with a
 *	terminating NUL when it fits (else ERANGE, with @name_len set).
 * @name_len: output: length of the name without prefix, 0 if unnamed.
 * @protection: the section's SECTIONS_PAGE_* protection.
 * @attributes: the section's SECTIONS_ATTR_* attributes, and
 *	SECTIONS_ATTR_GLOBAL_NAME for a name in the Global\ scope.
 * @backing: SECTIONS_BACKING_*.
 * @access: this handle's SECTIONS_ACCESS_* rights.
 * @handles: open handles (file descriptions) to the section.
 * @views: views (mappings) of the section in all processes.
 * @uid: owner's user id, in the caller's user namespace.
 * @gid: owner's group id, in the caller's user namespace.
 * @mode: permission bits.
 * @write_error: file-backed: the positive errno of a failed write-back not
 *	yet reported by a flush, else 0. The pages it failed to write stay
 *	dirty; while write-back keeps failing, a section holds at most an
 *	eighth of the dirty limit in dirty pages, and a write to a clean page
 *	past that raises SIGBUS (a cached write fails with this error).
 *	ENXIO: another program cut the file below dirty pages of the section,
 *	which are lost with the bytes the file no longer has.
 *
 * Needs SECTIONS_ACCESS_QUERY.
 */
struct sections_info {
	__u64 size;
	__u64 name;
	__u32 name_size;
	__u32 name_len;
	__u32 protection;
	__u32 attributes;
	__u32 backing;
	__u32 access;
	__u32 handles;
	__u32 views;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 write_error;
};

/**
 * struct sections_page_info - one page in a page query
 * @share_count: the number of page-table entries, in all processes, that map
 *	this page of the section right now. It counts only pages actually mapped:
 *	a view that has not touched the page does not count (unless the module
 *	parameter fault_around maps the neighbours of a read fault), a process with two
 *	views that both touched it counts twice, and a page replaced in a
 *	copy-on-write view by its private copy no longer counts for that view.
 *	This is the share count of the page's frame in Windows' terms.
 * @flags: SECTIONS_PAGE_RESIDENT when the page is in memory,
 *	SECTIONS_PAGE_DIRTY when it holds data not yet written to its backing
 *	store (for pagefile sections: not yet in swap).
 */
struct sections_page_info {
	__u32 share_count;
	__u32 flags;
};

/**
 * struct sections_page_query - share counts of a range of pages
 * @start: on a handle (SECTIONS_IOC_QUERY_PAGES): byte offset in the
 *	section; on /dev/sections (SECTIONS_IOC_QUERY_VIEW_PAGES): an address
 *	inside a view of the calling process. Must be page aligned (EINVAL).
 * @count: number of pages; the range must lie inside the section, or inside
 *	one view (ENXIO), and @count must be at least 1 (EINVAL).
 * @pages: user pointer to @count struct sections_page_info.
 *
 * On a handle this needs SECTIONS_ACCESS_QUERY.
 */
struct sections_page_query {
	__u64 start;
	__u64 count;
	__u64 pages;
};

/**
 * struct sections_flush_args - flush a range of a view
 * @addr: an address inside a view of the calling process; rounded down to a
 *	page boundary.
 * @len: bytes to flush from @addr; 0 means to the end of the view. The
 *	range must lie inside one view (ENXIO; EINVAL for an address that is not
 *	in any view).
 * @flags: SECTIONS_FLUSH_DURABLE.
 * @pad: must be zero.
 *
 * File-backed: the dirty pages of the range are written to the file now,
 * even while mapped (they become clean and are dirtied again by the next
 * write); with SECTIONS_FLUSH_DURABLE the range is then fsync'ed. A write-back
 * error, this one or an earlier lazy one, is returned here (EIO, ENOSPC...).
 * msync(MS_SYNC) on a view does the durable flush. A fatal signal ends a
 * flush (EINTR); the pages it did not write stay dirty.
 *
 * Pagefile-backed sections have nothing to write: the call validates the
 * range and succeeds.
 */
struct sections_flush_args {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
};

/* The most one SECTIONS_IOC_FILE_READ or _WRITE transfers, as read(2) and write(2). */
#define SECTIONS_FILE_IO_MAX		0x7ffff000U

/**
 * struct sections_file_io - arguments of SECTIONS_IOC_FILE_READ and _WRITE
 * @fd: the file, open for reading (READ) or writing (WRITE), else EBADF; a
 *	regular file, else ENODEV
 * @flags: must be zero.
 * @offset: byte offset in the file (below 2^63, else EINVAL).
 * @buf: the caller's buffer.
 * @len: bytes to transfer; at most SECTIONS_FILE_IO_MAX are.
 *
 * Cached file I/O, as Windows' ReadFile and WriteFile of a file opened
 * without FILE_FLAG_NO_BUFFERING. The bytes that a section of the file
 * covers (up to the end of the largest section, rounded up to a page) are
 * read from and written to the pages the sections share (the file's control
 * area): a view's write is read at once, a write is seen by every view at
 * once, and a view and a write changing different bytes of one page both
 * reach the file. Written pages are written back as a view's are: when no
 * view maps them, by the lazy writer; FLUSH, SECTIONS_IOC_FLUSH_VIEW and the
 * last close write them too. Other bytes, and files no section has, are a
 * plain pread(2) or pwrite(2) of @fd.
 *
 * A WRITE past the end of a file a section has grows the file first
 * (fallocate(2), else truncate(2)), so that every byte written lies inside
 * it. WRITE through a section's pages of an append-only or immutable file is
 * EPERM. Returns the bytes transferred (READ: 0 at or past the end of the
 * file); a fatal signal ends a transfer (EINTR if nothing was transferred).
 */
struct sections_file_io {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 buf;
	__u64 len;
};

/**
 * struct sections_file_args - arguments of SECTIONS_IOC_FILE_FLUSH and _SET_SIZE
 * @fd: the file, open for writing (EBADF), a regular file (ENODEV).
 * @flags: must be zero.
 * @size: SET_SIZE: the new size of the file. FLUSH: must be zero.
 *
 * FLUSH (FlushFileBuffers): writes the pages of the file's control area that
 * are dirty and that no view maps (share count zero: mapped pages are written
 * when unmapped, or by a flush of a view, as on Windows), then makes the file
 * durable (fsync(2)). Returns 0 or the first write-back error not reported
 * yet, as SECTIONS_IOC_FLUSH_VIEW does.
 *
 * SET_SIZE (SetEndOfFile): sets the size of the file, as ftruncate(2) (the
 * caller needs write permission on the file, as truncate(2) checks).
 * Shrinking the file below the end of the largest section of it that exists
 * (to the byte) is EBUSY (Windows: ERROR_USER_MAPPED_FILE); growing it is
 * allowed. A section that has gone holds no size: its dirty pages past the
 * cut are written first and no loss is reported. After the last section, it
 * first waits for the section's last dirty pages to reach the file.
 */
struct sections_file_args {
	__s32 fd;
	__u32 flags;
	__u64 size;
};

#define SECTIONS_IOC_MAGIC	0xE5

/* On /dev/sections. */
#define SECTIONS_IOC_CREATE		_IOWR(SECTIONS_IOC_MAGIC, 0x00, struct sections_create_args)
#define SECTIONS_IOC_OPEN		_IOW(SECTIONS_IOC_MAGIC, 0x01, struct sections_open_args)
/* Unmap the whole view whose base address is the argument (a __u64 value). */
#define SECTIONS_IOC_UNMAP_VIEW		_IOW(SECTIONS_IOC_MAGIC, 0x02, __u64)
#define SECTIONS_IOC_FLUSH_VIEW		_IOW(SECTIONS_IOC_MAGIC, 0x03, struct sections_flush_args)
#define SECTIONS_IOC_QUERY_VIEW_PAGES	_IOW(SECTIONS_IOC_MAGIC, 0x04, struct sections_page_query)
/* Cached file I/O of any file: they return the bytes transferred. */
#define SECTIONS_IOC_FILE_READ		_IOW(SECTIONS_IOC_MAGIC, 0x05, struct sections_file_io)
#define SECTIONS_IOC_FILE_WRITE		_IOW(SECTIONS_IOC_MAGIC, 0x06, struct sections_file_io)
#define SECTIONS_IOC_FILE_FLUSH		_IOW(SECTIONS_IOC_MAGIC, 0x07, struct sections_file_args)
#define SECTIONS_IOC_FILE_SET_SIZE	_IOW(SECTIONS_IOC_MAGIC, 0x08, struct sections_file_args)

/* On a handle. */
#define SECTIONS_IOC_QUERY		_IOWR(SECTIONS_IOC_MAGIC, 0x10, struct sections_info)
#define SECTIONS_IOC_DUPLICATE		_IOW(SECTIONS_IOC_MAGIC, 0x11, struct sections_dup_args)
#define SECTIONS_IOC_QUERY_PAGES	_IOW(SECTIONS_IOC_MAGIC, 0x12, struct sections_page_query)

#endif /* _UAPI_LINUX_SECTIONS_H */

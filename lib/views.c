// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections: mapping, unmapping and flushing views.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define SECTIONS_VIEW_FLAGS	(SECTIONS_VIEW_COPY | SECTIONS_VIEW_FIXED)

static int page_mask(uint64_t *mask)
{
	long sz = sysconf(_SC_PAGESIZE);

	if (sz <= 0)
		return -EINVAL;
	*mask = (uint64_t)sz - 1;
	return 0;
}

/*
 * Size of the section behind @handle: SECTIONS_IOC_QUERY, or, when the handle
 * may not query, whatever fstat() says if it says anything.
 */
static int section_size(int handle, uint64_t *size)
{
	struct sections_info info;
	struct stat st;
	int ret;

	memset(&info, 0, sizeof(info));
	ret = sections_ioctl(handle, SECTIONS_IOC_QUERY, &info);
	if (ret == 0) {
		*size = info.size;
		return 0;
	}
	if (ret == -EACCES && fstat(handle, &st) == 0 && st.st_size > 0) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	return ret;
}

SECTIONS_EXPORT int sections_map_view(int handle, uint64_t offset, size_t length,
				      int prot, unsigned int view_flags, void **addr)
{
	uint64_t mask, size;
	int flags, ret;
	void *want, *p;

	if (handle < 0 || !addr || (view_flags & ~SECTIONS_VIEW_FLAGS))
		return -EINVAL;
	ret = page_mask(&mask);
	if (ret)
		return ret;
	if (offset & mask)
		return -EINVAL;
	want = *addr;
	if ((view_flags & SECTIONS_VIEW_FIXED) &&
	    (!want || (sections_ptr(want) & mask)))
		return -EINVAL;

	if (length == 0) {
		ret = section_size(handle, &size);
		if (ret)
			return ret;
		if (offset >= size)
			return -ENXIO;
		if (size - offset > SIZE_MAX)
			return -ENOMEM;
		length = (size_t)(size - offset);
	}
	if (offset > UINT64_MAX - length || offset + length > (uint64_t)INT64_MAX)
		return -EOVERFLOW;

	flags = (view_flags & SECTIONS_VIEW_COPY) ? MAP_PRIVATE : MAP_SHARED;
	if (view_flags & SECTIONS_VIEW_FIXED)
		flags |= MAP_FIXED_NOREPLACE;

	p = mmap(want, length, prot, flags, handle, (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	/* Kernels before 4.17 take MAP_FIXED_NOREPLACE as a mere hint. */
	if ((view_flags & SECTIONS_VIEW_FIXED) && p != want) {
		munmap(p, length);
		return -EEXIST;
	}
	*addr = p;
	return 0;
}

SECTIONS_EXPORT int sections_unmap_view(int dev, void *addr)
{
	__u64 base = sections_ptr(addr);

	if (dev < 0 || !addr)
		return -EINVAL;
	return sections_ioctl(dev, SECTIONS_IOC_UNMAP_VIEW, &base);
}

SECTIONS_EXPORT int sections_flush_view(int dev, void *addr, size_t len,
					unsigned int flags)
{
	struct sections_flush_args args;

	if (dev < 0 || !addr || (flags & ~SECTIONS_FLUSH_DURABLE))
		return -EINVAL;

	memset(&args, 0, sizeof(args));
	args.addr = sections_ptr(addr);
	args.len = len;
	args.flags = flags;
	return sections_ioctl(dev, SECTIONS_IOC_FLUSH_VIEW, &args);
}

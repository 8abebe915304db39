// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections: querying handles, pages of sections and pages of views.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

SECTIONS_EXPORT int sections_query(int handle, struct sections_info *info,
				   char *name, size_t name_size)
{
	if (handle < 0 || !info || (!name && name_size))
		return -EINVAL;

	memset(info, 0, sizeof(*info));
	/* The kernel writes no name for an unnamed section. */
	if (name && name_size)
		name[0] = '\0';
	info->name = sections_ptr(name);
	info->name_size = name_size > UINT32_MAX ? UINT32_MAX : (__u32)name_size;
	return sections_ioctl(handle, SECTIONS_IOC_QUERY, info);
}

static int query_pages(int fd, unsigned long req, uint64_t start, uint64_t count,
		       struct sections_page_info *pages)
{
	struct sections_page_query q;

	if (fd < 0 || !pages || count == 0)
		return -EINVAL;

	memset(&q, 0, sizeof(q));
	q.start = start;
	q.count = count;
	q.pages = sections_ptr(pages);
	return sections_ioctl(fd, req, &q);
}

SECTIONS_EXPORT int sections_query_pages(int handle, uint64_t offset, uint64_t count,
					 struct sections_page_info *pages)
{
	return query_pages(handle, SECTIONS_IOC_QUERY_PAGES, offset, count, pages);
}

SECTIONS_EXPORT int sections_query_view_pages(int dev, const void *addr, uint64_t count,
					      struct sections_page_info *pages)
{
	if (!addr)
		return -EINVAL;
	return query_pages(dev, SECTIONS_IOC_QUERY_VIEW_PAGES, sections_ptr(addr),
			   count, pages);
}

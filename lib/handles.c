// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections: opening the device, creating, opening and duplicating handles.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SECTIONS_HANDLE_FLAGS	SECTIONS_HANDLE_CLOEXEC
#define SECTIONS_DUP_FLAGS	(SECTIONS_HANDLE_CLOEXEC | SECTIONS_DUP_SAME_ACCESS)

/*
 * Length of a caller's name: -EINVAL for the empty string, -ENAMETOOLONG past
 * SECTIONS_NAME_MAX. Everything else about the name is the kernel's to judge.
 */
static int name_length(const char *name)
{
	size_t len = strnlen(name, SECTIONS_NAME_MAX + 1);

	if (len == 0)
		return -EINVAL;
	if (len > SECTIONS_NAME_MAX)
		return -ENAMETOOLONG;
	return (int)len;
}

SECTIONS_EXPORT int sections_open_device(void)
{
	int fd = open(SECTIONS_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

SECTIONS_EXPORT int sections_create_ex(int dev, struct sections_create_args *args)
{
	if (dev < 0 || !args)
		return -EINVAL;
	return sections_ioctl(dev, SECTIONS_IOC_CREATE, args);
}

SECTIONS_EXPORT int sections_create(int dev, uint64_t size, uint32_t protection,
				    const char *name, uint32_t flags, bool *existed)
{
	struct sections_create_args args;
	int ret;

	if (dev < 0 || size == 0 || (flags & ~SECTIONS_HANDLE_FLAGS))
		return -EINVAL;

	memset(&args, 0, sizeof(args));
	if (name) {
		ret = name_length(name);
		if (ret < 0)
			return ret;
		args.name = sections_ptr(name);
		args.name_len = (__u32)ret;
	}
	args.size = size;
	args.protection = protection;
	args.flags = flags;

	ret = sections_ioctl(dev, SECTIONS_IOC_CREATE, &args);
	if (ret >= 0 && existed)
		*existed = args.result & SECTIONS_CREATE_EXISTED;
	return ret;
}

SECTIONS_EXPORT int sections_open(int dev, const char *name, uint32_t access,
				  uint32_t flags)
{
	struct sections_open_args args;
	int ret;

	if (dev < 0 || !name || access == 0 || (access & ~SECTIONS_ACCESS_ALL) ||
	    (flags & ~SECTIONS_HANDLE_FLAGS))
		return -EINVAL;
	ret = name_length(name);
	if (ret < 0)
		return ret;

	memset(&args, 0, sizeof(args));
	args.name = sections_ptr(name);
	args.name_len = (__u32)ret;
	args.access = access;
	args.flags = flags;
	return sections_ioctl(dev, SECTIONS_IOC_OPEN, &args);
}

SECTIONS_EXPORT int sections_duplicate(int handle, uint32_t access, uint32_t flags)
{
	struct sections_dup_args args;

	if (handle < 0 || (access & ~SECTIONS_ACCESS_ALL) ||
	    (flags & ~SECTIONS_DUP_FLAGS))
		return -EINVAL;

	memset(&args, 0, sizeof(args));
	args.access = access;
	args.flags = flags;
	return sections_ioctl(handle, SECTIONS_IOC_DUPLICATE, &args);
}

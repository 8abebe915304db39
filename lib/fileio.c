// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections: cached file I/O (the SECTIONS_IOC_FILE_* ioctls), what the
 * Win32 layer's ReadFile, WriteFile, FlushFileBuffers and SetEndOfFile use.
 */
#include <string.h>

#include "internal.h"

static ssize_t file_io(int dev, unsigned long req, int fd, const void *buf, size_t len,
		       uint64_t offset)
{
	struct sections_file_io args;
	int ret;

	if (dev < 0 || fd < 0)
		return dev < 0 ? -EINVAL : -EBADF;
	memset(&args, 0, sizeof(args));
	args.fd = fd;
	args.offset = offset;
	args.buf = sections_ptr(buf);
	args.len = len;
	do {
		ret = sections_ioctl(dev, req, &args);
	} while (ret == -EINTR);
	return ret;
}

SECTIONS_EXPORT ssize_t sections_file_read(int dev, int fd, void *buf, size_t len,
					   uint64_t offset)
{
	return file_io(dev, SECTIONS_IOC_FILE_READ, fd, buf, len, offset);
}

SECTIONS_EXPORT ssize_t sections_file_write(int dev, int fd, const void *buf, size_t len,
					    uint64_t offset)
{
	return file_io(dev, SECTIONS_IOC_FILE_WRITE, fd, buf, len, offset);
}

static int file_op(int dev, unsigned long req, int fd, uint64_t size)
{
	struct sections_file_args args;

	if (dev < 0 || fd < 0)
		return dev < 0 ? -EINVAL : -EBADF;
	memset(&args, 0, sizeof(args));
	args.fd = fd;
	args.size = size;
	return sections_ioctl(dev, req, &args);
}

SECTIONS_EXPORT int sections_file_flush(int dev, int fd)
{
	return file_op(dev, SECTIONS_IOC_FILE_FLUSH, fd, 0);
}

SECTIONS_EXPORT int sections_file_set_size(int dev, int fd, uint64_t size)
{
	return file_op(dev, SECTIONS_IOC_FILE_SET_SIZE, fd, size);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libsections internals: shared by handles.c, views.c, query.c and fileio.c only.
 */
#ifndef LIBSECTIONS_INTERNAL_H
#define LIBSECTIONS_INTERNAL_H

#include <errno.h>
#include <sys/ioctl.h>

#include "sections.h"

/* The library is built with -fvisibility=hidden; this marks the API. */
#define SECTIONS_EXPORT __attribute__((visibility("default")))

/* Pointers travel to the kernel as __u64. */
static inline __u64 sections_ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* ioctl(2), with the result in the library's convention: >= 0 or -errno. */
static inline int sections_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

#endif /* LIBSECTIONS_INTERNAL_H */

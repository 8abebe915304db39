// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: VirtualQuery, and finding the view that holds an
 * address (for UnmapViewOfFile).
 *
 * Stateless, as the rest of the layer: the address space is read from
 * /proc/self/maps (one line per VMA, in address order), the module says which
 * VMAs are views (SECTIONS_IOC_QUERY_VIEW_PAGES fails with EINVAL elsewhere),
 * /proc/self/pagemap tells which pages of a copy-on-write mapping have become
 * private copies, and dl_iterate_phdr() tells which ranges are loaded ELF
 * images.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "win32.h"

/*
 * Where the user address space ends, for addresses nothing is mapped at: 2^47
 * (x86-64's TASK_SIZE with 4-level page tables is one page less; 5-level ones
 * and arm64's larger spaces map above it only on request, and such mappings are
 * still described). 32-bit: the usual 3 GiB split.
 */
#if UINTPTR_MAX > 0xffffffffU
#define USER_TOP_BASE		((uintptr_t)1 << 47)
/* Mappings above the top count as user memory below this ([vsyscall] does not). */
#define USER_HALF_END		((uintptr_t)1 << 63)
#else
#define USER_TOP_BASE		((uintptr_t)0xC0000000U)
#define USER_HALF_END		UINTPTR_MAX
#endif

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT		(1ULL << 63)
#define PM_SWAPPED		(1ULL << 62)
#define PM_FILE_OR_SHARED	(1ULL << 61)

/* One line of /proc/self/maps. */
struct vma {
	uintptr_t start, end;
	bool r, w, x, shared;
	unsigned long inode;	/* 0 for anonymous memory */
};

/* A line reader over /proc/self/maps that needs no allocation. */
struct maps {
	int fd;
	size_t len, pos;
	bool skip;		/* the rest of an over-long line is still to come */
	int err;		/* -errno when reading failed, else 0 */
	char buf[4096];
};

/* A region as VirtualQuery reports it, without BaseAddress and RegionSize. */
struct attrs {
	uintptr_t alloc_base;
	DWORD alloc_protect, state, protect, type;
};

long win32_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? ps : 4096;
}

static uintptr_t user_top(void)
{
#ifdef __x86_64__
	return USER_TOP_BASE - (uintptr_t)win32_page_size();
#else
	return USER_TOP_BASE;
#endif
}

static int maps_open(struct maps *m)
{
	m->fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	m->len = m->pos = 0;
	m->skip = false;
	m->err = 0;
	return m->fd < 0 ? -errno : 0;
}

/* Refill the buffer: bytes read, 0 at end of file, or -errno. */
static ssize_t maps_fill(struct maps *m)
{
	ssize_t n;

	if (m->pos) {
		memmove(m->buf, m->buf + m->pos, m->len - m->pos);
		m->len -= m->pos;
		m->pos = 0;
	}
	do {
		n = read(m->fd, m->buf + m->len, sizeof(m->buf) - 1 - m->len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		m->len += (size_t)n;
	return n < 0 ? -errno : n;
}

/*
 * The next line, NUL-terminated, or NULL at the end or on a read error (then
 * m->err is set). A line longer than the buffer (a very long path) is cut:
 * only its leading fields matter here.
 */
static char *maps_line(struct maps *m)
{
	ssize_t n;

	for (;;) {
		char *start = m->buf + m->pos;
		char *nl = memchr(start, '\n', m->len - m->pos);

		if (nl) {
			bool skipped = m->skip;

			*nl = '\0';
			m->pos = (size_t)(nl + 1 - m->buf);
			m->skip = false;
			if (!skipped)
				return start;
			continue;
		}
		if (m->pos == 0 && m->len == sizeof(m->buf) - 1) {
			/* No newline in a full buffer: hand out the head, drop the tail. */
			m->buf[m->len] = '\0';
			m->len = 0;
			if (m->skip)
				continue;
			m->skip = true;
			return m->buf;
		}
		n = maps_fill(m);
		if (n <= 0) {
			m->err = (int)n;
			return NULL;
		}
	}
}

/* "start-end perms offset dev inode path": false for a line of another form. */
static bool parse_vma(const char *line, struct vma *v)
{
	char *p;
	int i;

	v->start = (uintptr_t)strtoull(line, &p, 16);
	if (*p++ != '-')
		return false;
	v->end = (uintptr_t)strtoull(p, &p, 16);
	if (*p++ != ' ' || strlen(p) < 5)
		return false;
	v->r = p[0] == 'r';
	v->w = p[1] == 'w';
	v->x = p[2] == 'x';
	v->shared = p[3] == 's';
	p += 4;
	/* Skip the offset and the device to reach the inode. */
	for (i = 0; i < 2; i++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
	}
	v->inode = strtoul(p, NULL, 10);
	return v->start < v->end;
}

/* Is the page at addr in a view? Only the module can tell. */
static bool is_view(uintptr_t page)
{
	struct sections_page_info info;
	int dev = win32_device();

	return dev >= 0 && sections_query_view_pages(dev, (void *)page, 1, &info) == 0;
}

/*
 * The VMA holding addr (0) or, when none does, 1 with *gap_end set to where
 * the free gap around it ends. Negative errno when maps cannot be read.
 */
static int find_vma(struct maps *m, uintptr_t addr, struct vma *v, uintptr_t *gap_end)
{
	char *line;

	*gap_end = UINTPTR_MAX;
	while ((line = maps_line(m))) {
		if (!parse_vma(line, v))
			continue;
		if (addr < v->start) {
			*gap_end = v->start;
			return 1;
		}
		if (addr < v->end)
			return 0;
	}
	return m->err ?: 1;
}

int win32_mapping_start(const void *addr, uintptr_t *start)
{
	uintptr_t page = (uintptr_t)addr & ~((uintptr_t)win32_page_size() - 1), gap_end;
	struct vma v;
	struct maps m;
	int ret;

	ret = maps_open(&m);
	if (ret)
		return ret;
	ret = find_vma(&m, page, &v, &gap_end);
	close(m.fd);
	if (ret)
		return ret < 0 ? ret : -EINVAL;
	*start = v.start;
	return 0;
}

/* Windows' page protection for the access bits of a page. */
static DWORD protection(bool r, bool w, bool x, bool copy)
{
	if (x) {
		if (w)
			return copy ? PAGE_EXECUTE_WRITECOPY : PAGE_EXECUTE_READWRITE;
		return r ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
	}
	if (w)
		return copy ? PAGE_WRITECOPY : PAGE_READWRITE;
	return r ? PAGE_READONLY : PAGE_NOACCESS;
}

/* A private, writable mapping of a file (or a view): its pages are copy-on-write. */
static bool is_cow(const struct vma *v, bool view)
{
	return v->w && !v->shared && (view || v->inode);
}

/* Has this page of a copy-on-write mapping been replaced by a private copy? */
static bool is_copied(uint64_t pm)
{
	/* A file page being migrated is PM_SWAPPED too, and PM_FILE_OR_SHARED. */
	return (pm & (PM_PRESENT | PM_SWAPPED)) && !(pm & PM_FILE_OR_SHARED);
}

/*
 * End of the run of pages from page on, within [page, end), that are in the
 * same copy state as page; *copied says which. Without pagemap every page is
 * taken as not copied.
 */
static uintptr_t cow_run(uintptr_t page, uintptr_t end, bool *copied)
{
	uint64_t pm[256];
	long ps = win32_page_size();
	uintptr_t at = page;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	bool first = true;

	*copied = false;
	if (fd < 0)
		return end;
	while (at < end) {
		size_t want = (end - at) / (uintptr_t)ps, i;
		ssize_t n;

		if (want > sizeof(pm) / sizeof(pm[0]))
			want = sizeof(pm) / sizeof(pm[0]);
		n = pread(fd, pm, want * sizeof(pm[0]), (off_t)(at / (uintptr_t)ps * sizeof(pm[0])));
		if (n < (ssize_t)sizeof(pm[0]))
			break;
		for (i = 0; i < (size_t)n / sizeof(pm[0]); i++, at += (uintptr_t)ps) {
			if (first) {
				*copied = is_copied(pm[i]);
				first = false;
			} else if (is_copied(pm[i]) != *copied) {
				close(fd);
				return at;
			}
		}
	}
	close(fd);
	return first ? end : at < end ? at : end;
}

/* The ELF image (executable, library, vDSO) whose PT_LOAD span holds addr. */
struct image {
	uintptr_t addr, start, end;
	long ps;
};

static int image_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct image *img = data;
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	size_t i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (s < lo)
			lo = s;
		if (s + ph->p_memsz > hi)
			hi = s + ph->p_memsz;
	}
	lo &= ~((uintptr_t)img->ps - 1);
	if (lo <= img->addr && img->addr < hi) {
		img->start = lo;
		img->end = (hi + (uintptr_t)img->ps - 1) & ~((uintptr_t)img->ps - 1);
		return 1;
	}
	return 0;
}

static bool find_image(uintptr_t addr, struct image *img)
{
	img->addr = addr;
	img->ps = win32_page_size();
	return dl_iterate_phdr(image_cb, img) != 0;
}

/*
 * The attributes of the pages of v from page on, and where their run ends
 * within v. Views are MEM_MAPPED and committed; ELF images MEM_IMAGE; other
 * file and shared mappings MEM_MAPPED; the rest MEM_PRIVATE. Outside views,
 * PROT_NONE is how Linux reserves address space: MEM_RESERVE.
 */
static uintptr_t describe(const struct vma *v, uintptr_t page, const struct image *img,
			  struct attrs *a)
{
	bool view = v->inode && is_view(page);
	bool cow = is_cow(v, view), copied = false;
	uintptr_t end = v->end;

	if (cow)
		end = cow_run(page, v->end, &copied);
	a->protect = protection(v->r, v->w, v->x, cow && !copied);
	a->state = MEM_COMMIT;
	if (view) {
		a->type = MEM_MAPPED;
		a->alloc_base = v->start;
		a->alloc_protect = protection(v->r, v->w, v->x, cow);
		return end;
	}
	if (img) {
		a->type = MEM_IMAGE;
		a->alloc_base = img->start;
		a->alloc_protect = PAGE_EXECUTE_WRITECOPY;	/* what Windows reports for images */
	} else {
		a->type = (v->shared || v->inode) ? MEM_MAPPED : MEM_PRIVATE;
		a->alloc_base = v->start;
		a->alloc_protect = protection(v->r, v->w, v->x, cow);
	}
	if (!v->r && !v->w && !v->x) {
		a->state = MEM_RESERVE;
		a->protect = 0;
	}
	return end;
}

static bool same_attrs(const struct attrs *a, const struct attrs *b)
{
	return a->alloc_base == b->alloc_base && a->alloc_protect == b->alloc_protect &&
	       a->state == b->state && a->protect == b->protect && a->type == b->type;
}

/*
 * Fill mbi for the VMA v holding page: its run, continued over the next VMAs
 * while they adjoin, belong to the same image and have the same attributes
 * (only an image spans several VMAs as one allocation here).
 */
static void query_vma(struct maps *m, struct vma *v, uintptr_t page,
		      MEMORY_BASIC_INFORMATION *mbi)
{
	struct image img_store, *img = find_image(page, &img_store) ? &img_store : NULL;
	struct attrs a, next;
	uintptr_t end = describe(v, page, img, &a);
	char *line;

	while (img && end == v->end && end < img->end && (line = maps_line(m))) {
		struct vma n;
		uintptr_t n_end;

		if (!parse_vma(line, &n) || n.start != end)
			break;
		n_end = describe(&n, n.start, img, &next);
		if (!same_attrs(&a, &next))
			break;
		*v = n;
		end = n_end;
	}
	mbi->AllocationBase = (PVOID)a.alloc_base;
	mbi->AllocationProtect = a.alloc_protect;
	mbi->RegionSize = end - page;
	mbi->State = a.state;
	mbi->Protect = a.protect;
	mbi->Type = a.type;
}

SECTIONS_EXPORT SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer,
					   SIZE_T dwLength)
{
	uintptr_t page = (uintptr_t)lpAddress & ~((uintptr_t)win32_page_size() - 1);
	MEMORY_BASIC_INFORMATION mbi;
	uintptr_t gap_end;
	struct vma v;
	struct maps m;
	int ret;

	/* NtQueryVirtualMemory: STATUS_INFO_LENGTH_MISMATCH, i.e. ERROR_BAD_LENGTH. */
	if (dwLength < sizeof(mbi)) {
		SetLastError(ERROR_BAD_LENGTH);
		return 0;
	}
	if (page >= USER_HALF_END) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	if (!lpBuffer) {
		SetLastError(ERROR_NOACCESS);
		return 0;
	}
	ret = maps_open(&m);
	if (ret) {
		if (ret == -ENOENT)
			SetLastError(ERROR_NOT_SUPPORTED);	/* no /proc */
		else
			win32_set_errno(ret);
		return 0;
	}
	memset(&mbi, 0, sizeof(mbi));
	mbi.BaseAddress = (PVOID)page;
	ret = find_vma(&m, page, &v, &gap_end);
	if (ret == 0) {
		query_vma(&m, &v, page, &mbi);
	} else if (ret > 0 && page < user_top()) {
		mbi.RegionSize = (gap_end < user_top() ? gap_end : user_top()) - page;
		mbi.State = MEM_FREE;
		mbi.Protect = PAGE_NOACCESS;
	}
	close(m.fd);
	if (ret < 0) {
		win32_set_errno(ret);
		return 0;
	}
	if (!mbi.State) {
		/* Above the user address space and not mapped. */
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	memcpy(lpBuffer, &mbi, sizeof(mbi));
	return sizeof(mbi);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sections_bench DIR [MIB [REPS [NAMES]]]: what sections cost next to the Linux
 * primitive each one stands in for, both measured in the same run.
 *
 * Absolute times depend on the machine (a TCG guest, a busy host), so each
 * line gives a ratio: sections time / native time, each time the best (the
 * minimum) of REPS (default 5) runs, sections and native interleaved. DIR is
 * an ext4 mount; two MIB-sized (default 64) files are made there, one for
 * sections and one for the native side, both in the page cache.
 *
 *  file-read-fault[-nofa], file-read-fault-first
 *	Read one byte per page of a view of a file-backed section, against a
 *	fresh mmap(MAP_SHARED) of the ext4 file. ext4 maps 16 pages per fault
 *	(fault-around, ->map_pages); views do not (share counts count only
 *	touched pages), so the -nofa line compares with fault-around turned off
 *	(debugfs fault_around_bytes = one page). The "-first" line is the first
 *	view of a new section: each page is also copied in from the file, since
 *	a control area keeps pages of its own. The "-first-fa" line is the same
 *	with the module's fault_around parameter set: views then map the pages
 *	read ahead around a fault, as ext4 does, and share counts count them.
 *  file-read-fault-cold
 *	The same first view, of a file that is in no cache (fsync,
 *	POSIX_FADV_DONTNEED): its faults read the file ahead, as a fault on a
 *	MAP_SHARED mapping of the other file, made as cold, does.
 *  file-write-fault
 *	The first write to each resident, clean page (fault + page_mkwrite on
 *	both sides; there is no fault-around for write faults).
 *  file-flush-durable
 *	Write-back of MIB dirty bytes while mapped: sections_flush_view() with
 *	SECTIONS_FLUSH_DURABLE against msync(MS_SYNC).
 *  file-lazy-writeback, file-lazy-durable
 *	NT's lazy path, with writeback_delay_ms set to 0 (restored at the end):
 *	dirty the view, unmap it and poll the page query until no page of the
 *	range is dirty. Then the bytes are in the file: the writer wrote them by
 *	direct I/O (on ext4 it leaves no copy in the page cache), which is more
 *	work than the native side, pwrite(2) of the same bytes, which leaves
 *	them dirty in ext4's page cache. The durable
 *	line adds fsync(2) on both sides, and its native side is the same
 *	writes through a MAP_SHARED mapping, munmap and fsync.
 *  file-read-memory
 *	Memory, not time: from a cold file (fsync, POSIX_FADV_DONTNEED), read
 *	a new section's view end to end; the file's page cache (mincore(), 100
 *	ms later: the module drops the file's copy within 20 ms of a fill) plus
 *	the section's resident pages, against the page cache a MAP_SHARED read
 *	of the other file leaves. One copy of each page is a ratio of 1.
 *  page-query
 *	sections_query_pages() of MIB resident pages of a view, against
 *	reading /proc/self/pagemap for the same pages: a ratio below 1 is a
 *	page rate above pagemap's.
 *  pagefile-first-write, pagefile-read-fault[-nofa], pagefile-write-fault
 *	A pagefile-backed (shmem) section against memfd_create() + mmap
 *	(MAP_SHARED): first write to each page of a new one (the page is
 *	allocated), then read and write faults on resident pages.
 *
 *  object-cycle
 *	The cheap path of the object layer: an unnamed create, a one-page view,
 *	one write, unmap and close, CYCLES times, against memfd_create(),
 *	ftruncate(), mmap(), the same write, munmap() and close().
 *  names-open-N, names-open-growth
 *	OPENS opens by name (and closes) of random ones of N named sections, against
 *	open() (and close) of a random one of N files in a tmpfs directory, for
 *	N = 100 and NAMES (default 20000: each named section pins two inodes and
 *	three files, so a guest's RAM bounds N). The growth line divides the
 *	time per open at NAMES by the time at 100, on each side: 1 is flat.
 *
 * Output: "bench: NAME: sections X us, native (WHAT) Y us, ratio R" per line,
 * then "bench: done". Exits non-zero only when something failed to run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sections.h>

#define DELAY_PARAM	"/sys/module/sections/parameters/writeback_delay_ms"
#define FAULT_AROUND	"/sys/kernel/debug/fault_around_bytes"
#define VIEW_FA_PARAM	"/sys/module/sections/parameters/fault_around"
#define CHUNK		(1 << 20)	/* pwrite/pread buffer */
#define LAZY_TIMEOUT_US	60e6		/* a lazy write-back slower than this is a failure */
#define NONE		1e300		/* no time measured yet */

static long ps;			/* page size */
static size_t len;		/* bytes of each file, section and mapping */
static int reps;
static int dev = -1;		/* /dev/sections */
static int failures;
static char *chunk;		/* CHUNK bytes for pwrite/pread */
unsigned long bench_sink;	/* what read_pages() read, so the reads are not optimised away */

/* A sysfs or debugfs value the benchmark changes; atexit() puts it back. */
struct knob {
	const char *path;
	char old[32];
	bool saved;
};

static struct knob delay_knob = { .path = DELAY_PARAM };
static struct knob fa_knob = { .path = FAULT_AROUND };
static struct knob view_fa_knob = { .path = VIEW_FA_PARAM };

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void keep_min(double *best, double t)
{
	if (t < *best)
		*best = t;
}

static int failed(const char *name, const char *what, int err)
{
	printf("bench: %s: FAILED: %s: %s\n", name, what, strerror(err));
	failures++;
	return -1;
}

static void report(const char *name, double sec, const char *what, double nat)
{
	printf("bench: %s: sections %.0f us, native (%s) %.0f us, ratio %.2f\n",
	       name, sec, what, nat, nat > 0 ? sec / nat : 0.0);
}

static void report_skip(const char *name, const char *why)
{
	printf("bench: %s: skipped: %s\n", name, why);
}

static int knob_write(struct knob *k, const char *val)
{
	int fd = open(k->path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Remember @k's value; false when it cannot be read or written back. */
static bool knob_save(struct knob *k)
{
	int fd = open(k->path, O_RDWR);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, k->old, sizeof(k->old) - 1);
	close(fd);
	if (n <= 0)
		return false;
	k->old[n] = '\0';
	k->old[strcspn(k->old, "\n")] = '\0';
	k->saved = true;
	return true;
}

static void knob_restore(struct knob *k)
{
	if (k->saved)
		knob_write(k, k->old);
}

static void restore_knobs(void)
{
	knob_restore(&delay_knob);
	knob_restore(&fa_knob);
	knob_restore(&view_fa_knob);
}

/* Touch one byte per page: read faults. */
static void read_pages(const char *p)
{
	unsigned long sum = 0;
	size_t off;

	for (off = 0; off < len; off += ps)
		sum += p[off];
	bench_sink += sum;
}

/* Write one byte per page: write faults. */
static void write_pages(char *p, char val)
{
	size_t off;

	for (off = 0; off < len; off += ps)
		p[off] = val;
}

/* pwrite() @len bytes of @val to @fd from a CHUNK buffer; -errno on failure. */
static int fill_file(int fd, char val)
{
	size_t off;

	memset(chunk, val, CHUNK);
	for (off = 0; off < len; off += CHUNK)
		if (pwrite(fd, chunk, CHUNK, off) != CHUNK)
			return errno ? -errno : -EIO;
	return 0;
}

/* A @len-byte file under @dir, written, synced and read back (in the page cache). */
static int make_file(const char *dir, const char *base, char **path)
{
	size_t off;
	int fd;

	if (asprintf(path, "%s/%s", dir, base) < 0)
		return -ENOMEM;
	fd = open(*path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fill_file(fd, 'x') || fsync(fd))
		goto err;
	for (off = 0; off < len; off += CHUNK)
		if (pread(fd, chunk, CHUNK, off) != CHUNK)
			goto err;
	return fd;
err:
	close(fd);
	return -EIO;
}

static char *map_file(int fd, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

/* Read @fd end to end, so that its pages are in the page cache; -errno on failure. */
static int warm_file(int fd)
{
	size_t off;

	for (off = 0; off < len; off += CHUNK)
		if (pread(fd, chunk, CHUNK, off) != CHUNK)
			return errno ? -errno : -EIO;
	return 0;
}

/* Write @fd out and drop it from the page cache; -errno on failure. */
static int chill_file(int fd)
{
	if (fsync(fd))
		return -errno;
	return -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

/* Pages of @fd's first len bytes in its page cache (mincore of an untouched mapping), or -1. */
static long cached_pages(int fd)
{
	size_t npages = len / ps, i;
	unsigned char *vec = malloc(npages);
	char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	long n = -1;

	if (vec && m != MAP_FAILED && !mincore(m, len, vec))
		for (n = 0, i = 0; i < npages; i++)
			n += vec[i] & 1;
	if (m != MAP_FAILED)
		munmap(m, len);
	free(vec);
	return n;
}

/* A file-backed section of @fd's whole size. */
static int file_section(int fd)
{
	struct sections_create_args args = { 0 };

	args.protection = SECTIONS_PAGE_READWRITE;
	args.flags = SECTIONS_CREATE_FILE | SECTIONS_HANDLE_CLOEXEC;
	args.fd = fd;
	return sections_create_ex(dev, &args);
}

static int map_view(int h, int prot, char **view)
{
	*view = NULL;
	return sections_map_view(h, 0, len, prot, 0, (void **)view);
}

/* Time read_pages() on a fresh view of @h. */
static int view_read(int h, double *best)
{
	char *v;
	double t;
	int ret = map_view(h, PROT_READ, &v);

	if (ret)
		return ret;
	t = now_us();
	read_pages(v);
	keep_min(best, now_us() - t);
	return sections_unmap_view(dev, v);
}

/* Time write_pages() on a fresh view of @h; with @flush, flush (durably) before unmapping. */
static int view_write(int h, char val, bool flush, double *best)
{
	char *v;
	double t;
	int ret = map_view(h, PROT_READ | PROT_WRITE, &v);

	if (ret)
		return ret;
	t = now_us();
	write_pages(v, val);
	keep_min(best, now_us() - t);
	ret = flush ? sections_flush_view(dev, v, 0, SECTIONS_FLUSH_DURABLE) : 0;
	return sections_unmap_view(dev, v) ?: ret;
}

/* Time read_pages() on a fresh MAP_SHARED mapping of @fd; @nofa: without fault-around. */
static int native_read(int fd, bool nofa, double *best)
{
	char *m;
	double t;
	int ret = 0;

	if (nofa) {
		char one_page[24];

		snprintf(one_page, sizeof(one_page), "%ld", ps);
		ret = knob_write(&fa_knob, one_page);
		if (ret)
			return ret;
	}
	m = map_file(fd, PROT_READ);
	if (m == MAP_FAILED) {
		ret = -errno;
	} else {
		t = now_us();
		read_pages(m);
		keep_min(best, now_us() - t);
		munmap(m, len);
	}
	if (nofa)
		knob_restore(&fa_knob);
	return ret;
}

/* Time write_pages() on a fresh MAP_SHARED mapping of @fd; @sync: msync(MS_SYNC) after. */
static int native_write(int fd, char val, bool sync, double *best)
{
	char *m = map_file(fd, PROT_READ | PROT_WRITE);
	double t;
	int ret = 0;

	if (m == MAP_FAILED)
		return -errno;
	t = now_us();
	write_pages(m, val);
	keep_min(best, now_us() - t);
	if (sync && msync(m, len, MS_SYNC))
		ret = -errno;
	munmap(m, len);
	return ret;
}

/*
 * The native side of the fault benchmarks, on fresh MAP_SHARED mappings of
 * @fd: reads, reads without fault-around (when it can be turned off), writes
 * (then msync(MS_SYNC) with @sync). *@what names the step that failed.
 */
static int native_faults(int fd, char val, bool sync, double *rd, double *rd_nofa,
			 double *wr, const char **what)
{
	int ret;

	*what = "mmap read";
	ret = native_read(fd, false, rd);
	if (!ret && fa_knob.saved) {
		*what = "mmap read without fault-around";
		ret = native_read(fd, true, rd_nofa);
	}
	if (!ret) {
		*what = "mmap write";
		ret = native_write(fd, val, sync, wr);
	}
	return ret;
}

static void report_reads(const char *name, const char *native, double sec, double nat,
			 double nat_nofa)
{
	char what[128], nofa[64];
	long pages = fa_knob.saved ? atol(fa_knob.old) / ps : 0;

	if (pages > 1)
		snprintf(what, sizeof(what), "%s, fault-around maps %ld pages per fault, views 1",
			 native, pages);
	else
		snprintf(what, sizeof(what), "%s, default fault-around", native);
	report(name, sec, what, nat);
	snprintf(nofa, sizeof(nofa), "%s-nofa", name);
	snprintf(what, sizeof(what), "%s, fault_around_bytes=%ld", native, ps);
	if (fa_knob.saved)
		report(nofa, sec, what, nat_nofa);
	else
		report_skip(nofa, "cannot set " FAULT_AROUND);
}

/* a: read and write faults on a file-backed section and on an ext4 MAP_SHARED mapping. */
static int bench_file_faults(int sfd, int nfd)
{
	double s_first = NONE, s_first_fa = NONE, s_read = NONE, s_write = NONE;
	double n_read = NONE, n_nofa = NONE, n_write = NONE;
	bool view_fa = knob_save(&view_fa_knob);
	const char *what = "";
	int i, h, ret = 0;

	for (i = 0; i < reps; i++) {
		/* The first view of a new section, mapping around its faults. */
		if (view_fa) {
			ret = warm_file(sfd);
			if (ret)
				return failed("file-faults", "reading the file", -ret);
			h = file_section(sfd);
			if (h < 0)
				return failed("file-read-fault-first-fa", "sections_create_ex", -h);
			ret = knob_write(&view_fa_knob, "1");
			if (!ret)
				ret = view_read(h, &s_first_fa);
			knob_restore(&view_fa_knob);
			close(h);
			if (ret)
				return failed("file-read-fault-first-fa", "first view", -ret);
		}
		/*
		 * A new section each time, so that its first view fills its
		 * pages, from the page cache: the last section's fill and flush
		 * dropped the file's copy (one copy of each page).
		 */
		ret = warm_file(sfd);
		if (ret)
			return failed("file-faults", "reading the file", -ret);
		h = file_section(sfd);
		if (h < 0)
			return failed("file-read-fault", "sections_create_ex", -h);
		what = "first view";
		ret = view_read(h, &s_first);
		if (!ret) {
			what = "view read";
			ret = view_read(h, &s_read);
		}
		/* Pages resident and clean; the flush cleans them again. */
		if (!ret) {
			what = "view write";
			ret = view_write(h, 'a' + i, true, &s_write);
		}
		close(h);
		if (ret)
			return failed("file-faults", what, -ret);

		ret = native_faults(nfd, 'a' + i, true, &n_read, &n_nofa, &n_write, &what);
		if (ret)
			return failed("file-faults", what, -ret);
	}
	report_reads("file-read-fault", "ext4 mmap MAP_SHARED", s_read, n_read, n_nofa);
	report("file-read-fault-first", s_first,
	       "ext4 mmap MAP_SHARED, page cache warm, with fault-around; the new section copies each page in",
	       n_read);
	if (view_fa)
		report("file-read-fault-first-fa", s_first_fa,
		       "the same, the module's fault_around=1: share counts count pages mapped around",
		       n_read);
	else
		report_skip("file-read-fault-first-fa", "cannot set " VIEW_FA_PARAM);
	report("file-write-fault", s_write, "ext4 mmap MAP_SHARED, page_mkwrite on both", n_write);
	return 0;
}

/* a': the first view of a new section of a cold file, against a MAP_SHARED read of it. */
static int bench_file_cold(int sfd, int nfd)
{
	double s_cold = NONE, n_cold = NONE;
	int i, h, ret;

	for (i = 0; i < reps; i++) {
		ret = chill_file(sfd);
		if (ret)
			return failed("file-read-fault-cold", "dropping the file's cache", -ret);
		h = file_section(sfd);
		if (h < 0)
			return failed("file-read-fault-cold", "sections_create_ex", -h);
		ret = view_read(h, &s_cold);
		close(h);
		if (ret)
			return failed("file-read-fault-cold", "first view", -ret);
		ret = chill_file(nfd);
		if (!ret)
			ret = native_read(nfd, false, &n_cold);
		if (ret)
			return failed("file-read-fault-cold", "mmap read", -ret);
	}
	report("file-read-fault-cold", s_cold,
	       "ext4 mmap MAP_SHARED of a cold file, with readahead and fault-around", n_cold);
	return 0;
}

/* b: durable write-back of a range dirtied through a mapping that stays. */
static int bench_flush(int sfd, int nfd)
{
	double sec = NONE, nat = NONE, t;
	int i, h, ret = 0;
	char *v, *m;

	h = file_section(sfd);
	if (h < 0)
		return failed("file-flush-durable", "sections_create_ex", -h);
	for (i = 0; i < reps && !ret; i++) {
		ret = map_view(h, PROT_READ | PROT_WRITE, &v);
		if (ret)
			break;
		memset(v, 'A' + i, len);
		t = now_us();
		ret = sections_flush_view(dev, v, 0, SECTIONS_FLUSH_DURABLE);
		keep_min(&sec, now_us() - t);
		sections_unmap_view(dev, v);
		if (ret)
			break;

		m = map_file(nfd, PROT_READ | PROT_WRITE);
		if (m == MAP_FAILED) {
			ret = -errno;
			break;
		}
		memset(m, 'A' + i, len);
		t = now_us();
		if (msync(m, len, MS_SYNC))
			ret = -errno;
		keep_min(&nat, now_us() - t);
		munmap(m, len);
	}
	close(h);
	if (ret)
		return failed("file-flush-durable", "flush or msync", -ret);
	report("file-flush-durable", sec, "msync MS_SYNC of an ext4 MAP_SHARED mapping", nat);
	return 0;
}

/* Poll until no page of @h's first @len bytes is dirty. */
static int wait_clean(int h, struct sections_page_info *pages, uint64_t npages)
{
	double t0 = now_us();
	uint64_t i;
	int ret;

	for (;;) {
		/* The writer goes in page order: the last page is the last to be written. */
		ret = sections_query_pages(h, (npages - 1) * ps, 1, pages);
		if (ret)
			return ret;
		if (!(pages[0].flags & SECTIONS_PAGE_DIRTY)) {
			ret = sections_query_pages(h, 0, npages, pages);
			if (ret)
				return ret;
			for (i = 0; i < npages; i++)
				if (pages[i].flags & SECTIONS_PAGE_DIRTY)
					break;
			if (i == npages)
				return 0;
		}
		if (now_us() - t0 > LAZY_TIMEOUT_US)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/* b: NT's lazy path: dirty, unmap, and wait for the writer. */
static int bench_lazy(int sfd, int nfd)
{
	double s_lazy = NONE, s_dur = NONE, n_lazy = NONE, n_dur = NONE, t;
	uint64_t npages = len / ps;
	struct sections_page_info *pages;
	const char *what = "";
	int i, h, ret = 0;
	char *v, *m;

	if (!knob_save(&delay_knob))
		return failed("file-lazy-writeback", "cannot read " DELAY_PARAM, errno ?: EIO);
	ret = knob_write(&delay_knob, "0");
	if (ret)
		return failed("file-lazy-writeback", "cannot set " DELAY_PARAM, -ret);
	pages = calloc(npages, sizeof(*pages));
	h = file_section(sfd);
	if (!pages || h < 0) {
		if (h >= 0)
			close(h);
		free(pages);
		knob_restore(&delay_knob);
		return failed("file-lazy-writeback", "sections_create_ex", h < 0 ? -h : ENOMEM);
	}
	for (i = 0; i < reps && !ret; i++) {
		what = "sections_map_view";
		ret = map_view(h, PROT_READ | PROT_WRITE, &v);
		if (ret)
			break;
		memset(v, 'a' + i, len);
		t = now_us();
		what = "sections_unmap_view";
		ret = sections_unmap_view(dev, v);
		if (!ret) {
			what = "waiting for the lazy writer";
			ret = wait_clean(h, pages, npages);
		}
		keep_min(&s_lazy, now_us() - t);
		if (!ret) {
			what = "fsync";
			ret = fsync(sfd) ? -errno : 0;
		}
		keep_min(&s_dur, now_us() - t);
		if (ret)
			break;

		/* The native side of the lazy writer: the same bytes copied into the page cache. */
		t = now_us();
		what = "pwrite";
		ret = fill_file(nfd, 'a' + i);
		keep_min(&n_lazy, now_us() - t);
		if (!ret && fsync(nfd))
			ret = -errno;
		if (ret)
			break;

		what = "mmap";
		m = map_file(nfd, PROT_READ | PROT_WRITE);
		if (m == MAP_FAILED) {
			ret = -errno;
			break;
		}
		memset(m, 'A' + i, len);
		t = now_us();
		munmap(m, len);
		what = "fsync";
		ret = fsync(nfd) ? -errno : 0;
		keep_min(&n_dur, now_us() - t);
	}
	close(h);
	free(pages);
	knob_restore(&delay_knob);
	if (ret)
		return failed("file-lazy-writeback", what, -ret);
	report("file-lazy-writeback", s_lazy,
	       "pwrite of the same bytes into ext4's page cache; the writer's go to the disk", n_lazy);
	report("file-lazy-durable", s_dur, "writes through MAP_SHARED, munmap + fsync", n_dur);
	return 0;
}

/* Memory held after reading a cold file through a new section, against a MAP_SHARED read. */
static int bench_read_memory(int sfd, int nfd)
{
	struct sections_page_info pi;
	long s_cached, n_cached;
	double s_kib, n_kib;
	int h, ret;
	char *v, *m;

	ret = chill_file(sfd) ?: chill_file(nfd);
	if (ret)
		return failed("file-read-memory", "dropping the files' page cache", -ret);
	h = file_section(sfd);
	if (h < 0)
		return failed("file-read-memory", "sections_create_ex", -h);
	ret = map_view(h, PROT_READ, &v);
	if (ret) {
		close(h);
		return failed("file-read-memory", "sections_map_view", -ret);
	}
	read_pages(v);
	/* The module drops the file's copy within 20 ms of a fill: wait five times that. */
	usleep(100 * 1000);
	s_cached = cached_pages(sfd);
	/* The section holds every page it read: its last page says so. */
	ret = sections_query_pages(h, len - ps, 1, &pi);
	sections_unmap_view(dev, v);
	close(h);
	if (ret || s_cached < 0 || !(pi.flags & SECTIONS_PAGE_RESIDENT))
		return failed("file-read-memory", "counting pages", ret ? -ret : EIO);

	m = map_file(nfd, PROT_READ);
	if (m == MAP_FAILED)
		return failed("file-read-memory", "mmap", errno);
	read_pages(m);
	munmap(m, len);
	n_cached = cached_pages(nfd);
	if (n_cached < 0)
		return failed("file-read-memory", "mincore", errno);
	s_kib = (double)(s_cached * ps + len) / 1024;
	n_kib = (double)n_cached * ps / 1024;
	printf("bench: file-read-memory: sections %.0f KiB (section %zu + file's page cache %ld), native (ext4 mmap MAP_SHARED read: its page cache) %.0f KiB, ratio %.2f\n",
	       s_kib, len / 1024, s_cached * ps / 1024, n_kib, n_kib > 0 ? s_kib / n_kib : 0.0);
	return 0;
}

/* The page query of resident pages against /proc/self/pagemap of the same pages. */
static int bench_query(int sfd)
{
	uint64_t npages = len / ps, *pfns = NULL;
	struct sections_page_info *pages = NULL;
	double sec = NONE, nat = NONE, t;
	int i, h, pm = -1, ret = 0;
	const char *what = "";
	char *v = NULL;

	h = file_section(sfd);
	if (h < 0)
		return failed("page-query", "sections_create_ex", -h);
	pages = calloc(npages, sizeof(*pages));
	pfns = calloc(npages, sizeof(*pfns));
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	what = "setup";
	ret = !pages || !pfns ? -ENOMEM : pm < 0 ? -errno : map_view(h, PROT_READ, &v);
	if (!ret)
		read_pages(v);
	for (i = 0; i < reps && !ret; i++) {
		t = now_us();
		what = "sections_query_pages";
		ret = sections_query_pages(h, 0, npages, pages);
		keep_min(&sec, now_us() - t);
		if (ret)
			break;
		t = now_us();
		what = "pread of pagemap";
		if (pread(pm, pfns, npages * sizeof(*pfns), (uintptr_t)v / ps * sizeof(*pfns)) !=
		    (ssize_t)(npages * sizeof(*pfns)))
			ret = errno ? -errno : -EIO;
		keep_min(&nat, now_us() - t);
	}
	if (v)
		sections_unmap_view(dev, v);
	if (pm >= 0)
		close(pm);
	close(h);
	free(pages);
	free(pfns);
	if (ret)
		return failed("page-query", what, -ret);
	report("page-query", sec, "pread of /proc/self/pagemap for the same resident pages", nat);
	return 0;
}

/* c: a pagefile-backed section against a memfd. */
static int bench_pagefile(void)
{
	double s_first = NONE, s_read = NONE, s_write = NONE;
	double n_first = NONE, n_read = NONE, n_nofa = NONE, n_write = NONE, t;
	const char *what = "";
	int i, h, mfd, ret = 0;
	char *m;

	for (i = 0; i < reps; i++) {
		what = "sections_create";
		h = sections_create(dev, len, SECTIONS_PAGE_READWRITE, NULL,
				    SECTIONS_HANDLE_CLOEXEC, NULL);
		if (h < 0)
			return failed("pagefile", what, -h);
		what = "first write";
		ret = view_write(h, 'a' + i, false, &s_first);
		if (!ret) {
			what = "view read";
			ret = view_read(h, &s_read);
		}
		if (!ret) {
			what = "view write";
			ret = view_write(h, 'A' + i, false, &s_write);
		}
		close(h);
		if (ret)
			return failed("pagefile", what, -ret);

		mfd = memfd_create("sections_bench", MFD_CLOEXEC);
		if (mfd < 0)
			return failed("pagefile", "memfd_create", errno);
		what = "ftruncate";
		m = ftruncate(mfd, len) ? MAP_FAILED : map_file(mfd, PROT_READ | PROT_WRITE);
		if (m == MAP_FAILED) {
			ret = errno;
			close(mfd);
			return failed("pagefile", what, ret);
		}
		t = now_us();
		write_pages(m, 'a' + i);
		keep_min(&n_first, now_us() - t);
		munmap(m, len);
		ret = native_faults(mfd, 'A' + i, false, &n_read, &n_nofa, &n_write, &what);
		close(mfd);
		if (ret)
			return failed("pagefile", what, -ret);
	}
	report("pagefile-first-write", s_first, "memfd mmap MAP_SHARED, new pages", n_first);
	report_reads("pagefile-read-fault", "memfd mmap MAP_SHARED", s_read, n_read, n_nofa);
	report("pagefile-write-fault", s_write, "memfd mmap MAP_SHARED, resident pages", n_write);
	return 0;
}

#define CYCLES		2000
#define OPENS		20000
#define FEW_NAMES	100

static unsigned long names_max = 20000;

static int bench_cycle(void)
{
	double s_best = NONE, n_best = NONE, t;
	int i, r, rep, h, fd;
	char *p;

	for (rep = 0; rep < reps; rep++) {
		t = now_us();
		for (i = 0; i < CYCLES; i++) {
			h = sections_create(dev, ps, SECTIONS_PAGE_READWRITE, NULL,
					    SECTIONS_HANDLE_CLOEXEC, NULL);
			if (h < 0)
				return failed("object-cycle", "sections_create", -h);
			r = sections_map_view(h, 0, ps, PROT_READ | PROT_WRITE, 0, (void **)&p);
			if (r) {
				close(h);
				return failed("object-cycle", "sections_map_view", -r);
			}
			p[0] = (char)i;
			sections_unmap_view(dev, p);
			close(h);
		}
		keep_min(&s_best, now_us() - t);

		t = now_us();
		for (i = 0; i < CYCLES; i++) {
			fd = memfd_create("sections_bench", MFD_CLOEXEC);
			if (fd < 0 || ftruncate(fd, ps))
				return failed("object-cycle", "memfd", errno);
			p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				return failed("object-cycle", "mmap", errno);
			p[0] = (char)i;
			munmap(p, ps);
			close(fd);
		}
		keep_min(&n_best, now_us() - t);
	}
	report("object-cycle", s_best, "memfd_create + mmap + touch + munmap + close", n_best);
	return 0;
}

/* A cheap, deterministic PRNG for the name picks (the same on both sides). */
static unsigned long next_pick(unsigned long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Time OPENS opens of random names among @n: named sections (their creator
 * holds them open) against files in @dir.
 */
static int names_round(unsigned long n, const char *dir, double *s_us, double *n_us)
{
	char name[64], path[160];
	unsigned long i, x = 88172645463325252UL;
	double t;
	int h, fd;

	t = now_us();
	for (i = 0; i < OPENS; i++) {
		snprintf(name, sizeof(name), "bench-%lu", next_pick(&x) % n);
		h = sections_open(dev, name, SECTIONS_ACCESS_QUERY, SECTIONS_HANDLE_CLOEXEC);
		if (h < 0)
			return failed("names-open", "sections_open", -h);
		close(h);
	}
	keep_min(s_us, now_us() - t);
	x = 88172645463325252UL;
	t = now_us();
	for (i = 0; i < OPENS; i++) {
		snprintf(path, sizeof(path), "%s/f-%lu", dir, next_pick(&x) % n);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return failed("names-open", "open", errno);
		close(fd);
	}
	keep_min(n_us, now_us() - t);
	return 0;
}

/* Grow both sides to @n names (sections held open in @handles, files in @dir). */
static int names_grow(unsigned long from, unsigned long n, int *handles, const char *dir)
{
	char name[64], path[160];
	unsigned long i;
	int fd;

	for (i = from; i < n; i++) {
		snprintf(name, sizeof(name), "bench-%lu", i);
		handles[i] = sections_create(dev, ps, SECTIONS_PAGE_READWRITE, name,
					     SECTIONS_HANDLE_CLOEXEC, NULL);
		if (handles[i] < 0)
			return failed("names-open", "sections_create", -handles[i]);
		snprintf(path, sizeof(path), "%s/f-%lu", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return failed("names-open", "creating a file", errno);
		close(fd);
	}
	return 0;
}

static int bench_names(void)
{
	double s_few = NONE, n_few = NONE, s_many = NONE, n_many = NONE;
	char dir[] = "/dev/shm/sections_bench-XXXXXX", path[160], what[64];
	unsigned long i, made = 0;
	int *handles, r, ret;
	struct rlimit rl = { names_max + 64, names_max + 64 };
	FILE *f;

	/* A handle is a file: a million names need fs.nr_open (2^20) raised. */
	f = fopen("/proc/sys/fs/nr_open", "r+");
	if (f) {
		unsigned long nr_open = 0;

		if (fscanf(f, "%lu", &nr_open) == 1 && nr_open < rl.rlim_max) {
			rewind(f);
			fprintf(f, "%lu\n", (unsigned long)rl.rlim_max);
		}
		fclose(f);
	}
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return failed("names-open", "setrlimit(RLIMIT_NOFILE)", errno);
	handles = calloc(names_max, sizeof(*handles));
	if (!handles || !mkdtemp(dir))
		return failed("names-open", "setup", errno);
	ret = names_grow(0, FEW_NAMES, handles, dir);
	made = FEW_NAMES;
	for (r = 0; !ret && r < reps; r++)
		ret = names_round(FEW_NAMES, dir, &s_few, &n_few);
	if (!ret) {
		ret = names_grow(FEW_NAMES, names_max, handles, dir);
		made = names_max;
	}
	for (r = 0; !ret && r < reps; r++)
		ret = names_round(names_max, dir, &s_many, &n_many);
	if (!ret) {
		report("names-open-100", s_few, "open() of one of 100 tmpfs files", n_few);
		snprintf(what, sizeof(what), "names-open-%lu", names_max);
		report(what, s_many, "open() in a tmpfs directory of as many files", n_many);
		printf("bench: names-open-growth: sections %.2fx, native %.2fx from 100 to %lu names\n",
		       s_many / s_few, n_many / n_few, names_max);
	}
	for (i = 0; i < made; i++) {
		if (handles[i] >= 0)
			close(handles[i]);
		snprintf(path, sizeof(path), "%s/f-%lu", dir, i);
		unlink(path);
	}
	rmdir(dir);
	free(handles);
	return ret;
}

int main(int argc, char **argv)
{
	char *spath = NULL, *npath = NULL;
	unsigned long mib = 64;
	int sfd, nfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: %s DIR [MIB [REPS [NAMES]]]\n", argv[0]);
		return 2;
	}
	if (argc > 4)
		names_max = strtoul(argv[4], NULL, 0);
	if (names_max < FEW_NAMES || names_max > 2000000) {
		fprintf(stderr, "%s: NAMES must be 100 to 2000000\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		mib = strtoul(argv[2], NULL, 0);
	reps = argc > 3 ? atoi(argv[3]) : 5;
	if (!mib || mib > 1024 || reps < 1) {
		fprintf(stderr, "%s: MIB must be 1 to 1024, REPS at least 1\n", argv[0]);
		return 2;
	}
	ps = sysconf(_SC_PAGESIZE);
	len = mib << 20;
	chunk = malloc(CHUNK);
	if (!chunk)
		return failed("setup", "malloc", ENOMEM), 1;
	atexit(restore_knobs);
	knob_save(&fa_knob);

	dev = sections_open_device();
	if (dev < 0)
		return failed("setup", "sections_open_device", -dev), 1;
	sfd = make_file(argv[1], "sections_bench.sections", &spath);
	if (sfd < 0)
		return failed("setup", "making the sections file", -sfd), 1;
	nfd = make_file(argv[1], "sections_bench.native", &npath);
	if (nfd < 0)
		return failed("setup", "making the native file", -nfd), 1;
	printf("bench: setup: %lu MiB, best of %d, page size %ld, fault_around_bytes %s\n",
	       mib, reps, ps, fa_knob.saved ? fa_knob.old : "unknown");

	bench_file_faults(sfd, nfd);
	bench_file_cold(sfd, nfd);
	bench_flush(sfd, nfd);
	bench_lazy(sfd, nfd);
	bench_read_memory(sfd, nfd);
	bench_query(sfd);
	bench_pagefile();
	bench_cycle();
	bench_names();

	close(sfd);
	close(nfd);
	unlink(spath);
	unlink(npath);
	free(spath);
	free(npath);
	free(chunk);
	printf("bench: done\n");
	return failures ? 1 : 0;
}

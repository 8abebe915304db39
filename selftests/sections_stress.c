// SPDX-License-Identifier: GPL-2.0
/*
 * sections_stress -d DIR [-t SECONDS] [-s SEED] [options]: many processes
 * share named pagefile-backed and named file-backed sections (files in DIR,
 * an ext4 disk in the guest) while a supervisor kills them with SIGKILL at
 * random moments and forks them again. Afterwards every byte of every
 * section must equal a model of what was written.
 *
 * The model. Each section is an array of 64-byte records ("slots"); every
 * slot has one owner, a worker id. The first half of a section interleaves
 * the workers' slots (every page holds slots of every worker), the second
 * half gives each worker whole pages. Only a worker id's processes write its
 * slots, and the supervisor starts a new process for an id only once every
 * process of the old one (its process group) is dead, so a slot has one
 * writer at a time. The content of a record is a function of (seed, section,
 * slot, worker, seq): the model needs only the sequence numbers.
 *
 * The journal. For every slot, a MAP_SHARED anonymous region of the
 * supervisor (it survives any SIGKILL) holds two sequence numbers: done, the
 * last record written completely, and inflight, the record being written.
 * A write sets inflight, copies the record into the view, sets done, clears
 * inflight. So whenever a process dies, each slot holds record(done), or,
 * when inflight is set and differs, bytes each of which is that of
 * record(done) or of record(inflight) (a torn copy). Before the next write
 * to such a slot, its record(inflight) is written again in full and made
 * done, so a slot is never a mix of more than two records. done == 0 means
 * never written: zeros.
 *
 * Write-back. A view is unmapped when its process dies, so the dirty pages
 * of a file-backed section reach the file once nothing maps them: after all
 * workers are dead and the sections are gone, each file must equal the model
 * exactly; the pagefile sections, which the supervisor keeps open, too.
 * Workers check their own slots whenever they map a view (the section may
 * have been rebuilt from the file meanwhile), and copy-on-write views are
 * scribbled on anywhere: none of that may reach a section.
 *
 * The operations, each process with its own random mix: open a section by
 * name, or by a create that finds it, or (files) create a new named, alias
 * named or unnamed section on the file, all of which share the file's pages;
 * duplicate and close handles; map views (whole or a window, shared or
 * copy-on-write), unmap them (munmap or the unmap-view ioctl), move them
 * (mremap); write records; flush (the ioctl with and without
 * SECTIONS_FLUSH_DURABLE, msync MS_SYNC and MS_ASYNC); query handles and
 * pages; read /proc/sections; fork a child that carries on with the views
 * while its parent waits; exit with views mapped. Every -c seconds the
 * supervisor stops all workers and checks everything, then starts them
 * again: the sections are then rebuilt from the files.
 *
 * Output: "stress: ..." lines, the last one
 * "stress: N operations, K kills, F files checked, seed S". Exit status 0
 * when everything matched, 1 on a mismatch or an unexpected error (details
 * on stdout), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sections.h>

#define DEV_PATH	"/dev/sections"
#define PROC_PATH	"/proc/sections"
#define PARAM_DIR	"/sys/module/sections/parameters/"

#define REC_SIZE	64
#define REC_MAGIC	0x53545253u	/* "STRS" */
#define MAX_WORKERS	64
#define MAX_SECS	32
#define MAX_VIEWS	8
#define ERR_LEN		512

typedef uint64_t u64;
typedef uint32_t u32;

struct record {
	u32 magic;
	uint16_t worker;
	uint16_t sec;
	u32 slot;
	u32 seed32;
	u64 seq;
	u64 data[4];
	u64 sum;
};
_Static_assert(sizeof(struct record) == REC_SIZE, "record size");

/* One slot's journal entry (shared memory). */
struct jslot {
	u64 done;
	u64 inflight;
};

/* Per worker id, in shared memory. */
struct wshared {
	u64 seq;		/* last sequence number used by this id */
	u64 ops;		/* operations done by this id's processes */
	u64 writes;		/* records written */
	u64 checks;		/* slots checked live */
	u64 eintr;		/* flushes that failed with EINTR (-E) */
	int failed;		/* set with msg when a process of this id found a problem */
	char msg[ERR_LEN];
};

struct shared {
	volatile int stop;
	struct wshared w[MAX_WORKERS];
};

/* The options. */
static struct {
	const char *dir;
	unsigned int seconds;
	u64 seed;
	unsigned int workers;
	unsigned int npage;	/* pagefile sections */
	unsigned int nfile;	/* file-backed sections */
	unsigned int pages;	/* pages per section */
	unsigned int kill_ms;	/* mean interval between kills */
	unsigned int check_s;	/* seconds between full checks (0: only at the end) */
	int delay_ms;		/* writeback_delay_ms to set, -1: leave */
	int max_dirty;		/* max_dirty_percent to set, -1: leave */
	unsigned int wait_s;	/* longest wait for write-back at a check */
	int verbose;
	int eintr_ok;		/* -E: EINTR from a flush is not a failure */
} opt = {
	.seconds = 30, .workers = 12, .npage = 3, .nfile = 4, .pages = 64,
	.kill_ms = 40, .delay_ms = -1, .max_dirty = -1, .wait_s = 120,
};

static long ps;
static unsigned int nsecs;		/* npage + nfile; pagefile ones first */
static unsigned int slots_per_sec;	/* pages * ps / REC_SIZE */
static struct shared *sh;
static struct jslot *journal;		/* nsecs * slots_per_sec */
static char tag[32];			/* names are "stress-TAG-..." */
static char file_path[MAX_SECS][256];

/* Each worker's slots of a section, ascending (the same in every section). */
static u32 *own_slots[MAX_WORKERS];
static u32 own_count[MAX_WORKERS];

static int is_file(unsigned int s)
{
	return s >= opt.npage;
}

static struct jslot *jslot(unsigned int s, u32 slot)
{
	return &journal[(size_t)s * slots_per_sec + slot];
}

/* ---- random numbers and record contents ---- */

static u64 mix64(u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct rng {
	u64 s;
};

static u64 rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

/* Uniform in [0, n). */
static u64 rnd_below(struct rng *r, u64 n)
{
	return n ? rnd(r) % n : 0;
}

/* True with probability pct / 100. */
static int chance(struct rng *r, unsigned int pct)
{
	return rnd_below(r, 100) < pct;
}

static u64 rec_sum(const struct record *rec)
{
	const u64 *w = (const u64 *)rec;
	u64 h = 0x5354524553530000ull;
	size_t i;

	for (i = 0; i < offsetof(struct record, sum) / 8; i++)
		h = mix64(h ^ w[i]);
	return h;
}

static unsigned int owner_of(u32 slot)
{
	u32 per_page = ps / REC_SIZE;
	u32 page = slot / per_page;
	u32 half = opt.pages / 2;

	if (page < half)
		return slot % opt.workers;
	return (page - half) % opt.workers;
}

/* The record @seq of a slot; seq 0 is the never-written slot (zeros). */
static void make_record(struct record *rec, unsigned int s, u32 slot, u64 seq)
{
	u64 k;
	int i;

	memset(rec, 0, sizeof(*rec));
	if (!seq)
		return;
	rec->magic = REC_MAGIC;
	rec->worker = owner_of(slot);
	rec->sec = s;
	rec->slot = slot;
	rec->seed32 = (u32)opt.seed;
	rec->seq = seq;
	k = mix64(opt.seed ^ ((u64)s << 56) ^ ((u64)slot << 24) ^ seq);
	for (i = 0; i < 4; i++)
		rec->data[i] = k = mix64(k);
	rec->sum = rec_sum(rec);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the model check of one slot ---- */

/*
 * Compare the bytes of @slot of section @s with the journal. Returns 0 when
 * they are what the model allows, else 1 with a description in @why.
 */
static int check_slot(unsigned int s, u32 slot, const void *bytes, char *why, size_t len)
{
	const struct jslot *j = jslot(s, slot);
	u64 done = __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
	u64 inflight = __atomic_load_n(&j->inflight, __ATOMIC_ACQUIRE);
	const unsigned char *b = bytes, *o, *n;
	struct record old, new, got;
	size_t i;

	make_record(&old, s, slot, done);
	if (!memcmp(bytes, &old, REC_SIZE))
		return 0;
	if (inflight && inflight != done) {
		make_record(&new, s, slot, inflight);
		o = (const unsigned char *)&old;
		n = (const unsigned char *)&new;
		for (i = 0; i < REC_SIZE; i++)
			if (b[i] != o[i] && b[i] != n[i])
				break;
		if (i == REC_SIZE)
			return 0;
	}
	memcpy(&got, bytes, REC_SIZE);
	if (got.magic == REC_MAGIC)
		snprintf(why, len, "section %u slot %u (worker %u, offset %lu): want seq %llu%s%.0llu,"
			 " found worker %u section %u slot %u seq %llu, checksum %s%s", s, slot,
			 owner_of(slot), (unsigned long)slot * REC_SIZE, (unsigned long long)done,
			 inflight && inflight != done ? " or in-flight " : "",
			 (unsigned long long)(inflight != done ? inflight : 0), got.worker, got.sec,
			 got.slot, (unsigned long long)got.seq, rec_sum(&got) == got.sum ? "ok" : "BAD",
			 got.seq < done ? " (older: a write was lost)" : "");
	else
		snprintf(why, len, "section %u slot %u (worker %u, offset %lu): want seq %llu%s%.0llu,"
			 " found %s (first bytes %08x %08x)", s, slot, owner_of(slot),
			 (unsigned long)slot * REC_SIZE, (unsigned long long)done,
			 inflight && inflight != done ? " or in-flight " : "",
			 (unsigned long long)(inflight != done ? inflight : 0),
			 memcmp(bytes, &(struct record){ 0 }, REC_SIZE) ? "no record" : "zeros",
			 ((const u32 *)bytes)[0], ((const u32 *)bytes)[1]);
	return 1;
}

/* ---- ioctl wrappers ---- */

static int sec_create(int dev, const char *name, u64 size, int file_fd, u32 *result)
{
	struct sections_create_args a;
	int h;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.protection = SECTIONS_PAGE_READWRITE;
	if (name) {
		a.name = (uintptr_t)name;
		a.name_len = strlen(name);
	}
	if (file_fd >= 0) {
		a.flags = SECTIONS_CREATE_FILE;
		a.fd = file_fd;
	}
	h = ioctl(dev, SECTIONS_IOC_CREATE, &a);
	if (result)
		*result = a.result;
	return h;
}

static int sec_open(int dev, const char *name, u32 access)
{
	struct sections_open_args a;

	memset(&a, 0, sizeof(a));
	a.name = (uintptr_t)name;
	a.name_len = strlen(name);
	a.access = access;
	return ioctl(dev, SECTIONS_IOC_OPEN, &a);
}

static int sec_flush(int dev, void *addr, u64 len, u32 flags)
{
	struct sections_flush_args a = { .addr = (uintptr_t)addr, .len = len, .flags = flags };

	return ioctl(dev, SECTIONS_IOC_FLUSH_VIEW, &a);
}

/* The name of section @s; @alias picks the second name of a file (same control area). */
static void sec_name(char *buf, size_t len, unsigned int s, int alias)
{
	if (is_file(s))
		snprintf(buf, len, "stress-%s-f%u%s", tag, s, alias ? "-b" : "");
	else
		snprintf(buf, len, "stress-%s-p%u", tag, s);
}

/* ---- workers ---- */

struct view {
	char *addr;		/* NULL: free */
	size_t len;
	off_t off;		/* byte offset in the section */
	unsigned int s;
	int cow;		/* MAP_PRIVATE */
	int scribbled;		/* a copy-on-write view written to: no longer the section's bytes */
};

struct worker {
	unsigned int id;
	int depth;		/* 0: the worker, 1..: a forked child */
	struct rng r;
	int dev;
	int h[MAX_SECS];
	struct view v[MAX_VIEWS];
	struct wshared *w;
	unsigned int weight[16];	/* this process's mix of operations */
};

static void wfail(struct worker *ws, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Report a problem found by a worker process (kept in shared memory) and die. */
static void wfail(struct worker *ws, const char *fmt, ...)
{
	char buf[ERR_LEN - 128];
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!ws->w->failed) {
		snprintf(ws->w->msg, sizeof(ws->w->msg), "worker %u (pid %d%s): %s%s%s", ws->id,
			 (int)getpid(), ws->depth ? ", forked child" : "", buf, e ? ": " : "",
			 e ? strerror(e) : "");
		__atomic_store_n(&ws->w->failed, 1, __ATOMIC_SEQ_CST);
	}
	_exit(3);
}

static void count_op(struct worker *ws)
{
	__atomic_add_fetch(&ws->w->ops, 1, __ATOMIC_RELAXED);
}

/* The first slot of worker @id at or after @slot: an index into own_slots[id]. */
static u32 own_lower_bound(unsigned int id, u32 slot)
{
	u32 lo = 0, hi = own_count[id];

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (own_slots[id][mid] < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Check this worker's slots that @v shows against the journal: all of them,
 * or for a large view a random run of VERIFY_MAX (the checks after a stop
 * see every byte).
 */
#define VERIFY_MAX	256

static void verify_view(struct worker *ws, struct view *v)
{
	u32 first = v->off / REC_SIZE, end = (v->off + v->len) / REC_SIZE, i, lo, hi;
	char why[ERR_LEN - 256];

	lo = own_lower_bound(ws->id, first);
	hi = own_lower_bound(ws->id, end);
	if (hi - lo > VERIFY_MAX) {
		lo += rnd_below(&ws->r, hi - lo - VERIFY_MAX + 1);
		hi = lo + VERIFY_MAX;
	}
	for (i = lo; i < hi; i++) {
		u32 slot = own_slots[ws->id][i];

		if (check_slot(v->s, slot, v->addr + (size_t)slot * REC_SIZE - v->off, why,
			       sizeof(why))) {
			errno = 0;
			wfail(ws, "%s view at offset %ld (%zu bytes) shows %s", v->cow ? "copy-on-write" :
			      "shared", (long)v->off, v->len, why);
		}
		__atomic_add_fetch(&ws->w->checks, 1, __ATOMIC_RELAXED);
	}
}

/* Copy a record into a view 8 bytes at a time, as a SIGKILL may cut it. */
static void put_record(void *dst, const struct record *rec)
{
	volatile u64 *d = dst;
	const u64 *src = (const u64 *)rec;
	int i;

	for (i = 0; i < REC_SIZE / 8; i++)
		d[i] = src[i];
}

/* Write the next record of @slot through shared view @v, journaled. */
static void write_slot(struct worker *ws, struct view *v, u32 slot)
{
	struct jslot *j = jslot(v->s, slot);
	char *dst = v->addr + (size_t)slot * REC_SIZE - v->off;
	struct record rec;
	u64 seq;

	/* A write a SIGKILL cut: finish it first, so at most two records are ever in play. */
	if (j->inflight && j->inflight != j->done) {
		make_record(&rec, v->s, slot, j->inflight);
		put_record(dst, &rec);
		__atomic_store_n(&j->done, j->inflight, __ATOMIC_SEQ_CST);
	}
	seq = ws->w->seq + 1;
	__atomic_store_n(&ws->w->seq, seq, __ATOMIC_SEQ_CST);
	__atomic_store_n(&j->inflight, seq, __ATOMIC_SEQ_CST);
	make_record(&rec, v->s, slot, seq);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	put_record(dst, &rec);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&j->done, seq, __ATOMIC_SEQ_CST);
	__atomic_store_n(&j->inflight, 0, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ws->w->writes, 1, __ATOMIC_RELAXED);
}

static struct view *pick_view(struct worker *ws, int want_shared)
{
	unsigned int i, start = rnd_below(&ws->r, MAX_VIEWS);

	for (i = 0; i < MAX_VIEWS; i++) {
		struct view *v = &ws->v[(start + i) % MAX_VIEWS];

		if (v->addr && (!want_shared || !v->cow))
			return v;
	}
	return NULL;
}

static struct view *free_view(struct worker *ws)
{
	unsigned int i;

	for (i = 0; i < MAX_VIEWS; i++)
		if (!ws->v[i].addr)
			return &ws->v[i];
	return NULL;
}

#define ACCESS_RW	(SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ | \
			 SECTIONS_ACCESS_MAP_WRITE | SECTIONS_ACCESS_MAP_COPY)

/* Create a section on file @s (named, by its alias name, or unnamed). */
static int create_file_section(struct worker *ws, unsigned int s, const char *name)
{
	u32 result = 0;
	int fd, h;

	fd = open(file_path[s], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		wfail(ws, "open %s", file_path[s]);
	/* Size 0: the file's size. */
	h = sec_create(ws->dev, name, chance(&ws->r, 50) ? 0 : (u64)opt.pages * ps, fd, &result);
	if (h < 0)
		wfail(ws, "create %s section on %s", name ? name : "an unnamed", file_path[s]);
	close(fd);
	return h;
}

/* Get a handle to section @s: by name, by a create that finds it, or (files) a new section. */
static void op_open(struct worker *ws)
{
	unsigned int s = rnd_below(&ws->r, nsecs);
	char name[96];
	u32 result = 0;
	int h, how = rnd_below(&ws->r, 4);

	if (ws->h[s] >= 0)
		return;
	sec_name(name, sizeof(name), s, is_file(s) && how == 3);
	if (!is_file(s)) {
		if (how < 2) {
			h = sec_open(ws->dev, name, ACCESS_RW);
		} else {
			h = sec_create(ws->dev, name, (u64)opt.pages * ps, -1, &result);
			if (h >= 0 && !(result & SECTIONS_CREATE_EXISTED)) {
				errno = 0;
				wfail(ws, "create of %s made a new section: the supervisor holds one", name);
			}
		}
		if (h < 0)
			wfail(ws, "open pagefile section %s", name);
	} else if (how == 0 || how == 3) {
		h = sec_open(ws->dev, name, ACCESS_RW);
		if (h < 0 && errno == ENOENT)
			h = create_file_section(ws, s, name);
		else if (h < 0)
			wfail(ws, "open %s", name);
	} else {
		h = create_file_section(ws, s, how == 1 ? name : NULL);
	}
	ws->h[s] = h;
	count_op(ws);
}

static void op_close(struct worker *ws)
{
	unsigned int s = rnd_below(&ws->r, nsecs);

	if (ws->h[s] < 0)
		return;
	if (close(ws->h[s]))
		wfail(ws, "close handle of section %u", s);
	ws->h[s] = -1;
	count_op(ws);
}

/* Replace a handle by a duplicate (the same or a smaller access). */
static void op_dup(struct worker *ws)
{
	unsigned int s = rnd_below(&ws->r, nsecs);
	struct sections_dup_args a = { .flags = SECTIONS_DUP_SAME_ACCESS };
	int h;

	if (ws->h[s] < 0)
		return;
	if (chance(&ws->r, 50)) {
		a.flags = 0;
		a.access = ACCESS_RW;
	}
	h = ioctl(ws->h[s], SECTIONS_IOC_DUPLICATE, &a);
	if (h < 0)
		wfail(ws, "duplicate handle of section %u", s);
	close(ws->h[s]);
	ws->h[s] = h;
	count_op(ws);
}

/* Map a view of a section we hold: all of it or a window, shared or copy-on-write. */
static void op_map(struct worker *ws)
{
	unsigned int s = rnd_below(&ws->r, nsecs);
	struct view *v = free_view(ws);
	u64 first = 0, count = opt.pages;

	if (!v || ws->h[s] < 0)
		return;
	if (chance(&ws->r, 50)) {
		first = rnd_below(&ws->r, opt.pages);
		count = 1 + rnd_below(&ws->r, opt.pages - first);
	}
	v->s = s;
	v->off = first * ps;
	v->len = count * ps;
	v->cow = chance(&ws->r, 8);
	v->scribbled = 0;
	v->addr = mmap(NULL, v->len, PROT_READ | PROT_WRITE, v->cow ? MAP_PRIVATE : MAP_SHARED,
		       ws->h[s], v->off);
	if (v->addr == MAP_FAILED) {
		v->addr = NULL;
		wfail(ws, "map %zu bytes at %ld of section %u", v->len, (long)v->off, s);
	}
	verify_view(ws, v);
	count_op(ws);
}

/* Unmap a view: munmap or the unmap-view ioctl. */
static void op_unmap(struct worker *ws)
{
	struct view *v = pick_view(ws, 0);
	__u64 base;

	if (!v)
		return;
	base = (uintptr_t)v->addr;
	if (chance(&ws->r, 50) ? munmap(v->addr, v->len) : ioctl(ws->dev, SECTIONS_IOC_UNMAP_VIEW, &base))
		wfail(ws, "unmap view of section %u", v->s);
	v->addr = NULL;
	count_op(ws);
}

/* Move a whole view elsewhere (mremap); it keeps its identity and its pages. */
static void op_move(struct worker *ws)
{
	struct view *v = pick_view(ws, 0);
	void *to, *got;

	if (!v)
		return;
	to = mmap(NULL, v->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (to == MAP_FAILED)
		wfail(ws, "reserve %zu bytes", v->len);
	got = mremap(v->addr, v->len, v->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (got != to)
		wfail(ws, "mremap view of section %u", v->s);
	v->addr = got;
	count_op(ws);
}

/* Write records into this worker's slots that a shared view shows. */
static void op_write(struct worker *ws)
{
	struct view *v = pick_view(ws, 1);
	u32 first, end, lo, hi, n, i;

	if (!v)
		return;
	first = v->off / REC_SIZE;
	end = (v->off + v->len) / REC_SIZE;
	lo = own_lower_bound(ws->id, first);
	hi = own_lower_bound(ws->id, end);
	if (lo == hi)
		return;
	n = 1 + rnd_below(&ws->r, 16);
	/* Mostly scattered, sometimes a run of neighbours, now and then a sweep of many pages. */
	if (chance(&ws->r, 3)) {
		u32 k = lo + rnd_below(&ws->r, hi - lo);

		for (i = 0; i < 1024 && k + i < hi; i++)
			write_slot(ws, v, own_slots[ws->id][k + i]);
	} else if (chance(&ws->r, 70)) {
		for (i = 0; i < n; i++)
			write_slot(ws, v, own_slots[ws->id][lo + rnd_below(&ws->r, hi - lo)]);
	} else {
		u32 k = lo + rnd_below(&ws->r, hi - lo);

		for (i = 0; i < n && k + i < hi; i++)
			write_slot(ws, v, own_slots[ws->id][k + i]);
	}
	count_op(ws);
}

/* Write garbage anywhere in a copy-on-write view: it must never reach the section. */
static void op_scribble(struct worker *ws)
{
	unsigned int i, tries;
	struct view *v = NULL;

	for (tries = 0; tries < MAX_VIEWS && !v; tries++) {
		v = pick_view(ws, 0);
		if (v && !v->cow)
			v = NULL;
	}
	if (!v)
		return;
	for (i = 0; i < 8; i++) {
		size_t at = rnd_below(&ws->r, v->len / 8) * 8;

		*(volatile u64 *)(v->addr + at) = rnd(&ws->r);
	}
	v->scribbled = 1;
	count_op(ws);
}

/* A random page range of @v: its start in *addr, its length (0: to the end) returned. */
static size_t view_range(struct worker *ws, struct view *v, char **addr)
{
	size_t pages = v->len / ps, first = rnd_below(&ws->r, pages);

	*addr = v->addr + first * ps;
	if (chance(&ws->r, 30))
		return 0;
	return (1 + rnd_below(&ws->r, pages - first)) * ps;
}

/*
 * With -E, a flush may fail with EINTR: the write error of another process's
 * flush that was cut by its SIGKILL (a known kernel bug, counted).
 */
static int eintr_ok(struct worker *ws)
{
	if (!opt.eintr_ok || errno != EINTR)
		return 0;
	__atomic_add_fetch(&ws->w->eintr, 1, __ATOMIC_RELAXED);
	return 1;
}

/* Flush a range of a view: the ioctl (durable or not) or msync. */
static void op_flush(struct worker *ws)
{
	struct view *v = pick_view(ws, 0);
	int how = rnd_below(&ws->r, 4);
	size_t len;
	char *addr;

	if (!v)
		return;
	len = view_range(ws, v, &addr);
	if (how < 2) {
		if (sec_flush(ws->dev, addr, len, how ? SECTIONS_FLUSH_DURABLE : 0) && !eintr_ok(ws))
			wfail(ws, "flush view of section %u (%s)", v->s, how ? "durable" : "not durable");
	} else {
		if (!len)
			len = v->addr + v->len - addr;
		if (msync(addr, len, how == 2 ? MS_SYNC : MS_ASYNC) && !eintr_ok(ws))
			wfail(ws, "msync(%s) view of section %u", how == 2 ? "MS_SYNC" : "MS_ASYNC", v->s);
	}
	count_op(ws);
}

/* Query a handle, its pages, or a view's pages: they must answer and agree with the layout. */
static void op_query(struct worker *ws)
{
	unsigned int s = rnd_below(&ws->r, nsecs);
	struct sections_page_info pi[16];
	struct sections_page_query q;
	struct sections_info info;
	struct view *v;

	if (chance(&ws->r, 50) && ws->h[s] >= 0) {
		memset(&info, 0, sizeof(info));
		if (ioctl(ws->h[s], SECTIONS_IOC_QUERY, &info))
			wfail(ws, "query section %u", s);
		if (info.size != (u64)opt.pages * ps ||
		    info.backing != (is_file(s) ? SECTIONS_BACKING_FILE : SECTIONS_BACKING_PAGEFILE) ||
		    (info.write_error && !(opt.eintr_ok && info.write_error == EINTR))) {
			errno = 0;
			wfail(ws, "query section %u: size %llu backing %u write_error %u", s,
			      (unsigned long long)info.size, info.backing, info.write_error);
		}
		q.start = rnd_below(&ws->r, opt.pages) * ps;
		q.count = 1 + rnd_below(&ws->r, 16);
		if (q.start / ps + q.count > opt.pages)
			q.count = opt.pages - q.start / ps;
		q.pages = (uintptr_t)pi;
		if (ioctl(ws->h[s], SECTIONS_IOC_QUERY_PAGES, &q))
			wfail(ws, "query pages of section %u", s);
	} else if (pick_view(ws, 0)) {
		size_t first;

		v = pick_view(ws, 0);
		first = rnd_below(&ws->r, v->len / ps);

		q.start = (uintptr_t)v->addr + first * ps;
		q.count = 1 + rnd_below(&ws->r, 16);
		if (first + q.count > v->len / ps)
			q.count = v->len / ps - first;
		q.pages = (uintptr_t)pi;
		if (ioctl(ws->dev, SECTIONS_IOC_QUERY_VIEW_PAGES, &q))
			wfail(ws, "query view pages of section %u", v->s);
	}
	count_op(ws);
}

/* Read /proc/sections to the end while everything changes. */
static void op_proc(struct worker *ws)
{
	char buf[4096];
	int fd = open(PROC_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		wfail(ws, "open %s", PROC_PATH);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		wfail(ws, "read %s", PROC_PATH);
	close(fd);
	count_op(ws);
}

static void op_verify(struct worker *ws)
{
	struct view *v = pick_view(ws, 0);

	if (!v || v->scribbled)
		return;
	verify_view(ws, v);
	count_op(ws);
}

static void worker_loop(struct worker *ws, long max_ops);
static void draw_weights(struct worker *ws);

/*
 * Fork a child that inherits the views and handles and goes on for a while
 * (writing this worker's slots too); this process waits for it, so the slots
 * still have one writer at a time. The child ends by exit, by SIGKILL, or
 * after unmapping and closing everything.
 */
static void op_fork(struct worker *ws)
{
	int status;
	pid_t pid;

	if (ws->depth >= 2)
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		wfail(ws, "fork");
	if (!pid) {
		unsigned int i, how;

		ws->depth++;
		ws->r.s = mix64(ws->r.s ^ getpid());
		draw_weights(ws);
		worker_loop(ws, 20 + rnd_below(&ws->r, 300));
		how = rnd_below(&ws->r, 4);
		if (how == 0)
			raise(SIGKILL);
		if (how == 1) {
			for (i = 0; i < MAX_VIEWS; i++)
				if (ws->v[i].addr)
					munmap(ws->v[i].addr, ws->v[i].len);
			for (i = 0; i < nsecs; i++)
				if (ws->h[i] >= 0)
					close(ws->h[i]);
		}
		_exit(0);
	}
	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			wfail(ws, "waitpid for forked child %d", (int)pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		_exit(3);	/* it reported why */
	if (!(WIFEXITED(status) && !WEXITSTATUS(status)) &&
	    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
		errno = 0;
		wfail(ws, "forked child %d ended with status 0x%x", (int)pid, status);
	}
	count_op(ws);
}

/* The operations and their weights. */
static const struct {
	void (*fn)(struct worker *ws);
	unsigned int weight;
} ops[] = {
	{ op_open, 10 }, { op_close, 5 }, { op_dup, 2 }, { op_map, 10 }, { op_unmap, 8 },
	{ op_move, 2 }, { op_write, 45 }, { op_scribble, 2 }, { op_flush, 8 }, { op_query, 3 },
	{ op_proc, 1 }, { op_verify, 3 }, { op_fork, 1 },
};
_Static_assert(sizeof(ops) / sizeof(ops[0]) <= 16, "struct worker's weight[]");

#define NOPS	(sizeof(ops) / sizeof(ops[0]))

/*
 * Each process draws its own mix: every weight from half to twice the
 * default, and one in five processes never flushes (so dirty pages pile up
 * and the writers trim views).
 */
static void draw_weights(struct worker *ws)
{
	unsigned int i;

	for (i = 0; i < NOPS; i++) {
		ws->weight[i] = ops[i].weight * (1 + rnd_below(&ws->r, 4)) / 2;
		if (ops[i].fn == op_flush && chance(&ws->r, 20))
			ws->weight[i] = 0;
	}
}

static void worker_loop(struct worker *ws, long max_ops)
{
	unsigned int total = 0, i, pick;
	long n;

	for (i = 0; i < NOPS; i++)
		total += ws->weight[i];
	for (n = 0; max_ops < 0 || n < max_ops; n++) {
		if (sh->stop)
			_exit(0);
		/* Now and then a process ends on its own, views still mapped. */
		if (!rnd_below(&ws->r, 3000))
			_exit(0);
		pick = rnd_below(&ws->r, total);
		for (i = 0; pick >= ws->weight[i]; i++)
			pick -= ws->weight[i];
		ops[i].fn(ws);
	}
}

/* A new process for worker id @id (in its own process group, made by the supervisor). */
static void worker_main(unsigned int id, u64 incarnation)
{
	struct worker ws;
	unsigned int i;

	memset(&ws, 0, sizeof(ws));
	ws.id = id;
	ws.w = &sh->w[id];
	ws.r.s = mix64(opt.seed ^ mix64(((u64)id << 32) ^ incarnation));
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	for (i = 0; i < MAX_SECS; i++)
		ws.h[i] = -1;
	ws.dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (ws.dev < 0)
		wfail(&ws, "open %s", DEV_PATH);
	draw_weights(&ws);
	worker_loop(&ws, -1);
	_exit(0);
}

/* ---- the supervisor ---- */

static struct {
	pid_t pid;		/* the worker's first process (its process group), 0: none */
	int gone;		/* that process was reaped (its group may live on) */
	int dying;		/* its process group was sent SIGKILL */
	u64 incarnation;
} wk[MAX_WORKERS];

static u64 kills, exits;
static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("stress: FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("stress: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Reap one child (a worker or an orphan of one, as we are their subreaper). */
static int reap(int block)
{
	unsigned int i;
	int status;
	pid_t pid;

	pid = waitpid(-1, &status, block ? 0 : WNOHANG);
	if (pid <= 0)
		return pid;
	for (i = 0; i < opt.workers; i++)
		if (wk[i].pid == pid)
			break;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		;	/* it reported why in shared memory */
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		fail("process %d%s exited with status %d", (int)pid, i < opt.workers ? " (a worker)" : "",
		     WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		fail("process %d%s was killed by signal %d (%s)", (int)pid,
		     i < opt.workers ? " (a worker)" : "", WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (i < opt.workers) {
		if (WIFEXITED(status) && !sh->stop && !wk[i].dying)
			exits++;
		wk[i].gone = 1;
	}
	return pid;
}

/* SIGKILL every process of worker @i (its process group); reap() and group_empty() follow. */
static void kill_worker(unsigned int i)
{
	if (!wk[i].pid || wk[i].dying)
		return;
	kill(-wk[i].pid, SIGKILL);
	wk[i].dying = 1;
}

/* Whether every process of worker @i is dead and reaped (then a new one may start). */
static int group_empty(unsigned int i)
{
	if (!wk[i].pid)
		return 1;
	if (kill(-wk[i].pid, 0) == 0 || errno != ESRCH)
		return 0;
	wk[i].pid = 0;
	return 1;
}

/* Kill worker @i and wait for all its processes. */
static void kill_worker_wait(unsigned int i)
{
	kill_worker(i);
	while (!group_empty(i))
		if (reap(1) < 0 && errno == ECHILD)
			break;
	wk[i].pid = 0;
}

static void spawn_worker(unsigned int i)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		setpgid(0, 0);
		worker_main(i, wk[i].incarnation);
	}
	setpgid(pid, pid);
	wk[i].pid = pid;
	wk[i].gone = wk[i].dying = 0;
	wk[i].incarnation++;
}

/* Stop every worker (SIGKILL) and reap everything. */
static void stop_all(void)
{
	unsigned int i;

	sh->stop = 1;
	for (i = 0; i < opt.workers; i++)
		kill_worker(i);
	for (i = 0; i < opt.workers; i++)
		kill_worker_wait(i);
	while (reap(0) > 0)
		;
	sh->stop = 0;
}

/* The first failure a worker reported, printed once. */
static int worker_failed(void)
{
	static int reported[MAX_WORKERS];
	unsigned int i;
	int any = 0;

	for (i = 0; i < opt.workers; i++) {
		if (!__atomic_load_n(&sh->w[i].failed, __ATOMIC_ACQUIRE))
			continue;
		any = 1;
		if (!reported[i]) {
			reported[i] = 1;
			fail("%s", sh->w[i].msg);
		}
	}
	return any;
}

static u64 total_ops(void)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < opt.workers; i++)
		n += sh->w[i].ops;
	return n;
}

/* ---- the checks (all workers dead) ---- */

static int sup_dev = -1;
static int sup_handle[MAX_SECS];	/* the supervisor's handles to the pagefile sections */
static u64 files_checked, slots_checked;

/* Compare @len bytes of section @s (a view, or the file's bytes) with the model. */
static int check_bytes(unsigned int s, const char *bytes, size_t len, const char *what)
{
	char why[ERR_LEN];
	unsigned int bad = 0;
	u32 slot;

	if (len != (size_t)opt.pages * ps) {
		fail("%s: %zu bytes, want %zu", what, len, (size_t)opt.pages * ps);
		return 1;
	}
	for (slot = 0; slot < slots_per_sec; slot++) {
		if (!check_slot(s, slot, bytes + (size_t)slot * REC_SIZE, why, sizeof(why)))
			continue;
		if (++bad <= 10)
			fail("%s: %s", what, why);
	}
	slots_checked += slots_per_sec;
	if (bad > 10)
		fail("%s: %u slots wrong in all", what, bad);
	return bad != 0;
}

static void check_pagefile_sections(void)
{
	size_t len = (size_t)opt.pages * ps;
	unsigned int s;
	char what[64];

	for (s = 0; s < opt.npage; s++) {
		char *v = mmap(NULL, len, PROT_READ, MAP_SHARED, sup_handle[s], 0);

		snprintf(what, sizeof(what), "pagefile section %u", s);
		if (v == MAP_FAILED) {
			fail("%s: map: %s", what, strerror(errno));
			continue;
		}
		check_bytes(s, v, len, what);
		munmap(v, len);
	}
}

/* How many of our file-backed sections /proc/sections still lists (-1: cannot read it). */
static int file_sections_listed(void)
{
	char line[512], prefix[64];
	int n = 0;
	FILE *f = fopen(PROC_PATH, "r");

	if (!f)
		return -1;
	snprintf(prefix, sizeof(prefix), "stress-%s-f", tag);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)))
			n++;
	fclose(f);
	return n;
}

/* Read file @s into @buf (up to @len bytes); its size in *size. */
static int read_file(unsigned int s, char *buf, size_t len, size_t *size)
{
	int fd = open(file_path[s], O_RDONLY | O_CLOEXEC);
	size_t done = 0;
	struct stat st;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		close(fd);
		return -1;
	}
	while (done < len && (n = pread(fd, buf + done, len - done, done)) > 0)
		done += n;
	close(fd);
	*size = st.st_size;
	return n < 0 ? -1 : 0;
}

static int param_get(const char *name)
{
	char path[128];
	int val = -1;
	FILE *f;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &val) != 1)
			val = -1;
		fclose(f);
	}
	return val;
}

static int param_set(const char *name, int val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%d\n", val) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* Whether @bytes (a whole section) match the model, quietly. */
static int model_ok(unsigned int s, const char *bytes)
{
	char why[ERR_LEN];
	u32 slot;

	for (slot = 0; slot < slots_per_sec; slot++)
		if (check_slot(s, slot, bytes + (size_t)slot * REC_SIZE, why, sizeof(why)))
			return 0;
	return 1;
}

/*
 * Wait for the file-backed sections to go from /proc/sections and their
 * files to match the model, or to stop changing (for three write-back
 * delays and 2 s), at most opt.wait_s; then compare every file with the
 * model.
 */
static void check_files(void)
{
	static char *cur[MAX_SECS], *buf;
	size_t len = (size_t)opt.pages * ps, size[MAX_SECS] = { 0 };
	int delay = param_get("writeback_delay_ms"), listed = -1, match = 0, changed;
	double start = now(), last_change = start, window;
	unsigned int s;
	char what[300];

	if (!opt.nfile)
		return;
	if (delay < 0)
		delay = 3000;
	window = 3 * delay / 1000.0 + 2;
	if (!buf)
		buf = malloc(len);
	for (s = opt.npage; s < nsecs; s++) {
		if (!cur[s])
			cur[s] = malloc(len);
		if (!cur[s] || !buf) {
			fail("out of memory");
			return;
		}
		memset(cur[s], 0, len);
	}
	for (;;) {
		listed = file_sections_listed();
		changed = 0;
		match = 1;
		for (s = opt.npage; s < nsecs; s++) {
			size_t sz = 0;

			memset(buf, 0, len);
			if (read_file(s, buf, len, &sz))
				fail("read %s: %s", file_path[s], strerror(errno));
			if (memcmp(buf, cur[s], len) || sz != size[s]) {
				changed = 1;
				memcpy(cur[s], buf, len);
				size[s] = sz;
			}
			if (match && (sz != len || !model_ok(s, cur[s])))
				match = 0;
		}
		if (changed)
			last_change = now();
		if (listed == 0 && (match || now() - last_change >= window))
			break;
		if (now() - start > opt.wait_s) {
			fail("write-back wait gave up after %u s: %d file-backed section(s) still in %s,"
			     " files last changed %.1f s ago", opt.wait_s, listed, PROC_PATH,
			     now() - last_change);
			break;
		}
		usleep(100000);
	}
	if (match) {
		/* They match: they must stay so (no late, stale write-back). */
		usleep((delay + 300) * 1000);
		for (s = opt.npage; s < nsecs; s++)
			if (read_file(s, cur[s], len, &size[s]))
				fail("read %s: %s", file_path[s], strerror(errno));
	}
	if (opt.verbose)
		note("write-back settled in %.1f s", now() - start);
	for (s = opt.npage; s < nsecs; s++) {
		snprintf(what, sizeof(what), "file %s (section %u)", file_path[s], s);
		if (size[s] != len)
			fail("%s: %zu bytes, want %zu", what, size[s], len);
		else
			check_bytes(s, cur[s], len, what);
		files_checked++;
	}
}

/*
 * The dirty pages of our file-backed sections, as /proc/sections counts them
 * (per file: a file's sections share one control area), to tell whether the
 * run went over the dirty limit (and so trimmed views).
 */
static long dirty_now(void)
{
	long per_file[MAX_SECS] = { 0 }, total = 0;
	char line[512], prefix[64], name[300];
	unsigned int s;
	FILE *f = fopen(PROC_PATH, "r");

	if (!f)
		return -1;
	snprintf(prefix, sizeof(prefix), "stress-%s-f", tag);
	while (fgets(line, sizeof(line), f)) {
		long dirty;

		if (strncmp(line, prefix, strlen(prefix)) ||
		    sscanf(line, "%299s %*s %*s %*s %*s %*s %*s %*s %*s %ld", name, &dirty) != 2)
			continue;
		s = strtoul(name + strlen(prefix), NULL, 10);
		if (s < MAX_SECS && dirty > per_file[s])
			per_file[s] = dirty;
	}
	fclose(f);
	for (s = 0; s < MAX_SECS; s++)
		total += per_file[s];
	return total;
}

/* The module's dirty limit in pages (max(1% of RAM * max_dirty_percent, 256)). */
static long dirty_limit(void)
{
	long kb = 0, pct = param_get("max_dirty_percent");
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %ld kB", &kb) == 1)
			break;
	fclose(f);
	if (pct < 1)
		pct = 1;
	kb = kb * 1024 / ps / 100 * pct;
	return kb > 256 ? kb : 256;
}

/* ---- setup and the run ---- */

static long max_dirty_seen, limit_pages;

static int setup(void)
{
	size_t jsize, len;
	unsigned int s, i;
	u32 slot;

	ps = sysconf(_SC_PAGESIZE);
	nsecs = opt.npage + opt.nfile;
	slots_per_sec = (size_t)opt.pages * ps / REC_SIZE;
	snprintf(tag, sizeof(tag), "%d", (int)getpid());
	for (i = 0; i < opt.workers; i++) {
		own_slots[i] = calloc(slots_per_sec / opt.workers + ps / REC_SIZE + 2, sizeof(u32));
		if (!own_slots[i])
			return fail("out of memory"), -1;
	}
	for (slot = 0; slot < slots_per_sec; slot++) {
		i = owner_of(slot);
		own_slots[i][own_count[i]++] = slot;
	}
	jsize = (size_t)nsecs * slots_per_sec * sizeof(struct jslot);
	sh = mmap(NULL, sizeof(*sh) + jsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return fail("mmap shared memory: %s", strerror(errno)), -1;
	journal = (struct jslot *)(sh + 1);

	if (opt.delay_ms >= 0 && param_set("writeback_delay_ms", opt.delay_ms))
		return fail("set writeback_delay_ms: %s", strerror(errno)), -1;
	if (opt.max_dirty >= 0 && param_set("max_dirty_percent", opt.max_dirty))
		return fail("set max_dirty_percent: %s", strerror(errno)), -1;
	limit_pages = dirty_limit();
	sup_dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (sup_dev < 0)
		return fail("open %s: %s", DEV_PATH, strerror(errno)), -1;
	len = (size_t)opt.pages * ps;
	for (s = 0; s < nsecs; s++) {
		char name[96];
		int fd;

		if (!is_file(s)) {
			sec_name(name, sizeof(name), s, 0);
			sup_handle[s] = sec_create(sup_dev, name, len, -1, NULL);
			if (sup_handle[s] < 0)
				return fail("create pagefile section %s: %s", name, strerror(errno)), -1;
			continue;
		}
		snprintf(file_path[s], sizeof(file_path[s]), "%s/stress-%s-%u.dat", opt.dir, tag, s);
		fd = open(file_path[s], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, len) || fsync(fd))
			return fail("make %s: %s", file_path[s], strerror(errno)), -1;
		close(fd);
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return fail("PR_SET_CHILD_SUBREAPER: %s", strerror(errno)), -1;
	return 0;
}

static double stress_secs, check_secs;	/* time the workers ran; time the checks took */

static void checkpoint(void)
{
	double t = now();


	check_pagefile_sections();
	check_files();
	check_secs += now() - t;
}

static void run(void)
{
	double start = now(), end = start + opt.seconds, next_check, next_note = start + 10;
	double phase_start = start, next_sample = start;
	long dirty;
	struct rng r = { mix64(opt.seed ^ 0x5355504552ull) };
	unsigned int i, checks = 0;

	next_check = opt.check_s ? start + opt.check_s : end;
	for (i = 0; i < opt.workers; i++)
		spawn_worker(i);
	while (!failures && !worker_failed()) {
		double t = now();

		if (t >= end)
			break;
		if (t >= next_check) {
			stop_all();
			stress_secs += now() - phase_start;
			if (worker_failed())
				break;
			checkpoint();
			checks++;
			if (opt.verbose)
				note("check %u done at %.0f s: %llu operations so far", checks, now() - start,
				     (unsigned long long)total_ops());
			next_check = now() + opt.check_s;
			phase_start = now();
			for (i = 0; i < opt.workers; i++)
				spawn_worker(i);
			continue;
		}
		if (t >= next_sample) {
			dirty = dirty_now();
			if (dirty > max_dirty_seen)
				max_dirty_seen = dirty;
			next_sample = t + 0.5;
		}
		if (opt.verbose && t >= next_note) {
			note("%.0f s: %llu operations, %llu kills", t - start,
			     (unsigned long long)total_ops(), (unsigned long long)kills);
			next_note += 10;
		}
		usleep(rnd_below(&r, 2 * opt.kill_ms + 1) * 1000);
		while (reap(0) > 0)
			;
		/*
		 * A worker that ended on its own, or was killed: once all its
		 * processes are gone, a new one starts (not before: its slots
		 * must have one writer).
		 */
		for (i = 0; i < opt.workers; i++) {
			if (wk[i].gone)
				kill_worker(i);
			if (wk[i].dying && group_empty(i))
				spawn_worker(i);
		}
		/* SIGKILL one worker, now and then several at once. */
		i = 1 + (chance(&r, 10) ? rnd_below(&r, opt.workers) : 0);
		while (i--) {
			unsigned int w = rnd_below(&r, opt.workers);

			if (wk[w].pid && !wk[w].dying) {
				kill_worker(w);
				kills++;
			}
		}
	}
	stop_all();
	stress_secs += now() - phase_start;
	worker_failed();
	checkpoint();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sections_stress -d DIR [-t SECONDS] [-s SEED] [-w WORKERS] [-p PAGEFILE_SECTIONS]\n"
		"       [-f FILE_SECTIONS] [-P PAGES] [-k KILL_MS] [-c CHECK_S] [-W DELAY_MS]\n"
		"       [-D MAX_DIRTY_PERCENT] [-B WAIT_S] [-E] [-v]\n"
		"  -d DIR   where the files of the file-backed sections go (an ext4 mount)\n"
		"  -t       seconds of stress (30)          -s  seed (from the clock)\n"
		"  -w       worker processes (12)           -p  pagefile sections (3)\n"
		"  -f       file-backed sections (4)        -P  pages per section (64)\n"
		"  -k       mean ms between kills (40)      -c  stop and check every CHECK_S s (0: at the end)\n"
		"  -W       set writeback_delay_ms          -D  set max_dirty_percent\n"
		"  -B       longest write-back wait at a check, s (120)\n"
		"  -E       a flush or msync failing with EINTR (or write_error EINTR) is counted,\n"
		"           not a failure: the error of another process's flush cut by SIGKILL\n"
		"  -v       progress every 10 s\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	int c, seeded = 0, old_delay, old_dirty;
	double start;

	while ((c = getopt(argc, argv, "d:t:s:w:p:f:P:k:c:W:D:B:vE")) != -1) {
		switch (c) {
		case 'd':
			opt.dir = optarg;
			break;
		case 't':
			opt.seconds = num(optarg, 1u << 30);
			break;
		case 's':
			opt.seed = strtoull(optarg, NULL, 0); seeded = 1;
			break;
		case 'w':
			opt.workers = num(optarg, MAX_WORKERS);
			break;
		case 'p':
			opt.npage = num(optarg, MAX_SECS);
			break;
		case 'f':
			opt.nfile = num(optarg, MAX_SECS);
			break;
		case 'P':
			opt.pages = num(optarg, 16384);
			break;
		case 'k':
			opt.kill_ms = num(optarg, 1u << 20);
			break;
		case 'c':
			opt.check_s = num(optarg, 1u << 30);
			break;
		case 'W':
			opt.delay_ms = num(optarg, 1u << 30);
			break;
		case 'D':
			opt.max_dirty = num(optarg, 100);
			break;
		case 'B':
			opt.wait_s = num(optarg, 1u << 20);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'E':
			opt.eintr_ok = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !opt.workers || opt.pages < 2 || opt.npage + opt.nfile > MAX_SECS ||
	    !(opt.npage + opt.nfile) || (opt.nfile && !opt.dir))
		usage();
	if (!seeded)
		opt.seed = (u64)time(NULL) ^ ((u64)getpid() << 20);
	setvbuf(stdout, NULL, _IOLBF, 0);
	old_delay = param_get("writeback_delay_ms");
	old_dirty = param_get("max_dirty_percent");
	note("seed %llu: %u workers, %u pagefile and %u file-backed sections of %u pages, %u s,"
	     " a kill every ~%u ms, writeback_delay_ms %d, max_dirty_percent %d",
	     (unsigned long long)opt.seed, opt.workers, opt.npage, opt.nfile, opt.pages,
	     opt.seconds, opt.kill_ms, opt.delay_ms >= 0 ? opt.delay_ms : old_delay,
	     opt.max_dirty >= 0 ? opt.max_dirty : old_dirty);
	start = now();
	if (!setup())
		run();
	if (opt.delay_ms >= 0 && old_delay >= 0)
		param_set("writeback_delay_ms", old_delay);
	if (opt.max_dirty >= 0 && old_dirty >= 0)
		param_set("max_dirty_percent", old_dirty);
	if (sh != MAP_FAILED && sh) {
		u64 writes = 0, checks = 0, eintr = 0;
		unsigned int i;

		for (i = 0; i < opt.workers; i++) {
			writes += sh->w[i].writes;
			checks += sh->w[i].checks;
			eintr += sh->w[i].eintr;
		}
		note("%.1f s of stress, %.1f s of checks (%.0f s in all): %llu operations (%.0f/s),"
		     " %llu records written, %llu slots checked live, %llu checked after stops,"
		     " %llu kills (%.1f/s), %llu exits", stress_secs, check_secs, now() - start,
		     (unsigned long long)total_ops(), total_ops() / (stress_secs > 0 ? stress_secs : 1),
		     (unsigned long long)writes, (unsigned long long)checks,
		     (unsigned long long)slots_checked, (unsigned long long)kills,
		     kills / (stress_secs > 0 ? stress_secs : 1), (unsigned long long)exits);
		note("at most %ld dirty file-backed pages seen in %s (sampled; trimming above %ld)",
		     max_dirty_seen, PROC_PATH, limit_pages);
		if (opt.eintr_ok)
			note("%llu flushes failed with EINTR (-E: not counted as failures)",
			     (unsigned long long)eintr);
	}
	if (!failures) {
		unsigned int s;

		for (s = opt.npage; s < nsecs; s++)
			unlink(file_path[s]);
	}
	note("%s", failures ? "FAILED" : "ok");
	note("%llu operations, %llu kills, %llu files checked, seed %llu",
	     (unsigned long long)(sh && sh != MAP_FAILED ? total_ops() : 0),
	     (unsigned long long)kills, (unsigned long long)files_checked,
	     (unsigned long long)opt.seed);
	return failures ? 1 : 0;
}

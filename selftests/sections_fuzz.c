// SPDX-License-Identifier: GPL-2.0
/*
 * sections_fuzz: the structured fuzzer of the sections module.
 *
 * Random sequences of every ioctl of <linux/sections.h> and of the system
 * calls that meet a section (mmap, munmap, mremap, mprotect, madvise, msync,
 * fork, exit, kill -9, close, dup, SCM_RIGHTS, ftruncate, read, write,
 * lseek, fallocate, and plain loads and stores to views), with valid,
 * boundary and hostile arguments, in several threads of several processes.
 *
 *   sections_fuzz [-n OPS] [-t SECONDS] [-j THREADS] [-p PROCS] [-d DIR]
 *                 [-s SEED] [-c] [-v]
 *
 * -p PROCS processes (the first is this one) each run -j THREADS threads
 * that share one table of handles, views and backing files: the table is
 * protected by a mutex, but every system call is made outside it, so close,
 * munmap, mremap and msync of one entry race with everything else on it on
 * purpose. An operation whose entry changed while it ran ("raced") is not
 * judged: its fd or address may be another object's by then. The other
 * processes are forked children that also fork short-lived children of
 * their own; this process kills them with SIGKILL at random and forks them
 * again.
 *
 * A failure is: an errno the uapi does not document for an operation (one
 * table per operation, below, narrowed by what is known to be wrong in the
 * arguments), a success where the uapi says the call must fail, a view
 * access that faults where it must not (or does not fault where it must),
 * a crash of the fuzzer, or no progress of one thread for 60 s (the
 * watchdog). It prints the seed and the last operations of the thread, and
 * the exit status is 1. Otherwise the last line is
 *   fuzz: N operations, R ops/s, seed S
 * and the exit status 0. Every 5 minutes (10 s with -v) a line
 *   fuzz: N operations in T s, R ops/s
 * tells how far a long run has come.
 *
 * Reproducing: each thread draws its choices from a PRNG (splitmix64)
 * seeded with (seed, process, thread, incarnation). With -p 1 -j 1, -s SEED
 * replays the same operations as long as the kernel answers the same; with
 * more threads a choice lands on whatever the others left in the shared
 * table, and when a child is killed is up to the scheduler, so the ring of
 * a failing thread's last operations is what to rebuild a test from.
 *
 * -c (coverage): each thread traces the module's basic blocks with KCOV
 * (the debug kernel instruments only the module); the PCs are printed as
 * "kcov-pc: 0x..." lines, with the module's .text address, for
 * scripts/run-fuzz to map onto sections.ko. KCOV sees only the calling
 * task: work the module defers to kworkers (write-back, teardown) and the
 * short-lived grandchildren are not counted.
 *
 * SECTIONS_FUZZ_HANG=1 in the environment makes the first thread hang in
 * its first operation: a test of the watchdog.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/kcov.h>
#include <linux/mempolicy.h>
#include <linux/sections.h>

#define MAX_PROCS	16
#define MAX_THREADS	16
#define RING		32	/* operations remembered per thread */
#define REC_LEN		120
#define HANG_NS		(60LL * 1000000000)
#define DEV		"/dev/sections"

typedef unsigned long long u64;
typedef unsigned int u32;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static long ps;			/* page size */

/* ---- output: write(2) only, so forked children of threads may use it too ---- */

static void vsay(int fd, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w <= 0)
			break;
		memmove(buf, buf + w, n - w);
		n -= w;
	}
}

/* Diagnostics go to stderr, results (the last line, coverage) to stdout. */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(2, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(1, fmt, ap);
	va_end(ap);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *ename(int e)
{
	const char *s = e ? strerrorname_np(e) : "0";

	return s ? s : "E?";
}

/* ---- PRNG: splitmix64, one state per thread ---- */

static u64 splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The seed of one thread of one incarnation of one process. */
static u64 derive_seed(u64 seed, u64 proc, u64 thread, u64 gen)
{
	u64 s = seed;

	s ^= splitmix(&s) + proc * 0x100000001b3ULL;
	s ^= splitmix(&s) + thread * 0xc2b2ae3d27d4eb4fULL;
	s ^= splitmix(&s) + gen * 0x165667b19e3779f9ULL;
	splitmix(&s);
	return s;
}

/* ---- state shared by all processes (MAP_SHARED, made before any fork) ---- */

/* One thread's progress and its last operations, readable by the watchdog. */
struct slot {
	_Atomic int active;
	_Atomic int pid;
	_Atomic int64_t stamp;		/* CLOCK_MONOTONIC of its last progress */
	_Atomic u32 head;		/* records written */
	u32 gen;			/* incarnation of its process */
	u64 seed;
	char rec[RING][REC_LEN];
};

/* Coverage: an open-addressing set of PCs, filled with compare-and-swap. */
#define COV_SLOTS	(1 << 17)

struct shared {
	u64 seed;
	u64 ops_limit;
	_Atomic u64 ops;		/* operations started, all processes */
	_Atomic int stop;
	_Atomic int failed;
	pid_t main_pid;
	_Atomic int lowmem;		/* MemAvailable is low: no new pages for now */
	_Atomic u64 lowmem_times;
	_Atomic u64 memcg_writers;	/* op_memcg() children that joined the cgroup */
	_Atomic u64 failing_runs, failing_refused;	/* op_failing(): flags set, flushes refused */
	_Atomic pid_t child[MAX_PROCS];
	struct slot slots[MAX_PROCS][MAX_THREADS];
	_Atomic u64 done[40];		/* operations run, per enum op (NR_OPS at most) */
	_Atomic u64 cov_count;
	_Atomic u64 cov[COV_SLOTS];
};

static struct shared *sh;

/* Options. */
static u64 opt_ops, opt_seed;
static int opt_secs, opt_threads = 4, opt_procs = 3, opt_cov, opt_fault, opt_verbose;
static const char *opt_dir = "/tmp/sections-fuzz";
/* -g: a cgroup v2 directory with memory.high set (scripts/run-fuzz), for op_memcg(). */
static const char *opt_cgroup;
static bool seed_given;

/* Am I allowed what root is (Global\ creates, CAP_IPC_OWNER, no limits)? */
static bool privileged;

/* ---- per-thread context ---- */

/* Scratch pages of a thread: what hostile arguments point at. */
#define SCR_RW		0	/* two read-write pages: arguments, names, outputs */
#define SCR_RO		2	/* read-only (zero) page: output structures fault */
#define SCR_FLIP	3	/* filled, then made read-only for one call */
#define SCR_NONE	4	/* PROT_NONE guard page, right after SCR_FLIP */
#define SCR_PAGES	5

/* PCs this thread already gave to the shared set. */
#define COV_LOCAL	(1 << 14)

struct ctx {
	u64 rng;
	struct slot *slot;
	int proc, thread;
	bool grandchild;		/* a forked child of a worker thread */
	int dev;			/* this thread's own /dev/sections */
	char *scr;
	unsigned long *kcov;		/* KCOV area, or NULL */
	bool faulty;			/* runs with make-it-fail (-F): any errno goes */
	u64 *cov_local;
	sigjmp_buf jb;
	volatile sig_atomic_t in_touch;
	u64 nops;
	bool recorded;			/* the operation did something (rec() ran) */
};

static __thread struct ctx *cur;

static u64 rnd(u64 n)
{
	return n ? splitmix(&cur->rng) % n : 0;
}

static bool one_in(u64 n)
{
	return rnd(n) == 0;
}

static u64 rnd64(void)
{
	return splitmix(&cur->rng);
}

static void *scr(int page)
{
	return cur->scr + page * ps;
}

/* ---- the ring of operations ---- */

/* Start the record of an operation: "#N text ...", finished by rec_end(). */
static void __attribute__((format(printf, 1, 2))) rec(const char *fmt, ...)
{
	struct slot *s = cur->slot;
	u32 h = atomic_load(&s->head);
	char *r = s->rec[h % RING];
	int n;
	va_list ap;

	cur->recorded = true;
	n = snprintf(r, REC_LEN, "#%llu ", (u64)cur->nops);
	va_start(ap, fmt);
	vsnprintf(r + n, REC_LEN - n, fmt, ap);
	va_end(ap);
	atomic_store(&s->head, h + 1);
}

/* Append to the current record. */
static void __attribute__((format(printf, 1, 2))) rec_add(const char *fmt, ...)
{
	struct slot *s = cur->slot;
	char *r = s->rec[(atomic_load(&s->head) - 1) % RING];
	size_t n = strnlen(r, REC_LEN);
	va_list ap;

	if (n >= REC_LEN - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r + n, REC_LEN - n, fmt, ap);
	va_end(ap);
}

static void rec_ret(long ret, int err)
{
	if (ret < 0)
		rec_add(" = -%s", ename(err));
	else
		rec_add(" = %ld", ret);
}

static void dump_slot(struct slot *s, const char *who)
{
	u32 h = atomic_load(&s->head), i;

	say("fuzz: %s: seed %llu, last %u operations:\n", who, (u64)s->seed,
	    h < RING ? h : RING);
	for (i = h < RING ? 0 : h - RING; i < h; i++)
		say("fuzz:   %.*s\n", REC_LEN, s->rec[i % RING]);
}

static void who_am_i(char *buf, size_t n)
{
	snprintf(buf, n, "process %d%s thread %d (pid %d)", cur->proc,
		 cur->grandchild ? " (forked child)" : "", cur->thread, (int)getpid());
}

/* The process's mappings, for a failure that may be about views. */
static void dump_maps(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	say("fuzz: /proc/%d/maps:\n", (int)getpid());
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(2, buf, n) < 0)
			break;
	close(fd);
}

/*
 * A failure: report it with this thread's last operations and make every
 * process stop. The first failure prints the whole story; later ones (other
 * threads meeting the consequences) one line each.
 */
static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	char msg[512], who[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	who_am_i(who, sizeof(who));
	atomic_store(&sh->stop, 1);
	if (atomic_exchange(&sh->failed, 1)) {
		say("fuzz: FAIL (also): %s: %s\n", who, msg);
		return;
	}
	say("fuzz: FAIL: %s: %s\n", who, msg);
	say("fuzz: FAIL: seed %llu (-s %llu -p %d -j %d)\n", sh->seed, sh->seed, opt_procs,
	    opt_threads);
	dump_slot(cur->slot, who);
	if (opt_verbose)
		dump_maps();
}

/* ---- errno sets and verdicts ---- */

/* A set of errnos; every errno the module or the VFS returns here is below 128. */
typedef unsigned __int128 eset;
#define B(e)		((eset)1 << (e))

static bool in_set(eset s, int e)
{
	return e > 0 && e < 128 && ((s >> e) & 1);
}

static void set_names(eset s, char *buf, size_t n)
{
	size_t len = 0;
	int e;

	buf[0] = '\0';
	for (e = 1; e < 128 && len < n; e++)
		if (in_set(s, e))
			len += snprintf(buf + len, n - len, "%s%s", len ? "," : "", ename(e));
}

/* Always acceptable: a signal, or no memory for the kernel's own structures. */
#define ALWAYS		(B(EINTR) | B(ENOMEM))

enum op {
	OP_CREATE, OP_OPEN, OP_UNMAP_VIEW, OP_FLUSH_VIEW, OP_QUERY_VIEW_PAGES,
	OP_QUERY, OP_DUPLICATE, OP_QUERY_PAGES, OP_BAD_IOCTL, OP_HANDLE_IO,
	OP_CLOSE, OP_DUP, OP_MMAP, OP_MUNMAP, OP_MREMAP, OP_MPROTECT, OP_MADVISE,
	OP_MSYNC, OP_TOUCH, OP_MAP_FILES, OP_FORK, OP_SEND, OP_RECV, OP_FILE,
	OP_PROC, OP_PLACEHOLDER, OP_DEVFD, OP_MEMPOLICY, OP_FILEIO, OP_MEMCG, OP_FAILING,
	OP_FAULT_AROUND, OP_LIMITS, NR_OPS
};

_Static_assert(NR_OPS <= 40, "struct shared counts 40 operations at most");

/*
 * The errnos each operation may return at all; judge() narrows them further
 * by what is known about the arguments. From the uapi's kernel-doc for the
 * ioctls, the README's rules for views, and the man pages for the generic
 * calls. Where this is wider than the uapi says, the comment says why.
 */
static const eset op_errnos[NR_OPS] = {
	/*
	 * EMFILE: every call that returns a new fd. EIO, EDQUOT: growing the
	 * backing file ("a size past the end of the file grows the file") is
	 * the filesystem's truncate, whose errors the uapi does not list.
	 */
	[OP_CREATE] = B(EINVAL) | B(EFBIG) | B(ENAMETOOLONG) | B(EFAULT) | B(EPERM) |
		B(ENOSPC) | B(EACCES) | B(EBADF) | B(ENODEV) | B(ENODATA) | B(EOVERFLOW) |
		B(EMEDIUMTYPE) | B(EMFILE) | B(EIO) | B(EDQUOT),
	[OP_OPEN] = B(EINVAL) | B(ENAMETOOLONG) | B(EFAULT) | B(ENOENT) | B(EMEDIUMTYPE) |
		B(EACCES) | B(EMFILE),
	[OP_UNMAP_VIEW] = B(EFAULT) | B(EINVAL),
	/* "A write-back error ... is returned here (EIO, ENOSPC...)": what kernel_write() gives. */
	[OP_FLUSH_VIEW] = B(EFAULT) | B(EINVAL) | B(ENXIO) | B(EIO) | B(ENOSPC) | B(EDQUOT) |
		B(EFBIG),
	[OP_QUERY_VIEW_PAGES] = B(EFAULT) | B(EINVAL) | B(ENXIO),
	[OP_QUERY] = B(EACCES) | B(EFAULT) | B(ERANGE),
	[OP_DUPLICATE] = B(EINVAL) | B(EACCES) | B(EFAULT) | B(EMFILE),
	[OP_QUERY_PAGES] = B(EACCES) | B(EFAULT) | B(EINVAL) | B(ENXIO),
	[OP_BAD_IOCTL] = B(ENOTTY),
	/*
	 * A handle is not a file: EINVAL, ESPIPE, EPERM, EOPNOTSUPP, ENOLCK;
	 * fallocate's own argument checks come first (EINVAL, EFBIG); reopening
	 * through /proc is EACCES.
	 */
	[OP_HANDLE_IO] = B(EINVAL) | B(ESPIPE) | B(EPERM) | B(EOPNOTSUPP) | B(EFBIG) | B(EACCES) |
		B(ENOLCK),
	[OP_CLOSE] = 0,
	[OP_DUP] = B(EMFILE),
	/* EOPNOTSUPP: MAP_SHARED_VALIDATE with an unknown flag; ENODEV: mmap of /dev/sections. */
	[OP_MMAP] = B(EACCES) | B(ENXIO) | B(EINVAL) | B(EOVERFLOW) | B(EOPNOTSUPP) | B(ENODEV),
	[OP_MUNMAP] = B(EINVAL),
	[OP_MREMAP] = B(EINVAL) | B(EFAULT),
	[OP_MPROTECT] = B(EINVAL) | B(EACCES),
	/* MADV_REMOVE: EACCES (not shared writable), EOPNOTSUPP (no hole punching). */
	[OP_MADVISE] = B(EINVAL) | B(EACCES) | B(EOPNOTSUPP) | B(EAGAIN) | B(EIO),
	/* msync(MS_SYNC) is the durable flush: its write-back errors. */
	[OP_MSYNC] = B(EINVAL) | B(EBUSY) | B(EIO) | B(ENOSPC) | B(EDQUOT) | B(EFBIG) | B(ENXIO),
	[OP_TOUCH] = 0,
	/* Opening a view's file by path: EACCES; EPERM without CAP_SYS_ADMIN. */
	[OP_MAP_FILES] = B(EACCES) | B(EPERM) | B(ENOENT),
	[OP_FORK] = B(EAGAIN),
	[OP_MEMCG] = B(EAGAIN),
	[OP_FAILING] = B(EPERM) | B(ENOSPC) | B(EDQUOT) | B(EIO) | B(EMFILE) | B(ENFILE),
	/* A worker that dropped to nobody may not open the parameter. */
	[OP_FAULT_AROUND] = B(EACCES) | B(EMFILE) | B(ENFILE),
	[OP_LIMITS] = B(EACCES) | B(EMFILE) | B(ENFILE),
	/* ETOOMANYREFS: the per-user limit of fds in flight. */
	[OP_SEND] = B(EAGAIN) | B(ENOBUFS) | B(ETOOMANYREFS),
	[OP_RECV] = B(EAGAIN),
	/* The backing files' own calls, on ext4 or tmpfs: not the module's to define. */
	[OP_FILE] = ~(eset)0,
	[OP_PROC] = B(ENOENT),
	/* The debugfs test hook: name taken (EEXIST), bad name, root only. */
	[OP_PLACEHOLDER] = B(EEXIST) | B(EBUSY) | B(EINVAL) | B(ENAMETOOLONG) | B(EACCES) |
		B(ENOENT),
	[OP_DEVFD] = B(EMFILE),
	/*
	 * Memory policies and residency of views: mbind() of a part splits
	 * (EINVAL), MPOL_MF_STRICT may find misplaced pages (EIO), no NUMA is
	 * ENOSYS. Not the uapi's: lenient, here for the races and the paths.
	 */
	[OP_MEMPOLICY] = B(EINVAL) | B(EIO) | B(ENOSYS) | B(EPERM) | B(EFAULT),
	/*
	 * The uapi's (struct sections_file_io, struct sections_file_args),
	 * and those of what they do on the file: pread/pwrite, fallocate or
	 * truncate to grow it (ENOSPC, EDQUOT, EIO), fsync, truncate (EACCES
	 * for a file of another user, once the fuzzer runs as nobody);
	 * write-back errors of the file (ENXIO: a cut below dirty pages); a
	 * failing file's further writes (EDQUOT: its user's bound).
	 */
	[OP_FILEIO] = B(EINVAL) | B(EFBIG) | B(EFAULT) | B(EBADF) | B(ENODEV) | B(EPERM) |
		B(EACCES) | B(EBUSY) | B(EIO) | B(ENOSPC) | B(EDQUOT) | B(ENXIO) | B(EMFILE) |
		B(ENFILE),
};

static const char *const op_names[NR_OPS] = {
	"create", "open", "unmap_view", "flush_view", "query_view_pages", "query", "duplicate",
	"query_pages", "bad_ioctl", "handle_io", "close", "dup", "mmap", "munmap", "mremap",
	"mprotect", "madvise", "msync", "touch", "map_files", "fork", "send", "recv", "file",
	"proc", "placeholder", "devfd", "mempolicy", "fileio", "memcg", "failing",
	"fault_around", "limits",
};

/*
 * Judge one call that returned ret (errno err when ret < 0). sure: errnos
 * that something certainly wrong in the arguments gives, so the call must
 * fail; maybe: errnos the circumstances may give (a name taken by another
 * process, a commit limit, a file another thread truncated). The caller
 * does not judge a call whose handle or view changed while it ran.
 * Returns whether the call succeeded.
 */
static bool judge(enum op op, const char *what, long ret, int err, eset sure, eset maybe)
{
	eset ok = sure | maybe | ALWAYS;
	char names[400];

	if ((sure | maybe) & ~(op_errnos[op] | ALWAYS)) {
		set_names((sure | maybe) & ~(op_errnos[op] | ALWAYS), names, sizeof(names));
		fail("fuzzer bug: %s: expects %s, not in the table of %s", what, names,
		     op_names[op]);
	}
	if (ret >= 0) {
		if (sure) {
			set_names(sure, names, sizeof(names));
			fail("%s succeeded (%ld) but must fail with %s", what, ret, names);
		}
		return true;
	}
	/* An injected allocation failure may surface as any errno the path has. */
	if (!in_set(ok, err) && !cur->faulty) {
		set_names(ok, names, sizeof(names));
		fail("%s failed with %s (%s); allowed: %s%s", what, ename(err), strerror(err),
		     sure ? "" : "success, ", names);
	}
	return false;
}

/* ---- the table the threads of one process share ---- */

#define MAX_HANDLES	40
#define MAX_VIEWS	40
#define MAX_FILES	8
/*
 * mremap(MREMAP_FIXED) moves views into slots of an arena this process
 * reserved (PROT_NONE), never onto an address something else may hold.
 */
#define ARENA_SLOTS	16
#define ARENA_SLOT	(2UL << 20)

/* A handle: what is known of it decides what its calls must do. */
struct hent {
	bool used, closing;
	int fd;
	u32 gen;		/* changes when the entry does */
	u32 access;		/* its rights */
	u32 prot;		/* the section's protection; 0 unknown */
	u64 size;		/* the section's size; 0 unknown */
	int backing;		/* SECTIONS_BACKING_*; 0 unknown */
	int name;		/* index in the name pool; -1 unnamed or unknown */
	int pins;		/* calls that must not see the fd closed (SCM_RIGHTS) */
	bool disk;		/* file-backed on the -d disk (not tmpfs): may be dirtied in bursts */
};

/*
 * A view. Calls that change it (mprotect, mremap, a partial munmap, which
 * must fail) bump gen before and after, and count themselves in busy while
 * they run, like a seqlock: an access judged only if gen did not move and
 * busy was 0 saw the view as the entry says. A move is exclusive, and a
 * view being changed is not unmapped meanwhile: the change would meet
 * whatever is mapped at the address after the munmap, maybe another view.
 */
struct vent {
	bool used;
	bool moving;		/* an mremap is moving it: nothing else may change it */
	char *addr;
	size_t len;
	u32 gen;
	u32 id;			/* which view this entry holds; kept by changes */
	int busy;
	int prot;		/* current PROT_*; -1 unknown (changes overlapped) */
	u32 begun;		/* changes begun, to tell whether one overlapped another */
	bool shared;
	u32 access;		/* rights of the handle it was mapped through */
	u32 sprot;		/* the section's protection */
	int backing;
	bool disk;		/* as struct hent's */
	u64 off;		/* offset in the section */
	int arena;		/* arena slot it sits in, or -1 */
};

enum { F_BACKING = 1, F_PLACEHOLDER };

struct fent {
	bool used;
	int fd;
	u32 gen;
	int kind;
	int path;		/* index in paths[] */
	int oflags;
};

static struct {
	pthread_mutex_t lock;
	u32 gen;
	struct hent h[MAX_HANDLES];
	struct vent v[MAX_VIEWS];
	struct fent f[MAX_FILES];
	char *arena;
	bool arena_busy[ARENA_SLOTS];
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Both ends of one datagram socketpair, inherited by every process: a mailbox for handles. */
static int mailbox[2];

static void lock(void)
{
	pthread_mutex_lock(&tab.lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&tab.lock);
}

static u32 next_gen(void)
{
	return ++tab.gen;
}

/* Pick a random used entry of an array under the lock; -1 if none. */
#define PICK(arr, n, cond) ({						\
	int __i, __k = 0, __found = -1;					\
	for (__i = 0; __i < (n); __i++)					\
		if ((arr)[__i].used && (cond) && one_in(++__k))		\
			__found = __i;					\
	__found;							\
})

/* A copy of a random handle, or false when there is none. */
static bool pick_handle(struct hent *copy, int *idx)
{
	int i;

	lock();
	i = PICK(tab.h, MAX_HANDLES, !tab.h[__i].closing);
	if (i >= 0)
		*copy = tab.h[i];
	unlock();
	*idx = i;
	return i >= 0;
}

/* Is handle entry idx still the one of generation gen? */
static bool handle_same(int idx, u32 gen)
{
	bool same;

	lock();
	same = tab.h[idx].used && !tab.h[idx].closing && tab.h[idx].gen == gen;
	unlock();
	return same;
}

/* Put a new handle in the table; closes it when the table is full. */
static int add_handle(struct hent *e)
{
	int i;

	lock();
	for (i = 0; i < MAX_HANDLES; i++)
		if (!tab.h[i].used)
			break;
	if (i < MAX_HANDLES) {
		e->used = true;
		e->closing = false;
		e->pins = 0;
		e->gen = next_gen();
		tab.h[i] = *e;
	}
	unlock();
	if (i == MAX_HANDLES) {
		close(e->fd);
		return -1;
	}
	return i;
}

static int count_handles(void)
{
	int i, n = 0;

	lock();
	for (i = 0; i < MAX_HANDLES; i++)
		n += tab.h[i].used;
	unlock();
	return n;
}

/*
 * Take handle idx out of the table for closing: returns its fd, or -1 when
 * a pinned call still uses it (the last unpin closes it then).
 */
static int take_handle(int idx, u32 gen)
{
	struct hent *e = &tab.h[idx];
	int fd = -1;

	lock();
	if (e->used && !e->closing && e->gen == gen) {
		e->gen = next_gen();
		if (e->pins) {
			e->closing = true;
		} else {
			e->used = false;
			fd = e->fd;
		}
	}
	unlock();
	return fd;
}

/* Pin a random handle (its fd stays open and its entry unchanged until unpin). */
static bool pin_handle(struct hent *copy, int *idx)
{
	int i;

	lock();
	i = PICK(tab.h, MAX_HANDLES, !tab.h[__i].closing);
	if (i >= 0) {
		tab.h[i].pins++;
		*copy = tab.h[i];
	}
	unlock();
	*idx = i;
	return i >= 0;
}

static void unpin_handle(int idx)
{
	struct hent *e = &tab.h[idx];
	int fd = -1;

	lock();
	if (!--e->pins && e->closing) {
		e->used = false;
		e->closing = false;
		fd = e->fd;
	}
	unlock();
	if (fd >= 0)
		close(fd);
}

/* A copy of a random view; *steady is false when a change of it is under way. */
static bool pick_view(struct vent *copy, int *idx, bool *steady)
{
	int i;

	lock();
	i = PICK(tab.v, MAX_VIEWS, true);
	if (i >= 0) {
		*copy = tab.v[i];
		*steady = !tab.v[i].busy;
	}
	unlock();
	*idx = i;
	return i >= 0;
}

/* Is view idx still as it was at generation gen, and was nobody changing it? */
static bool view_same(int idx, u32 gen)
{
	bool same;

	lock();
	same = tab.v[idx].used && tab.v[idx].gen == gen && !tab.v[idx].busy;
	unlock();
	return same;
}

static int add_view(struct vent *e)
{
	int i;

	lock();
	for (i = 0; i < MAX_VIEWS; i++)
		if (!tab.v[i].used)
			break;
	if (i < MAX_VIEWS) {
		e->used = true;
		e->moving = false;
		e->busy = 0;
		e->gen = next_gen();
		e->id = next_gen();
		tab.v[i] = *e;
	}
	unlock();
	if (i == MAX_VIEWS) {
		munmap(e->addr, e->len);
		return -1;
	}
	return i;
}

static int count_views(void)
{
	int i, n = 0;

	lock();
	for (i = 0; i < MAX_VIEWS; i++)
		n += tab.v[i].used;
	unlock();
	return n;
}

/* A change of a view under way, from view_begin() to view_end(). */
struct change {
	u32 ticket;		/* the view's begun count after this one began */
	bool alone;		/* no other change was running when it began */
};

/*
 * Start changing view idx (of generation gen; move: with mremap). False if
 * it is another view by now, or a move is under way (or would be).
 */
static bool view_begin(int idx, u32 gen, bool move, struct change *ch)
{
	struct vent *e = &tab.v[idx];
	bool ok;

	lock();
	ok = e->used && e->gen == gen && !e->moving && !(move && e->busy);
	if (ok) {
		ch->alone = !e->busy;
		ch->ticket = ++e->begun;
		e->busy++;
		e->moving = move;
		e->gen = next_gen();
	}
	unlock();
	return ok;
}

/*
 * The change is done; *e (the copy taken before view_begin(), with e->id)
 * holds the view's new state. Returns whether no other change overlapped
 * this one, so its outcome can be judged. Overlapping mprotects end in any
 * order: the protection they leave is then unknown (-1). Nothing to do if
 * the view left the table meanwhile.
 */
static bool view_end(int idx, const struct vent *e, const struct change *ch)
{
	struct vent *v = &tab.v[idx];
	bool alone = false;

	lock();
	if (v->used && v->id == e->id) {
		alone = ch->alone && v->begun == ch->ticket;
		v->busy--;
		v->moving = false;
		v->gen = next_gen();
		v->addr = e->addr;
		v->prot = alone ? e->prot : -1;
		v->arena = e->arena;
	}
	unlock();
	return alone;
}

/* Give back the arena slot a view left: PROT_NONE again, unless another mapping took it. */
static void arena_refill(int slot, size_t len)
{
	char *a = tab.arena + slot * ARENA_SLOT;
	void *p;

	if (slot < 0)
		return;
	len = (len + ps - 1) & ~(ps - 1);
	p = mmap(a, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED_NOREPLACE, -1, 0);
	if (p != a) {
		/* Something mapped there meanwhile: the slot stays taken for good. */
		if (p != MAP_FAILED)
			munmap(p, len);
		return;
	}
	lock();
	tab.arena_busy[slot] = false;
	unlock();
}

static int arena_take(void)
{
	int i, slot = -1, k = 0;

	lock();
	for (i = 0; i < ARENA_SLOTS; i++)
		if (!tab.arena_busy[i] && one_in(++k))
			slot = i;
	if (slot >= 0)
		tab.arena_busy[slot] = true;
	unlock();
	return slot;
}

/*
 * Take view idx out of the table before it is unmapped (so no call judges
 * an access to it from now on). Returns false if it is another view by now.
 */
static bool take_view(int idx, u32 gen, struct vent *copy)
{
	struct vent *e = &tab.v[idx];
	bool ok;

	lock();
	/*
	 * Not while a change runs: its mprotect or mremap would meet whatever
	 * is mapped at the address after the munmap, maybe another view.
	 */
	ok = e->used && e->gen == gen && !e->busy;
	if (ok) {
		*copy = *e;
		e->used = false;
		e->gen = next_gen();
	}
	unlock();
	return ok;
}

/* ---- backing files and other plain fds ---- */

static bool pick_file(struct fent *copy, int *idx, int kind)
{
	int i;

	lock();
	i = PICK(tab.f, MAX_FILES, tab.f[__i].kind == kind);
	if (i >= 0)
		*copy = tab.f[i];
	unlock();
	*idx = i;
	return i >= 0;
}

static bool file_same(int idx, u32 gen)
{
	bool same;

	lock();
	same = tab.f[idx].used && tab.f[idx].gen == gen;
	unlock();
	return same;
}

static void add_file(int fd, int kind, int path, int oflags)
{
	int i;

	lock();
	for (i = 0; i < MAX_FILES; i++)
		if (!tab.f[i].used)
			break;
	if (i < MAX_FILES) {
		tab.f[i] = (struct fent){ .used = true, .fd = fd, .gen = next_gen(), .kind = kind,
					  .path = path, .oflags = oflags };
	}
	unlock();
	if (i == MAX_FILES)
		close(fd);
}

static int take_file(int idx, u32 gen)
{
	int fd = -1;

	lock();
	if (tab.f[idx].used && tab.f[idx].gen == gen) {
		fd = tab.f[idx].fd;
		tab.f[idx].used = false;
		tab.f[idx].gen = next_gen();
	}
	unlock();
	return fd;
}

/* ---- names: a small pool, so creates and opens collide everywhere ---- */

#define NR_NAMES	15

static struct {
	char s[SECTIONS_NAME_MAX + 1];
	u32 len;		/* with its prefix */
	u32 plen;		/* length of the Global\ or Local\ prefix */
	bool global;
} pool[NR_NAMES];

static void pool_set(int i, const char *prefix, const char *name, u32 nlen)
{
	u32 plen = strlen(prefix);

	memcpy(pool[i].s, prefix, plen);
	memcpy(pool[i].s + plen, name, nlen);
	pool[i].len = plen + nlen;
	pool[i].plen = plen;
	pool[i].global = !strcmp(prefix, "Global\\");
}

static void init_names(void)
{
	static const char ctl[] = "fz-\x01\x02\x1f \x7f\xff\t\n";
	char longname[SECTIONS_NAME_MAX];
	int i;

	/* "x" and "Local\x" are one object; "Global\x" is another, shared by all users. */
	for (i = 0; i < 5; i++)
		pool_set(i, "", (char[]){ 'f', 'z', '-', 'a' + i }, 4);
	pool_set(5, "Local\\", "fz-a", 4);
	pool_set(6, "Local\\", "fz-b", 4);
	pool_set(7, "Local\\", "fz-f", 4);
	pool_set(8, "Global\\", "fz-a", 4);
	pool_set(9, "Global\\", "fz-b", 4);
	pool_set(10, "Global\\", "fz-g", 4);
	pool_set(11, "", ctl, sizeof(ctl) - 1);
	/* SECTIONS_NAME_MAX bytes exactly, counting the prefix. */
	memset(longname, 'L', sizeof(longname));
	pool_set(12, "", longname, SECTIONS_NAME_MAX);
	pool_set(13, "Global\\", longname, SECTIONS_NAME_MAX - 7);
	pool_set(14, "Local\\", longname, SECTIONS_NAME_MAX - 6);
}

/* Names the module must refuse with EINVAL (a NUL, a backslash past the prefix, empty). */
static const struct {
	const char *s;
	u32 len;
} bad_names[] = {
	{ "Global\\", 7 }, { "Local\\", 6 }, { "a\\b", 3 }, { "Global\\a\\b", 10 },
	{ "Local\\Global\\x", 14 }, { "x\0y", 3 }, { "\0", 1 }, { "GLOBAL\\x", 8 },
	{ "\\", 1 }, { "Global\\\\", 8 }, { "fz-a\\", 5 }, { "fz-a\0", 5 },
};

/* ---- hostile values ---- */

/* A pointer no copy_from_user() or copy_to_user() may use. */
static u64 bad_ptr(void)
{
	switch (rnd(8)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd(ps - 1);
	case 2:
		return (uintptr_t)scr(SCR_NONE) + rnd(ps);
	case 3:
		return 0xffff800000000000ULL;
	case 4:
		return 0xffffffff81000000ULL + rnd(1 << 20) * 8;
	case 5:
		return 0x0000800000000000ULL;	/* just past the user address space */
	case 6:
		return 0x8000000000000000ULL;	/* not canonical */
	default:
		return ~0ULL - rnd(64);		/* wraps */
	}
}

static const u32 prots[] = {
	SECTIONS_PAGE_READONLY, SECTIONS_PAGE_READWRITE, SECTIONS_PAGE_WRITECOPY,
	SECTIONS_PAGE_EXECUTE_READ, SECTIONS_PAGE_EXECUTE_READWRITE,
	SECTIONS_PAGE_EXECUTE_WRITECOPY,
};

static bool prot_valid(u32 p)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prots); i++)
		if (p == prots[i])
			return true;
	return false;
}

static bool prot_writable(u32 p)
{
	return p & (SECTIONS_PAGE_READWRITE | SECTIONS_PAGE_EXECUTE_READWRITE);
}

static bool prot_exec(u32 p)
{
	return sections_protection_access(p) & SECTIONS_ACCESS_MAP_EXECUTE;
}

/* A protection: one of the six, or (sometimes) something that is none of them. */
static u32 pick_prot(void)
{
	static const u32 bad[] = { 0, 0x01, 0x06, 0x10, 0x24, 0x100, 0x44, 0x80000004 };
	u32 p;

	if (!one_in(20))
		return prots[rnd(6)];
	p = one_in(2) ? bad[rnd(ARRAY_SIZE(bad))] : (u32)rnd64();
	return prot_valid(p) ? 0x03 : p;
}

/* Rights to ask for: 0 (all the protection allows), a subset, more, or unknown bits. */
static u32 pick_access(u32 prot)
{
	u32 allowed = prot_valid(prot) ? sections_protection_access(prot) : SECTIONS_ACCESS_ALL;

	switch (rnd(10)) {
	case 0: case 1: case 2: case 3:
		return 0;
	case 4: case 5: case 6:
		return (u32)rnd64() & allowed;
	case 7: case 8:
		return (u32)rnd64() & SECTIONS_ACCESS_ALL;
	default:
		if (one_in(3))
			return ((u32)rnd64() & SECTIONS_ACCESS_ALL) | (0x40u << rnd(26));
		return (u32)rnd64() & allowed;
	}
}

/* The rights a handle gets from a create or open that asked for access. */
static u32 granted(u32 access, u32 prot)
{
	return access ? access : sections_protection_access(prot);
}

/* ---- touching views: faults are caught per thread ---- */

static int my_proc;

static void crash(int sig, void *addr)
{
	char who[96];

	if (cur)
		who_am_i(who, sizeof(who));
	else
		snprintf(who, sizeof(who), "process %d main thread (pid %d)", my_proc,
			 (int)getpid());
	atomic_store(&sh->stop, 1);
	atomic_store(&sh->failed, 1);
	say("fuzz: FAIL: %s: the fuzzer crashed: signal %d (%s) at %p\n", who, sig,
	    strsignal(sig), addr);
	say("fuzz: FAIL: seed %llu (-s %llu -p %d -j %d)\n", sh->seed, sh->seed, opt_procs,
	    opt_threads);
	if (cur)
		dump_slot(cur->slot, who);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct ctx *c = cur;

	if (c && c->in_touch) {
		c->in_touch = 0;
		siglongjmp(c->jb, sig);
	}
	/*
	 * Not an access to a view: the fuzzer itself is broken. Die of the
	 * signal: a fault comes again on return, one sent with kill() must be
	 * raised again.
	 */
	crash(sig, si->si_addr);
	signal(sig, SIG_DFL);
	if (si->si_code <= 0)
		raise(sig);
}

/* Read or write n bytes at p (n <= one page): 0, or the signal it raised. */
static int touch(char *p, size_t n, bool write, int val)
{
	int sig;

	sig = sigsetjmp(cur->jb, 1);
	if (!sig) {
		cur->in_touch = 1;
		if (write)
			memset(p, val, n);
		else
			for (size_t i = 0; i < n; i += 64)
				(void)*(volatile char *)(p + i);
		cur->in_touch = 0;
	}
	return sig;
}

/* ---- backing files: a few paths, shared by every process ---- */

#define NR_PATHS	8
#define PATH_EMPTY	7	/* stays empty: size 0 creates on it are ENODATA */

static char paths[NR_PATHS][PATH_MAX];
/* A file that fills the disk now and then, so write-back meets ENOSPC; never on tmpfs. */
static char filler[PATH_MAX];
static bool can_fill;

static const char *tmp_dir = "/tmp/sections-fuzz-tmp";

static void init_paths(void)
{
	int i, fd;

	/* Children may drop to nobody: everything here is for everyone. */
	umask(0);
	mkdir(opt_dir, 0777);
	mkdir(tmp_dir, 0777);
	for (i = 0; i < 5; i++)
		snprintf(paths[i], PATH_MAX, "%s/f%d", opt_dir, i);
	for (i = 5; i < 7; i++)
		snprintf(paths[i], PATH_MAX, "%s/t%d", tmp_dir, i);
	snprintf(paths[PATH_EMPTY], PATH_MAX, "%s/empty", opt_dir);
	snprintf(filler, PATH_MAX, "%s/filler", opt_dir);
	unlink(filler);
	{
		struct statfs sfs;

		/* tmpfs is RAM: filling it would fill the memory. */
		can_fill = !statfs(opt_dir, &sfs) && sfs.f_type != 0x01021994;
	}
	fd = open(paths[PATH_EMPTY], O_RDONLY | O_CREAT | O_TRUNC, 0444);
	if (fd < 0) {
		say("fuzz: cannot create %s: %s\n", paths[PATH_EMPTY], strerror(errno));
		exit(2);
	}
	close(fd);
}

/* The pick of a backing fd for a file-backed create, and what it implies. */
struct backing_pick {
	int fd;			/* what goes in args.fd */
	int close_fd;		/* ours to close after the call, or -1 */
	int fidx;		/* shared file entry used, or -1 */
	int path;		/* index in paths[] of a file opened here, or -1 */
	u32 fgen;
	eset sure, maybe;
	bool empty;
	bool skip;		/* nothing to call: the open failed */
};

static void pick_backing(struct backing_pick *b, u32 prot, bool named)
{
	/* ENODEV, EACCES and ENODATA come only with a new section: not for a name in use. */
	eset *newonly = named ? &b->maybe : &b->sure;
	int r = rnd(100), oflags, p;
	struct fent f;

	memset(b, 0, sizeof(*b));
	b->close_fd = b->fidx = b->path = -1;
	if (r < 72) {
		static const int modes[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };

		p = rnd(PATH_EMPTY);
		oflags = modes[rnd(5)] | O_CREAT | O_CLOEXEC | (one_in(30) ? O_TRUNC : 0);
		b->fd = b->close_fd = open(paths[p], oflags, 0666);
		b->path = p;
		rec_add(" file=%d/%#x", p, oflags);
		if (b->fd < 0) {
			b->skip = true;
			return;
		}
		if ((oflags & O_ACCMODE) == O_WRONLY ||
		    ((oflags & O_ACCMODE) == O_RDONLY && prot_writable(prot)))
			*newonly |= B(EACCES);
	} else if (r < 80) {
		b->fd = b->close_fd = open(paths[PATH_EMPTY], O_RDONLY | O_CLOEXEC);
		b->empty = true;
		rec_add(" file=empty");
		if (b->fd < 0) {
			b->skip = true;
			return;
		}
		if (prot_writable(prot))
			*newonly |= B(EACCES);
	} else if (r < 86 && pick_file(&f, &b->fidx, F_BACKING)) {
		/* Another thread may close it meanwhile: judged only if it did not. */
		b->fd = f.fd;
		b->fgen = f.gen;
		rec_add(" sharedfile=%d/%#x", f.path, f.oflags);
		if ((f.oflags & O_ACCMODE) == O_WRONLY ||
		    ((f.oflags & O_ACCMODE) == O_RDONLY && prot_writable(prot)))
			*newonly |= B(EACCES);
	} else {
		switch (rnd(7)) {
		case 0:
			b->fd = b->close_fd = open(opt_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			*newonly |= B(ENODEV);
			break;
		case 1:
			b->fd = b->close_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
			*newonly |= B(ENODEV);
			break;
		case 2:
			b->fd = cur->dev;
			*newonly |= B(ENODEV);
			break;
		case 3:
			b->fd = mailbox[0];
			*newonly |= B(ENODEV);
			break;
		case 4:
			/* An O_PATH fd is no open file for fget(). */
			b->fd = b->close_fd = open(paths[rnd(PATH_EMPTY)], O_PATH | O_CLOEXEC);
			b->sure |= B(EBADF);
			break;
		case 5:
			b->fd = 1000000 + rnd(1000);
			b->sure |= B(EBADF);
			break;
		default:
			b->fd = -1;
			b->sure |= B(EBADF);
			break;
		}
		rec_add(" badfd=%d", b->fd);
		if (b->fd == -1 && b->close_fd == -1 && !(b->sure & B(EBADF)))
			b->skip = true;
	}
	/* The filesystem's own limits and errors when the create grows the file. */
	b->maybe |= B(EFBIG) | B(ENOSPC) | B(EIO) | B(EDQUOT) | B(EOVERFLOW) | B(ENODATA);
	if (!privileged)
		b->maybe |= B(EACCES);
}

/* Place a name for a create or open; *sure gets what is wrong with it. */
static void pick_name(bool unnamed_ok, u64 *ptr, u32 *len, int *pidx, eset *sure)
{
	char *buf = scr(SCR_RW) + ps;
	int r = rnd(100), i;
	u32 n;

	*pidx = -1;
	if (unnamed_ok && r < 35) {
		*ptr = 0;
		*len = 0;
		return;
	}
	if (r < 87) {
		i = rnd(NR_NAMES);
		/* Sometimes right up against the guard page: its last byte is the page's last. */
		if (one_in(8))
			buf = scr(SCR_NONE) - pool[i].len;
		memcpy(buf, pool[i].s, pool[i].len);
		*ptr = (uintptr_t)buf;
		*len = pool[i].len;
		*pidx = i;
		return;
	}
	switch (rnd(7)) {
	case 0:
		i = rnd(ARRAY_SIZE(bad_names));
		memcpy(buf, bad_names[i].s, bad_names[i].len);
		*ptr = (uintptr_t)buf;
		*len = bad_names[i].len;
		*sure |= B(EINVAL);
		break;
	case 1:
		n = one_in(2) ? SECTIONS_NAME_MAX + 1 : SECTIONS_NAME_MAX + 1 + rnd(ps - 256);
		memset(buf, 'x', n);
		*ptr = (uintptr_t)buf;
		*len = n;
		*sure |= B(ENAMETOOLONG);
		break;
	case 2:
		/* The length is checked before the pointer. */
		*ptr = one_in(2) ? bad_ptr() : (uintptr_t)buf;
		*len = one_in(2) ? 0xffffffffu : 0x80000000u + rnd(1000);
		*sure |= B(ENAMETOOLONG);
		break;
	case 3:
		*ptr = bad_ptr();
		*len = 1 + rnd(SECTIONS_NAME_MAX);
		*sure |= B(EFAULT);
		break;
	case 4:
		/* Its last bytes are in the guard page. */
		n = 2 + rnd(SECTIONS_NAME_MAX - 1);
		*ptr = (uintptr_t)scr(SCR_NONE) - n + 1 + rnd(n - 1);
		memset(scr(SCR_FLIP) + (*ptr - (uintptr_t)scr(SCR_FLIP)), 'q',
		       (uintptr_t)scr(SCR_NONE) - *ptr);
		*len = n;
		*sure |= B(EFAULT);
		break;
	default:
		/* A pointer with no length: EINVAL for create and open alike. */
		*ptr = (uintptr_t)buf;
		*len = 0;
		*sure |= B(EINVAL);
		break;
	}
}

/* ---- create and open ---- */

/* Size of a new section: mostly small, some boundaries, a few huge ones. */
static u64 pick_size(bool file)
{
	switch (rnd(20)) {
	case 0:
		return 0;	/* EINVAL; the file's size for a file */
	case 1:
		return (u64[]){ 1, ps - 1, ps + 1, 3 * ps + 7 }[rnd(4)];
	case 2:
		return (64ULL << 10) << rnd(7);		/* 64 KiB .. 4 MiB */
	case 3:
		return (64ULL << 20) << rnd(5);		/* 64 MiB .. 1 GiB */
	case 4:
		/* Up to the limit; the commit limit refuses most without NORESERVE. */
		return (u64[]){ 1ULL << 40, SECTIONS_SIZE_MAX - ps, SECTIONS_SIZE_MAX,
				SECTIONS_SIZE_MAX - 1 }[rnd(4)];
	case 5:
		if (one_in(2))
			return (u64[]){ SECTIONS_SIZE_MAX + 1, SECTIONS_SIZE_MAX + ps, ~0ULL,
					1ULL << 63 }[rnd(4)];
		return SECTIONS_SIZE_MAX + 1 + rnd64() % (~0ULL - SECTIONS_SIZE_MAX);
	case 6: case 7:
		/* Files: room for a burst of dirty pages (see op_touch()). */
		if (file)
			return (8ULL << 20) << rnd(3);
		return (1 + rnd(16)) * ps;
	default:
		return (1 + rnd(file ? 32 : 16)) * ps;
	}
}

/*
 * Query a handle and check what the module says against what is known of
 * it (*e; access ~0, prot, size and backing 0 are unknown and learnt here). exact: e is what a
 * create just asked for and got (a new section): everything must match.
 * Returns the query's result, or 1 when a query was not allowed.
 */
static int check_info(int fd, struct hent *e, bool exact, u64 size_asked, u32 attrs,
		      u32 mode, bool unnamed_new)
{
	struct sections_info *info = (void *)scr(SCR_RW);
	char *name = scr(SCR_RW) + 256;
	u32 want_len;
	int ret, err;

	memset(info, 0xcc, sizeof(*info));
	info->name = (uintptr_t)name;
	info->name_size = SECTIONS_NAME_MAX + 1;
	ret = ioctl(fd, SECTIONS_IOC_QUERY, info);
	err = errno;
	if (ret < 0) {
		if (!(e->access & SECTIONS_ACCESS_QUERY) && err == EACCES)
			return 1;
		judge(OP_QUERY, "query of a new handle", ret, err,
		      e->access & SECTIONS_ACCESS_QUERY ? 0 : B(EACCES), 0);
		return ret;
	}
	if (!(e->access & SECTIONS_ACCESS_QUERY) && e->access != ~0u)
		fail("query without SECTIONS_ACCESS_QUERY (access %#x) succeeded", e->access);
	if (!info->size || info->size % ps || info->size > SECTIONS_SIZE_MAX ||
	    !prot_valid(info->protection) ||
	    (info->backing != SECTIONS_BACKING_PAGEFILE && info->backing != SECTIONS_BACKING_FILE) ||
	    (info->attributes & ~(SECTIONS_ATTR_NORESERVE | SECTIONS_ATTR_GLOBAL_NAME)) ||
	    (info->access & ~sections_protection_access(info->protection)) ||
	    !info->handles || info->mode > 0777 || info->name_len > SECTIONS_NAME_MAX ||
	    (info->backing == SECTIONS_BACKING_PAGEFILE && info->write_error))
		fail("query: impossible answer: size %#llx prot %#x backing %u attrs %#x access %#x "
		     "handles %u mode %#o name_len %u write_error %u", (u64)info->size,
		     info->protection, info->backing, info->attributes, info->access,
		     info->handles, info->mode, info->name_len, info->write_error);
	if (info->name_len && (strnlen(name, SECTIONS_NAME_MAX + 1) != info->name_len))
		fail("query: name_len %u but the name written is %zu bytes", info->name_len,
		     strnlen(name, SECTIONS_NAME_MAX + 1));
	if (e->access != ~0u && info->access != e->access)
		fail("query: access %#x, the handle was made with %#x", info->access, e->access);
	if (e->prot && info->protection != e->prot)
		fail("query: protection %#x, expected %#x", info->protection, e->prot);
	if (e->size && info->size != e->size)
		fail("query: size %#llx, expected %#llx", (u64)info->size, e->size);
	if (e->backing && info->backing != (u32)e->backing)
		fail("query: backing %u, expected %d", info->backing, e->backing);
	if (e->name >= 0) {
		want_len = pool[e->name].len - pool[e->name].plen;
		if (info->name_len != want_len ||
		    memcmp(name, pool[e->name].s + pool[e->name].plen, want_len) ||
		    !!(info->attributes & SECTIONS_ATTR_GLOBAL_NAME) != pool[e->name].global)
			fail("query: name of %u bytes (attrs %#x), expected pool name %d", info->name_len,
			     info->attributes, e->name);
	}
	if (exact) {
		if (size_asked && info->size != ((size_asked + ps - 1) & ~(u64)(ps - 1)))
			fail("query: size %#llx for a create of %#llx", (u64)info->size, size_asked);
		if ((info->attributes & ~SECTIONS_ATTR_GLOBAL_NAME) != attrs)
			fail("query: attributes %#x, created with %#x", info->attributes, attrs);
		if (info->mode != (mode ? mode : SECTIONS_DEFAULT_MODE))
			fail("query: mode %#o, created with %#o", info->mode, mode);
		if (info->uid != geteuid() || info->gid != getegid())
			fail("query: owner %u:%u, created by %u:%u", info->uid, info->gid, geteuid(),
			     getegid());
		if (unnamed_new && (info->handles != 1 || info->views))
			fail("query: a new unnamed section has %u handles and %u views",
			     info->handles, info->views);
	}
	e->access = info->access;
	e->prot = info->protection;
	e->size = info->size;
	e->backing = info->backing;
	return 0;
}

static bool cloexec_is(int fd, bool want)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || !!(fl & FD_CLOEXEC) != want) {
		fail("fd %d: close-on-exec is %s, asked %s", fd, fl < 0 ? "?" : fl & FD_CLOEXEC ?
		     "set" : "clear", want ? "set" : "clear");
		return false;
	}
	return true;
}

static void op_create(void)
{
	struct sections_create_args *a = (void *)scr(SCR_RW), *arg = a;
	bool file = one_in(3), named, ro_args = false, bad_args = false;
	struct backing_pick b = { .fd = 0, .close_fd = -1, .fidx = -1 };
	eset sure = 0, maybe = B(ENOSPC) | B(EMFILE);
	u32 allowed, pname_global = 0;
	struct hent e;
	int pidx, ret, err;

	memset(a, 0, sizeof(*a));
	a->size = pick_size(file);
	a->protection = pick_prot();
	a->access = pick_access(a->protection);
	if (a->size >= (64ULL << 20) ? !one_in(4) : one_in(8))
		a->attributes = SECTIONS_ATTR_NORESERVE;
	if (one_in(40))
		a->attributes |= one_in(2) ? SECTIONS_ATTR_GLOBAL_NAME : 1u << (1 + rnd(31));
	a->flags = (one_in(2) ? SECTIONS_HANDLE_CLOEXEC : 0) | (file ? SECTIONS_CREATE_FILE : 0);
	if (one_in(40))
		a->flags |= one_in(2) ? SECTIONS_DUP_SAME_ACCESS : 1u << (3 + rnd(29));
	a->mode = one_in(3) ? rnd(01000) : 0;
	if (one_in(40))
		a->mode |= 01000 << rnd(20);
	a->result = 0xcccccccc;
	pick_name(true, &a->name, &a->name_len, &pidx, &sure);
	named = a->name_len && pidx >= 0;
	if (pidx >= 0)
		pname_global = pool[pidx].global;
	rec("create size=%#llx prot=%#x acc=%#x attr=%#x fl=%#x mode=%#o name=%d/%u", a->size,
	    a->protection, a->access, a->attributes, a->flags, a->mode, pidx, a->name_len);
	if (file) {
		pick_backing(&b, a->protection, named);
		if (b.skip) {
			rec_add(" (no file)");
			return;
		}
		/* A tmpfs file's pages are RAM: sections that grow one stay small. */
		if (b.path >= 5 && a->size > (16ULL << 20) && a->size <= SECTIONS_SIZE_MAX) {
			a->size = 16ULL << 20;
			rec_add(" size=16M");
		}
		a->fd = b.fd;
		sure |= b.sure;
		maybe |= b.maybe;
	} else if (one_in(40)) {
		a->fd = 1 + rnd(100);	/* a fd without SECTIONS_CREATE_FILE */
		sure |= B(EINVAL);
	}

	/* What check_create_args() refuses, whatever the name holds. */
	if ((a->flags & ~(SECTIONS_HANDLE_CLOEXEC | SECTIONS_CREATE_FILE)) ||
	    (a->attributes & ~SECTIONS_ATTR_NORESERVE) || (a->access & ~SECTIONS_ACCESS_ALL) ||
	    a->mode > 0777 || !prot_valid(a->protection) || (!a->size && !file))
		sure |= B(EINVAL);
	if (a->size > SECTIONS_SIZE_MAX)
		sure |= B(EFBIG);
	allowed = prot_valid(a->protection) ? sections_protection_access(a->protection) : 0;
	if (named) {
		/* The name may be another section's, or the test hook's. */
		maybe |= B(EMEDIUMTYPE);
		if (a->access)
			maybe |= B(EACCES);
		if (!privileged)
			maybe |= B(EACCES) | (pname_global ? B(EPERM) : 0);
	} else if (a->access & ~allowed & SECTIONS_ACCESS_ALL) {
		sure |= B(EACCES);
	}
	if (file && !a->size && b.empty && !named)
		sure |= B(ENODATA);

	switch (rnd(40)) {
	case 0:
		arg = (void *)bad_ptr();
		bad_args = true;
		sure = B(EFAULT);
		break;
	case 1:
		/* Readable, but the result cannot be written back. */
		arg = (void *)scr(SCR_FLIP);
		*arg = *a;
		mprotect(arg, ps, PROT_READ);
		ro_args = true;
		sure |= B(EFAULT);
		break;
	}
	ret = ioctl(cur->dev, SECTIONS_IOC_CREATE, arg);
	err = errno;
	if (ro_args)
		mprotect(arg, ps, PROT_READ | PROT_WRITE);
	rec_ret(ret, err);
	if (b.close_fd >= 0)
		close(b.close_fd);
	if (b.fidx >= 0 && !file_same(b.fidx, b.fgen)) {
		/* The shared file was closed meanwhile: its fd may be anything. */
		if (ret >= 0)
			close(ret);
		return;
	}
	if (!judge(OP_CREATE, "create", ret, err, sure, maybe))
		return;
	if (bad_args || ro_args) {
		close(ret);
		return;
	}
	if (a->result & ~SECTIONS_CREATE_EXISTED)
		fail("create: result %#x has unknown bits", a->result);
	if ((a->result & SECTIONS_CREATE_EXISTED) && !named)
		fail("create: an unnamed section existed");
	if (!privileged && pname_global && !(a->result & SECTIONS_CREATE_EXISTED))
		fail("create: an unprivileged process created a new Global\\ name");
	rec_add("%s", a->result & SECTIONS_CREATE_EXISTED ? " existed" : "");
	cloexec_is(ret, a->flags & SECTIONS_HANDLE_CLOEXEC);

	memset(&e, 0, sizeof(e));
	e.fd = ret;
	e.name = named ? pidx : -1;
	if (a->result & SECTIONS_CREATE_EXISTED) {
		/* 0: all that the existing protection allows, which query tells. */
		e.access = a->access ? a->access : ~0u;
		if (check_info(ret, &e, false, 0, 0, 0, false) == 1) {
			e.prot = 0;
			e.size = 0;
		}
	} else {
		e.access = granted(a->access, a->protection);
		e.prot = a->protection;
		e.size = a->size ? (a->size + ps - 1) & ~(u64)(ps - 1) : 0;
		e.backing = file ? SECTIONS_BACKING_FILE : SECTIONS_BACKING_PAGEFILE;
		e.disk = file && b.path >= 0 && b.path < 5 && can_fill;
		check_info(ret, &e, true, a->size, a->attributes, a->mode, !named);
	}
	add_handle(&e);
}

static void op_open(void)
{
	struct sections_open_args *a = (void *)scr(SCR_RW), *arg = a;
	eset sure = 0, maybe = B(ENOENT) | B(EMEDIUMTYPE) | B(EMFILE);
	const u32 always_ok = SECTIONS_ACCESS_QUERY | SECTIONS_ACCESS_MAP_READ |
			      SECTIONS_ACCESS_MAP_COPY;
	struct hent e;
	int pidx, ret, err;

	memset(a, 0, sizeof(*a));
	pick_name(false, &a->name, &a->name_len, &pidx, &sure);
	a->access = one_in(20) ? 0 : (1 + rnd(SECTIONS_ACCESS_ALL));
	if (one_in(25))
		a->access |= 0x40u << rnd(26);
	a->flags = one_in(2) ? SECTIONS_HANDLE_CLOEXEC : 0;
	if (one_in(30))
		a->flags |= 2u << rnd(31);
	if (one_in(30))
		a->pad = 1 + (u32)rnd64() % 0xfffffffe;
	if (!a->access || (a->access & ~SECTIONS_ACCESS_ALL) ||
	    (a->flags & ~SECTIONS_HANDLE_CLOEXEC) || a->pad)
		sure |= B(EINVAL);
	/*
	 * Rights the protection may not allow; the mode matters only without
	 * CAP_IPC_OWNER. Query, map-read and map-copy every protection allows.
	 */
	if ((a->access & ~always_ok) || !privileged)
		maybe |= B(EACCES);
	rec("open acc=%#x fl=%#x pad=%#x name=%d/%u", a->access, a->flags, a->pad, pidx,
	    a->name_len);
	if (one_in(40)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	ret = ioctl(cur->dev, SECTIONS_IOC_OPEN, arg);
	err = errno;
	rec_ret(ret, err);
	if (!judge(OP_OPEN, "open", ret, err, sure, maybe))
		return;
	if (arg != a || pidx < 0) {
		close(ret);
		return;
	}
	cloexec_is(ret, a->flags & SECTIONS_HANDLE_CLOEXEC);
	memset(&e, 0, sizeof(e));
	e.fd = ret;
	e.access = a->access;
	e.name = pidx;
	check_info(ret, &e, false, 0, 0, 0, false);
	add_handle(&e);
}

/* Where a query's output goes, and what that does to the call. */
enum { OUT_OK, OUT_BAD, OUT_RO, OUT_EDGE, OUT_STRADDLE };

static int pick_out(void)
{
	int r = rnd(30);

	return r < 24 ? OUT_OK : r < 26 ? OUT_BAD : r < 28 ? OUT_RO : r < 29 ? OUT_EDGE :
	       OUT_STRADDLE;
}

/* A buffer of n bytes of the kind picked; NULL means bad_ptr(). */
static u64 out_buf(int kind, size_t n)
{
	switch (kind) {
	case OUT_BAD:
		return bad_ptr();
	case OUT_RO:
		return (uintptr_t)scr(SCR_RO);
	case OUT_EDGE:
		return (uintptr_t)scr(SCR_NONE) - n;
	case OUT_STRADDLE:
		return (uintptr_t)scr(SCR_NONE) - n + 1 + rnd(n > 1 ? n - 1 : 1);
	default:
		return (uintptr_t)scr(SCR_RW) + 1024;
	}
}

static void op_query(void)
{
	struct sections_info *info = (void *)scr(SCR_RW), *arg = info;
	u32 name_len, size;
	eset sure = 0;
	bool has_query, named;
	struct hent h;
	int idx, ret, err, kind = pick_out();

	if (!pick_handle(&h, &idx))
		return;
	has_query = h.access & SECTIONS_ACCESS_QUERY;
	named = h.name >= 0;
	name_len = named ? pool[h.name].len - pool[h.name].plen : 0;
	memset(info, 0xcc, sizeof(*info));
	info->name = 0;
	info->name_size = 0;
	if (!one_in(4)) {
		size = one_in(4) ? name_len + (u32)rnd(2) : one_in(3) ? (u32)rnd64() :
		       SECTIONS_NAME_MAX + 1;
		/* name_len + 1 bytes are written: a straddling buffer has fewer before the guard. */
		info->name = out_buf(kind, kind == OUT_STRADDLE ? name_len + 1 :
				     size < ps ? size : ps);
		info->name_size = size;
		/* The name is written only when there is one, a buffer (not 0), and it fits. */
		if (!info->name)
			;
		else if (named && size < name_len + 1)
			sure |= B(ERANGE);
		else if (named && kind != OUT_OK && kind != OUT_EDGE)
			sure |= B(EFAULT);
	}
	if (one_in(30)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	} else if (one_in(30)) {
		/* Readable but not writable: the answer cannot be copied out. */
		arg = (void *)scr(SCR_FLIP);
		*arg = *info;
		mprotect(arg, ps, PROT_READ);
		sure |= B(EFAULT);
	}
	if (!has_query)
		sure = B(EACCES);
	rec("query h=%d acc=%#x name=%#llx/%u out=%d", h.fd, h.access, (u64)info->name,
	    info->name_size, kind);
	ret = ioctl(h.fd, SECTIONS_IOC_QUERY, arg);
	err = errno;
	if (arg == (void *)scr(SCR_FLIP))
		mprotect(arg, ps, PROT_READ | PROT_WRITE);
	rec_ret(ret, err);
	if (!handle_same(idx, h.gen))
		return;
	judge(OP_QUERY, "query", ret, err, sure, 0);
	if (arg != info)
		return;
	if ((ret == 0 || (ret < 0 && err == ERANGE)) && info->name_len != name_len)
		fail("query: name_len %u, expected %u", info->name_len, name_len);
	if (ret == 0 && (info->access != h.access || (h.size && info->size != h.size) ||
			 (h.prot && info->protection != h.prot)))
		fail("query: access %#x size %#llx prot %#x, expected %#x %#llx %#x",
		     info->access, (u64)info->size, info->protection, h.access, h.size, h.prot);
}

static void op_duplicate(void)
{
	struct sections_dup_args *a = (void *)scr(SCR_RW), *arg = a;
	eset sure = 0;
	struct hent h, e;
	u32 want, flags;
	int idx, ret, err;

	if (!pick_handle(&h, &idx))
		return;
	a->flags = (one_in(2) ? SECTIONS_HANDLE_CLOEXEC : 0) |
		   (one_in(3) ? SECTIONS_DUP_SAME_ACCESS : 0);
	if (one_in(30))
		a->flags |= 4u << rnd(30);
	switch (rnd(8)) {
	case 0:
		a->access = (u32)rnd64() & SECTIONS_ACCESS_ALL;
		break;
	case 1:
		a->access = (u32)rnd64() | 0x40;
		break;
	default:
		a->access = (u32)rnd64() & h.access;
		break;
	}
	want = a->flags & SECTIONS_DUP_SAME_ACCESS ? h.access : a->access;
	if ((a->flags & ~(SECTIONS_HANDLE_CLOEXEC | SECTIONS_DUP_SAME_ACCESS)) ||
	    (a->access & ~SECTIONS_ACCESS_ALL))
		sure |= B(EINVAL);
	else if (want & ~h.access)
		sure |= B(EACCES);
	if (one_in(40)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	rec("duplicate h=%d acc=%#x->%#x fl=%#x", h.fd, h.access, a->access, a->flags);
	flags = a->flags;
	ret = ioctl(h.fd, SECTIONS_IOC_DUPLICATE, arg);
	err = errno;
	rec_ret(ret, err);
	/*
	 * The ioctl only reads its argument: a change is the fuzzer's own
	 * memory changing under it (seen once, in a million-operation run on
	 * the debug kernel, as a close-on-exec flag that did not match).
	 */
	if (a->flags != flags)
		fail("duplicate: its argument page at %p changed: flags %#x, then %#x", (void *)a,
		     flags, a->flags);
	if (!handle_same(idx, h.gen)) {
		if (ret >= 0)
			close(ret);
		return;
	}
	if (!judge(OP_DUPLICATE, "duplicate", ret, err, sure, B(EMFILE)))
		return;
	if (arg != a) {
		close(ret);
		return;
	}
	cloexec_is(ret, flags & SECTIONS_HANDLE_CLOEXEC);
	e = h;
	e.fd = ret;
	e.access = want;
	check_info(ret, &e, false, 0, 0, 0, false);
	add_handle(&e);
}

/* What every page query answer must satisfy. */
static void check_pages(const struct sections_page_info *p, u64 n, const char *what)
{
	u64 i;

	for (i = 0; i < n; i++) {
		u32 f = p[i].flags;

		if ((f & ~(SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY)) ||
		    ((f & SECTIONS_PAGE_DIRTY) && !(f & SECTIONS_PAGE_RESIDENT)) ||
		    (p[i].share_count && !(f & SECTIONS_PAGE_RESIDENT)) ||
		    p[i].share_count > (1u << 20)) {
			fail("%s: page %llu: share count %u flags %#x", what, i, p[i].share_count, f);
			return;
		}
	}
}

#define QP_MAX	64	/* entries in the page-query buffer */

/*
 * The start, count and buffer of a page query over pages [0, npages) of a
 * section or a view; *sure gets what must go wrong. npages 0: not known.
 */
static void pick_page_query(struct sections_page_query *q, u64 base, u64 npages, eset *sure,
			    eset *maybe, int *kind)
{
	u64 first = npages ? rnd(npages) : rnd(16), room;

	q->start = base + first * ps;
	room = npages ? npages - first : 1;
	q->count = 1 + rnd(room < QP_MAX ? room : QP_MAX);
	if (!npages)
		*maybe |= B(ENXIO);
	switch (rnd(16)) {
	case 0:
		q->count = 0;
		*sure |= B(EINVAL);
		break;
	case 1:
		q->start += 1 + rnd(ps - 1);
		*sure |= B(EINVAL);
		break;
	case 2:
		if (npages) {
			q->count = room + 1 + rnd(3);
			*sure |= B(ENXIO);
		}
		break;
	case 3:
		q->count = (u64[]){ ~0ULL, 1ULL << 63, 1ULL << 52, (1ULL << 35) + 1 }[rnd(4)];
		if (npages)
			*sure |= B(ENXIO);
		break;
	case 4:
		if (npages) {
			q->start = base + (npages + rnd(4)) * ps;
			*sure |= B(ENXIO);
		}
		break;
	}
	*kind = rnd(12) ? OUT_OK : pick_out();
	if (*kind == OUT_STRADDLE && q->count < 2)
		*kind = OUT_BAD;
	q->pages = out_buf(*kind, q->count < QP_MAX ? q->count * 8 : QP_MAX * 8);
	/* The answer is written only once the range is found good. */
	if (*kind != OUT_OK && *kind != OUT_EDGE && !*sure)
		*sure |= B(EFAULT);
	if (*kind == OUT_EDGE && q->count > QP_MAX && !*sure)
		*sure |= B(EFAULT);
}

static void op_query_pages(void)
{
	struct sections_page_query *q = (void *)scr(SCR_RW), *arg = q;
	eset sure = 0, maybe = 0;
	struct hent h;
	int idx, ret, err, kind;

	if (!pick_handle(&h, &idx))
		return;
	pick_page_query(q, 0, h.size / ps, &sure, &maybe, &kind);
	if (one_in(40)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	if (!(h.access & SECTIONS_ACCESS_QUERY))
		sure = B(EACCES);
	rec("query_pages h=%d start=%#llx count=%#llx out=%d", h.fd, (u64)q->start,
	    (u64)q->count, kind);
	ret = ioctl(h.fd, SECTIONS_IOC_QUERY_PAGES, arg);
	err = errno;
	rec_ret(ret, err);
	if (!handle_same(idx, h.gen))
		return;
	if (judge(OP_QUERY_PAGES, "query_pages", ret, err, sure, maybe) && kind == OUT_OK)
		check_pages((void *)(uintptr_t)q->pages, q->count, "query_pages");
}

/* ioctl numbers neither the device nor a handle knows: ENOTTY, whatever the argument. */
static void op_bad_ioctl(void)
{
	static const unsigned int dev_cmds[] = {
		SECTIONS_IOC_CREATE, SECTIONS_IOC_OPEN, SECTIONS_IOC_UNMAP_VIEW,
		SECTIONS_IOC_FLUSH_VIEW, SECTIONS_IOC_QUERY_VIEW_PAGES, SECTIONS_IOC_FILE_READ,
		SECTIONS_IOC_FILE_WRITE, SECTIONS_IOC_FILE_FLUSH, SECTIONS_IOC_FILE_SET_SIZE,
	};
	static const unsigned int handle_cmds[] = {
		SECTIONS_IOC_QUERY, SECTIONS_IOC_DUPLICATE, SECTIONS_IOC_QUERY_PAGES,
	};
	const unsigned int *known;
	unsigned int cmd, i, nknown;
	struct hent h;
	int idx = -1, fd, ret, err;
	bool on_handle = one_in(2) && pick_handle(&h, &idx);

	fd = on_handle ? h.fd : cur->dev;
	/* The other side's commands, or numbers nobody defined. */
	if (one_in(3))
		cmd = on_handle ? dev_cmds[rnd(ARRAY_SIZE(dev_cmds))] :
				  handle_cmds[rnd(ARRAY_SIZE(handle_cmds))];
	else
		cmd = _IOC(rnd(4), SECTIONS_IOC_MAGIC, rnd(256), rnd(1 << 14));
	known = on_handle ? handle_cmds : dev_cmds;
	nknown = on_handle ? ARRAY_SIZE(handle_cmds) : ARRAY_SIZE(dev_cmds);
	for (i = 0; i < nknown; i++)
		if (cmd == known[i])
			return;
	rec("bad_ioctl %s=%d cmd=%#x", on_handle ? "h" : "dev", fd, cmd);
	ret = ioctl(fd, cmd, one_in(2) ? (void *)bad_ptr() : scr(SCR_RW));
	err = errno;
	rec_ret(ret, err);
	if (on_handle && !handle_same(idx, h.gen))
		return;
	judge(OP_BAD_IOCTL, "unknown ioctl", ret, err, B(ENOTTY), 0);
}

/*
 * A handle is not a file: the calls of a file on it fail (uapi header). The
 * VFS checks some arguments first, which gives EINVAL or EFBIG before the
 * handle's own answer; sectionsfs has the s_maxbytes of a pseudo
 * filesystem (MAX_NON_LFS), and ftruncate(2) refuses lengths past it for a
 * file not opened O_LARGEFILE, which a handle is not.
 */
static void op_handle_io(void)
{
	char *buf = scr(SCR_RW) + 1024, path[64];
	int idx, ret, err, pfd[2], r = rnd(19), fd;
	eset sure;
	struct hent h;
	struct stat st;
	long long len = rnd(3) ? 1 + rnd(8192) : (long long)rnd64();
	long long off = rnd(3) ? (long long)rnd(1 << 20) : (long long)rnd64();

	if (!pick_handle(&h, &idx))
		return;
	rec("handle_io h=%d call=%d len=%#llx off=%#llx", h.fd, r, len, off);
	errno = 0;
	switch (r) {
	case 0:
		ret = read(h.fd, one_in(4) ? (void *)bad_ptr() : buf, len & 4095);
		sure = B(EINVAL);
		break;
	case 1:
		ret = write(h.fd, one_in(4) ? (void *)bad_ptr() : buf, len & 4095);
		sure = B(EINVAL);
		break;
	case 2:
		ret = pread(h.fd, buf, len & 4095, off);
		sure = off < 0 ? B(EINVAL) : B(ESPIPE) | B(EINVAL);
		break;
	case 3:
		ret = pwrite(h.fd, buf, len & 4095, off);
		sure = off < 0 ? B(EINVAL) : B(ESPIPE) | B(EINVAL);
		break;
	case 4: {
		struct iovec iov = { buf, 1 + (len & 4095) };

		ret = one_in(2) ? readv(h.fd, &iov, 1) : writev(h.fd, &iov, 1);
		sure = B(EINVAL);
		break;
	}
	case 5: {
		int whence = rnd(8);

		ret = lseek(h.fd, off, whence);
		sure = whence <= SEEK_HOLE ? B(ESPIPE) : B(EINVAL);
		break;
	}
	case 6:
		ret = ftruncate(h.fd, off);
		sure = off < 0 ? B(EINVAL) : off > INT_MAX ? B(EINVAL) | B(EPERM) : B(EPERM);
		break;
	case 7:
		ret = fchmod(h.fd, rnd(07777));
		sure = B(EPERM);
		break;
	case 8:
		ret = fchown(h.fd, one_in(2) ? 0 : 65534, one_in(2) ? -1 : 65534);
		sure = B(EPERM);
		break;
	case 9: {
		static const int modes[] = { 0, FALLOC_FL_KEEP_SIZE,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
			FALLOC_FL_PUNCH_HOLE, 0x4000 };

		ret = fallocate(h.fd, modes[rnd(6)], off, len);
		sure = off < 0 || len <= 0 ? B(EINVAL) : B(EOPNOTSUPP) | B(EFBIG) | B(EINVAL);
		break;
	}
	case 10:
		ret = one_in(2) ? fsync(h.fd) : fdatasync(h.fd);
		sure = B(EINVAL);
		break;
	case 11:
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		ret = sendfile(fd, h.fd, one_in(2) ? NULL : (off_t *)buf, 1 + (len & 4095));
		err = errno;
		close(fd);
		errno = err;
		sure = B(EINVAL) | B(ESPIPE);
		break;
	case 12:
		if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK))
			return;
		ret = splice(h.fd, NULL, pfd[1], NULL, 1 + (len & 4095), SPLICE_F_NONBLOCK);
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = err;
		sure = B(EINVAL);
		break;
	case 13:
		/* Re-opening a handle by path would bypass its access mask. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", h.fd);
		ret = open(path, (int[]){ O_RDONLY, O_RDWR, O_WRONLY }[rnd(3)] | O_CLOEXEC);
		sure = B(EACCES);
		break;
	case 14:
		ret = copy_file_range(h.fd, NULL, h.fd, NULL, 1 + (len & 4095), 0);
		sure = B(EINVAL);
		break;
	case 15:
		ret = flock(h.fd, (int[]){ LOCK_SH, LOCK_EX, LOCK_UN }[rnd(3)] | LOCK_NB);
		sure = B(ENOLCK);
		break;
	case 16: {
		struct flock fl = { .l_type = (short[]){ F_RDLCK, F_WRLCK, F_UNLCK }[rnd(3)],
				    .l_whence = SEEK_SET, .l_start = rnd(4096), .l_len = rnd(4096) };

		int cmd = (int[]){ F_SETLK, F_GETLK, F_OFD_SETLK, F_OFD_GETLK }[rnd(4)];

		ret = fcntl(h.fd, cmd, &fl);
		/*
		 * The VFS refuses to test for an unlock (F_GETLK, and F_OFD_GETLK
		 * on some kernels) before it asks the file.
		 */
		sure = (cmd == F_GETLK || cmd == F_OFD_GETLK) && fl.l_type == F_UNLCK ?
		       B(EINVAL) | B(ENOLCK) : B(ENOLCK);
		break;
	}
	default:
		/* "fstat() gives the section's size in st_size." */
		ret = fstat(h.fd, &st);
		sure = 0;
		if (!ret && handle_same(idx, h.gen) &&
		    (!S_ISREG(st.st_mode) || (h.size && (u64)st.st_size != h.size)))
			fail("fstat of a handle: mode %#o size %#llx, section size %#llx", st.st_mode,
			     (u64)st.st_size, h.size);
		break;
	}
	err = errno;
	rec_ret(ret, err);
	if (r == 13 && ret >= 0)
		close(ret);
	if (!handle_same(idx, h.gen))
		return;
	judge(OP_HANDLE_IO, "a file call on a handle", ret, err, sure, 0);
}

static void op_close(void)
{
	struct hent h;
	int idx, fd, ret;

	if (!pick_handle(&h, &idx))
		return;
	fd = take_handle(idx, h.gen);
	rec("close h=%d%s", h.fd, fd < 0 ? " (pinned or gone)" : "");
	if (fd < 0)
		return;
	ret = close(fd);
	rec_ret(ret, errno);
	if (ret)
		fail("close of handle %d: %s", fd, strerror(errno));
}

static void op_dup(void)
{
	struct hent h, e;
	int idx, ret, err;

	if (!pick_handle(&h, &idx))
		return;
	rec("dup h=%d", h.fd);
	ret = one_in(2) ? dup(h.fd) : fcntl(h.fd, F_DUPFD_CLOEXEC, (int)rnd(200));
	err = errno;
	rec_ret(ret, err);
	if (!handle_same(idx, h.gen)) {
		if (ret >= 0)
			close(ret);
		return;
	}
	if (!judge(OP_DUP, "dup", ret, err, 0, B(EMFILE)))
		return;
	e = h;
	e.fd = ret;
	add_handle(&e);
}

/* ---- views ---- */

/*
 * Only the first TOUCH_WINDOW bytes and the last page of a view are
 * touched: with MAX_VIEWS views per process that bounds what views make
 * resident. Sections outlive their views through handles, so the
 * supervisor also pauses touches while MemAvailable is low (lowmem).
 */
#define TOUCH_WINDOW	(512UL << 10)

/*
 * The README's rules: a shared view needs map-read or map-write, PROT_WRITE
 * on it map-write and a writable protection; a private one map-copy;
 * PROT_EXEC map-execute and an execute protection. Returns B(EACCES) when
 * the view must be refused, 0 when it must be allowed.
 */
static eset view_rules(u32 access, u32 sprot, int prot, bool shared)
{
	if (shared) {
		if (!(access & (SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE)))
			return B(EACCES);
		if ((prot & PROT_WRITE) &&
		    (!(access & SECTIONS_ACCESS_MAP_WRITE) || !prot_writable(sprot)))
			return B(EACCES);
	} else if (!(access & SECTIONS_ACCESS_MAP_COPY)) {
		return B(EACCES);
	}
	if ((prot & PROT_EXEC) && (!(access & SECTIONS_ACCESS_MAP_EXECUTE) || !prot_exec(sprot)))
		return B(EACCES);
	return 0;
}

/*
 * Protections for mmap and mprotect: three times in four one the rules
 * allow (when the section's protection is known), else any.
 */
static int pick_mprot(u32 access, u32 sprot, bool shared)
{
	static const int p[] = {
		PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE, PROT_EXEC, PROT_READ | PROT_EXEC,
		PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	const int n = ARRAY_SIZE(p);
	int ok[ARRAY_SIZE(p)], nok = 0, i;

	for (i = 0; sprot && i < n; i++)
		if (!view_rules(access, sprot, p[i], shared))
			ok[nok++] = p[i];
	return nok && rnd(4) ? ok[rnd(nok)] : p[rnd(n)];
}

static void op_mmap(void)
{
	u64 npages, off = 0, len, room;
	eset sure = 0, maybe = 0;
	int idx, prot, flags, err;
	bool shared = rnd(5) < 3;
	struct hent h;
	struct vent v;
	char *p;

	if (!pick_handle(&h, &idx))
		return;
	/* Three times in four, a kind of view the handle's rights allow. */
	if (rnd(4) && !(h.access & (shared ? SECTIONS_ACCESS_MAP_READ | SECTIONS_ACCESS_MAP_WRITE :
				    SECTIONS_ACCESS_MAP_COPY)))
		shared = !shared;
	prot = pick_mprot(h.access, h.prot, shared);
	npages = h.size / ps;
	flags = shared ? MAP_SHARED : MAP_PRIVATE;
	if (one_in(6))
		flags |= MAP_NORESERVE;
	if (npages && (npages * ps <= (256ULL << 20) || one_in(4))) {
		len = npages * ps;
	} else {
		off = npages ? rnd(npages) : rnd(4);
		room = npages ? npages - off : 1;
		len = (1 + rnd(room < 64 ? room : 64)) * ps;
		off *= ps;
	}
	if (one_in(6))
		len -= rnd(ps);		/* rounded up to the page */
	switch (rnd(36)) {
	case 0:
		off += 1 + rnd(ps - 1);
		sure |= B(EINVAL);
		break;
	case 1:
		len = 0;
		sure |= B(EINVAL);
		break;
	case 2:
		if (npages) {
			off = (npages + rnd(3)) * ps;
			len = ps;
			sure |= B(ENXIO);
		}
		break;
	case 3:
		if (npages) {
			len = npages * ps + ps;
			off = 0;
			sure |= B(ENXIO);
		}
		break;
	case 4:
		/* The page offset wraps, or the length is past the address space. */
		if (one_in(2)) {
			off = ~0ULL & ~(u64)(ps - 1);
			sure |= B(EOVERFLOW) | B(EINVAL) | B(ENXIO);
		} else {
			len = 1ULL << (47 + rnd(17));
			sure |= B(ENOMEM);
		}
		break;
	case 5:
		/* No mapping type, or one that does not exist (SHARED|PRIVATE is SHARED_VALIDATE). */
		flags = (one_in(2) ? 0x0f : 0) | MAP_NORESERVE;
		sure |= B(EINVAL);
		break;
	case 6:
		/* An unknown flag that only MAP_SHARED_VALIDATE checks. */
		flags = MAP_SHARED_VALIDATE | (1 << (21 + rnd(5)));
		shared = true;
		sure |= B(EOPNOTSUPP) | B(EINVAL);
		break;
	case 7:
		if (len <= TOUCH_WINDOW && !atomic_load(&sh->lowmem))
			flags |= MAP_POPULATE;
		break;
	}
	if (!h.prot)
		maybe |= B(EACCES);
	else if ((flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_PRIVATE ||
		 (flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		sure |= view_rules(h.access, h.prot, prot, shared);
	if (!npages)
		maybe |= B(ENXIO);
	rec("mmap h=%d acc=%#x sprot=%#x len=%#llx off=%#llx prot=%#x fl=%#x", h.fd, h.access,
	    h.prot, len, off, prot, flags);
	p = mmap(NULL, len, prot, flags, h.fd, off);
	err = errno;
	rec_add(" = %p", p == MAP_FAILED ? NULL : p);
	if (p == MAP_FAILED)
		rec_add(" %s", ename(err));
	if (!handle_same(idx, h.gen)) {
		/* Whatever the fd had become: not a view we may judge. */
		if (p != MAP_FAILED)
			munmap(p, len);
		return;
	}
	if (!judge(OP_MMAP, "mmap of a handle", p == MAP_FAILED ? -1 : 0, err, sure, maybe))
		return;
	if (sure) {
		munmap(p, len);
		return;
	}
	memset(&v, 0, sizeof(v));
	v.addr = p;
	v.len = (len + ps - 1) & ~(u64)(ps - 1);
	v.prot = prot;
	v.shared = shared;
	v.access = h.access;
	v.sprot = h.prot;
	v.backing = h.backing;
	v.disk = h.disk;
	v.off = off;
	v.arena = -1;
	add_view(&v);
}

/* The page-aligned length of a strict part of view v, starting at a page of it. */
static void part_of(const struct vent *v, char **start, size_t *len)
{
	size_t pages = v->len / ps, first = rnd(pages), n = 1 + rnd(pages - first);

	if (!first && n == pages)
		n--;	/* pages >= 2: a strict part */
	*start = v->addr + first * ps;
	*len = n * ps;
}

static void op_munmap(void)
{
	struct vent v, gone;
	struct change ch;
	int idx, ret, err;
	bool steady;
	char *start;
	size_t len;

	if (!pick_view(&v, &idx, &steady))
		return;
	if (v.len > (size_t)ps && one_in(4)) {
		/* A part of a view: refused (a view is indivisible). */
		part_of(&v, &start, &len);
		if (!view_begin(idx, v.gen, false, &ch))
			return;
		rec("munmap part %p+%#zx of %p+%#zx", start, len, v.addr, v.len);
		ret = munmap(start, len);
		err = errno;
		rec_ret(ret, err);
		steady = view_end(idx, &v, &ch);
		if (steady && !ret) {
			fail("munmap of a part of a view succeeded");
			return;
		}
		if (steady)
			judge(OP_MUNMAP, "munmap of a part of a view", ret, err, B(EINVAL), 0);
		return;
	}
	if (!take_view(idx, v.gen, &gone))
		return;
	/* The length need not be page aligned. */
	len = one_in(5) ? v.len - rnd(ps) : v.len;
	rec("munmap %p+%#zx", v.addr, len);
	ret = munmap(v.addr, len);
	err = errno;
	rec_ret(ret, err);
	if (steady)
		judge(OP_MUNMAP, "munmap of a whole view", ret, err, 0, 0);
	arena_refill(gone.arena, gone.len);
}

static void op_unmap_view(void)
{
	u64 *arg = (void *)scr(SCR_RW), *argp = arg;
	struct vent v, gone;
	struct change ch;
	int idx, ret, err, r = rnd(10);
	bool steady, have = pick_view(&v, &idx, &steady);
	eset sure;

	if (have && r < 7) {
		if (!take_view(idx, v.gen, &gone))
			return;
		*arg = (uintptr_t)v.addr;
		rec("unmap_view %p+%#zx", v.addr, v.len);
		ret = ioctl(cur->dev, SECTIONS_IOC_UNMAP_VIEW, arg);
		err = errno;
		rec_ret(ret, err);
		if (steady)
			judge(OP_UNMAP_VIEW, "unmap_view of a view's base", ret, err, 0, 0);
		arena_refill(gone.arena, gone.len);
		return;
	}
	/* Not the base of a view: nothing may be unmapped. */
	sure = B(EINVAL);
	if (have && v.len > (size_t)ps && r == 7) {
		*arg = (uintptr_t)v.addr + (1 + rnd(v.len / ps - 1)) * ps;
	} else if (have && r == 8) {
		*arg = (uintptr_t)v.addr + 1 + rnd(ps - 1);
	} else {
		*arg = (u64[]){ (uintptr_t)scr(SCR_RW), (uintptr_t)scr(SCR_RO), 0,
				0xffff800000000000ULL, 0x800000000000ULL, ~0ULL & ~(u64)(ps - 1),
				(uintptr_t)scr(SCR_NONE) }[rnd(7)];
		have = false;
	}
	if (one_in(8)) {
		argp = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	if (have && !view_begin(idx, v.gen, false, &ch))
		return;
	rec("unmap_view not-a-base %#llx", *arg);
	ret = ioctl(cur->dev, SECTIONS_IOC_UNMAP_VIEW, argp);
	err = errno;
	rec_ret(ret, err);
	if (have)
		steady = view_end(idx, &v, &ch);
	if (!have || steady)
		judge(OP_UNMAP_VIEW, "unmap_view of an address that is no view's base", ret, err,
		      sure, 0);
}

static void op_mremap(void)
{
	struct vent v, nv;
	struct change ch;
	int idx, err, r = rnd(10), slot = -1;
	size_t new_len = 0;
	bool steady;
	char *p, *target = NULL;
	eset sure = 0;
	int flags = 0;

	/* A move is exclusive: no other change of the view runs meanwhile. */
	if (!pick_view(&v, &idx, &steady) || !view_begin(idx, v.gen, true, &ch))
		return;
	nv = v;
	switch (r) {
	case 0: case 1: case 2: case 3:
		/* Move the whole view into a free arena slot. */
		if (v.len <= ARENA_SLOT)
			slot = arena_take();
		if (slot < 0) {
			view_end(idx, &v, &ch);
			return;
		}
		target = tab.arena + slot * ARENA_SLOT;
		new_len = v.len;
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		break;
	case 4:
		new_len = v.len;	/* nothing to do */
		break;
	case 5:
		if (v.len <= (size_t)ps) {
			view_end(idx, &v, &ch);
			return;
		}
		new_len = v.len - (1 + rnd(v.len / ps - 1)) * ps;
		sure = B(EINVAL);	/* shrinking splits the view */
		break;
	case 6:
		new_len = v.len + (1 + rnd(4)) * ps;
		flags = one_in(2) ? MREMAP_MAYMOVE : 0;
		sure = B(EFAULT);	/* a view never grows */
		break;
	case 7:
		new_len = v.len;
		flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		sure = B(EINVAL);
		break;
	case 8:
		/* Old length 0: duplicating a shared mapping; never of a view. */
		new_len = v.len;
		flags = MREMAP_MAYMOVE;
		sure = B(EINVAL) | B(EFAULT);
		break;
	default:
		new_len = v.len;
		flags = MREMAP_FIXED;	/* without MAYMOVE */
		target = (char *)scr(SCR_RW);
		sure = B(EINVAL);
		break;
	}
	rec("mremap %p+%#zx -> %#zx fl=%#x to %p", v.addr, v.len, new_len, flags, target);
	p = mremap(v.addr, r == 8 ? 0 : v.len, new_len, flags, target);
	err = errno;
	rec_add(" = %p", p == MAP_FAILED ? NULL : p);
	if (p == MAP_FAILED)
		rec_add(" %s", ename(err));
	if (p != MAP_FAILED && p != v.addr && r != 8) {
		nv.addr = p;
		if (slot >= 0 && p == target) {
			nv.arena = slot;
			slot = -1;
		}
	}
	steady = view_end(idx, &nv, &ch);
	if (p != MAP_FAILED && p != v.addr && r != 8)
		arena_refill(v.arena, v.len);
	/*
	 * The move failed. mremap() may have unmapped the target first, and a
	 * view made since may sit in that hole: the slot is free again only if
	 * it can be filled without replacing anything (else it is given up).
	 */
	if (slot >= 0)
		arena_refill(slot, v.len);
	if (steady)
		judge(OP_MREMAP, "mremap of a view", p == MAP_FAILED ? -1 : 0, err, sure, 0);
	if (p != MAP_FAILED && sure && r == 8 && p != v.addr)
		munmap(p, new_len);	/* a duplicate that must not exist */
}

static void op_mprotect(void)
{
	struct vent v, nv;
	struct change ch;
	int idx, ret, err, prot;
	bool steady, part = false;
	char *start;
	size_t len;
	eset sure = 0, maybe = 0;

	if (!pick_view(&v, &idx, &steady))
		return;
	prot = pick_mprot(v.access, v.sprot, v.shared);
	start = v.addr;
	len = v.len;
	if (v.len > (size_t)ps && one_in(4)) {
		part_of(&v, &start, &len);
		part = true;
	}
	if (one_in(20)) {
		start += 1 + rnd(ps - 1);
		sure |= B(EINVAL);
	} else if (one_in(30)) {
		prot |= one_in(2) ? PROT_GROWSDOWN : 0x40 << rnd(20);
		sure |= B(EINVAL);
	}
	/*
	 * mprotect() can never raise a view past what mmap() would have allowed;
	 * not judged when the section's protection is unknown (a handle from a
	 * name in use, without query access).
	 */
	if (v.sprot)
		sure |= view_rules(v.access, v.sprot, prot, v.shared);
	else
		maybe |= B(EACCES);
	/* A part with other protections would split the view; the same ones change nothing. */
	if (part && v.prot < 0)
		maybe |= B(EINVAL);
	else if (part && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) != v.prot)
		sure |= B(EINVAL);
	if (!view_begin(idx, v.gen, false, &ch))
		return;
	rec("mprotect %p+%#zx of %p+%#zx prot=%#x->%#x", start, len, v.addr, v.len, v.prot, prot);
	ret = mprotect(start, len, prot);
	err = errno;
	rec_ret(ret, err);
	nv = v;
	if (!ret && !part)
		nv.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	steady = view_end(idx, &nv, &ch);
	if (steady)
		judge(OP_MPROTECT, "mprotect of a view", ret, err, sure, maybe);
}

static void op_madvise(void)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_DONTNEED, MADV_REMOVE, MADV_PAGEOUT, MADV_COLD,
		MADV_WILLNEED, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_HUGEPAGE,
	};
	struct vent v;
	int idx, ret, err, adv = advice[rnd(ARRAY_SIZE(advice))];
	bool steady;
	char *start = NULL;
	size_t len = 0;
	eset sure = 0, maybe = 0;

	if (!pick_view(&v, &idx, &steady))
		return;
	/* Never past the view: the neighbour may be the fuzzer's own memory. */
	if (one_in(3))
		part_of(&v, &start, &len);
	if (!start || v.len <= (size_t)ps) {
		start = v.addr;
		len = v.len;
	}
	if (one_in(20)) {
		start += 1 + rnd(ps - 1);
		sure |= B(EINVAL);
	} else if (one_in(30)) {
		adv = 1000 + rnd(1000);
		sure |= B(EINVAL);
	}
	/*
	 * MADV_REMOVE punches a hole through the view's file, which has no
	 * fallocate (EOPNOTSUPP), after it checked the view is shared writable
	 * (EACCES). MADV_HUGEPAGE changes the VMA's flags, a split for a part.
	 */
	if (adv == MADV_REMOVE)
		maybe |= B(EACCES) | B(EOPNOTSUPP) | B(EINVAL);
	if (adv == MADV_HUGEPAGE || adv == MADV_RANDOM || adv == MADV_SEQUENTIAL ||
	    adv == MADV_NORMAL)
		maybe |= B(EINVAL);
	rec("madvise %p+%#zx of %p+%#zx adv=%d", start, len, v.addr, v.len, adv);
	ret = madvise(start, len, adv);
	err = errno;
	rec_ret(ret, err);
	if (steady && view_same(idx, v.gen))
		judge(OP_MADVISE, "madvise of a view", ret, err, sure, maybe);
}

static void op_msync(void)
{
	static const int fl[] = {
		MS_SYNC, MS_ASYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
		MS_ASYNC | MS_INVALIDATE, 0,
	};
	struct vent v;
	int idx, ret, err, flags = fl[rnd(6)];
	bool steady;
	char *start;
	size_t len;
	eset sure = 0, maybe = 0;

	if (!pick_view(&v, &idx, &steady))
		return;
	start = v.addr;
	len = v.len;
	if (one_in(3))
		part_of(&v, &start, &len);
	if (v.len <= (size_t)ps)
		start = v.addr, len = v.len;
	if (one_in(4))
		len -= rnd(ps);
	switch (rnd(20)) {
	case 0:
		start += 1 + rnd(ps - 1);
		sure |= B(EINVAL);
		break;
	case 1:
		flags = MS_SYNC | MS_ASYNC;
		sure |= B(EINVAL);
		break;
	case 2:
		flags |= 8 << rnd(20);
		sure |= B(EINVAL);
		break;
	case 3:
		/* Past the view: other mappings or holes (ENOMEM); msync changes neither. */
		len += (1 + rnd(16)) * ps;
		maybe |= B(ENOMEM);
		break;
	}
	/* ENXIO: the file was cut below dirty pages (OP_FILE truncates), which are lost. */
	if (v.backing != SECTIONS_BACKING_PAGEFILE)
		maybe |= B(EIO) | B(ENOSPC) | B(EDQUOT) | B(EFBIG) | B(ENXIO);
	rec("msync %p+%#zx of %p+%#zx fl=%#x", start, len, v.addr, v.len, flags);
	ret = msync(start, len, flags);
	err = errno;
	rec_ret(ret, err);
	if (steady && view_same(idx, v.gen) && !(maybe & B(ENOMEM)))
		judge(OP_MSYNC, "msync of a view", ret, err, sure, maybe);
}

/* An address that is in no view: the scratch pages, a kernel address, NULL. */
static u64 not_a_view(void)
{
	return (u64[]){ (uintptr_t)scr(SCR_RW), (uintptr_t)scr(SCR_RO) + 8, 0,
			0xffff800000000000ULL, 0x800000000000ULL, ~0ULL - 4095 }[rnd(6)];
}

static void op_flush_view(void)
{
	struct sections_flush_args *a = (void *)scr(SCR_RW), *arg = a;
	struct vent v;
	int idx, ret, err;
	bool steady, have = !one_in(12) && pick_view(&v, &idx, &steady);
	eset sure = 0, maybe = 0;
	u64 rest;

	memset(a, 0, sizeof(*a));
	a->flags = one_in(3) ? SECTIONS_FLUSH_DURABLE : 0;
	if (have) {
		/* Rounded down to a page: any address inside the view will do. */
		a->addr = (uintptr_t)v.addr + rnd(v.len / ps) * ps + (one_in(4) ? rnd(ps) : 0);
		rest = (uintptr_t)v.addr + v.len - a->addr;
		a->len = (u64[]){ 0, rest, 1 + rnd(rest) }[rnd(3)];
		switch (rnd(12)) {
		case 0:
			a->len = rest + 1 + rnd(4 * ps);
			sure |= B(ENXIO);
			break;
		case 1:
			/* The end wraps past 2^64. */
			a->len = ~0ULL - rnd(2 * ps);
			sure |= B(ENXIO);
			break;
		}
		/* ENXIO also when the file was cut below dirty pages (they are lost). */
		if (v.backing != SECTIONS_BACKING_PAGEFILE)
			maybe |= B(EIO) | B(ENOSPC) | B(EDQUOT) | B(EFBIG) | B(ENXIO);
	} else {
		a->addr = not_a_view();
		a->len = rnd(3) ? rnd(4 * ps) : rnd64();
		sure |= B(EINVAL);
	}
	if (one_in(25)) {
		a->flags |= 2u << rnd(31);
		sure |= B(EINVAL);
	}
	if (one_in(25)) {
		a->pad = 1 + rnd(0xfffffffe);
		sure |= B(EINVAL);
	}
	if (one_in(40)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	rec("flush_view %#llx+%#llx fl=%#x pad=%#x", (u64)a->addr, (u64)a->len, a->flags, a->pad);
	ret = ioctl(cur->dev, SECTIONS_IOC_FLUSH_VIEW, arg);
	err = errno;
	rec_ret(ret, err);
	if (!have || (steady && view_same(idx, v.gen)))
		judge(OP_FLUSH_VIEW, "flush_view", ret, err, sure, maybe);
}

static void op_query_view_pages(void)
{
	struct sections_page_query *q = (void *)scr(SCR_RW), *arg = q;
	struct vent v;
	int idx, ret, err, kind;
	bool steady, have = !one_in(12) && pick_view(&v, &idx, &steady);
	eset sure = 0, maybe = 0;

	if (have) {
		pick_page_query(q, (uintptr_t)v.addr, v.len / ps, &sure, &maybe, &kind);
		/* Past its end is some other mapping, maybe another view: not judged. */
		if (q->start >= (uintptr_t)v.addr + v.len)
			have = steady = false, sure = 0, maybe = ~(eset)0;
	} else {
		pick_page_query(q, 0, 1, &sure, &maybe, &kind);
		q->start = not_a_view() & ~(u64)(ps - 1);
		if (!(sure & B(EINVAL)) && q->count <= (1ULL << 35) - 1)
			sure = B(EINVAL);
		else if (!(sure & B(EINVAL)))
			sure = B(EINVAL) | B(ENXIO);
	}
	if (one_in(40)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	rec("query_view_pages %#llx count=%#llx out=%d", (u64)q->start, (u64)q->count, kind);
	ret = ioctl(cur->dev, SECTIONS_IOC_QUERY_VIEW_PAGES, arg);
	err = errno;
	rec_ret(ret, err);
	if (maybe == ~(eset)0)
		return;
	if ((have && steady && view_same(idx, v.gen)) || !have) {
		if (judge(OP_QUERY_VIEW_PAGES, "query_view_pages", ret, err, sure, maybe) &&
		    kind == OUT_OK && arg == q)
			check_pages((void *)(uintptr_t)q->pages, q->count, "query_view_pages");
	}
}

/*
 * Loads and stores to a view. Where the view's protection allows the
 * access it must work (a file-backed view may raise SIGBUS: its file can
 * be truncated under it); where it does not, it must fault with SIGSEGV.
 * Only the first TOUCH_WINDOW bytes and the last page are touched, which
 * bounds the memory a run uses; but now and then a shared writable view of
 * a file on the disk has up to BURST bytes dirtied at once, to push the
 * dirty pages past the module's limit (run-fuzz sets it low): writers are
 * throttled and views trimmed. Those are file pages: the module's limit
 * bounds them, and once written they can be reclaimed.
 */
#define BURST		(8UL << 20)

static void op_touch(void)
{
	struct vent v;
	int idx, i, n = 1 + rnd(6), sig;
	bool steady, write, readable, writable, burst;
	size_t off, size, window;
	int64_t until = 0;

	if (atomic_load(&sh->lowmem) || !pick_view(&v, &idx, &steady))
		return;
	/* Overlapping mprotects left it unknown: touched, not judged. */
	if (v.prot < 0)
		steady = false;
	window = v.len < TOUCH_WINDOW ? v.len : TOUCH_WINDOW;
	/*
	 * x86: a writable mapping can be read. An execute-only one may or may
	 * not be (protection keys): its loads are not judged.
	 */
	readable = v.prot & (PROT_READ | PROT_WRITE);
	writable = v.prot & PROT_WRITE;
	burst = v.disk && v.shared && writable && one_in(4);
	/* A throttled writer waits up to 200 ms a fault: a burst stops after 5 s. */
	if (burst) {
		n = (v.len < BURST ? v.len : BURST) / ps;
		until = now_ns() + 5000000000LL;
	}
	rec("touch %p+%#zx prot=%#x %s%s", v.addr, v.len, v.prot,
	    v.backing == SECTIONS_BACKING_FILE ? "file" : "pagefile", burst ? " burst" : "");
	for (i = 0; i < n; i++) {
		off = burst ? (size_t)i * ps : one_in(6) ? v.len - 1 - rnd(ps) : rnd(window);
		write = burst || one_in(2);
		size = !burst && one_in(8) ? 1 + rnd(ps - off % ps) : 1;
		sig = touch(v.addr + off, size, write, (int)rnd(256));
		if (!burst || sig)
			rec_add(" %c%zx%s", write ? 'w' : 'r', off, sig == SIGSEGV ? "!SEGV" :
				sig == SIGBUS ? "!BUS" : "");
		if (burst && (sig || (!(i % 64) && now_ns() > until))) {
			n = i + 1;	/* out of time, or the file was truncated under it */
			rec_add(" %d pages", n);
		}
		if (!steady || !view_same(idx, v.gen))
			return;
		if (!write && v.prot == PROT_EXEC)
			continue;
		if ((write ? writable : readable) && sig == SIGSEGV) {
			fail("%s at offset %#zx of a view with prot %#x raised SIGSEGV",
			     write ? "store" : "load", off, v.prot);
			return;
		}
		if ((write ? writable : readable) && sig == SIGBUS &&
		    v.backing == SECTIONS_BACKING_PAGEFILE) {
			fail("%s at offset %#zx of a pagefile view raised SIGBUS", write ? "store" :
			     "load", off);
			return;
		}
		if (!(write ? writable : readable) && !sig) {
			fail("%s at offset %#zx of a view with prot %#x did not fault",
			     write ? "store" : "load", off, v.prot);
			return;
		}
	}
}

/* /proc/PID/map_files reopens a view's file by path: that would bypass the handle's rights. */
static void op_map_files(void)
{
	struct vent v;
	char path[96];
	int idx, fd, err;
	bool steady;

	if (!pick_view(&v, &idx, &steady))
		return;
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)v.addr,
		 (unsigned long)(v.addr + v.len));
	rec("map_files %s", path + 21);
	fd = open(path, (int[]){ O_RDONLY, O_RDWR }[rnd(2)] | O_CLOEXEC);
	err = errno;
	rec_ret(fd, err);
	if (fd >= 0)
		close(fd);
	if (steady && view_same(idx, v.gen))
		judge(OP_MAP_FILES, "open of a view through /proc/self/map_files", fd, err,
		      privileged ? B(EACCES) : B(EACCES) | B(EPERM), 0);
}

/*
 * Memory policies and residency: mbind() on a view sets the section's
 * shared policy (pagefile sections, through shmem), get_mempolicy() reads
 * it back, mincore() asks which pages are resident. Judged loosely (see
 * the table), but mincore() of a steady view must work and say 0 or 1.
 */
static void op_mempolicy(void)
{
	unsigned char *vec = (unsigned char *)scr(SCR_RW) + 1024;
	unsigned long mask = 1;
	struct vent v;
	int idx, ret, err, r = rnd(3), mode;
	bool steady;
	char *start;
	size_t len, i;

	if (!pick_view(&v, &idx, &steady))
		return;
	start = v.addr;
	len = v.len;
	if (v.len > (size_t)ps && one_in(3))
		part_of(&v, &start, &len);
	if (len > 2048 * (size_t)ps)
		len = 2048 * ps;	/* what vec holds */
	switch (r) {
	case 0:
		mode = (int[]){ MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_PREFERRED,
				MPOL_LOCAL }[rnd(5)];
		rec("mbind %p+%#zx of %p+%#zx mode=%d", start, len, v.addr, v.len, mode);
		ret = syscall(SYS_mbind, start, len, mode,
			      mode == MPOL_DEFAULT || mode == MPOL_LOCAL ? NULL : &mask, 64,
			      (unsigned int[]){ 0, MPOL_MF_STRICT, MPOL_MF_MOVE }[rnd(3)]);
		break;
	case 1:
		rec("get_mempolicy %p", start);
		ret = syscall(SYS_get_mempolicy, &mode, &mask, 64, start, MPOL_F_ADDR);
		break;
	default:
		rec("mincore %p+%#zx of %p+%#zx", start, len, v.addr, v.len);
		memset(vec, 0xcc, len / ps);
		ret = mincore(start, len, vec);
		break;
	}
	err = errno;
	rec_ret(ret, err);
	if (!steady || !view_same(idx, v.gen))
		return;
	if (r == 2) {
		if (judge(OP_MEMPOLICY, "mincore of a view", ret, err, 0, 0))
			for (i = 0; i < len / ps; i++)
				if (vec[i] > 1) {
					fail("mincore: page %zu of a view says %#x", i, vec[i]);
					break;
				}
		return;
	}
	judge(OP_MEMPOLICY, r ? "get_mempolicy of a view" : "mbind of a view", ret, err, 0,
	      op_errnos[OP_MEMPOLICY]);
}

/* ---- processes, SCM_RIGHTS, backing files ---- */

/*
 * In a forked copy of the table: a view that a thread of the parent was
 * moving (mremap) when it forked is at its old address or its new one, and
 * that thread is not here to say which. Out of the table, before this
 * process maps its threads' scratch pages: one may land at the address the
 * view left, where a touch of the entry would then store (seen once in a
 * million operations, as a duplicate's argument changing under it).
 */
static void forget_moving_views(void)
{
	int i;

	for (i = 0; i < MAX_VIEWS; i++)
		if (tab.v[i].used && tab.v[i].moving) {
			tab.v[i].used = false;
			tab.v[i].gen = next_gen();
		}
}

static void run_ops(u64 max, bool grandchild);

/* The ring of a forked child of a worker thread: its own, in its own memory. */
static struct slot gc_slot;
static struct ctx gc_ctx;

/*
 * fork: the child has only this thread, a copy of the table (the lock is
 * held across fork() so the copy is whole) and its own copies of the
 * views. It runs a few operations on them, then exits, unless it is killed
 * first with SIGKILL.
 */
static void op_fork(void)
{
	int status, err;
	u64 seed = rnd64(), ops = 1 + rnd(24);
	int64_t deadline;
	bool kill_it = one_in(3), killed = false;
	pid_t pid, parent = getpid();

	rec("fork ops=%llu%s", ops, kill_it ? " kill" : "");
	lock();
	pid = fork();
	if (!pid) {
		/* Dies with the thread that forked it; it may have died already. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		pthread_mutex_init(&tab.lock, NULL);
		forget_moving_views();
		gc_ctx = *cur;
		gc_ctx.rng = seed;
		gc_ctx.grandchild = true;
		gc_ctx.kcov = NULL;	/* the area is the parent thread's */
		gc_ctx.slot = &gc_slot;
		memset(&gc_slot, 0, sizeof(gc_slot));
		gc_slot.seed = seed;
		cur = &gc_ctx;
		run_ops(ops, true);
		_exit(0);
	}
	err = errno;
	unlock();
	rec_add(" pid=%d", (int)pid);
	if (pid < 0) {
		judge(OP_FORK, "fork", -1, err, 0, 0);
		return;
	}
	/* Its few operations get as long as the watchdog gives one. */
	deadline = now_ns() + (kill_it ? (int64_t)rnd(40) * 1000000 : HANG_NS);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			if (!kill_it)
				fail("forked child %d did not finish %llu operations in %lld s",
				     (int)pid, ops, HANG_NS / 1000000000);
			kill(pid, SIGKILL);
			killed = true;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		atomic_store(&cur->slot->stamp, now_ns());
		usleep(1000);
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		fail("forked child %d died of signal %d (%s)", (int)pid, WTERMSIG(status),
		     strsignal(WTERMSIG(status)));
	else if (WIFSIGNALED(status) && !killed)
		fail("forked child %d was killed by SIGKILL, not by the fuzzer", (int)pid);
	rec_add(" %s%d", WIFSIGNALED(status) ? "sig" : "exit",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* What travels with a handle through the mailbox. */
struct mail {
	u32 magic;
	u32 access, prot;
	int backing, name;
	u64 size;
	int disk;
};

#define MAIL_MAGIC	0x5ec7f022

static void op_send(void)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct mail m;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf };
	struct cmsghdr *cm;
	struct hent h;
	int idx, ret, err, nfd = one_in(4) ? 2 : 1;

	/* Pinned: the fd must stay this handle while it is in sendmsg(). */
	if (!pin_handle(&h, &idx))
		return;
	m = (struct mail){ MAIL_MAGIC, h.access, h.prot, h.backing, h.name, h.size, h.disk };
	msg.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
	memcpy(CMSG_DATA(cm), &h.fd, sizeof(int));
	if (nfd == 2)
		memcpy(CMSG_DATA(cm) + sizeof(int), &h.fd, sizeof(int));
	rec("send h=%d x%d", h.fd, nfd);
	ret = sendmsg(mailbox[rnd(2)], &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	err = errno;
	rec_ret(ret, err);
	unpin_handle(idx);
	judge(OP_SEND, "sendmsg(SCM_RIGHTS) of a handle", ret, err, 0,
	      B(EAGAIN) | B(ENOBUFS) | B(ETOOMANYREFS));
}

static void op_recv(void)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct mail m;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	bool cloexec = one_in(2);
	int fds[4], nfd = 0, i, ret, err;
	struct hent e;

	rec("recv%s", cloexec ? " cloexec" : "");
	ret = recvmsg(mailbox[rnd(2)], &msg, MSG_DONTWAIT | (cloexec ? MSG_CMSG_CLOEXEC : 0));
	err = errno;
	rec_ret(ret, err);
	if (!judge(OP_RECV, "recvmsg", ret, err, 0, B(EAGAIN)))
		return;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; nfd < 4 && i < (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int)); i++)
			memcpy(&fds[nfd++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	rec_add(" fds=%d", nfd);
	for (i = 0; i < nfd; i++) {
		/* Only whole messages of ours describe their handles. */
		if (ret != sizeof(m) || m.magic != MAIL_MAGIC || one_in(6)) {
			close(fds[i]);
			continue;
		}
		cloexec_is(fds[i], cloexec);
		memset(&e, 0, sizeof(e));
		e.fd = fds[i];
		e.access = m.access;
		e.prot = m.prot;
		e.size = m.size;
		e.backing = m.backing;
		e.name = m.name >= 0 && m.name < NR_NAMES ? m.name : -1;
		e.disk = m.disk;
		check_info(e.fd, &e, false, 0, 0, 0, false);
		add_handle(&e);
	}
}

/* Sizes for backing files: tmpfs ones stay small, their pages are RAM. */
static u64 file_size(int path)
{
	u64 s = (u64[]){ 0, ps, 3 * ps + 5, 16 * ps, 1ULL << 20, 16ULL << 20, 1ULL << 30,
			 1ULL << 40 }[rnd(8)];

	return path >= 5 && s > (16ULL << 20) ? 16ULL << 20 : s;
}

/* The backing files' own calls, racing the sections on them. Not judged. */
static void op_file(void)
{
	char *buf = scr(SCR_RW) + 1024;
	int r = rnd(15), idx, fd, ret, p = rnd(PATH_EMPTY), oflags;
	struct fent f;
	off_t off = rnd(1024) * 4096 + (one_in(4) ? rnd(4096) : 0);
	struct statfs sfs;

	if (r == 14) {
		if (!can_fill || !one_in(8))
			return;
		/* Fill the disk but for a few blocks, or give the space back. */
		fd = open(filler, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			return;
		if (one_in(2) && !fstatfs(fd, &sfs) && sfs.f_bavail > 64) {
			rec("file fill %llu blocks", (u64)sfs.f_bavail - 64);
			ret = fallocate(fd, 0, 0, (off_t)(sfs.f_bavail - 64) * sfs.f_bsize);
		} else {
			rec("file drain");
			ret = ftruncate(fd, 0);
		}
		rec_ret(ret, errno);
		close(fd);
		return;
	}

	if (r < 3 || !pick_file(&f, &idx, r == 3 ? F_PLACEHOLDER : F_BACKING)) {
		if (r == 3)
			return;
		oflags = (int[]){ O_RDWR, O_RDWR, O_RDONLY, O_WRONLY }[rnd(4)] | O_CREAT | O_CLOEXEC;
		rec("file open %d %#x", p, oflags);
		fd = open(paths[p], oflags, 0666);
		rec_ret(fd, errno);
		if (fd >= 0)
			add_file(fd, F_BACKING, p, oflags);
		return;
	}
	rec("file %d on %d/%d", r, f.kind, f.path);
	switch (r) {
	case 3: case 4:
		fd = take_file(idx, f.gen);
		ret = fd < 0 ? 0 : close(fd);
		break;
	case 5:
		ret = ftruncate(f.fd, file_size(f.path));
		break;
	case 6:
		ret = pwrite(f.fd, buf, 1 + rnd(4096), off);
		break;
	case 7:
		ret = fallocate(f.fd, (int[]){ 0, FALLOC_FL_KEEP_SIZE,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
			FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE }[rnd(6)],
			off & ~4095L, (1 + rnd(64)) * 4096);
		break;
	case 8:
		ret = one_in(2) ? fsync(f.fd) : fdatasync(f.fd);
		break;
	case 9:
		ret = unlink(paths[f.path]);
		break;
	case 10:
		ret = pread(f.fd, buf, 1 + rnd(4096), off);
		break;
	case 11:
		ret = truncate(paths[f.path], file_size(f.path));
		break;
	case 12:
		/* Swap two files of one directory under the sections on them. */
		ret = rename(paths[f.path], paths[f.path < 5 ? rnd(5) : 5 + rnd(2)]);
		break;
	default:
		ret = posix_fadvise(f.fd, 0, 0, (int[]){ POSIX_FADV_DONTNEED,
			POSIX_FADV_WILLNEED }[rnd(2)]);
		ret = ret ? (errno = ret, -1) : 0;
		break;
	}
	rec_ret(ret, errno);
}

static void op_proc(void)
{
	char buf[4096];
	ssize_t n, total = 0;
	int fd, err;

	/* smaps asks views their page size, numa_maps their memory policy. */
	const char *path = (const char *[]){ "/proc/sections", "/proc/sections",
					    "/proc/self/smaps", "/proc/self/numa_maps" }[rnd(4)];

	/*
	 * Now and then, reclaim of every cache: the module's shrinker counts
	 * the dirty pages it cannot free and starts every writer. Root only
	 * (a worker that dropped to nobody is refused), and dear: rarely.
	 */
	if (one_in(64)) {
		rec("proc drop_caches");
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		err = errno;
		if (fd >= 0) {
			n = write(fd, "2", 1);
			err = errno;
			close(fd);
			fd = n < 0 ? -1 : 0;
		}
		rec_ret(fd, err);
		return;
	}
	rec("proc read %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = errno;
	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		err = errno;
		close(fd);
		fd = n < 0 ? -1 : 0;
	}
	rec_ret(fd < 0 ? -1 : total, err);
	/* Without CONFIG_NUMA there is no numa_maps. */
	judge(OP_PROC, path, fd, err, 0, strstr(path, "numa") ? B(ENOENT) : 0);
}

/* The debugfs test hook: a name of the pool held by an object of another type. */
static void op_placeholder(void)
{
	int fd, i = rnd(NR_NAMES), err;
	ssize_t n;

	rec("placeholder name=%d", i);
	fd = open("/sys/kernel/debug/sections/reserve_name", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rec_ret(fd, errno);
		return;
	}
	n = write(fd, pool[i].s, pool[i].len);
	err = errno;
	rec_ret(n, err);
	judge(OP_PLACEHOLDER, "reserve_name", n, err, 0, op_errnos[OP_PLACEHOLDER]);
	if (n < 0 || one_in(4))
		close(fd);
	else
		add_file(fd, F_PLACEHOLDER, -1, 0);
}

#define FAULT_AROUND_PARAM "/sys/module/sections/parameters/fault_around"

/*
 * The module's fault_around on or off: read faults of every view then map
 * the resident neighbours (->map_pages) or not, racing everything else.
 * Nothing a view shows may change with it.
 */
static void op_fault_around(void)
{
	int on = one_in(2), fd, err;
	ssize_t n;

	rec("fault_around %d", on);
	fd = open(FAULT_AROUND_PARAM, O_WRONLY | O_CLOEXEC);
	err = errno;
	if (fd < 0) {
		rec_ret(fd, err);
		judge(OP_FAULT_AROUND, "open of " FAULT_AROUND_PARAM, fd, err, 0,
		      op_errnos[OP_FAULT_AROUND]);
		return;
	}
	n = write(fd, on ? "1\n" : "0\n", 2);
	err = errno;
	close(fd);
	rec_ret(n, err);
	judge(OP_FAULT_AROUND, "write of " FAULT_AROUND_PARAM, n, err, 0, 0);
}

#define MAX_SECTIONS_PARAM "/sys/module/sections/parameters/max_sections_per_user"
#define MAX_NAMES_PARAM "/sys/module/sections/parameters/max_names_per_user"

/* The parameters' values when the run began, put back when it ends. */
static char limit_sections[24], limit_names[24], fault_around_was[24];

static void param_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

static void param_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		say("fuzz: note: %s not put back: %s\n", path, strerror(errno));
	close(fd);
}

/*
 * The module's parameters as the run found them: at its end, and when the
 * watchdog ends it (a run killed by a signal leaves them as they were then).
 */
static void restore_params(void)
{
	if (limit_sections[0])
		param_write(MAX_SECTIONS_PARAM, limit_sections);
	if (limit_names[0])
		param_write(MAX_NAMES_PARAM, limit_names);
	if (fault_around_was[0])
		param_write(FAULT_AROUND_PARAM, fault_around_was);
}

/*
 * The per-user limits on sections and on names, low now and then (one call
 * in five), else as they were: the creates of workers that dropped to
 * nobody meet them (root's are not limited), named or not, on new names and
 * existing ones, racing the closes that make room again.
 */
static void op_limits(void)
{
	bool names = one_in(2), low = one_in(5);
	const char *path = names ? MAX_NAMES_PARAM : MAX_SECTIONS_PARAM;
	const char *old = names ? limit_names : limit_sections;
	char val[24];
	int fd, err;
	ssize_t n;

	if (low)
		snprintf(val, sizeof(val), "%u\n", (unsigned int)rnd(32));
	else
		snprintf(val, sizeof(val), "%s", old[0] ? old : "65536\n");
	rec("limits %s=%u", names ? "names" : "sections", (unsigned int)atoi(val));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	err = errno;
	if (fd < 0) {
		rec_ret(fd, err);
		judge(OP_LIMITS, "open of a limit", fd, err, 0, op_errnos[OP_LIMITS]);
		return;
	}
	n = write(fd, val, strlen(val));
	err = errno;
	close(fd);
	rec_ret(n, err);
	judge(OP_LIMITS, "write of a limit", n, err, 0, 0);
}

/* A new /dev/sections for this thread; the old one goes (its handles stay). */
static void op_devfd(void)
{
	int fd = open(DEV, (one_in(4) ? O_RDONLY : O_RDWR) | O_CLOEXEC), err = errno;

	rec("devfd");
	rec_ret(fd, err);
	if (!judge(OP_DEVFD, "open of " DEV, fd, err, 0, B(EMFILE)))
		return;
	close(cur->dev);
	cur->dev = fd;
}

/*
 * Cached file I/O (SECTIONS_IOC_FILE_*): a backing file (through its control
 * area when a section of it exists, racing views, flushes, truncation and
 * teardown), or a handle, /dev/sections or no file at all; hostile
 * offsets, lengths, buffers and flags. A read lands only in this thread's
 * scratch pages (a view's address may be another mapping's by the time the
 * kernel writes it); a write may come from a view, as WriteFile(hFile, view)
 * does.
 */
/*
 * SetEndOfFile below a section that went, the cut that shrinks a control
 * area (sections_control_lower_claim()): a section of 1 to 4 pages of the
 * file, a larger one (which grows the file), perhaps dirtied through a view,
 * closed, and a size between the two ends. Other sections of the file may
 * still hold it longer (EBUSY). Returns the small section's handle, for the
 * caller to close after the cut, or -1.
 */
static int cut_below_a_section_that_went(int fd, u64 *size)
{
	struct sections_create_args a = {
		.protection = SECTIONS_PAGE_READWRITE,
		.flags = SECTIONS_CREATE_FILE | SECTIONS_HANDLE_CLOEXEC,
		.fd = fd,
	};
	u64 small = (1 + rnd(4)) * ps, big = small + (1 + rnd(16)) * ps, off;
	int h, big_h;
	char *v;

	a.size = small;
	h = ioctl(cur->dev, SECTIONS_IOC_CREATE, &a);
	if (h < 0)
		return -1;
	a.size = big;
	big_h = ioctl(cur->dev, SECTIONS_IOC_CREATE, &a);
	if (big_h >= 0) {
		v = one_in(2) ? mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED, big_h, 0) :
				MAP_FAILED;
		if (v != MAP_FAILED) {
			/*
			 * Dirty pages on both sides of where the cut will be.
			 * Through touch(): another thread may cut the file, and
			 * the user's failing files may refuse more dirty pages
			 * (SIGBUS either way).
			 */
			for (off = 0; off < big; off += ps)
				if (one_in(2) && touch(v + off + rnd(ps), 1, true, (int)rnd(256)))
					break;
			munmap(v, big);
		}
		close(big_h);
	}
	*size = small + rnd(big - small + 1);
	rec("fileio cut setup: sections of %#llx and %#llx (%s), cut at %#llx", small, big,
	    big_h >= 0 ? "closed" : "refused", *size);
	return h;
}

/* The most a cached write takes from a view (op_fileio()). */
#define FILEIO_VIEW_MAX	(1UL << 20)

static void op_fileio(void)
{
	static const unsigned long cmds[] = {
		SECTIONS_IOC_FILE_READ, SECTIONS_IOC_FILE_WRITE, SECTIONS_IOC_FILE_FLUSH,
		SECTIONS_IOC_FILE_SET_SIZE,
	};
	struct sections_file_io *io = (void *)scr(SCR_RW);
	struct sections_file_args *fa = (void *)scr(SCR_RW);
	int c = rnd(10), kind = rnd(10), idx = -1, hidx = -1, vidx = -1, fd, ret, err, small = -1;
	bool read = c < 4, write = c >= 4 && c < 7, file = false, steady = true;
	eset sure = 0, maybe = 0;
	void *arg = scr(SCR_RW);
	struct fent f;
	struct hent h;
	struct vent v;
	u64 len;

	memset(io, 0, 64);
	if (kind < 7 && pick_file(&f, &idx, F_BACKING)) {
		fd = f.fd;
		file = true;
		if ((f.oflags & O_ACCMODE) == (read ? O_WRONLY : O_RDONLY))
			sure |= B(EBADF);
		maybe |= B(EIO) | B(ENOSPC) | B(EDQUOT) | B(EACCES) | B(EPERM) | B(EMFILE) |
			 B(ENFILE);
		if (!read)
			maybe |= B(ENXIO) | B(EFBIG);
	} else if (kind == 7 && pick_handle(&h, &hidx)) {
		fd = h.fd;
		sure |= B(ENODEV);
	} else if (kind == 8) {
		/* A character device: no file to do I/O on. */
		fd = cur->dev;
		sure |= B(ENODEV);
	} else {
		fd = one_in(2) ? -1 - (int)rnd(3) : 900 + (int)rnd(100);
		sure |= B(EBADF);
	}

	if (read || write) {
		io->fd = fd;
		io->offset = rnd(1024) * 4096 + (one_in(3) ? rnd(4096) : 0);
		switch (rnd(6)) {
		case 0:
			len = 0;
			break;
		case 1:
			len = 1 + rnd(64);
			break;
		case 2:
			len = 1 + rnd(2 * ps - 512);
			break;
		case 3:
			len = ps;
			break;
		case 4:
			len = 2 * ps - 512;
			break;
		default:
			len = rnd64();
			break;
		}
		io->len = len;
		io->buf = (uintptr_t)scr(SCR_RW) + 512;
		if (write && one_in(4) && !atomic_load(&sh->lowmem) &&
		    pick_view(&v, &vidx, &steady)) {
			/*
			 * WriteFile(hFile, view): the source may be a view of that
			 * file. No more than FILEIO_VIEW_MAX of it: every page of a
			 * pagefile view the copy reads is memory, and a huge
			 * NORESERVE view would fill the guest until the OOM killer
			 * ends the fuzzer.
			 */
			io->buf = (uintptr_t)v.addr + rnd(v.len);
			if (len > FILEIO_VIEW_MAX)
				io->len = len = FILEIO_VIEW_MAX;
			maybe |= B(EFAULT);
		} else if (one_in(12)) {
			io->buf = bad_ptr();
			maybe |= B(EFAULT);
		} else if (read && one_in(12)) {
			/* A read-only or PROT_NONE page: copy_to_user() fails. */
			io->buf = (uintptr_t)scr(one_in(2) ? SCR_RO : SCR_NONE);
			maybe |= B(EFAULT);
		} else if (len > 2 * ps - 512) {
			/* Runs off the scratch pages into the read-only one: short, or EFAULT. */
			maybe |= B(EFAULT);
		}
		switch (rnd(16)) {
		case 0:
			io->offset = (1ULL << 63) + rnd(1ULL << 62);
			sure = B(EINVAL);
			break;
		case 1:
			io->offset = (1ULL << 63) - 1 - rnd(2 * ps);
			io->len = len = 2 * ps + rnd(ps);
			sure |= B(EFBIG);
			break;
		case 2:
			io->flags = 1u << rnd(32);
			sure = B(EINVAL);
			break;
		}
		/* A transfer of nothing does nothing, and checks no file. */
		if (!io->len && !(sure & B(EINVAL)))
			sure = 0;
		rec("fileio %s fd=%d off=%#llx len=%#llx buf=%#llx fl=%#x", read ? "read" : "write",
		    io->fd, (u64)io->offset, (u64)io->len, (u64)io->buf, io->flags);
	} else {
		fa->fd = fd;
		if (c == 7 || c == 8) {
			/* FlushFileBuffers: write-back errors of the file. */
			if (one_in(12)) {
				fa->size = 1 + rnd(4096);
				sure = B(EINVAL);
			}
			if (file)
				maybe |= B(ENXIO) | B(EFBIG);
		} else {
			/* SetEndOfFile: no cut below a live section's end. */
			fa->size = file_size(file ? f.path : 0);
			if (file && (f.oflags & O_ACCMODE) == O_RDWR && one_in(3))
				small = cut_below_a_section_that_went(fd, &fa->size);
			if (one_in(12)) {
				fa->size = (1ULL << 63) + rnd(1ULL << 62);
				sure = B(EFBIG);
			}
			if (file)
				maybe |= B(EBUSY) | B(EFBIG);
		}
		if (one_in(20)) {
			fa->flags = 1u << rnd(32);
			sure = B(EINVAL);
		}
		rec("fileio %s fd=%d size=%#llx fl=%#x", c < 9 ? "flush" : "set_size", fa->fd,
		    (u64)fa->size, fa->flags);
	}
	if (one_in(40)) {
		arg = (void *)bad_ptr();
		sure = B(EFAULT);
	}
	ret = ioctl(cur->dev, cmds[read ? 0 : write ? 1 : c < 9 ? 2 : 3], arg);
	err = errno;
	rec_ret(ret, err);
	if (small >= 0)
		close(small);
	/* Its fd may be another file's by now, or its source view unmapped. */
	if (file && !file_same(idx, f.gen))
		return;
	if (hidx >= 0 && !handle_same(hidx, h.gen))
		return;
	if (vidx >= 0 && !(steady && view_same(vidx, v.gen)))
		return;
	if (judge(OP_FILEIO, "fileio", ret, err, sure, maybe) && (read || write) &&
	    (u64)ret > io->len)
		fail("fileio: %d bytes transferred of %llu", ret, (u64)io->len);
}

/*
 * A writer in a memory cgroup near its memory.high (-g DIR): a forked child
 * joins the cgroup, makes a section of a file of its own in the fuzzing
 * directory, 1.5 times the limit, writes every page through a view, unmaps
 * it and exits. Near its limit the module trims the cgroup's dirty pages
 * and writes them (memcg.c, writeback.c), which a run in the root cgroup
 * never reaches; what earlier children wrote stays charged there, clean, so
 * each starts near the limit. memory.high, not memory.max: the cgroup is
 * throttled and reclaimed, never OOM-killed (an OOM report fails the run).
 * The child's own failures (ENOSPC on a filled disk, SIGBUS once a write
 * fails past the bound of a failing file) are its to meet: only its status
 * and its time are judged.
 */
/* One SECTIONS_IOC_FLUSH_VIEW of all of the view at @v: 0 or -1 with errno. */
static int flush_all(void *v, bool durable)
{
	struct sections_flush_args f = {
		.addr = (uintptr_t)v, .flags = durable ? SECTIONS_FLUSH_DURABLE : 0,
	};

	return ioctl(cur->dev, SECTIONS_IOC_FLUSH_VIEW, &f);
}

/*
 * A file made immutable or append-only (chattr) under a section with dirty
 * pages: write-back fails with EPERM, the file's pages are counted as
 * failing for the user who made the section writable (users.c), a flush
 * says so, and nothing is lost: once the flag goes, the next flushes write
 * the pages and the file holds every byte written. A file of this thread's
 * own, on the disk (FS_IOC_SETFLAGS needs a filesystem that has the flags
 * and CAP_LINUX_IMMUTABLE: a worker that dropped to nobody does nothing).
 */
static void op_failing(void)
{
	unsigned int npages = 1 + rnd(16), i, flag = one_in(2) ? FS_IMMUTABLE_FL : FS_APPEND_FL;
	struct sections_create_args a = {
		.protection = SECTIONS_PAGE_READWRITE,
		.flags = SECTIONS_CREATE_FILE | SECTIONS_HANDLE_CLOEXEC,
	};
	char path[PATH_MAX], *v, want[16], got;
	int fd, h, ret, err, flags, tries;

	if (!privileged || !one_in(2))
		return;
	snprintf(path, sizeof(path), "%s/failing.%d", opt_dir, (int)syscall(SYS_gettid));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	/* No malloc: nothing but views is mapped once the operations run (thread_setup()). */
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) || ftruncate(fd, npages * ps)) {
		close(fd);
		unlink(path);
		return;
	}
	a.fd = fd;
	a.size = npages * ps;
	rec("failing %u pages, %s", npages, flag == FS_IMMUTABLE_FL ? "immutable" : "append-only");
	h = ioctl(cur->dev, SECTIONS_IOC_CREATE, &a);
	v = h < 0 ? MAP_FAILED : mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	if (v == MAP_FAILED) {
		rec_ret(-1, errno);
		goto out;
	}
	for (i = 0; i < npages; i++) {
		want[i] = (char)(1 + rnd(255));
		/* SIGBUS: the user's failing files hold their bound of dirty pages. */
		if (touch(v + i * ps, 1, true, (unsigned char)want[i])) {
			rec_add(" page %u !BUS", i);
			munmap(v, a.size);
			goto out;
		}
	}
	flags |= flag;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags)) {
		rec_ret(-1, errno);
		munmap(v, a.size);
		goto out;
	}
	/*
	 * Refused while the flag is on: the pages stay dirty. Unless the
	 * writer, trimming above the dirty limit, wrote them all before the
	 * flag: then they are in the file already.
	 */
	ret = flush_all(v, one_in(2));
	err = errno;
	rec_ret(ret, err);
	judge(OP_FAILING, "failing: flush of a file made immutable", ret, err, 0,
	      B(EPERM) | B(ENOSPC) | B(EDQUOT) | B(EIO));
	atomic_fetch_add(&sh->failing_runs, 1);
	if (ret && err == EPERM)
		atomic_fetch_add(&sh->failing_refused, 1);
	for (i = 0; !ret && i < npages; i++)
		if (pread(fd, &got, 1, (off_t)i * ps) != 1 || got != want[i])
			fail("failing: a flush of a file made %s succeeded, but page %u "
			     "reads %#x, not %#x", flag == FS_IMMUTABLE_FL ? "immutable" :
			     "append-only", i, (unsigned char)got, (unsigned char)want[i]);
	/* Now and then the lazy writer meets it too, unmapped. */
	if (one_in(2)) {
		munmap(v, a.size);
		usleep(rnd(300) * 1000);
		v = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	}
	flags &= ~flag;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		fail("failing: FS_IOC_SETFLAGS could not clear the flag it set: %s",
		     strerror(errno));
	if (v == MAP_FAILED) {
		rec_ret(-1, errno);
		goto out;
	}
	/* The error is reported once more at most (lazily met), then the bytes are written. */
	for (tries = 0; tries < 3 && (ret = flush_all(v, true)); tries++)
		err = errno;
	rec_ret(ret, ret ? err : 0);
	if (!ret) {
		for (i = 0; i < npages; i++)
			if (pread(fd, &got, 1, (off_t)i * ps) != 1 || got != want[i])
				fail("failing: page %u of the file reads %#x after the flag went, "
				     "not %#x", i, (unsigned char)got, (unsigned char)want[i]);
	} else {
		judge(OP_FAILING, "failing: flush after the flag went", ret, err, 0,
		      B(ENOSPC) | B(EDQUOT) | B(EIO));
	}
	munmap(v, a.size);
out:
	if (h >= 0)
		close(h);
	close(fd);
	unlink(path);
}

static unsigned long *child_kcov_start(void);
static void child_kcov_drain(unsigned long *area);

static void op_memcg(void)
{
	static const u64 size = 6ULL << 20;
	int status, err;
	int64_t deadline;
	pid_t pid, parent = getpid();

	if (!opt_cgroup || !one_in(4))
		return;
	rec("memcg write %llu MiB in %s", size >> 20, opt_cgroup);
	pid = fork();
	if (!pid) {
		struct sections_create_args a = {
			.size = size,
			.protection = SECTIONS_PAGE_READWRITE,
			.flags = SECTIONS_CREATE_FILE | SECTIONS_HANDLE_CLOEXEC,
		};
		char procs[PATH_MAX], path[PATH_MAX];
		unsigned long *kc;
		int fd, h;
		u64 off;
		char *v;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", opt_cgroup);
		snprintf(path, sizeof(path), "%s/memcg", opt_dir);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		/* A worker that dropped to nobody may not move itself: nothing to do. */
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(0);
		close(fd);
		atomic_fetch_add(&sh->memcg_writers, 1);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			_exit(0);
		a.fd = fd;
		h = ioctl(cur->dev, SECTIONS_IOC_CREATE, &a);
		close(fd);
		if (h < 0)
			_exit(0);
		v = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
		if (v == MAP_FAILED)
			_exit(0);
		/* Traced as the fuzzer's tasks are: the memcg paths run in this one. */
		kc = child_kcov_start();
		/* SIGBUS ends the child here: the status says so, and is allowed. */
		for (off = 0; off < size; off += ps) {
			v[off] = (char)(off / ps);
			if (!(off / ps % 32))
				child_kcov_drain(kc);
		}
		munmap(v, size);
		close(h);
		child_kcov_drain(kc);
		_exit(0);
	}
	err = errno;
	rec_add(" pid=%d", (int)pid);
	if (pid < 0) {
		judge(OP_MEMCG, "memcg fork", -1, err, 0, B(EAGAIN));
		return;
	}
	deadline = now_ns() + HANG_NS;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			fail("memcg: the writer %d did not finish in %lld s", (int)pid,
			     HANG_NS / 1000000000);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		atomic_store(&cur->slot->stamp, now_ns());
		usleep(1000);
	}
	rec_add(" %s%d", WIFSIGNALED(status) ? "sig" : "exit",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if ((WIFSIGNALED(status) && WTERMSIG(status) != SIGBUS) ||
	    (WIFEXITED(status) && WEXITSTATUS(status)))
		fail("memcg: the writer %d ended with status %#x", (int)pid, status);
}

/* ---- the operations and how often each runs ---- */

static const struct {
	void (*fn)(void);
	unsigned int weight;
} ops[NR_OPS] = {
	[OP_CREATE] = { op_create, 80 },
	[OP_OPEN] = { op_open, 40 },
	[OP_UNMAP_VIEW] = { op_unmap_view, 25 },
	[OP_FLUSH_VIEW] = { op_flush_view, 30 },
	[OP_QUERY_VIEW_PAGES] = { op_query_view_pages, 25 },
	[OP_QUERY] = { op_query, 35 },
	[OP_DUPLICATE] = { op_duplicate, 25 },
	[OP_QUERY_PAGES] = { op_query_pages, 25 },
	[OP_BAD_IOCTL] = { op_bad_ioctl, 10 },
	[OP_HANDLE_IO] = { op_handle_io, 25 },
	[OP_CLOSE] = { op_close, 60 },
	[OP_DUP] = { op_dup, 15 },
	[OP_MMAP] = { op_mmap, 80 },
	[OP_MUNMAP] = { op_munmap, 35 },
	[OP_MREMAP] = { op_mremap, 20 },
	[OP_MPROTECT] = { op_mprotect, 25 },
	[OP_MADVISE] = { op_madvise, 25 },
	[OP_MSYNC] = { op_msync, 25 },
	[OP_TOUCH] = { op_touch, 120 },
	[OP_MAP_FILES] = { op_map_files, 8 },
	[OP_FORK] = { op_fork, 5 },
	[OP_SEND] = { op_send, 15 },
	[OP_RECV] = { op_recv, 15 },
	[OP_FILE] = { op_file, 30 },
	[OP_PROC] = { op_proc, 4 },
	[OP_PLACEHOLDER] = { op_placeholder, 2 },
	[OP_DEVFD] = { op_devfd, 3 },
	[OP_MEMPOLICY] = { op_mempolicy, 12 },
	[OP_FILEIO] = { op_fileio, 30 },
	[OP_MEMCG] = { op_memcg, 2 },
	[OP_FAILING] = { op_failing, 2 },
	[OP_FAULT_AROUND] = { op_fault_around, 2 },
	[OP_LIMITS] = { op_limits, 2 },
};

static enum op pick_op(bool grandchild)
{
	int nh = count_handles(), nv = count_views(), i;
	unsigned int total = 0, r;

	/* Keep the table away from empty and from full. */
	if (nh < 2 && one_in(2))
		return one_in(3) ? OP_OPEN : OP_CREATE;
	if (nh >= MAX_HANDLES - 2 && one_in(2))
		return OP_CLOSE;
	if (nv >= MAX_VIEWS - 2 && one_in(2))
		return one_in(3) ? OP_UNMAP_VIEW : OP_MUNMAP;
	if (!nv && nh && one_in(3))
		return OP_MMAP;
	for (i = 0; i < NR_OPS; i++)
		total += ops[i].weight;
	for (;;) {
		r = rnd(total);
		for (i = 0; r >= ops[i].weight; i++)
			r -= ops[i].weight;
		/* A forked child of a worker forks no further. */
		if (!grandchild || i != OP_FORK)
			return i;
	}
}

/* ---- coverage (KCOV) ---- */

#define KCOV_WORDS	(256 << 10)
#define KCOV_PATH	"/sys/kernel/debug/kcov"

static int kcov_fds[MAX_THREADS];
static unsigned long *kcov_areas[MAX_THREADS];
static bool kcov_missing;

/* Called by each process before its threads start (and before dropping privileges). */
static void kcov_setup(int threads)
{
	int t, fd;

	for (t = 0; t < MAX_THREADS; t++) {
		/* A forked process inherits its parent's: not for its threads to use. */
		if (kcov_areas[t])
			munmap(kcov_areas[t], KCOV_WORDS * sizeof(unsigned long));
		if (kcov_fds[t] > 0)
			close(kcov_fds[t]);
		kcov_areas[t] = NULL;
		kcov_fds[t] = 0;
		if (!opt_cov || t >= threads)
			continue;
		fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			kcov_missing = true;
			continue;
		}
		if (ioctl(fd, KCOV_INIT_TRACE, (unsigned long)KCOV_WORDS)) {
			close(fd);
			kcov_missing = true;
			continue;
		}
		kcov_areas[t] = mmap(NULL, KCOV_WORDS * sizeof(unsigned long),
				     PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (kcov_areas[t] == MAP_FAILED) {
			kcov_areas[t] = NULL;
			close(fd);
			kcov_missing = true;
			continue;
		}
		kcov_fds[t] = fd;
	}
}

static u64 cov_hash(u64 pc)
{
	return (pc * 0x9e3779b97f4a7c15ULL) >> 40;
}

static void cov_add_shared(u64 pc)
{
	u64 h = cov_hash(pc), i, old;

	for (i = 0; i < COV_SLOTS; i++) {
		_Atomic u64 *s = &sh->cov[(h + i) & (COV_SLOTS - 1)];

		old = atomic_load(s);
		if (old == pc)
			return;
		if (!old) {
			if (atomic_compare_exchange_strong(s, &old, pc)) {
				atomic_fetch_add(&sh->cov_count, 1);
				return;
			}
			if (old == pc)
				return;
		}
	}
}

static void cov_add(u64 pc)
{
	u64 h = cov_hash(pc), i;

	/* This thread's own filter first: most PCs were seen before. */
	for (i = 0; i < 16; i++) {
		u64 *l = &cur->cov_local[(h + i) & (COV_LOCAL - 1)];

		if (*l == pc)
			return;
		if (!*l) {
			*l = pc;
			break;
		}
	}
	cov_add_shared(pc);
}

/*
 * The module's kworkers (lazy writer, control-area teardown) trace into
 * remote_area when they work for a control area this run made: the main
 * thread passes a common handle to KCOV_REMOTE_ENABLE before it makes any
 * thread or process, every task of the run inherits it, and the module
 * records it in each control area it makes (kcov_remote_start_common()).
 * The kernel appends each kworker's trace to remote_area; the supervisor
 * drains it.
 */
static unsigned long *remote_area;

static void kcov_remote_setup(void)
{
	struct kcov_remote_arg arg = {
		.trace_mode = KCOV_TRACE_PC,
		.area_size = KCOV_WORDS,
		.common_handle = kcov_remote_handle(KCOV_SUBSYSTEM_COMMON, (u32)getpid()),
	};
	int fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return;
	if (ioctl(fd, KCOV_INIT_TRACE, (unsigned long)KCOV_WORDS))
		goto out;
	p = mmap(NULL, KCOV_WORDS * sizeof(unsigned long), PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		goto out;
	if (ioctl(fd, KCOV_REMOTE_ENABLE, &arg)) {
		say("fuzz: coverage: KCOV_REMOTE_ENABLE: %s (kworkers not traced)\n",
		    strerror(errno));
		munmap(p, KCOV_WORDS * sizeof(unsigned long));
		goto out;
	}
	remote_area = p;
	return;		/* fd stays open: closing it would end the remote tracing */
out:
	close(fd);
}

static void kcov_remote_drain(void)
{
	unsigned long n, i;

	if (!remote_area)
		return;
	n = __atomic_load_n(&remote_area[0], __ATOMIC_ACQUIRE);
	if (n >= KCOV_WORDS)
		n = KCOV_WORDS - 1;
	for (i = 1; i <= n; i++)
		cov_add_shared(remote_area[i]);
	/* A trace appended meanwhile is lost or counted twice: coverage is a lower bound. */
	__atomic_store_n(&remote_area[0], 0, __ATOMIC_RELEASE);
}

static void kcov_begin(void)
{
	if (cur->kcov)
		__atomic_store_n(&cur->kcov[0], 0, __ATOMIC_RELAXED);
}

static void kcov_end(void)
{
	unsigned long n, i;

	if (!cur->kcov)
		return;
	n = __atomic_load_n(&cur->kcov[0], __ATOMIC_RELAXED);
	if (n >= KCOV_WORDS)
		n = KCOV_WORDS - 1;
	for (i = 1; i <= n; i++)
		cov_add(cur->kcov[i]);
}

/*
 * KCOV for a forked child that runs no operation of the table (op_memcg()):
 * its own area, drained into the shared set now and then, as the area
 * holds every PC in order, not each once. NULL without -c or KCOV.
 */
static unsigned long *child_kcov_start(void)
{
	unsigned long *area;
	int fd;

	if (!opt_cov)
		return NULL;
	fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	area = MAP_FAILED;
	if (!ioctl(fd, KCOV_INIT_TRACE, (unsigned long)KCOV_WORDS))
		area = mmap(NULL, KCOV_WORDS * sizeof(unsigned long), PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
	if (area == MAP_FAILED || ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		close(fd);
		return NULL;
	}
	/* The fd stays open (and enabled) until the child exits. */
	__atomic_store_n(&area[0], 0, __ATOMIC_RELAXED);
	return area;
}

static void child_kcov_drain(unsigned long *area)
{
	unsigned long n, i;

	if (!area)
		return;
	n = __atomic_load_n(&area[0], __ATOMIC_RELAXED);
	if (n >= KCOV_WORDS)
		n = KCOV_WORDS - 1;
	for (i = 1; i <= n; i++)
		cov_add_shared(area[i]);
	__atomic_store_n(&area[0], 0, __ATOMIC_RELAXED);
}

/* ---- threads and processes ---- */

static u32 my_gen;
static struct ctx ctxs[MAX_THREADS];
static pthread_t threads[MAX_THREADS];
static pthread_barrier_t start_line;

static void run_ops(u64 max, bool grandchild)
{
	enum op op;

	while (max-- && !atomic_load(&sh->stop)) {
		if (atomic_fetch_add(&sh->ops, 1) >= sh->ops_limit) {
			atomic_store(&sh->stop, 1);
			break;
		}
		op = pick_op(grandchild);
		cur->nops++;
		cur->recorded = false;
		if (!cur->proc && !cur->thread && cur->nops == 1 && getenv("SECTIONS_FUZZ_HANG")) {
			rec("hang (SECTIONS_FUZZ_HANG)");
			sleep(1000);
		}
		kcov_begin();
		ops[op].fn();
		kcov_end();
		/* One that found nothing to work on (no view to touch...) does not count. */
		if (cur->recorded)
			atomic_fetch_add(&sh->done[op], 1);
		else
			atomic_fetch_sub(&sh->ops, 1);
		atomic_store(&cur->slot->stamp, now_ns());
		if (opt_verbose > 1)
			say("fuzz: %d.%d: %.*s\n", cur->proc, cur->thread, REC_LEN,
			    cur->slot->rec[(atomic_load(&cur->slot->head) - 1) % RING]);
	}
}

/*
 * Everything a thread maps or allocates is made before any thread runs an
 * operation: a store through a stale view address (one another thread
 * just unmapped) can then only land in another view, never in the
 * fuzzer's own memory.
 */
static void thread_setup(int t)
{
	struct ctx *c = &ctxs[t];
	struct slot *s = &sh->slots[my_proc][t];
	char *p;

	memset(c, 0, sizeof(*c));
	c->proc = my_proc;
	c->thread = t;
	c->rng = derive_seed(sh->seed, my_proc, t, my_gen);
	c->slot = s;
	atomic_store(&s->head, 0);
	s->gen = my_gen;
	s->seed = c->rng;
	atomic_store(&s->pid, (int)getpid());
	atomic_store(&s->stamp, now_ns());
	atomic_store(&s->active, 1);
	p = mmap(NULL, SCR_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c->cov_local = calloc(COV_LOCAL, sizeof(u64));
	c->dev = open(DEV, O_RDWR | O_CLOEXEC);
	if (p == MAP_FAILED || !c->cov_local || c->dev < 0) {
		say("fuzz: thread setup failed: %s\n", strerror(errno));
		atomic_store(&sh->failed, 1);
		atomic_store(&sh->stop, 1);
		return;
	}
	c->scr = p;
	mprotect(p + SCR_RO * ps, ps, PROT_READ);
	mprotect(p + SCR_NONE * ps, ps, PROT_NONE);
	if (kcov_areas[t] && !ioctl(kcov_fds[t], KCOV_ENABLE, KCOV_TRACE_PC))
		c->kcov = kcov_areas[t];
	/*
	 * -F: one thread in four has the allocations made with the module's
	 * code on the stack fail now and then (the guest set up failslab and
	 * fail_page_alloc, task-filtered; scripts/guest-fault-inject -s).
	 */
	if (opt_fault && !(splitmix(&c->rng) % 4)) {
		int fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);

		c->faulty = fd >= 0 && write(fd, "1", 1) == 1;
		if (fd >= 0)
			close(fd);
	}
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;

	thread_setup(t);
	cur = &ctxs[t];
	pthread_barrier_wait(&start_line);
	if (cur->scr)
		run_ops(~0ULL, false);
	if (cur->kcov)
		ioctl(kcov_fds[t], KCOV_DISABLE, 0);
	if (cur->dev >= 0)
		close(cur->dev);
	atomic_store(&cur->slot->active, 0);
	return NULL;
}

/* Start this process's worker threads; they run once all are set up. */
static void start_workers(void)
{
	int t;

	pthread_barrier_init(&start_line, NULL, opt_threads + 1);
	for (t = 0; t < opt_threads; t++)
		if (pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t)) {
			say("fuzz: pthread_create: %s\n", strerror(errno));
			exit(2);
		}
	pthread_barrier_wait(&start_line);
}

static void join_workers(void)
{
	int t;

	for (t = 0; t < opt_threads; t++)
		pthread_join(threads[t], NULL);
}

static void drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		say("fuzz: cannot drop to uid 65534: %s\n", strerror(errno));
		_exit(2);
	}
	privileged = false;
}

/* A forked worker process: its own threads on its copy of the table. */
static void __attribute__((noreturn)) child_main(int proc, u32 gen)
{
	u64 s = derive_seed(sh->seed, proc, MAX_THREADS, gen);
	int t;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sh->main_pid)
		_exit(0);
	pthread_mutex_init(&tab.lock, NULL);
	forget_moving_views();
	my_proc = proc;
	my_gen = gen;
	/* The parent's threads' scratch pages and fds are not this process's threads'. */
	for (t = 0; t < MAX_THREADS; t++) {
		if (ctxs[t].scr)
			munmap(ctxs[t].scr, SCR_PAGES * ps);
		if (ctxs[t].dev > 0)
			close(ctxs[t].dev);
		free(ctxs[t].cov_local);
		memset(&ctxs[t], 0, sizeof(ctxs[t]));
	}
	kcov_setup(opt_threads);
	/* Some incarnations run as nobody: Global\ creates must then fail. */
	if (privileged && !(splitmix(&s) % 4))
		drop_to_nobody();
	if (opt_verbose)
		say("fuzz: process %d incarnation %u: pid %d%s\n", proc, gen, (int)getpid(),
		    privileged ? "" : ", uid 65534");
	start_workers();
	join_workers();
	_exit(0);
}

static u32 gens[MAX_PROCS];

static void spawn(int proc)
{
	pid_t pid;

	fflush(stdout);
	/* The table's lock is held across fork(), so the child's copy is whole. */
	lock();
	pid = fork();
	if (!pid)
		child_main(proc, ++gens[proc]);
	unlock();
	if (pid < 0) {
		say("fuzz: fork: %s\n", strerror(errno));
		return;
	}
	gens[proc]++;
	atomic_store(&sh->child[proc], pid);
}

static void dump_process(int proc)
{
	char who[64];
	int t;

	for (t = 0; t < opt_threads; t++) {
		snprintf(who, sizeof(who), "process %d thread %d (pid %d)", proc, t,
			 atomic_load(&sh->slots[proc][t].pid));
		dump_slot(&sh->slots[proc][t], who);
	}
}

/* A child process is gone; by_us: we killed it. */
static void reaped(int proc, pid_t pid, int status, bool by_us)
{
	int t;

	for (t = 0; t < MAX_THREADS; t++)
		atomic_store(&sh->slots[proc][t].active, 0);
	atomic_store(&sh->child[proc], 0);
	if ((WIFEXITED(status) && !WEXITSTATUS(status)) ||
	    (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && by_us))
		return;
	atomic_store(&sh->stop, 1);
	if (atomic_exchange(&sh->failed, 1)) {
		say("fuzz: process %d (pid %d) ended too (status %#x)\n", proc, (int)pid, status);
		return;
	}
	if (WIFSIGNALED(status))
		say("fuzz: FAIL: process %d (pid %d) died of signal %d (%s)\n", proc, (int)pid,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		say("fuzz: FAIL: process %d (pid %d) exited with status %d\n", proc, (int)pid,
		    WEXITSTATUS(status));
	say("fuzz: FAIL: seed %llu (-s %llu -p %d -j %d)\n", sh->seed, sh->seed, opt_procs,
	    opt_threads);
	dump_process(proc);
}

static void kill_children(void)
{
	int p;
	pid_t pid;

	for (p = 1; p < opt_procs; p++) {
		pid = atomic_load(&sh->child[p]);
		if (pid > 0)
			kill(pid, SIGKILL);
	}
}

/* No thread may go 60 s without finishing an operation. */
/*
 * For a hang: the kernel stack of every task not running (state D or S) of
 * the guest, from /proc/PID/task/TID/stack, and the blocked tasks on the
 * console (sysrq w). The fuzzer runs as root in its guest.
 */
static void dump_kernel_stacks(void)
{
	char path[600], buf[4096], state[512], *st;
	struct dirent *pe, *te;
	DIR *pd = opendir("/proc"), *td;
	ssize_t n;
	int fd;

	fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "w", 1) != 1)
			say("fuzz: sysrq w: %s\n", strerror(errno));
		close(fd);
	}
	while (pd && (pe = readdir(pd))) {
		if (pe->d_name[0] < '1' || pe->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pe->d_name);
		td = opendir(path);
		while (td && (te = readdir(td))) {
			if (te->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", pe->d_name, te->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			n = fd < 0 ? -1 : read(fd, state, sizeof(state) - 1);
			if (fd >= 0)
				close(fd);
			if (n <= 0)
				continue;
			state[n] = '\0';
			st = strrchr(state, ')');
			if (!st || st[1] != ' ' || st[2] != 'D')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stack", pe->d_name, te->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
			if (fd >= 0)
				close(fd);
			say("fuzz: task %s (%.*s) in D state, kernel stack:\n%.*s", te->d_name,
			    (int)(st - state), state, n > 0 ? (int)n : 0, buf);
		}
		if (td)
			closedir(td);
	}
	if (pd)
		closedir(pd);
}

static void *watchdog(void *unused)
{
	int p, t;
	int64_t now;

	for (;;) {
		sleep(1);
		now = now_ns();
		for (p = 0; p < opt_procs; p++)
			for (t = 0; t < opt_threads; t++) {
				struct slot *s = &sh->slots[p][t];

				if (!atomic_load(&s->active) || now - atomic_load(&s->stamp) < HANG_NS)
					continue;
				say("fuzz: FAIL: no progress for %lld s in process %d thread %d "
				    "(pid %d)\n", HANG_NS / 1000000000, p, t, atomic_load(&s->pid));
				say("fuzz: FAIL: seed %llu (-s %llu -p %d -j %d)\n", sh->seed,
				    sh->seed, opt_procs, opt_threads);
				atomic_store(&sh->failed, 1);
				atomic_store(&sh->stop, 1);
				for (p = 0; p < opt_procs; p++)
					dump_process(p);
				dump_kernel_stacks();
				kill_children();
				restore_params();
				_exit(1);
			}
	}
	return NULL;
}

/* Below a quarter of the RAM available, touches pause (and resume above a third). */
static void watch_memory(void)
{
	char buf[2048], *p;
	u64 total = 0, avail = 0;
	ssize_t n;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strstr(buf, "MemTotal:");
	if (p)
		total = strtoull(p + 9, NULL, 10);
	p = strstr(buf, "MemAvailable:");
	if (p)
		avail = strtoull(p + 13, NULL, 10);
	if (!total || !avail)
		return;
	if (!atomic_load(&sh->lowmem) && avail < total / 4) {
		atomic_store(&sh->lowmem, 1);
		atomic_fetch_add(&sh->lowmem_times, 1);
		if (opt_verbose)
			say("fuzz: %llu of %llu KiB available: touches paused\n", avail, total);
	} else if (atomic_load(&sh->lowmem) && avail > total / 3) {
		atomic_store(&sh->lowmem, 0);
	}
}

/* Runs in the first process's main thread while its workers run. */
static void supervise(int64_t start)
{
	u64 rng = derive_seed(sh->seed, MAX_PROCS, 0, 0);
	int64_t deadline = opt_secs ? start + opt_secs * 1000000000LL : 0, next = start;
	int p, status, tick = 0;
	pid_t pid;

	while (!atomic_load(&sh->stop)) {
		usleep(20000);
		if (!(tick++ % 25))
			watch_memory();
		kcov_remote_drain();
		if (deadline && now_ns() >= deadline)
			atomic_store(&sh->stop, 1);
		for (p = 1; p < opt_procs; p++) {
			pid = atomic_load(&sh->child[p]);
			if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
				reaped(p, pid, status, false);
				pid = 0;
			}
			if (pid <= 0 && !atomic_load(&sh->stop))
				spawn(p);
		}
		/* kill -9 of a random child, every 3 s or so; it is forked again above. */
		if (opt_procs > 1 && !(splitmix(&rng) % 150)) {
			p = 1 + splitmix(&rng) % (opt_procs - 1);
			pid = atomic_load(&sh->child[p]);
			if (pid > 0) {
				kill(pid, SIGKILL);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				reaped(p, pid, status, true);
			}
		}
		/*
		 * Progress: every 10 s with -v, else every 5 minutes, so that a long
		 * run shows its rate (and a run that slows down shows when).
		 */
		if (now_ns() >= next) {
			int64_t secs = (now_ns() - start) / 1000000000LL;
			u64 ops = atomic_load(&sh->ops);

			if (secs)
				say("fuzz: %llu operations in %lld s, %llu ops/s\n", ops,
				    (long long)secs, ops / secs);
			next += (opt_verbose ? 10 : 300) * 1000000000LL;
		}
	}
	for (p = 1; p < opt_procs; p++) {
		pid = atomic_load(&sh->child[p]);
		if (pid <= 0)
			continue;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		reaped(p, pid, status, false);
	}
}

/* ---- the end: coverage, cleanup ---- */

static u64 read_hex_file(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoull(buf, NULL, 16) : 0;
}

/* _text in /proc/kallsyms: KCOV records PCs less the kernel's KASLR offset. */
static u64 kernel_text(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256], type, name[200];
	unsigned long long addr, found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %199s", &addr, &type, name) == 3 && !strcmp(name, "_text")) {
			found = addr;
			break;
		}
	fclose(f);
	return found;
}

/* A value of the cgroup file @name ("key value" lines: @key's), or -1. */
static long long cgroup_value(const char *name, const char *key)
{
	char path[PATH_MAX], k[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", opt_cgroup, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!key) {
		if (fscanf(f, "%lld", &v) == 1)
			found = v;
	} else {
		while (fscanf(f, "%63s %lld", k, &v) == 2)
			if (!strcmp(k, key))
				found = v;
	}
	fclose(f);
	return found;
}

/* What the memcg writers and op_failing() met: the proof that they ran. */
static void print_memcg(void)
{
	if (atomic_load(&sh->failing_runs))
		say("fuzz: failing files: %llu made immutable or append-only under dirty pages, "
		    "%llu flushes refused meanwhile (EPERM)\n",
		    (u64)atomic_load(&sh->failing_runs), (u64)atomic_load(&sh->failing_refused));
	if (!opt_cgroup)
		return;
	say("fuzz: memcg: %llu writers in %s: memory.high %lld KiB, memory.peak %lld KiB, "
	    "%lld times over memory.high, %lld OOM kills\n",
	    (u64)atomic_load(&sh->memcg_writers), opt_cgroup,
	    cgroup_value("memory.high", NULL) / 1024, cgroup_value("memory.peak", NULL) / 1024,
	    cgroup_value("memory.events", "high"), cgroup_value("memory.events", "oom_kill"));
}

static void print_coverage(void)
{
	u64 i, n = 0, pc;

	if (!opt_cov)
		return;
	kcov_remote_drain();
	if (kcov_missing || !atomic_load(&sh->cov_count)) {
		out("fuzz: coverage: no KCOV (%s)%s: -c did nothing\n", KCOV_PATH,
		    kcov_missing ? " to open" : " recorded nothing");
		return;
	}
	out("kcov-text: 0x%llx\n", read_hex_file("/sys/module/sections/sections/.text"));
	out("kcov-kernel-text: 0x%llx\n", kernel_text());
	for (i = 0; i < COV_SLOTS; i++) {
		pc = atomic_load(&sh->cov[i]);
		if (pc) {
			out("kcov-pc: 0x%llx\n", pc);
			n++;
		}
	}
	out("fuzz: coverage: %llu distinct PCs, traced in the fuzzer's worker threads and memcg "
	    "writers%s (not in the workers' other forked children)\n", n,
	    remote_area ? " and the module's kworkers" : " only (not kworkers)");
}

static void print_counts(void)
{
	char buf[1024];
	size_t n = 0;
	int i;

	for (i = 0; i < NR_OPS && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, " %s %llu", op_names[i],
			      (u64)atomic_load(&sh->done[i]));
	say("fuzz: operations run:%s\n", buf);
}

static void close_everything(void)
{
	int i;

	for (i = 0; i < MAX_HANDLES; i++)
		if (tab.h[i].used)
			close(tab.h[i].fd);
	for (i = 0; i < MAX_VIEWS; i++)
		if (tab.v[i].used)
			munmap(tab.v[i].addr, tab.v[i].len);
	for (i = 0; i < MAX_FILES; i++)
		if (tab.f[i].used)
			close(tab.f[i].fd);
	memset(&tab.h, 0, sizeof(tab.h));
	memset(&tab.v, 0, sizeof(tab.v));
	memset(&tab.f, 0, sizeof(tab.f));
	close(mailbox[0]);
	close(mailbox[1]);
	/* The last write-backs must find room. */
	if (can_fill)
		unlink(filler);
}

/*
 * The module lets a backing file go from a workqueue once its last dirty
 * pages are written: until then the filesystem cannot be unmounted (the
 * README says so). Wait for the module's references to drop, so the
 * umount after the run sees a quiet filesystem.
 */
static void wait_module_idle(void)
{
	u64 refs = 0;
	int i;
	char buf[32];

	for (i = 0; i < 600; i++) {
		int fd = open("/sys/module/sections/refcnt", O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		refs = strtoull(buf, NULL, 10);
		if (!refs)
			return;
		usleep(100000);
	}
	say("fuzz: note: the module still has %llu references 60 s after the run\n", refs);
}

static void usage(void)
{
	say("usage: sections_fuzz [-n OPS] [-t SECONDS] [-j THREADS] [-p PROCS] [-d DIR] "
	    "[-s SEED] [-g CGROUP] [-c] [-v]\n"
	    "  -n OPS      operations in all (default 10000 unless -t)\n"
	    "  -t SECONDS  stop after that long (with -n: whichever comes first)\n"
	    "  -j THREADS  threads per process (default 4, at most %d)\n"
	    "  -p PROCS    processes, this one included (default 3, at most %d)\n"
	    "  -d DIR      directory for backing files (default /tmp/sections-fuzz)\n"
	    "  -s SEED     seed (default from the time; printed)\n"
	    "  -g CGROUP   a cgroup v2 directory (memory.high set) for writers to join\n"
	    "  -c          coverage with KCOV (kcov-pc: lines for scripts/run-fuzz)\n"
	    "  -F          a quarter of the threads run with make-it-fail (fault injection)\n"
	    "  -v          progress and processes; -vv every operation\n",
	    MAX_THREADS, MAX_PROCS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	char limit[64] = "";
	pthread_t wd;
	int64_t start, elapsed;
	u64 done;
	int c, fd;

	while ((c = getopt(argc, argv, "n:t:j:p:d:s:g:cFvh")) != -1) {
		switch (c) {
		case 'n':
			opt_ops = strtoull(optarg, NULL, 0);
			break;
		case 't':
			opt_secs = atoi(optarg);
			break;
		case 'j':
			opt_threads = atoi(optarg);
			break;
		case 'p':
			opt_procs = atoi(optarg);
			break;
		case 'd':
			opt_dir = optarg;
			break;
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seed_given = true;
			break;
		case 'g':
			opt_cgroup = optarg;
			break;
		case 'c':
			opt_cov = 1;
			break;
		case 'F':
			opt_fault = 1;
			break;
		case 'v':
			opt_verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt_threads < 1 || opt_threads > MAX_THREADS || opt_procs < 1 ||
	    opt_procs > MAX_PROCS || opt_secs < 0)
		usage();
	if (!opt_ops && !opt_secs)
		opt_ops = 10000;
	if (!seed_given)
		opt_seed = (u64)time(NULL) * 1000003 + getpid();
	ps = sysconf(_SC_PAGESIZE);
	privileged = !geteuid();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	tab.arena = mmap(NULL, ARENA_SLOTS * ARENA_SLOT, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sh == MAP_FAILED || tab.arena == MAP_FAILED ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, mailbox)) {
		say("fuzz: setup: %s\n", strerror(errno));
		return 2;
	}
	sh->seed = opt_seed;
	sh->ops_limit = opt_ops ? opt_ops : ~0ULL;
	sh->main_pid = getpid();
	fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say("fuzz: %s: %s (is the module loaded?)\n", DEV, strerror(errno));
		return 2;
	}
	close(fd);
	param_read(MAX_SECTIONS_PARAM, limit_sections, sizeof(limit_sections));
	param_read(MAX_NAMES_PARAM, limit_names, sizeof(limit_names));
	param_read(FAULT_AROUND_PARAM, fault_around_was, sizeof(fault_around_was));
	init_names();
	init_paths();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (opt_ops)
		snprintf(limit, sizeof(limit), "%llu operations", opt_ops);
	if (opt_secs)
		snprintf(limit + strlen(limit), sizeof(limit) - strlen(limit), "%s%d s",
			 opt_ops ? " or " : "", opt_secs);
	out("fuzz: seed %llu, %d processes x %d threads, %s, files in %s and %s%s\n", opt_seed,
	    opt_procs, opt_threads, limit, opt_dir, tmp_dir, opt_cov ? ", coverage" : "");
	start = now_ns();
	if (opt_cov)
		kcov_remote_setup();
	kcov_setup(opt_threads);
	if (pthread_create(&wd, NULL, watchdog, NULL)) {
		say("fuzz: pthread_create: %s\n", strerror(errno));
		return 2;
	}
	for (c = 1; c < opt_procs; c++)
		spawn(c);
	start_workers();
	supervise(start);
	join_workers();
	elapsed = now_ns() - start;
	done = atomic_load(&sh->ops);
	if (done > sh->ops_limit)
		done = sh->ops_limit;
	close_everything();
	/* The parameters as they were, for whatever runs next in this guest. */
	restore_params();
	if (opt_verbose)
		print_counts();
	wait_module_idle();
	print_coverage();
	print_memcg();
	if (atomic_load(&sh->lowmem_times))
		say("fuzz: note: memory ran low %llu times; touches paused meanwhile\n",
		    (u64)atomic_load(&sh->lowmem_times));
	if (atomic_load(&sh->failed)) {
		out("fuzz: FAILED after %llu operations, seed %llu\n", done, opt_seed);
		return 1;
	}
	out("fuzz: %llu operations, %.0f ops/s, seed %llu\n", done,
	    done / (elapsed / 1e9 > 0 ? elapsed / 1e9 : 1), opt_seed);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Races: threads that create, open, duplicate, map and close one named
 * section at the same time, and threads that map and unmap views of one
 * section while others query it. Each loop stops after its iterations or
 * its time budget, whichever comes first, so a slow emulated guest stays
 * well inside the harness timeout.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>

#include "sections_test.h"

#define THREADS		4
#define ITERATIONS	2000
#define BUDGET_NS	(5ULL * 1000 * 1000 * 1000)
#define MIN_ITERATIONS	20

struct race {
	int dev;
	int handle;		/* for the view race */
	long ps;
	char name[64];
	unsigned long long deadline;
	pthread_barrier_t start;
	/* per thread results */
	unsigned int done[THREADS];
	unsigned int enoent[THREADS];
	unsigned int failures[THREADS];
	char first_failure[THREADS][160];
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct worker {
	struct race *race;
	int id;
};

static void fail(struct race *r, int id, const char *what, unsigned int iter)
{
	if (!r->failures[id]++)
		snprintf(r->first_failure[id], sizeof(r->first_failure[id]),
			 "thread %d iteration %u: %s: %s", id, iter, what, strerror(errno));
}

/* Map the first page, write this thread's slot, read it back, unmap. */
static int use_handle(struct race *r, int id, int h, unsigned int iter, bool ioctl_unmap)
{
	volatile unsigned int *slot;
	char *p;

	p = sec_map(h, r->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED) {
		fail(r, id, "mmap", iter);
		return -1;
	}
	slot = (volatile unsigned int *)(p + 64 * id);
	*slot = iter;
	if (*slot != iter) {
		errno = 0;
		fail(r, id, "slot changed under us", iter);
	}
	if (ioctl_unmap ? sec_unmap_view(r->dev, p) : munmap(p, r->ps)) {
		fail(r, id, "unmap", iter);
		return -1;
	}
	return 0;
}

static void *names_worker(void *arg)
{
	struct worker *w = arg;
	struct race *r = w->race;
	int id = w->id;
	unsigned int i;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < ITERATIONS && now_ns() < r->deadline; i++) {
		__u32 result = POISON32;
		int h, d;

		switch (id) {
		case 0:
		case 1:
			/* create-or-open */
			h = sec_create(r->dev, r->ps, r->name, SECTIONS_PAGE_READWRITE, 0, &result);
			if (h < 0) {
				fail(r, id, "create", i);
				continue;
			}
			if (result != 0 && result != SECTIONS_CREATE_EXISTED) {
				errno = 0;
				fail(r, id, "create result", i);
			}
			use_handle(r, id, h, i, false);
			close(h);
			break;
		case 2:
			/* open, which may find nothing */
			h = sec_open(r->dev, r->name, SECTIONS_ACCESS_MAP_READ |
				     SECTIONS_ACCESS_MAP_WRITE | SECTIONS_ACCESS_QUERY);
			if (h < 0) {
				if (errno == ENOENT)
					r->enoent[id]++;
				else
					fail(r, id, "open", i);
				continue;
			}
			if (sec_query_field(h, handles) < 1) {
				errno = 0;
				fail(r, id, "handles < 1", i);
			}
			use_handle(r, id, h, i, false);
			close(h);
			break;
		default:
			/* create, duplicate, close the original, use the duplicate */
			h = sec_create(r->dev, r->ps, r->name, SECTIONS_PAGE_READWRITE, 0, &result);
			if (h < 0) {
				fail(r, id, "create", i);
				continue;
			}
			d = sec_dup(h, 0, SECTIONS_DUP_SAME_ACCESS);
			if (d < 0)
				fail(r, id, "duplicate", i);
			close(h);
			if (d >= 0) {
				use_handle(r, id, d, i, true);
				close(d);
			}
			break;
		}
	}
	r->done[id] = i;
	return NULL;
}

static void *views_worker(void *arg)
{
	struct worker *w = arg;
	struct race *r = w->race;
	int id = w->id;
	unsigned int i;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < ITERATIONS && now_ns() < r->deadline; i++) {
		struct sections_page_info pi[4];
		struct sections_info info;
		pid_t pid;
		char *p;

		switch (id) {
		case 0:
		case 1:
			/* map, touch every page, unmap by munmap or by the ioctl */
			p = sec_map(r->handle, 4 * r->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
			if (p == MAP_FAILED) {
				fail(r, id, "mmap", i);
				continue;
			}
			touch_write(p + (i % 4) * r->ps, id);
			touch_read(p + ((i + 1) % 4) * r->ps);
			if (id ? sec_unmap_view(r->dev, p) : munmap(p, 4 * r->ps))
				fail(r, id, "unmap", i);
			break;
		case 2:
			/* query while the others map and unmap */
			if (sec_query(r->handle, &info))
				fail(r, id, "query", i);
			/* two mappers, and a fork child's copies of their views and its own */
			else if (info.views > 5 || info.handles != 1) {
				errno = 0;
				fail(r, id, "query counts out of range", i);
			}
			poison_pages(pi, 4);
			if (sec_query_pages(r->handle, 0, 4, pi))
				fail(r, id, "query pages", i);
			else if (pi[i % 4].share_count > 5) {
				errno = 0;
				fail(r, id, "share count out of range", i);
			}
			break;
		default:
			/* a child that inherits nothing mapped, maps, touches and exits */
			if (i % 8)
				continue;
			pid = fork();
			if (pid == 0) {
				p = sec_map(r->handle, 4 * r->ps, PROT_READ, MAP_SHARED, 0);
				if (p == MAP_FAILED)
					_exit(1);
				touch_read(p);
				_exit(0);
			}
			if (wait_child(pid)) {
				errno = 0;
				fail(r, id, "child", i);
			}
			break;
		}
	}
	r->done[id] = i;
	return NULL;
}

FIXTURE(race) {
	struct race *r;
	unsigned long taint;
};

FIXTURE_SETUP(race)
{
	struct race *r;

	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	self->r = r;
	r->ps = page_size();
	r->dev = sections_open_dev();
	ASSERT_LE(0, r->dev) TH_LOG("open %s: %s", SECTIONS_DEV, strerror(errno));
	uniq_name(r->name, sizeof(r->name), "race");
	r->handle = -1;
	ASSERT_EQ(0, pthread_barrier_init(&r->start, NULL, THREADS));
	self->taint = kernel_taint();
}

FIXTURE_TEARDOWN(race)
{
	/* A kernel WARN or oops during the race fails it, even if user space saw nothing. */
	if (!self->taint)
		EXPECT_EQ(0, kernel_taint()) TH_LOG("the kernel got tainted (WARN/oops): see dmesg");
	close(self->r->dev);
	free(self->r);
}

static void run_workers(struct race *r, void *(*fn)(void *))
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int i;

	r->deadline = now_ns() + BUDGET_NS;
	for (i = 0; i < THREADS; i++) {
		w[i].race = r;
		w[i].id = i;
		if (pthread_create(&t[i], NULL, fn, &w[i]))
			abort();
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

TEST_F_TIMEOUT(race, create_open_close, 60)
{
	struct race *r = self->r;
	int i;

	run_workers(r, names_worker);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, r->failures[i]) TH_LOG("%u failures; first: %s", r->failures[i],
						    r->first_failure[i]);
		EXPECT_LE(MIN_ITERATIONS, r->done[i]) TH_LOG("thread %d did %u", i, r->done[i]);
	}
	TH_LOG("iterations %u %u %u %u, open found nothing %u times",
	       r->done[0], r->done[1], r->done[2], r->done[3], r->enoent[2]);

	/* Every handle is closed: the name is gone. */
	EXPECT_EQ(ENOENT, sec_open_errno(r->dev, r->name));
}

TEST_F_TIMEOUT(race, map_unmap_query, 60)
{
	struct sections_page_info pi[5];
	struct race *r = self->r;
	int i;

	r->handle = sec_create(r->dev, 4 * r->ps, NULL, SECTIONS_PAGE_READWRITE, 0, NULL);
	ASSERT_LE(0, r->handle);
	run_workers(r, views_worker);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, r->failures[i]) TH_LOG("%u failures; first: %s", r->failures[i],
						    r->first_failure[i]);
		EXPECT_LE(i == 3 ? MIN_ITERATIONS / 8 : MIN_ITERATIONS, r->done[i])
			TH_LOG("thread %d did %u", i, r->done[i]);
	}
	TH_LOG("iterations %u %u %u %u", r->done[0], r->done[1], r->done[2], r->done[3]);

	/* Nothing maps the section any more. */
	EXPECT_EQ(0, sec_query_field(r->handle, views));
	poison_pages(pi, 5);
	ASSERT_EQ(0, sec_query_pages(r->handle, 0, 4, pi));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, pi[i].share_count) TH_LOG("page %d", i);
		EXPECT_TRUE(pi[i].flags & SECTIONS_PAGE_RESIDENT) TH_LOG("page %d", i);
	}
	close(r->handle);
}

/* Processes (not threads) racing on one name: each is its own mm and files table. */
TEST_F_TIMEOUT(race, processes, 60)
{
	struct race *r = self->r;
	pid_t pids[THREADS];
	int i;

	r->deadline = now_ns() + BUDGET_NS / 2;
	for (i = 0; i < THREADS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			unsigned int n;

			for (n = 0; n < ITERATIONS && now_ns() < r->deadline; n++) {
				int h = sec_create(r->dev, r->ps, r->name,
						   SECTIONS_PAGE_READWRITE, 0, NULL);

				CHILD_CHECK(h >= 0);
				if (use_handle(r, i, h, n, n & 1) || r->failures[i]) {
					fprintf(stderr, "# %s\n", r->first_failure[i]);
					_exit(1);
				}
				close(h);
			}
			CHILD_CHECK(n >= MIN_ITERATIONS);
			_exit(0);
		}
	}
	for (i = 0; i < THREADS; i++)
		EXPECT_EQ(0, wait_child(pids[i])) TH_LOG("process %d", i);
	EXPECT_EQ(ENOENT, sec_open_errno(r->dev, r->name));
}

/*
 * The last close of a name against create and open of the same name, with
 * nothing else in the loop so that the name comes and goes as often as
 * possible: half the processes create-or-open, the others open.
 */
TEST_F_TIMEOUT(race, last_close_vs_open, 60)
{
	struct race *r = self->r;
	pid_t pids[THREADS];
	int i;

	r->deadline = now_ns() + BUDGET_NS / 2;
	for (i = 0; i < THREADS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			unsigned int n, opened = 0;

			for (n = 0; n < 50 * ITERATIONS && now_ns() < r->deadline; n++) {
				__u32 result = POISON32;
				int h;

				if (i & 1) {
					h = sec_open(r->dev, r->name, SECTIONS_ACCESS_QUERY);
					if (h < 0) {
						CHILD_CHECK(errno == ENOENT);
						continue;
					}
				} else {
					h = sec_create(r->dev, r->ps, r->name, SECTIONS_PAGE_READWRITE,
						       0, &result);
					CHILD_CHECK(h >= 0);
					CHILD_CHECK(result == 0 || result == SECTIONS_CREATE_EXISTED);
				}
				opened++;
				CHILD_CHECK(sec_query_field(h, handles) >= 1);
				CHILD_CHECK(close(h) == 0);
			}
			CHILD_CHECK(n >= MIN_ITERATIONS);
			/* The openers must have met the section at least once. */
			CHILD_CHECK(opened > 0);
			_exit(0);
		}
	}
	for (i = 0; i < THREADS; i++)
		EXPECT_EQ(0, wait_child(pids[i])) TH_LOG("process %d", i);
	EXPECT_EQ(ENOENT, sec_open_errno(r->dev, r->name));
}

TEST_HARNESS_MAIN

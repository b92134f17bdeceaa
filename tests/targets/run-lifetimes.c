/* SPDX-License-Identifier: ISC */
/*
 * Blocks that live chosen times, for run-lifetimes.test, timed by the
 * program's own clock (CLOCK_MONOTONIC). memscope stamps an allocation
 * inside the call, after the real malloc returned, and a free inside the
 * call, before the real free; so its lifetime of a block lies between the
 * "inner" interval, from right after malloc returned to right before free
 * (or realloc) was called, and the "outer" one, from right before malloc
 * to right after free returned. Each block is aimed at the log-middle of a
 * decade bucket of memscope's lifetimes ([0,1us), [1,10us), ... [1,10s),
 * [10s,60s), [60s,inf)), so that both intervals fall in that bucket: then
 * the block is "certain" there, else "ambiguous" (the machine was slow, or
 * the calls took longer than the bucket allows).
 *
 * One function (noinline) per site, one allocating call in each:
 *   lt_instant   200 blocks freed as soon as they are made    (< 1 us)
 *   lt_busy       20 blocks held ~30 us, busy-waiting         (10-100 us)
 *   lt_sleep      10 blocks held ~3 ms, nanosleep             (1-10 ms)
 *   lt_long        2 blocks held ~300 ms, nanosleep           (0.1-1 s)
 *   lt_realloc     1 block of 16 bytes that realloc moves to 1 MiB after
 *                  ~3 ms: it ended then, taken by realloc     (1-10 ms)
 *   lt_grow        the realloc of lt_realloc: its new block, live at exit
 *   lt_live        3 blocks live at exit
 * (lt_grow and lt_live: no block ended.)
 *
 * usage: run-lifetimes FACTS-FILE
 * Writes, per site NAME (its function lt_NAME) and for all of them (NAME
 * "all"), lines "NAME.KEY VALUE":
 *   NAME.ended N        blocks that ended (freed, or taken by realloc)
 *   NAME.ambiguous N    of them, those whose intervals' buckets differ
 *   NAME.certain [..]   per bucket, the blocks whose inner and outer
 *                       intervals both fall in it (a JSON array of 10)
 *   NAME.inner [..]     per bucket, the blocks whose inner interval does
 *   NAME.outer [..]     per bucket, the blocks whose outer interval does
 * and "sites N" first: how many sites there are.
 */
#define _GNU_SOURCE

#include <time.h>

#include "run-target.h"

#define NBUCKETS	10
#define NOINLINE	__attribute__((noinline, noclone))

/* The upper bounds of memscope's buckets, in ns; the last has none. */
static const uint64_t bucket_max[NBUCKETS - 1] = {
	1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000ull, 60000000000ull,
};

struct site {
	const char	*name;
	uint64_t	 ended, ambiguous;
	uint64_t	 certain[NBUCKETS], inner[NBUCKETS], outer[NBUCKETS];
};

enum { INSTANT, BUSY, SLEEP, LONG, REALLOC, GROW, LIVE, NSITES };

static struct site sites[NSITES] = {
	[INSTANT] = { .name = "instant" }, [BUSY] = { .name = "busy" },
	[SLEEP] = { .name = "sleep" }, [LONG] = { .name = "long" },
	[REALLOC] = { .name = "realloc" }, [GROW] = { .name = "grow" },
	[LIVE] = { .name = "live" },
};

/* blocks live at exit, reachable */
static void *volatile kept[8];
static int nkept;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		run_die("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
bucket(uint64_t ns)
{
	int i = 0;

	while (i < NBUCKETS - 1 && ns >= bucket_max[i])
		i++;
	return i;
}

/* A block of site s ended; t0 before its malloc, t1 after, t2 before its
 * free (or realloc), t3 after. */
static void
ended(struct site *s, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3)
{
	int in = bucket(t2 - t1), out = bucket(t3 - t0);

	s->ended++;
	s->inner[in]++;
	s->outer[out]++;
	if (in == out)
		s->certain[in]++;
	else
		s->ambiguous++;
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
	    .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR)
			run_die("nanosleep");
}

static void *
checked(void *p)
{
	if (p == NULL)
		run_die("malloc");
	return keep(p);
}

static void NOINLINE
lt_instant(struct site *s, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t t0, t1, t2, t3;
		void *p;

		t0 = now_ns();
		p = malloc(32);
		t1 = now_ns();
		checked(p);
		t2 = now_ns();
		free(p);
		t3 = now_ns();
		ended(s, t0, t1, t2, t3);
	}
}

static void NOINLINE
lt_busy(struct site *s, int n, uint64_t hold)
{
	for (int i = 0; i < n; i++) {
		uint64_t t0, t1, t2, t3;
		void *p;

		t0 = now_ns();
		p = malloc(48);
		t1 = now_ns();
		checked(p);
		while ((t2 = now_ns()) - t1 < hold)
			;
		free(p);
		t3 = now_ns();
		ended(s, t0, t1, t2, t3);
	}
}

static void NOINLINE
lt_sleep(struct site *s, int n, uint64_t hold)
{
	for (int i = 0; i < n; i++) {
		uint64_t t0, t1, t2, t3;
		void *p;

		t0 = now_ns();
		p = malloc(64);
		t1 = now_ns();
		checked(p);
		sleep_ns(hold);
		t2 = now_ns();
		free(p);
		t3 = now_ns();
		ended(s, t0, t1, t2, t3);
	}
}

/* n blocks (n <= 4) made together, held, freed together */
static void NOINLINE
lt_long(struct site *s, int n, uint64_t hold)
{
	uint64_t t0[4], t1[4];
	void *p[4];

	for (int i = 0; i < n; i++) {
		t0[i] = now_ns();
		p[i] = malloc(80);
		t1[i] = now_ns();
		checked(p[i]);
	}
	sleep_ns(hold);
	for (int i = 0; i < n; i++) {
		uint64_t t2, t3;

		t2 = now_ns();
		free(p[i]);
		t3 = now_ns();
		ended(s, t0[i], t1[i], t2, t3);
	}
}

/* the realloc's own site: its new block is lt_grow's */
static void *NOINLINE
lt_grow(void *p, size_t n)
{
	void *q = realloc(p, n);

	return checked(q);
}

static void NOINLINE
lt_realloc(struct site *s, uint64_t hold)
{
	uint64_t t0, t1, t2, t3;
	void *p, *q;

	t0 = now_ns();
	p = malloc(16);
	t1 = now_ns();
	checked(p);
	sleep_ns(hold);
	t2 = now_ns();
	/* 1 MiB, beyond glibc's mmap threshold: a block of its own, moved */
	q = lt_grow(p, 1 << 20);
	t3 = now_ns();
	if (q == p)
		run_die("realloc did not move the block");
	ended(s, t0, t1, t2, t3);
	kept[nkept++] = q;
}

static void NOINLINE
lt_live(int n)
{
	for (int i = 0; i < n; i++)
		kept[nkept++] = checked(malloc(96));
}

/* "NAME.KEY [v0,v1,...]" */
static void
facts_array(int fd, const char *name, const char *key, const uint64_t *v)
{
	char buf[512];
	size_t len = 0;
	int n;

	n = snprintf(buf, sizeof(buf), "%s.%s [", name, key);
	if (n < 0 || (size_t)n >= sizeof(buf))
		run_die("snprintf");
	len = (size_t)n;
	for (int i = 0; i < NBUCKETS; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "%s%llu",
		    i == 0 ? "" : ",", (unsigned long long)v[i]);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			run_die("snprintf");
		len += (size_t)n;
	}
	if (len + 2 > sizeof(buf))
		run_die("snprintf");
	buf[len++] = ']';
	buf[len++] = '\n';
	facts_write(fd, buf, len);
}

static void
facts_site(int fd, const struct site *s)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%s.", s->name);
	facts_u64(fd, prefix, "ended", s->ended);
	facts_u64(fd, prefix, "ambiguous", s->ambiguous);
	facts_array(fd, s->name, "certain", s->certain);
	facts_array(fd, s->name, "inner", s->inner);
	facts_array(fd, s->name, "outer", s->outer);
}

int
main(int argc, char **argv)
{
	struct site all = { .name = "all" };
	int fd;

	fd = facts_open(argc, argv);
	lt_instant(&sites[INSTANT], 200);
	lt_busy(&sites[BUSY], 20, 30000);
	lt_sleep(&sites[SLEEP], 10, 3000000);
	lt_realloc(&sites[REALLOC], 3000000);
	lt_long(&sites[LONG], 2, 300000000);
	lt_live(3);

	facts_u64(fd, "", "sites", NSITES);
	for (int k = 0; k < NSITES; k++) {
		const struct site *s = &sites[k];

		all.ended += s->ended;
		all.ambiguous += s->ambiguous;
		for (int i = 0; i < NBUCKETS; i++) {
			all.certain[i] += s->certain[i];
			all.inner[i] += s->inner[i];
			all.outer[i] += s->outer[i];
		}
		facts_site(fd, s);
	}
	facts_site(fd, &all);
	close(fd);
	return 0;
}

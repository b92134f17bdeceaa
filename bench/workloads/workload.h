/* SPDX-License-Identifier: ISC */
/*
 * workload.h: what the allocation workloads of `make bench` share: a
 * seeded generator, so every run does the same work, the parsing of an
 * optional count on the command line, and the go signal and hold of
 * bench/attach.sh (opt-in, through the environment).
 */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* splitmix64: small, fast and good enough to pick sizes and slots. */
struct rng {
	uint64_t	state;
};

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0; the modulo bias is irrelevant here. */
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/*
 * A block size between 8 B and 64 KiB, skewed small the way real programs
 * are: most blocks are a few dozen bytes, a few are large.
 */
static inline size_t
rng_block_size(struct rng *r)
{
	uint64_t p = rng_below(r, 100);

	if (p < 60)
		return 8 + (size_t)rng_below(r, 121);		/* 8-128 */
	if (p < 90)
		return 129 + (size_t)rng_below(r, 896);	/* 129-1024 */
	if (p < 98)
		return 1025 + (size_t)rng_below(r, 7168);	/* 1K-8K */
	return 8193 + (size_t)rng_below(r, 57344);	/* 8K-64K */
}

/* argv[i] as a positive count, or def when absent; exits 2 on junk. */
static inline long
workload_count(int argc, char **argv, int i, long def, const char *name)
{
	char *end;
	long v;

	if (argc <= i)
		return def;
	errno = 0;
	v = strtol(argv[i], &end, 10);
	if (errno != 0 || end == argv[i] || *end != '\0' || v < 1) {
		fprintf(stderr, "%s: '%s' is not a positive count\n", name,
		    argv[i]);
		exit(2);
	}
	return v;
}

/* malloc or exit 1: a workload that ran out of memory measured nothing. */
static inline void *
workload_alloc(size_t size, const char *name)
{
	void *p = malloc(size);

	if (p == NULL) {
		fprintf(stderr, "%s: out of memory (%zu bytes)\n", name, size);
		exit(1);
	}
	return p;
}

/*
 * With BENCH_GO naming a fifo, wait for one byte on it before any work:
 * bench/attach.sh starts the process, attaches a tool to it while it
 * idles here, then says go. The fifo is opened read-write, which never
 * blocks (a process blocked in open(2) is a poor moment to attach), and
 * stays open until exit: its last reader going away tells the driver
 * (bench/attach-time) that the process is over, whoever its parent is.
 * Without BENCH_GO, nothing: the workload starts at once.
 */
static inline void
workload_wait_go(const char *name)
{
	const char *path = getenv("BENCH_GO");
	ssize_t n;
	char c;
	int fd;

	if (path == NULL || *path == '\0')
		return;
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: BENCH_GO %s: %s\n", name, path,
		    strerror(errno));
		exit(1);
	}
	do
		n = read(fd, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1) {
		fprintf(stderr, "%s: BENCH_GO %s: no go byte\n", name, path);
		exit(1);
	}
	/* fd stays open on purpose: see above */
}

/*
 * With BENCH_HOLD set (non-empty), the work done, write "ready" on stdout
 * (write(2): a stdio buffer would be one more live block) and idle until a
 * signal ends the process, so that its heap can be looked at while it
 * lives (bench/attach.sh runs `memscope leaks` on it). Without it,
 * nothing: the workload goes on to exit.
 */
static inline void
workload_hold(void)
{
	static const char ready[] = "ready\n";
	const char *hold = getenv("BENCH_HOLD");

	if (hold == NULL || *hold == '\0')
		return;
	if (write(STDOUT_FILENO, ready, sizeof(ready) - 1) !=
	    (ssize_t)sizeof(ready) - 1)
		exit(1);
	for (;;)
		pause();
}

#endif

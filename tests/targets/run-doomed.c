/* SPDX-License-Identifier: ISC */
/*
 * A program killed at a random moment while it allocates, for
 * run-kill-target.test: what memscope saw must be what the program had
 * done, to the call.
 *
 * usage: run-doomed FACTS-FILE COUNTERS-FILE
 * Maps COUNTERS-FILE (created, one page) shared, so that what it holds
 * outlives the program; writes "pid PID" and "ready" to FACTS-FILE; then
 * allocates until it is killed: a slot out of 1024, chosen by a fixed
 * pseudo-random sequence, has its block, if any, freed, and gets a new one
 * of 1 to 1000 bytes.
 *
 * COUNTERS-FILE holds struct doomed (below, native byte order, 64-bit
 * fields): two copies of the figures and the index of the current one,
 * flipped by one store once the other copy holds the figures after a call
 * (a kill between two stores must not leave figures half updated); and the
 * call under way, if any, and its size, written before the call and
 * cleared after the flip. A kill during a call leaves that call counted
 * by memscope or not: memscope's figures are then the current copy's, or
 * those plus the call under way.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "run-target.h"

#define NSLOTS 1024

struct counts {
	uint64_t	allocations;
	uint64_t	frees;
	uint64_t	bytes_allocated;
	uint64_t	live_bytes;
	uint64_t	live_blocks;
	uint64_t	peak_live_bytes;
	uint64_t	peak_live_blocks;
	uint64_t	pad;
};

/* The layout the test reads with od: 8-byte fields in this order. */
struct doomed {
	volatile uint64_t	current;	/* 0 or 1 */
	volatile uint64_t	call;		/* 0 none, 1 malloc, 2 free */
	volatile uint64_t	size;		/* of the call under way */
	volatile uint64_t	pad;
	struct counts		copy[2];
};

static struct doomed *d;

/* The figures after a call: into the other copy, then made current. */
static void
commit(const struct counts *c)
{
	uint64_t next = d->current ^ 1;

	d->copy[next] = *c;
	__asm__ volatile("" : : : "memory");
	d->current = next;
	__asm__ volatile("" : : : "memory");
	d->call = 0;
}

int
main(int argc, char **argv)
{
	static void *slot[NSLOTS];
	static size_t len[NSLOTS];
	struct counts c;
	uint32_t rng = 2463534242u;
	size_t s, n;
	int fd, cfd;

	fd = facts_open(argc, argv);
	if (argc != 3)
		run_die("usage: run-doomed FACTS-FILE COUNTERS-FILE");
	if ((cfd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		run_die(argv[2]);
	if (ftruncate(cfd, 4096) != 0)
		run_die("ftruncate");
	d = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
	if (d == MAP_FAILED)
		run_die("mmap");
	close(cfd);
	memset(&c, 0, sizeof(c));
	facts_u64(fd, "", "pid", (uint64_t)getpid());
	facts_write(fd, "ready\n", 6);
	close(fd);

	for (;;) {
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		s = rng % NSLOTS;
		if (slot[s] != NULL) {
			d->size = len[s];
			d->call = 2;
			__asm__ volatile("" : : : "memory");
			free(slot[s]);
			slot[s] = NULL;
			c.frees++;
			c.live_bytes -= len[s];
			c.live_blocks--;
			commit(&c);
		}
		n = 1 + rng / NSLOTS % 1000;
		d->size = n;
		d->call = 1;
		__asm__ volatile("" : : : "memory");
		if ((slot[s] = keep(malloc(n))) == NULL)
			run_die("malloc");
		len[s] = n;
		c.allocations++;
		c.bytes_allocated += n;
		c.live_bytes += n;
		c.live_blocks++;
		if (c.live_bytes > c.peak_live_bytes)
			c.peak_live_bytes = c.live_bytes;
		if (c.live_blocks > c.peak_live_blocks)
			c.peak_live_blocks = c.live_blocks;
		commit(&c);
	}
}

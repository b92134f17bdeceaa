/*
 * The ordering rule under stress: four threads allocate blocks of the same
 * three sizes (16, 32, 64) in a tight loop and swap them into shared slots,
 * freeing the block each swap takes out, which another thread made. A
 * batch of frees overflows a thread's tcache, so freed blocks go back to
 * the bins of the arena that made them, where their maker picks them up
 * again at once: an address freed in one thread is handed out in another
 * while the first is still returning from free(). memscope must never see
 * such an address allocated twice or freed before it was allocated.
 *
 * Counts are exact (ITER allocations per thread, all freed, the last ones
 * by main); the peaks depend on the interleaving and are given as bounds.
 * The target also counts the allocations that returned an address last
 * freed by another thread (from a tag written into each block before it is
 * freed), to show that the race was run.
 *
 * usage: run-race FACTS-FILE ITER
 * With ITER 0 the threads are made and joined but allocate nothing, for
 * the test to measure what glibc allocates for them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>

#include "run-target.h"

#define NTHREADS	4
#define NSLOTS		64
#define BATCH		16
#define TAG_OFFSET	16	/* past tcache's next and key, inside 24 usable bytes */
#define TAG_MAGIC	0x6d730000u

static const size_t sizes[] = { 16, 32, 64 };

struct racer {
	pthread_t	thread;
	unsigned	id;
	uint64_t	allocations, frees, bytes, cross;
};

static struct racer racers[NTHREADS];
static _Atomic(void *) slots[NSLOTS];
static pthread_barrier_t start;
static unsigned long iters;

static void *
race(void *arg)
{
	struct racer *r = arg;
	void *batch[BATCH], *old;
	volatile uint32_t *tag;
	uint32_t rng = 2463534242u + r->id * 7919u;
	unsigned long i;
	size_t b, n, size;

	pthread_barrier_wait(&start);
	for (i = 0; i < iters; i += n) {
		n = iters - i < BATCH ? iters - i : BATCH;
		for (b = 0; b < n; b++) {
			size = sizes[(i + b + r->id) % 3];
			if ((batch[b] = malloc(size)) == NULL)
				run_die("malloc");
			r->allocations++;
			r->bytes += size;
			tag = (volatile uint32_t *)((char *)batch[b] + TAG_OFFSET);
			if ((*tag & 0xffff0000u) == TAG_MAGIC && (*tag & 0xffffu) != r->id)
				r->cross++;
			*tag = 0;
		}
		for (b = 0; b < n; b++) {
			rng ^= rng << 13;
			rng ^= rng >> 17;
			rng ^= rng << 5;
			old = atomic_exchange(&slots[rng % NSLOTS], batch[b]);
			if (old != NULL) {
				*(volatile uint32_t *)((char *)old + TAG_OFFSET) = TAG_MAGIC | r->id;
				free(old);
				r->frees++;
			}
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	uint64_t allocations = 0, frees = 0, bytes = 0, cross = 0, left = 0;
	unsigned i;
	void *p;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 3)
		run_die("usage: run-race FACTS-FILE ITER");
	iters = arg_ulong(argv[2]);
	if (pthread_barrier_init(&start, NULL, NTHREADS + 1) != 0)
		run_die("pthread_barrier_init");
	for (i = 0; i < NTHREADS; i++) {
		racers[i].id = i;
		if ((errno = pthread_create(&racers[i].thread, NULL, race, &racers[i])) != 0)
			run_die("pthread_create");
	}
	pthread_barrier_wait(&start);
	for (i = 0; i < NTHREADS; i++)
		if ((errno = pthread_join(racers[i].thread, NULL)) != 0)
			run_die("pthread_join");
	for (i = 0; i < NTHREADS; i++) {
		allocations += racers[i].allocations;
		frees += racers[i].frees;
		bytes += racers[i].bytes;
		cross += racers[i].cross;
	}
	for (i = 0; i < NSLOTS; i++)
		if ((p = atomic_exchange(&slots[i], NULL)) != NULL) {
			free(p);
			frees++;
			left++;
		}

	facts_u64(fd, "", "allocations", allocations);
	facts_u64(fd, "", "frees", frees);
	facts_u64(fd, "", "reallocs", 0);
	facts_u64(fd, "", "bytes_allocated", bytes);
	facts_u64(fd, "", "live_bytes_at_exit", 0);
	facts_u64(fd, "", "live_blocks_at_exit", 0);
	facts_u64(fd, "", "mmaps", 0);
	facts_u64(fd, "", "munmaps", 0);
	/* at the end `left` blocks were live at once; at most every slot and
	 * every thread's batch, of the largest size, can be */
	facts_u64(fd, "", "peak_live_blocks_min", left);
	facts_u64(fd, "", "peak_live_blocks_max", NSLOTS + NTHREADS * BATCH);
	facts_u64(fd, "", "peak_live_bytes_min", left * sizes[0]);
	facts_u64(fd, "", "peak_live_bytes_max", (NSLOTS + NTHREADS * BATCH) * sizes[2]);
	facts_u64(fd, "", "cross_thread_reuses", cross);
	close(fd);
	return 0;
}

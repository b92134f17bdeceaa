/* SPDX-License-Identifier: ISC */
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
 * With SIGNAL_US, a timer sends SIGALRM every SIGNAL_US microseconds to
 * the threads that race (main blocks it), and its handler mallocs a block
 * of HSIZE bytes, writes it and frees it: a signal that comes while the
 * shim is at work for the thread makes it record the handler's calls in
 * the middle of its own (see run-sigalloc.c for why this is safe with
 * glibc: each thread's tcache holds a block of HSIZE, put there before the
 * timer starts, that the handler takes and gives back). The handler's
 * calls are counted in the figures (signals_handled).
 *
 * usage: run-race FACTS-FILE ITER [THREADS [MS [SIGNAL_US]]]
 * With ITER 0 the threads are made and joined but allocate nothing, for
 * the test to measure what glibc allocates for them. THREADS (4 by
 * default, at most 256) threads share 16 slots each; with MS, each thread
 * stops at the end of a batch once MS milliseconds have passed (or after
 * ITER allocations, whichever comes first), for a churn of a given length.
 * Each block carries the number of the thread that made it, so that the
 * frees of a block made by another thread are counted too
 * (cross_thread_frees).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <time.h>

#include "run-target.h"

#define MAXTHREADS	256
#define SLOTS_PER_THREAD 16
#define NSLOTS		(SLOTS_PER_THREAD * MAXTHREADS)
#define BATCH		16
#define MAKER_OFFSET	0	/* the maker, while the block is live */
#define TAG_OFFSET	16	/* past tcache's next and key, inside 24 usable bytes */
#define TAG_MAGIC	0x6d730000u
#define HSIZE		1000	/* the signal handler's blocks */

static const size_t sizes[] = { 16, 32, 64 };

struct racer {
	pthread_t	thread;
	unsigned	id;
	uint64_t	allocations, frees, bytes, cross, cross_frees;
};

static struct racer racers[MAXTHREADS];
static _Atomic(void *) slots[NSLOTS];
static pthread_barrier_t start;
static unsigned long iters;
static unsigned nthreads = 4, nslots = SLOTS_PER_THREAD * 4;
static atomic_int stop;
static unsigned long signal_us;
static atomic_ulong handled;

static void
on_alarm(int sig)
{
	int saved = errno;
	volatile char *p = malloc(HSIZE);

	(void)sig;
	if (p == NULL)
		run_die("malloc in the handler");
	p[0] = 1;
	p[HSIZE - 1] = 2;
	free((void *)p);
	atomic_fetch_add(&handled, 1);
	errno = saved;
}

/*
 * The thread's tcache gets the handler's block, then its signals come
 * (how is SIG_UNBLOCK or SIG_BLOCK). They stop before the thread ends:
 * glibc then empties the tcache into the arena under the arena's lock, and
 * a handler's malloc would wait for that lock forever.
 */
static void
signals_to_thread(struct racer *r, int how)
{
	sigset_t alrm;

	if (how == SIG_UNBLOCK) {
		free(keep(malloc(HSIZE)));
		r->allocations++;
		r->frees++;
		r->bytes += HSIZE;
	}
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(how, &alrm, NULL);
}

static void *
race(void *arg)
{
	struct racer *r = arg;
	void *batch[BATCH], *old;
	volatile uint32_t *tag;
	uint32_t rng = 2463534242u + r->id * 7919u;
	unsigned long i;
	size_t b, n, size;

	if (signal_us > 0)
		signals_to_thread(r, SIG_UNBLOCK);
	pthread_barrier_wait(&start);
	for (i = 0; i < iters && !atomic_load_explicit(&stop, memory_order_relaxed); i += n) {
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
			*(volatile uint32_t *)((char *)batch[b] + MAKER_OFFSET) = r->id;
		}
		for (b = 0; b < n; b++) {
			rng ^= rng << 13;
			rng ^= rng >> 17;
			rng ^= rng << 5;
			old = atomic_exchange(&slots[rng % nslots], batch[b]);
			if (old != NULL) {
				if (*(volatile uint32_t *)((char *)old + MAKER_OFFSET) != r->id)
					r->cross_frees++;
				*(volatile uint32_t *)((char *)old + TAG_OFFSET) = TAG_MAGIC | r->id;
				free(old);
				r->frees++;
			}
		}
	}
	if (signal_us > 0)
		signals_to_thread(r, SIG_BLOCK);
	return NULL;
}

int
main(int argc, char **argv)
{
	uint64_t allocations = 0, frees = 0, bytes = 0, cross = 0, cross_frees = 0;
	uint64_t left = 0, hbytes;
	struct timespec span = { 0, 0 };
	struct itimerval timer = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	sigset_t alrm;
	unsigned long ms = 0;
	unsigned i;
	void *p;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 3 || argc > 6)
		run_die("usage: run-race FACTS-FILE ITER [THREADS [MS [SIGNAL_US]]]");
	iters = arg_ulong(argv[2]);
	if (argc > 3) {
		nthreads = (unsigned)arg_ulong(argv[3]);
		if (nthreads < 1 || nthreads > MAXTHREADS)
			run_die("THREADS must be 1 to 256");
		nslots = SLOTS_PER_THREAD * nthreads;
	}
	if (argc > 4) {
		ms = arg_ulong(argv[4]);
		span.tv_sec = (time_t)(ms / 1000);
		span.tv_nsec = (long)(ms % 1000) * 1000000L;
	}
	if (argc > 5 && (signal_us = arg_ulong(argv[5])) > 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigemptyset(&alrm);
		sigaddset(&alrm, SIGALRM);
		/* the racers unblock it once ready; main never takes it */
		if (sigaction(SIGALRM, &sa, NULL) != 0 ||
		    pthread_sigmask(SIG_BLOCK, &alrm, NULL) != 0)
			run_die("sigaction");
		timer.it_value.tv_sec = timer.it_interval.tv_sec = (time_t)(signal_us / 1000000);
		timer.it_value.tv_usec = timer.it_interval.tv_usec = (suseconds_t)(signal_us % 1000000);
	}
	if (pthread_barrier_init(&start, NULL, nthreads + 1) != 0)
		run_die("pthread_barrier_init");
	for (i = 0; i < nthreads; i++) {
		racers[i].id = i;
		if ((errno = pthread_create(&racers[i].thread, NULL, race, &racers[i])) != 0)
			run_die("pthread_create");
	}
	pthread_barrier_wait(&start);
	if (signal_us > 0 && setitimer(ITIMER_REAL, &timer, NULL) != 0)
		run_die("setitimer");
	if (ms > 0) {
		while (nanosleep(&span, &span) == -1 && errno == EINTR)
			;
		atomic_store(&stop, 1);
	}
	for (i = 0; i < nthreads; i++)
		if ((errno = pthread_join(racers[i].thread, NULL)) != 0)
			run_die("pthread_join");
	/* no racer is left to take a signal: none is handled from here on */
	memset(&timer, 0, sizeof(timer));
	if (signal_us > 0 && setitimer(ITIMER_REAL, &timer, NULL) != 0)
		run_die("setitimer");
	allocations += handled;
	frees += handled;
	bytes += handled * HSIZE;
	for (i = 0; i < nthreads; i++) {
		allocations += racers[i].allocations;
		frees += racers[i].frees;
		bytes += racers[i].bytes;
		cross += racers[i].cross;
		cross_frees += racers[i].cross_frees;
	}
	for (i = 0; i < nslots; i++)
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
	 * every thread's batch, of the largest size, can be, and with signals
	 * a block of the handler's in each thread */
	hbytes = signal_us > 0 ? HSIZE : 0;
	facts_u64(fd, "", "peak_live_blocks_min", left);
	facts_u64(fd, "", "peak_live_blocks_max", nslots + nthreads * BATCH +
	    (signal_us > 0 ? nthreads : 0));
	facts_u64(fd, "", "peak_live_bytes_min", left * sizes[0]);
	facts_u64(fd, "", "peak_live_bytes_max", (nslots + nthreads * BATCH) * sizes[2] +
	    nthreads * hbytes);
	facts_u64(fd, "", "signals_handled", handled);
	facts_u64(fd, "", "cross_thread_reuses", cross);
	facts_u64(fd, "", "cross_thread_frees", cross_frees);
	facts_u64(fd, "", "threads", nthreads);
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * mt-churn: malloc/free churn in N threads, a quarter of the frees done by
 * another thread than the one that allocated.
 *
 *	mt-churn THREADS [STEPS]
 *
 * STEPS (the total, split evenly) as in churn: each thread keeps its own
 * working set and replaces a random block at each step, but one block in
 * four it replaces is handed to another thread, which frees it: the
 * producer-consumer pattern that makes a malloc (and a tracker) deal with
 * frees of blocks from another thread's arena. Hand-overs go in batches
 * through a mutex-protected queue per thread; with one thread the queue is
 * its own, so the work per step is the same at any thread count. Fixed
 * seeds: each thread makes the same calls in every run, only the
 * interleaving varies. Prints a checksum.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define SLOTS		4096		/* per thread */
#define BATCH		64		/* blocks handed over at once */
#define DRAIN_EVERY	256		/* steps between two drains */
#define MAX_THREADS	64
#define DEF_STEPS	20000000L

/* The blocks other threads handed to this one, to be freed by it. */
struct queue {
	pthread_mutex_t	  lock;
	void		**v;
	size_t		  len, cap;
};

struct worker {
	pthread_t	  thread;
	int		  id;
	long		  steps;
	unsigned long	  sum;
	struct queue	  in;
	struct queue	  spare;		/* the array not in use by in */
	void		 *out[MAX_THREADS][BATCH];	/* batches being filled */
	int		  nout[MAX_THREADS];
} __attribute__((aligned(64)));

static struct worker *workers;
static int nthreads;

static void
queue_push(struct queue *q, void **v, int n)
{
	pthread_mutex_lock(&q->lock);
	if (q->len + (size_t)n > q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 1024;
		void **nv;

		while (cap < q->len + (size_t)n)
			cap *= 2;
		if ((nv = realloc(q->v, cap * sizeof(*nv))) == NULL) {
			fputs("mt-churn: out of memory\n", stderr);
			exit(1);
		}
		q->v = nv;
		q->cap = cap;
	}
	memcpy(q->v + q->len, v, (size_t)n * sizeof(*v));
	q->len += (size_t)n;
	pthread_mutex_unlock(&q->lock);
}

/*
 * Frees what others handed over. The lock is held only to swap the queue's
 * array with the caller's spare one, not while freeing.
 */
static unsigned long
queue_drain(struct queue *q, struct queue *spare)
{
	unsigned long sum = 0;
	void **v;
	size_t n, cap;

	pthread_mutex_lock(&q->lock);
	v = q->v;
	n = q->len;
	cap = q->cap;
	q->v = spare->v;
	q->cap = spare->cap;
	q->len = 0;
	pthread_mutex_unlock(&q->lock);
	for (size_t i = 0; i < n; i++) {
		sum += *(unsigned char *)v[i];
		free(v[i]);
	}
	spare->v = v;
	spare->cap = cap;
	return sum;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rng r = { 1000 + (uint64_t)w->id };
	unsigned char **slot;

	slot = calloc(SLOTS, sizeof(*slot));
	if (slot == NULL) {
		fputs("mt-churn: out of memory\n", stderr);
		exit(1);
	}
	for (long i = 0; i < w->steps; i++) {
		size_t k = (size_t)rng_below(&r, SLOTS);
		size_t size = rng_block_size(&r);
		unsigned char *p;

		if (slot[k] != NULL) {
			if (rng_below(&r, 4) == 0) {
				int to = nthreads == 1 ? 0 : (w->id + 1 +
				    (int)rng_below(&r,
				    (uint64_t)nthreads - 1)) % nthreads;

				w->out[to][w->nout[to]++] = slot[k];
				if (w->nout[to] == BATCH) {
					queue_push(&workers[to].in,
					    w->out[to], BATCH);
					w->nout[to] = 0;
				}
			} else {
				w->sum += slot[k][0];
				free(slot[k]);
			}
		}
		p = workload_alloc(size, "mt-churn");
		memset(p, (int)(i & 0xff), size < 64 ? size : 64);
		p[size - 1] = 1;
		slot[k] = p;
		if (i % DRAIN_EVERY == 0)
			w->sum += queue_drain(&w->in, &w->spare);
	}
	for (int to = 0; to < nthreads; to++)
		if (w->nout[to] > 0)
			queue_push(&workers[to].in, w->out[to], w->nout[to]);
	for (size_t k = 0; k < SLOTS; k++)
		free(slot[k]);
	free(slot);
	w->sum += queue_drain(&w->in, &w->spare);
	return NULL;
}

int
main(int argc, char **argv)
{
	unsigned long sum = 0;
	long steps;
	int err;

	if (argc < 2) {
		fputs("usage: mt-churn THREADS [STEPS]\n", stderr);
		return 2;
	}
	nthreads = (int)workload_count(argc, argv, 1, 1, "mt-churn");
	if (nthreads > MAX_THREADS) {
		fprintf(stderr, "mt-churn: at most %d threads\n", MAX_THREADS);
		return 2;
	}
	steps = workload_count(argc, argv, 2, DEF_STEPS, "mt-churn");
	workload_wait_go("mt-churn");
	if (posix_memalign((void **)&workers, 64,
	    (size_t)nthreads * sizeof(*workers)) != 0) {
		fputs("mt-churn: out of memory\n", stderr);
		return 1;
	}
	memset(workers, 0, (size_t)nthreads * sizeof(*workers));
	for (int t = 0; t < nthreads; t++) {
		workers[t].id = t;
		workers[t].steps = steps / nthreads;
		pthread_mutex_init(&workers[t].in.lock, NULL);
	}
	for (int t = 0; t < nthreads; t++)
		if ((err = pthread_create(&workers[t].thread, NULL,
		    worker_main, &workers[t])) != 0) {
			fprintf(stderr, "mt-churn: pthread_create: %s\n",
			    strerror(err));
			return 1;
		}
	for (int t = 0; t < nthreads; t++)
		pthread_join(workers[t].thread, NULL);
	/* Blocks handed to a thread after its last drain. */
	for (int t = 0; t < nthreads; t++) {
		sum += workers[t].sum +
		    queue_drain(&workers[t].in, &workers[t].spare);
		free(workers[t].in.v);
		free(workers[t].spare.v);
	}
	free(workers);
	printf("mt-churn: %d threads, %ld steps, checksum %lu\n", nthreads,
	    steps / nthreads * nthreads, sum);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * Four threads allocate, resize and free blocks of known sizes, and pass
 * blocks to one another through queues, so that a block made by one thread
 * is freed by another. The figures are exact whatever the interleaving:
 *
 *   phase A  each thread only allocates and grows: its own blocks, and
 *            blocks for its neighbour (thread i+1), queued to it;
 *   phase B  each thread only frees: what its neighbour queued to it
 *            (made by another thread), and half of its own blocks;
 *   phase C  each thread, ROUNDS times, allocates and frees two blocks of
 *            its own and sends one block to its neighbour through a queue
 *            of at most QCAP blocks, freeing those it receives.
 *
 * Barriers separate the phases, so the live bytes and blocks peak at the
 * end of phase A (the target checks that phase C cannot reach that peak).
 * The other half of each thread's own blocks stays live at exit.
 *
 * usage: run-threads FACTS-FILE ROUNDS [idle]
 * With "idle" the threads are made and joined but allocate nothing: what
 * the process then allocates is glibc's own (a DTV per thread, made by
 * pthread_create in the main thread, before any thread starts), for the
 * test to add to these figures.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "run-target.h"

#define NTHREADS	4
#define NOWN		64	/* blocks a thread makes for itself in phase A */
#define NSEND		32	/* blocks it makes for its neighbour in phase A */
#define QCAP		8	/* blocks a queue holds in phase C */
/*
 * What one thread can hold at once in phase C: two blocks of its own, and
 * the blocks in or around its outgoing queue (QCAP queued, one being
 * pushed, one popped by the neighbour and not yet freed).
 */
#define C_BYTES		((64 + 6 * 8) + 256 + (QCAP + 2) * (48 + 7 * 16))
#define C_BLOCKS	(2 + QCAP + 2)

/* A bounded queue of blocks from thread i-1 to thread i. */
struct queue {
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	void		*block[NSEND > QCAP ? NSEND : QCAP];
	size_t		size[NSEND > QCAP ? NSEND : QCAP];
	unsigned	head, count, cap;
};

struct worker {
	pthread_t	thread;
	unsigned	id;
	struct book	bk;
	uint64_t	live_after_a_bytes, live_after_a_blocks;
	uint64_t	live_after_b_bytes, live_after_b_blocks;
	void		*own[NOWN];
	size_t		own_size[NOWN];
};

static struct worker workers[NTHREADS];
static struct queue queues[NTHREADS];
static pthread_barrier_t start, phase;
static unsigned long rounds;
static int idle;

static void
queue_init(struct queue *q, unsigned cap)
{
	if (pthread_mutex_init(&q->lock, NULL) != 0 || pthread_cond_init(&q->cond, NULL) != 0)
		run_die("queue_init");
	q->head = q->count = 0;
	q->cap = cap;
}

static void
queue_push(struct queue *q, void *p, size_t n)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap)
		pthread_cond_wait(&q->cond, &q->lock);
	q->block[(q->head + q->count) % q->cap] = p;
	q->size[(q->head + q->count) % q->cap] = n;
	q->count++;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static void *
queue_pop(struct queue *q, size_t *n)
{
	void *p;

	pthread_mutex_lock(&q->lock);
	while (q->count == 0)
		pthread_cond_wait(&q->cond, &q->lock);
	p = q->block[q->head];
	*n = q->size[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return p;
}

static void *
xmalloc_b(struct book *bk, size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		run_die("malloc");
	book_alloc(bk, n);
	return keep(p);
}

static void
xfree_b(struct book *bk, void *p, size_t n)
{
	free(p);
	book_free(bk, n);
}

static void
phase_wait(void)
{
	int r = pthread_barrier_wait(&phase);

	if (r != 0 && r != PTHREAD_BARRIER_SERIAL_THREAD)
		run_die("pthread_barrier_wait");
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct book *bk = &w->bk;
	struct queue *in = &queues[w->id], *out = &queues[(w->id + 1) % NTHREADS];
	unsigned k;
	unsigned long r;
	void *p, *q;
	size_t n;

	pthread_barrier_wait(&start);
	if (idle) {
		phase_wait();
		phase_wait();
		return NULL;
	}

	/* A: allocations and growing reallocs only */
	for (k = 0; k < NOWN; k++) {
		n = 24 + 8 * (k % 16) + w->id;
		if (k % 8 == 7) {
			if ((p = calloc(k + 1, 4)) == NULL)
				run_die("calloc");
			book_alloc(bk, (k + 1) * 4);
			n = (k + 1) * 4;
			keep(p);
		} else
			p = xmalloc_b(bk, n);
		if (k % 4 == 0) {
			if ((p = realloc(p, 2 * n + 100)) == NULL)
				run_die("realloc");
			book_realloc(bk, n, 2 * n + 100);
			n = 2 * n + 100;
			keep(p);
		}
		w->own[k] = p;
		w->own_size[k] = n;
	}
	for (k = 0; k < NSEND; k++) {
		n = 200 + 16 * k + w->id;
		queue_push(out, xmalloc_b(bk, n), n);
	}
	w->live_after_a_bytes = bk->live_bytes;
	w->live_after_a_blocks = bk->live_blocks;
	phase_wait();

	/* B: frees only: the neighbour's blocks, then half of ours */
	for (k = 0; k < NSEND; k++) {
		p = queue_pop(in, &n);
		xfree_b(bk, p, n);
	}
	for (k = 0; k < NOWN; k += 2)
		xfree_b(bk, w->own[k], w->own_size[k]);
	w->live_after_b_bytes = bk->live_bytes;
	w->live_after_b_blocks = bk->live_blocks;
	/* the queue is empty and nobody pushes before the barrier */
	pthread_mutex_lock(&in->lock);
	in->head = 0;
	in->cap = QCAP;
	pthread_mutex_unlock(&in->lock);
	phase_wait();

	/* C: churn, and one block a round across threads */
	for (r = 0; r < rounds; r++) {
		p = xmalloc_b(bk, 64 + 8 * (r % 7));
		q = xmalloc_b(bk, 256);
		xfree_b(bk, p, 64 + 8 * (r % 7));
		n = 48 + 16 * (r % 8);
		queue_push(out, xmalloc_b(bk, n), n);
		xfree_b(bk, q, 256);
		p = queue_pop(in, &n);
		xfree_b(bk, p, n);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct book total;
	uint64_t peak_bytes = 0, peak_blocks = 0, after_b_bytes = 0, after_b_blocks = 0;
	unsigned i;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 3)
		run_die("usage: run-threads FACTS-FILE ROUNDS [idle]");
	rounds = arg_ulong(argv[2]);
	idle = argc > 3 && strcmp(argv[3], "idle") == 0;

	if (pthread_barrier_init(&start, NULL, NTHREADS + 1) != 0 ||
	    pthread_barrier_init(&phase, NULL, NTHREADS) != 0)
		run_die("pthread_barrier_init");
	for (i = 0; i < NTHREADS; i++)
		queue_init(&queues[i], NSEND);
	/* every thread made before any starts: glibc's DTVs come first */
	for (i = 0; i < NTHREADS; i++) {
		workers[i].id = i;
		if ((errno = pthread_create(&workers[i].thread, NULL, work, &workers[i])) != 0)
			run_die("pthread_create");
	}
	pthread_barrier_wait(&start);
	for (i = 0; i < NTHREADS; i++)
		if ((errno = pthread_join(workers[i].thread, NULL)) != 0)
			run_die("pthread_join");

	memset(&total, 0, sizeof(total));
	for (i = 0; i < NTHREADS; i++) {
		book_add(&total, &workers[i].bk);
		peak_bytes += workers[i].live_after_a_bytes;
		peak_blocks += workers[i].live_after_a_blocks;
		after_b_bytes += workers[i].live_after_b_bytes;
		after_b_blocks += workers[i].live_after_b_blocks;
	}
	/* the peak is the end of phase A only if phase C stays below it */
	if (!idle && (after_b_bytes + NTHREADS * C_BYTES >= peak_bytes ||
	    after_b_blocks + NTHREADS * C_BLOCKS >= peak_blocks))
		run_die("phase C could reach the peak of phase A");
	total.peak_live_bytes = peak_bytes;
	total.peak_live_blocks = peak_blocks;
	facts_book(fd, "", &total);
	close(fd);
	return 0;
}

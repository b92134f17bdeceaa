/* SPDX-License-Identifier: ISC */
/*
 * Threads that allocate and free as fast as they can, for memscope attach
 * on a busy process (tests/run-attach-busy.test): its entries are patched
 * and put back while threads are in and out of the allocator all the time.
 *
 * usage: attach-busy THREADS
 *   Starts THREADS threads, writes "ready" on stdout, and runs until
 *   SIGTERM; then writes "end ok" (or "end corrupt" when a thread found a
 *   block that was not as it left it) and exits 0 (1 when corrupt). Each
 *   thread allocates a block, fills it, checks it and frees it, in turn
 *   through malloc and free and through pointers to them saved at the
 *   start, so that at most one block of a thread is live at a time.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "run-target.h"

#define MAX_THREADS	16

static atomic_bool stopping;
static atomic_bool corrupt;
static void *(*volatile saved_malloc)(size_t);
static void (*volatile saved_free)(void *);

static void *
work(void *arg)
{
	unsigned char seed = (unsigned char)(uintptr_t)arg;

	for (unsigned long i = 0; !atomic_load_explicit(&stopping,
	    memory_order_relaxed); i++) {
		size_t n = 16 + i % 200;
		unsigned char *p = i & 1 ? saved_malloc(n) : malloc(n);

		if (p == NULL)
			run_die("malloc");
		memset(p, seed, n);
		for (size_t k = 0; k < n; k++)
			if (p[k] != seed)
				atomic_store(&corrupt, true);
		if (i & 2)
			saved_free(p);
		else
			free(p);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const char ready[] = "ready\n", ok[] = "end ok\n",
	    bad[] = "end corrupt\n";
	pthread_t threads[MAX_THREADS];
	unsigned long n;
	sigset_t set;
	int sig;

	if (argc != 2 || (n = arg_ulong(argv[1])) == 0 || n > MAX_THREADS) {
		static const char usage[] = "usage: attach-busy THREADS (1 to 16)\n";

		(void)!write(STDERR_FILENO, usage, sizeof(usage) - 1);
		return 99;
	}
	saved_malloc = malloc;
	saved_free = free;
	/* SIGTERM waited for in main only */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (unsigned long i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, work, (void *)(uintptr_t)(i + 1)) != 0)
			run_die("pthread_create");
	facts_write(STDOUT_FILENO, ready, sizeof(ready) - 1);
	if (sigwait(&set, &sig) != 0)
		run_die("sigwait");
	atomic_store(&stopping, true);
	for (unsigned long i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	if (atomic_load(&corrupt)) {
		facts_write(STDOUT_FILENO, bad, sizeof(bad) - 1);
		return 1;
	}
	facts_write(STDOUT_FILENO, ok, sizeof(ok) - 1);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * signal-storm: four threads churn malloc and free while an interval
 * timer sends the process SIGALRM every 100 microseconds (up to 10,000 a
 * second), counted by a handler of the program's own.
 *
 *	signal-storm [STEPS]
 *
 * STEPS (the total, split over the four threads; default 4,000,000) as in
 * churn. What it measures: whether a signal costs the program more under
 * memscope than natively (a tracer would stop the receiving thread at
 * every one). Fixed seeds: the same calls in every run. Prints a checksum.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "workload.h"

#define THREADS		4
#define SLOTS		1024
#define DEF_STEPS	4000000L

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

struct worker {
	pthread_t	 thread;
	long		 steps;
	uint64_t	 seed;
	uint64_t	 sum;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct rng r = { w->seed };
	void *slot[SLOTS] = { 0 };

	for (long i = 0; i < w->steps; i++) {
		uint64_t x = rng_next(&r);
		size_t k = (size_t)(x % SLOTS), size = 16 + (size_t)(x >> 32) % 512;

		free(slot[k]);
		slot[k] = malloc(size);
		((unsigned char *)slot[k])[0] = (unsigned char)i;
		w->sum += size;
	}
	for (size_t k = 0; k < SLOTS; k++)
		free(slot[k]);
	return NULL;
}

int
main(int argc, char **argv)
{
	long steps = workload_count(argc, argv, 1, DEF_STEPS, "signal-storm");
	struct worker w[THREADS];
	struct sigaction sa;
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, off = { { 0, 0 }, { 0, 0 } };
	uint64_t sum = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	for (int t = 0; t < THREADS; t++) {
		w[t] = (struct worker){ .steps = steps / THREADS, .seed = 1000u + (uint64_t)t };
		pthread_create(&w[t].thread, NULL, work, &w[t]);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(w[t].thread, NULL);
		sum += w[t].sum;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	printf("%llu\n", (unsigned long long)sum);
	fprintf(stderr, "signal-storm: %ld alarms\n", (long)alarms);
	return 0;
}

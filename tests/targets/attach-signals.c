/* SPDX-License-Identifier: ISC */
/*
 * A process that counts the real-time signals it is sent while memscope
 * attach stops it again and again (tests/run-attach-signals.test): every
 * signal sent must be received, none lost in a stop.
 *
 * usage: attach-signals THREADS
 *   Starts THREADS threads that allocate and free without a pause, writes
 *   "ready" on stdout and counts SIGRTMIN in a handler; at SIGUSR1 every
 *   thread stops allocating; at SIGUSR2 waits half a second (the signals
 *   still queued are delivered), writes "received N" and exits 0.
 * usage: attach-signals --send PID
 *   Queues SIGRTMIN to PID (again when the queue is full) until SIGTERM;
 *   then writes "sent N" and exits 0.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "run-target.h"

#define MAX_THREADS	16

static atomic_ulong received;
static volatile sig_atomic_t done;
static atomic_bool quiet;

static void
on_rt(int sig)
{
	(void)sig;
	atomic_fetch_add(&received, 1);
}

static void
on_quiet(int sig)
{
	(void)sig;
	atomic_store(&quiet, true);
}

/* Allocate and free once, or, once quiet, sleep a millisecond. */
static void
churn(unsigned long i)
{
	if (atomic_load_explicit(&quiet, memory_order_relaxed))
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	else
		free(malloc(16 + i % 200));
}

static void
on_done(int sig)
{
	(void)sig;
	done = 1;
}

static void *
work(void *arg)
{
	(void)arg;
	for (unsigned long i = 0;; i++)
		churn(i);
	return NULL;
}

static int
send_until_term(pid_t pid)
{
	struct sigaction sa = { .sa_handler = on_done };
	union sigval v = { 0 };
	unsigned long sent = 0;
	char line[64];
	int n;

	sigaction(SIGTERM, &sa, NULL);
	while (!done) {
		if (sigqueue(pid, SIGRTMIN, v) == 0)
			sent++;
		else if (errno != EAGAIN)
			run_die("sigqueue");
	}
	n = snprintf(line, sizeof(line), "sent %lu\n", sent);
	facts_write(STDOUT_FILENO, line, (size_t)n);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char ready[] = "ready\n";
	struct sigaction sa = { .sa_handler = on_rt };
	struct timespec pause = { 0, 500000000 };
	pthread_t thread;
	unsigned long n;
	char line[64];
	int len;

	if (argc == 3 && strcmp(argv[1], "--send") == 0)
		return send_until_term((pid_t)arg_ulong(argv[2]));
	if (argc != 2 || (n = arg_ulong(argv[1])) == 0 || n > MAX_THREADS) {
		static const char usage[] = "usage: attach-signals THREADS (1 to "
		    "16) | --send PID\n";

		(void)!write(STDERR_FILENO, usage, sizeof(usage) - 1);
		return 99;
	}
	sigaction(SIGRTMIN, &sa, NULL);
	sa.sa_handler = on_quiet;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_done;
	sigaction(SIGUSR2, &sa, NULL);
	for (unsigned long i = 0; i < n; i++)
		if (pthread_create(&thread, NULL, work, NULL) != 0)
			run_die("pthread_create");
	facts_write(STDOUT_FILENO, ready, sizeof(ready) - 1);
	for (unsigned long i = 0; !done; i++)
		churn(i);
	while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
		;
	len = snprintf(line, sizeof(line), "received %lu\n",
	    atomic_load(&received));
	facts_write(STDOUT_FILENO, line, (size_t)len);
	return 0;
}

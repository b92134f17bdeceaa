/* SPDX-License-Identifier: ISC */
/*
 * A program with a known heap for the dashboard's test (tests/tui.test),
 * watched by `memscope top` or run by `memscope run --tui`.
 *
 * usage: tui-heap FACTS-FILE STOP-FILE STATUS
 *   Starts two threads that sleep (three in all), makes 1000 blocks of
 *   1000 bytes in hold_known_blocks() and keeps them, writes "pid PID",
 *   "threads 3", "blocks 1000", "block_size 1000" and "ready" to
 *   FACTS-FILE and "tui-heap ready" on stdout. Then, every 50 ms,
 *   grow_steadily() makes one more block of 64 bytes and keeps it (a site
 *   that only grows), until STOP-FILE exists; then "tui-heap done" on
 *   stdout, and exit with STATUS. It also stops, the same way, after 10
 *   minutes or when its parent is gone (a test that was killed).
 *
 * Its standard input may be /dev/null (memscope run --tui gives it that):
 * it waits for STOP-FILE, not for its stdin. Output with write(2), no stdio.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>

#include "run-target.h"

#define NBLOCKS		1000
#define BLOCK_SIZE	1000
#define NTHREADS	2		/* besides the main one */
#define MAX_GROWTH	12000		/* 10 minutes of 50 ms */

static void *known[NBLOCKS];
static void *grown[MAX_GROWTH];

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void __attribute__((noinline))
hold_known_blocks(void)
{
	for (int i = 0; i < NBLOCKS; i++)
		if ((known[i] = keep(malloc(BLOCK_SIZE))) == NULL)
			run_die("malloc");
}

static void __attribute__((noinline))
grow_steadily(int i)
{
	if ((grown[i] = keep(malloc(64))) == NULL)
		run_die("malloc");
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	static const char ready[] = "tui-heap ready\n", done[] = "tui-heap done\n";
	pthread_t th;
	pid_t parent = getppid();
	int fd, i;

	fd = facts_open(argc, argv);
	if (argc != 4)
		run_die("usage: tui-heap FACTS-FILE STOP-FILE STATUS");
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&th, NULL, sleeper, NULL) != 0)
			run_die("pthread_create");
	hold_known_blocks();
	facts_u64(fd, "", "pid", (uint64_t)getpid());
	facts_u64(fd, "", "threads", NTHREADS + 1);
	facts_u64(fd, "", "blocks", NBLOCKS);
	facts_u64(fd, "", "block_size", BLOCK_SIZE);
	facts_write(fd, "ready\n", 6);
	close(fd);
	facts_write(STDOUT_FILENO, ready, sizeof(ready) - 1);
	for (i = 0; i < MAX_GROWTH && access(argv[2], F_OK) != 0 &&
	    getppid() == parent; i++) {
		grow_steadily(i);
		nap_ms(50);
	}
	facts_write(STDOUT_FILENO, done, sizeof(done) - 1);
	return (int)arg_ulong(argv[3]);
}

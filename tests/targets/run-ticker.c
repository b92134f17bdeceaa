/* SPDX-License-Identifier: ISC */
/*
 * A program whose output and exit status must not change whatever happens
 * to memscope, and one that waits to be killed.
 *
 * usage: run-ticker FACTS-FILE ticks N
 *   Writes "pid PID" to FACTS-FILE, then N times: 20000 malloc/free
 *   pairs, "tick I" on stdout, a 100 ms sleep; then "done" on stdout, and
 *   exits with status 5. N = 20 runs about 2 s.
 * usage: run-ticker FACTS-FILE hold
 *   Writes "pid PID" to FACTS-FILE, makes 100 blocks of 100 bytes, frees
 *   10 of them, writes its summary and "ready", then sleeps until killed.
 */
#define _GNU_SOURCE
#include <time.h>

#include "run-target.h"

static void
say_tick(unsigned long t)
{
	char buf[64];
	int n;

	if ((n = snprintf(buf, sizeof(buf), "tick %lu\n", t)) < 0 || (size_t)n >= sizeof(buf))
		run_die("snprintf");
	facts_write(STDOUT_FILENO, buf, (size_t)n);
}

static int
ticks(int fd, unsigned long n)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	unsigned long t, i;
	void *p;

	facts_u64(fd, "", "pid", (uint64_t)getpid());
	close(fd);
	for (t = 0; t < n; t++) {
		for (i = 0; i < 20000; i++) {
			if ((p = keep(malloc(16 + i % 512))) == NULL)
				run_die("malloc");
			free(p);
		}
		say_tick(t);
		while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
			;
		pause.tv_sec = 0;
		pause.tv_nsec = 100 * 1000 * 1000;
	}
	facts_write(STDOUT_FILENO, "done\n", 5);
	return 5;
}

static int
hold(int fd)
{
	struct book bk;
	void *p[100];
	unsigned i;

	facts_u64(fd, "", "pid", (uint64_t)getpid());
	memset(&bk, 0, sizeof(bk));
	for (i = 0; i < 100; i++) {
		if ((p[i] = keep(malloc(100))) == NULL)
			run_die("malloc");
		book_alloc(&bk, 100);
	}
	for (i = 0; i < 100; i += 10) {
		free(p[i]);
		book_free(&bk, 100);
	}
	facts_book(fd, "", &bk);
	facts_write(fd, "ready\n", 6);
	close(fd);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	int fd = facts_open(argc, argv);

	if (argc == 4 && strcmp(argv[2], "ticks") == 0)
		return ticks(fd, arg_ulong(argv[3]));
	if (argc == 3 && strcmp(argv[2], "hold") == 0)
		return hold(fd);
	run_die("usage: run-ticker FACTS-FILE ticks N | hold");
}

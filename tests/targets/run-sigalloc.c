/* SPDX-License-Identifier: ISC */
/*
 * Signal handlers that allocate, while the program allocates: a timer
 * sends SIGALRM every 100 microseconds, and its handler mallocs a block of
 * HSIZE bytes, writes it and frees it, so that the shim is entered again
 * from a signal that may have come in the middle of its own work for a
 * malloc or a free of the main loop.
 *
 * glibc's malloc is not async-signal-safe in general; this program keeps
 * to what is safe in glibc as it is built: the handler's size has a tcache
 * bin of its own (the main loop's blocks are of 1 to 512 bytes, the
 * handler's of HSIZE), which holds a block before the timer starts, so
 * that the handler's malloc takes that block and its free gives it back
 * without a lock or any state the main loop uses (signals do not nest: the
 * handler runs with SIGALRM blocked).
 *
 * usage: run-sigalloc FACTS-FILE ROUNDS SIGNALS [norestart]
 * Writes "pid PID" to FACTS-FILE first. At least ROUNDS rounds of the main loop (a slot of 1000 has its block
 * freed and gets a new one), and more until the handler has run SIGNALS
 * times; then the timer stops, every block is freed, and the figures are
 * written to FACTS-FILE: the summary, the peaks as bounds (where the
 * handler's block fell is not known), "signals N", "rounds N". Prints
 * "done" and exits with status 0. The handler is installed with
 * SA_RESTART, or without it with "norestart" (a system call the signal
 * interrupts, the shim's too, then fails with EINTR).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/time.h>

#include "run-target.h"

#define NSLOTS	1000
#define HSIZE	1000

static volatile sig_atomic_t calls;

static void
on_alarm(int sig)
{
	int saved = errno;
	unsigned char *p = keep(malloc(HSIZE));

	(void)sig;
	if (p == NULL)
		run_die("malloc in the handler");
	p[0] = 1;
	p[HSIZE - 1] = 2;
	free(p);
	calls++;
	errno = saved;
}

int
main(int argc, char **argv)
{
	static void *slot[NSLOTS];
	static size_t len[NSLOTS];
	struct itimerval on = { { 0, 100 }, { 0, 100 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	struct book bk;
	sigset_t alrm;
	unsigned long rounds, signals, r;
	uint64_t handled;
	uint32_t rng = 88172645u;
	size_t s, n;
	void *p;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "norestart") != 0))
		run_die("usage: run-sigalloc FACTS-FILE ROUNDS SIGNALS [norestart]");
	rounds = arg_ulong(argv[2]);
	signals = arg_ulong(argv[3]);
	facts_u64(fd, "", "pid", (uint64_t)getpid());
	memset(&bk, 0, sizeof(bk));

	/* the handler's tcache bin gets a block */
	if ((p = keep(malloc(HSIZE))) == NULL)
		run_die("malloc");
	book_alloc(&bk, HSIZE);
	free(p);
	book_free(&bk, HSIZE);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = argc == 5 ? 0 : SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		run_die("sigaction");
	if (setitimer(ITIMER_REAL, &on, NULL) != 0)
		run_die("setitimer");

	for (r = 0; r < rounds || (unsigned long)calls < signals; r++) {
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		s = rng % NSLOTS;
		if (slot[s] != NULL) {
			free(slot[s]);
			book_free(&bk, len[s]);
		}
		n = 1 + rng / NSLOTS % 512;
		if ((slot[s] = keep(malloc(n))) == NULL)
			run_die("malloc");
		len[s] = n;
		book_alloc(&bk, n);
	}

	if (setitimer(ITIMER_REAL, &off, NULL) != 0)
		run_die("setitimer");
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	handled = (uint64_t)calls;
	for (s = 0; s < NSLOTS; s++)
		if (slot[s] != NULL) {
			free(slot[s]);
			book_free(&bk, len[s]);
		}

	/* the handler's blocks, each freed before the next */
	bk.allocations += handled;
	bk.frees += handled;
	bk.bytes_allocated += handled * HSIZE;
	facts_u64(fd, "", "allocations", bk.allocations);
	facts_u64(fd, "", "frees", bk.frees);
	facts_u64(fd, "", "reallocs", 0);
	facts_u64(fd, "", "bytes_allocated", bk.bytes_allocated);
	facts_u64(fd, "", "live_bytes_at_exit", bk.live_bytes);
	facts_u64(fd, "", "live_blocks_at_exit", bk.live_blocks);
	facts_u64(fd, "", "mmaps", 0);
	facts_u64(fd, "", "munmaps", 0);
	facts_u64(fd, "", "peak_live_bytes_min", bk.peak_live_bytes);
	facts_u64(fd, "", "peak_live_bytes_max", bk.peak_live_bytes + (handled ? HSIZE : 0));
	facts_u64(fd, "", "peak_live_blocks_min", bk.peak_live_blocks);
	facts_u64(fd, "", "peak_live_blocks_max", bk.peak_live_blocks + (handled ? 1 : 0));
	facts_u64(fd, "", "signals", handled);
	facts_u64(fd, "", "rounds", r);
	close(fd);
	facts_write(STDOUT_FILENO, "done\n", 5);
	return 0;
}

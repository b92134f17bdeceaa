/* SPDX-License-Identifier: ISC */
/*
 * A long-running program with a countable heap, for `memscope attach` and
 * `memscope leaks` (tests/run-attach.test): it does exactly what it is told
 * through a fifo, so that the test knows what happened while memscope was
 * attached.
 *
 * usage: attach-server CMD-FIFO
 *   Opens CMD-FIFO (read and write, so that it never sees its end), writes
 *   "ready" on stdout, then reads commands, one a line:
 *     N          N iterations of the loop, then "done N" and the counters
 *                (below) on one line of stdout;
 *     release N  frees the N oldest blocks of the kept list (fewer if it
 *                is shorter), then "released N" and the counters;
 *     saved N    N times: one block of SAVED_SIZE_1 bytes from malloc and
 *                one of SAVED_SIZE_2 from calloc, both freed, every call
 *                made through a pointer to the function that the program
 *                saved when it started; then "saved N" and the counters;
 *     forks N    N children at once, made without the C library's fork
 *                (half by syscall(SYS_fork), half by clone without
 *                CLONE_VM), each doing CHILD_PAIRS malloc/free pairs and
 *                losing one block before it ends; all waited for, then
 *                "forked N" and the counters (the parent's own: unchanged);
 *     exit S     the counters on a line "end", exit with status S.
 *   SIGTERM (or SIGINT) while it waits for a command: the counters on a
 *   line "end by signal", exit 0.
 *
 * One iteration is, in this order:
 *   - churn():    PAIRS malloc/free pairs, of CHURN_SIZE_1..3 bytes;
 *   - leak_one(): one block of LEAK_SIZE bytes, its address dropped;
 *   - keep_one(): one block of KEEP_SIZE bytes appended to the global list
 *                 kept_head..kept_tail (reachable from a global).
 * So PAIRS + 2 allocations, PAIRS frees, LEAK_SIZE + KEEP_SIZE more bytes
 * live. Nothing else allocates: the output is write(2), the commands are
 * read with read(2) into a static buffer. After each command's work,
 * leak_scrub() clears the dead stack and the scratch registers, so that no
 * stale copy of a lost block's address is left for a leak scan to find
 * while the program waits for its next command.
 *
 * The counters line: "iterations I allocations A frees F leaked L kept K
 * released R live_blocks B live_bytes Y" (totals since the start; the live
 * figures count the leaked blocks too). The output never shows an address
 * or a pid: two runs given the same commands write the same bytes.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run-target.h"
#include "leak-target.h"

#define PAIRS		3
#define CHURN_SIZE_1	24
#define CHURN_SIZE_2	333
#define CHURN_SIZE_3	4000
#define LEAK_SIZE	200
#define KEEP_SIZE	120
#define CHILD_PAIRS	1000
#define SAVED_SIZE_1	48
#define SAVED_SIZE_2	1000

struct kept {
	struct kept	*next;
	unsigned char	 payload[KEEP_SIZE - sizeof(struct kept *)];
};

_Static_assert(sizeof(struct kept) == KEEP_SIZE, "struct kept is KEEP_SIZE bytes");

/* The list of kept blocks, oldest first; volatile so that it is in memory. */
static struct kept *volatile kept_head;
static struct kept *volatile kept_tail;

static struct {
	uint64_t	iterations;
	uint64_t	allocations;
	uint64_t	frees;
	uint64_t	leaked;
	uint64_t	kept;
	uint64_t	released;
	uint64_t	live_blocks;
	uint64_t	live_bytes;
} count;

static volatile sig_atomic_t stop_signal;

/*
 * The allocator's functions as the program found them when it started, as
 * zlib's, SQLite's or OpenSSL's allocator tables keep them (set in main).
 * Built as a PIE, the program reads the addresses from its GOT then, and
 * later calls do not go through the GOT; built without PIE, the addresses
 * are the program's own PLT entries for the functions (canonical), which
 * go through its GOT.
 */
static void *(*volatile saved_malloc)(size_t);
static void *(*volatile saved_calloc)(size_t, size_t);
static void (*volatile saved_free)(void *);

static void
on_stop(int sig)
{
	stop_signal = sig;
}

static void
out(const char *buf, size_t len)
{
	facts_write(STDOUT_FILENO, buf, len);
}

/* "WHAT iterations I ... live_bytes Y\n" on stdout. */
static void
say_counters(const char *what)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf),
	    "%s iterations %llu allocations %llu frees %llu leaked %llu kept %llu "
	    "released %llu live_blocks %llu live_bytes %llu\n", what,
	    (unsigned long long)count.iterations, (unsigned long long)count.allocations,
	    (unsigned long long)count.frees, (unsigned long long)count.leaked,
	    (unsigned long long)count.kept, (unsigned long long)count.released,
	    (unsigned long long)count.live_blocks, (unsigned long long)count.live_bytes);
	if (n < 0 || (size_t)n >= sizeof(buf))
		run_die("snprintf");
	out(buf, (size_t)n);
}

static LEAK_NOINLINE void
churn_one(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		run_die("malloc");
	leak_fill(p, n);
	free(keep(p));
	count.allocations++;
	count.frees++;
}

/* PAIRS malloc/free pairs. */
static LEAK_NOINLINE void
churn(void)
{
	churn_one(CHURN_SIZE_1);
	churn_one(CHURN_SIZE_2);
	churn_one(CHURN_SIZE_3);
}

/* One block of LEAK_SIZE bytes, lost. */
static LEAK_NOINLINE void
leak_one(void)
{
	void *p;

	if ((p = malloc(LEAK_SIZE)) == NULL)
		run_die("malloc");
	leak_fill(p, LEAK_SIZE);
	leak_lose(p);
	count.allocations++;
	count.leaked++;
	count.live_blocks++;
	count.live_bytes += LEAK_SIZE;
}

/* One block of KEEP_SIZE bytes, appended to the kept list. */
static LEAK_NOINLINE void
keep_one(void)
{
	struct kept *k;

	if ((k = malloc(KEEP_SIZE)) == NULL)
		run_die("malloc");
	leak_fill(k, KEEP_SIZE);
	k->next = NULL;
	if (kept_tail != NULL)
		kept_tail->next = k;
	else
		kept_head = k;
	kept_tail = k;
	count.allocations++;
	count.kept++;
	count.live_blocks++;
	count.live_bytes += KEEP_SIZE;
}

static LEAK_NOINLINE void
iterate(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		churn();
		leak_one();
		keep_one();
		count.iterations++;
	}
}

/* Frees the n oldest kept blocks (as many as there are); how many. */
static LEAK_NOINLINE unsigned long
release(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n && kept_head != NULL; i++) {
		struct kept *k = kept_head;

		kept_head = k->next;
		if (kept_head == NULL)
			kept_tail = NULL;
		free(k);
		count.frees++;
		count.released++;
		count.live_blocks--;
		count.live_bytes -= KEEP_SIZE;
	}
	return i;
}

/* n times a malloc and a calloc, freed, through the saved pointers. */
static LEAK_NOINLINE void
saved(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = saved_malloc(SAVED_SIZE_1);
		void *q = saved_calloc(1, SAVED_SIZE_2);

		if (p == NULL || q == NULL)
			run_die("malloc");
		leak_fill(p, SAVED_SIZE_1);
		saved_free(keep(p));
		saved_free(keep(q));
		count.allocations += 2;
		count.frees += 2;
	}
}

/* A child of forks(): its allocations, none of them its parent's. */
static void
child_work(void)
{
	for (int i = 0; i < CHILD_PAIRS; i++) {
		void *p = malloc(64 + (size_t)i % 64);

		if (p == NULL)
			syscall(SYS_exit_group, 1);
		leak_fill(p, 64);
		free(keep(p));
	}
	leak_lose(malloc(LEAK_SIZE));
	syscall(SYS_exit_group, 0);
}

/* n children at once, by raw system calls; all of them waited for. */
static LEAK_NOINLINE void
forks(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		long pid = i % 2 == 0 ? syscall(SYS_fork) :
		    syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);

		if (pid == -1)
			run_die("fork");
		if (pid == 0)
			child_work();
	}
	for (unsigned long i = 0; i < n; i++) {
		int status;

		if (wait(&status) == -1)
			run_die("wait");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			run_die("a child failed");
	}
}

/* Carries out one command line (NUL-terminated, no newline). */
static void
command(char *line)
{
	char what[64];
	int n;

	if (strncmp(line, "exit ", 5) == 0) {
		say_counters("end");
		exit((int)arg_ulong(line + 5));
	}
	if (strncmp(line, "release ", 8) == 0) {
		n = snprintf(what, sizeof(what), "released %lu", release(arg_ulong(line + 8)));
	} else if (strncmp(line, "saved ", 6) == 0) {
		unsigned long times = arg_ulong(line + 6);

		saved(times);
		n = snprintf(what, sizeof(what), "saved %lu", times);
	} else if (strncmp(line, "forks ", 6) == 0) {
		unsigned long kids = arg_ulong(line + 6);

		forks(kids);
		n = snprintf(what, sizeof(what), "forked %lu", kids);
	} else {
		unsigned long iters = arg_ulong(line);

		iterate(iters);
		n = snprintf(what, sizeof(what), "done %lu", iters);
	}
	if (n < 0 || (size_t)n >= sizeof(what))
		run_die("snprintf");
	leak_scrub();
	say_counters(what);
}

int
main(int argc, char **argv)
{
	static char buf[4096];
	static const char ready[] = "ready\n";
	struct sigaction sa;
	size_t len = 0;
	int fd;

	if (argc != 2) {
		static const char usage[] = "usage: attach-server CMD-FIFO\n";

		(void)!write(STDERR_FILENO, usage, sizeof(usage) - 1);
		return 99;
	}
	/* no SA_RESTART: the signal ends the read below */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1)
		run_die("sigaction");
	if ((fd = open(argv[1], O_RDWR | O_CLOEXEC)) == -1)
		run_die(argv[1]);
	saved_malloc = malloc;
	saved_calloc = calloc;
	saved_free = free;
	out(ready, sizeof(ready) - 1);
	for (;;) {
		char *nl;
		ssize_t r;

		while ((nl = memchr(buf, '\n', len)) != NULL) {
			size_t used = (size_t)(nl - buf) + 1;

			*nl = '\0';
			if (nl > buf)
				command(buf);
			memmove(buf, buf + used, len - used);
			len -= used;
		}
		if (stop_signal != 0) {
			say_counters("end by signal");
			return 0;
		}
		if (len == sizeof(buf))
			run_die("command too long");
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			run_die("read");
		}
		if (r == 0)
			run_die("end of the command fifo");
		len += (size_t)r;
	}
}

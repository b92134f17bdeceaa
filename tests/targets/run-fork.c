/* SPDX-License-Identifier: ISC */
/*
 * A parent that forks three children (or N). Child i makes
 * 10 * (i % 10 + 1) blocks of 64 * (i + 1) bytes, grows one, frees every
 * other one, and exits with status 20 + i % 100, the rest of its blocks
 * live. The parent allocates and frees before the forks (nothing is live
 * when it forks, so a child starts from an empty heap whatever memscope
 * copies at fork), forks them all, lets them go at once (each waits until
 * the last is forked: a storm), waits for each child, and allocates after.
 *
 * usage: run-fork FACTS-FILE [N]
 * Facts: the parent's summary; for each child i, "child.i.pid PID",
 * "child.i.code STATUS" and its summary under the prefix "child.i.".
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "run-target.h"

#define MAXCHILDREN 1000
#define MAXBLOCKS 100

/* What child i does; with dry set, only the booking (for the parent). */
static void
child_work(unsigned i, struct book *bk, int dry)
{
	void *block[MAXBLOCKS];
	size_t n = 64 * (i + 1), nblocks = 10 * (i % 10 + 1), k;

	for (k = 0; k < nblocks; k++) {
		if (!dry && (block[k] = keep(malloc(n))) == NULL)
			run_die("malloc");
		book_alloc(bk, n);
	}
	/* the last block grows by a half */
	if (!dry && (block[nblocks - 1] = keep(realloc(block[nblocks - 1], n + n / 2))) == NULL)
		run_die("realloc");
	book_realloc(bk, n, n + n / 2);
	for (k = 0; k < nblocks; k += 2) {
		if (!dry)
			free(block[k]);
		book_free(bk, n);
	}
}

int
main(int argc, char **argv)
{
	static pid_t pid[MAXCHILDREN];
	struct book parent, child;
	char prefix[32], c;
	void *p[4];
	unsigned i, nchildren = 3;
	int fd, status, gate[2];

	fd = facts_open(argc, argv);
	if (argc > 3)
		run_die("usage: run-fork FACTS-FILE [N]");
	if (argc == 3 && ((nchildren = (unsigned)arg_ulong(argv[2])) < 1 ||
	    nchildren > MAXCHILDREN))
		run_die("N must be 1 to 1000");
	memset(&parent, 0, sizeof(parent));
	if (pipe(gate) != 0)
		run_die("pipe");

	/* before the forks: five blocks, all freed */
	for (i = 0; i < 5; i++) {
		if ((p[i % 4] = keep(malloc(1000 + i))) == NULL)
			run_die("malloc");
		book_alloc(&parent, 1000 + i);
		free(p[i % 4]);
		book_free(&parent, 1000 + i);
	}

	for (i = 0; i < nchildren; i++) {
		if ((pid[i] = fork()) == -1)
			run_die("fork");
		if (pid[i] == 0) {
			close(fd);
			close(gate[1]);
			/* until the parent has forked them all: EOF */
			while (read(gate[0], &c, 1) == -1 && errno == EINTR)
				;
			memset(&child, 0, sizeof(child));
			child_work(i, &child, 0);
			exit(20 + (int)(i % 100));
		}
	}
	close(gate[0]);
	close(gate[1]);

	for (i = 0; i < nchildren; i++) {
		if (waitpid(pid[i], &status, 0) != pid[i])
			run_die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 20 + (int)(i % 100))
			run_die("a child did not exit as planned");
		snprintf(prefix, sizeof(prefix), "child.%u.", i);
		facts_u64(fd, prefix, "pid", (uint64_t)pid[i]);
		facts_u64(fd, prefix, "code", (uint64_t)WEXITSTATUS(status));
		memset(&child, 0, sizeof(child));
		child_work(i, &child, 1);
		facts_book(fd, prefix, &child);
	}

	/* after: three blocks, one freed */
	for (i = 0; i < 3; i++) {
		if ((p[i] = keep(calloc(i + 1, 100))) == NULL)
			run_die("calloc");
		book_alloc(&parent, (i + 1) * 100);
	}
	free(p[1]);
	book_free(&parent, 200);

	facts_book(fd, "", &parent);
	close(fd);
	return 0;
}

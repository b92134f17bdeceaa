/*
 * A parent that forks three children. Child i makes 10 * (i + 1) blocks of
 * 64 * (i + 1) bytes, grows one, frees every other one, and exits with
 * status 20 + i, the rest of its blocks live. The parent allocates and
 * frees before the forks (nothing is live when it forks, so a child starts
 * from an empty heap whatever memscope copies at fork), waits for each
 * child, and allocates after.
 *
 * usage: run-fork FACTS-FILE
 * Facts: the parent's summary; for each child i, "child.i.pid PID",
 * "child.i.code STATUS" and its summary under the prefix "child.i.".
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "run-target.h"

#define NCHILDREN 3
#define MAXBLOCKS (10 * NCHILDREN)

/* What child i does; with dry set, only the booking (for the parent). */
static void
child_work(unsigned i, struct book *bk, int dry)
{
	void *block[MAXBLOCKS];
	size_t n = 64 * (i + 1), nblocks = 10 * (i + 1), k;

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
	struct book parent, child;
	char prefix[32];
	void *p[4];
	pid_t pid[NCHILDREN];
	unsigned i;
	int fd, status;

	fd = facts_open(argc, argv);
	memset(&parent, 0, sizeof(parent));

	/* before the forks: five blocks, all freed */
	for (i = 0; i < 5; i++) {
		if ((p[i % 4] = keep(malloc(1000 + i))) == NULL)
			run_die("malloc");
		book_alloc(&parent, 1000 + i);
		free(p[i % 4]);
		book_free(&parent, 1000 + i);
	}

	for (i = 0; i < NCHILDREN; i++) {
		if ((pid[i] = fork()) == -1)
			run_die("fork");
		if (pid[i] == 0) {
			close(fd);
			memset(&child, 0, sizeof(child));
			child_work(i, &child, 0);
			exit(20 + (int)i);
		}
	}

	for (i = 0; i < NCHILDREN; i++) {
		if (waitpid(pid[i], &status, 0) != pid[i])
			run_die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 20 + (int)i)
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

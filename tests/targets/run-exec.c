/* SPDX-License-Identifier: ISC */
/*
 * A process that allocates, then replaces itself with another program
 * (execv, same pid, same environment). What it allocated before the exec
 * is its own summary, the blocks still live at the exec included; the new
 * image starts from nothing.
 *
 * usage: run-exec FACTS-FILE PROGRAM ARGS...
 * Writes its summary to FACTS-FILE, then execs PROGRAM ARGS... (argv[0]
 * of the new image is PROGRAM as given).
 */
#define _GNU_SOURCE

#include "run-target.h"

int
main(int argc, char **argv)
{
	struct book bk;
	void *p[4];
	size_t i;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 3)
		run_die("usage: run-exec FACTS-FILE PROGRAM ARGS...");
	memset(&bk, 0, sizeof(bk));

	for (i = 0; i < 4; i++) {
		if ((p[i] = keep(malloc(1000 * (i + 1)))) == NULL)
			run_die("malloc");
		book_alloc(&bk, 1000 * (i + 1));
	}
	if ((p[3] = keep(realloc(p[3], 5000))) == NULL)
		run_die("realloc");
	book_realloc(&bk, 4000, 5000);
	free(p[0]);
	book_free(&bk, 1000);
	free(p[2]);
	book_free(&bk, 3000);

	facts_book(fd, "", &bk);
	close(fd);
	execv(argv[2], argv + 2);
	run_die("execv");
}

/* SPDX-License-Identifier: ISC */
/*
 * N malloc(32)/free pairs in a tight loop: two million events, to be
 * passed whole through the smallest ring memscope allows.
 *
 * usage: run-pairs FACTS-FILE N
 */
#define _GNU_SOURCE

#include "run-target.h"

int
main(int argc, char **argv)
{
	struct book bk;
	unsigned long n, i;
	void *p;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 3)
		run_die("usage: run-pairs FACTS-FILE N");
	n = arg_ulong(argv[2]);
	memset(&bk, 0, sizeof(bk));
	for (i = 0; i < n; i++) {
		if ((p = keep(malloc(32))) == NULL)
			run_die("malloc");
		book_alloc(&bk, 32);
		free(p);
		book_free(&bk, 32);
	}
	facts_book(fd, "", &bk);
	close(fd);
	return 0;
}

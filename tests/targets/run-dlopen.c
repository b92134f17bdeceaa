/* SPDX-License-Identifier: ISC */
/*
 * dlopen a library, call its runtest_dl_work() N times, dlclose it, then
 * free half of the blocks it made (their code is gone by then) and keep
 * the other half live to the end.
 *
 * dlopen and dlclose allocate and free through malloc themselves, by
 * amounts that depend on glibc; the target books only its own calls and
 * the library's, and the test takes the difference with a run of N = 0,
 * which loads and unloads the library the same way.
 *
 * usage: run-dlopen FACTS-FILE LIBRARY N
 * Facts: the summary of what the library's calls and the frees after
 * dlclose add, and "lib_allocations", "lib_bytes", "lib_live_blocks",
 * "lib_live_bytes": what the sites in the library's code must add up to.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "run-target.h"

#define MAXCALLS 1000

int
main(int argc, char **argv)
{
	static void *blocks[MAXCALLS];
	void *(*work)(void);
	void *lib;
	struct book bk;
	unsigned long n, i;
	int fd;

	fd = facts_open(argc, argv);
	if (argc < 4)
		run_die("usage: run-dlopen FACTS-FILE LIBRARY N");
	if ((n = arg_ulong(argv[3])) > MAXCALLS)
		run_die("N is too large");
	memset(&bk, 0, sizeof(bk));

	if ((lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL)) == NULL)
		run_die("dlopen");
	*(void **)&work = dlsym(lib, "runtest_dl_work");
	if (work == NULL)
		run_die("dlsym");
	for (i = 0; i < n; i++) {
		if ((blocks[i] = work()) == NULL)
			run_die("runtest_dl_work");
		book_alloc(&bk, 256);
		book_alloc(&bk, 128);
		book_free(&bk, 128);
	}
	if (dlclose(lib) != 0)
		run_die("dlclose");

	/* blocks made by code that is no longer mapped */
	for (i = 0; i < n; i += 2) {
		free(blocks[i]);
		book_free(&bk, 256);
	}

	facts_book(fd, "", &bk);
	facts_u64(fd, "", "lib_allocations", 2 * n);
	facts_u64(fd, "", "lib_bytes", (256 + 128) * n);
	facts_u64(fd, "", "lib_live_blocks", n / 2);
	facts_u64(fd, "", "lib_live_bytes", 256 * (n / 2));
	close(fd);
	return 0;
}

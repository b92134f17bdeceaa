/* SPDX-License-Identifier: ISC */
/*
 * A fixed sequence of calls of every member of the malloc family, with the
 * figures memscope must report kept by hand: mallocs of known sizes,
 * callocs, the aligned allocators, a realloc chain that starts with
 * realloc(NULL, n), grows, shrinks and ends with realloc(p, 0), a failed
 * realloc that frees nothing, reallocarray, calls that fail and so count
 * for nothing (malloc(SIZE_MAX), an overflowing calloc and reallocarray,
 * posix_memalign with a bad alignment), free(NULL), two mmaps and one
 * munmap, and blocks left live at exit.
 *
 * usage: run-counts FACTS-FILE [free-not-realloc0]
 * Writes the summary figures to FACTS-FILE, then exits with status 3.
 * Uses only allocation functions that jemalloc, tcmalloc and mimalloc all
 * define (or, for reallocarray, that glibc implements with realloc), so the
 * same run works under any of them. realloc(p, 0) frees p and returns NULL
 * in glibc, jemalloc and tcmalloc, but returns a new block in mimalloc: with
 * "free-not-realloc0" the target calls free(p) instead, which counts the
 * same, one free.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <sys/mman.h>

#include "run-target.h"

#define NSMALL 10

static struct book bk;

/* Sizes the compiler cannot see, so it warns of no huge request. */
static volatile size_t huge = SIZE_MAX;
static volatile size_t half_huge = SIZE_MAX / 2 + 1;

static void *
counted(void *p, size_t n, const char *what)
{
	if (p == NULL)
		run_die(what);
	book_alloc(&bk, n);
	return keep(p);
}

static void
uncount(void *p, size_t n)
{
	free(p);
	book_free(&bk, n);
}

int
main(int argc, char **argv)
{
	void *small[NSMALL], *c1, *c2, *c3, *m1, *pm, *aa, *va, *big, *p, *q;
	static const size_t chain[] = { 32, 64, 4096, 200000, 50 };
	void *map1, *map2;
	size_t i, cur;
	int fd, free_not_realloc0;

	fd = facts_open(argc, argv);
	free_not_realloc0 = argc > 2 && strcmp(argv[2], "free-not-realloc0") == 0;

	/* 10 mallocs, 10..100 bytes: 550 bytes, 10 blocks */
	for (i = 0; i < NSMALL; i++)
		small[i] = counted(malloc(10 * (i + 1)), 10 * (i + 1), "malloc");

	/* callocs count nmemb * size */
	c1 = counted(calloc(4, 25), 100, "calloc");
	c2 = counted(calloc(10, 30), 300, "calloc");
	c3 = counted(calloc(1, 1000), 1000, "calloc");

	/* the aligned family */
	m1 = counted(memalign(64, 200), 200, "memalign");
	if (posix_memalign(&pm, 128, 300) != 0)
		run_die("posix_memalign");
	counted(pm, 300, "posix_memalign");
	aa = counted(aligned_alloc(256, 512), 512, "aligned_alloc");
	va = counted(valloc(1000), 1000, "valloc");

	/* calls that fail make nothing */
	if (keep(malloc(huge)) != NULL)
		run_die("malloc(SIZE_MAX) succeeded");
	if (keep(calloc(half_huge, 2)) != NULL)
		run_die("an overflowing calloc succeeded");
	if (posix_memalign(&p, 3, 100) != EINVAL)
		run_die("posix_memalign(3) did not fail");
	free(NULL);

	/* a big block, live at the peak; freed below */
	big = counted(malloc(50000), 50000, "malloc");

	/* the realloc chain: realloc(NULL, n) is an allocation ... */
	p = counted(realloc(NULL, 16), 16, "realloc(NULL)");
	/* ... each resize of a live block a realloc, counting its new size;
	 * 200000 bytes is past glibc's mmap threshold */
	cur = 16;
	for (i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
		if ((p = keep(realloc(p, chain[i]))) == NULL)
			run_die("realloc");
		book_realloc(&bk, cur, chain[i]);
		cur = chain[i];
	}
	/* a realloc that fails frees nothing: p lives on */
	if (keep(realloc(launder(p), huge)) != NULL)
		run_die("realloc(p, SIZE_MAX) succeeded");
	/* realloc(p, 0) frees p, a free like free(p) */
	if (free_not_realloc0)
		free(p);
	else if (realloc(p, 0) != NULL)
		run_die("realloc(p, 0) returned a block");
	book_free(&bk, cur);

	/* reallocarray: NULL first, then a resize, then an overflow */
	q = counted(reallocarray(NULL, 10, 8), 80, "reallocarray(NULL)");
	if ((q = keep(reallocarray(q, 20, 8))) == NULL)
		run_die("reallocarray");
	book_realloc(&bk, 80, 160);
	if (keep(reallocarray(launder(q), half_huge, 2)) != NULL)
		run_die("an overflowing reallocarray succeeded");

	/* frees: every other small block, a calloc'd and a memalign'd one */
	for (i = 0; i < NSMALL; i += 2)
		uncount(small[i], 10 * (i + 1));
	uncount(c1, 100);
	uncount(m1, 200);
	uncount(big, 50000);
	free(NULL);

	/* two mappings, one unmapped */
	map1 = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map1 == MAP_FAILED)
		run_die("mmap");
	bk.mmaps++;
	map2 = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map2 == MAP_FAILED)
		run_die("mmap");
	bk.mmaps++;
	if (munmap(map2, 8192) != 0)
		run_die("munmap");
	bk.munmaps++;

	/* live at exit: small[1,3,5,7,9], c2, c3, pm, aa, va, q */
	keep(c2);
	keep(c3);
	keep(aa);
	keep(va);
	keep(q);
	keep(map1);
	facts_book(fd, "", &bk);
	close(fd);
	return 3;
}

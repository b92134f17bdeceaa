/* SPDX-License-Identifier: ISC */
/*
 * As many allocation sites as asked (10,000 by default, 16,384 at most):
 * allocation i is made at the end of a chain of 14 calls, each through
 * left() or right() as bit k of i says, so that every allocation has a
 * stack of its own (28 frames deep) and the call tree has i leaves. Each
 * block is 16 + i % 64 bytes; every eighth is freed, the rest kept to the
 * end. A profile the size of a big program's, for the HTML report.
 *
 * usage: run-sites [N]
 */
#include <stdint.h>
#include <stdlib.h>

#define LEVELS	14

static void *volatile *keep;
/* left() and right() differ, or the compiler makes them one function */
static volatile unsigned lefts, rights;
static void step(unsigned i, int level);

/* Never a tail call: each call's return address is the stack's. */
__attribute__((noinline)) static void
left(unsigned i, int level)
{
	step(i, level + 1);
	lefts++;
}

__attribute__((noinline)) static void
right(unsigned i, int level)
{
	step(i, level + 1);
	rights += 2;
}

__attribute__((noinline)) static void
step(unsigned i, int level)
{
	if (level == LEVELS) {
		keep[i] = malloc(16 + i % 64);
		return;
	}
	if (i >> level & 1)
		right(i, level);
	else
		left(i, level);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;

	if (n == 0 || n > 1u << LEVELS)
		return 2;
	keep = calloc(n, sizeof(*keep));
	if (keep == NULL)
		return 1;
	for (unsigned i = 0; i < n; i++)
		step(i, 0);
	for (unsigned i = 0; i < n; i += 8)
		free(keep[i]);
	return 0;
}

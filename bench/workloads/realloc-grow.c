/* SPDX-License-Identifier: ISC */
/*
 * realloc-grow: many buffers grown a run of bytes at a time by realloc,
 * as a string builder or a reader appending to a growing line would.
 *
 *	realloc-grow [STEPS]
 *
 * NBUFS buffers; each step appends 1 to 64 bytes to a random buffer with
 * realloc to exactly the new length (no doubling: every append is a
 * realloc). A buffer that reaches its final length, 256 B to 64 KiB and
 * now and then 1 MiB (past malloc's mmap threshold, where realloc becomes
 * mremap), is freed and starts again from realloc(NULL, n). Fixed seed.
 * Prints a checksum.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define NBUFS		512
#define DEF_STEPS	8000000L

struct buf {
	unsigned char	*p;
	size_t		 len;
	size_t		 final;
};

static size_t
final_length(struct rng *r)
{
	if (rng_below(r, 200) == 0)
		return 1 << 20;
	return 256 + (size_t)rng_below(r, 65281);
}

int
main(int argc, char **argv)
{
	static struct buf b[NBUFS];
	struct rng r = { 11 };
	unsigned long sum = 0, reallocs = 0;
	long steps = workload_count(argc, argv, 1, DEF_STEPS, "realloc-grow");

	workload_wait_go("realloc-grow");
	for (size_t i = 0; i < NBUFS; i++)
		b[i].final = final_length(&r);
	for (long i = 0; i < steps; i++) {
		struct buf *x = &b[rng_below(&r, NBUFS)];
		size_t run = 1 + (size_t)rng_below(&r, 64);
		unsigned char *p;

		if ((p = realloc(x->p, x->len + run)) == NULL) {
			fputs("realloc-grow: out of memory\n", stderr);
			return 1;
		}
		memset(p + x->len, (int)(i & 0xff), run);
		x->p = p;
		x->len += run;
		reallocs++;
		if (x->len >= x->final) {
			sum += x->p[x->len / 2];
			free(x->p);
			x->p = NULL;
			x->len = 0;
			x->final = final_length(&r);
		}
	}
	for (size_t i = 0; i < NBUFS; i++)
		free(b[i].p);
	printf("realloc-grow: %lu reallocs, checksum %lu\n", reallocs, sum);
	return 0;
}

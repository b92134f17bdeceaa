/* SPDX-License-Identifier: ISC */
/*
 * churn: single-thread malloc/free churn of mixed sizes.
 *
 *	churn [STEPS]
 *
 * A working set of SLOTS blocks; each step frees the block in a random slot
 * and puts a new one of a random size (8 B to 64 KiB, mostly small) in its
 * place, writing its first bytes and its last one as a program filling it
 * would. Fixed seed: every run does the same calls. Prints a checksum.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define SLOTS		16384
#define DEF_STEPS	40000000L

int
main(int argc, char **argv)
{
	static unsigned char *slot[SLOTS];
	struct rng r = { 1 };
	unsigned long sum = 0;
	long steps = workload_count(argc, argv, 1, DEF_STEPS, "churn");

	workload_wait_go("churn");
	for (long i = 0; i < steps; i++) {
		size_t k = (size_t)rng_below(&r, SLOTS);
		size_t size = rng_block_size(&r);
		unsigned char *p;

		if (slot[k] != NULL) {
			sum += slot[k][0];
			free(slot[k]);
		}
		p = workload_alloc(size, "churn");
		memset(p, (int)(i & 0xff), size < 64 ? size : 64);
		p[size - 1] = 1;
		slot[k] = p;
	}
	for (size_t k = 0; k < SLOTS; k++)
		free(slot[k]);
	printf("churn: %ld steps, checksum %lu\n", steps, sum);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * deep: allocations at the bottom of deep call stacks, through many
 * distinct call sites.
 *
 *	deep [DESCENTS]
 *
 * Each descent picks one of PATHS paths and recurses 150 to 249 frames
 * deep (200 on average) through NSITES functions, the function at each
 * level chosen by the path and the depth: a path always takes the same
 * route, so there are PATHS distinct stacks, each seen many times, and the
 * NSITES functions make NSITES distinct return addresses at every level.
 * The leaf allocates two blocks into a working set, freeing the blocks they
 * replace. This is the case that costs a tracker most per event: long
 * stacks to unwind, and many of them to tell apart. Fixed seed. Prints a
 * checksum.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define NSITES		32
#define PATHS		4096
#define SLOTS		8192
#define DEF_DESCENTS	500000L

typedef long (*site_fn)(int, uint64_t);

static unsigned char *slot[SLOTS];
static struct rng r = { 7 };
static unsigned long sum;

static __attribute__((noinline)) long
leaf(uint64_t path)
{
	for (int i = 0; i < 2; i++) {
		size_t k = (size_t)rng_below(&r, SLOTS);
		size_t size = 8 + (size_t)((path >> (8 * i)) % 2048);
		unsigned char *p;

		if (slot[k] != NULL) {
			sum += slot[k][0];
			free(slot[k]);
		}
		p = workload_alloc(size, "deep");
		memset(p, (int)path, size < 64 ? size : 64);
		slot[k] = p;
	}
	return (long)(path & 1);
}

static const site_fn sites[NSITES];

/* The function at the next level down: a hash of the path and the depth. */
static inline site_fn
next_site(int depth, uint64_t path)
{
	uint64_t h = (path ^ (uint64_t)depth * 0xbf58476d1ce4e5b9ULL) *
	    0x94d049bb133111ebULL;

	return sites[h >> 59];		/* top 5 bits: NSITES is 32 */
}

/*
 * A site adds its own number after the call returns, so the call is not a
 * tail call and each function keeps its frame and its return address.
 */
#define SITE(k)								\
static __attribute__((noinline)) long					\
site_##k(int depth, uint64_t path)					\
{									\
	if (depth == 0)							\
		return leaf(path);					\
	return next_site(depth, path)(depth - 1, path) + (k);		\
}

SITE(0) SITE(1) SITE(2) SITE(3) SITE(4) SITE(5) SITE(6) SITE(7)
SITE(8) SITE(9) SITE(10) SITE(11) SITE(12) SITE(13) SITE(14) SITE(15)
SITE(16) SITE(17) SITE(18) SITE(19) SITE(20) SITE(21) SITE(22) SITE(23)
SITE(24) SITE(25) SITE(26) SITE(27) SITE(28) SITE(29) SITE(30) SITE(31)

static const site_fn sites[NSITES] = {
	site_0, site_1, site_2, site_3, site_4, site_5, site_6, site_7,
	site_8, site_9, site_10, site_11, site_12, site_13, site_14, site_15,
	site_16, site_17, site_18, site_19, site_20, site_21, site_22, site_23,
	site_24, site_25, site_26, site_27, site_28, site_29, site_30, site_31,
};

int
main(int argc, char **argv)
{
	long descents = workload_count(argc, argv, 1, DEF_DESCENTS, "deep");
	struct rng pick = { 3 };
	long total = 0;

	workload_wait_go("deep");
	for (long i = 0; i < descents; i++) {
		uint64_t id = rng_below(&pick, PATHS);
		uint64_t path = id * 0x9e3779b97f4a7c15ULL + 1;

		total += next_site(0, path)(150 + (int)(id % 100), path);
	}
	for (size_t k = 0; k < SLOTS; k++)
		free(slot[k]);
	printf("deep: %ld descents, %d paths, checksum %lu %ld\n", descents,
	    PATHS, sum, total);
	return 0;
}

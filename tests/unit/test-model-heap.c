/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the heap model (src/model/model-heap.c): the counters of
 * the summary, the peak and what the sites and size bins held at it, the
 * temporary allocations, the size bins' bounds, the usable bytes, realloc
 * as the model is told it, the lifetimes' decades at their bounds, the
 * anomalies of a free of an unknown address and of a second allocation at
 * a live one, and the orders of the sites. Every figure is worked out by
 * hand from the sequence of calls in the test, not read from the model:
 * the views print these numbers as they are, so a slip here is a wrong
 * report there.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-heap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define T1		1	/* the shim's thread numbers */
#define T2		2

/* Allocation sites (stack ids) */
#define S1		0x1111
#define S2		0x2222
#define S3		0x3333
#define S4		0x4444
#define S5		0x5555

/* A block malloc made, its usable size its requested one. */
static struct heap_new_block
nb(uint64_t addr, uint64_t size, uint64_t stack)
{
	return (struct heap_new_block){ .addr = addr, .size = size,
	    .stack = stack, .spare_known = true, .fn = HEAP_FN_MALLOC };
}

static void
alloc(struct heap_model *h, uint16_t thread, uint64_t addr, uint64_t size,
    uint64_t stack)
{
	struct heap_new_block b = nb(addr, size, stack);

	model_heap_alloc(h, thread, &b);
}

static void
assert_site(const struct heap_model *h, uint64_t stack, uint64_t allocations,
    uint64_t bytes_allocated, uint64_t live_blocks, uint64_t live_bytes)
{
	const struct heap_site *s = model_heap_site(h, stack);

	assert_non_null(s);
	assert_int_equal(s->allocations, allocations);
	assert_int_equal(s->bytes_allocated, bytes_allocated);
	assert_int_equal(s->live_blocks, live_blocks);
	assert_int_equal(s->live_bytes, live_bytes);
}

static void
assert_site_peak(const struct heap_model *h, uint64_t stack, uint64_t bytes,
    uint64_t blocks)
{
	const struct heap_site *s = model_heap_site(h, stack);
	uint64_t pb, pn;

	assert_non_null(s);
	model_heap_site_at_peak(h, s, &pb, &pn);
	assert_int_equal(pb, bytes);
	assert_int_equal(pn, blocks);
}

static void
assert_bin(const struct heap_model *h, size_t b, uint64_t allocations,
    uint64_t frees, uint64_t live_blocks, uint64_t live_bytes)
{
	assert_int_equal(h->bins[b].allocations, allocations);
	assert_int_equal(h->bins[b].frees, frees);
	assert_int_equal(h->bins[b].live_blocks, live_blocks);
	assert_int_equal(h->bins[b].live_bytes, live_bytes);
}

static void
assert_bin_peak(const struct heap_model *h, size_t b, uint64_t bytes,
    uint64_t blocks)
{
	uint64_t pb, pn;

	model_heap_bin_at_peak(h, b, &pb, &pn);
	assert_int_equal(pb, bytes);
	assert_int_equal(pn, blocks);
}

/* --- Counters ---------------------------------------------------------- */

/* Allocations and frees move the live figures; bytes allocated only grow;
 * time, as massif counts it in bytes, moves by both. */
static void
test_counters(void **state)
{
	struct heap_model h;

	(void)state;
	model_heap_init(&h);
	alloc(&h, T1, 0x1000, 100, S1);
	alloc(&h, T1, 0x2000, 40, S2);
	alloc(&h, T1, 0x3000, 24, S1);
	assert_int_equal(h.sum.allocations, 3);
	assert_int_equal(h.sum.live_blocks, 3);
	assert_int_equal(h.sum.live_bytes, 164);
	assert_int_equal(h.sum.bytes_allocated, 164);
	model_heap_release(&h, T1, 0x2000, 0);
	assert_int_equal(h.sum.frees, 1);
	assert_int_equal(h.sum.live_blocks, 2);
	assert_int_equal(h.sum.live_bytes, 124);
	assert_int_equal(h.sum.bytes_allocated, 164);
	assert_int_equal(h.sum.anomalies, 0);
	assert_int_equal(h.sum.reallocs, 0);
	assert_int_equal(h.time_bytes, 100 + 40 + 24 + 40);
	assert_int_equal(h.nsites, 2);
	assert_site(&h, S1, 2, 124, 2, 124);
	assert_site(&h, S2, 1, 40, 0, 0);
	assert_null(model_heap_site(&h, S3));
	/* no stack is a site of its own, id 1 */
	alloc(&h, T1, 0x4000, 8, 0);
	assert_site(&h, 0, 1, 8, 1, 8);
	assert_int_equal(model_heap_site(&h, 0)->stack, 1);
	model_heap_free(&h);
}

/* Enough blocks and sites to grow both tables several times: every block
 * and site is still found, and the figures add up. */
static void
test_many(void **state)
{
	struct heap_model h;
	const uint64_t n = 5000;
	struct heap_block *live;
	size_t nlive;

	(void)state;
	model_heap_init(&h);
	for (uint64_t i = 0; i < n; i++)
		alloc(&h, T1, 0x10000 + 16 * i, 8, 0x100 + i % 700);
	/* free every other block, the odd ones */
	for (uint64_t i = 1; i < n; i += 2)
		model_heap_release(&h, T1, 0x10000 + 16 * i, 0);
	assert_int_equal(h.sum.live_blocks, 2500);
	assert_int_equal(h.sum.live_bytes, 2500 * 8);
	assert_int_equal(h.sum.frees, 2500);
	assert_int_equal(h.sum.anomalies, 0);
	assert_int_equal(h.nsites, 700);
	/* site 0x100 + k: the i = k + 700 j below 5000, 8 of them for k < 100 */
	assert_site(&h, 0x100, 8, 64, 8, 64);		/* every i even */
	assert_site(&h, 0x101, 8, 64, 0, 0);		/* every i odd */
	assert_site(&h, 0x100 + 699, 7, 56, 0, 0);	/* 699 + 700 j, all odd */
	nlive = model_heap_live_sorted(&h, &live);
	assert_int_equal(nlive, 2500);
	for (size_t i = 0; i < nlive; i++)
		assert_int_equal(live[i].addr, 0x10000 + 32 * i);
	free(live);
	model_heap_free(&h);
}

/* --- The peak ---------------------------------------------------------- */

/*
 * The peak is the most live bytes; a later equal total is not a new one.
 * At it: A (96, S1), C (200, S2), D (154, S1): 450 bytes in 3 blocks.
 *
 *   A 96 S1      96  1   peak
 *   B 300 S2    396  2   peak
 *   free B       96  1
 *   C 200 S2    296  2
 *   D 154 S1    450  3   peak (the last), at tick 20, time 1050
 *   free A      354  2
 *   E 96 S3 m   450  3   as much, not more: no new peak
 *   free D      296  2
 *   F 8 S3      304  3
 *   G 8 S3      312  4   most blocks, not most bytes
 */
static void
test_peak(void **state)
{
	struct heap_model h;
	struct heap_new_block e = nb(0x5000, 96, S3);

	(void)state;
	model_heap_init(&h);
	model_heap_tick(&h, 10, false);
	alloc(&h, T1, 0x1000, 96, S1);
	alloc(&h, T1, 0x2000, 300, S2);
	model_heap_release(&h, T1, 0x2000, 0);
	alloc(&h, T1, 0x3000, 200, S2);
	model_heap_tick(&h, 20, false);
	alloc(&h, T1, 0x4000, 154, S1);
	model_heap_tick(&h, 30, false);
	model_heap_release(&h, T1, 0x1000, 0);
	e.mmapped = true;
	model_heap_alloc(&h, T1, &e);
	model_heap_release(&h, T1, 0x4000, 0);
	alloc(&h, T1, 0x6000, 8, S3);
	alloc(&h, T1, 0x7000, 8, S3);

	assert_int_equal(h.sum.live_bytes, 312);
	assert_int_equal(h.sum.live_blocks, 4);
	assert_int_equal(h.sum.peak_live_bytes, 450);
	assert_int_equal(h.sum.peak_live_blocks, 4);
	assert_int_equal(h.peak_blocks_then, 3);
	assert_int_equal(h.peak_epoch, 3);		/* A, B, D raised it */
	assert_int_equal(h.peak_time, 96 + 300 + 300 + 200 + 154);
	assert_int_equal(h.peak_ms, 20);
	assert_int_equal(h.sum.allocations, 7);
	assert_int_equal(h.sum.frees, 3);
	assert_int_equal(h.sum.bytes_allocated, 96 + 300 + 200 + 154 + 96 + 8 + 8);

	/* the sites: now, and at the peak */
	assert_site(&h, S1, 2, 250, 0, 0);
	assert_site(&h, S2, 2, 500, 1, 200);
	assert_site(&h, S3, 3, 112, 3, 112);
	assert_site_peak(&h, S1, 250, 2);
	assert_site_peak(&h, S2, 200, 1);	/* unchanged since: its figures now */
	assert_site_peak(&h, S3, 0, 0);		/* born after the peak */

	/* the bins (by hand: 96 in (88, 96] bin 11, 154 in (144, 160] bin 17,
	 * 200 in (192, 208] bin 20, 300 in (288, 304] bin 26, 8 in bin 0) */
	assert_bin(&h, 11, 1, 1, 0, 0);
	assert_bin(&h, 17, 1, 1, 0, 0);
	assert_bin(&h, 20, 1, 0, 1, 200);
	assert_bin(&h, 26, 1, 1, 0, 0);
	assert_bin(&h, 0, 2, 0, 2, 16);
	assert_bin(&h, HEAP_BIN_MMAP, 1, 0, 1, 96);
	assert_bin_peak(&h, 11, 96, 1);
	assert_bin_peak(&h, 17, 154, 1);
	assert_bin_peak(&h, 20, 200, 1);
	assert_bin_peak(&h, 26, 0, 0);
	assert_bin_peak(&h, 0, 0, 0);
	assert_bin_peak(&h, HEAP_BIN_MMAP, 0, 0);
	assert_bin_peak(&h, 12, 0, 0);		/* never used */
	model_heap_free(&h);
}

/* A heap that never held a byte has no peak but the empty heap it began
 * with: every figure at it is 0, blocks of no bytes too. */
static void
test_peak_empty(void **state)
{
	struct heap_model h;

	(void)state;
	model_heap_init(&h);
	alloc(&h, T1, 0x1000, 0, S1);	/* malloc(0): a block of no bytes */
	assert_int_equal(h.sum.peak_live_bytes, 0);
	assert_int_equal(h.sum.peak_live_blocks, 1);
	assert_int_equal(h.peak_epoch, 0);
	assert_site_peak(&h, S1, 0, 0);
	assert_bin(&h, 0, 1, 0, 1, 0);
	assert_bin_peak(&h, 0, 0, 0);
	model_heap_free(&h);
}

/* --- Temporaries -------------------------------------------------------- */

/*
 * A temporary is a block freed (or taken by realloc) with no allocation
 * in between on its thread: frees in between do not matter, nor do other
 * threads' allocations; a block freed by another thread is not one.
 */
static void
test_temporaries(void **state)
{
	struct heap_model h;
	struct heap_new_block g = nb(0x7000, 64, S3);

	(void)state;
	model_heap_init(&h);
	/* allocated and freed at once */
	alloc(&h, T1, 0x1000, 16, S1);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.temporaries, 1);
	/* A, B, free A (B came between: no), free B (a free between: yes) */
	alloc(&h, T1, 0x1000, 16, S1);
	alloc(&h, T1, 0x2000, 16, S2);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.temporaries, 1);
	model_heap_release(&h, T1, 0x2000, 0);
	assert_int_equal(h.sum.temporaries, 2);
	/* another thread's allocation in between does not count */
	alloc(&h, T1, 0x3000, 16, S1);
	alloc(&h, T2, 0x4000, 16, S2);
	model_heap_release(&h, T1, 0x3000, 0);
	assert_int_equal(h.sum.temporaries, 3);
	/* freed by a thread that did not allocate it: no */
	alloc(&h, T1, 0x5000, 16, S1);
	model_heap_release(&h, T2, 0x5000, 0);
	assert_int_equal(h.sum.temporaries, 3);
	/* the thread's last allocation, freed again: an anomaly, no temporary */
	model_heap_release(&h, T1, 0x5000, 0);
	assert_int_equal(h.sum.temporaries, 3);
	assert_int_equal(h.sum.anomalies, 1);
	/* a realloc takes F (a temporary), its new block G is freed next (one) */
	alloc(&h, T1, 0x6000, 32, S3);
	model_heap_realloc_release(&h, T1, 0x6000, 0);
	model_heap_realloc_done(&h, T1, &g);
	assert_int_equal(h.sum.temporaries, 4);
	model_heap_release(&h, T1, 0x7000, 0);
	assert_int_equal(h.sum.temporaries, 5);
	/* per site */
	assert_int_equal(model_heap_site(&h, S1)->temporaries, 2);
	assert_int_equal(model_heap_site(&h, S2)->temporaries, 1);
	assert_int_equal(model_heap_site(&h, S3)->temporaries, 2);
	assert_int_equal(h.sum.live_blocks, 1);		/* T2's 0x4000 */
	model_heap_free(&h);
}

/*
 * A thread's last allocation, once freed, is no longer its last: the same
 * address handed to another thread and freed by the first is a block of
 * the other thread, freed across threads, as 0x5000 above.
 */
static void
test_temporary_reused_address(void **state)
{
	struct heap_model h;

	(void)state;
	model_heap_init(&h);
	alloc(&h, T1, 0x1000, 16, S1);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.temporaries, 1);
	alloc(&h, T2, 0x1000, 16, S2);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.temporaries, 1);
	assert_int_equal(model_heap_site(&h, S2)->temporaries, 0);
	/* and through a realloc */
	alloc(&h, T1, 0x2000, 16, S1);
	model_heap_release(&h, T1, 0x2000, 0);
	alloc(&h, T2, 0x2000, 16, S2);
	model_heap_realloc_release(&h, T1, 0x2000, 0);
	assert_int_equal(h.sum.temporaries, 2);
	assert_int_equal(model_heap_site(&h, S2)->temporaries, 0);
	model_heap_free(&h);
}

/* --- Size bins ---------------------------------------------------------- */

struct bin_case {
	uint64_t	 size;
	size_t		 bin;
};

/*
 * Bins by requested size, worked out from the rule: (8(b-1), 8b] for the
 * 16 first (0 in bin 0), then 16-byte steps from 129 to 1 KiB (bins 16 to
 * 71), then (2^(k-1), 2^k] in bin 61 + k from 1025 on.
 */
static const struct bin_case bin_cases[] = {
	{ 0, 0 }, { 1, 0 }, { 8, 0 }, { 9, 1 }, { 16, 1 }, { 17, 2 },
	{ 120, 14 }, { 121, 15 }, { 128, 15 },
	{ 129, 16 }, { 144, 16 }, { 145, 17 }, { 1008, 70 }, { 1009, 71 },
	{ 1024, 71 },
	{ 1025, 72 }, { 2048, 72 }, { 2049, 73 }, { 4096, 73 }, { 4097, 74 },
	{ (uint64_t)1 << 20, 81 }, { ((uint64_t)1 << 20) + 1, 82 },
	{ HEAP_SIZE_MAX, 103 },
};

static void
test_bins(void **state)
{
	struct heap_model h;

	(void)state;
	for (size_t i = 0; i < NELEM(bin_cases); i++) {
		model_heap_init(&h);
		alloc(&h, T1, 0x1000, bin_cases[i].size, S1);
		if (h.bins[bin_cases[i].bin].allocations != 1)
			fail_msg("size %llu: not in bin %zu",
			    (unsigned long long)bin_cases[i].size, bin_cases[i].bin);
		assert_int_equal(h.bins[bin_cases[i].bin].live_bytes,
		    bin_cases[i].size);
		model_heap_release(&h, T1, 0x1000, 0);
		assert_bin(&h, bin_cases[i].bin, 1, 1, 0, 0);
		model_heap_free(&h);
	}
}

/*
 * A block larger than a block's size keeps (4 TiB: a program may get one
 * where memory is overcommitted) counts as HEAP_SIZE_MAX bytes while live,
 * and its free takes back what it added; as a fork child's inheritance it
 * is live, not taken for one the child freed.
 */
static void
test_huge_block(void **state)
{
	struct heap_model h;
	const uint64_t huge = ((uint64_t)1 << 42) + 100;
	const struct heap_block parent[] = {
		{ .addr = 0x1000, .size = HEAP_SIZE_MAX, .stack = S1 },
	};
	struct heap_block *live;

	(void)state;
	model_heap_init(&h);
	alloc(&h, T1, 0x1000, huge, S1);
	assert_int_equal(h.sum.bytes_allocated, huge);
	assert_int_equal(h.sum.live_bytes, ((uint64_t)1 << 42) - 2);
	assert_site(&h, S1, 1, huge, 1, ((uint64_t)1 << 42) - 2);
	assert_bin(&h, 103, 1, 0, 1, ((uint64_t)1 << 42) - 2);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.live_bytes, 0);
	assert_int_equal(h.sum.live_blocks, 0);
	assert_site(&h, S1, 1, huge, 0, 0);
	assert_bin(&h, 103, 1, 1, 0, 0);
	assert_int_equal(h.bins[103].usable_bytes, 0);
	model_heap_free(&h);

	model_heap_init(&h);
	h.inherits = true;
	model_heap_inherit(&h, parent, NELEM(parent));
	assert_int_equal(model_heap_live_sorted(&h, &live), 1);
	assert_int_equal(live[0].size, HEAP_SIZE_MAX);
	free(live);
	model_heap_free(&h);
}

/* A block the allocator mapped on its own goes to the mmap bin, whatever
 * its size. */
static void
test_bin_mmap(void **state)
{
	struct heap_model h;
	struct heap_new_block a = nb(0x1000, 24, S1), b = nb(0x2000, 1 << 20, S1);

	(void)state;
	model_heap_init(&h);
	a.mmapped = b.mmapped = true;
	model_heap_alloc(&h, T1, &a);
	model_heap_alloc(&h, T1, &b);
	assert_bin(&h, HEAP_BIN_MMAP, 2, 0, 2, 24 + (1 << 20));
	assert_bin(&h, 2, 0, 0, 0, 0);
	assert_bin(&h, 81, 0, 0, 0, 0);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_bin(&h, HEAP_BIN_MMAP, 2, 1, 1, 1 << 20);
	model_heap_free(&h);
}

/* The bounds the views print, and that they tile the sizes. */
static void
test_bin_range(void **state)
{
	static const struct {
		size_t		 bin;
		uint64_t	 min, max;
	} want[] = {
		{ 0, 0, 8 }, { 1, 9, 16 }, { 15, 121, 128 }, { 16, 129, 144 },
		{ 71, 1009, 1024 }, { 72, 1025, 2048 }, { 73, 2049, 4096 },
		{ 103, ((uint64_t)1 << 41) + 1, (uint64_t)1 << 42 },
		{ 124, ((uint64_t)1 << 62) + 1, (uint64_t)1 << 63 },
		{ 125, ((uint64_t)1 << 63) + 1, UINT64_MAX },
		{ HEAP_BIN_MMAP, 0, UINT64_MAX },
	};
	uint64_t min, max, prev_max = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(want); i++) {
		model_heap_bin_range(want[i].bin, &min, &max);
		assert_int_equal(min, want[i].min);
		assert_int_equal(max, want[i].max);
	}
	for (size_t b = 0; b < HEAP_BIN_MMAP; b++) {
		model_heap_bin_range(b, &min, &max);
		if (b > 0)
			assert_int_equal(min, prev_max + 1);
		assert_true(max >= min);
		prev_max = max;
	}
	assert_int_equal(prev_max, UINT64_MAX);
}

/* --- Usable bytes ------------------------------------------------------- */

/* Usable bytes are size + spare when the shim read them; a block whose
 * spare it did not read makes them unknown (and counts as its size). */
static void
test_usable(void **state)
{
	struct heap_model h;
	struct heap_new_block a = nb(0x1000, 24, S1), b = nb(0x2000, 20, S1);
	struct heap_new_block c = nb(0x3000, 4000, S1);

	(void)state;
	model_heap_init(&h);
	a.spare = 8;			/* 24 in bin 2, 32 usable */
	b.spare = 4;			/* 20 in bin 2, 24 usable */
	model_heap_alloc(&h, T1, &a);
	model_heap_alloc(&h, T1, &b);
	assert_int_equal(h.bins[2].usable_bytes, 32 + 24);
	assert_int_equal(h.bins[2].live_bytes, 44);
	assert_false(h.usable_unknown);
	/* more spare than a block keeps: HEAP_SPARE_MAX, 2^21 - 1 */
	c.spare = 3000000;
	model_heap_alloc(&h, T1, &c);
	assert_int_equal(h.bins[73].usable_bytes, 4000 + 2097151);
	model_heap_release(&h, T1, 0x3000, 0);
	assert_int_equal(h.bins[73].usable_bytes, 0);
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.bins[2].usable_bytes, 24);
	/* unknown: the spare given is not taken */
	a.spare_known = false;
	a.spare = 100;
	model_heap_alloc(&h, T1, &a);
	assert_true(h.usable_unknown);
	assert_int_equal(h.bins[2].usable_bytes, 24 + 24);
	model_heap_release(&h, T1, 0x1000, 0);
	model_heap_release(&h, T1, 0x2000, 0);
	assert_int_equal(h.bins[2].usable_bytes, 0);
	assert_true(h.usable_unknown);		/* once unknown, unknown */
	model_heap_free(&h);
}

/* --- realloc ------------------------------------------------------------ */

/*
 * realloc as the model is told it: the old block released (a realloc,
 * not a free), then the new block, moved or in place; a call of its site,
 * not an allocation of the summary. realloc(p, 0) that frees p is a free.
 */
static void
test_realloc_calls(void **state)
{
	struct heap_model h;
	struct heap_new_block moved = nb(0x2000, 200, S2);
	struct heap_new_block in_place = nb(0x2000, 50, S2);

	(void)state;
	model_heap_init(&h);
	moved.fn = in_place.fn = HEAP_FN_REALLOC;
	alloc(&h, T1, 0x1000, 100, S1);
	/* moved: 0x1000 (100) to 0x2000 (200) */
	model_heap_realloc_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.live_blocks, 0);
	model_heap_realloc_done(&h, T1, &moved);
	assert_int_equal(h.sum.allocations, 1);
	assert_int_equal(h.sum.reallocs, 1);
	assert_int_equal(h.sum.frees, 0);
	assert_int_equal(h.sum.bytes_allocated, 300);
	assert_int_equal(h.sum.live_blocks, 1);
	assert_int_equal(h.sum.live_bytes, 200);
	assert_int_equal(h.sum.peak_live_bytes, 200);
	assert_site(&h, S1, 1, 100, 0, 0);
	assert_site(&h, S2, 1, 200, 1, 200);
	assert_int_equal(model_heap_site(&h, S2)->fn, HEAP_FN_REALLOC);
	assert_int_equal(model_heap_site(&h, S1)->fn, HEAP_FN_MALLOC);
	/* in place: 0x2000 shrinks to 50 */
	model_heap_realloc_release(&h, T1, 0x2000, 0);
	model_heap_realloc_done(&h, T1, &in_place);
	assert_int_equal(h.sum.reallocs, 2);
	assert_int_equal(h.sum.bytes_allocated, 350);
	assert_int_equal(h.sum.live_blocks, 1);
	assert_int_equal(h.sum.live_bytes, 50);
	assert_site(&h, S2, 2, 250, 1, 50);
	assert_bin(&h, 20, 1, 1, 0, 0);		/* 200 in (192, 208] */
	assert_bin(&h, 6, 1, 0, 1, 50);		/* 50 in (48, 56] */
	/* the released blocks were each the thread's last: temporaries */
	assert_int_equal(h.sum.temporaries, 2);
	assert_int_equal(h.time_bytes, 100 + 100 + 200 + 200 + 50);
	/* realloc(p, 0) freed it */
	model_heap_release(&h, T1, 0x2000, 0);
	assert_int_equal(h.sum.frees, 1);
	assert_int_equal(h.sum.reallocs, 2);
	assert_int_equal(h.sum.live_blocks, 0);
	assert_int_equal(h.sum.live_bytes, 0);
	/* a realloc of a block never seen: a realloc, and an anomaly */
	model_heap_realloc_release(&h, T1, 0x9000, 0);
	assert_int_equal(h.sum.reallocs, 3);
	assert_int_equal(h.sum.anomalies, 1);
	model_heap_free(&h);
}

/* --- Lifetimes ---------------------------------------------------------- */

struct life_case {
	uint64_t	 ticks;
	size_t		 bucket;
};

/* Blocks born at tick 1000000 and ended after ticks, at 1 ns a tick and
 * at 2 ns a tick: each bucket i holds [max[i - 1], max[i]). */
static void
check_lifetimes(double ns_per_tick, const struct life_case *c, size_t n)
{
	struct heap_model h;
	const uint64_t born = 1000000;
	uint64_t want[HEAP_LIFETIMES] = { 0 };

	model_heap_init(&h);
	model_heap_set_clock(&h, ns_per_tick);
	assert_true(model_heap_stats_measured(&h));
	for (size_t i = 0; i < n; i++) {
		struct heap_new_block b = nb(0x1000 + 16 * i, 8, S1);

		b.time = born;
		model_heap_alloc(&h, T1, &b);
		model_heap_release(&h, T1, b.addr, born + c[i].ticks);
		want[c[i].bucket]++;
	}
	for (size_t i = 0; i < HEAP_LIFETIMES; i++) {
		if (h.lifetimes[i] != want[i])
			fail_msg("%g ns a tick: bucket %zu (%s) has %llu, not %llu",
			    ns_per_tick, i, heap_lifetime_names[i],
			    (unsigned long long)h.lifetimes[i],
			    (unsigned long long)want[i]);
		assert_int_equal(model_heap_site(&h, S1)->lifetimes[i], want[i]);
	}
	model_heap_free(&h);
}

static void
test_lifetimes(void **state)
{
	static const struct life_case one_ns[] = {
		{ 0, 0 }, { 999, 0 }, { 1000, 1 }, { 9999, 1 }, { 10000, 2 },
		{ 99999, 2 }, { 100000, 3 }, { 999999, 3 }, { 1000000, 4 },
		{ 9999999, 4 }, { 10000000, 5 }, { 99999999, 5 },
		{ 100000000, 6 }, { 999999999, 6 }, { 1000000000, 7 },
		{ 9999999999, 7 }, { 10000000000, 8 }, { 59999999999, 8 },
		{ 60000000000, 9 }, { 600000000000, 9 },
	};
	static const struct life_case two_ns[] = {
		{ 499, 0 }, { 500, 1 }, { 4999, 1 }, { 5000, 2 },
		{ 29999999999, 8 }, { 30000000000, 9 },
	};

	(void)state;
	assert_int_equal(heap_lifetime_max_ns[0], 1000);
	assert_int_equal(heap_lifetime_max_ns[HEAP_LIFETIMES - 2], 60000000000);
	check_lifetimes(1.0, one_ns, NELEM(one_ns));
	check_lifetimes(2.0, two_ns, NELEM(two_ns));
}

/* No lifetime without a clock, a birth or an end; a free that seems to
 * come before the birth (another CPU's clock) lived under 1 us. */
static void
test_lifetimes_unknown(void **state)
{
	struct heap_model h;
	struct heap_new_block b = nb(0x1000, 8, S1);

	(void)state;
	model_heap_init(&h);
	model_heap_set_clock(&h, 0);
	assert_false(model_heap_stats_measured(&h));
	b.time = 100;
	model_heap_alloc(&h, T1, &b);
	model_heap_release(&h, T1, 0x1000, 5000);
	model_heap_set_clock(&h, 1.0);
	b.time = 0;					/* born: unknown */
	model_heap_alloc(&h, T1, &b);
	model_heap_release(&h, T1, 0x1000, 5000);
	b.time = 100;
	model_heap_alloc(&h, T1, &b);
	model_heap_release(&h, T1, 0x1000, 0);		/* ended: unknown */
	for (size_t i = 0; i < HEAP_LIFETIMES; i++)
		assert_int_equal(h.lifetimes[i], 0);
	b.time = 5000;
	model_heap_alloc(&h, T1, &b);
	model_heap_release(&h, T1, 0x1000, 4990);	/* "before" its birth */
	assert_int_equal(h.lifetimes[0], 1);
	/* a realloc ends the old block too */
	b.time = 1000;
	model_heap_alloc(&h, T1, &b);
	model_heap_realloc_release(&h, T1, 0x1000, 1000 + 20000);
	assert_int_equal(h.lifetimes[2], 1);
	model_heap_free(&h);
}

/* --- Anomalies ---------------------------------------------------------- */

/*
 * A free of an address never allocated is an anomaly, not a free; in a
 * fork child it is a block of its parent's, in a process joined by attach
 * one from before. A second allocation at a live address: an anomaly, the
 * old block dropped (not freed), the new one live.
 */
static void
test_anomalies(void **state)
{
	struct heap_model h;

	(void)state;
	model_heap_init(&h);
	alloc(&h, T1, 0x1000, 100, S1);
	model_heap_release(&h, T1, 0x8000, 0);
	assert_int_equal(h.sum.anomalies, 1);
	assert_int_equal(h.sum.frees, 0);
	assert_int_equal(h.sum.live_blocks, 1);
	assert_int_equal(h.sum.live_bytes, 100);
	assert_int_equal(h.sum.inherited_frees, 0);
	assert_int_equal(h.sum.frees_before_attach, 0);

	alloc(&h, T1, 0x1000, 40, S2);
	assert_int_equal(h.sum.anomalies, 2);
	assert_int_equal(h.sum.allocations, 2);
	assert_int_equal(h.sum.frees, 0);
	assert_int_equal(h.sum.bytes_allocated, 140);
	assert_int_equal(h.sum.live_blocks, 1);
	assert_int_equal(h.sum.live_bytes, 40);
	assert_int_equal(h.sum.peak_live_bytes, 100);
	assert_site(&h, S1, 1, 100, 0, 0);
	assert_site(&h, S2, 1, 40, 1, 40);
	assert_bin(&h, 12, 1, 1, 0, 0);		/* 100 in (96, 104] */
	assert_bin(&h, 4, 1, 0, 1, 40);		/* 40 in (32, 40] */
	model_heap_release(&h, T1, 0x1000, 0);
	assert_int_equal(h.sum.frees, 1);
	assert_int_equal(h.sum.live_blocks, 0);
	assert_int_equal(h.sum.live_bytes, 0);

	h.inherits = true;
	model_heap_release(&h, T1, 0x8000, 0);
	assert_int_equal(h.sum.inherited_frees, 1);
	h.inherits = false;
	h.attached = true;
	model_heap_release(&h, T1, 0x8000, 0);
	assert_int_equal(h.sum.frees_before_attach, 1);
	assert_int_equal(h.sum.anomalies, 2);
	assert_int_equal(h.sum.frees, 1);
	model_heap_free(&h);
}

/* A fork child's inheritance: live in it, freed by it, not its own. */
static void
test_inherited(void **state)
{
	struct heap_model h;
	const struct heap_block parent[] = {
		{ .addr = 0x1000, .size = 10, .stack = S1 },
		{ .addr = 0x2000, .size = 20, .stack = S1 },
		{ .addr = 0x3000, .size = 30, .stack = S2 },
	};
	struct heap_block *live;
	size_t n;

	(void)state;
	model_heap_init(&h);
	h.inherits = true;
	model_heap_inherit(&h, parent, NELEM(parent));
	model_heap_release(&h, T1, 0x2000, 0);
	alloc(&h, T1, 0x2800, 5, S3);
	model_heap_release(&h, T1, 0x3000, 0);
	alloc(&h, T1, 0x3000, 7, S3);		/* the address reused */
	assert_int_equal(h.sum.inherited_frees, 2);
	assert_int_equal(h.sum.anomalies, 0);
	assert_int_equal(h.sum.frees, 0);
	assert_int_equal(h.sum.live_blocks, 2);
	assert_int_equal(h.sum.live_bytes, 12);
	n = model_heap_live_sorted(&h, &live);
	assert_int_equal(n, 3);
	assert_int_equal(live[0].addr, 0x1000);
	assert_int_equal(live[0].size, 10);
	assert_int_equal(live[1].addr, 0x2800);
	assert_int_equal(live[1].size, 5);
	assert_int_equal(live[2].addr, 0x3000);
	assert_int_equal(live[2].size, 7);
	free(live);
	model_heap_free(&h);
}

/* --- Orders of the sites ------------------------------------------------ */

/*
 * Five sites (thread 1 throughout):
 *   S4 1000 @W, S1 200 @X, S2 600 @Y (the peak: 1800), free W, X, Y
 *   (Y the last allocated: a temporary), S1 300, S2 300, ten times S3 10
 *   freed at once (ten temporaries), S5 1.
 *          live  allocated  allocations  temporaries  at the peak
 *   S1     300   500        2            0            200
 *   S2     300   900        2            1            600
 *   S3       0   100       10           10              0
 *   S4       0  1000        1            0           1000
 *   S5       1     1        1            0              0
 */
static void
sites_setup(struct heap_model *h)
{
	model_heap_init(h);
	alloc(h, T1, 0x1000, 1000, S4);
	alloc(h, T1, 0x2000, 200, S1);
	alloc(h, T1, 0x3000, 600, S2);
	model_heap_release(h, T1, 0x1000, 0);
	model_heap_release(h, T1, 0x2000, 0);
	model_heap_release(h, T1, 0x3000, 0);
	alloc(h, T1, 0x4000, 300, S1);
	alloc(h, T1, 0x5000, 300, S2);
	for (int i = 0; i < 10; i++) {
		alloc(h, T1, 0x6000, 10, S3);
		model_heap_release(h, T1, 0x6000, 0);
	}
	alloc(h, T1, 0x7000, 1, S5);
}

static void
assert_order(const struct heap_model *h, enum heap_site_order order, size_t n,
    const uint64_t *want, size_t nwant)
{
	struct heap_site *v;
	size_t k = model_heap_top_sites(h, model_heap_site_order(order), n, &v);

	assert_int_equal(k, nwant);
	for (size_t i = 0; i < k; i++)
		if (v[i].stack != want[i])
			fail_msg("order %s, top %zu: %zu is %#llx, not %#llx",
			    heap_site_order_names[order], n, i,
			    (unsigned long long)v[i].stack,
			    (unsigned long long)want[i]);
	free(v);
}

static void
test_site_orders(void **state)
{
	static const struct {
		enum heap_site_order order;
		uint64_t	 want[5];
	} orders[] = {
		{ SITES_BY_LIVE, { S2, S1, S5, S4, S3 } },
		{ SITES_BY_ALLOCATED, { S4, S2, S1, S3, S5 } },
		{ SITES_BY_ALLOCATIONS, { S3, S2, S1, S4, S5 } },
		{ SITES_BY_PEAK, { S4, S2, S1, S3, S5 } },
		{ SITES_BY_TEMPORARY, { S3, S2, S1, S4, S5 } },
	};
	struct heap_model h;

	(void)state;
	sites_setup(&h);
	assert_int_equal(h.nsites, 5);
	assert_int_equal(h.sum.peak_live_bytes, 1800);
	assert_int_equal(h.sum.temporaries, 11);
	for (size_t i = 0; i < NELEM(orders); i++) {
		/* all, the first 3 (sorted then cut), the first (kept in a heap) */
		assert_order(&h, orders[i].order, 0, orders[i].want, 5);
		assert_order(&h, orders[i].order, 3, orders[i].want, 3);
		assert_order(&h, orders[i].order, 1, orders[i].want, 1);
	}
	assert_ptr_equal(model_heap_site_order(SITES_BY_LIVE),
	    model_heap_site_by_live);
	assert_ptr_equal(model_heap_site_order(SITES_BY_ALLOCATED),
	    model_heap_site_by_allocated);
	assert_string_equal(heap_site_order_names[SITES_BY_TEMPORARY], "temporary");
	assert_null(heap_site_order_names[SITES_BY_TEMPORARY + 1]);
	model_heap_free(&h);
}

/* The sites the top gives carry their figures at the peak. */
static void
test_top_sites_peak(void **state)
{
	static const uint64_t want[][2] = {
		{ S4, 1000 }, { S2, 600 }, { S1, 200 }, { S3, 0 }, { S5, 0 },
	};
	struct heap_model h;
	struct heap_site *v;
	size_t n;

	(void)state;
	sites_setup(&h);
	n = model_heap_top_sites(&h, model_heap_site_order(SITES_BY_PEAK), 0, &v);
	assert_int_equal(n, NELEM(want));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].stack, want[i][0]);
		assert_int_equal(v[i].peak_bytes, want[i][1]);
	}
	free(v);
	n = model_heap_top_sites(&h, model_heap_site_order(SITES_BY_PEAK), 1, &v);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].peak_bytes, 1000);
	assert_int_equal(v[0].peak_blocks, 1);
	free(v);
	model_heap_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_peak),
		cmocka_unit_test(test_peak_empty),
		cmocka_unit_test(test_temporaries),
		cmocka_unit_test(test_temporary_reused_address),
		cmocka_unit_test(test_bins),
		cmocka_unit_test(test_huge_block),
		cmocka_unit_test(test_bin_mmap),
		cmocka_unit_test(test_bin_range),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_realloc_calls),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_lifetimes_unknown),
		cmocka_unit_test(test_anomalies),
		cmocka_unit_test(test_inherited),
		cmocka_unit_test(test_site_orders),
		cmocka_unit_test(test_top_sites_peak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of finding glibc's main_arena in libc's data
 * (leak_roots_find_main_arena, src/leak-roots.c): its bins and top point at
 * chunk headers, so they must not be roots. Each test lays out glibc
 * 2.36's struct malloc_state on x86-64 in a buffer of words read from a
 * made-up address:
 *
 *	  0	mutex, flags, have_fastchunks (16 bytes)
 *	 16	fastbinsY[10]
 *	 96	top
 *	104	last_remainder
 *	112	bins[254]: 127 pairs (fd, bk); an empty bin's pair holds
 *		bin_at(i), the pair's address less 16, twice
 *     2144	binmap[4] (16 bytes)
 *     2160	next, next_free, attached_threads, system_mem, max_system_mem
 *
 * The range to leave out is [arena + 16, arena + 112 + 127 * 16).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "leak-roots.h"

#define LIBC_DATA	0x7ffff7f9a000ull	/* where the words were read */
#define NWORDS		2048			/* 16 KiB of libc's data */

#define OFF_FASTBINS	16
#define OFF_TOP		96
#define OFF_REMAINDER	104
#define OFF_BINS	112
#define NBINS		127			/* pairs */
#define OFF_BINMAP	(OFF_BINS + NBINS * 16)	/* 2144 */
#define OFF_NEXT	(OFF_BINMAP + 16)
#define ARENA_SIZE	(OFF_NEXT + 5 * 8)	/* 2200 */

#define CHUNK(n)	(0x555555559000ull + 0x40 * (n))	/* heap chunks */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Noise that is not an arena: small numbers, heap and libc addresses. */
static void
fill_noise(uint64_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next_random();

		switch (r % 4) {
		case 0:
			w[i] = 0;
			break;
		case 1:
			w[i] = r % 4096;
			break;
		case 2:
			w[i] = CHUNK(r % 1000);
			break;
		default:
			w[i] = LIBC_DATA + (r % (8 * NWORDS));
			break;
		}
	}
}

static void
set(uint64_t *w, size_t byte_off, uint64_t v)
{
	assert_int_equal(byte_off % 8, 0);
	w[byte_off / 8] = v;
}

/*
 * main_arena at byte offset off of the buffer read at start; bins listed in
 * used (pair indexes 0..126, bin i is pair i - 1) hold chunks.
 */
static void
lay_arena(uint64_t *w, uint64_t start, size_t off, const bool *used)
{
	uint64_t arena = start + off;

	set(w, off + 0, 0x0000000200000000ull);	/* mutex 0, flags 2 */
	set(w, off + 8, 1);			/* have_fastchunks */
	for (size_t i = 0; i < 10; i++)
		set(w, off + OFF_FASTBINS + 8 * i, i % 3 == 0 ? CHUNK(i) : 0);
	set(w, off + OFF_TOP, 0x55555557a000ull);
	set(w, off + OFF_REMAINDER, 0);
	for (size_t k = 0; k < NBINS; k++) {
		uint64_t pair = arena + OFF_BINS + 16 * k;

		if (used != NULL && used[k]) {
			set(w, off + OFF_BINS + 16 * k, CHUNK(100 + k));
			set(w, off + OFF_BINS + 16 * k + 8, CHUNK(300 + k));
		} else {
			set(w, off + OFF_BINS + 16 * k, pair - 16);
			set(w, off + OFF_BINS + 16 * k + 8, pair - 16);
		}
	}
	set(w, off + OFF_BINMAP, 0x0000000400000022ull);
	set(w, off + OFF_BINMAP + 8, 0x4000000000000000ull);
	set(w, off + OFF_NEXT, arena);		/* next: itself */
	set(w, off + OFF_NEXT + 8, 0);		/* next_free */
	set(w, off + OFF_NEXT + 16, 1);		/* attached_threads */
	set(w, off + OFF_NEXT + 24, 0x21000);	/* system_mem */
	set(w, off + OFF_NEXT + 32, 0x21000);	/* max_system_mem */
}

static void
assert_arena(const uint64_t *w, size_t n, uint64_t start, uint64_t arena)
{
	struct leak_range r = { 1, 1 };

	assert_true(leak_roots_find_main_arena(w, n, start, &r));
	assert_int_equal(r.start, arena + 16);
	assert_int_equal(r.end, arena + 112 + 127 * 16);
}

static void
assert_no_arena(const uint64_t *w, size_t n, uint64_t start)
{
	struct leak_range r = { 1, 2 };

	assert_false(leak_roots_find_main_arena(w, n, start, &r));
}

/* A typical arena after some frees: the unsorted bin, a few small and
 * large bins hold chunks. */
static void
test_arena_found(void **state)
{
	static const size_t offs[] = { 0x8a0, 0x8a8, 0x1000, 0x2c8 };
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	bool used[NBINS] = { false };

	(void)state;
	assert_non_null(w);
	used[0] = used[5] = used[63] = used[125] = true;
	/* 16- and 8-aligned arenas alike */
	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		fill_noise(w, NWORDS);
		lay_arena(w, LIBC_DATA, offs[k], used);
		assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + offs[k]);
	}
	free(w);
}

/* A fresh arena: every bin empty. */
static void
test_arena_all_empty(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));

	(void)state;
	assert_non_null(w);
	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, 0x4f0, NULL);
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + 0x4f0);
	free(w);
}

/* The arena at the very start of the words, and one whose bins end the
 * words. */
static void
test_arena_at_the_edges(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	bool used[NBINS] = { false };
	size_t off = 0x600;

	(void)state;
	assert_non_null(w);
	used[0] = used[1] = used[40] = true;
	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, 0, used);
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA);

	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, off, used);
	assert_arena(w, (off + OFF_BINMAP) / 8, LIBC_DATA, LIBC_DATA + off);
	free(w);
}

/* Something shaped like an empty bin far before the arena does not move
 * it; a lone word shaped like half of one right after it is no bin. */
static void
test_arena_after_stray_pair(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	size_t off = 0x1400;

	(void)state;
	assert_non_null(w);
	fill_noise(w, NWORDS);
	w[4] = LIBC_DATA + 32 - 16;
	w[5] = LIBC_DATA + 32 - 16;
	lay_arena(w, LIBC_DATA, off, NULL);
	w[(off + ARENA_SIZE) / 8] = LIBC_DATA + off + ARENA_SIZE - 16;
	w[(off + ARENA_SIZE) / 8 + 1] = 7;
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + off);
	free(w);
}

/* 32 empty bins are enough (the last 32), 31 are not. */
static void
test_too_few_empty_bins(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	bool used[NBINS];
	size_t off = 0x300;

	(void)state;
	assert_non_null(w);
	for (size_t k = 0; k < NBINS; k++)
		used[k] = k < NBINS - 32;
	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, off, used);
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + off);

	used[NBINS - 32] = true;
	lay_arena(w, LIBC_DATA, off, used);
	assert_no_arena(w, NWORDS, LIBC_DATA);
	free(w);
}

static void
test_no_arena(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	uint64_t one = LIBC_DATA - 16;

	(void)state;
	assert_non_null(w);
	/* zeros */
	assert_no_arena(w, NWORDS, LIBC_DATA);
	/* random words */
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < NWORDS; i++)
			w[i] = next_random();
		assert_no_arena(w, NWORDS, LIBC_DATA);
		fill_noise(w, NWORDS);
		assert_no_arena(w, NWORDS, LIBC_DATA);
	}
	/* nothing, or one word */
	assert_no_arena(w, 0, LIBC_DATA);
	assert_no_arena(&one, 1, LIBC_DATA);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_found),
		cmocka_unit_test(test_arena_all_empty),
		cmocka_unit_test(test_arena_at_the_edges),
		cmocka_unit_test(test_arena_after_stray_pair),
		cmocka_unit_test(test_too_few_empty_bins),
		cmocka_unit_test(test_no_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

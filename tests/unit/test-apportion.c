/* SPDX-License-Identifier: ISC */
/* Unit tests of the largest remainder shares (src/util/apportion.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apportion.h"

/* 10 among 1:1:1: 3 each, the one left to the first of equal remainders. */
static void
test_bytes_equal_weights(void **state)
{
	const uint64_t w[3] = { 5, 5, 5 };
	uint64_t out[3];

	(void)state;
	apportion_bytes(10, w, 3, out);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 3);
}

/*
 * 100 among 1:2:3 (exact 16.67, 33.33, 50): 16, 33, 50 and the one left to
 * the largest remainder, the first part's; the sum is exact even where the
 * weights are near 2^64.
 */
static void
test_bytes_remainders(void **state)
{
	const uint64_t w[3] = { 1, 2, 3 }, big[2] = { UINT64_MAX / 2, UINT64_MAX / 2 };
	uint64_t out[3];

	(void)state;
	apportion_bytes(100, w, 3, out);
	assert_int_equal(out[0], 17);
	assert_int_equal(out[1], 33);
	assert_int_equal(out[2], 50);
	apportion_bytes(UINT64_MAX, big, 2, out);
	assert_true(out[0] + out[1] == UINT64_MAX);
	/* no weight: all to the first */
	apportion_bytes(7, (const uint64_t[2]){ 0, 0 }, 2, out);
	assert_int_equal(out[0], 7);
	assert_int_equal(out[1], 0);
}

/*
 * A bar of 10 cells among sizes 1, 0, 1000, 3: a cell each for the three
 * that have any, the 7 left by size (0.007, 6.97, 0.02): 6, then the one
 * left to the largest remainder, the third part's.
 */
static void
test_cells(void **state)
{
	const uint64_t w[4] = { 1, 0, 1000, 3 };
	int cells[4];

	(void)state;
	assert_int_equal(apportion_cells(10, w, 4, cells), 10);
	assert_int_equal(cells[0], 1);
	assert_int_equal(cells[1], 0);
	assert_int_equal(cells[2], 8);
	assert_int_equal(cells[3], 1);
	/* fewer cells than parts: a cell each all the same, more than width */
	assert_int_equal(apportion_cells(2, w, 4, cells), 3);
	/* nothing at all: no cell */
	assert_int_equal(apportion_cells(10, (const uint64_t[2]){ 0, 0 }, 2, cells), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_equal_weights),
		cmocka_unit_test(test_bytes_remainders),
		cmocka_unit_test(test_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

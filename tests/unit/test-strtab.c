/* SPDX-License-Identifier: ISC */
/* Unit tests of the string interner (src/util/strtab.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strtab.h"

/* Enough to grow the table (64 slots at first) eight times over. */
#define NSTRINGS 10000

static void
test_same_pointer(void **state)
{
	struct strtab t = { 0 };
	char a[] = "[heap]", b[] = "[heap]";
	const char *x, *y, *z;

	(void)state;
	x = strtab_intern(&t, a);
	y = strtab_intern(&t, b);
	z = strtab_intern(&t, "[stack]");
	assert_ptr_equal(x, y);
	/* the table's own copy: the caller's buffer may be reused */
	assert_ptr_not_equal(x, a);
	assert_ptr_not_equal(x, b);
	assert_ptr_not_equal(x, z);
	assert_string_equal(x, "[heap]");
	assert_string_equal(z, "[stack]");
	a[1] = 'X';
	assert_string_equal(x, "[heap]");
	assert_int_equal(t.count, 2);

	/* the empty string is a string like any other */
	x = strtab_intern(&t, "");
	assert_ptr_equal(strtab_intern(&t, ""), x);
	assert_string_equal(x, "");
	assert_int_equal(t.count, 3);
	strtab_free(&t);
	assert_null(t.slots);
	assert_int_equal(t.count, 0);
	assert_int_equal(t.nslots, 0);
}

static void
test_growth(void **state)
{
	struct strtab t = { 0 };
	const char **ptrs;
	char name[32];

	(void)state;
	ptrs = calloc(NSTRINGS, sizeof(*ptrs));
	assert_non_null(ptrs);
	for (size_t i = 0; i < NSTRINGS; i++) {
		snprintf(name, sizeof(name), "/usr/lib/lib%zu.so", i);
		ptrs[i] = strtab_intern(&t, name);
		assert_string_equal(ptrs[i], name);
		/* the earliest string survives every rehash */
		assert_string_equal(ptrs[0], "/usr/lib/lib0.so");
	}
	assert_int_equal(t.count, NSTRINGS);
	for (size_t i = 0; i < NSTRINGS; i++) {
		snprintf(name, sizeof(name), "/usr/lib/lib%zu.so", i);
		assert_ptr_equal(strtab_intern(&t, name), ptrs[i]);
		assert_string_equal(ptrs[i], name);
	}
	/* re-interning added nothing */
	assert_int_equal(t.count, NSTRINGS);
	/* no two distinct strings share a copy */
	for (size_t i = 1; i < NSTRINGS; i++)
		assert_ptr_not_equal(ptrs[i], ptrs[i - 1]);
	strtab_free(&t);
	free(ptrs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_pointer),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

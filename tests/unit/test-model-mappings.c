/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the program's own mappings (src/model/model-mappings.c): what
 * its mmap, munmap and mremap leave as the program's, page by page, the
 * ranges kept sorted, disjoint and joined.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "model-mappings.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define A		0x7f0000000000ull
#define P		4096ull
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)

static void
assert_set(const struct mapping_set *s, const struct mapping_range *want,
    size_t n)
{
	for (size_t i = 0; i < s->n && i < n; i++) {
		assert_int_equal(s->ranges[i].start, want[i].start);
		assert_int_equal(s->ranges[i].end, want[i].end);
	}
	assert_int_equal(s->n, n);
}

/* Mappings in any order, adjacent ones joined; lengths rounded up to a
 * page; shared and file mappings are not the program's anonymous memory. */
static void
test_map(void **state)
{
	struct mapping_set s = { 0 };
	const struct mapping_range want[] = { { A, A + 3 * P },
	    { A + 5 * P, A + 6 * P } };

	(void)state;
	model_mappings_mmap(&s, A + 2 * P, P, ANON);
	model_mappings_mmap(&s, A, 100, ANON);
	model_mappings_mmap(&s, A + 5 * P, P, ANON);
	model_mappings_mmap(&s, A + P, P, ANON);	/* joins the two first */
	model_mappings_mmap(&s, A + 10 * P, P, MAP_SHARED | MAP_ANONYMOUS);
	model_mappings_mmap(&s, A + 12 * P, P, MAP_PRIVATE);
	assert_set(&s, want, NELEM(want));
	assert_int_equal(model_mappings_find(&s, A + 3 * P), 1);
	assert_int_equal(model_mappings_find(&s, A + 6 * P), 2);
	model_mappings_free(&s);
}

/* munmap cuts anywhere: a hole in one range, ends of two, whole ones;
 * a file mapped with MAP_FIXED over the program's memory takes it. */
static void
test_unmap(void **state)
{
	struct mapping_set s = { 0 };
	const struct mapping_range want[] = { { A, A + P },
	    { A + 2 * P, A + 3 * P }, { A + 9 * P, A + 10 * P },
	    { A + 11 * P, A + 12 * P } };

	(void)state;
	model_mappings_mmap(&s, A, 4 * P, ANON);
	model_mappings_mmap(&s, A + 5 * P, P, ANON);
	model_mappings_mmap(&s, A + 7 * P, 5 * P, ANON);
	model_mappings_munmap(&s, A + P, P);		/* a hole */
	model_mappings_munmap(&s, A + 3 * P, 6 * P);	/* two ends, one whole */
	model_mappings_mmap(&s, A + 10 * P, P, MAP_PRIVATE | MAP_FIXED);
	assert_set(&s, want, NELEM(want));
	model_mappings_munmap(&s, 0, A + 20 * P);
	assert_set(&s, NULL, 0);
	model_mappings_free(&s);
}

/* mremap moves what was the program's; a range that was not stays not. */
static void
test_remap(void **state)
{
	struct mapping_set s = { 0 }, c;
	const struct mapping_range want[] = { { A + 8 * P, A + 11 * P } };

	(void)state;
	model_mappings_mmap(&s, A, 2 * P, ANON);
	model_mappings_mremap(&s, A, 2 * P, A + 8 * P, 3 * P);
	model_mappings_mremap(&s, A + 20 * P, P, A + 30 * P, 2 * P);
	assert_set(&s, want, NELEM(want));
	model_mappings_copy(&c, &s);
	model_mappings_free(&s);
	assert_set(&c, want, NELEM(want));
	model_mappings_free(&c);
}

/*
 * The data segment grown by the program: every page it reaches is its
 * (a page it shares with malloc's part too); given back: only the pages
 * wholly above the new end leave.
 */
static void
test_brk(void **state)
{
	struct mapping_set s = { 0 };
	const struct mapping_range grown[] = { { A, A + 3 * P } };
	const struct mapping_range shrunk[] = { { A, A + 2 * P } };

	(void)state;
	model_mappings_brk(&s, A + 100, A + 2 * P + 8);
	assert_set(&s, grown, NELEM(grown));
	model_mappings_brk(&s, A + 2 * P + 8, A + 2 * P + 8);	/* sbrk(0) */
	assert_set(&s, grown, NELEM(grown));
	model_mappings_brk(&s, A + 2 * P + 8, A + P + 1);
	assert_set(&s, shrunk, NELEM(shrunk));
	model_mappings_brk(&s, A + P + 1, A);
	assert_int_equal(s.n, 0);
	model_mappings_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_remap),
		cmocka_unit_test(test_brk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

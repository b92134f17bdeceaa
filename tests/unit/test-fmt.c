/* SPDX-License-Identifier: ISC */
/* Unit tests of the human-readable figures (src/util/fmt.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fmt.h"

#define KIB	1024ULL
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)
#define EIB	(1024 * 1024 * 1024 * GIB)

static void
test_size(void **state)
{
	static const struct {
		uint64_t	 bytes;
		const char	*want;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1B" },
		{ 512, "512B" },
		{ 1023, "1023B" },
		{ KIB, "1.0K" },
		{ 4096, "4.0K" },
		/* 9.949K still has a decimal; 9.950K rounds to 10 */
		{ 10188, "9.9K" },
		{ 10189, "10K" },
		{ 135168, "132K" },
		/* 1023.499K and 1023.5K: the second would print "1024K" */
		{ 1048063, "1023K" },
		{ 1048064, "1.0M" },
		/* 1023.9K */
		{ 1048474, "1.0M" },
		{ MIB, "1.0M" },
		{ MIB + MIB / 2, "1.5M" },
		{ 64 * MIB, "64M" },
		{ 1023 * MIB, "1023M" },
		{ 2 * GIB, "2.0G" },
		{ 1024 * GIB, "1.0T" },
		{ EIB, "1.0E" },
		/* nothing above E: 16E, not "0.0Z" */
		{ UINT64_MAX, "16E" },
	};
	char buf[FMT_SIZE_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = fmt_size(buf, cases[i].bytes);

		assert_ptr_equal(got, buf);
		assert_string_equal(got, cases[i].want);
	}
}

static void
test_percent(void **state)
{
	static const struct {
		uint64_t	 part;
		uint64_t	 whole;
		const char	*want;
	} cases[] = {
		{ 0, 0, "-" },
		{ 5, 0, "-" },
		{ 0, 100, "0%" },
		{ 71, 100, "71%" },
		{ 100, 100, "100%" },
		{ 17, 1000, "1.7%" },
		{ 994, 10000, "9.9%" },
		{ 1, 1000, "0.1%" },
		{ 4, 10000, "0.04%" },
		{ 1, 3, "33%" },
		{ 2, 3, "67%" },
		/* more than the whole: a share of pss above rss, say */
		{ 3, 2, "150%" },
	};
	char buf[FMT_SIZE_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = fmt_percent(buf, cases[i].part,
		    cases[i].whole);

		assert_ptr_equal(got, buf);
		assert_string_equal(got, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

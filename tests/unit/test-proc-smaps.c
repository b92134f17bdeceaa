/* SPDX-License-Identifier: ISC */
/* Unit tests of the smaps and smaps_rollup parsers (src/proc/proc-smaps.c). */
#include "config.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc-smaps.h"

#define KB(n) ((uint64_t)(n) * 1024)

/*
 * Three entries in the format of Linux 6.x. The first has a different
 * figure in every field, so a value stored in the wrong field shows; the
 * others are real entries of cat(1).
 */
static const char smaps_text[] =
    "55db21466000-55db21468000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
    "Size:                  8 kB\n"
    "KernelPageSize:        4 kB\n"
    "MMUPageSize:           4 kB\n"
    "Rss:                  28 kB\n"
    "Pss:                  17 kB\n"
    "Pss_Dirty:             3 kB\n"
    "Shared_Clean:         12 kB\n"
    "Shared_Dirty:          4 kB\n"
    "Private_Clean:         8 kB\n"
    "Private_Dirty:         5 kB\n"
    "Referenced:           24 kB\n"
    "Anonymous:             6 kB\n"
    "KSM:                   7 kB\n"
    "LazyFree:              9 kB\n"
    "AnonHugePages:      2048 kB\n"
    "ShmemPmdMapped:       10 kB\n"
    "FilePmdMapped:        11 kB\n"
    "Shared_Hugetlb:       13 kB\n"
    "Private_Hugetlb:      14 kB\n"
    "Swap:                 36 kB\n"
    "SwapPss:              18 kB\n"
    "Locked:               20 kB\n"
    "THPeligible:           0\n"
    "ProtectionKey:         0\n"
    "VmFlags: rd mr mw me \n"
    "55a242aeb000-55a242b0c000 rw-p 00000000 00:00 0                          [heap]\n"
    "Size:                132 kB\n"
    "KernelPageSize:        4 kB\n"
    "MMUPageSize:           4 kB\n"
    "Rss:                  16 kB\n"
    "Pss:                  16 kB\n"
    "Pss_Dirty:            16 kB\n"
    "Shared_Clean:          0 kB\n"
    "Shared_Dirty:          0 kB\n"
    "Private_Clean:         0 kB\n"
    "Private_Dirty:        16 kB\n"
    "Referenced:           16 kB\n"
    "Anonymous:            16 kB\n"
    "KSM:                   0 kB\n"
    "LazyFree:              0 kB\n"
    "AnonHugePages:         0 kB\n"
    "ShmemPmdMapped:        0 kB\n"
    "FilePmdMapped:         0 kB\n"
    "Shared_Hugetlb:        0 kB\n"
    "Private_Hugetlb:       0 kB\n"
    "Swap:                  0 kB\n"
    "SwapPss:               0 kB\n"
    "Locked:                0 kB\n"
    "THPeligible:           0\n"
    "ProtectionKey:         0\n"
    "VmFlags: rd wr mr mw me ac \n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
    "Size:                  4 kB\n"
    "KernelPageSize:        4 kB\n"
    "MMUPageSize:           4 kB\n"
    "Rss:                   0 kB\n"
    "Pss:                   0 kB\n"
    "Pss_Dirty:             0 kB\n"
    "Shared_Clean:          0 kB\n"
    "Shared_Dirty:          0 kB\n"
    "Private_Clean:         0 kB\n"
    "Private_Dirty:         0 kB\n"
    "Referenced:           0 kB\n"
    "Anonymous:             0 kB\n"
    "KSM:                   0 kB\n"
    "LazyFree:              0 kB\n"
    "AnonHugePages:         0 kB\n"
    "ShmemPmdMapped:        0 kB\n"
    "FilePmdMapped:         0 kB\n"
    "Shared_Hugetlb:        0 kB\n"
    "Private_Hugetlb:       0 kB\n"
    "Swap:                  0 kB\n"
    "SwapPss:               0 kB\n"
    "Locked:                0 kB\n"
    "THPeligible:           0\n"
    "ProtectionKey:         0\n"
    "VmFlags: ex \n";

/* From cat /proc/self/smaps_rollup on Linux 6.18. */
static const char rollup_text[] =
    "55f7d1620000-7ffe71298000 ---p 00000000 00:00 0                          [rollup]\n"
    "Rss:                1676 kB\n"
    "Pss:                 354 kB\n"
    "Pss_Dirty:           116 kB\n"
    "Pss_Anon:            116 kB\n"
    "Pss_File:            238 kB\n"
    "Pss_Shmem:             0 kB\n"
    "Shared_Clean:       1516 kB\n"
    "Shared_Dirty:          0 kB\n"
    "Private_Clean:        44 kB\n"
    "Private_Dirty:       116 kB\n"
    "Referenced:         1676 kB\n"
    "Anonymous:           116 kB\n"
    "KSM:                   0 kB\n"
    "LazyFree:              0 kB\n"
    "AnonHugePages:         0 kB\n"
    "ShmemPmdMapped:        0 kB\n"
    "FilePmdMapped:         0 kB\n"
    "Shared_Hugetlb:        0 kB\n"
    "Private_Hugetlb:       0 kB\n"
    "Swap:                  8 kB\n"
    "SwapPss:               4 kB\n"
    "Locked:                0 kB\n";

/*
 * The parsers write a NUL at buf[len], so the copy has one byte more than
 * the text. The caller frees the copy.
 */
static char *
copy_text(const char *text, size_t *len)
{
	char *buf;

	*len = strlen(text);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	memcpy(buf, text, *len + 1);
	return buf;
}

static int
parse_smaps(const char *text, char **buf, struct proc_mapping **maps,
    size_t *nmaps, size_t *bad)
{
	size_t len;

	*buf = copy_text(text, &len);
	*maps = NULL;
	*nmaps = 0;
	*bad = 0;
	return proc_smaps_parse(*buf, len, maps, nmaps, bad);
}

static void
test_entries(void **state)
{
	struct proc_mapping *maps, *m;
	size_t nmaps, bad;
	char *buf;

	(void)state;
	assert_int_equal(parse_smaps(smaps_text, &buf, &maps, &nmaps, &bad), 0);
	assert_int_equal(nmaps, 3);

	m = &maps[0];
	assert_int_equal(m->start, 0x55db21466000);
	assert_int_equal(m->end, 0x55db21468000);
	assert_string_equal(m->perms, "r--p");
	assert_int_equal(m->inode, 247134);
	assert_string_equal(m->path, "/usr/bin/cat");
	assert_int_equal(m->kernel_page_size, 4096);
	/* smaps counts kB; memscope keeps bytes */
	assert_int_equal(m->mem.rss, KB(28));
	assert_int_equal(m->mem.pss, KB(17));
	assert_int_equal(m->mem.shared_clean, KB(12));
	assert_int_equal(m->mem.shared_dirty, KB(4));
	assert_int_equal(m->mem.private_clean, KB(8));
	assert_int_equal(m->mem.private_dirty, KB(5));
	assert_int_equal(m->mem.referenced, KB(24));
	assert_int_equal(m->mem.anonymous, KB(6));
	assert_int_equal(m->mem.anon_huge, KB(2048));
	assert_int_equal(m->mem.swap, KB(36));
	assert_int_equal(m->mem.swap_pss, KB(18));
	assert_int_equal(m->mem.locked, KB(20));

	m = &maps[1];
	assert_int_equal(m->start, 0x55a242aeb000);
	assert_string_equal(m->path, "[heap]");
	assert_int_equal(m->mem.rss, KB(16));
	assert_int_equal(m->mem.pss, KB(16));
	assert_int_equal(m->mem.private_dirty, KB(16));
	assert_int_equal(m->mem.anonymous, KB(16));
	/* nothing carried over from the entry before */
	assert_int_equal(m->mem.shared_clean, 0);
	assert_int_equal(m->mem.swap, 0);
	assert_int_equal(m->mem.locked, 0);
	assert_int_equal(m->mem.anon_huge, 0);

	m = &maps[2];
	assert_int_equal(m->start, 0xffffffffff600000);
	assert_string_equal(m->perms, "--xp");
	assert_string_equal(m->path, "[vsyscall]");
	assert_int_equal(m->mem.rss, 0);
	assert_int_equal(m->kernel_page_size, 4096);

	free(maps);
	free(buf);
}

/*
 * The kernel ends each flag with a space, "VmFlags: rd mr mw me \n"; the
 * header documents the value as "rd wr mr mw me ac".
 */
static void
test_vmflags(void **state)
{
	struct proc_mapping *maps;
	size_t nmaps, bad;
	char *buf, flags[3][32];
	bool inside;

	(void)state;
	assert_int_equal(parse_smaps(smaps_text, &buf, &maps, &nmaps, &bad), 0);
	assert_int_equal(nmaps, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_non_null(maps[i].vmflags);
		snprintf(flags[i], sizeof(flags[i]), "%s", maps[i].vmflags);
	}
	inside = maps[0].vmflags >= buf &&
	    maps[0].vmflags < buf + sizeof(smaps_text);
	/* freed before comparing, so that a failure leaks nothing */
	free(maps);
	free(buf);
	assert_true(inside);
	assert_string_equal(flags[0], "rd mr mw me");
	assert_string_equal(flags[1], "rd wr mr mw me ac");
	assert_string_equal(flags[2], "ex");
}

/* Fields a newer kernel may add, or that memscope has no use for. */
static void
test_unknown_fields(void **state)
{
	static const char text[] =
	    "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
	    "Rss:                   8 kB\n"
	    "KSM:                   4 kB\n"
	    "THPeligible:           1\n"
	    "ProtectionKey:         0\n"
	    "Pss_Dirty:             8 kB\n"
	    "Future_Field:          some words, not a size\n"
	    "Pss:                   8 kB\n";
	struct proc_mapping *maps;
	size_t nmaps, bad;
	char *buf;

	(void)state;
	assert_int_equal(parse_smaps(text, &buf, &maps, &nmaps, &bad), 0);
	assert_int_equal(nmaps, 1);
	assert_null(maps[0].path);
	assert_int_equal(maps[0].mem.rss, KB(8));
	assert_int_equal(maps[0].mem.pss, KB(8));
	assert_null(maps[0].vmflags);
	assert_int_equal(maps[0].kernel_page_size, 0);
	free(maps);
	free(buf);
}

/* Each text is bad at the line number that follows it. */
static void
test_bad_lines(void **state)
{
	static const struct {
		const char	*text;
		size_t		 line;
	} cases[] = {
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Rss:                   x kB\n", 2 },
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Rss:                   8 kB\n"
		  "Pss:                   8 MB\n", 3 },
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Swap:\n", 2 },
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Locked:                8\n", 2 },
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Private_Dirty:        -8 kB\n", 2 },
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "KernelPageSize:     four kB\n", 2 },
		/* a figure before any header */
		{ "Rss:                   8 kB\n", 1 },
		/* no colon */
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Rss:                   8 kB\n"
		  "garbage\n", 3 },
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  ":                      8 kB\n", 2 },
		/* a broken header in the second entry */
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Rss:                   8 kB\n"
		  "7f0000008000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Rss:                   8 kB\n", 3 },
		/* 2^54 kB is 2^64 bytes: one more than uint64_t holds */
		{ "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
		  "Rss:    18014398509481984 kB\n", 2 },
	};
	struct proc_mapping *maps;
	size_t nmaps, bad;
	char *buf;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = parse_smaps(cases[i].text, &buf, &maps, &nmaps, &bad);
		if (rc != -1) {
			free(maps);
			free(buf);
			fail_msg("case %zu accepted", i);
		}
		free(buf);
		if (bad != cases[i].line)
			fail_msg("case %zu: bad line %zu, expected %zu", i, bad,
			    cases[i].line);
	}
}

/* The largest figure that fits in bytes: (2^64 - 1) / 1024 kB. */
static void
test_largest_figure(void **state)
{
	static const char text[] =
	    "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
	    "Rss:    18014398509481983 kB\n";
	struct proc_mapping *maps;
	size_t nmaps, bad;
	char *buf;

	(void)state;
	assert_int_equal(parse_smaps(text, &buf, &maps, &nmaps, &bad), 0);
	assert_int_equal(nmaps, 1);
	assert_int_equal(maps[0].mem.rss, 0xfffffffffffffc00);
	free(maps);
	free(buf);
}

static void
test_empty(void **state)
{
	struct proc_mapping *maps;
	size_t nmaps, bad;
	char *buf;

	(void)state;
	assert_int_equal(parse_smaps("", &buf, &maps, &nmaps, &bad), 0);
	assert_int_equal(nmaps, 0);
	free(maps);
	free(buf);
}

static void
test_rollup(void **state)
{
	struct mem_counts mc;
	size_t len;
	char *buf;

	(void)state;
	buf = copy_text(rollup_text, &len);
	memset(&mc, 0xff, sizeof(mc));
	assert_int_equal(proc_smaps_rollup_parse(buf, len, &mc), 0);
	assert_int_equal(mc.rss, KB(1676));
	/* Pss_Dirty, Pss_Anon, ... are not Pss */
	assert_int_equal(mc.pss, KB(354));
	assert_int_equal(mc.shared_clean, KB(1516));
	assert_int_equal(mc.shared_dirty, 0);
	assert_int_equal(mc.private_clean, KB(44));
	assert_int_equal(mc.private_dirty, KB(116));
	assert_int_equal(mc.referenced, KB(1676));
	assert_int_equal(mc.anonymous, KB(116));
	assert_int_equal(mc.anon_huge, 0);
	assert_int_equal(mc.swap, KB(8));
	assert_int_equal(mc.swap_pss, KB(4));
	assert_int_equal(mc.locked, 0);
	free(buf);
}

static void
test_rollup_bad(void **state)
{
	static const char *const texts[] = {
		"",
		/* no header */
		"Rss:                1676 kB\n",
		"55f7d1620000-7ffe71298000 ---p 00000000 00:00 0   [rollup]\n"
		"Rss:                 1x6 kB\n",
		"55f7d1620000-7ffe71298000 ---p 00000000 00:00 0   [rollup]\n"
		"Rss:                1676 kB\n"
		"no colon here\n",
	};
	struct mem_counts mc;
	size_t len;
	char *buf;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		buf = copy_text(texts[i], &len);
		rc = proc_smaps_rollup_parse(buf, len, &mc);
		free(buf);
		if (rc != -1)
			fail_msg("case %zu accepted", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_vmflags),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_largest_figure),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rollup),
		cmocka_unit_test(test_rollup_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

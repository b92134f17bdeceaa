/* SPDX-License-Identifier: ISC */
/* Unit tests of the /proc/PID/maps parser (src/proc/proc-maps.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc-maps.h"

/*
 * The parser writes NULs into the line, so every sample is copied into a
 * writable buffer first; string literals are read-only.
 */
#define LINE_MAX_LEN 512

static int
parse(const char *text, char buf[LINE_MAX_LEN], struct proc_mapping *m)
{
	size_t len = strlen(text);

	assert_true(len < LINE_MAX_LEN);
	memcpy(buf, text, len + 1);
	return proc_maps_parse_line(buf, m);
}

/* The path must point into the caller's buffer: smaps entries rely on it. */
static void
assert_path_in(const struct proc_mapping *m, const char *buf, size_t size)
{
	assert_non_null(m->path);
	assert_true(m->path >= buf && m->path < buf + size);
}

static void
test_anonymous(void **state)
{
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	/* The kernel pads an unnamed mapping's line with one space. */
	assert_int_equal(parse("7f72de2d4000-7f72de398000 rw-p 00000000 00:00 0 ",
	    buf, &m), 0);
	assert_int_equal(m.start, 0x7f72de2d4000);
	assert_int_equal(m.end, 0x7f72de398000);
	assert_string_equal(m.perms, "rw-p");
	assert_int_equal(m.offset, 0);
	assert_int_equal(m.dev_major, 0);
	assert_int_equal(m.dev_minor, 0);
	assert_int_equal(m.inode, 0);
	assert_null(m.path);
	assert_false(m.deleted);
	assert_null(m.vmflags);
	assert_int_equal(m.kernel_page_size, 0);
	assert_int_equal(m.mem.rss, 0);

	/* Without the trailing space too: fixtures get edited by hand. */
	assert_int_equal(parse("7f72de3f6000-7f72de3f9000 ---p 00000000 00:00 0",
	    buf, &m), 0);
	assert_int_equal(m.start, 0x7f72de3f6000);
	assert_int_equal(m.end, 0x7f72de3f9000);
	assert_string_equal(m.perms, "---p");
	assert_null(m.path);
}

static void
test_file(void **state)
{
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	assert_int_equal(parse("7f8689ab5000-7f8689ab7000 rw-p 001d3000 fe:00 "
	    "332835                     /usr/lib/x86_64-linux-gnu/libc.so.6",
	    buf, &m), 0);
	assert_int_equal(m.start, 0x7f8689ab5000);
	assert_int_equal(m.end, 0x7f8689ab7000);
	assert_string_equal(m.perms, "rw-p");
	assert_int_equal(m.offset, 0x1d3000);
	assert_int_equal(m.dev_major, 0xfe);
	assert_int_equal(m.dev_minor, 0);
	assert_int_equal(m.inode, 332835);
	assert_string_equal(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_path_in(&m, buf, sizeof(buf));
	assert_false(m.deleted);

	/* A shared mapping keeps its 's'. */
	assert_int_equal(parse("7f8689ac7000-7f8689ace000 r--s 00000000 fe:00 "
	    "332280                     /usr/lib/x86_64-linux-gnu/gconv/"
	    "gconv-modules.cache", buf, &m), 0);
	assert_string_equal(m.perms, "r--s");
	assert_string_equal(m.path,
	    "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache");
}

static void
test_labels(void **state)
{
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	assert_int_equal(parse("55db3107b000-55db3109c000 rw-p 00000000 00:00 0"
	    "                          [heap]", buf, &m), 0);
	assert_string_equal(m.path, "[heap]");
	assert_int_equal(m.inode, 0);
	assert_false(m.deleted);

	assert_int_equal(parse("7f8689ad5000-7f8689ad7000 r--p 00000000 00:00 0"
	    "                          [vvar_vclock]", buf, &m), 0);
	assert_int_equal(m.start, 0x7f8689ad5000);
	assert_int_equal(m.end, 0x7f8689ad7000);
	assert_string_equal(m.path, "[vvar_vclock]");

	assert_int_equal(parse("7fff99f32000-7fff99f53000 rw-p 00000000 00:00 0"
	    "                          [stack]", buf, &m), 0);
	assert_string_equal(m.path, "[stack]");

	/* Sixteen hex digits, the top of the address space, less padding. */
	assert_int_equal(parse("ffffffffff600000-ffffffffff601000 --xp 00000000 "
	    "00:00 0                  [vsyscall]", buf, &m), 0);
	assert_int_equal(m.start, 0xffffffffff600000);
	assert_int_equal(m.end, 0xffffffffff601000);
	assert_string_equal(m.perms, "--xp");
	assert_string_equal(m.path, "[vsyscall]");

	/* prctl(PR_SET_VMA_ANON_NAME) names hold spaces. */
	assert_int_equal(parse("7f0000000000-7f0000001000 rw-p 00000000 00:00 0"
	    "                          [anon:my arena]", buf, &m), 0);
	assert_string_equal(m.path, "[anon:my arena]");
}

static void
test_path_with_spaces(void **state)
{
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	assert_int_equal(parse("7f0000000000-7f0000002000 r-xp 00001000 fe:01 "
	    "42     /home/u/My Files/lib two  spaces.so", buf, &m), 0);
	assert_string_equal(m.path, "/home/u/My Files/lib two  spaces.so");
	assert_false(m.deleted);
	assert_int_equal(m.offset, 0x1000);
	assert_int_equal(m.dev_minor, 1);
}

static void
test_deleted(void **state)
{
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	/* A real memfd: a name with a space, and the suffix. */
	assert_int_equal(parse("7f32399bc000-7f32399bd000 rw-s 00000000 00:01 "
	    "1026                       /memfd:x y (deleted)", buf, &m), 0);
	assert_string_equal(m.path, "/memfd:x y");
	assert_true(m.deleted);
	assert_int_equal(m.dev_minor, 1);
	assert_int_equal(m.inode, 1026);
	assert_path_in(&m, buf, sizeof(buf));

	/* Only one suffix is the kernel's; the rest belongs to the name. */
	assert_int_equal(parse("7f0000000000-7f0000001000 r--p 00000000 fe:00 7 "
	    "/tmp/a (deleted) (deleted)", buf, &m), 0);
	assert_string_equal(m.path, "/tmp/a (deleted)");
	assert_true(m.deleted);
}

/* Names that contain "deleted" without the kernel's suffix stay whole. */
static void
test_deleted_lookalikes(void **state)
{
	static const char *const paths[] = {
		"/tmp/deleted",
		"/tmp/x(deleted)",
		"/tmp/x (deleted)y",
		"/tmp/x (deleted",
		"/tmp/(deleted)/lib.so",
		"/tmp/x deleted)",
	};
	char buf[LINE_MAX_LEN], line[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(line, sizeof(line), "7f0000000000-7f0000001000 r--p "
		    "00000000 fe:00 7                  %s", paths[i]);
		assert_int_equal(parse(line, buf, &m), 0);
		assert_string_equal(m.path, paths[i]);
		assert_false(m.deleted);
	}
}

/* Device numbers are hex: an NVMe disk is major 259, printed "103". */
static void
test_device_hex(void **state)
{
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	assert_int_equal(parse("7f0000000000-7f0000001000 r--p 0001a000 103:0a "
	    "1234567 /usr/lib/libz.so.1", buf, &m), 0);
	assert_int_equal(m.dev_major, 259);
	assert_int_equal(m.dev_minor, 10);
	assert_int_equal(m.offset, 0x1a000);
	assert_int_equal(m.inode, 1234567);

	assert_int_equal(parse("7f0000000000-7f0000001000 r--p 00000000 fe:1f "
	    "18446744073709551615 /x", buf, &m), 0);
	assert_int_equal(m.dev_major, 254);
	assert_int_equal(m.dev_minor, 31);
	assert_int_equal(m.inode, UINT64_MAX);
}

static void
test_malformed(void **state)
{
	static const char *const lines[] = {
		"",
		"7f00",
		"7f00-",
		"7f00-7f10",
		"7f00-7f10 ",
		"7f00-7f10 rw-p",
		"7f00-7f10 rw",
		"7f00-7f10 rw-p 00000000",
		"7f00-7f10 rw-p 00000000 00:00",
		"7f00-7f10 rw-p 00000000 00:00 ",
		"7f00-7f10 rw-p 00000000 0000 0",
		"7f00-7f10 rw-p 00000000 :00 0",
		"7f00-7f10 rw-p 0000000x 00:00 0",
		"7f00-7f10 rw-p 00000000 00:00 12ab /x",
		"7f00-7f10 rw-p 00000000 00:00 -1",
		"7f00 7f10 rw-p 00000000 00:00 0",
		"7f00-7f10  rw-p 00000000 00:00 0",
		/* end below start */
		"2000-1000 rw-p 00000000 00:00 0",
		/* not hex */
		"7g00-8000 rw-p 00000000 00:00 0",
		"7f00-8z00 rw-p 00000000 00:00 0",
		"-8000 rw-p 00000000 00:00 0",
		"Rss:                   8 kB",
		/* seventeen digits do not fit 64 bits */
		"10000000000000000-10000000000001000 rw-p 00000000 00:00 0",
		/* an inode of 2^64 */
		"7f00-7f10 rw-p 00000000 00:00 18446744073709551616",
	};
	char buf[LINE_MAX_LEN];
	struct proc_mapping m;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (parse(lines[i], buf, &m) != -1)
			fail_msg("accepted \"%s\"", lines[i]);
	}
}

static void
test_is_header(void **state)
{
	(void)state;
	assert_true(proc_maps_is_header("55851f5ad000-55851f5af000 r--p"));
	assert_true(proc_maps_is_header("ffffffffff600000-ffffffffff601000"));
	assert_false(proc_maps_is_header("Rss:                   8 kB"));
	/* 'A', 'D', 'F' are hex digits too: the dash decides. */
	assert_false(proc_maps_is_header("Anonymous:             0 kB"));
	assert_false(proc_maps_is_header("FilePmdMapped:         0 kB"));
	assert_false(proc_maps_is_header("VmFlags: rd mr mw me"));
	assert_false(proc_maps_is_header(""));
}

static void
test_parse_file(void **state)
{
	static const char text[] =
	    "55db21466000-55db21468000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
	    "55db21468000-55db2146d000 r-xp 00002000 fe:00 247134                     /usr/bin/cat\n"
	    "55db3107b000-55db3109c000 rw-p 00000000 00:00 0                          [heap]\n"
	    "7f868985f000-7f8689881000 rw-p 00000000 00:00 0 \n"
	    "7f32399bc000-7f32399bd000 rw-s 00000000 00:01 1026                       /memfd:x y (deleted)\n"
	    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	char buf[sizeof(text)];
	struct proc_mapping *maps = NULL;
	size_t nmaps = 0, bad = 0;

	(void)state;
	memcpy(buf, text, sizeof(text));
	assert_int_equal(proc_maps_parse(buf, sizeof(text) - 1, &maps, &nmaps,
	    &bad), 0);
	assert_int_equal(nmaps, 6);
	assert_int_equal(maps[0].start, 0x55db21466000);
	assert_string_equal(maps[0].path, "/usr/bin/cat");
	assert_int_equal(maps[1].offset, 0x2000);
	assert_string_equal(maps[1].perms, "r-xp");
	assert_string_equal(maps[2].path, "[heap]");
	assert_null(maps[3].path);
	assert_int_equal(maps[3].end, 0x7f8689881000);
	assert_string_equal(maps[4].path, "/memfd:x y");
	assert_true(maps[4].deleted);
	assert_false(maps[5].deleted);
	assert_int_equal(maps[5].start, 0xffffffffff600000);
	assert_string_equal(maps[5].path, "[vsyscall]");
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i].path != NULL)
			assert_path_in(&maps[i], buf, sizeof(buf));
	free(maps);
}

/* A buffer cut short of its last newline still yields its last line. */
static void
test_parse_no_final_newline(void **state)
{
	static const char text[] =
	    "55db21466000-55db21468000 r--p 00000000 fe:00 247134 /usr/bin/cat\n"
	    "55db3107b000-55db3109c000 rw-p 00000000 00:00 0      [heap]";
	char buf[sizeof(text)];
	struct proc_mapping *maps = NULL;
	size_t nmaps = 0, bad = 0;

	(void)state;
	memcpy(buf, text, sizeof(text));
	assert_int_equal(proc_maps_parse(buf, sizeof(text) - 1, &maps, &nmaps,
	    &bad), 0);
	assert_int_equal(nmaps, 2);
	assert_string_equal(maps[1].path, "[heap]");
	assert_int_equal(maps[1].end, 0x55db3109c000);
	free(maps);
}

/* An empty maps file is a process with no mappings left (a zombie). */
static void
test_parse_empty(void **state)
{
	char buf[1] = "";
	struct proc_mapping sentinel, *maps = &sentinel;
	size_t nmaps = 99, bad = 0;

	(void)state;
	assert_int_equal(proc_maps_parse(buf, 0, &maps, &nmaps, &bad), 0);
	assert_int_equal(nmaps, 0);
	assert_null(maps);
}

static void
test_parse_bad_line(void **state)
{
	static const char text[] =
	    "55db21466000-55db21468000 r--p 00000000 fe:00 247134 /usr/bin/cat\n"
	    "55db21468000-55db2146d000 r-xp 00002000 fe:00 247134 /usr/bin/cat\n"
	    "55db3109c000-55db3107b000 rw-p 00000000 00:00 0      [heap]\n"
	    "7f868985f000-7f8689881000 rw-p 00000000 00:00 0 \n";
	static const char blank[] =
	    "55db21466000-55db21468000 r--p 00000000 fe:00 247134 /usr/bin/cat\n"
	    "\n"
	    "7f868985f000-7f8689881000 rw-p 00000000 00:00 0 \n";
	static const char first[] =
	    "55db21466000-55db21468000 r--p 00000000 fe:00\n";
	char buf[sizeof(text)];
	struct proc_mapping *maps = NULL;
	size_t nmaps = 0, bad = 0;

	(void)state;
	memcpy(buf, text, sizeof(text));
	assert_int_equal(proc_maps_parse(buf, sizeof(text) - 1, &maps, &nmaps,
	    &bad), -1);
	assert_int_equal(bad, 3);

	memcpy(buf, blank, sizeof(blank));
	assert_int_equal(proc_maps_parse(buf, sizeof(blank) - 1, &maps, &nmaps,
	    &bad), -1);
	assert_int_equal(bad, 2);

	memcpy(buf, first, sizeof(first));
	assert_int_equal(proc_maps_parse(buf, sizeof(first) - 1, &maps, &nmaps,
	    &bad), -1);
	assert_int_equal(bad, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_path_with_spaces),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_deleted_lookalikes),
		cmocka_unit_test(test_device_hex),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_is_header),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_parse_no_final_newline),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_bad_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of the trace file's reader (src/tracefile.c) and loader
 * (src/source-trace.c) on corrupt traces that the fuzzer found, or that its
 * harness (fuzz/fuzz-trace.c) cannot make in its input sizes, with the
 * exact result each must give in every build, not only under a sanitizer.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model.h"
#include "source-trace.h"
#include "tracefile.h"
#include "wire/protocol.h"

static struct tracefile *
create(char *path)
{
	struct tracefile *t;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_non_null(t = tracefile_create(path));
	return t;
}

/*
 * A stack number is read and the next entry returned: the reader once did
 * that by calling itself, and a run of numbers (3 MB of trace) overflowed
 * the stack of a build without tail calls (-O0, the sanitizers). A million
 * in a row is 24 MB decompressed: at 9 bytes a frame, past an 8 MB stack.
 */
#define NNUMBERS 1000000

static void
test_numbers_in_a_row(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX";
	struct trace_run_end re = { .exited = 1 };
	struct tracefile *t = create(path);
	struct trace_reader *r;
	struct trace_entry e;
	char why[256];

	(void)state;
	for (uint64_t i = 1; i <= NNUMBERS; i++) {
		struct trace_stack_number sn = { .id = 0x1000 + i, .number = i };

		tracefile_write(t, TRACE_STACK_NUMBER, &sn, sizeof(sn), NULL, 0);
	}
	tracefile_write(t, TRACE_RUN_END, &re, sizeof(re), NULL, 0);
	assert_true(tracefile_close(t));

	assert_non_null(r = trace_open(path, why, sizeof(why)));
	assert_int_equal(trace_next(r, &e, why, sizeof(why)), 1);
	assert_int_equal(e.kind, TRACE_RUN_END);
	assert_int_equal(e.offset, (uint64_t)NNUMBERS * 24);
	assert_int_equal(trace_next(r, &e, why, sizeof(why)), 0);
	trace_close(r);
	unlink(path);
}

/*
 * The run's clock is a double from the file: one that is not a rate (the
 * fuzzer's was 6e229 ns a tick after a byte flip; a NaN, a denormal) made
 * the lifetimes' bounds overflow a uint64_t (undefined behaviour). The
 * run is refused as corrupt; a real clock, or none, is read.
 */
static void
load_with_clock(double ns_per_tick, bool ok)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX";
	struct trace_run run = { .main_pid = 4242,
	    .protocol = MS_PROTOCOL_VERSION, .ns_per_tick = ns_per_tick };
	struct tracefile *t = create(path);
	struct trace_run_info info;
	struct session s;
	char why[512], expected[512];

	tracefile_write(t, TRACE_RUN, &run, sizeof(run), NULL, 0);
	assert_true(tracefile_close(t));
	model_session_init(&s);
	assert_int_equal(source_trace_load(path, &s, &info, why, sizeof(why)), ok);
	if (!ok) {
		snprintf(expected, sizeof(expected), "%s: corrupt entry at byte 0 "
		    "of the trace (kind 1)", path);
		assert_string_equal(why, expected);
	} else
		assert_true(s.ns_per_tick == ns_per_tick);
	source_trace_info_free(&info);
	model_session_free(&s);
	unlink(path);
}

static void
test_clock(void **state)
{
	(void)state;
	load_with_clock(6.15928e229, false);
	load_with_clock(1e-300, false);
	load_with_clock(NAN, false);
	load_with_clock(INFINITY, false);
	load_with_clock(-1.0, false);
	load_with_clock(0, true);		/* no times */
	load_with_clock(1.0, true);		/* clock_gettime */
	load_with_clock(0.3846, true);		/* a 2.6 GHz TSC */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_in_a_row),
		cmocka_unit_test(test_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

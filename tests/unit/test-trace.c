/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the trace file's reader (src/trace/tracefile.c) and loader
 * (src/source/source-trace.c) on corrupt traces that the fuzzer found, or that its
 * harness (fuzz/fuzz-trace.c) cannot make in its input sizes, with the
 * exact result each must give in every build, not only under a sanitizer;
 * and of the frames of a trace: their checksums, a damaged one, a trace
 * cut between two, headers cut or damaged, a trace of before checksums.
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
#include <zstd.h>

#include "model.h"
#include "source-trace.h"
#include "tracefile.h"
#include "protocol.h"

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
	struct trace_run_end re = { .exited = 1 };
	struct tracefile *t = create(path);
	struct session s;
	char why[512], expected[512];

	tracefile_write(t, TRACE_RUN, &run, sizeof(run), NULL, 0);
	tracefile_write(t, TRACE_RUN_END, &re, sizeof(re), NULL, 0);
	assert_true(tracefile_close(t));
	model_session_init(&s);
	assert_int_equal(source_trace_load(path, &s, why, sizeof(why)), ok);
	if (!ok) {
		snprintf(expected, sizeof(expected), "%s: damaged at byte 0 of "
		    "the decompressed trace: an entry of kind 1 (run) that does "
		    "not make sense here", path);
		assert_string_equal(why, expected);
	} else
		assert_true(s.ns_per_tick == ns_per_tick);
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

/* The whole file at path, its length in *len. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *data;
	FILE *f;
	long n;

	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) >= 0);
	rewind(f);
	assert_non_null(data = malloc((size_t)n + 1));
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static void
spill(const char *path, const void *data, size_t len)
{
	FILE *f;

	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * Every entry of the trace at path: how many the reader gave before its
 * end (rc 0) or its error (rc -1, the reason in why).
 */
static size_t
read_all(const char *path, int *rc, char *why, size_t whylen)
{
	struct trace_reader *r;
	struct trace_entry e;
	size_t n = 0;

	if ((r = trace_open(path, why, whylen)) == NULL) {
		*rc = -1;
		return 0;
	}
	while ((*rc = trace_next(r, &e, why, whylen)) == 1)
		n++;
	trace_close(r);
	return n;
}

/*
 * A trace of many entries of 24 bytes, then its end: 4 MiB frames hold
 * 174762 entries and 16 bytes of the next (an entry runs on from one
 * frame into the next).
 */
#define NTICKS		500000
#define TICK_BYTES	(8 + sizeof(struct trace_tick))
#define FRAME_TICKS	(TRACE_FRAME_MAX / TICK_BYTES)

static void
write_ticks(const char *path)
{
	struct trace_run_end re = { .exited = 1 };
	struct tracefile *t;

	assert_non_null(t = tracefile_create(path));
	for (uint64_t i = 0; i < NTICKS; i++) {
		/* not all alike, or a frame would be a few bytes */
		struct trace_tick tk = { .ms = i * 2654435761u % 1000003 };

		tracefile_write(t, TRACE_TICK, &tk, sizeof(tk), NULL, 0);
	}
	tracefile_write(t, TRACE_RUN_END, &re, sizeof(re), NULL, 0);
	assert_true(tracefile_close(t));
}

/* A trace of NTICKS ticks at the temporary path (its XXXXXX replaced),
 * and its bytes. */
static unsigned char *
ticks_trace(char *path, size_t *len)
{
	close(mkstemp(path));
	write_ticks(path);
	return slurp(path, len);
}

/* Where the frames of a trace start; returns how many, the end after them. */
static size_t
frames_of(const unsigned char *data, size_t len, size_t *starts, size_t max)
{
	size_t n = 0, at = sizeof(struct trace_header);

	while (at < len) {
		size_t flen = ZSTD_findFrameCompressedSize(data + at, len - at);

		assert_false(ZSTD_isError(flen));
		assert_true(n < max);
		starts[n++] = at;
		at += flen;
	}
	assert_int_equal(at, len);
	starts[n] = at;
	return n;
}

/*
 * The writer's frames: the header says they have checksums, each frame's
 * descriptor too, three of 4 MiB and the rest; read back whole.
 */
static void
test_frames(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX";
	struct trace_header h;
	unsigned char *data;
	size_t len, starts[16], n;
	char why[256];
	int rc;

	(void)state;
	data = ticks_trace(path, &len);
	memcpy(&h, data, sizeof(h));
	assert_memory_equal(h.magic, TRACE_MAGIC, 8);
	assert_int_equal(h.version, TRACE_FORMAT_VERSION);
	assert_int_equal(h.flags, TRACE_FLAG_CHECKSUMS);
	n = frames_of(data, len, starts, 15);
	assert_int_equal(n, (NTICKS * TICK_BYTES + 8 + sizeof(struct trace_run_end) +
	    TRACE_FRAME_MAX - 1) / TRACE_FRAME_MAX);
	for (size_t i = 0; i < n; i++)
		assert_true(data[starts[i] + 4] & 4);	/* Content_Checksum_flag */
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), NTICKS + 1);
	assert_int_equal(rc, 0);
	free(data);
	unlink(path);
}

/*
 * A frame whose checksum does not match: refused, naming its bytes, and
 * not one entry of it given (nor the one that runs on into it).
 */
static void
test_checksum_mismatch(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX", expected[256], why[256];
	unsigned char *data;
	size_t len, starts[16];
	int rc;

	(void)state;
	data = ticks_trace(path, &len);
	assert_true(frames_of(data, len, starts, 15) >= 3);
	/* the checksum of the second frame: its last 4 bytes */
	data[starts[2] - 2] ^= 0x10;
	spill(path, data, len);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), FRAME_TICKS);
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "damaged between bytes %zu and %zu: "
	    "checksum mismatch (the file was altered after it was written)",
	    starts[1], starts[2]);
	assert_string_equal(why, expected);

	/* inside the second frame's data: zstd, or the checksum, finds it */
	data[starts[2] - 2] ^= 0x10;
	data[(starts[1] + starts[2]) / 2] ^= 0x01;
	spill(path, data, len);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), FRAME_TICKS);
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "damaged between bytes %zu and ",
	    starts[1]);
	assert_memory_equal(why, expected, strlen(expected));
	free(data);
	unlink(path);
}

/*
 * Cut between two frames, the trace reads as if whole to there: its
 * missing end tells that it was cut. Cut inside a frame, none of that
 * frame is read.
 */
static void
test_cut(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX", expected[256], why[256];
	unsigned char *data;
	size_t len, starts[16];
	int rc;

	(void)state;
	data = ticks_trace(path, &len);
	assert_true(frames_of(data, len, starts, 15) >= 3);

	spill(path, data, starts[2]);
	/* 2 frames are 349525 entries and 8 bytes of the next */
	assert_int_equal(read_all(path, &rc, why, sizeof(why)),
	    2 * TRACE_FRAME_MAX / TICK_BYTES);
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "truncated: the file ends at byte "
	    "%zu, inside the entry at byte %zu of the decompressed trace",
	    starts[2], (size_t)(2 * TRACE_FRAME_MAX / TICK_BYTES * TICK_BYTES));
	assert_string_equal(why, expected);

	spill(path, data, starts[1] + 1000);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), FRAME_TICKS);
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "truncated: the file ends at byte "
	    "%zu, inside the entry at byte %zu of the decompressed trace",
	    starts[1] + 1000, (size_t)(FRAME_TICKS * TICK_BYTES));
	assert_string_equal(why, expected);

	/* the header alone */
	spill(path, data, sizeof(struct trace_header));
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), 0);
	assert_int_equal(rc, -1);
	assert_string_equal(why, "truncated: the file ends at byte 16, before "
	    "the end of the run");
	free(data);
	unlink(path);
}

/* Entries of 32 bytes fill frames exactly: a cut there is between entries. */
static void
test_cut_between_frames(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX", expected[256], why[256];
	struct trace_run_end re = { .exited = 1 };
	const uint64_t pad = 0;
	struct tracefile *t;
	unsigned char *data;
	size_t len, starts[16];
	int rc;

	(void)state;
	close(mkstemp(path));
	assert_non_null(t = tracefile_create(path));
	for (uint64_t i = 0; i < TRACE_FRAME_MAX / 32 + 10; i++) {
		struct trace_tick tk = { .ms = i * 2654435761u % 1000003 };

		tracefile_write(t, TRACE_TICK, &tk, sizeof(tk), &pad, sizeof(pad));
	}
	tracefile_write(t, TRACE_RUN_END, &re, sizeof(re), NULL, 0);
	assert_true(tracefile_close(t));
	data = slurp(path, &len);
	assert_int_equal(frames_of(data, len, starts, 15), 2);
	spill(path, data, starts[1]);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)),
	    TRACE_FRAME_MAX / 32);
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "truncated: the file ends at byte "
	    "%zu, before the end of the run", starts[1]);
	assert_string_equal(why, expected);
	free(data);
	unlink(path);
}

/* A header, then the entries as one zstd frame, with or without checksum. */
static void
write_raw(const char *path, uint32_t flags, const void *entries, size_t len,
    int checksum)
{
	struct trace_header h = { .version = TRACE_FORMAT_VERSION, .flags = flags };
	size_t bound = ZSTD_compressBound(len), n;
	unsigned char *file = malloc(sizeof(h) + bound);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	memcpy(h.magic, TRACE_MAGIC, 8);
	memcpy(file, &h, sizeof(h));
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum);
	n = ZSTD_compress2(cctx, file + sizeof(h), bound, entries, len);
	assert_false(ZSTD_isError(n));
	spill(path, file, sizeof(h) + n);
	ZSTD_freeCCtx(cctx);
	free(file);
}

/* The entries of a run that ends at once. */
struct tiny_trace {
	uint32_t	 run_hdr[2];
	struct trace_run run;
	uint32_t	 end_hdr[2];
	struct trace_run_end end;
};

static void
tiny_trace(struct tiny_trace *tt, uint32_t protocol)
{
	memset(tt, 0, sizeof(*tt));
	tt->run_hdr[0] = TRACE_RUN;
	tt->run_hdr[1] = sizeof(tt->run);
	tt->run.main_pid = 4242;
	tt->run.protocol = protocol;
	tt->end_hdr[0] = TRACE_RUN_END;
	tt->end_hdr[1] = sizeof(tt->end);
	tt->end.exited = 1;
}

/*
 * A trace of before checksums (no flag, one frame without one) reads;
 * a trace that says it has them and has a frame without is damaged.
 */
static void
test_checksum_flag(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX", why[256];
	struct tiny_trace tt;
	int rc;

	(void)state;
	close(mkstemp(path));
	tiny_trace(&tt, MS_PROTOCOL_VERSION);
	write_raw(path, 0, &tt, sizeof(tt), 0);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), 2);
	assert_int_equal(rc, 0);
	write_raw(path, 0, &tt, sizeof(tt), 1);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), 2);
	assert_int_equal(rc, 0);
	write_raw(path, TRACE_FLAG_CHECKSUMS, &tt, sizeof(tt), 1);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), 2);
	assert_int_equal(rc, 0);
	write_raw(path, TRACE_FLAG_CHECKSUMS, &tt, sizeof(tt), 0);
	assert_int_equal(read_all(path, &rc, why, sizeof(why)), 0);
	assert_int_equal(rc, -1);
	assert_string_equal(why, "damaged at byte 16: no zstd frame with a "
	    "checksum starts there");
	unlink(path);
}

/* The header: cut, of another version, with flags no memscope sets. */
static void
test_header(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX", why[256], expected[512];
	struct trace_header h = { .version = TRACE_FORMAT_VERSION,
	    .flags = TRACE_FLAG_CHECKSUMS };
	static const struct {
		size_t		 len;
		const char	*what;
	} cuts[] = {
		{ 0, "not a memscope trace (the file is empty)" },
		{ 1, "truncated: the file ends at byte 1, inside the 16-byte header" },
		{ 8, "truncated: the file ends at byte 8, inside the 16-byte header" },
		{ 15, "truncated: the file ends at byte 15, inside the 16-byte header" },
	};
	int rc;

	(void)state;
	close(mkstemp(path));
	memcpy(h.magic, TRACE_MAGIC, 8);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		spill(path, &h, cuts[i].len);
		read_all(path, &rc, why, sizeof(why));
		assert_int_equal(rc, -1);
		snprintf(expected, sizeof(expected), "%s: %s", path, cuts[i].what);
		assert_string_equal(why, expected);
	}
	spill(path, "MSCTRACX", 8);
	read_all(path, &rc, why, sizeof(why));
	snprintf(expected, sizeof(expected), "%s: not a memscope trace", path);
	assert_string_equal(why, expected);

	h.flags = TRACE_FLAG_CHECKSUMS | 0x100;
	spill(path, &h, sizeof(h));
	read_all(path, &rc, why, sizeof(why));
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "%s: damaged at byte 12: the "
	    "header's flags are 0x101, where only 0x1 can be set", path);
	assert_string_equal(why, expected);

	h.version = TRACE_FORMAT_VERSION + 1;
	spill(path, &h, sizeof(h));
	read_all(path, &rc, why, sizeof(why));
	snprintf(expected, sizeof(expected), "%s: trace format version %u; this "
	    "memscope reads version %u", path, TRACE_FORMAT_VERSION + 1,
	    TRACE_FORMAT_VERSION);
	assert_string_equal(why, expected);
	unlink(path);
}

/*
 * A run of another protocol in a trace of this format: the format's
 * version changes with the protocol's, so that is damage, not a version.
 */
static void
test_protocol(void **state)
{
	char path[] = "/tmp/memscope-test-trace.XXXXXX", why[512], expected[512];
	struct tiny_trace tt;
	struct session s;

	(void)state;
	close(mkstemp(path));
	tiny_trace(&tt, MS_PROTOCOL_VERSION ^ 0x100);
	write_raw(path, 0, &tt, sizeof(tt), 0);
	model_session_init(&s);
	assert_false(source_trace_load(path, &s, why, sizeof(why)));
	snprintf(expected, sizeof(expected), "%s: damaged at byte 0 of the "
	    "decompressed trace: the run entry gives protocol version %u, where "
	    "a trace of format version %u has version %u", path,
	    MS_PROTOCOL_VERSION ^ 0x100, TRACE_FORMAT_VERSION,
	    MS_PROTOCOL_VERSION);
	assert_string_equal(why, expected);
	model_session_free(&s);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_in_a_row),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_checksum_mismatch),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_cut_between_frames),
		cmocka_unit_test(test_checksum_flag),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_protocol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

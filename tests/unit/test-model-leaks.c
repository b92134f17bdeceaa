/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the leak verdicts' model (src/model/model-leaks.c): blocks
 * and their verdicts grouped into loss records by kind and allocation
 * stack, as memcheck groups them, listed largest first (memscope(1), LEAK
 * CHECK); the summary of each kind, the blocks reached through each
 * heuristic, the suppressed records; the live blocks of a heap as the
 * scan takes them; and the frames of a record as memcheck prints them,
 * the allocation call first. The figures are summed by hand from the
 * blocks each test lays out.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "model-leaks.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define DEF		LEAK_DEFINITELY
#define IND		LEAK_INDIRECTLY
#define POSS		LEAK_POSSIBLY
#define REACH		LEAK_REACHABLE

/* The verdicts, as the report takes them over. */
static struct leak_verdict *
verdicts(const struct leak_verdict *v, size_t n)
{
	struct leak_verdict *copy = malloc(n * sizeof(*copy));

	assert_non_null(copy);
	memcpy(copy, v, n * sizeof(*copy));
	return copy;
}

static void
assert_record(const struct leak_record *r, uint8_t kind, uint64_t stack,
    uint64_t bytes, uint64_t blocks, uint64_t indirect)
{
	assert_int_equal(r->kind, kind);
	assert_int_equal(r->stack, stack);
	assert_int_equal(r->bytes, bytes);
	assert_int_equal(r->blocks, blocks);
	assert_int_equal(r->indirect_bytes, indirect);
}

static void
assert_totals(const struct leak_totals *t, uint64_t bytes, uint64_t blocks)
{
	assert_int_equal(t->bytes, bytes);
	assert_int_equal(t->blocks, blocks);
}

/* --- Loss records ------------------------------------------------------- */

/*
 * Nine blocks in address order:
 *   0x1000 16 @A definitely, 48 lost through it
 *   0x2000 16 @A definitely                  (DEF, A): 32 in 2, +48: 80
 *   0x3000 48 @B indirectly                  (IND, B): 48: 48
 *   0x4000 80 @C reachable
 *   0x5000 100 @C reachable through new[]    (REACH, C): 180 in 2: 180
 *   0x6000 80 @C possibly                    (POSS, C): 80: 80
 *   0x7000 48 no stack, definitely           (DEF, 1): 48: 48
 *   0x8000 8 @D possibly (a heuristic noted, but not reachable)
 *   0x9000 8 @3 possibly                     (POSS, D), (POSS, 3): 8 each
 * Largest first by direct and indirect bytes; equal ones by kind, then
 * by stack: (REACH, C), (DEF, A), (POSS, C), (DEF, 1), (IND, B), (POSS, 3),
 * (POSS, D).
 */
#define STACK_A		0xa0
#define STACK_B		0xb0
#define STACK_C		0xc0
#define STACK_D		0xd0

static const struct leak_block report_blocks[] = {
	{ 0x1000, 16 }, { 0x2000, 16 }, { 0x3000, 48 }, { 0x4000, 80 },
	{ 0x5000, 100 }, { 0x6000, 80 }, { 0x7000, 48 }, { 0x8000, 8 },
	{ 0x9000, 8 },
};
static const uint64_t report_stacks[] = {
	STACK_A, STACK_A, STACK_B, STACK_C, STACK_C, STACK_C, 0, STACK_D, 3,
};
static const struct leak_verdict report_verdicts[] = {
	{ DEF, LEAK_HEUR_NONE, 48 }, { DEF, LEAK_HEUR_NONE, 0 },
	{ IND, LEAK_HEUR_NONE, 0 }, { REACH, LEAK_HEUR_NONE, 0 },
	{ REACH, LEAK_HEUR_NEWARRAY, 0 }, { POSS, LEAK_HEUR_NONE, 0 },
	{ DEF, LEAK_HEUR_NONE, 0 }, { POSS, LEAK_HEUR_STDSTRING, 0 },
	{ POSS, LEAK_HEUR_NONE, 0 },
};

static struct leak_report *
make_report(void)
{
	return model_leaks_report(report_blocks, report_stacks,
	    verdicts(report_verdicts, NELEM(report_verdicts)),
	    NELEM(report_blocks));
}

static void
test_records(void **state)
{
	struct leak_report *r = make_report();

	(void)state;
	assert_int_equal(r->nrecords, 7);
	assert_record(&r->records[0], REACH, STACK_C, 180, 2, 0);
	assert_record(&r->records[1], DEF, STACK_A, 32, 2, 48);
	assert_record(&r->records[2], POSS, STACK_C, 80, 1, 0);
	assert_record(&r->records[3], DEF, 1, 48, 1, 0);
	assert_record(&r->records[4], IND, STACK_B, 48, 1, 0);
	assert_record(&r->records[5], POSS, 3, 8, 1, 0);
	assert_record(&r->records[6], POSS, STACK_D, 8, 1, 0);
	for (size_t i = 0; i < r->nrecords; i++)
		assert_null(r->records[i].suppressed_by);
	assert_int_equal(r->nverdicts, NELEM(report_verdicts));
	assert_int_equal(r->verdicts[0].indirect_bytes, 48);
	model_leaks_free(r);
}

/* The summary: direct bytes of each kind (the indirect ones are a kind of
 * their own); the reachable blocks through each heuristic. */
static void
test_summary(void **state)
{
	struct leak_report *r = make_report();

	(void)state;
	assert_totals(&r->kinds[DEF], 16 + 16 + 48, 3);
	assert_totals(&r->kinds[IND], 48, 1);
	assert_totals(&r->kinds[POSS], 80 + 8 + 8, 3);
	assert_totals(&r->kinds[REACH], 80 + 100, 2);
	assert_totals(&r->suppressed, 0, 0);
	assert_totals(&r->heuristic[LEAK_HEUR_NEWARRAY], 100, 1);
	assert_totals(&r->heuristic[LEAK_HEUR_STDSTRING], 0, 0);
	assert_totals(&r->heuristic[LEAK_HEUR_NONE], 0, 0);
	model_leaks_free(r);
}

/* A suppressed record leaves its kind for the suppressed figures, once,
 * under the first suppression that matched it. */
static void
test_suppress(void **state)
{
	struct leak_report *r = make_report();

	(void)state;
	model_leaks_suppress(r, 1, "first");		/* (DEF, A) */
	assert_totals(&r->kinds[DEF], 48, 1);
	assert_totals(&r->suppressed, 32, 2);
	model_leaks_suppress(r, 1, "second");
	assert_string_equal(r->records[1].suppressed_by, "first");
	assert_totals(&r->kinds[DEF], 48, 1);
	assert_totals(&r->suppressed, 32, 2);
	model_leaks_suppress(r, 5, "third");		/* (POSS, 3) */
	assert_totals(&r->kinds[POSS], 88, 2);
	assert_totals(&r->suppressed, 40, 3);
	/* the records stay, in their places */
	assert_int_equal(r->nrecords, 7);
	assert_record(&r->records[1], DEF, STACK_A, 32, 2, 48);
	assert_null(r->records[0].suppressed_by);
	model_leaks_free(r);
}

/* Many stacks: the records' table grows; every block is in one record. */
static void
test_many_records(void **state)
{
	enum { N = 3000 };
	struct leak_block *b = calloc(N, sizeof(*b));
	uint64_t *st = calloc(N, sizeof(*st));
	struct leak_verdict *v = calloc(N, sizeof(*v));
	struct leak_report *r;

	(void)state;
	assert_non_null(b);
	assert_non_null(st);
	assert_non_null(v);
	/* block i: 8 (i + 1) bytes at stack 100 + i % 1000, kind i % 2 */
	for (size_t i = 0; i < N; i++) {
		b[i] = (struct leak_block){ 0x10000 + 0x1000 * i, 8 * (i + 1) };
		st[i] = 100 + i % 1000;
		v[i].kind = i % 2 == 0 ? DEF : REACH;
	}
	r = model_leaks_report(b, st, v, N);
	/* stack k holds i = k, k + 1000, k + 2000: all of one kind when
	 * 1000 is even, so 1000 records */
	assert_int_equal(r->nrecords, 1000);
	/* the largest: stack 999's blocks 999, 1999, 2999 (odd: reachable),
	 * 8 (1000 + 2000 + 3000) bytes */
	assert_record(&r->records[0], REACH, 100 + 999, 48000, 3, 0);
	/* the smallest: stack 0's 0, 1000, 2000: 8 (1 + 1001 + 2001) */
	assert_record(&r->records[999], DEF, 100, 24024, 3, 0);
	/* sum of 8 (i + 1) over even i: 8 (1 + 3 + ... + 2999) = 8 * 1500^2 */
	assert_totals(&r->kinds[DEF], 8 * 1500 * 1500, 1500);
	assert_totals(&r->kinds[REACH], 8 * 1500 * 1501, 1500);
	for (size_t i = 1; i < r->nrecords; i++)
		assert_true(r->records[i - 1].bytes >= r->records[i].bytes);
	model_leaks_free(r);
	free(b);
	free(st);
}

/* No block: no record, and a report all the same. */
static void
test_no_blocks(void **state)
{
	struct leak_report *r = model_leaks_report(NULL, NULL, NULL, 0);

	(void)state;
	assert_int_equal(r->nrecords, 0);
	for (int k = 0; k < LEAK_NKINDS; k++)
		assert_totals(&r->kinds[k], 0, 0);
	model_leaks_free(r);
	model_leaks_free(NULL);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(leak_kind_name(LEAK_DEFINITELY), "definitely");
	assert_string_equal(leak_kind_name(LEAK_INDIRECTLY), "indirectly");
	assert_string_equal(leak_kind_name(LEAK_POSSIBLY), "possibly");
	assert_string_equal(leak_kind_name(LEAK_REACHABLE), "reachable");
	assert_string_equal(leak_kind_name(LEAK_NKINDS), "?");
	assert_string_equal(leak_heuristic_name(LEAK_HEUR_NONE), "none");
	assert_string_equal(leak_heuristic_name(LEAK_HEUR_STDSTRING), "stdstring");
	assert_string_equal(leak_heuristic_name(LEAK_HEUR_LENGTH64), "length64");
	assert_string_equal(leak_heuristic_name(LEAK_HEUR_NEWARRAY), "newarray");
	assert_string_equal(leak_heuristic_name(LEAK_HEUR_MULTIPLE_INHERITANCE),
	    "multipleinheritance");
	assert_string_equal(leak_heuristic_name(LEAK_NHEURISTICS), "?");
}

/* --- The blocks of a heap ----------------------------------------------- */

/* The live blocks by address, their own and inherited ones, with their
 * stacks and whether each was mapped on its own. */
static void
test_blocks(void **state)
{
	struct heap_model h;
	const struct heap_block parent[] = {
		{ .addr = 0x1800, .size = 64, .stack = 0x77 },
		{ .addr = 0x4000, .size = 32, .stack = 0x77 },
	};
	struct heap_new_block a = { .addr = 0x3000, .size = 24, .stack = 0x11,
	    .spare_known = true, .fn = HEAP_FN_MALLOC };
	struct heap_new_block b = { .addr = 0x1000, .size = 1 << 20,
	    .stack = 0x22, .spare_known = true, .mmapped = true,
	    .fn = HEAP_FN_CALLOC };
	struct leak_block *blocks;
	uint64_t *stacks;
	uint8_t *mmapped;
	size_t n;

	(void)state;
	model_heap_init(&h);
	h.inherits = true;
	model_heap_inherit(&h, parent, NELEM(parent));
	model_heap_alloc(&h, 1, &a);
	model_heap_alloc(&h, 1, &b);
	model_heap_release(&h, 1, 0x4000, 0);	/* the parent's, freed */
	n = model_leaks_blocks(&h, &blocks, &stacks, &mmapped);
	assert_int_equal(n, 3);
	assert_int_equal(blocks[0].addr, 0x1000);
	assert_int_equal(blocks[0].size, 1 << 20);
	assert_int_equal(stacks[0], 0x22);
	assert_int_equal(mmapped[0], 1);
	assert_int_equal(blocks[1].addr, 0x1800);
	assert_int_equal(blocks[1].size, 64);
	assert_int_equal(stacks[1], 0x77);
	assert_int_equal(mmapped[1], 0);
	assert_int_equal(blocks[2].addr, 0x3000);
	assert_int_equal(blocks[2].size, 24);
	assert_int_equal(stacks[2], 0x11);
	assert_int_equal(mmapped[2], 0);
	free(blocks);
	free(stacks);
	free(mmapped);
	n = model_leaks_blocks(&h, &blocks, &stacks, NULL);
	assert_int_equal(n, 3);
	free(blocks);
	free(stacks);
	model_heap_free(&h);
}

/* --- Frames of a record ------------------------------------------------- */

#define PROG		0x400000ull
#define LIBC		0x7f0000000000ull

static const struct frame_symbol sym_fill_make[] = {
	{ .function = "fill", .file = "prog.c", .line = 10, .inlined = true },
	{ .function = "make", .file = "prog.c", .line = 20 },
};
static const struct frame_symbol sym_main[] = {
	{ .function = "main", .file = "prog.c", .line = 30 },
};
static const struct frame_symbol sym_new[] = {
	{ .function = "operator new(unsigned long)", .linkage = "_Znwm" },
};
static const struct frame_symbol sym_new_array[] = {
	{ .function = "operator new[](unsigned long)", .linkage = "_Znam" },
};

/*
 * A process with the program and libc loaded, stacks (innermost first):
 *   0xa: make (fill inlined) in prog, main in prog, libc: calloc'd
 *   0xb: operator new in libstdc++ (at no module), main: malloc'd
 *   0xc: operator new[]: malloc'd
 *   0xd: two frames without symbols: pvalloc'd
 *   0xe: a stack whose site's call is unknown
 */
static void
frames_setup(struct session *s, struct process **pp)
{
	static const uint64_t fa[] = { PROG + 0x1010, PROG + 0x1020, LIBC + 0x2000 };
	static const uint64_t fb[] = { 0x10000000, PROG + 0x1020 };
	static const uint64_t fc[] = { 0x10000000 };
	static const uint64_t fd[] = { PROG + 0x1010, 0x10000000 };
	static const uint64_t fe[] = { PROG + 0x1010 };
	static const struct { uint64_t stack; uint8_t fn; } sites[] = {
		{ 0xa, HEAP_FN_CALLOC }, { 0xb, HEAP_FN_MALLOC },
		{ 0xc, HEAP_FN_MALLOC }, { 0xd, HEAP_FN_PVALLOC },
		{ 0xe, HEAP_FN_UNKNOWN }, { 0, HEAP_FN_ALIGNED_ALLOC },
	};
	struct module prog = { .base = PROG, .start = PROG, .end = PROG + 0x2000,
	    .path = (char *)"/usr/bin/prog" };
	struct module libc = { .base = LIBC, .start = LIBC, .end = LIBC + 0x100000,
	    .path = (char *)"/lib/libc.so.6" };
	struct process *p;

	model_session_init(s);
	p = model_session_add(s, 100);
	model_modules_loaded(&p->modules, &prog);
	model_modules_loaded(&p->modules, &libc);
	model_stacks_add(&s->stacks, 0xa, fa, NELEM(fa));
	model_stacks_add(&s->stacks, 0xb, fb, NELEM(fb));
	model_stacks_add(&s->stacks, 0xc, fc, NELEM(fc));
	model_stacks_add(&s->stacks, 0xd, fd, NELEM(fd));
	model_stacks_add(&s->stacks, 0xe, fe, NELEM(fe));
	model_stacks_set_symbols(&s->stacks, 0xa, 0, sym_fill_make, 2);
	model_stacks_set_symbols(&s->stacks, 0xa, 1, sym_main, 1);
	model_stacks_set_symbols(&s->stacks, 0xb, 0, sym_new, 1);
	model_stacks_set_symbols(&s->stacks, 0xb, 1, sym_main, 1);
	model_stacks_set_symbols(&s->stacks, 0xc, 0, sym_new_array, 1);
	model_stacks_set_symbols(&s->stacks, 0xe, 0, sym_main, 1);
	for (size_t i = 0; i < NELEM(sites); i++) {
		struct heap_new_block b = { .addr = 0x1000 * (i + 1), .size = 8,
		    .stack = sites[i].stack, .spare_known = true,
		    .fn = sites[i].fn };

		model_heap_alloc(&p->heap, 1, &b);
	}
	*pp = p;
}

static void
assert_frame(const struct leak_frame *f, const char *function,
    const char *module, const char *file, uint32_t line, bool below_main)
{
	if (function == NULL)
		assert_null(f->function);
	else
		assert_string_equal(f->function, function);
	if (module == NULL)
		assert_null(f->module);
	else
		assert_string_equal(f->module, module);
	if (file == NULL)
		assert_null(f->file);
	else
		assert_string_equal(f->file, file);
	assert_int_equal(f->line, line);
	assert_int_equal(f->below_main, below_main);
}

/* The call first, then a frame per function inlined or not, frames past
 * main "(below main)"; at most max of them. */
static void
test_frames(void **state)
{
	struct session s;
	struct process *p;
	struct leak_record rec = { .kind = DEF, .stack = 0xa, .bytes = 8,
	    .blocks = 1 };
	struct leak_frame *f = NULL;
	size_t cap = 0, n;

	(void)state;
	frames_setup(&s, &p);
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 5);
	assert_frame(&f[0], "calloc", NULL, NULL, 0, false);
	assert_frame(&f[1], "fill", "/usr/bin/prog", "prog.c", 10, false);
	assert_frame(&f[2], "make", "/usr/bin/prog", "prog.c", 20, false);
	assert_frame(&f[3], "main", "/usr/bin/prog", "prog.c", 30, false);
	assert_frame(&f[4], NULL, "/lib/libc.so.6", NULL, 0, true);
	assert_null(f[0].linkage);
	/* at most 3: the call and the two of the first machine frame */
	n = model_leaks_frames(&s, p, &rec, 3, &f, &cap);
	assert_int_equal(n, 3);
	assert_frame(&f[2], "make", "/usr/bin/prog", "prog.c", 20, false);
	n = model_leaks_frames(&s, p, &rec, 0, &f, &cap);
	assert_int_equal(n, 0);
	free(f);
	model_session_free(&s);
}

/* operator new and new[] are frames of their own: no malloc before them. */
static void
test_frames_new(void **state)
{
	struct session s;
	struct process *p;
	struct leak_record rec = { .kind = DEF, .stack = 0xb };
	struct leak_frame *f = NULL;
	size_t cap = 0, n;

	(void)state;
	frames_setup(&s, &p);
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 2);
	assert_frame(&f[0], "operator new(unsigned long)", NULL, NULL, 0, false);
	assert_string_equal(f[0].linkage, "_Znwm");
	assert_frame(&f[1], "main", "/usr/bin/prog", "prog.c", 30, false);
	rec.stack = 0xc;
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].linkage, "_Znam");
	free(f);
	model_session_free(&s);
}

/* Frames not symbolized: their module or nothing; a call the shim did not
 * name: no frame for it; no stack at all: the call alone. */
static void
test_frames_unknown(void **state)
{
	struct session s;
	struct process *p;
	struct leak_record rec = { .kind = DEF, .stack = 0xd };
	struct leak_frame *f = NULL;
	size_t cap = 0, n;

	(void)state;
	frames_setup(&s, &p);
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 3);
	assert_frame(&f[0], "pvalloc", NULL, NULL, 0, false);
	assert_frame(&f[1], NULL, "/usr/bin/prog", NULL, 0, false);
	assert_frame(&f[2], NULL, NULL, NULL, 0, false);
	rec.stack = 0xe;
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 1);
	assert_frame(&f[0], "main", "/usr/bin/prog", "prog.c", 30, false);
	rec.stack = 1;			/* blocks allocated with no stack */
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 1);
	assert_frame(&f[0], "aligned_alloc", NULL, NULL, 0, false);
	rec.stack = 0x99;		/* neither a stack nor a site */
	n = model_leaks_frames(&s, p, &rec, 16, &f, &cap);
	assert_int_equal(n, 0);
	free(f);
	model_session_free(&s);
}

/* Every call of enum heap_alloc_fn by its name. */
static void
test_frames_calls(void **state)
{
	static const char *const names[] = { "malloc", "calloc", "realloc",
	    "reallocarray", "memalign", "posix_memalign", "aligned_alloc",
	    "valloc", "pvalloc" };
	struct session s;
	struct process *p;
	struct leak_frame *f = NULL;
	size_t cap = 0;

	(void)state;
	model_session_init(&s);
	p = model_session_add(&s, 100);
	for (unsigned int fn = HEAP_FN_MALLOC; fn <= HEAP_FN_PVALLOC; fn++) {
		struct heap_new_block b = { .addr = 0x1000 * fn, .size = 8,
		    .stack = 0x100 + fn, .spare_known = true, .fn = (uint8_t)fn };
		struct leak_record rec = { .stack = 0x100 + fn };

		model_heap_alloc(&p->heap, 1, &b);
		assert_int_equal(model_leaks_frames(&s, p, &rec, 4, &f, &cap), 1);
		assert_string_equal(f[0].function, names[fn - 1]);
	}
	/* a number past the last: no name */
	{
		struct heap_new_block b = { .addr = 0x20000, .size = 8,
		    .stack = 0x200, .spare_known = true, .fn = HEAP_FN_PVALLOC + 1 };
		struct leak_record rec = { .stack = 0x200 };

		model_heap_alloc(&p->heap, 1, &b);
		assert_int_equal(model_leaks_frames(&s, p, &rec, 4, &f, &cap), 0);
	}
	free(f);
	model_session_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_suppress),
		cmocka_unit_test(test_many_records),
		cmocka_unit_test(test_no_blocks),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_frames_new),
		cmocka_unit_test(test_frames_unknown),
		cmocka_unit_test(test_frames_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the leak scan (src/model/leak-scan.c). The scan is pure: it sees
 * the target only through its reader, so each test lays out a made-up
 * address space (a few "mappings" at made-up addresses, backed by local
 * buffers), places blocks and pointers in it, and checks every block's
 * verdict against what valgrind memcheck's mark and clique phases decide.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "leak-scan.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MiB		((uint64_t)1 << 20)

#define HEAP		0x10000000ull	/* the heap "mapping" */
#define DATA		0x00600000ull	/* a data "mapping" used as roots */

#define DEF		LEAK_DEFINITELY
#define IND		LEAK_INDIRECTLY
#define POSS		LEAK_POSSIBLY
#define REACH		LEAK_REACHABLE

#define H(h)		(1u << (h))

/* --- A made-up address space ----------------------------------------- */

struct seg {
	uint64_t	 base;
	size_t		 size;
	uint8_t		*mem;
};

struct space {
	struct seg	 segs[8];
	size_t		 nsegs;
	size_t		 reads;		/* calls of the reader */
	size_t		 max_batch;	/* most ranges in one call */
	uint64_t	 max_bytes;	/* most bytes in one call */
};

static void
space_map(struct space *sp, uint64_t base, size_t size)
{
	assert_true(sp->nsegs < NELEM(sp->segs));
	sp->segs[sp->nsegs].base = base;
	sp->segs[sp->nsegs].size = size;
	sp->segs[sp->nsegs].mem = calloc(1, size);
	assert_non_null(sp->segs[sp->nsegs].mem);
	sp->nsegs++;
}

static void
space_free(struct space *sp)
{
	for (size_t i = 0; i < sp->nsegs; i++)
		free(sp->segs[i].mem);
	memset(sp, 0, sizeof(*sp));
}

/* Store the word v at addr, which must be mapped. */
static void
put(struct space *sp, uint64_t addr, uint64_t v)
{
	for (size_t i = 0; i < sp->nsegs; i++) {
		struct seg *s = &sp->segs[i];

		if (addr >= s->base && addr + 8 <= s->base + s->size) {
			memcpy(s->mem + (addr - s->base), &v, 8);
			return;
		}
	}
	fail_msg("put: 0x%llx is not mapped", (unsigned long long)addr);
}

/* The reader: the ranges back to back, zeros where nothing is mapped. */
static void
space_read(void *ctx, const struct leak_io *io, size_t n, void *dst)
{
	struct space *sp = ctx;
	uint8_t *d = dst;
	uint64_t bytes = 0;

	sp->reads++;
	if (n > sp->max_batch)
		sp->max_batch = n;
	for (size_t k = 0; k < n; k++)
		bytes += io[k].len;
	if (bytes > sp->max_bytes)
		sp->max_bytes = bytes;
	for (size_t k = 0; k < n; k++) {
		uint64_t a = io[k].addr, e = io[k].addr + io[k].len;

		memset(d, 0, io[k].len);
		for (size_t i = 0; i < sp->nsegs; i++) {
			const struct seg *s = &sp->segs[i];
			uint64_t lo = a > s->base ? a : s->base;
			uint64_t hi = e < s->base + s->size ? e : s->base + s->size;

			if (lo < hi)
				memcpy(d + (lo - a), s->mem + (lo - s->base),
				    (size_t)(hi - lo));
		}
		d += io[k].len;
	}
}

/*
 * Every test runs twice: with the blocks read from the target as the scan
 * needs them, and with the heap copied in bulk first (copy_limit), which
 * needs the mappings (the made-up segments, unless the test gives its own).
 */
static bool copy_mode;

static int
seg_cmp(const void *a, const void *b)
{
	const struct leak_mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Run the scan on in over sp; the verdicts start as garbage on purpose. */
static void
run(struct space *sp, struct leak_scan_input in, struct leak_verdict *v,
    struct leak_scan_stats *st)
{
	struct leak_mapping maps[NELEM(sp->segs)];

	if (copy_mode) {
		in.copy_limit = UINT64_MAX;
		if (in.nmaps == 0) {
			for (size_t i = 0; i < sp->nsegs; i++)
				maps[i] = (struct leak_mapping){ .start = sp->segs[i].base,
				    .end = sp->segs[i].base + sp->segs[i].size,
				    .readable = true };
			qsort(maps, sp->nsegs, sizeof(maps[0]), seg_cmp);
			in.maps = maps;
			in.nmaps = sp->nsegs;
		}
	}
	in.read = space_read;
	in.ctx = sp;
	memset(v, 0xa5, in.nblocks * sizeof(*v));
	memset(st, 0xa5, sizeof(*st));
	leak_scan(&in, v, st);
}

#define assert_verdict(vd, k, h, ind) do {				\
	assert_int_equal((vd).kind, (k));				\
	assert_int_equal((vd).heuristic, (h));				\
	assert_int_equal((vd).indirect_bytes, (ind));			\
} while (0)

/* Blocks with the kind only (indirect 0, no heuristic). */
#define assert_kind(vd, k)	assert_verdict(vd, k, LEAK_HEUR_NONE, 0)

/* --- Mark phase -------------------------------------------------------- */

static void
test_no_blocks(void **state)
{
	struct space sp = { 0 };
	struct leak_range roots[] = { { DATA, DATA + 64 } };
	struct leak_verdict v[1];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, DATA, 4096);
	run(&sp, (struct leak_scan_input){ .blocks = NULL, .nblocks = 0,
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_int_equal(st.root_bytes, 0);
	assert_int_equal(st.block_bytes, 0);
	assert_int_equal(sp.reads, 0);
	space_free(&sp);
}

static void
test_no_pointers(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 }, { HEAP + 0x40, 48 }, { HEAP + 0x80, 24 },
	};
	struct leak_range roots[] = { { DATA, DATA + 64 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	/* words that are no pointer to a block */
	put(&sp, DATA + 0, 0);
	put(&sp, DATA + 8, 1);
	put(&sp, DATA + 16, HEAP - 8);		/* below the first block */
	put(&sp, DATA + 24, HEAP + 0x30);	/* between A and B */
	put(&sp, DATA + 32, HEAP + 0x70);	/* B's end */
	put(&sp, DATA + 40, HEAP + 0x98);	/* C's end */
	put(&sp, DATA + 48, UINT64_MAX);
	put(&sp, DATA + 56, DATA);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1, .heuristics = LEAK_HEURISTICS_ALL },
	    v, &st);
	for (size_t i = 0; i < NELEM(b); i++)
		assert_kind(v[i], DEF);
	assert_int_equal(st.root_bytes, 64);
	/* each lost block is scanned once, as a clique leader */
	assert_int_equal(st.block_bytes, 32 + 48 + 24);
	space_free(&sp);
}

/*
 * A root that holds blocks (the allocator's memory of a process joined
 * late): the words between the blocks are roots, whatever the gap (8
 * bytes, an unaligned tail of a block before it, 4 KiB), the blocks' own
 * words are not, and the gaps are read in one call.
 */
static void
test_root_holding_blocks(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x10, 16 },	/* A: points to D, is not reached */
		{ HEAP + 0x28, 13 },	/* B: 8 bytes after A; ends unaligned */
		{ HEAP + 0x40, 32 },	/* C */
		{ HEAP + 0x1060, 8 },	/* D */
		{ HEAP + 0x1070, 8 },	/* E */
	};
	struct leak_range roots[] = { { HEAP, HEAP + 0x2000 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	put(&sp, HEAP + 0x10, HEAP + 0x1060);	/* in A, to D */
	put(&sp, HEAP + 0x20, HEAP + 0x28);	/* the 8-byte gap, to B */
	put(&sp, HEAP + 0x38, HEAP + 0x40);	/* after B's tail, to C */
	put(&sp, HEAP + 0x1000, HEAP + 0x1070);	/* the 4 KiB gap, to E */
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[1], REACH);
	assert_kind(v[2], REACH);
	assert_verdict(v[3], IND, LEAK_HEUR_NONE, 0);
	assert_verdict(v[0], DEF, LEAK_HEUR_NONE, 8);
	assert_kind(v[4], REACH);
	/* every byte but the blocks', and the 3 of B's last word past it */
	assert_int_equal(st.root_bytes, 0x2000 - 16 - 16 - 32 - 8 - 8);
	space_free(&sp);
}

static void
test_start_pointer_reachable(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 }, { HEAP + 0x40, 48 }, { HEAP + 0x80, 24 },
	};
	struct leak_range roots[] = { { DATA, DATA + 8 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA, HEAP + 0x40);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], DEF);
	assert_kind(v[1], REACH);
	assert_kind(v[2], DEF);
	assert_int_equal(st.root_bytes, 8);
	assert_int_equal(st.block_bytes, 48 + 32 + 24);
	space_free(&sp);
}

static void
test_interior_pointer_possibly(void **state)
{
	static const unsigned int sets[] = { 0, LEAK_HEURISTICS_ALL };
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 }, { HEAP + 0x40, 48 }, { HEAP + 0x80, 24 },
	};
	struct leak_range roots[] = { { DATA, DATA + 16 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	/* no heuristic fits a block of zeros: the same with all of them */
	for (size_t k = 0; k < NELEM(sets); k++) {
		struct space sp = { 0 };

		space_map(&sp, HEAP, MiB);
		space_map(&sp, DATA, 4096);
		put(&sp, DATA + 0, HEAP + 0x08);
		put(&sp, DATA + 8, HEAP + 0x40 + 47);	/* B's last byte */
		run(&sp, (struct leak_scan_input){ .blocks = b,
		    .nblocks = NELEM(b), .roots = roots, .nroots = 1,
		    .heuristics = sets[k] }, v, &st);
		assert_kind(v[0], POSS);
		assert_kind(v[1], POSS);
		assert_kind(v[2], DEF);
		space_free(&sp);
	}
}

/*
 * memcheck's is_prior_definite: what a possibly lost block points to is
 * possibly lost too, even through a pointer to its start.
 */
static void
test_reached_from_possibly(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 },	/* A: an interior pointer only */
		{ HEAP + 0x40, 48 },	/* B: A points to its start */
		{ HEAP + 0x80, 24 },	/* C: B points to its start */
		{ HEAP + 0xc0, 16 },	/* D: A points inside it */
		{ HEAP + 0x100, 16 },	/* E: nothing */
	};
	struct leak_range roots[] = { { DATA, DATA + 8 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA, HEAP + 0x10);
	put(&sp, HEAP + 0x00, HEAP + 0x40);
	put(&sp, HEAP + 0x18, HEAP + 0xc8);
	put(&sp, HEAP + 0x48, HEAP + 0x80);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1, .heuristics = LEAK_HEURISTICS_ALL },
	    v, &st);
	assert_kind(v[0], POSS);
	assert_kind(v[1], POSS);
	assert_kind(v[2], POSS);
	assert_kind(v[3], POSS);
	assert_kind(v[4], DEF);
	space_free(&sp);
}

/*
 * A possibly lost block reached later through its start from a definite
 * one becomes reachable and is scanned again: what it points to follows.
 * Both orders of the roots (the mark stack is LIFO).
 */
static void
test_possibly_upgraded(void **state)
{
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 },	/* A: the root points inside; C to its start */
		{ HEAP + 0x40, 48 },	/* B: A points to it */
		{ HEAP + 0x80, 24 },	/* C: the root points to it */
		{ HEAP + 0xc0, 16 },	/* D: nothing */
	};
	struct leak_range roots[] = { { DATA, DATA + 16 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	for (int order = 0; order < 2; order++) {
		struct space sp = { 0 };

		space_map(&sp, HEAP, MiB);
		space_map(&sp, DATA, 4096);
		put(&sp, DATA + (order ? 8 : 0), HEAP + 0x80);
		put(&sp, DATA + (order ? 0 : 8), HEAP + 0x08);
		put(&sp, HEAP + 0x10, HEAP + 0x40);
		put(&sp, HEAP + 0x80, HEAP + 0x00);
		run(&sp, (struct leak_scan_input){ .blocks = b,
		    .nblocks = NELEM(b), .roots = roots, .nroots = 1 }, v, &st);
		assert_kind(v[0], REACH);
		assert_kind(v[1], REACH);
		assert_kind(v[2], REACH);
		assert_kind(v[3], DEF);
		space_free(&sp);
	}
}

static void
test_chain_reachable(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 40 },	/* A */
		{ HEAP + 0x40, 24 },	/* B */
		{ HEAP + 0x80, 16 },	/* C */
		{ HEAP + 0xc0, 16 },	/* D: unreached */
	};
	struct leak_range roots[] = { { DATA, DATA + 8 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA, HEAP + 0x00);
	put(&sp, HEAP + 0x20, HEAP + 0x40);	/* A's last word -> B */
	put(&sp, HEAP + 0x48, HEAP + 0x80);	/* B -> C */
	put(&sp, HEAP + 0x88, HEAP + 0x04);	/* C -> inside A */
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], REACH);
	assert_kind(v[1], REACH);
	assert_kind(v[2], REACH);
	assert_kind(v[3], DEF);
	assert_int_equal(st.block_bytes, 40 + 24 + 16 + 16);
	space_free(&sp);
}

/* A block whose size is no multiple of 8: its last partial word is not
 * scanned; a block at an unaligned address: only its whole words. */
static void
test_partial_words(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 20 },	/* A: words at 0, 8; 16..20 partial */
		{ HEAP + 0x40, 16 },	/* B: A's word at 8 */
		{ HEAP + 0x80, 16 },	/* C: A's bytes 16..24 */
		{ HEAP + 0x104, 20 },	/* U: unaligned, whole words 0x108, 0x110 */
		{ HEAP + 0x140, 16 },	/* K: U's word at 0x110 */
		{ HEAP + 0x180, 16 },	/* K2: the word at 0x118, past U */
		{ HEAP + 0x1c0, 16 },	/* K3: the word at 0x100, before U */
	};
	struct leak_range roots[] = { { DATA, DATA + 16 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA + 0, HEAP + 0x00);
	put(&sp, DATA + 8, HEAP + 0x104);
	put(&sp, HEAP + 0x08, HEAP + 0x40);
	put(&sp, HEAP + 0x10, HEAP + 0x80);
	put(&sp, HEAP + 0x110, HEAP + 0x140);
	put(&sp, HEAP + 0x118, HEAP + 0x180);
	put(&sp, HEAP + 0x100, HEAP + 0x1c0);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], REACH);
	assert_kind(v[1], REACH);
	assert_kind(v[2], DEF);
	assert_kind(v[3], REACH);
	assert_kind(v[4], REACH);
	assert_kind(v[5], DEF);
	assert_kind(v[6], DEF);
	space_free(&sp);
}

static void
test_register_roots(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 },	/* A: a register holds its address */
		{ HEAP + 0x40, 48 },	/* B: a register points inside */
		{ HEAP + 0x80, 24 },	/* C: A points to it */
		{ HEAP + 0xc0, 16 },	/* D: a register holds its end */
	};
	uint64_t regs[] = { 12345, HEAP + 0x00, 0, HEAP + 0x48, HEAP + 0xd0,
	    UINT64_MAX };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	put(&sp, HEAP + 0x08, HEAP + 0x80);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .regs = regs, .nregs = NELEM(regs) }, v, &st);
	assert_kind(v[0], REACH);
	assert_kind(v[1], POSS);
	assert_kind(v[2], REACH);
	assert_kind(v[3], DEF);
	assert_int_equal(st.root_bytes, 0);
	space_free(&sp);
}

/* A pointer equal to a zero-sized block's address points to it (memcheck
 * counts such blocks as one byte long); one byte further does not. */
static void
test_zero_size_block(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x100, 0 },	/* Z1: the root holds its address */
		{ HEAP + 0x200, 0 },	/* Z2: the root holds its address + 1 */
		{ HEAP + 0x300, 16 },	/* A: lost, points to Z3 */
		{ HEAP + 0x400, 0 },	/* Z3 */
		{ HEAP + 0x500, 0 },	/* Z4: the end of the span */
	};
	struct leak_range roots[] = { { DATA, DATA + 24 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA + 0, HEAP + 0x100);
	put(&sp, DATA + 8, HEAP + 0x201);
	put(&sp, DATA + 16, HEAP + 0x500);
	put(&sp, HEAP + 0x308, HEAP + 0x400);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], REACH);
	assert_kind(v[1], DEF);
	assert_kind(v[2], DEF);		/* indirect bytes: Z3's 0 */
	assert_kind(v[3], IND);
	assert_kind(v[4], REACH);
	space_free(&sp);
}

/* A pointer one past a block's end is not a pointer to it; to the block
 * right after, it is a pointer to that block's start. */
static void
test_one_past_end(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 32 },	/* A */
		{ HEAP + 0x20, 16 },	/* B: right after A */
		{ HEAP + 0x100, 32 },	/* C: the root holds its end */
		{ HEAP + 0x200, 32 },	/* D: the root holds its last byte */
	};
	struct leak_range roots[] = { { DATA, DATA + 24 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA + 0, HEAP + 0x20);
	put(&sp, DATA + 8, HEAP + 0x120);
	put(&sp, DATA + 16, HEAP + 0x21f);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], DEF);
	assert_kind(v[1], REACH);
	assert_kind(v[2], DEF);
	assert_kind(v[3], POSS);
	space_free(&sp);
}

/* Roots are scanned word by word from their first aligned word to their
 * last whole one; unreadable parts read as zeros. */
static void
test_unaligned_roots(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x00, 16 }, { HEAP + 0x40, 16 }, { HEAP + 0x80, 16 },
		{ HEAP + 0xc0, 16 }, { HEAP + 0x100, 16 }, { HEAP + 0x140, 16 },
	};
	struct leak_range roots[] = {
		{ DATA + 3, DATA + 29 },	/* words at 8, 16 */
		{ DATA + 33, DATA + 39 },	/* no whole word */
		{ DATA + 4096 - 16, DATA + 4096 + 16 },	/* half unmapped */
	};
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA + 0, HEAP + 0x00);	/* straddles the start */
	put(&sp, DATA + 8, HEAP + 0x40);
	put(&sp, DATA + 16, HEAP + 0x80);
	put(&sp, DATA + 24, HEAP + 0xc0);	/* straddles the end */
	put(&sp, DATA + 32, HEAP + 0x100);
	put(&sp, DATA + 4096 - 8, HEAP + 0x140);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = NELEM(roots) }, v, &st);
	assert_kind(v[0], DEF);
	assert_kind(v[1], REACH);
	assert_kind(v[2], REACH);
	assert_kind(v[3], DEF);
	assert_kind(v[4], DEF);
	assert_kind(v[5], REACH);
	assert_int_equal(st.root_bytes, 16 + 0 + 32);
	space_free(&sp);
}

/* --- Lost blocks: cliques ---------------------------------------------- */

static void
test_lost_tree(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x000, 64 },	/* L: the leader */
		{ HEAP + 0x100, 32 },	/* B: L's child */
		{ HEAP + 0x200, 48 },	/* C: L's child, through an interior pointer */
		{ HEAP + 0x300, 16 },	/* D: B's child, L's too */
		{ HEAP + 0x400, 40 },	/* E: lost, on its own */
	};
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	put(&sp, HEAP + 0x000, HEAP + 0x100);
	put(&sp, HEAP + 0x008, HEAP + 0x204);
	put(&sp, HEAP + 0x010, HEAP + 0x300);	/* D twice: counted once */
	put(&sp, HEAP + 0x110, HEAP + 0x300);
	put(&sp, HEAP + 0x300, HEAP + 0x000);	/* back to the leader */
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .heuristics = LEAK_HEURISTICS_ALL }, v, &st);
	assert_verdict(v[0], DEF, LEAK_HEUR_NONE, 32 + 48 + 16);
	assert_kind(v[1], IND);
	assert_kind(v[2], IND);
	assert_kind(v[3], IND);
	assert_kind(v[4], DEF);
	assert_int_equal(st.block_bytes, 64 + 32 + 48 + 16 + 40);
	space_free(&sp);
}

static void
test_lost_cycle(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x000, 32 },	/* A <-> B, unreached */
		{ HEAP + 0x040, 48 },
		{ HEAP + 0x100, 16 },	/* C <-> D, the root points to D */
		{ HEAP + 0x140, 24 },
	};
	struct leak_range roots[] = { { DATA, DATA + 8 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, HEAP + 0x008, HEAP + 0x040);
	put(&sp, HEAP + 0x068, HEAP + 0x000);
	put(&sp, HEAP + 0x100, HEAP + 0x140);
	put(&sp, HEAP + 0x150, HEAP + 0x100);
	put(&sp, DATA, HEAP + 0x140);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_verdict(v[0], DEF, LEAK_HEUR_NONE, 48);
	assert_kind(v[1], IND);
	assert_kind(v[2], REACH);
	assert_kind(v[3], REACH);
	space_free(&sp);
}

/*
 * memcheck's clique merging: lost blocks lead cliques in address order, so
 * a leader found later that reaches an earlier leader takes it in, with
 * what it had gathered.
 */
static void
test_clique_merge(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		/* A -> C -> D, all below A */
		{ HEAP + 0x000, 16 },	/* D */
		{ HEAP + 0x040, 32 },	/* C */
		{ HEAP + 0x080, 64 },	/* A */
		/* X -> Y; Z -> W -> X */
		{ HEAP + 0x100, 24 },	/* X */
		{ HEAP + 0x140, 40 },	/* Y */
		{ HEAP + 0x180, 56 },	/* Z */
		{ HEAP + 0x1c0, 8 },	/* W */
	};
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	put(&sp, HEAP + 0x088, HEAP + 0x040);
	put(&sp, HEAP + 0x058, HEAP + 0x000);
	put(&sp, HEAP + 0x110, HEAP + 0x140);
	put(&sp, HEAP + 0x180, HEAP + 0x1c0);
	put(&sp, HEAP + 0x1c0, HEAP + 0x108);	/* inside X */
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b) },
	    v, &st);
	assert_kind(v[0], IND);
	assert_kind(v[1], IND);
	assert_verdict(v[2], DEF, LEAK_HEUR_NONE, 32 + 16);
	assert_kind(v[3], IND);
	assert_kind(v[4], IND);
	assert_verdict(v[5], DEF, LEAK_HEUR_NONE, 8 + 24 + 40);
	assert_kind(v[6], IND);
	space_free(&sp);
}

/* Lost blocks pointing at reached ones change nothing of those. */
static void
test_lost_points_to_reached(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x000, 32 },	/* L: lost, points to R and P */
		{ HEAP + 0x040, 16 },	/* R: reachable */
		{ HEAP + 0x080, 16 },	/* P: possibly */
	};
	struct leak_range roots[] = { { DATA, DATA + 16 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA + 0, HEAP + 0x40);
	put(&sp, DATA + 8, HEAP + 0x88);
	put(&sp, HEAP + 0x00, HEAP + 0x40);
	put(&sp, HEAP + 0x08, HEAP + 0x80);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], DEF);
	assert_kind(v[1], REACH);
	assert_kind(v[2], POSS);
	space_free(&sp);
}

/* --- Heuristics -------------------------------------------------------- */

/* One interior pointer from a root to each block; the verdicts under the
 * heuristic set given. */
static void
scan_interior(const struct leak_block *b, size_t nb, const uint64_t *words,
    size_t nwords, const uint64_t *ptrs, unsigned int heuristics,
    struct leak_verdict *v)
{
	struct space sp = { 0 };
	struct leak_range roots[] = { { DATA, DATA + 8 * nb } };
	struct leak_scan_stats st;

	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	for (size_t i = 0; i < nwords; i += 2)
		put(&sp, words[i], words[i + 1]);
	for (size_t i = 0; i < nb; i++)
		put(&sp, DATA + 8 * i, ptrs[i]);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = nb,
	    .roots = roots, .nroots = 1, .heuristics = heuristics }, v, &st);
	space_free(&sp);
}

static void
test_heuristic_newarray(void **state)
{
	struct leak_block b[] = {
		{ HEAP + 0x000, 56 },	/* 3 elements of 16 */
		{ HEAP + 0x100, 56 },	/* 5: 48 % 5 != 0 */
		{ HEAP + 0x200, 56 },	/* 0 elements */
		{ HEAP + 0x300, 56 },	/* 3, but the pointer at +16 */
		{ HEAP + 0x400, 16 },	/* K: the first block's element points here */
	};
	uint64_t words[] = {
		HEAP + 0x000, 3, HEAP + 0x010, HEAP + 0x400,
		HEAP + 0x100, 5,
		HEAP + 0x200, 0,
		HEAP + 0x300, 3,
	};
	uint64_t ptrs[] = { HEAP + 0x008, HEAP + 0x108, HEAP + 0x208,
	    HEAP + 0x310, 0 };
	struct leak_verdict v[NELEM(b)];

	(void)state;
	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    LEAK_HEURISTICS_ALL, v);
	assert_verdict(v[0], REACH, LEAK_HEUR_NEWARRAY, 0);
	assert_int_equal(v[1].kind, POSS);
	assert_int_equal(v[2].kind, POSS);
	assert_int_equal(v[3].kind, POSS);
	assert_kind(v[4], REACH);	/* scanned as definite */

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    H(LEAK_HEUR_NEWARRAY), v);
	assert_verdict(v[0], REACH, LEAK_HEUR_NEWARRAY, 0);
	assert_kind(v[4], REACH);

	/* 3 is no length of the rest (48) */
	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    H(LEAK_HEUR_LENGTH64), v);
	assert_kind(v[0], POSS);
	assert_kind(v[4], POSS);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs, 0, v);
	for (size_t i = 0; i < NELEM(b); i++)
		assert_kind(v[i], POSS);
}

static void
test_heuristic_length64(void **state)
{
	struct leak_block b[] = {
		{ HEAP + 0x000, 40 },	/* 32: the length of the rest */
		{ HEAP + 0x100, 40 },	/* 40: not the rest; 32 % 40 != 0 */
		{ HEAP + 0x200, 40 },	/* 32, the pointer at +16 */
	};
	uint64_t words[] = {
		HEAP + 0x000, 32,
		HEAP + 0x100, 40,
		HEAP + 0x200, 32,
	};
	uint64_t ptrs[] = { HEAP + 0x008, HEAP + 0x108, HEAP + 0x210 };
	struct leak_verdict v[NELEM(b)];

	(void)state;
	/* length64 is tried before newarray, which would fit as well */
	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    LEAK_HEURISTICS_ALL, v);
	assert_verdict(v[0], REACH, LEAK_HEUR_LENGTH64, 0);
	assert_int_equal(v[1].kind, POSS);
	assert_int_equal(v[2].kind, POSS);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    H(LEAK_HEUR_LENGTH64), v);
	assert_verdict(v[0], REACH, LEAK_HEUR_LENGTH64, 0);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    H(LEAK_HEUR_NEWARRAY), v);
	assert_verdict(v[0], REACH, LEAK_HEUR_NEWARRAY, 0);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    H(LEAK_HEUR_STDSTRING) | H(LEAK_HEUR_MULTIPLE_INHERITANCE), v);
	assert_kind(v[0], POSS);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs, 0, v);
	for (size_t i = 0; i < NELEM(b); i++)
		assert_kind(v[i], POSS);
}

static void
test_heuristic_stdstring(void **state)
{
	struct leak_block b[] = {
		{ HEAP + 0x000, 40 },	/* length 10, capacity 15: 24 + 15 + 1 */
		{ HEAP + 0x100, 40 },	/* length 16 > capacity 15 */
		{ HEAP + 0x200, 40 },	/* length 15 == capacity */
		{ HEAP + 0x300, 48 },	/* capacity 15, but 48 bytes */
		{ HEAP + 0x400, 40 },	/* as the first, the pointer at +16 */
	};
	uint64_t words[] = {
		HEAP + 0x000, 10, HEAP + 0x008, 15,
		HEAP + 0x100, 16, HEAP + 0x108, 15,
		HEAP + 0x200, 15, HEAP + 0x208, 15,
		HEAP + 0x300, 10, HEAP + 0x308, 15,
		HEAP + 0x400, 10, HEAP + 0x408, 15,
	};
	uint64_t ptrs[] = { HEAP + 0x018, HEAP + 0x118, HEAP + 0x218,
	    HEAP + 0x318, HEAP + 0x410 };
	struct leak_verdict v[NELEM(b)];

	(void)state;
	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    LEAK_HEURISTICS_ALL, v);
	assert_verdict(v[0], REACH, LEAK_HEUR_STDSTRING, 0);
	assert_int_equal(v[1].kind, POSS);
	assert_verdict(v[2], REACH, LEAK_HEUR_STDSTRING, 0);
	assert_int_equal(v[3].kind, POSS);
	assert_int_equal(v[4].kind, POSS);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    H(LEAK_HEUR_STDSTRING), v);
	assert_verdict(v[0], REACH, LEAK_HEUR_STDSTRING, 0);
	assert_verdict(v[2], REACH, LEAK_HEUR_STDSTRING, 0);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs,
	    LEAK_HEURISTICS_ALL & ~H(LEAK_HEUR_STDSTRING), v);
	assert_kind(v[0], POSS);
	assert_kind(v[2], POSS);

	scan_interior(b, NELEM(b), words, NELEM(words), ptrs, 0, v);
	for (size_t i = 0; i < NELEM(b); i++)
		assert_kind(v[i], POSS);
}

/* The mappings of the multiple-inheritance tests. */
#define TEXT		0x400000ull	/* file, r-x */
#define RODATA		0x402000ull	/* file, r-- */
#define ANONRO		0x404000ull	/* anonymous, r-- */

#define VT_A		(RODATA + 0x000)	/* two functions */
#define VT_B		(RODATA + 0x040)	/* 0, f, 0, g */
#define VT_FAR		(RODATA + 0x100)	/* f, then g at index 19 */
#define VT_BAD		(RODATA + 0x400)	/* f, then a rodata address */
#define VT_ONE		(RODATA + 0x800)	/* f, then zeros */
#define VT_END		(RODATA + 0xff0)	/* f, g: the mapping's last words */
#define VT_END1		(RODATA + 0xff8)	/* g: the mapping's last word */
#define VT_ANON		(ANONRO + 0x000)	/* f, g, not in a file */

static void
test_heuristic_multiple_inheritance(void **state)
{
	struct leak_mapping maps[] = {
		{ TEXT, TEXT + 0x1000, true, true, true },
		{ RODATA, RODATA + 0x1000, true, true, false },
		{ ANONRO, ANONRO + 0x1000, false, true, false },
		{ HEAP, HEAP + MiB, false, true, false },
	};
	struct leak_block b[] = {
		{ HEAP + 0x000, 32 },	/* M1: VT_A, 0, VT_B */
		{ HEAP + 0x100, 32 },	/* M2: VT_A, 0, VT_ONE */
		{ HEAP + 0x200, 32 },	/* M3: VT_ANON, 0, VT_B */
		{ HEAP + 0x300, 32 },	/* M4: VT_A, 0, VT_BAD */
		{ HEAP + 0x400, 32 },	/* M5: as M1, pointed to at +20 */
		{ HEAP + 0x500, 32 },	/* M6: VT_FAR, 0, VT_END */
		{ HEAP + 0x600, 32 },	/* M7: VT_A, 0, VT_END1 */
		{ HEAP + 0x700, 32 },	/* M8: VT_A + 4, 0, VT_B */
		{ HEAP + 0x800, 32 },	/* M9: as M1, pointed to at +8 (a 0) */
	};
	uint64_t ptrs[NELEM(b)];
	const unsigned int all = LEAK_HEURISTICS_ALL;
	const unsigned int sets[] = { all, H(LEAK_HEUR_MULTIPLE_INHERITANCE),
	    all & ~H(LEAK_HEUR_MULTIPLE_INHERITANCE), 0 };
	struct leak_range roots[] = { { DATA, DATA + 8 * NELEM(b) } };

	(void)state;
	for (size_t k = 0; k < NELEM(sets); k++) {
		struct space sp = { 0 };
		struct leak_verdict v[NELEM(b)];
		struct leak_scan_stats st;
		uint64_t first[] = { VT_A, VT_A, VT_ANON, VT_A, VT_A, VT_FAR,
		    VT_A, VT_A + 4, VT_A };
		uint64_t inner[] = { VT_B, VT_ONE, VT_B, VT_BAD, VT_B, VT_END,
		    VT_END1, VT_B, VT_B };
		bool mi = sets[k] & H(LEAK_HEUR_MULTIPLE_INHERITANCE);

		space_map(&sp, HEAP, MiB);
		space_map(&sp, DATA, 4096);
		space_map(&sp, RODATA, 0x1000);
		space_map(&sp, ANONRO, 0x1000);
		put(&sp, VT_A, TEXT + 0x100);
		put(&sp, VT_A + 8, TEXT + 0x200);
		put(&sp, VT_B + 8, TEXT + 0x300);
		put(&sp, VT_B + 24, TEXT + 0x400);
		put(&sp, VT_FAR, TEXT + 0x100);
		put(&sp, VT_FAR + 19 * 8, TEXT + 0x200);
		put(&sp, VT_BAD, TEXT + 0x100);
		put(&sp, VT_BAD + 8, RODATA);
		put(&sp, VT_ONE, TEXT + 0x100);
		put(&sp, VT_END, TEXT + 0x100);
		put(&sp, VT_END + 8, TEXT + 0x200);	/* VT_END1 */
		put(&sp, VT_ANON, TEXT + 0x100);
		put(&sp, VT_ANON + 8, TEXT + 0x200);
		for (size_t i = 0; i < NELEM(b); i++) {
			put(&sp, b[i].addr, first[i]);
			put(&sp, b[i].addr + 16, inner[i]);
			ptrs[i] = b[i].addr + 16;
		}
		ptrs[4] = b[4].addr + 20;
		ptrs[8] = b[8].addr + 8;
		for (size_t i = 0; i < NELEM(b); i++)
			put(&sp, DATA + 8 * i, ptrs[i]);
		run(&sp, (struct leak_scan_input){ .blocks = b,
		    .nblocks = NELEM(b), .roots = roots, .nroots = 1,
		    .maps = maps, .nmaps = NELEM(maps), .heuristics = sets[k] },
		    v, &st);
		if (mi) {
			assert_verdict(v[0], REACH,
			    LEAK_HEUR_MULTIPLE_INHERITANCE, 0);
			assert_verdict(v[5], REACH,
			    LEAK_HEUR_MULTIPLE_INHERITANCE, 0);
		} else {
			assert_kind(v[0], POSS);
			assert_kind(v[5], POSS);
		}
		for (size_t i = 1; i < NELEM(b); i++)
			if (i != 5)
				assert_int_equal(v[i].kind, POSS);
		space_free(&sp);
	}
}

/*
 * A block reachable through a heuristic that is then reached through its
 * start too loses its heuristic mark, whichever comes first; reached only
 * through the heuristic, it keeps it.
 */
static void
test_heuristic_mark_cleared(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x000, 56 },	/* N1: root: +8, then the start */
		{ HEAP + 0x100, 56 },	/* N2: root: +8 only */
		{ HEAP + 0x200, 56 },	/* N3: root: the start, then +8 */
		{ HEAP + 0x300, 56 },	/* N4: root: +8; P: the start */
		{ HEAP + 0x400, 16 },	/* P */
	};
	uint64_t roots_words[] = { HEAP + 0x008, HEAP + 0x000, HEAP + 0x108,
	    HEAP + 0x200, HEAP + 0x208, HEAP + 0x308, HEAP + 0x400 };
	struct leak_range roots[] = { { DATA, DATA + sizeof(roots_words) } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	for (size_t i = 0; i < 4; i++)
		put(&sp, b[i].addr, 3);
	put(&sp, HEAP + 0x400, HEAP + 0x300);
	for (size_t i = 0; i < NELEM(roots_words); i++)
		put(&sp, DATA + 8 * i, roots_words[i]);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1, .heuristics = LEAK_HEURISTICS_ALL },
	    v, &st);
	assert_kind(v[0], REACH);
	assert_verdict(v[1], REACH, LEAK_HEUR_NEWARRAY, 0);
	assert_kind(v[2], REACH);
	assert_kind(v[3], REACH);
	assert_kind(v[4], REACH);
	space_free(&sp);
}

/* Through a heuristic from a possibly lost block: possibly lost. */
static void
test_heuristic_from_possibly(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x000, 32 },	/* A: interior pointer from the root */
		{ HEAP + 0x100, 56 },	/* N: new[] of 3, A points at +8 */
	};
	struct leak_range roots[] = { { DATA, DATA + 8 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA, HEAP + 0x10);
	put(&sp, HEAP + 0x000, HEAP + 0x108);
	put(&sp, HEAP + 0x100, 3);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1, .heuristics = LEAK_HEURISTICS_ALL },
	    v, &st);
	assert_kind(v[0], POSS);
	assert_int_equal(v[1].kind, POSS);
	assert_int_equal(v[1].indirect_bytes, 0);
	space_free(&sp);
}

/* --- Size: big blocks, many blocks, far apart ---------------------------- */

/* Blocks and roots over 4 MiB are read in pieces: pointers on both sides
 * of a piece's end count, and a piece of a possibly lost block is scanned
 * as such. */
static void
test_big_blocks(void **state)
{
	const uint64_t big = 5 * MiB, lost = 6 * MiB;
	const uint64_t rootseg = 0x20000000ull;
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP, big },				/* BIG: the root's */
		{ HEAP + big, 32 },			/* S1 */
		{ HEAP + big + 0x100, 32 },		/* S2 */
		{ HEAP + 6 * MiB, lost },		/* LB: lost */
		{ HEAP + 12 * MiB, 48 },		/* S3 */
		{ HEAP + 12 * MiB + 0x100, 16 },	/* S4 */
		{ HEAP + 12 * MiB + 0x200, 8 },		/* S5 */
		{ HEAP + 13 * MiB, big },		/* PB: inside, from the root */
		{ HEAP + 18 * MiB, 16 },		/* S6: PB's */
	};
	struct leak_range roots[] = { { rootseg, rootseg + big } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, 19 * MiB);
	space_map(&sp, rootseg, big);
	put(&sp, rootseg, HEAP);
	put(&sp, rootseg + 8, HEAP + 13 * MiB + 8);
	put(&sp, HEAP + 13 * MiB + 4 * MiB + 16, HEAP + 18 * MiB);
	put(&sp, rootseg + big - 8, HEAP + 12 * MiB + 0x200);
	put(&sp, HEAP + 0x480000, HEAP + big);
	put(&sp, HEAP + big - 8, HEAP + big + 0x100);
	put(&sp, HEAP + 6 * MiB + 4 * MiB + 8, HEAP + 12 * MiB);
	put(&sp, HEAP + 6 * MiB + 4 * MiB - 8, HEAP + 12 * MiB + 0x108);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], REACH);
	assert_kind(v[1], REACH);
	assert_kind(v[2], REACH);
	assert_verdict(v[3], DEF, LEAK_HEUR_NONE, 48 + 16);
	assert_kind(v[4], IND);
	assert_kind(v[5], IND);
	assert_kind(v[6], REACH);
	assert_kind(v[7], POSS);
	assert_kind(v[8], POSS);	/* PB is scanned as possibly lost */
	assert_int_equal(st.root_bytes, big);
	assert_int_equal(st.block_bytes,
	    big + 32 + 32 + 8 + big + 16 + lost + 48 + 16);
	/* read in pieces of 4 MiB at most */
	assert_int_equal(sp.max_bytes, 4 * MiB);
	space_free(&sp);
}

/*
 * Thousands of blocks (read 1024 at most at a time): 3000 reachable, half
 * from the roots and half from those; a lost list of 2000 going up (its
 * first block leads), one going down (each leader is taken in by the
 * next, so the last leads them all).
 */
#define NREACH		3000
#define NLIST		2000

static void
test_many_blocks(void **state)
{
	const uint64_t up = HEAP + 0x40000, down = HEAP + 0x60000;
	size_t nb = NREACH + 2 * NLIST, nroots = NREACH / 2;
	struct leak_block *b = calloc(nb, sizeof(*b));
	struct leak_verdict *v = calloc(nb, sizeof(*v));
	struct leak_range roots[] = { { DATA, DATA + 8 * NREACH / 2 } };
	struct space sp = { 0 };
	struct leak_scan_stats st;

	(void)state;
	assert_non_null(b);
	assert_non_null(v);
	space_map(&sp, HEAP, MiB);
	space_map(&sp, DATA, 8 * nroots);
	for (size_t i = 0; i < NREACH; i++) {
		b[i] = (struct leak_block){ HEAP + 48 * i, 32 };
		if (i % 2 == 0) {
			put(&sp, DATA + 8 * (i / 2), b[i].addr);
			put(&sp, b[i].addr + 24, HEAP + 48 * (i + 1));
		}
	}
	for (size_t j = 0; j < NLIST; j++) {
		b[NREACH + j] = (struct leak_block){ up + 32 * j, 24 };
		b[NREACH + NLIST + j] = (struct leak_block){ down + 32 * j, 24 };
		if (j + 1 < NLIST)
			put(&sp, up + 32 * j + 8, up + 32 * (j + 1));
		if (j > 0)
			put(&sp, down + 32 * j + 16, down + 32 * (j - 1));
	}
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = nb,
	    .roots = roots, .nroots = 1 }, v, &st);
	for (size_t i = 0; i < NREACH; i++)
		assert_kind(v[i], REACH);
	assert_verdict(v[NREACH], DEF, LEAK_HEUR_NONE, 24 * (NLIST - 1));
	for (size_t j = 1; j < NLIST; j++)
		assert_kind(v[NREACH + j], IND);
	for (size_t j = 0; j + 1 < NLIST; j++)
		assert_kind(v[NREACH + NLIST + j], IND);
	assert_verdict(v[nb - 1], DEF, LEAK_HEUR_NONE, 24 * (NLIST - 1));
	/* read in batches, unless the heap was copied whole */
	if (!copy_mode)
		assert_true(sp.max_batch > 1);
	assert_true(sp.max_batch <= 1024);
	assert_int_equal(st.root_bytes, 8 * nroots);
	space_free(&sp);
	free(b);
	free(v);
}

/* Blocks more than 1 MiB apart (separate regions of the index), and
 * pointers between, before and after them. */
static void
test_far_apart(void **state)
{
	struct space sp = { 0 };
	struct leak_block b[] = {
		{ HEAP + 0x000000, 32 },	/* A: B points to it */
		{ HEAP + 0x300000, 32 },	/* B: the root's */
		{ HEAP + 0x600000, 32 },	/* C: inside, from the root */
		{ HEAP + 0x900000, 4096 },	/* G: 16 granules */
		{ HEAP + 0x901000, 16 },	/* right after G */
	};
	struct leak_range roots[] = { { DATA, DATA + 64 } };
	struct leak_verdict v[NELEM(b)];
	struct leak_scan_stats st;

	(void)state;
	space_map(&sp, HEAP, 0xa00000);
	space_map(&sp, DATA, 4096);
	put(&sp, DATA + 0, HEAP + 0x100000);	/* between regions */
	put(&sp, DATA + 8, HEAP + 0x300000);
	put(&sp, DATA + 16, HEAP + 0x600020);	/* C's end */
	put(&sp, DATA + 24, HEAP + 0x600008);
	put(&sp, DATA + 32, HEAP + 0x900ff8);	/* G's last word */
	put(&sp, DATA + 40, HEAP + 0x901010);	/* past everything */
	put(&sp, DATA + 48, HEAP - 1);
	put(&sp, HEAP + 0x300008, HEAP + 0x000000);
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NELEM(b),
	    .roots = roots, .nroots = 1 }, v, &st);
	assert_kind(v[0], REACH);
	assert_kind(v[1], REACH);
	assert_kind(v[2], POSS);
	assert_kind(v[3], POSS);
	assert_kind(v[4], DEF);
	space_free(&sp);
}

/*
 * The block lookup against a plain model: 400 blocks of assorted sizes
 * (zero-sized ones too) with assorted gaps; a root word at each block's
 * start, last byte, end or a gap, as a pseudo-random sequence picks.
 */
#define NLOOKUP		400

static void
test_lookup_model(void **state)
{
	struct leak_block b[NLOOKUP];
	uint8_t expect[NLOOKUP];
	uint64_t words[3 * NLOOKUP];
	size_t nwords = 0;
	uint64_t at = HEAP, x = 88172645463325252ull;
	struct leak_range roots[1];
	struct leak_verdict v[NLOOKUP];
	struct leak_scan_stats st;
	struct space sp = { 0 };

	(void)state;
	for (size_t i = 0; i < NLOOKUP; i++) {
		uint64_t size = (i % 7 == 3) ? 0 : 8 + (i * 37) % 600;

		at += 16 * ((i * 13) % 5);	/* gaps of 0 to 64 bytes */
		b[i] = (struct leak_block){ at, size };
		at += size > 0 ? (size + 15) & ~15ull : 16;
	}
	for (size_t i = 0; i < NLOOKUP; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		expect[i] = DEF;
		switch (x % 5) {
		case 0:		/* the start */
			words[nwords++] = b[i].addr;
			expect[i] = REACH;
			break;
		case 1:		/* the last byte */
			words[nwords++] = b[i].addr +
			    (b[i].size > 0 ? b[i].size - 1 : 0);
			expect[i] = b[i].size > 1 ? POSS : REACH;
			break;
		case 2:		/* the middle and the start */
			words[nwords++] = b[i].addr + b[i].size / 2;
			words[nwords++] = b[i].addr;
			expect[i] = REACH;
			break;
		case 3:		/* the end: nothing, or the next block */
			words[nwords++] = b[i].addr +
			    (b[i].size > 0 ? b[i].size : 1);
			break;
		default:	/* nothing */
			break;
		}
	}
	/* an end that is the next block's start reaches that block */
	for (size_t i = 0; i + 1 < NLOOKUP; i++)
		for (size_t k = 0; k < nwords; k++)
			if (words[k] == b[i + 1].addr)
				expect[i + 1] = REACH;
	assert_true(nwords > NLOOKUP / 2);
	space_map(&sp, HEAP, (size_t)(at - HEAP) + 4096);
	space_map(&sp, DATA, 8 * nwords);
	for (size_t k = 0; k < nwords; k++)
		put(&sp, DATA + 8 * k, words[k]);
	roots[0] = (struct leak_range){ DATA, DATA + 8 * nwords };
	run(&sp, (struct leak_scan_input){ .blocks = b, .nblocks = NLOOKUP,
	    .roots = roots, .nroots = 1 }, v, &st);
	for (size_t i = 0; i < NLOOKUP; i++) {
		if (v[i].kind != expect[i])
			fail_msg("block %zu (0x%llx, %llu): kind %d, expected %d",
			    i, (unsigned long long)b[i].addr,
			    (unsigned long long)b[i].size, v[i].kind, expect[i]);
		assert_int_equal(v[i].indirect_bytes, 0);
	}
	space_free(&sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_blocks),
		cmocka_unit_test(test_no_pointers),
		cmocka_unit_test(test_start_pointer_reachable),
		cmocka_unit_test(test_root_holding_blocks),
		cmocka_unit_test(test_interior_pointer_possibly),
		cmocka_unit_test(test_reached_from_possibly),
		cmocka_unit_test(test_possibly_upgraded),
		cmocka_unit_test(test_chain_reachable),
		cmocka_unit_test(test_partial_words),
		cmocka_unit_test(test_register_roots),
		cmocka_unit_test(test_zero_size_block),
		cmocka_unit_test(test_one_past_end),
		cmocka_unit_test(test_unaligned_roots),
		cmocka_unit_test(test_lost_tree),
		cmocka_unit_test(test_lost_cycle),
		cmocka_unit_test(test_clique_merge),
		cmocka_unit_test(test_lost_points_to_reached),
		cmocka_unit_test(test_heuristic_newarray),
		cmocka_unit_test(test_heuristic_length64),
		cmocka_unit_test(test_heuristic_stdstring),
		cmocka_unit_test(test_heuristic_multiple_inheritance),
		cmocka_unit_test(test_heuristic_mark_cleared),
		cmocka_unit_test(test_heuristic_from_possibly),
		cmocka_unit_test(test_big_blocks),
		cmocka_unit_test(test_many_blocks),
		cmocka_unit_test(test_far_apart),
		cmocka_unit_test(test_lookup_model),
	};

	int failed = cmocka_run_group_tests_name("blocks read as needed", tests,
	    NULL, NULL);

	copy_mode = true;
	return failed + cmocka_run_group_tests_name("heap copied first", tests,
	    NULL, NULL);
}

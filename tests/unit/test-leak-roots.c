/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the leak scan's roots (src/model/leak-roots.c): the allocator's
 * memory taken out by byte range however the kernel merged the mappings,
 * shared mappings kept, every byte around the blocks known kept in a
 * process joined late (with the scan, which skips the blocks among the
 * roots); then finding glibc's main_arena in libc's data
 * (leak_roots_find_main_arena): its bins and top point at chunk headers,
 * so they must not be roots. Each test lays out glibc
 * 2.36's struct malloc_state on x86-64 in a buffer of words read from a
 * made-up address:
 *
 *	  0	mutex, flags, have_fastchunks (16 bytes)
 *	 16	fastbinsY[10]
 *	 96	top
 *	104	last_remainder
 *	112	bins[254]: 127 pairs (fd, bk); an empty bin's pair holds
 *		bin_at(i), the pair's address less 16, twice
 *     2144	binmap[4] (16 bytes)
 *     2160	next, next_free, attached_threads, system_mem, max_system_mem
 *
 * The range to leave out is [arena + 16, arena + 112 + 127 * 16).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "leak-roots.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* --- Roots of a made-up process ----------------------------------------- */

/* Memory of the made-up process: a few ranges of words, zero elsewhere. */
struct chunkmem {
	uint64_t	 base;
	size_t		 nwords;
	uint64_t	*w;
};

struct fake {
	struct chunkmem	 mem[8];
	size_t		 nmem;
};

static uint64_t *
fake_mem(struct fake *f, uint64_t base, size_t bytes)
{
	struct chunkmem *c = &f->mem[f->nmem++];

	assert_true(f->nmem <= NELEM(f->mem));
	c->base = base;
	c->nwords = bytes / 8;
	c->w = calloc(c->nwords, 8);
	assert_non_null(c->w);
	return c->w;
}

static void
fake_put(struct fake *f, uint64_t addr, uint64_t v)
{
	for (size_t i = 0; i < f->nmem; i++)
		if (addr >= f->mem[i].base &&
		    addr < f->mem[i].base + f->mem[i].nwords * 8) {
			f->mem[i].w[(addr - f->mem[i].base) / 8] = v;
			return;
		}
	fail_msg("no fake memory at %#llx", (unsigned long long)addr);
}

static void
fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->nmem; i++)
		free(f->mem[i].w);
	f->nmem = 0;
}

static void
fake_read(void *ctx, const struct leak_io *io, size_t n, void *dst)
{
	const struct fake *f = ctx;
	uint8_t *d = dst;

	for (size_t k = 0; k < n; k++) {
		memset(d, 0, io[k].len);
		for (size_t i = 0; i < f->nmem; i++) {
			const struct chunkmem *c = &f->mem[i];
			uint64_t a = io[k].addr, e = a + io[k].len;
			uint64_t lo = a > c->base ? a : c->base;
			uint64_t hi = e < c->base + c->nwords * 8 ? e :
			    c->base + c->nwords * 8;

			if (lo < hi)
				memcpy(d + (lo - a), (const uint8_t *)c->w +
				    (lo - c->base), (size_t)(hi - lo));
		}
		d += io[k].len;
	}
}

/* One segment per mapping: kind, perms and object as given. */
static struct segment
seg(size_t mapping, uint64_t start, uint64_t end, const char *perms,
    enum seg_kind kind, const char *object)
{
	struct segment s = { .start = start, .end = end, .kind = kind,
	    .object = object, .mapping = mapping };

	snprintf(s.perms, sizeof(s.perms), "%s", perms);
	return s;
}

/* The program's own mappings and its allocator's, for build_sets. */
static const struct mapping_set *own_set, *allocator_set;

static void
build(struct fake *f, struct segment *segs, size_t nsegs,
    const struct leak_block *blocks, const uint8_t *mmapped, size_t nblocks,
    bool partial, struct leak_roots *out)
{
	struct layout l = { .segs = segs, .nsegs = nsegs };

	leak_roots_build(&(struct leak_roots_input){ .layout = &l,
	    .blocks = blocks, .nblocks = nblocks, .mmapped = mmapped,
	    .own = own_set, .allocator = allocator_set,
	    .partial = partial, .read = fake_read, .ctx = f }, out);
}

static void
assert_roots(const struct leak_roots *r, const struct leak_range *want,
    size_t n)
{
	for (size_t i = 0; i < r->nroots && i < n; i++) {
		assert_int_equal(r->roots[i].start, want[i].start);
		assert_int_equal(r->roots[i].end, want[i].end);
	}
	assert_int_equal(r->nroots, n);
}

#define ANON	0x7f0000000000ull	/* 64 MiB aligned */
#define MIB	(1ull << 20)

/*
 * One maps line: the program's own 1 MiB, then the mapping glibc made for
 * a block of 300000 bytes (0x4a000 with its header), then 1 MiB more of
 * the program's: the roots are the program's two parts, exactly.
 */
static void
test_merged_block_mapping(void **state)
{
	struct fake f = { 0 };
	uint64_t chunk = ANON + MIB, end = chunk + 0x4a000 + MIB;
	struct segment segs[] = { seg(0, ANON, end, "rw-p", SEG_ANON, NULL) };
	struct leak_block b[] = { { chunk + 16, 300000 } };
	uint8_t mm[] = { 1 };
	struct leak_range want[] = { { ANON, chunk },
	    { chunk + 0x4a000, end } };
	struct leak_roots r;

	(void)state;
	fake_mem(&f, chunk, 0x2000);
	fake_put(&f, chunk + 8, 0x4a000 | 2);	/* size | IS_MMAPPED */
	build(&f, segs, NELEM(segs), b, mm, NELEM(b), false, &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);

	/* memalign's: the chunk 0x1000 into its mapping (prev_size) */
	fake_put(&f, chunk + 0x1000 + 0, 0x1000);
	fake_put(&f, chunk + 0x1000 + 8, (0x4a000 - 0x1000) | 2);
	b[0].addr = chunk + 0x1000 + 16;
	b[0].size = 200000;
	build(&f, segs, NELEM(segs), b, mm, NELEM(b), false, &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);

	/* a header that does not read as one: the pages the block spans */
	fake_put(&f, chunk + 0x1000 + 8, 0x4a000);	/* no IS_MMAPPED */
	want[1].start = chunk + 0x1000 + ((16 + 200000 + 4095) & ~4095ull);
	want[0].end = chunk + 0x1000;
	build(&f, segs, NELEM(segs), b, mm, NELEM(b), false, &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);
	fake_free(&f);
}

/*
 * The program's 1 MiB merged with the heap of a glibc arena above it
 * (64 MiB aligned, a heap_info at its start): the roots are the
 * program's part.
 */
static void
test_merged_arena_heap(void **state)
{
	struct fake f = { 0 };
	uint64_t h = ANON + 64 * MIB;
	struct segment segs[] = {
		seg(0, h - MIB, h + 0x21000, "rw-p", SEG_ANON, NULL),
		seg(1, h + 0x21000, h + 64 * MIB, "---p", SEG_GUARD, NULL),
	};
	struct leak_block b[] = { { h + 0x8b0, 40 }, { h + 0x900, 100 } };
	struct leak_range want[] = { { h - MIB, h } };
	struct leak_roots r;

	(void)state;
	fake_mem(&f, h, 4096);
	fake_put(&f, h, h + 32);	/* ar_ptr */
	fake_put(&f, h + 16, 0x21000);	/* size */
	fake_put(&f, h + 24, 0x21000);	/* mprotect_size */
	fake_put(&f, b[0].addr - 8, 0x50 | 4 | 1);	/* NON_MAIN_ARENA */
	fake_put(&f, b[1].addr - 8, 0x70 | 4 | 1);
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);

	/* a block elsewhere, of no allocator memscope knows: its line goes */
	fake_put(&f, b[0].addr - 8, 0x50 | 1);
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, NULL, 0);
	leak_roots_free(&r);
	fake_free(&f);
}

/* The brk heap and an arena recognised by its shape are no roots; a
 * shared anonymous mapping is one, a device's is not. */
static void
test_heap_shared_device(void **state)
{
	struct fake f = { 0 };
	struct segment segs[] = {
		seg(0, 0x555555559000ull, 0x55555557a000ull, "rw-p", SEG_HEAP,
		    "[heap]"),
		seg(1, ANON, ANON + 0x21000, "rw-p", SEG_ANON, "[malloc arena]"),
		seg(2, ANON + 0x21000, ANON + 64 * MIB, "---p", SEG_GUARD,
		    "[malloc arena]"),
		seg(3, ANON + 65 * MIB, ANON + 66 * MIB, "rw-s", SEG_SHM,
		    "/dev/zero (deleted)"),
		seg(4, ANON + 66 * MIB, ANON + 67 * MIB, "rw-s", SEG_FILE,
		    "/dev/dri/card0"),
		seg(5, ANON + 67 * MIB, ANON + 68 * MIB, "rw-s", SEG_SHM,
		    "/SYSV00000000 (deleted)"),
	};
	struct leak_block b[] = { { 0x555555559aa0ull, 24 },
	    { ANON + 0x8b0, 40 } };
	struct leak_range want[] = { { ANON + 65 * MIB, ANON + 66 * MIB },
	    { ANON + 67 * MIB, ANON + 68 * MIB } };
	struct leak_roots r;

	(void)state;
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);
}

/*
 * An allocator that is not glibc's (no chunk header to read): one maps
 * line of 4 MiB holding one of its blocks, 2 MiB in, and a line of 1 MiB
 * holding none. Without the mappings the shim saw, the first line goes
 * whole. The program's own mapping at its start stays a root; the
 * allocator's mapping holding the block, as logged, goes, and the rest
 * stays; its mapping in the second line, which holds no block known (it
 * may hold blocks made through calls the shim does not see), stays too.
 */
static void
test_other_allocator(void **state)
{
	struct fake f = { 0 };
	struct segment segs[] = {
		seg(0, ANON, ANON + 4 * MIB, "rw-p", SEG_ANON, NULL),
		seg(1, ANON + 8 * MIB, ANON + 9 * MIB, "rw-p", SEG_ANON, NULL),
	};
	struct leak_block b[] = { { ANON + 2 * MIB + 0x100, 48 } };
	struct mapping_set own = { 0 }, alloc = { 0 };
	struct leak_range want_none[] = { { ANON + 8 * MIB, ANON + 9 * MIB } };
	struct leak_range want_own[] = { { ANON, ANON + MIB },
	    { ANON + 8 * MIB, ANON + 9 * MIB } };
	struct leak_range want_both[] = { { ANON, ANON + 2 * MIB },
	    { ANON + 8 * MIB, ANON + 9 * MIB } };
	struct leak_roots r;

	(void)state;
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, want_none, NELEM(want_none));
	leak_roots_free(&r);

	model_mappings_mmap(&own, ANON, MIB, MAP_PRIVATE | MAP_ANONYMOUS);
	own_set = &own;
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, want_own, NELEM(want_own));
	leak_roots_free(&r);

	model_mappings_mmap(&alloc, ANON + 2 * MIB, 2 * MIB,
	    MAP_PRIVATE | MAP_ANONYMOUS);
	model_mappings_mmap(&alloc, ANON + 8 * MIB, 0x10000,
	    MAP_PRIVATE | MAP_ANONYMOUS);
	allocator_set = &alloc;
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, want_both, NELEM(want_both));
	leak_roots_free(&r);

	/* a block outside the allocator's logged mappings: the line goes,
	 * but the program's own part */
	b[0].addr = ANON + MIB + 0x100;
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	want_both[0].end = ANON + MIB;
	assert_roots(&r, want_both, NELEM(want_both));
	leak_roots_free(&r);

	own_set = allocator_set = NULL;
	model_mappings_free(&own);
	model_mappings_free(&alloc);
}

/* A mapping of the program's that the kernel merged into the brk heap
 * (below it) is a root; the heap is not. */
static void
test_own_in_heap(void **state)
{
	struct fake f = { 0 };
	uint64_t heap = 0x555555559000ull;
	struct segment segs[] = {
		seg(0, heap - 0x10000, heap + 0x21000, "rw-p", SEG_HEAP, "[heap]"),
	};
	struct leak_block b[] = { { heap + 0x2a0, 24 } };
	struct mapping_set own = { 0 };
	struct leak_range want[] = { { heap - 0x10000, heap } };
	struct leak_roots r;

	(void)state;
	model_mappings_mmap(&own, heap - 0x10000, 0x10000,
	    MAP_PRIVATE | MAP_ANONYMOUS);
	own_set = &own;
	build(&f, segs, NELEM(segs), b, NULL, NELEM(b), false, &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);
	own_set = NULL;
	model_mappings_free(&own);
}

/*
 * A process joined late: blocks from before the attach, of every size
 * from 16 bytes, lie between the blocks known (gaps of 16 bytes and
 * more) and each points to the known block after it. The roots are all
 * of the heap; the scan skips the known blocks in them, so every known
 * block is reachable but one, pointed to only from a known block no one
 * points to (definitely lost, with what it points to indirectly).
 */
static void
test_partial_every_gap(void **state)
{
	enum { N = 64 };
	struct fake f = { 0 };
	uint64_t heap = 0x555555559000ull, a = heap + 0x10;
	struct segment segs[] = {
		seg(0, heap, heap + 0x21000, "rw-p", SEG_HEAP, "[heap]"),
	};
	struct leak_block b[N + 2];
	struct leak_verdict v[N + 2];
	struct leak_scan_stats st;
	struct leak_roots r;

	(void)state;
	fake_mem(&f, heap, 0x21000);
	for (size_t i = 0; i < N; i++) {
		/* an unknown block of 8 (i + 1) bytes (its header first) */
		uint64_t unknown = a + 16, size = 8 * (i + 1);

		fake_put(&f, unknown, unknown + size + 16);
		a = unknown + size;
		b[i] = (struct leak_block){ a + 16, 32 };
		a = b[i].addr + 32;
	}
	/* two known blocks more: the first points to the second, no one to it */
	b[N] = (struct leak_block){ a + 16, 48 };
	b[N + 1] = (struct leak_block){ a + 16 + 64, 16 };
	fake_put(&f, b[N].addr, b[N + 1].addr);
	build(&f, segs, NELEM(segs), b, NULL, N + 2, true, &r);
	assert_int_equal(r.nroots, 1);
	leak_scan(&(struct leak_scan_input){ .blocks = b, .nblocks = N + 2,
	    .roots = r.roots, .nroots = r.nroots, .chunk_headers = true,
	    .read = fake_read, .ctx = &f }, v, &st);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(v[i].kind, LEAK_REACHABLE);
	assert_int_equal(v[N].kind, LEAK_DEFINITELY);
	assert_int_equal(v[N].indirect_bytes, 16);
	assert_int_equal(v[N + 1].kind, LEAK_INDIRECTLY);
	leak_roots_free(&r);
	fake_free(&f);
}

/*
 * Joined late, but for the allocator's memory the roots are as at the end
 * of a run: a stack from its thread's stack pointer (less the red zone),
 * an anonymous mapping holding a block whole (the scan skips the block).
 */
static void
test_partial_stack_and_mapping(void **state)
{
	struct fake f = { 0 };
	uint64_t stack = 0x7ffffffde000ull, sp = stack + 0x1000;
	struct segment segs[] = {
		seg(0, ANON, ANON + MIB, "rw-p", SEG_ANON, NULL),
		seg(1, stack, stack + 0x21000, "rw-p", SEG_STACK, "[stack]"),
	};
	struct leak_stack stacks[] = { { .sp = sp, .alive = true } };
	struct leak_block b[] = { { ANON + 0x1010, 100 } };
	struct leak_range want[] = { { ANON, ANON + MIB },
	    { sp - 128, stack + 0x21000 } };
	struct layout l = { .segs = segs, .nsegs = NELEM(segs) };
	struct leak_roots r;

	(void)state;
	leak_roots_build(&(struct leak_roots_input){ .layout = &l,
	    .stacks = stacks, .nstacks = NELEM(stacks), .blocks = b,
	    .nblocks = NELEM(b), .partial = true, .read = fake_read, .ctx = &f },
	    &r);
	assert_roots(&r, want, NELEM(want));
	leak_roots_free(&r);
}

/* --- main_arena ----------------------------------------------------------- */

#define LIBC_DATA	0x7ffff7f9a000ull	/* where the words were read */
#define NWORDS		2048			/* 16 KiB of libc's data */

#define OFF_FASTBINS	16
#define OFF_TOP		96
#define OFF_REMAINDER	104
#define OFF_BINS	112
#define NBINS		127			/* pairs */
#define OFF_BINMAP	(OFF_BINS + NBINS * 16)	/* 2144 */
#define OFF_NEXT	(OFF_BINMAP + 16)
#define ARENA_SIZE	(OFF_NEXT + 5 * 8)	/* 2200 */

#define CHUNK(n)	(0x555555559000ull + 0x40 * (n))	/* heap chunks */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Noise that is not an arena: small numbers, heap and libc addresses. */
static void
fill_noise(uint64_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next_random();

		switch (r % 4) {
		case 0:
			w[i] = 0;
			break;
		case 1:
			w[i] = r % 4096;
			break;
		case 2:
			w[i] = CHUNK(r % 1000);
			break;
		default:
			w[i] = LIBC_DATA + (r % (8 * NWORDS));
			break;
		}
	}
}

static void
set(uint64_t *w, size_t byte_off, uint64_t v)
{
	assert_int_equal(byte_off % 8, 0);
	w[byte_off / 8] = v;
}

/*
 * main_arena at byte offset off of the buffer read at start; bins listed in
 * used (pair indexes 0..126, bin i is pair i - 1) hold chunks.
 */
static void
lay_arena(uint64_t *w, uint64_t start, size_t off, const bool *used)
{
	uint64_t arena = start + off;

	set(w, off + 0, 0x0000000200000000ull);	/* mutex 0, flags 2 */
	set(w, off + 8, 1);			/* have_fastchunks */
	for (size_t i = 0; i < 10; i++)
		set(w, off + OFF_FASTBINS + 8 * i, i % 3 == 0 ? CHUNK(i) : 0);
	set(w, off + OFF_TOP, 0x55555557a000ull);
	set(w, off + OFF_REMAINDER, 0);
	for (size_t k = 0; k < NBINS; k++) {
		uint64_t pair = arena + OFF_BINS + 16 * k;

		if (used != NULL && used[k]) {
			set(w, off + OFF_BINS + 16 * k, CHUNK(100 + k));
			set(w, off + OFF_BINS + 16 * k + 8, CHUNK(300 + k));
		} else {
			set(w, off + OFF_BINS + 16 * k, pair - 16);
			set(w, off + OFF_BINS + 16 * k + 8, pair - 16);
		}
	}
	set(w, off + OFF_BINMAP, 0x0000000400000022ull);
	set(w, off + OFF_BINMAP + 8, 0x4000000000000000ull);
	set(w, off + OFF_NEXT, arena);		/* next: itself */
	set(w, off + OFF_NEXT + 8, 0);		/* next_free */
	set(w, off + OFF_NEXT + 16, 1);		/* attached_threads */
	set(w, off + OFF_NEXT + 24, 0x21000);	/* system_mem */
	set(w, off + OFF_NEXT + 32, 0x21000);	/* max_system_mem */
}

static void
assert_arena(const uint64_t *w, size_t n, uint64_t start, uint64_t arena)
{
	struct leak_range r = { 1, 1 };

	assert_true(leak_roots_find_main_arena(w, n, start, &r));
	assert_int_equal(r.start, arena + 16);
	assert_int_equal(r.end, arena + 112 + 127 * 16);
}

static void
assert_no_arena(const uint64_t *w, size_t n, uint64_t start)
{
	struct leak_range r = { 1, 2 };

	assert_false(leak_roots_find_main_arena(w, n, start, &r));
}

/* A typical arena after some frees: the unsorted bin, a few small and
 * large bins hold chunks. */
static void
test_arena_found(void **state)
{
	static const size_t offs[] = { 0x8a0, 0x8a8, 0x1000, 0x2c8 };
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	bool used[NBINS] = { false };

	(void)state;
	assert_non_null(w);
	used[0] = used[5] = used[63] = used[125] = true;
	/* 16- and 8-aligned arenas alike */
	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		fill_noise(w, NWORDS);
		lay_arena(w, LIBC_DATA, offs[k], used);
		assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + offs[k]);
	}
	free(w);
}

/* A fresh arena: every bin empty. */
static void
test_arena_all_empty(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));

	(void)state;
	assert_non_null(w);
	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, 0x4f0, NULL);
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + 0x4f0);
	free(w);
}

/* The arena at the very start of the words, and one whose bins end the
 * words. */
static void
test_arena_at_the_edges(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	bool used[NBINS] = { false };
	size_t off = 0x600;

	(void)state;
	assert_non_null(w);
	used[0] = used[1] = used[40] = true;
	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, 0, used);
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA);

	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, off, used);
	assert_arena(w, (off + OFF_BINMAP) / 8, LIBC_DATA, LIBC_DATA + off);
	free(w);
}

/* Something shaped like an empty bin far before the arena does not move
 * it; a lone word shaped like half of one right after it is no bin. */
static void
test_arena_after_stray_pair(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	size_t off = 0x1400;

	(void)state;
	assert_non_null(w);
	fill_noise(w, NWORDS);
	w[4] = LIBC_DATA + 32 - 16;
	w[5] = LIBC_DATA + 32 - 16;
	lay_arena(w, LIBC_DATA, off, NULL);
	w[(off + ARENA_SIZE) / 8] = LIBC_DATA + off + ARENA_SIZE - 16;
	w[(off + ARENA_SIZE) / 8 + 1] = 7;
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + off);
	free(w);
}

/* 32 empty bins are enough (the last 32), 31 are not. */
static void
test_too_few_empty_bins(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	bool used[NBINS];
	size_t off = 0x300;

	(void)state;
	assert_non_null(w);
	for (size_t k = 0; k < NBINS; k++)
		used[k] = k < NBINS - 32;
	fill_noise(w, NWORDS);
	lay_arena(w, LIBC_DATA, off, used);
	assert_arena(w, NWORDS, LIBC_DATA, LIBC_DATA + off);

	used[NBINS - 32] = true;
	lay_arena(w, LIBC_DATA, off, used);
	assert_no_arena(w, NWORDS, LIBC_DATA);
	free(w);
}

static void
test_no_arena(void **state)
{
	uint64_t *w = calloc(NWORDS, sizeof(*w));
	uint64_t one = LIBC_DATA - 16;

	(void)state;
	assert_non_null(w);
	/* zeros */
	assert_no_arena(w, NWORDS, LIBC_DATA);
	/* random words */
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < NWORDS; i++)
			w[i] = next_random();
		assert_no_arena(w, NWORDS, LIBC_DATA);
		fill_noise(w, NWORDS);
		assert_no_arena(w, NWORDS, LIBC_DATA);
	}
	/* nothing, or one word */
	assert_no_arena(w, 0, LIBC_DATA);
	assert_no_arena(&one, 1, LIBC_DATA);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merged_block_mapping),
		cmocka_unit_test(test_merged_arena_heap),
		cmocka_unit_test(test_heap_shared_device),
		cmocka_unit_test(test_other_allocator),
		cmocka_unit_test(test_own_in_heap),
		cmocka_unit_test(test_partial_every_gap),
		cmocka_unit_test(test_partial_stack_and_mapping),
		cmocka_unit_test(test_arena_found),
		cmocka_unit_test(test_arena_all_empty),
		cmocka_unit_test(test_arena_at_the_edges),
		cmocka_unit_test(test_arena_after_stray_pair),
		cmocka_unit_test(test_too_few_empty_bins),
		cmocka_unit_test(test_no_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

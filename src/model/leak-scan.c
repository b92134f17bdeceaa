/* SPDX-License-Identifier: ISC */
/*
 * The leak scan (see leak-scan.h).
 *
 * Finding the block a word points into is the inner loop: every aligned
 * word of the roots and of every reached block is one lookup. Blocks are
 * sorted by address and grouped into regions (runs of blocks less than
 * REGION_GAP apart); each region has a table giving, per 256-byte granule,
 * the first block that could hold an address of the granule. A lookup is
 * one range test for most words (not heap addresses), else a binary search
 * among a few regions, a table read and a few comparisons.
 *
 * The regions are copied whole when they fit in copy_limit: a few large
 * reads, each page read once, where reading the blocks one by one makes
 * the kernel pin a page for every block on it. Otherwise block contents
 * are read in batches of up to IO_BATCH blocks (one system call for the
 * lot), so a million small blocks cost a thousand reads.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include "leak-scan.h"
#include "xmalloc.h"

#define GRANULE_SHIFT	8
#define REGION_GAP	(1u << 20)
#define IO_BATCH	1024
#define IO_BYTES	(4u << 20)
#define WORD		sizeof(uint64_t)

struct region {
	uint64_t	 start;
	uint64_t	 end;
	uint32_t	 last;		/* one past the region's last block */
	uint32_t	*first;		/* per granule */
	uint8_t		*copy;		/* the region's bytes, or NULL */
};

/* Per block while scanning. */
enum { PENDING = 1 };

struct scan {
	const struct leak_scan_input *in;
	struct leak_verdict *v;
	uint8_t		*flags;
	uint32_t	*stack;		/* the mark stack: block indexes */
	size_t		 top;
	struct region	*regions;
	size_t		 nregions;
	uint32_t	*region_of;	/* per block */
	uint64_t	 lo;		/* the blocks' span */
	uint64_t	 span;
	uint8_t		*buf;		/* IO_BYTES */
	struct leak_scan_stats *stats;
};

static uint64_t
block_end(const struct leak_block *b)
{
	/* a pointer to a zero-sized block's address points to it */
	return b->addr + (b->size > 0 ? b->size : 1);
}

static void
build_index(struct scan *s)
{
	const struct leak_block *b = s->in->blocks;
	size_t n = s->in->nblocks, cap = 0;

	s->lo = b[0].addr;
	for (size_t i = 0; i < n;) {
		struct region r = { .start = b[i].addr, .end = block_end(&b[i]) };
		size_t j = i + 1, ngran;

		while (j < n && b[j].addr - r.end < REGION_GAP) {
			if (block_end(&b[j]) > r.end)
				r.end = block_end(&b[j]);
			j++;
		}
		r.last = (uint32_t)j;
		for (size_t k = i; k < j; k++)
			s->region_of[k] = (uint32_t)s->nregions;
		ngran = (size_t)((r.end - r.start - 1) >> GRANULE_SHIFT) + 1;
		r.first = xreallocarray(NULL, ngran, sizeof(*r.first));
		for (size_t g = 0, k = i; g < ngran; g++) {
			uint64_t gstart = r.start + ((uint64_t)g << GRANULE_SHIFT);

			while (k < j && block_end(&b[k]) <= gstart)
				k++;
			r.first[g] = (uint32_t)k;
		}
		s->regions = xgrow(s->regions, &cap, s->nregions + 1,
		    sizeof(*s->regions));
		s->regions[s->nregions++] = r;
		i = j;
	}
	s->span = s->regions[s->nregions - 1].end - s->lo;
}

/* The block holding address v, or -1. */
static inline long
find_block(const struct scan *s, uint64_t v)
{
	const struct leak_block *b = s->in->blocks;
	const struct region *r;
	size_t lo = 0, hi = s->nregions;

	if (v - s->lo >= s->span)
		return -1;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (s->regions[mid].start <= v)
			lo = mid;
		else
			hi = mid;
	}
	r = &s->regions[lo];
	if (v < r->start || v >= r->end)
		return -1;
	for (uint32_t i = r->first[(v - r->start) >> GRANULE_SHIFT]; i < r->last; i++) {
		if (b[i].addr > v)
			return -1;
		if (v < block_end(&b[i]))
			return (long)i;
	}
	return -1;
}

/* [addr, addr + len) in a copied region: where it is here; else NULL. */
static const uint8_t *
local_bytes(const struct scan *s, uint64_t addr, uint64_t len)
{
	size_t lo = 0, hi = s->nregions;
	const struct region *r;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->regions[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &s->regions[lo - 1];
	if (r->copy == NULL || addr + len > r->end)
		return NULL;
	return r->copy + (addr - r->start);
}

static bool
read_word(const struct scan *s, uint64_t addr, uint64_t *out)
{
	struct leak_io io = { addr, WORD };
	const uint8_t *p = local_bytes(s, addr, WORD);

	*out = 0;
	if (p != NULL)
		memcpy(out, p, WORD);
	else
		s->in->read(s->in->ctx, &io, 1, out);
	return true;
}

/*
 * Memory for a region's copy: zeroed (holes between mappings stay so), in
 * huge pages where the kernel gives them, as a fault per 4 KiB page would
 * cost a sixth of the scan.
 */
static uint8_t *
copy_alloc(size_t len)
{
	void *p;

	if (len < (2u << 20))
		return xcalloc(1, len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		fatal("cannot map %zu bytes for the leak scan", len);
	(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void
copy_free(uint8_t *p, size_t len)
{
	if (p == NULL)
		return;
	if (len < (2u << 20))
		free(p);
	else
		munmap(p, len);
}

/*
 * Copy the regions if they fit in copy_limit: each in pieces of at most
 * IO_BYTES that never cross a mapping's end (what lies between mappings
 * stays zero).
 */
static void
copy_regions(struct scan *s)
{
	const struct leak_scan_input *in = s->in;
	uint64_t total = 0;
	size_t m = 0;

	for (size_t r = 0; r < s->nregions; r++)
		total += s->regions[r].end - s->regions[r].start;
	if (total > in->copy_limit)
		return;
	for (size_t r = 0; r < s->nregions; r++) {
		struct region *g = &s->regions[r];

		g->copy = copy_alloc((size_t)(g->end - g->start));
		while (m < in->nmaps && in->maps[m].end <= g->start)
			m++;
		for (size_t k = m; k < in->nmaps && in->maps[k].start < g->end; k++) {
			uint64_t a = in->maps[k].start > g->start ?
			    in->maps[k].start : g->start;
			uint64_t b = in->maps[k].end < g->end ? in->maps[k].end : g->end;

			for (; a < b; a += IO_BYTES) {
				struct leak_io io = { a, (size_t)(b - a > IO_BYTES ?
				    IO_BYTES : b - a) };

				in->read(in->ctx, &io, 1, g->copy + (a - g->start));
			}
		}
	}
}

static const struct leak_mapping *
find_mapping(const struct scan *s, uint64_t addr)
{
	size_t lo = 0, hi = s->in->nmaps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct leak_mapping *m = &s->in->maps[mid];

		if (addr < m->start)
			hi = mid;
		else if (addr >= m->end)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

/*
 * Does ptr look like a vtable's address: in a readable file mapping, a
 * table whose first non-null words (two are needed, within twenty) are
 * addresses in executable file mappings? memcheck's test.
 */
static bool
is_vtable(const struct scan *s, uint64_t ptr)
{
	const struct leak_mapping *m = find_mapping(s, ptr);
	uint64_t words[20];
	size_t n = 20, fns = 0;
	struct leak_io io;

	if (m == NULL || !m->file || !m->readable)
		return false;
	if ((m->end - ptr) / WORD < n)
		n = (size_t)((m->end - ptr) / WORD);
	io = (struct leak_io){ ptr, n * WORD };
	s->in->read(s->in->ctx, &io, 1, words);
	for (size_t i = 0; i < n; i++) {
		const struct leak_mapping *f;

		if (words[i] == 0)
			continue;
		f = find_mapping(s, words[i]);
		if (f == NULL || !f->file || !f->executable)
			return false;
		if (++fns == 2)
			return true;
	}
	return false;
}

/* An interior pointer ptr into block b: does a heuristic accept it? */
static enum leak_heuristic
heuristic(const struct scan *s, uint64_t ptr, const struct leak_block *b)
{
	unsigned int set = s->in->heuristics;
	uint64_t w0, w1;

	if ((set & (1u << LEAK_HEUR_STDSTRING)) && ptr == b->addr + 3 * WORD &&
	    read_word(s, b->addr + WORD, &w1) &&
	    3 * WORD + w1 + 1 == b->size && read_word(s, b->addr, &w0) &&
	    w0 <= w1)
		return LEAK_HEUR_STDSTRING;
	if ((set & (1u << LEAK_HEUR_LENGTH64)) && ptr == b->addr + WORD &&
	    read_word(s, b->addr, &w0) && w0 > 0 && b->size - WORD == w0)
		return LEAK_HEUR_LENGTH64;
	if ((set & (1u << LEAK_HEUR_NEWARRAY)) && ptr == b->addr + WORD &&
	    read_word(s, b->addr, &w0) && w0 > 0 && (b->size - WORD) % w0 == 0)
		return LEAK_HEUR_NEWARRAY;
	if ((set & (1u << LEAK_HEUR_MULTIPLE_INHERITANCE)) && ptr % WORD == 0 &&
	    read_word(s, ptr, &w1) && w1 % WORD == 0 && w1 >= 4096 &&
	    read_word(s, b->addr, &w0) && w0 % WORD == 0 && w0 >= 4096 &&
	    is_vtable(s, w1) && is_vtable(s, w0))
		return LEAK_HEUR_MULTIPLE_INHERITANCE;
	return LEAK_HEUR_NONE;
}

static void
push(struct scan *s, uint32_t i)
{
	if (s->flags[i] & PENDING)
		return;
	s->flags[i] |= PENDING;
	s->stack[s->top++] = i;
}

/* Where glibc puts the chunk after block b (request2size of its size). */
static uint64_t
next_chunk(const struct leak_block *b)
{
	uint64_t chunk = b->size + 8 + 15 < 32 ? 32 : (b->size + 8 + 15) & ~(uint64_t)15;

	return b->addr - 16 + chunk;
}

/* A pointer found in a root or a reached block (memcheck's rules). */
static void
reach(struct scan *s, uint64_t ptr, bool prior_definite)
{
	long i = find_block(s, ptr);
	const struct leak_block *b;
	struct leak_verdict *v;
	bool via_start;

	if (i < 0)
		return;
	b = &s->in->blocks[i];
	if (s->in->chunk_headers && ptr == next_chunk(b))
		return;
	v = &s->v[i];
	if (v->kind == LEAK_REACHABLE) {
		if (ptr == b->addr)
			v->heuristic = LEAK_HEUR_NONE;
		return;
	}
	via_start = ptr == b->addr;
	if (!via_start && s->in->heuristics != 0) {
		v->heuristic = (uint8_t)heuristic(s, ptr, b);
		via_start = v->heuristic != LEAK_HEUR_NONE;
	}
	if (via_start && prior_definite) {
		v->kind = LEAK_REACHABLE;
		push(s, (uint32_t)i);
	} else if (v->kind == LEAK_DEFINITELY) {
		v->kind = LEAK_POSSIBLY;
		push(s, (uint32_t)i);
	}
}

/* A pointer found while gathering what the leaked block leader reaches. */
static void
gather(struct scan *s, uint64_t ptr, uint32_t leader)
{
	long i = find_block(s, ptr);

	if (i < 0 || (uint32_t)i == leader || s->v[i].kind != LEAK_DEFINITELY)
		return;
	push(s, (uint32_t)i);
	s->v[leader].indirect_bytes += s->in->blocks[i].size + s->v[i].indirect_bytes;
	s->v[i].indirect_bytes = 0;
	s->v[i].kind = LEAK_INDIRECTLY;
}

/* leader < 0: the mark phase from the roots; else gathering leader's. */
static void
scan_words(struct scan *s, const uint8_t *p, size_t len, long leader,
    bool prior_definite)
{
	size_t n = len / WORD;

	for (size_t k = 0; k < n; k++) {
		uint64_t w;

		memcpy(&w, p + k * WORD, WORD);
		if (w - s->lo >= s->span)
			continue;
		if (leader < 0)
			reach(s, w, prior_definite);
		else
			gather(s, w, (uint32_t)leader);
	}
}

/* Scan [start, end) of the target in IO_BYTES pieces. */
static void
scan_range(struct scan *s, uint64_t start, uint64_t end, long leader,
    bool prior_definite, uint64_t *counter)
{
	start = (start + WORD - 1) & ~(uint64_t)(WORD - 1);
	end &= ~(uint64_t)(WORD - 1);
	while (start < end) {
		size_t len = end - start > IO_BYTES ? IO_BYTES : (size_t)(end - start);
		struct leak_io io = { start, len };

		s->in->read(s->in->ctx, &io, 1, s->buf);
		scan_words(s, s->buf, len, leader, prior_definite);
		*counter += len;
		start += len;
	}
}

/*
 * Scan root [start, end) of the target but the blocks in it (the
 * allocator's memory of a process joined late holds the blocks known,
 * looked at only once reached): the words between them, whatever the gap.
 * A gap inside a copied region is scanned in the copy; the others are
 * read in batches of up to IO_BATCH gaps and IO_BYTES, one system call
 * for many gaps.
 */
static void
scan_root(struct scan *s, uint64_t start, uint64_t end)
{
	const struct leak_block *b = s->in->blocks;
	struct leak_io io[IO_BATCH];
	size_t lo = 0, hi = s->in->nblocks;
	uint64_t pos = start;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b[mid].addr + b[mid].size <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (pos < end) {
		size_t n = 0, bytes = 0;

		while (pos < end && n < IO_BATCH && bytes < IO_BYTES) {
			uint64_t stop = lo < s->in->nblocks && b[lo].addr < end ?
			    b[lo].addr : end;
			uint64_t a = (pos + WORD - 1) & ~(uint64_t)(WORD - 1);
			uint64_t z = stop & ~(uint64_t)(WORD - 1);

			const uint8_t *here = a < z ? local_bytes(s, a, z - a) : NULL;

			if (here != NULL) {
				/* in a copied region: no read */
				scan_words(s, here, (size_t)(z - a), -1, true);
				s->stats->root_bytes += z - a;
			} else if (a < z) {
				size_t len = z - a > IO_BYTES - bytes ?
				    IO_BYTES - bytes : (size_t)(z - a);

				io[n++] = (struct leak_io){ a, len };
				bytes += len;
				pos = a + len;
				if (pos < z)
					break;	/* the buffer is full */
			}
			pos = stop;
			if (lo < s->in->nblocks && b[lo].addr < end) {
				if (b[lo].addr + b[lo].size > pos)
					pos = b[lo].addr + b[lo].size;
				lo++;
			}
		}
		if (n == 0)
			continue;
		s->in->read(s->in->ctx, io, n, s->buf);
		scan_words(s, s->buf, bytes, -1, true);
		s->stats->root_bytes += bytes;
	}
}

/*
 * Empty the mark stack, scanning each block popped. A block is scanned
 * as definite unless it is only possibly reached; if it is reached
 * definitely later, it is pushed again and scanned again.
 */
static void
process_stack(struct scan *s, long leader)
{
	struct leak_io io[IO_BATCH];
	uint32_t idx[IO_BATCH];

	while (s->top > 0) {
		size_t n = 0, bytes = 0;

		while (s->top > 0 && n < IO_BATCH) {
			uint32_t i = s->stack[s->top - 1];
			const struct leak_block *b = &s->in->blocks[i];
			size_t len = (size_t)(b->size & ~(uint64_t)(WORD - 1));

			if (b->addr % WORD != 0)
				len = 0;	/* unaligned: scan_range handles it */
			if (n > 0 && bytes + len > IO_BYTES)
				break;
			s->top--;
			s->flags[i] &= (uint8_t)~PENDING;
			if (s->regions[s->region_of[i]].copy != NULL) {
				const struct region *g = &s->regions[s->region_of[i]];
				uint64_t skip = (WORD - b->addr % WORD) % WORD;

				if (b->size > skip)
					scan_words(s, g->copy + (b->addr + skip - g->start),
					    (size_t)(b->size - skip), leader,
					    s->v[i].kind != LEAK_POSSIBLY);
				s->stats->block_bytes += b->size;
				continue;
			}
			if (len > IO_BYTES || b->addr % WORD != 0) {
				scan_range(s, b->addr, b->addr + b->size, leader,
				    s->v[i].kind != LEAK_POSSIBLY,
				    &s->stats->block_bytes);
				continue;
			}
			io[n] = (struct leak_io){ b->addr, len };
			idx[n++] = i;
			bytes += len;
		}
		if (n == 0)
			continue;
		s->in->read(s->in->ctx, io, n, s->buf);
		for (size_t k = 0, off = 0; k < n; off += io[k].len, k++)
			scan_words(s, s->buf + off, io[k].len, leader,
			    s->v[idx[k]].kind != LEAK_POSSIBLY);
		s->stats->block_bytes += bytes;
	}
}

void
leak_scan(const struct leak_scan_input *in, struct leak_verdict *verdicts,
    struct leak_scan_stats *stats)
{
	struct scan s = { .in = in, .v = verdicts, .stats = stats };

	memset(stats, 0, sizeof(*stats));
	memset(verdicts, 0, in->nblocks * sizeof(*verdicts));
	if (in->nblocks == 0)
		return;
	s.flags = xcalloc(in->nblocks, 1);
	s.region_of = xreallocarray(NULL, in->nblocks, sizeof(*s.region_of));
	s.stack = xreallocarray(NULL, in->nblocks, sizeof(*s.stack));
	s.buf = xmalloc(IO_BYTES);
	build_index(&s);
	copy_regions(&s);

	for (size_t i = 0; i < in->nroots; i++)
		scan_root(&s, in->roots[i].start, in->roots[i].end);
	for (size_t i = 0; i < in->nregs; i++)
		if (in->regs[i] - s.lo < s.span)
			reach(&s, in->regs[i], true);
	process_stack(&s, -1);

	/* what stays unreached is lost: each such block, in address order,
	 * takes what it reaches of the rest as indirectly lost through it */
	for (size_t i = 0; i < in->nblocks; i++)
		if (verdicts[i].kind == LEAK_DEFINITELY) {
			push(&s, (uint32_t)i);
			process_stack(&s, (long)i);
		}

	for (size_t r = 0; r < s.nregions; r++) {
		free(s.regions[r].first);
		copy_free(s.regions[r].copy,
		    (size_t)(s.regions[r].end - s.regions[r].start));
	}
	free(s.region_of);
	free(s.regions);
	free(s.buf);
	free(s.stack);
	free(s.flags);
}

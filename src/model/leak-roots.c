/* SPDX-License-Identifier: ISC */
/* The leak scan's roots (see leak-roots.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "leak-roots.h"
#include "xmalloc.h"

/* Below a stack pointer, the ABI lets a function use this much (x86-64's
 * red zone); memcheck keeps it addressable, so it is scanned. */
#define RED_ZONE	128

/*
 * glibc (2.27 and later) struct malloc_state on 64-bit: mutex, flags and
 * have_fastchunks (16 bytes), fastbinsY[10], top, last_remainder, then
 * bins[254]: 127 pairs (fd, bk). An empty bin's pair points at itself,
 * 16 bytes before (a chunk header's fd is 16 bytes in), and the last bin
 * (127) is never used.
 */
#define ARENA_FASTBINS	16
#define ARENA_BINS	112
#define ARENA_NBINS	127
#define ARENA_BINS_END	(ARENA_BINS + ARENA_NBINS * 16)
/* Fewer empty bins than this: not main_arena. */
#define ARENA_MIN_EMPTY	32

/*
 * glibc's chunks: a header of two words (prev_size, size) before the
 * block, the size's low bits flags; HEAP_MAX_SIZE on 64-bit, the span
 * (and alignment) of each heap of an arena but the main one's.
 */
#define CHUNK_HEADER		16
#define CHUNK_IS_MMAPPED	0x2
#define CHUNK_NON_MAIN_ARENA	0x4
#define CHUNK_FLAGS		0x7
#define GLIBC_HEAP_MAX		(64ull << 20)
#define PAGE			4096
#define MAX_EXTENT		(1ull << 47)

struct mapping {
	uint64_t	 start;
	uint64_t	 end;
	const char	*perms;
	const char	*object;
	bool		 heap;		/* the brk heap or a malloc arena */
	bool		 special;	/* vdso, vvar, guard */
	bool		 anon;
};

bool
leak_roots_find_main_arena(const uint64_t *w, size_t n, uint64_t start,
    struct leak_range *out)
{
	uint64_t last = 0, first = 0;
	size_t empty = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		uint64_t a = start + i * 8;

		if (w[i] == a - 16 && w[i + 1] == a - 16) {
			if (empty == 0 || a - last > ARENA_NBINS * 16) {
				/* a new run: too far from the last */
				first = a;
				empty = 0;
			}
			last = a;
			empty++;
		}
	}
	if (empty < ARENA_MIN_EMPTY)
		return false;
	/* the last (never used) bin is the last empty pair */
	{
		uint64_t arena = last - (ARENA_BINS + (ARENA_NBINS - 1) * 16);

		if (first < arena + ARENA_BINS || (first - arena - ARENA_BINS) % 16 != 0)
			return false;
		out->start = arena + ARENA_FASTBINS;
		out->end = arena + ARENA_BINS_END;
	}
	return true;
}

static bool
is_device(const char *object)
{
	/* a shared anonymous mapping reads "/dev/zero (deleted)" */
	return strncmp(object, "/dev/", 5) == 0 &&
	    strncmp(object, "/dev/zero", 9) != 0 &&
	    strncmp(object, "/dev/shm/", 9) != 0;
}

static bool
is_libc(const char *object)
{
	const char *base = strrchr(object, '/');

	return base != NULL && strncmp(base + 1, "libc.so", 7) == 0;
}

/* The segments of the layout, back as the mappings they were cut from. */
static size_t
collect_mappings(const struct layout *l, struct mapping **out)
{
	struct mapping *v = NULL;
	size_t n = 0, cap = 0, last = (size_t)-1;

	for (size_t i = 0; i < l->nsegs; i++) {
		const struct segment *s = &l->segs[i];
		struct mapping *m;

		if (n == 0 || s->mapping != last) {
			v = xgrow(v, &cap, n + 1, sizeof(*v));
			m = &v[n++];
			*m = (struct mapping){ .start = s->start, .end = s->end,
			    .perms = s->perms, .object = s->object != NULL ?
			    s->object : "" };
			m->anon = m->object[0] != '/';
			last = s->mapping;
		} else
			m = &v[n - 1];
		if (s->end > m->end)
			m->end = s->end;
		if (s->kind == SEG_HEAP || strcmp(m->object, "[malloc arena]") == 0)
			m->heap = true;
		if (s->kind == SEG_VDSO || s->kind == SEG_GUARD)
			m->special = true;
	}
	*out = v;
	return n;
}

/* Where the live part of a stack mapping starts: 0, all of it. */
static uint64_t
stack_floor(const struct leak_roots_input *in, const struct mapping *m)
{
	uint64_t alive = UINT64_MAX, dead = 0;

	for (size_t i = 0; i < in->nstacks; i++) {
		uint64_t sp = in->stacks[i].sp;

		if (sp < m->start || sp >= m->end)
			continue;
		if (in->stacks[i].alive) {
			if (sp < alive)
				alive = sp;
		} else
			dead = sp;	/* the latest thread to use it */
	}
	if (alive != UINT64_MAX)
		return alive;
	return dead;
}

static void
add_root(struct leak_roots *out, size_t *cap, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	out->roots = xgrow(out->roots, cap, out->nroots + 1, sizeof(*out->roots));
	out->roots[out->nroots++] = (struct leak_range){ start, end };
}

/* libc's data, less main_arena's chunk pointers. */
static void
add_libc_data(const struct leak_roots_input *in, struct leak_roots *out,
    size_t *cap, uint64_t start, uint64_t end)
{
	size_t n = (size_t)((end - start) / 8);
	uint64_t *w = xreallocarray(NULL, n ? n : 1, sizeof(*w));
	struct leak_io io = { start, n * 8 };
	struct leak_range hole;

	in->read(in->ctx, &io, 1, w);
	if (leak_roots_find_main_arena(w, n, start, &hole)) {
		add_root(out, cap, start, hole.start);
		add_root(out, cap, hole.end, end);
	} else
		add_root(out, cap, start, end);
	free(w);
}

/* Take hole out of the roots. */
static void
subtract(struct leak_roots *out, size_t *cap, const struct leak_range *hole)
{
	for (size_t i = 0; i < out->nroots; i++) {
		struct leak_range r = out->roots[i];

		if (hole->end <= r.start || hole->start >= r.end)
			continue;
		out->roots[i].end = hole->start > r.start ? hole->start : r.start;
		if (hole->end < r.end)
			add_root(out, cap, hole->end, r.end);
	}
}

/* The first block at or after addr. */
static size_t
first_block(const struct leak_roots_input *in, uint64_t addr)
{
	size_t lo = 0, hi = in->nblocks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (in->blocks[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t
page_down(uint64_t a)
{
	return a & ~(uint64_t)(PAGE - 1);
}

static uint64_t
page_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

/*
 * The mapping glibc made for block b alone. Its chunk header, 16 bytes
 * before the block, holds the offset of the chunk in the mapping
 * (prev_size: 0 but for memalign) and the chunk's size with IS_MMAPPED;
 * the mapping is [chunk - prev_size, chunk + size). A header that does
 * not read so gives the pages the block spans.
 */
static struct leak_range
mmapped_extent(const struct leak_roots_input *in, const struct leak_block *b)
{
	uint64_t chunk = b->addr - CHUNK_HEADER, w[2], size;
	struct leak_io io = { chunk, sizeof(w) };

	in->read(in->ctx, &io, 1, w);
	size = w[1] & ~(uint64_t)CHUNK_FLAGS;
	if ((w[1] & CHUNK_IS_MMAPPED) && w[0] <= chunk && size < MAX_EXTENT &&
	    (chunk - w[0]) % PAGE == 0 && (chunk + size) % PAGE == 0 &&
	    b->addr + b->size <= chunk + size)
		return (struct leak_range){ chunk - w[0], chunk + size };
	return (struct leak_range){ page_down(chunk), page_up(b->addr + b->size) };
}

/*
 * The heap of a glibc arena (not the main one) holding block b: glibc
 * finds it by aligning the chunk's address down to HEAP_MAX_SIZE, where
 * a heap_info starts (ar_ptr, prev, size, mprotect_size); the chunk's
 * header says NON_MAIN_ARENA. The whole aligned span is glibc's, its
 * reserve included.
 */
static bool
arena_heap(const struct leak_roots_input *in, const struct leak_block *b,
    struct leak_range *out)
{
	uint64_t head, info[4], h = b->addr & ~(GLIBC_HEAP_MAX - 1);
	struct leak_io io = { b->addr - 8, sizeof(head) };

	in->read(in->ctx, &io, 1, &head);
	if ((head & (CHUNK_NON_MAIN_ARENA | CHUNK_IS_MMAPPED)) !=
	    CHUNK_NON_MAIN_ARENA || (head & ~(uint64_t)CHUNK_FLAGS) < b->size + 8)
		return false;
	io = (struct leak_io){ h, sizeof(info) };
	in->read(in->ctx, &io, 1, info);
	if (info[0] == 0 || info[0] % 8 != 0 || info[2] == 0 ||
	    info[2] > GLIBC_HEAP_MAX || info[3] > GLIBC_HEAP_MAX ||
	    b->addr >= h + (info[2] > info[3] ? info[2] : info[3]))
		return false;
	*out = (struct leak_range){ h, h + GLIBC_HEAP_MAX };
	return true;
}

static void
add_hole(struct leak_range **v, size_t *n, size_t *cap, struct leak_range r)
{
	if (*n > 0 && r.start <= (*v)[*n - 1].end) {
		if (r.end > (*v)[*n - 1].end)
			(*v)[*n - 1].end = r.end;
		return;
	}
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = r;
}

/* The allocator's (not glibc's) mapping holding addr, as logged by the shim. */
static bool
allocator_mapping(const struct leak_roots_input *in, uint64_t addr,
    struct leak_range *out)
{
	const struct mapping_set *a = in->allocator;
	size_t k;

	if (a == NULL || (k = model_mappings_find(a, addr)) == a->n ||
	    a->ranges[k].start > addr)
		return false;
	*out = (struct leak_range){ a->ranges[k].start, a->ranges[k].end };
	return true;
}

static int
cmp_range(const void *a, const void *b)
{
	const struct leak_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The allocator's memory in mapping m (not the brk heap, not an arena
 * recognised by its shape), as sorted ranges: what the blocks in m are
 * in (with another allocator, the mapping it made that holds the block,
 * as the shim logged it). A block in none of these takes the whole line
 * (less the program's own mappings, spare_own): nothing tells its
 * allocator's memory there. Another allocator's mappings that hold no
 * block known stay roots: they may hold blocks made through calls the
 * shim does not see (jemalloc's mallocx, tcmalloc's tc_malloc ...), which
 * memcheck does not see either, and scans.
 */
static size_t
allocator_holes(const struct leak_roots_input *in, const struct mapping *m,
    struct leak_range **holes)
{
	struct leak_range *v = NULL;
	size_t nv = 0, capv = 0, n = 0, cap = 0;

	*holes = NULL;
	for (size_t i = first_block(in, m->start); i < in->nblocks &&
	    in->blocks[i].addr < m->end; i++) {
		const struct leak_block *b = &in->blocks[i];
		struct leak_range r;

		if (nv > 0 && b->addr >= v[nv - 1].start && b->addr < v[nv - 1].end)
			continue;	/* in the last one */
		if (in->mmapped != NULL && in->mmapped[i])
			r = mmapped_extent(in, b);
		else if (!arena_heap(in, b, &r) && !allocator_mapping(in, b->addr, &r)) {
			add_hole(holes, &n, &cap, (struct leak_range){ m->start,
			    m->end });
			free(v);
			return n;
		}
		v = xgrow(v, &capv, nv + 1, sizeof(*v));
		v[nv++] = r;
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_range);
	for (size_t i = 0; i < nv; i++)
		add_hole(holes, &n, &cap, v[i]);
	free(v);
	return n;
}

/*
 * holes less the program's own mappings: whatever maps line the kernel
 * merged them into, they are the program's memory, not its allocator's
 * (a new array; holes freed).
 */
static size_t
spare_own(const struct leak_roots_input *in, struct leak_range **holes,
    size_t n)
{
	const struct mapping_set *own = in->own;
	struct leak_range *out = NULL;
	size_t nout = 0, cap = 0;

	if (own == NULL || own->n == 0)
		return n;
	for (size_t i = 0; i < n; i++) {
		struct leak_range h = (*holes)[i];

		for (size_t k = model_mappings_find(own, h.start);
		    k < own->n && own->ranges[k].start < h.end; k++) {
			if (own->ranges[k].start > h.start)
				add_hole(&out, &nout, &cap, (struct leak_range){
				    h.start, own->ranges[k].start });
			h.start = own->ranges[k].end;
		}
		if (h.start < h.end)
			add_hole(&out, &nout, &cap, h);
	}
	free(*holes);
	*holes = out;
	return nout;
}

/* [start, end) of mapping m as roots (libc's data less main_arena). */
static void
add_piece(const struct leak_roots_input *in, struct leak_roots *out,
    size_t *cap, const struct mapping *m, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	if (is_libc(m->object))
		add_libc_data(in, out, cap, start, end);
	else
		add_root(out, cap, start, end);
}

void
leak_roots_build(const struct leak_roots_input *in, struct leak_roots *out)
{
	struct mapping *maps;
	size_t n = collect_mappings(in->layout, &maps), cap = 0;

	memset(out, 0, sizeof(*out));
	out->maps = xreallocarray(NULL, n ? n : 1, sizeof(*out->maps));
	for (size_t i = 0; i < n; i++) {
		const struct mapping *m = &maps[i];
		uint64_t start = m->start, floor;
		struct leak_range *holes;
		size_t nholes;

		out->maps[out->nmaps++] = (struct leak_mapping){ .start = m->start,
		    .end = m->end, .file = !m->anon, .readable = m->perms[0] == 'r',
		    .executable = m->perms[2] == 'x' };
		if (m->perms[0] != 'r' || m->perms[1] != 'w' ||
		    m->special || is_device(m->object) ||
		    strstr(m->object, "memscope-ring") != NULL ||
		    (in->shim_path != NULL && strcmp(m->object, in->shim_path) == 0))
			continue;
		if (m->heap && in->partial) {
			/* joined late: all of it, as the scan skips the
			 * blocks known */
			add_root(out, &cap, m->start, m->end);
			continue;
		}
		if (!m->heap && (floor = stack_floor(in, m)) != 0 &&
		    floor - RED_ZONE > start)
			start = floor - RED_ZONE;
		if (in->partial) {
			add_piece(in, out, &cap, m, start, m->end);
			continue;
		}
		if (m->heap) {
			holes = xmalloc(sizeof(*holes));
			holes[0] = (struct leak_range){ m->start, m->end };
			nholes = 1;
		} else
			nholes = allocator_holes(in, m, &holes);
		nholes = spare_own(in, &holes, nholes);
		for (size_t k = 0; k < nholes; k++) {
			add_piece(in, out, &cap, m, start,
			    holes[k].start < m->end ? holes[k].start : m->end);
			if (holes[k].end > start)
				start = holes[k].end;
		}
		add_piece(in, out, &cap, m, start, m->end);
		free(holes);
	}
	free(maps);
	for (size_t i = 0; i < in->nexcluded; i++)
		subtract(out, &cap, &in->excluded[i]);
}

void
leak_roots_free(struct leak_roots *r)
{
	free(r->roots);
	free(r->maps);
	memset(r, 0, sizeof(*r));
}

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
	return strncmp(object, "/dev/", 5) == 0 && strcmp(object, "/dev/zero") != 0 &&
	    strncmp(object, "/dev/shm/", 9) != 0;
}

static bool
is_libc(const char *object)
{
	const char *base = strrchr(object, '/');

	return base != NULL && strncmp(base + 1, "libc.so", 7) == 0;
}

/* Does [start, end) hold the start of a block? */
static bool
holds_block(const struct leak_roots_input *in, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = in->nblocks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (in->blocks[mid].addr < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < in->nblocks && in->blocks[lo].addr < end;
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

/*
 * The smallest gap between two known blocks that can hold a block of the
 * allocator's: less is a chunk header and the spare end of the block
 * before (glibc: 16 bytes of header, up to 15 spare; its least chunk is
 * 32 bytes). Skipping those keeps a heap of a million blocks from being a
 * million roots of 16 bytes.
 */
#define GAP_MIN		48

static void
add_gap(struct leak_roots *out, size_t *cap, uint64_t start, uint64_t end)
{
	if (end >= start + GAP_MIN)
		add_root(out, cap, start, end);
}

/* [start, end) less the blocks in it (partial roots). */
static void
add_around_blocks(const struct leak_roots_input *in, struct leak_roots *out,
    size_t *cap, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = in->nblocks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (in->blocks[mid].addr < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < in->nblocks && in->blocks[lo].addr < end; lo++) {
		add_gap(out, cap, start, in->blocks[lo].addr);
		start = in->blocks[lo].addr + in->blocks[lo].size;
	}
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

		out->maps[out->nmaps++] = (struct leak_mapping){ .start = m->start,
		    .end = m->end, .file = !m->anon, .readable = m->perms[0] == 'r',
		    .executable = m->perms[2] == 'x' };
		if (m->perms[0] != 'r' || m->perms[1] != 'w' ||
		    m->special || is_device(m->object) ||
		    strstr(m->object, "memscope-ring") != NULL ||
		    (in->shim_path != NULL && strcmp(m->object, in->shim_path) == 0))
			continue;
		if (m->heap || (m->anon && holds_block(in, m->start, m->end))) {
			if (in->partial)
				add_around_blocks(in, out, &cap, m->start, m->end);
			continue;
		}
		if ((floor = stack_floor(in, m)) != 0 && floor - RED_ZONE > start)
			start = floor - RED_ZONE;
		if (is_libc(m->object))
			add_libc_data(in, out, &cap, start, m->end);
		else
			add_root(out, &cap, start, m->end);
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

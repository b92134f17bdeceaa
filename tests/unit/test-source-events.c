/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of one shim record applied to the process model
 * (src/source/source-events.c), the step both the live ring and a trace
 * go through: each record type of src/wire/protocol.h on a fresh process
 * and the exact state it leaves (heap, own mappings, stacks, modules,
 * threads, fork snapshots, the allocator's figures, the end); and records
 * that make no sense (too short, lengths past the record, too many
 * frames or free chunk classes, a path longer than MS_PATH_MAX, a field
 * out of its range, an unknown type) refused with false, the model left
 * as it was, the record not counted as an event: the run's warning says
 * after how many events its figures stop, and a trace, which never holds
 * the refused record, must rebuild the same figures.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "model.h"
#include "protocol.h"
#include "source-events.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAPA		0x7f0000000000ull
#define MAPB		0x7f1000000000ull
#define PAGE		4096ull

/* A session of one process, its events timed at 1 ns a tick. */
struct fixture {
	struct session	 s;
	struct process	*p;
};

static void
setup(struct fixture *f)
{
	model_session_init(&f->s);
	f->s.ns_per_tick = 1.0;
	f->p = model_session_add(&f->s, 4242);
}

static bool
apply(struct fixture *f, const void *rec, size_t len)
{
	return source_event_apply(f->p, &f->s, rec, (uint32_t)len);
}

#define APPLY(f, ev)	apply((f), &(ev), sizeof(ev))

static struct ms_ev_alloc
ev_alloc(uint16_t thread, uint64_t addr, uint64_t size, uint64_t stack,
    uint32_t fn, uint32_t spare, uint64_t time)
{
	return (struct ms_ev_alloc){ .hdr = { .type = MS_EV_ALLOC,
	    .thread = thread }, .addr = addr, .size = size, .stack = stack,
	    .fn = fn, .spare = spare, .time = time };
}

static struct ms_ev_free
ev_free(uint16_t thread, uint64_t addr, uint64_t time)
{
	return (struct ms_ev_free){ .hdr = { .type = MS_EV_FREE,
	    .thread = thread }, .addr = addr, .time = time };
}

static struct ms_ev_realloc
ev_realloc(uint16_t thread, uint64_t old, uint32_t status, uint64_t time)
{
	return (struct ms_ev_realloc){ .hdr = { .type = MS_EV_REALLOC,
	    .thread = thread }, .old_addr = old, .status = status, .time = time };
}

static struct ms_ev_realloc_done
ev_realloc_done(uint16_t thread, uint64_t addr, uint64_t size, uint64_t stack,
    uint32_t flags, uint32_t spare)
{
	return (struct ms_ev_realloc_done){ .hdr = { .type = MS_EV_REALLOC_DONE,
	    .thread = thread }, .addr = addr, .size = size, .stack = stack,
	    .flags = flags, .spare = spare };
}

/* What a refused record must leave as it was. */
struct snapshot {
	struct heap_summary sum;
	size_t		 nsites;
	struct heap_bin	 bins[HEAP_NBINS];
	uint64_t	 lifetimes[HEAP_LIFETIMES];
	uint64_t	 allocator_samples;
	size_t		 nmaps;
	size_t		 nmodules;
	size_t		 nstacks;
	uint64_t	 threads_started;
	size_t		 nended;
	size_t		 nforks;
	bool		 exited;
};

static void
take(const struct fixture *f, struct snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	sn->sum = f->p->heap.sum;
	sn->nsites = f->p->heap.nsites;
	memcpy(sn->bins, f->p->heap.bins, sizeof(sn->bins));
	memcpy(sn->lifetimes, f->p->heap.lifetimes, sizeof(sn->lifetimes));
	sn->allocator_samples = f->p->heap.allocator.samples;
	sn->nmaps = f->p->own_maps.n;
	sn->nmodules = f->p->modules.n;
	sn->nstacks = f->s.stacks.count;
	sn->threads_started = f->p->threads_started;
	sn->nended = f->p->nended;
	sn->nforks = f->s.nforks;
	sn->exited = f->p->exited;
}

static void
assert_unchanged(const struct fixture *f, const struct snapshot *before)
{
	struct snapshot now;

	take(f, &now);
	assert_int_equal(now.sum.events, before->sum.events);
	assert_memory_equal(&now, before, sizeof(now));
}

/* --- The heap's records -------------------------------------------------- */

/* An allocation: the call, its site, its bin and usable bytes; the
 * mapped flag and the call's number come out of fn. */
static void
test_alloc(void **state)
{
	struct fixture f;
	struct ms_ev_alloc a = ev_alloc(3, 0x1000, 24, 0x55, MS_FN_CALLOC, 8, 100);
	struct ms_ev_alloc b = ev_alloc(3, 0x2000, 1 << 20, 0x66,
	    MS_FN_MALLOC | MS_FN_MMAPPED, MS_SPARE_UNKNOWN, 200);
	struct ms_ev_alloc c = ev_alloc(4, 0x3000, 8, 0x77, 0xff, 0, 300);
	struct ms_ev_alloc d = ev_alloc(4, 0x4000, 8, 0x88,
	    MS_FN_PVALLOC | MS_FN_MMAPPED, 0, 400);
	const struct heap_site *site;

	(void)state;
	setup(&f);
	assert_true(APPLY(&f, a));
	assert_int_equal(f.p->heap.sum.events, 1);
	assert_int_equal(f.p->heap.sum.allocations, 1);
	assert_int_equal(f.p->heap.sum.bytes_allocated, 24);
	assert_int_equal(f.p->heap.sum.live_bytes, 24);
	assert_int_equal(f.p->heap.sum.live_blocks, 1);
	assert_int_equal(f.p->heap.bins[2].live_blocks, 1);	/* (16, 24] */
	assert_int_equal(f.p->heap.bins[2].usable_bytes, 32);
	assert_false(f.p->heap.usable_unknown);
	assert_non_null(site = model_heap_site(&f.p->heap, 0x55));
	assert_int_equal(site->fn, HEAP_FN_CALLOC);
	assert_int_equal(site->allocations, 1);

	assert_true(APPLY(&f, b));
	assert_int_equal(f.p->heap.bins[HEAP_BIN_MMAP].live_bytes, 1 << 20);
	assert_int_equal(f.p->heap.bins[HEAP_BIN_MMAP].usable_bytes, 1 << 20);
	assert_int_equal(f.p->heap.bins[81].live_blocks, 0);	/* 1 MiB */
	assert_true(f.p->heap.usable_unknown);
	assert_int_equal(model_heap_site(&f.p->heap, 0x66)->fn, HEAP_FN_MALLOC);

	/* a call past the last known: unknown, and not mapped */
	assert_true(APPLY(&f, c));
	assert_int_equal(model_heap_site(&f.p->heap, 0x77)->fn, HEAP_FN_UNKNOWN);
	assert_int_equal(f.p->heap.bins[0].live_blocks, 1);
	assert_true(APPLY(&f, d));
	assert_int_equal(model_heap_site(&f.p->heap, 0x88)->fn, HEAP_FN_PVALLOC);
	assert_int_equal(f.p->heap.bins[HEAP_BIN_MMAP].live_blocks, 2);

	assert_int_equal(f.p->heap.sum.events, 4);
	assert_int_equal(f.p->heap.sum.allocations, 4);
	assert_int_equal(f.p->heap.sum.live_bytes, 24 + (1 << 20) + 8 + 8);
	model_session_free(&f.s);
}

/* A free: the block's lifetime from its allocation's time to the free's,
 * in ticks of 1 ns (1500: 1-10 us); a temporary of its thread. */
static void
test_frees(void **state)
{
	struct fixture f;
	struct ms_ev_alloc a = ev_alloc(3, 0x1000, 24, 0x55, MS_FN_MALLOC, 8, 100);
	struct ms_ev_free fr = ev_free(3, 0x1000, 1600);
	struct ms_ev_free again = ev_free(3, 0x1000, 1700);

	(void)state;
	setup(&f);
	assert_true(APPLY(&f, a));
	assert_true(APPLY(&f, fr));
	assert_int_equal(f.p->heap.sum.frees, 1);
	assert_int_equal(f.p->heap.sum.live_bytes, 0);
	assert_int_equal(f.p->heap.sum.live_blocks, 0);
	assert_int_equal(f.p->heap.sum.temporaries, 1);
	assert_int_equal(f.p->heap.lifetimes[1], 1);
	assert_int_equal(model_heap_site(&f.p->heap, 0x55)->lifetimes[1], 1);
	/* again: an anomaly */
	assert_true(APPLY(&f, again));
	assert_int_equal(f.p->heap.sum.frees, 1);
	assert_int_equal(f.p->heap.sum.anomalies, 1);
	assert_int_equal(f.p->heap.sum.events, 3);
	model_session_free(&f.s);
}

/*
 * realloc in two records: FAILED changes nothing; MOVED releases the old
 * block (a realloc), REALLOC_DONE makes the new one (a call of its site,
 * fn realloc, not an allocation of the summary), at another address or
 * the same; FREED is realloc(p, 0) freeing p: a free.
 */
static void
test_reallocs(void **state)
{
	struct fixture f;
	struct ms_ev_alloc a = ev_alloc(1, 0x1000, 100, 0x55, MS_FN_MALLOC, 4, 10);
	struct ms_ev_realloc failed = ev_realloc(1, 0x1000, MS_REALLOC_FAILED, 20);
	struct ms_ev_realloc moved = ev_realloc(1, 0x1000, MS_REALLOC_MOVED, 30);
	struct ms_ev_realloc_done done = ev_realloc_done(1, 0x2000, 300, 0x66, 0, 4);
	struct ms_ev_realloc in_place = ev_realloc(1, 0x2000, MS_REALLOC_MOVED, 40);
	struct ms_ev_realloc_done grown = ev_realloc_done(1, 0x2000, 200000, 0x66,
	    MS_FN_MMAPPED, MS_SPARE_UNKNOWN);
	struct ms_ev_realloc freed = ev_realloc(1, 0x2000, MS_REALLOC_FREED, 50);
	const struct heap_site *site;

	(void)state;
	setup(&f);
	assert_true(APPLY(&f, a));
	assert_true(APPLY(&f, failed));
	assert_int_equal(f.p->heap.sum.reallocs, 0);
	assert_int_equal(f.p->heap.sum.live_blocks, 1);
	assert_int_equal(f.p->heap.sum.live_bytes, 100);

	assert_true(APPLY(&f, moved));
	assert_int_equal(f.p->heap.sum.reallocs, 1);
	assert_int_equal(f.p->heap.sum.live_blocks, 0);
	assert_int_equal(f.p->heap.lifetimes[0], 1);	/* 20 ticks */
	assert_true(APPLY(&f, done));
	assert_int_equal(f.p->heap.sum.allocations, 1);
	assert_int_equal(f.p->heap.sum.frees, 0);
	assert_int_equal(f.p->heap.sum.bytes_allocated, 400);
	assert_int_equal(f.p->heap.sum.live_bytes, 300);
	assert_int_equal(f.p->heap.sum.live_blocks, 1);
	assert_int_equal(f.p->heap.bins[26].usable_bytes, 304);	/* (288, 304] */
	assert_non_null(site = model_heap_site(&f.p->heap, 0x66));
	assert_int_equal(site->fn, HEAP_FN_REALLOC);
	assert_int_equal(site->allocations, 1);

	assert_true(APPLY(&f, in_place));
	assert_true(APPLY(&f, grown));
	assert_int_equal(f.p->heap.sum.reallocs, 2);
	assert_int_equal(f.p->heap.sum.bytes_allocated, 200400);
	assert_int_equal(f.p->heap.sum.live_bytes, 200000);
	assert_int_equal(f.p->heap.sum.live_blocks, 1);
	assert_int_equal(f.p->heap.bins[26].live_blocks, 0);
	assert_int_equal(f.p->heap.bins[HEAP_BIN_MMAP].live_bytes, 200000);
	assert_true(f.p->heap.usable_unknown);
	assert_int_equal(site->allocations, 2);

	assert_true(APPLY(&f, freed));
	assert_int_equal(f.p->heap.sum.frees, 1);
	assert_int_equal(f.p->heap.sum.reallocs, 2);
	assert_int_equal(f.p->heap.sum.live_blocks, 0);
	assert_int_equal(f.p->heap.sum.live_bytes, 0);
	assert_int_equal(f.p->heap.sum.anomalies, 0);
	assert_int_equal(f.p->heap.sum.events, 7);
	model_session_free(&f.s);
}

/* --- Mappings ---------------------------------------------------------- */

/* The program's own mappings: mmap adds (and counts), a failed munmap
 * does nothing, munmap cuts (and counts), mremap moves (not counted),
 * a failed mremap (new address 0) does nothing. */
static void
test_mappings(void **state)
{
	struct fixture f;
	struct ms_ev_mmap mm = { .hdr.type = MS_EV_MMAP, .addr = MAPA,
	    .len = 2 * PAGE, .prot = PROT_READ | PROT_WRITE,
	    .flags = MAP_PRIVATE | MAP_ANONYMOUS, .fd = -1 };
	struct ms_ev_mmap shared = { .hdr.type = MS_EV_MMAP, .addr = MAPB,
	    .len = PAGE, .flags = MAP_SHARED | MAP_ANONYMOUS, .fd = -1 };
	struct ms_ev_munmap failed = { .hdr.type = MS_EV_MUNMAP, .addr = MAPA,
	    .len = 2 * PAGE, .failed = 1 };
	struct ms_ev_munmap unmap = { .hdr.type = MS_EV_MUNMAP, .addr = MAPA,
	    .len = PAGE };
	struct ms_ev_mremap remap_failed = { .hdr.type = MS_EV_MREMAP,
	    .old_addr = MAPA + PAGE, .old_len = PAGE, .new_addr = 0,
	    .new_len = 3 * PAGE };
	struct ms_ev_mremap remap = { .hdr.type = MS_EV_MREMAP,
	    .old_addr = MAPA + PAGE, .old_len = PAGE, .new_addr = MAPB + PAGE,
	    .new_len = 3 * PAGE };
	const struct mapping_set *m;

	(void)state;
	setup(&f);
	m = &f.p->own_maps;
	assert_true(APPLY(&f, mm));
	assert_true(APPLY(&f, shared));
	assert_int_equal(f.p->heap.sum.mmaps, 2);
	assert_int_equal(m->n, 1);
	assert_int_equal(m->ranges[0].start, MAPA);
	assert_int_equal(m->ranges[0].end, MAPA + 2 * PAGE);
	assert_true(APPLY(&f, failed));
	assert_int_equal(f.p->heap.sum.munmaps, 0);
	assert_int_equal(m->n, 1);
	assert_int_equal(m->ranges[0].end, MAPA + 2 * PAGE);
	assert_true(APPLY(&f, unmap));
	assert_int_equal(f.p->heap.sum.munmaps, 1);
	assert_int_equal(m->ranges[0].start, MAPA + PAGE);
	assert_true(APPLY(&f, remap_failed));
	assert_int_equal(m->n, 1);
	assert_int_equal(m->ranges[0].start, MAPA + PAGE);
	assert_int_equal(m->ranges[0].end, MAPA + 2 * PAGE);
	assert_true(APPLY(&f, remap));
	assert_int_equal(m->n, 1);
	assert_int_equal(m->ranges[0].start, MAPB + PAGE);
	assert_int_equal(m->ranges[0].end, MAPB + 4 * PAGE);
	assert_int_equal(f.p->heap.sum.mmaps, 2);
	assert_int_equal(f.p->heap.sum.munmaps, 1);
	assert_int_equal(f.p->heap.sum.events, 6);
	/* the heap is not touched */
	assert_int_equal(f.p->heap.sum.live_bytes, 0);
	assert_int_equal(f.p->heap.sum.allocations, 0);
	model_session_free(&f.s);
}

/*
 * brk and sbrk: the data segment the program grew itself is its own
 * memory, a root of the leak scan; what it gives back is no longer.
 */
static void
test_brk(void **state)
{
	struct fixture f;
	struct ms_ev_brk grow = { .hdr.type = MS_EV_BRK, .old_brk = 0x600000,
	    .new_brk = 0x621000 };
	struct ms_ev_brk shrink = { .hdr.type = MS_EV_BRK, .old_brk = 0x621000,
	    .new_brk = 0x610000 };
	const struct mapping_set *m;

	(void)state;
	setup(&f);
	m = &f.p->own_maps;
	assert_true(APPLY(&f, grow));
	assert_int_equal(m->n, 1);
	assert_int_equal(m->ranges[0].start, 0x600000);
	assert_int_equal(m->ranges[0].end, 0x621000);
	assert_true(APPLY(&f, shrink));
	assert_int_equal(m->n, 1);
	assert_int_equal(m->ranges[0].end, 0x610000);
	assert_int_equal(f.p->heap.sum.events, 2);
	assert_int_equal(f.p->heap.sum.live_bytes, 0);
	model_session_free(&f.s);
}

/* A slot whose event was never made: an event, nothing else. */
static void
test_skip(void **state)
{
	struct fixture f;
	struct ms_record skip = { .type = MS_EV_SKIP, .thread = 1 };
	struct snapshot before;

	(void)state;
	setup(&f);
	take(&f, &before);
	assert_true(apply(&f, &skip, sizeof(skip)));
	before.sum.events++;
	assert_unchanged(&f, &before);
	model_session_free(&f.s);
}

/* --- Stacks, modules, threads ------------------------------------------- */

struct stack_rec {
	struct ms_ev_stack ev;
	uint64_t	 frames[MS_MAX_DEPTH + 1];
};

/* A stack goes to the session's table; the same id again is the first. */
static void
test_stack(void **state)
{
	struct fixture f;
	struct stack_rec r = { .ev = { .hdr.type = MS_EV_STACK, .id = 0x55,
	    .nframes = 3 }, .frames = { 0x401000, 0x402000, 0x7f0000001000 } };
	const struct stack_entry *e;

	(void)state;
	setup(&f);
	assert_true(apply(&f, &r, sizeof(r.ev) + 3 * 8));
	assert_non_null(e = model_stacks_get(&f.s.stacks, 0x55));
	assert_int_equal(e->nframes, 3);
	assert_int_equal(e->frames[0], 0x401000);
	assert_int_equal(e->frames[1], 0x402000);
	assert_int_equal(e->frames[2], 0x7f0000001000);
	r.ev.nframes = 1;
	r.frames[0] = 0x999;
	assert_true(apply(&f, &r, sizeof(r.ev) + 8));
	e = model_stacks_get(&f.s.stacks, 0x55);
	assert_int_equal(e->nframes, 3);
	assert_int_equal(e->frames[0], 0x401000);
	/* the most frames a record holds; none */
	r.ev.id = 0x66;
	r.ev.nframes = MS_MAX_DEPTH;
	assert_true(apply(&f, &r, sizeof(r.ev) + 8 * MS_MAX_DEPTH));
	assert_int_equal(model_stacks_get(&f.s.stacks, 0x66)->nframes, MS_MAX_DEPTH);
	r.ev.id = 0x77;
	r.ev.nframes = 0;
	assert_true(apply(&f, &r, sizeof(r.ev)));
	assert_int_equal(model_stacks_get(&f.s.stacks, 0x77)->nframes, 0);
	assert_int_equal(f.s.stacks.count, 3);
	model_session_free(&f.s);
}

struct module_rec {
	struct ms_ev_module ev;
	char		 path[MS_PATH_MAX + 16];
};

static void
module_rec(struct module_rec *r, uint32_t op, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->ev.hdr.type = MS_EV_MODULE;
	r->ev.op = op;
	r->ev.base = 0x400000;
	r->ev.start = 0x401000;
	r->ev.end = 0x403000;
	r->ev.build_id_len = 20;
	for (uint8_t i = 0; i < 20; i++)
		r->ev.build_id[i] = (uint8_t)(i + 1);
	r->ev.path_len = (uint32_t)strlen(path);
	memcpy(r->path, path, strlen(path));
}

static uint32_t
module_len(const struct module_rec *r)
{
	return MS_RECORD_ALIGN((uint32_t)sizeof(r->ev) + r->ev.path_len);
}

/* A module loaded: its range, path and build id; unloaded: kept, flagged;
 * a build id longer than any is dropped, the module kept. */
static void
test_module(void **state)
{
	struct fixture f;
	struct module_rec r;
	const struct module *m;
	const uint8_t id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	    15, 16, 17, 18, 19, 20 };

	(void)state;
	setup(&f);
	module_rec(&r, MS_MODULE_LOADED, "/usr/bin/prog");
	assert_true(apply(&f, &r, module_len(&r)));
	assert_int_equal(f.p->modules.n, 1);
	m = &f.p->modules.v[0];
	assert_string_equal(m->path, "/usr/bin/prog");
	assert_int_equal(m->base, 0x400000);
	assert_int_equal(m->start, 0x401000);
	assert_int_equal(m->end, 0x403000);
	assert_int_equal(m->build_id_len, 20);
	assert_memory_equal(m->build_id, id, 20);
	assert_false(m->unloaded);
	assert_ptr_equal(model_modules_find(&f.p->modules, 0x402fff), m);
	assert_null(model_modules_find(&f.p->modules, 0x403000));

	module_rec(&r, MS_MODULE_UNLOADED, "");
	assert_true(apply(&f, &r, sizeof(r.ev)));
	assert_int_equal(f.p->modules.n, 1);
	assert_true(f.p->modules.v[0].unloaded);

	module_rec(&r, MS_MODULE_LOADED, "/lib/libx.so");
	r.ev.build_id_len = 33;
	assert_true(apply(&f, &r, module_len(&r)));
	assert_int_equal(f.p->modules.n, 2);
	assert_string_equal(f.p->modules.v[1].path, "/lib/libx.so");
	assert_int_equal(f.p->modules.v[1].build_id_len, 0);

	/* a path of MS_PATH_MAX bytes, the longest */
	module_rec(&r, MS_MODULE_LOADED, "");
	memset(r.path, 'a', MS_PATH_MAX);
	r.path[0] = '/';
	r.ev.path_len = MS_PATH_MAX;
	assert_true(apply(&f, &r, module_len(&r)));
	assert_int_equal(f.p->modules.n, 3);
	assert_int_equal(strlen(f.p->modules.v[2].path), MS_PATH_MAX);
	assert_int_equal(f.p->heap.sum.events, 4);
	model_session_free(&f.s);
}

/* Threads started are counted; an ended one leaves its stack pointer. */
static void
test_thread(void **state)
{
	struct fixture f;
	struct ms_ev_thread started = { .hdr = { .type = MS_EV_THREAD,
	    .thread = 2 }, .tid = 4243, .op = MS_THREAD_STARTED };
	struct ms_ev_thread ended = { .hdr = { .type = MS_EV_THREAD,
	    .thread = 2 }, .tid = 4243, .op = MS_THREAD_ENDED,
	    .sp = 0x7f00deadbee0 };
	struct ms_ev_thread ended_nosp = ended;

	(void)state;
	setup(&f);
	ended_nosp.sp = 0;
	assert_true(APPLY(&f, started));
	assert_true(APPLY(&f, started));
	assert_true(APPLY(&f, ended));
	assert_true(APPLY(&f, ended_nosp));
	assert_int_equal(f.p->threads_started, 2);
	assert_int_equal(f.p->nended, 1);
	assert_int_equal(f.p->ended_sps[0], 0x7f00deadbee0);
	model_session_free(&f.s);
}

/* A fork: the live blocks and own mappings are kept for the child when
 * the leak check wants them, and not otherwise. */
static void
test_fork(void **state)
{
	struct fixture f;
	struct ms_ev_alloc a = ev_alloc(1, 0x2000, 24, 0x55, MS_FN_MALLOC, 8, 10);
	struct ms_ev_alloc b = ev_alloc(1, 0x1000, 40, 0x66, MS_FN_MALLOC, 8, 20);
	struct ms_ev_mmap mm = { .hdr.type = MS_EV_MMAP, .addr = MAPA,
	    .len = PAGE, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .fd = -1 };
	struct ms_ev_fork fk = { .hdr.type = MS_EV_FORK, .token = 1 };

	(void)state;
	setup(&f);
	assert_true(APPLY(&f, a));
	assert_true(APPLY(&f, b));
	assert_true(APPLY(&f, mm));
	assert_true(APPLY(&f, fk));
	assert_int_equal(f.s.nforks, 0);
	f.s.inherit_on_fork = true;
	fk.token = 2;
	assert_true(APPLY(&f, fk));
	assert_int_equal(f.s.nforks, 1);
	assert_int_equal(f.s.forks[0].parent, 4242);
	assert_int_equal(f.s.forks[0].token, 2);
	assert_int_equal(f.s.forks[0].nblocks, 2);
	assert_int_equal(f.s.forks[0].blocks[0].addr, 0x1000);
	assert_int_equal(f.s.forks[0].blocks[0].size, 40);
	assert_int_equal(f.s.forks[0].blocks[1].addr, 0x2000);
	assert_int_equal(f.s.forks[0].blocks[1].size, 24);
	assert_int_equal(f.s.forks[0].own_maps.n, 1);
	assert_int_equal(f.s.forks[0].own_maps.ranges[0].start, MAPA);
	/* the parent keeps its own */
	assert_int_equal(f.p->heap.sum.live_blocks, 2);
	assert_int_equal(f.p->own_maps.n, 1);
	model_session_free(&f.s);
}

/* --- The allocator's figures -------------------------------------------- */

struct allocator_rec {
	struct ms_ev_allocator ev;
	struct ms_free_class classes[MS_FREE_CLASSES_MAX + 1];
};

static void
test_allocator(void **state)
{
	struct fixture f;
	struct allocator_rec r = { .ev = { .hdr.type = MS_EV_ALLOCATOR,
	    .system_bytes = 135168, .in_use_bytes = 1200, .free_bytes = 133968,
	    .top_bytes = 132000, .mmapped_bytes = 0, .mmapped_blocks = 0,
	    .free_chunks = 3, .fastbin_free_bytes = 96, .arenas = 1,
	    .at_exit = 0, .nclasses = 2 },
	    .classes = { { 17, 32, 2, 64 }, { 1025, 1536, 1, 1100 } } };
	const struct heap_allocator *a;

	(void)state;
	setup(&f);
	a = &f.p->heap.allocator;
	assert_true(apply(&f, &r, sizeof(r.ev) + 2 * sizeof(r.classes[0])));
	assert_int_equal(a->samples, 1);
	assert_false(a->at_exit);
	assert_int_equal(a->system_bytes, 135168);
	assert_int_equal(a->in_use_bytes, 1200);
	assert_int_equal(a->free_bytes, 133968);
	assert_int_equal(a->top_bytes, 132000);
	assert_int_equal(a->free_chunks, 3);
	assert_int_equal(a->fastbin_free_bytes, 96);
	assert_int_equal(a->arenas, 1);
	assert_int_equal(a->nclasses, 2);
	assert_int_equal(a->classes[0].from, 17);
	assert_int_equal(a->classes[0].to, 32);
	assert_int_equal(a->classes[0].count, 2);
	assert_int_equal(a->classes[0].bytes, 64);
	assert_int_equal(a->classes[1].from, 1025);
	assert_int_equal(a->classes[1].to, 1536);
	assert_int_equal(a->classes[1].count, 1);
	assert_int_equal(a->classes[1].bytes, 1100);
	/* the last sample, at the end, with every class there may be */
	r.ev.at_exit = 1;
	r.ev.mmapped_bytes = 266240;
	r.ev.mmapped_blocks = 2;
	r.ev.nclasses = MS_FREE_CLASSES_MAX;
	for (uint32_t i = 0; i < MS_FREE_CLASSES_MAX; i++)
		r.classes[i] = (struct ms_free_class){ 16 * i + 1, 16 * i + 16,
		    i, 16 * i };
	assert_true(apply(&f, &r, sizeof(r.ev) +
	    MS_FREE_CLASSES_MAX * sizeof(r.classes[0])));
	assert_int_equal(a->samples, 2);
	assert_true(a->at_exit);
	assert_int_equal(a->mmapped_bytes, 266240);
	assert_int_equal(a->mmapped_blocks, 2);
	assert_int_equal(a->nclasses, MS_FREE_CLASSES_MAX);
	assert_int_equal(a->classes[95].from, 1521);
	assert_int_equal(a->classes[95].to, 1536);
	assert_int_equal(a->classes[95].count, 95);
	/* none */
	r.ev.nclasses = 0;
	assert_true(apply(&f, &r, sizeof(r.ev)));
	assert_int_equal(a->samples, 3);
	assert_int_equal(a->nclasses, 0);
	model_session_free(&f.s);
}

/* --- The end ------------------------------------------------------------ */

static void
test_exit(void **state)
{
	struct fixture f;
	struct ms_ev_exit ex = { .hdr.type = MS_EV_EXIT, .status = 3,
	    .tid = 4242, .sp = 0x7ffd00001000 };

	(void)state;
	setup(&f);
	assert_true(APPLY(&f, ex));
	assert_true(f.p->exited);
	assert_int_equal(f.p->exit_code, 3);
	assert_int_equal(f.p->exit_signal, 0);
	assert_int_equal(f.p->end_tid, 4242);
	assert_int_equal(f.p->end_sp, 0x7ffd00001000);
	assert_false(f.p->end_held);
	/* exit(259) is 3 to the parent */
	ex.status = 259;
	assert_true(APPLY(&f, ex));
	assert_int_equal(f.p->exit_code, 3);
	/* a fatal signal, the shim waiting for the check */
	ex.status = 5;
	ex.signal = 11;
	ex.flags = MS_EXIT_HOLD;
	assert_true(APPLY(&f, ex));
	assert_int_equal(f.p->exit_code, 0);
	assert_int_equal(f.p->exit_signal, 11);
	assert_true(f.p->end_held);
	ex.signal = 127;
	assert_true(APPLY(&f, ex));
	assert_int_equal(f.p->exit_signal, 127);
	model_session_free(&f.s);
}

/* --- Records that make no sense ----------------------------------------- */

/* The fixed size of each record type: one byte less is refused. */
static const struct {
	uint16_t	 type;
	size_t		 size;
} sizes[] = {
	{ MS_EV_ALLOC, sizeof(struct ms_ev_alloc) },
	{ MS_EV_FREE, sizeof(struct ms_ev_free) },
	{ MS_EV_REALLOC, sizeof(struct ms_ev_realloc) },
	{ MS_EV_MMAP, sizeof(struct ms_ev_mmap) },
	{ MS_EV_MUNMAP, sizeof(struct ms_ev_munmap) },
	{ MS_EV_MREMAP, sizeof(struct ms_ev_mremap) },
	{ MS_EV_BRK, sizeof(struct ms_ev_brk) },
	{ MS_EV_STACK, sizeof(struct ms_ev_stack) },
	{ MS_EV_MODULE, sizeof(struct ms_ev_module) },
	{ MS_EV_THREAD, sizeof(struct ms_ev_thread) },
	{ MS_EV_REALLOC_DONE, sizeof(struct ms_ev_realloc_done) },
	{ MS_EV_EXIT, sizeof(struct ms_ev_exit) },
	{ MS_EV_FORK, sizeof(struct ms_ev_fork) },
	{ MS_EV_ALLOCATOR, sizeof(struct ms_ev_allocator) },
};

/* A process with something in every part a record may change. */
static void
busy_setup(struct fixture *f)
{
	struct ms_ev_alloc a = ev_alloc(1, 0x1000, 100, 0x55, MS_FN_MALLOC, 4, 10);
	struct ms_ev_mmap mm = { .hdr.type = MS_EV_MMAP, .addr = MAPA,
	    .len = PAGE, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .fd = -1 };
	struct ms_ev_thread th = { .hdr.type = MS_EV_THREAD, .tid = 1,
	    .op = MS_THREAD_STARTED };
	struct module_rec r;

	setup(f);
	f->s.inherit_on_fork = true;
	assert_true(APPLY(f, a));
	assert_true(APPLY(f, mm));
	assert_true(APPLY(f, th));
	module_rec(&r, MS_MODULE_LOADED, "/usr/bin/prog");
	assert_true(apply(f, &r, module_len(&r)));
	assert_int_equal(f->p->heap.sum.events, 4);
}

static void
assert_refused(struct fixture *f, const void *rec, size_t len, const char *what)
{
	struct snapshot before;

	take(f, &before);
	if (apply(f, rec, len))
		fail_msg("%s: taken", what);
	assert_unchanged(f, &before);
}

/* Every type, one byte short; a record with no type, or past the last. */
static void
test_short_and_unknown(void **state)
{
	struct fixture f;
	/* room for the longest record: every byte a valid type's fields */
	union {
		struct ms_record hdr;
		uint64_t	 words[64];
	} rec;

	(void)state;
	busy_setup(&f);
	for (size_t i = 0; i < NELEM(sizes); i++) {
		memset(&rec, 0, sizeof(rec));
		memset(rec.words + 1, 0x11, sizeof(rec) - 8);
		rec.hdr.type = sizes[i].type;
		rec.hdr.thread = 1;
		assert_true(sizes[i].size <= sizeof(rec));
		assert_refused(&f, &rec, sizes[i].size - 1, "one byte short");
		assert_refused(&f, &rec, sizeof(rec.hdr), "a header alone");
	}
	memset(&rec, 0, sizeof(rec));
	assert_refused(&f, &rec, 64, "type 0");
	rec.hdr.type = MS_EV_TYPE_MAX;
	assert_refused(&f, &rec, 64, "a type past the last");
	rec.hdr.type = 0xffff;
	assert_refused(&f, &rec, 64, "type 0xffff");
	model_session_free(&f.s);
}

/* Lengths inside a record that point past it, counts past their maximum. */
static void
test_bad_lengths(void **state)
{
	struct fixture f;
	struct stack_rec st = { .ev = { .hdr.type = MS_EV_STACK, .id = 0x99,
	    .nframes = 3 } };
	struct module_rec mod;
	struct allocator_rec al = { .ev = { .hdr.type = MS_EV_ALLOCATOR,
	    .nclasses = 2 } };

	(void)state;
	busy_setup(&f);
	/* a stack: frames past the record, more frames than the most */
	assert_refused(&f, &st, sizeof(st.ev) + 2 * 8, "3 frames in room for 2");
	st.ev.nframes = MS_MAX_DEPTH + 1;
	assert_refused(&f, &st, sizeof(st), "MS_MAX_DEPTH + 1 frames");
	/* a module: the path past the record, or longer than MS_PATH_MAX */
	module_rec(&mod, MS_MODULE_LOADED, "/usr/lib/libz.so.1");
	assert_refused(&f, &mod, sizeof(mod.ev) + 8, "a path past the record");
	memset(mod.path, 'a', MS_PATH_MAX + 1);
	mod.ev.path_len = MS_PATH_MAX + 1;
	assert_refused(&f, &mod, module_len(&mod), "a path of MS_PATH_MAX + 1");
	mod.ev.path_len = UINT32_MAX;
	assert_refused(&f, &mod, sizeof(mod), "a path of 4 GiB");
	/* the allocator: classes past the record, more than the most */
	assert_refused(&f, &al, sizeof(al.ev) + sizeof(al.classes[0]),
	    "2 classes in room for 1");
	al.ev.nclasses = MS_FREE_CLASSES_MAX + 1;
	assert_refused(&f, &al, sizeof(al), "MS_FREE_CLASSES_MAX + 1 classes");
	al.ev.nclasses = UINT32_MAX;
	assert_refused(&f, &al, sizeof(al), "2^32 - 1 classes");
	model_session_free(&f.s);
}

/* Fields no shim sends: a signal out of range, a block at address 0 (the
 * shim records no NULL), a realloc status or an operation it does not
 * have. */
static void
test_bad_fields(void **state)
{
	struct fixture f;
	struct ms_ev_exit ex = { .hdr.type = MS_EV_EXIT, .status = 0, .tid = 1 };
	struct ms_ev_alloc a = ev_alloc(1, 0, 16, 0x55, MS_FN_MALLOC, 0, 10);
	struct ms_ev_free fr = ev_free(1, 0, 20);
	struct ms_ev_realloc re = ev_realloc(1, 0, MS_REALLOC_MOVED, 30);
	struct ms_ev_realloc_done done = ev_realloc_done(1, 0, 16, 0x55, 0, 0);
	struct ms_ev_realloc status = ev_realloc(1, 0x1000, 0, 30);
	struct ms_ev_thread th = { .hdr.type = MS_EV_THREAD, .tid = 2, .op = 3,
	    .sp = 0x7f0000001000 };
	struct module_rec mod;

	(void)state;
	busy_setup(&f);
	ex.signal = 128;
	assert_refused(&f, &ex, sizeof(ex), "signal 128");
	ex.signal = -1;
	assert_refused(&f, &ex, sizeof(ex), "signal -1");
	assert_refused(&f, &a, sizeof(a), "an allocation at 0");
	assert_refused(&f, &fr, sizeof(fr), "a free of 0");
	assert_refused(&f, &re, sizeof(re), "a realloc of 0");
	re.status = MS_REALLOC_FAILED;
	assert_refused(&f, &re, sizeof(re), "a failed realloc of 0");
	assert_refused(&f, &done, sizeof(done), "a realloc's block at 0");
	assert_refused(&f, &status, sizeof(status), "realloc status 0");
	status.status = MS_REALLOC_MOVED + 1;
	assert_refused(&f, &status, sizeof(status), "realloc status 4");
	assert_refused(&f, &th, sizeof(th), "thread operation 3");
	module_rec(&mod, 3, "/usr/lib/libz.so.1");
	assert_refused(&f, &mod, module_len(&mod), "module operation 3");
	/* and the process goes on as it was */
	assert_int_equal(f.p->heap.sum.events, 4);
	assert_int_equal(f.p->heap.sum.live_blocks, 1);
	assert_int_equal(f.p->heap.sum.live_bytes, 100);
	assert_false(f.p->exited);
	model_session_free(&f.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_frees),
		cmocka_unit_test(test_reallocs),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_allocator),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_short_and_unknown),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_bad_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: ISC */
/*
 * The heap of one process as its events tell it: live blocks, counters,
 * peak, and per allocation site (stack id) figures. At most 86 bytes per
 * live block: a 32-byte slot in a table kept between 3/8 and 3/4 full.
 */
#ifndef MEMSCOPE_MODEL_HEAP_H
#define MEMSCOPE_MODEL_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


struct heap_block {
	uint64_t	 addr;		/* 0: empty slot */
	uint64_t	 size : 42;	/* requested bytes, HEAP_SIZE_MAX at most */
	uint64_t	 spare : 21;	/* usable beyond size, HEAP_SPARE_MAX at most */
	uint64_t	 mmapped : 1;	/* served by a mapping of its own */
	uint64_t	 stack;
	uint64_t	 born;		/* its event's time (wire/event-clock.h), 0: unknown */
};

/* The call that allocated a block (the shim's numbering: source-events.c). */
enum heap_alloc_fn {
	HEAP_FN_UNKNOWN = 0,
	HEAP_FN_MALLOC,
	HEAP_FN_CALLOC,
	HEAP_FN_REALLOC,
	HEAP_FN_REALLOCARRAY,
	HEAP_FN_MEMALIGN,
	HEAP_FN_POSIX_MEMALIGN,
	HEAP_FN_ALIGNED_ALLOC,
	HEAP_FN_VALLOC,
	HEAP_FN_PVALLOC,
};

/* A new block, as its event (alloc, or realloc's new block) tells it. */
struct heap_new_block {
	uint64_t	 addr;
	uint64_t	 size;
	uint64_t	 stack;
	uint64_t	 time;
	uint32_t	 spare;		/* usable bytes past size, if known */
	bool		 spare_known;
	bool		 mmapped;	/* served by a mapping of its own */
	uint8_t		 fn;		/* enum heap_alloc_fn */
};

/*
 * Lifetimes, from allocation to free (or to the realloc that took the
 * block), in decades: under 1 us, 1-10 us, ... 1-10 s, 10 s-1 min, over
 * 1 min. heap_lifetime_max_ns[i] bounds bucket i; the last has no bound.
 */
#define HEAP_LIFETIMES	10
extern const uint64_t heap_lifetime_max_ns[HEAP_LIFETIMES - 1];
/* "< 1 us", "1-10 us", ... for the views */
extern const char *const heap_lifetime_names[HEAP_LIFETIMES];

/* Free chunk classes of an allocator report kept (as many as the shim sends). */
#define HEAP_FREE_CLASSES_MAX	96

#define HEAP_SPARE_MAX	((1u << 21) - 1)
/* The most bytes a block counts (4 TiB less 2: one more marks an inherited
 * block its fork child freed); a larger one counts as this many. */
#define HEAP_SIZE_MAX	(((uint64_t)1 << 42) - 2)

/*
 * Size bins by requested size: 8-byte steps to 128 bytes, 16-byte steps
 * to 1 KiB, then powers of two; and one for the blocks the allocator
 * served with a mapping of their own, whatever their size.
 */
#define HEAP_NBINS	127
#define HEAP_BIN_MMAP	(HEAP_NBINS - 1)

struct heap_bin {
	uint64_t	 allocations;	/* blocks that came into it */
	uint64_t	 frees;		/* blocks that left it (free, or realloc) */
	uint64_t	 live_blocks;
	uint64_t	 live_bytes;	/* requested */
	uint64_t	 usable_bytes;	/* malloc_usable_size of the live blocks */
	/* at the heap's peak: see model_heap_bin_at_peak() */
	uint64_t	 peak_epoch;
	uint64_t	 peak_blocks;
	uint64_t	 peak_bytes;
};

struct heap_site {
	uint64_t	 stack;		/* 0: empty slot, or "no stack" site id 1 */
	uint64_t	 allocations;	/* calls: allocations and reallocs */
	uint64_t	 bytes_allocated;
	uint64_t	 live_blocks;
	uint64_t	 live_bytes;
	uint32_t	 fn;		/* the call that allocates (enum heap_alloc_fn) */
	uint64_t	 temporaries;	/* see heap_summary */
	/* its figures at the heap's peak: see model_heap_site_at_peak() */
	uint64_t	 peak_epoch;
	uint64_t	 peak_bytes;
	uint64_t	 peak_blocks;
	/* its blocks that ended, by lifetime (HEAP_LIFETIMES) */
	uint64_t	 lifetimes[HEAP_LIFETIMES];
};

/* The figures of memscope-json(5)'s "summary". */
struct heap_summary {
	uint64_t	 allocations;
	uint64_t	 frees;
	uint64_t	 reallocs;
	uint64_t	 bytes_allocated;
	uint64_t	 live_bytes;
	uint64_t	 live_blocks;
	uint64_t	 peak_live_bytes;
	uint64_t	 peak_live_blocks;
	uint64_t	 mmaps;
	uint64_t	 munmaps;
	uint64_t	 events;
	uint64_t	 ring_waits;
	/* events the shim counted but could not record (see producer.c) */
	uint64_t	 dropped;
	uint64_t	 anomalies;
	/* frees, by a fork child, of blocks its parent allocated before fork */
	uint64_t	 inherited_frees;
	/* attached: frees (and reallocs) of blocks from before the attach */
	uint64_t	 frees_before_attach;
	/*
	 * Blocks freed with no other allocation in between on their thread
	 * (heaptrack's temporary allocations): allocated for nothing lasting.
	 */
	uint64_t	 temporaries;
};

/* The live heap at a point of the run, its time in bytes allocated and freed. */
struct heap_sample {
	uint64_t	 time;
	uint64_t	 live_bytes;
};

/* At most this many samples: then every other one goes, twice as sparse. */
#define HEAP_SAMPLES_MAX	256

/* The live heap at a moment of the run (its growth over time). */
struct heap_tick {
	uint64_t	 ms;		/* since the run began */
	uint64_t	 live_bytes;
	uint64_t	 live_blocks;
	/* so far: the rate of allocation is their change between ticks */
	uint64_t	 bytes_allocated;
	uint64_t	 allocations;
};

/* At most this many ticks: then every other one goes. */
#define HEAP_TICKS_MAX		1000

/* Free chunks of a size class, as malloc_info lists them. */
struct heap_free_class {
	uint32_t	 from;
	uint32_t	 to;
	uint64_t	 count;
	uint64_t	 bytes;
};

/* The allocator's own figures, as its last sample gave them (glibc only). */
struct heap_allocator {
	uint64_t	 samples;	/* 0: none came (not glibc's malloc) */
	bool		 at_exit;	/* the last was taken as the process ended */
	uint64_t	 system_bytes;
	uint64_t	 in_use_bytes;
	uint64_t	 free_bytes;
	uint64_t	 top_bytes;
	uint64_t	 mmapped_bytes;
	uint64_t	 mmapped_blocks;
	uint64_t	 free_chunks;
	uint64_t	 fastbin_free_bytes;
	uint32_t	 arenas;
	uint32_t	 nclasses;
	struct heap_free_class classes[HEAP_FREE_CLASSES_MAX];
};

struct heap_model {
	struct heap_summary sum;
	struct heap_block *blocks;
	size_t		 nblocks_slots;	/* a power of two */
	struct heap_site *sites;
	size_t		 nsites_slots;
	size_t		 nsites;
	/* a fork child: it may free what it did not allocate */
	bool		 inherits;
	/* joined by memscope attach: so may it */
	bool		 attached;
	uint64_t	 peak_epoch;	/* how many times the peak rose */
	uint64_t	 peak_event;	/* the event that made the last peak */
	/*
	 * Time as massif counts it with --time-unit=B: bytes allocated and
	 * freed so far; the live heap sampled along it, and at the peak.
	 */
	uint64_t	 time_bytes;
	uint64_t	 peak_time;
	uint64_t	 peak_blocks_then; /* live blocks at that peak */
	struct heap_sample *samples;
	size_t		 nsamples;
	uint64_t	 sample_every;
	uint64_t	 next_sample;
	struct heap_bin	 bins[HEAP_NBINS];
	struct heap_tick *ticks;
	size_t		 nticks;
	uint64_t	 tick_every_ms;	/* ticks closer than this are skipped */
	uint64_t	 last_tick_ms;	/* the clock as last told */
	uint64_t	 peak_ms;	/* the peak came after this tick */
	struct heap_allocator allocator;
	/*
	 * Lifetimes of the blocks that ended, the bounds in ticks of the
	 * events' clock: all 0 when the run did not time its events.
	 */
	/* a block came whose usable size the shim did not read: the bins'
	 * usable and waste bytes are unknown */
	bool		 usable_unknown;
	uint64_t	 lifetime_max_ticks[HEAP_LIFETIMES - 1];
	uint64_t	 lifetimes[HEAP_LIFETIMES];
	/* per thread (the shim's number): its last allocation's address */
	uint64_t	*last_alloc;
	size_t		 nlast_alloc;
	/*
	 * The blocks a fork child got from its parent, sorted by address
	 * (size UINT64_MAX once freed): live in the child, but not its own
	 * in the summary or the sites.
	 */
	struct heap_block *inherited;
	size_t		 ninherited;
};

void	model_heap_init(struct heap_model *h);
void	model_heap_free(struct heap_model *h);

/* The rate of the events' clock (0: unknown, no lifetimes). */
void	model_heap_set_clock(struct heap_model *h, double ns_per_tick);
/* Did the shim measure beyond the calls (not --no-heap-stats)? Known by
 * the events' clock, which such a run has not. */
static inline bool
model_heap_stats_measured(const struct heap_model *h)
{
	return h->lifetime_max_ticks[0] != 0;
}

/* A block was allocated (malloc family). */
void	model_heap_alloc(struct heap_model *h, uint16_t thread,
	    const struct heap_new_block *nb);
/* A block was freed at time. */
void	model_heap_release(struct heap_model *h, uint16_t thread, uint64_t addr,
	    uint64_t time);
/* realloc gave p's bytes back (moved or resized): a realloc, not a free. */
void	model_heap_realloc_release(struct heap_model *h, uint16_t thread,
	    uint64_t addr, uint64_t time);
/* The new block of that realloc. */
void	model_heap_realloc_done(struct heap_model *h, uint16_t thread,
	    const struct heap_new_block *nb);

/* A fork child's inheritance: n blocks sorted by address (copied). */
void	model_heap_inherit(struct heap_model *h, const struct heap_block *v,
	    size_t n);
/* Every live block, inherited ones too, sorted by address (a new array). */
size_t	model_heap_live_sorted(const struct heap_model *h, struct heap_block **out);

/*
 * A tick of the clock ms after the run began: the live heap joins the
 * growth series (at most HEAP_TICKS_MAX ticks, thinned by halves). The
 * end of the process (end) is always there, as the last tick.
 */
void	model_heap_tick(struct heap_model *h, uint64_t ms, bool end);

/* What site held when the live heap was at its peak. */
void	model_heap_site_at_peak(const struct heap_model *h,
	    const struct heap_site *site, uint64_t *bytes, uint64_t *blocks);

/* The sizes bin b holds, from min to max (max UINT64_MAX: no bound). */
void	model_heap_bin_range(size_t b, uint64_t *min, uint64_t *max);
/* What bin b held when the live heap was at its peak. */
void	model_heap_bin_at_peak(const struct heap_model *h, size_t b,
	    uint64_t *bytes, uint64_t *blocks);

/* The site of stack, or NULL. */
const struct heap_site *model_heap_site(const struct heap_model *h,
	    uint64_t stack);

/* Sites sorted by cmp into a new array of at most n (n = 0: all). */
size_t	model_heap_top_sites(const struct heap_model *h,
	    int (*cmp)(const void *, const void *), size_t n,
	    struct heap_site **out);
int	model_heap_site_by_live(const void *a, const void *b);
int	model_heap_site_by_allocated(const void *a, const void *b);

/* The orders of --sort: live bytes, bytes allocated, allocations, bytes at
 * the peak, temporary allocations. */
enum heap_site_order {
	SITES_BY_LIVE,
	SITES_BY_ALLOCATED,
	SITES_BY_ALLOCATIONS,
	SITES_BY_PEAK,
	SITES_BY_TEMPORARY,
};
extern const char *const heap_site_order_names[];	/* NULL-terminated */
int	(*model_heap_site_order(enum heap_site_order order))(const void *,
	    const void *);

#endif

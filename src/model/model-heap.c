/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model-heap.h"
#include "xmalloc.h"

const uint64_t heap_lifetime_max_ns[HEAP_LIFETIMES - 1] = {
	1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 60000000000,
};

const char *const heap_lifetime_names[HEAP_LIFETIMES] = {
	"< 1 us", "1-10 us", "10-100 us", "0.1-1 ms", "1-10 ms", "10-100 ms",
	"0.1-1 s", "1-10 s", "10 s-1 min", ">= 1 min",
};

/* an inherited block the child has freed */
#define INHERITED_GONE	(HEAP_SIZE_MAX + 1)	/* no block is this large */

/* Fibonacci hashing of an address or id into a power-of-two table. */
static size_t
slot_of(uint64_t key, size_t nslots)
{
	return (size_t)((key >> 4) * 0x9e3779b97f4a7c15ULL >> 20) & (nslots - 1);
}

void
model_heap_init(struct heap_model *h)
{
	memset(h, 0, sizeof(*h));
	h->nblocks_slots = 1024;
	h->blocks = xcalloc(h->nblocks_slots, sizeof(*h->blocks));
	h->nsites_slots = 256;
	h->sites = xcalloc(h->nsites_slots, sizeof(*h->sites));
}

void
model_heap_free(struct heap_model *h)
{
	free(h->blocks);
	free(h->sites);
	free(h->inherited);
	free(h->samples);
	free(h->ticks);
	free(h->last_alloc);
	memset(h, 0, sizeof(*h));
}

static struct heap_block *
block_find(const struct heap_model *h, uint64_t addr)
{
	size_t i = slot_of(addr, h->nblocks_slots);

	for (;; i = (i + 1) & (h->nblocks_slots - 1)) {
		if (h->blocks[i].addr == addr)
			return &h->blocks[i];
		if (h->blocks[i].addr == 0)
			return NULL;
	}
}

static void
block_put(struct heap_block *slots, size_t nslots, const struct heap_block *b)
{
	size_t i = slot_of(b->addr, nslots);

	while (slots[i].addr != 0)
		i = (i + 1) & (nslots - 1);
	slots[i] = *b;
}

static void
blocks_grow(struct heap_model *h)
{
	size_t n = h->nblocks_slots * 2;
	struct heap_block *slots = xcalloc(n, sizeof(*slots));

	for (size_t i = 0; i < h->nblocks_slots; i++)
		if (h->blocks[i].addr != 0)
			block_put(slots, n, &h->blocks[i]);
	free(h->blocks);
	h->blocks = slots;
	h->nblocks_slots = n;
}

/*
 * Remove the slot b by shifting later members of its probe run back into
 * the hole (no tombstones: the table stays as fast after a million frees).
 */
static void
block_remove(struct heap_model *h, struct heap_block *b)
{
	size_t mask = h->nblocks_slots - 1, hole = (size_t)(b - h->blocks);
	size_t i = hole;

	for (;;) {
		i = (i + 1) & mask;
		if (h->blocks[i].addr == 0)
			break;
		size_t home = slot_of(h->blocks[i].addr, h->nblocks_slots);

		/* can the member at i move to the hole? (its home not in (hole, i]) */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			h->blocks[hole] = h->blocks[i];
			hole = i;
		}
	}
	h->blocks[hole].addr = 0;
}

static struct heap_site *
site_get(struct heap_model *h, uint64_t stack)
{
	uint64_t key = stack != 0 ? stack : 1;	/* "no stack" is a site too */
	size_t i;

	if (2 * (h->nsites + 1) > h->nsites_slots) {
		size_t n = h->nsites_slots * 2;
		struct heap_site *slots = xcalloc(n, sizeof(*slots));

		for (size_t k = 0; k < h->nsites_slots; k++) {
			if (h->sites[k].stack == 0)
				continue;
			i = slot_of(h->sites[k].stack, n);
			while (slots[i].stack != 0)
				i = (i + 1) & (n - 1);
			slots[i] = h->sites[k];
		}
		free(h->sites);
		h->sites = slots;
		h->nsites_slots = n;
	}
	for (i = slot_of(key, h->nsites_slots);; i = (i + 1) & (h->nsites_slots - 1)) {
		if (h->sites[i].stack == key)
			return &h->sites[i];
		if (h->sites[i].stack == 0)
			break;
	}
	h->sites[i].stack = key;
	h->nsites++;
	return &h->sites[i];
}

void
model_heap_inherit(struct heap_model *h, const struct heap_block *v, size_t n)
{
	free(h->inherited);
	h->inherited = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	memcpy(h->inherited, v, n * sizeof(*v));
	h->ninherited = n;
}

/*
 * Sort by address with a radix sort of the 48 bits user addresses have
 * (16 at a time): a million blocks in a few milliseconds, where qsort
 * took a tenth of a second of the time the process is held.
 */
static void
sort_by_addr(struct heap_block *v, size_t n)
{
	struct heap_block *tmp = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	size_t *count = xcalloc(1u << 16, sizeof(*count));
	uint64_t all = 0;

	for (size_t i = 0; i < n; i++)
		all |= v[i].addr;
	for (unsigned shift = 0; shift < 64 && (all >> shift) != 0; shift += 16) {
		size_t sum = 0;

		memset(count, 0, (1u << 16) * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(v[i].addr >> shift) & 0xffff]++;
		for (size_t d = 0; d < (1u << 16); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(v[i].addr >> shift) & 0xffff]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
	}
	free(count);
	free(tmp);
}

size_t
model_heap_live_sorted(const struct heap_model *h, struct heap_block **out)
{
	struct heap_block *v = xreallocarray(NULL, h->sum.live_blocks +
	    h->ninherited + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < h->nblocks_slots; i++)
		if (h->blocks[i].addr != 0 && n < h->sum.live_blocks)
			v[n++] = h->blocks[i];
	for (size_t i = 0; i < h->ninherited; i++)
		/* an address the child reused is its own block now */
		if (h->inherited[i].size != INHERITED_GONE &&
		    block_find(h, h->inherited[i].addr) == NULL)
			v[n++] = h->inherited[i];
	sort_by_addr(v, n);
	*out = v;
	return n;
}

const struct heap_site *
model_heap_site(const struct heap_model *h, uint64_t stack)
{
	uint64_t key = stack != 0 ? stack : 1;

	if (h->nsites_slots == 0)
		return NULL;
	for (size_t i = slot_of(key, h->nsites_slots);;
	    i = (i + 1) & (h->nsites_slots - 1)) {
		if (h->sites[i].stack == key)
			return &h->sites[i];
		if (h->sites[i].stack == 0)
			return NULL;
	}
}

/* Forget the inherited block at addr, if there is one. */
static void
drop_inherited(struct heap_model *h, uint64_t addr)
{
	size_t lo = 0, hi = h->ninherited;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->inherited[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->ninherited && h->inherited[lo].addr == addr)
		h->inherited[lo].size = INHERITED_GONE;
}

/*
 * The sites' figures at the peak, kept lazily: a site's figures now are
 * its figures at the last peak unless it changed since, so they are saved
 * just before its first change after a peak. O(1) per event.
 */
/* Time moves by bytes; take a sample of the live heap when it is due. */
static void
advance(struct heap_model *h, uint64_t bytes)
{
	h->time_bytes += bytes;
	if (h->time_bytes < h->next_sample)
		return;
	if (h->samples == NULL) {
		h->samples = xreallocarray(NULL, HEAP_SAMPLES_MAX, sizeof(*h->samples));
		h->sample_every = 4096;
	}
	if (h->nsamples == HEAP_SAMPLES_MAX) {
		for (size_t i = 0; i < HEAP_SAMPLES_MAX / 2; i++)
			h->samples[i] = h->samples[2 * i + 1];
		h->nsamples = HEAP_SAMPLES_MAX / 2;
		h->sample_every *= 2;
	}
	h->samples[h->nsamples++] = (struct heap_sample){ h->time_bytes,
	    h->sum.live_bytes };
	h->next_sample = h->time_bytes + h->sample_every;
}

void
model_heap_tick(struct heap_model *h, uint64_t ms, bool end)
{
	uint64_t spacing;

	h->last_tick_ms = ms;
	if (h->nticks > 0 && (ms <= h->ticks[h->nticks - 1].ms ||
	    (end && ms < h->ticks[h->nticks - 1].ms + h->tick_every_ms))) {
		/* the same moment again, or the end too soon after the last
		 * tick kept: the last tick takes these figures */
		h->ticks[h->nticks - 1].ms = ms > h->ticks[h->nticks - 1].ms ?
		    ms : h->ticks[h->nticks - 1].ms;
		h->ticks[h->nticks - 1].live_bytes = h->sum.live_bytes;
		h->ticks[h->nticks - 1].live_blocks = h->sum.live_blocks;
		h->ticks[h->nticks - 1].bytes_allocated = h->sum.bytes_allocated;
		h->ticks[h->nticks - 1].allocations = h->sum.allocations;
		return;
	}
	if (h->nticks > 0 && ms < h->ticks[h->nticks - 1].ms + h->tick_every_ms)
		return;
	if (h->ticks == NULL)
		h->ticks = xreallocarray(NULL, HEAP_TICKS_MAX, sizeof(*h->ticks));
	if (h->nticks == HEAP_TICKS_MAX) {
		for (size_t i = 0; i < HEAP_TICKS_MAX / 2; i++)
			h->ticks[i] = h->ticks[2 * i];
		h->nticks = HEAP_TICKS_MAX / 2;
		/* from now on as far apart as the ticks kept */
		spacing = h->ticks[1].ms - h->ticks[0].ms;
		h->tick_every_ms = spacing > 2 * h->tick_every_ms ? spacing :
		    2 * h->tick_every_ms;
	}
	h->ticks[h->nticks++] = (struct heap_tick){ ms, h->sum.live_bytes,
	    h->sum.live_blocks, h->sum.bytes_allocated, h->sum.allocations };
}

static void
peak_sync(struct heap_model *h, struct heap_site *site)
{
	if (site->peak_epoch == h->peak_epoch)
		return;
	site->peak_epoch = h->peak_epoch;
	site->peak_bytes = site->live_bytes;
	site->peak_blocks = site->live_blocks;
}

void
model_heap_site_at_peak(const struct heap_model *h, const struct heap_site *site,
    uint64_t *bytes, uint64_t *blocks)
{
	bool saved = site->peak_epoch == h->peak_epoch;

	*bytes = saved ? site->peak_bytes : site->live_bytes;
	*blocks = saved ? site->peak_blocks : site->live_blocks;
}

/* The bin of a block: see HEAP_NBINS. */
static size_t
bin_of(const struct heap_block *b)
{
	uint64_t n = b->size;
	size_t log2;

	if (b->mmapped)
		return HEAP_BIN_MMAP;
	if (n <= 128)
		return n == 0 ? 0 : (size_t)(n - 1) / 8;
	if (n <= 1024)
		return 16 + (size_t)(n - 129) / 16;
	/* the power of two at or above n: one instruction, not a loop */
	log2 = 64 - (size_t)__builtin_clzll(n - 1);
	return 72 + (log2 - 11);	/* (1024, 2048] is bin 72 */
}

void
model_heap_bin_range(size_t b, uint64_t *min, uint64_t *max)
{
	if (b == HEAP_BIN_MMAP) {
		*min = 0;
		*max = UINT64_MAX;
	} else if (b < 16) {
		*min = b == 0 ? 0 : 8 * b + 1;
		*max = 8 * (b + 1);
	} else if (b < 72) {
		*min = 129 + 16 * (b - 16);
		*max = 128 + 16 * (b - 15);
	} else {
		*min = ((uint64_t)1 << (b - 72 + 10)) + 1;
		*max = b - 72 + 11 < 64 ? (uint64_t)1 << (b - 72 + 11) : UINT64_MAX;
	}
}

/* As peak_sync, for a bin. */
static void
bin_sync(struct heap_model *h, struct heap_bin *bin)
{
	if (bin->peak_epoch == h->peak_epoch)
		return;
	bin->peak_epoch = h->peak_epoch;
	bin->peak_bytes = bin->live_bytes;
	bin->peak_blocks = bin->live_blocks;
}

void
model_heap_bin_at_peak(const struct heap_model *h, size_t b, uint64_t *bytes,
    uint64_t *blocks)
{
	const struct heap_bin *bin = &h->bins[b];
	bool saved = bin->peak_epoch == h->peak_epoch;

	*bytes = saved ? bin->peak_bytes : bin->live_bytes;
	*blocks = saved ? bin->peak_blocks : bin->live_blocks;
}

void
model_heap_set_clock(struct heap_model *h, double ns_per_tick)
{
	for (size_t i = 0; i < HEAP_LIFETIMES - 1; i++)
		h->lifetime_max_ticks[i] = ns_per_tick > 0 ?
		    (uint64_t)((double)heap_lifetime_max_ns[i] / ns_per_tick) : 0;
}

/* A block of site ends at time: count its lifetime. */
static void
count_lifetime(struct heap_model *h, struct heap_site *site,
    const struct heap_block *b, uint64_t time)
{
	uint64_t life;
	size_t i = 0;

	if (b->born == 0 || time == 0 || h->lifetime_max_ticks[0] == 0)
		return;
	/* threads on different CPUs: a free may seem a little early */
	life = time > b->born ? time - b->born : 0;
	while (i < HEAP_LIFETIMES - 1 && life >= h->lifetime_max_ticks[i])
		i++;
	h->lifetimes[i]++;
	site->lifetimes[i]++;
}

/* Take the block at addr out of the live set at time; false if there is none. */
static bool
drop_live(struct heap_model *h, uint64_t addr, uint64_t time)
{
	struct heap_block *b = block_find(h, addr);
	struct heap_site *site;
	struct heap_bin *bin;

	if (b == NULL) {
		if (h->inherits) {
			h->sum.inherited_frees++;
			drop_inherited(h, addr);
		} else if (h->attached)
			h->sum.frees_before_attach++;
		else
			h->sum.anomalies++;	/* freed but never allocated */
		return false;
	}
	site = site_get(h, b->stack);
	peak_sync(h, site);
	count_lifetime(h, site, b, time);
	bin = &h->bins[bin_of(b)];
	bin_sync(h, bin);
	bin->frees++;
	bin->live_blocks--;
	bin->live_bytes -= b->size;
	bin->usable_bytes -= b->size + b->spare;
	site->live_blocks--;
	site->live_bytes -= b->size;
	h->sum.live_blocks--;
	h->sum.live_bytes -= b->size;
	advance(h, b->size);
	block_remove(h, b);
	return true;
}

static void
add_live(struct heap_model *h, const struct heap_new_block *nb)
{
	struct heap_block b = { .addr = nb->addr,
	    .size = nb->size < HEAP_SIZE_MAX ? nb->size : HEAP_SIZE_MAX,
	    .stack = nb->stack, .born = nb->time,
	    .spare = !nb->spare_known ? 0 :
	    nb->spare < HEAP_SPARE_MAX ? nb->spare : HEAP_SPARE_MAX,
	    .mmapped = nb->mmapped };
	/* what the block keeps: its free takes back as much as it added */
	uint64_t size = b.size;
	struct heap_site *site;
	struct heap_bin *bin;

	if (!nb->spare_known)
		h->usable_unknown = true;
	if (block_find(h, nb->addr) != NULL) {
		/* allocated while live: an event went missing or out of order */
		h->sum.anomalies++;
		drop_live(h, nb->addr, 0);
	}
	site = site_get(h, nb->stack);	/* after drop_live: it may grow the table */
	peak_sync(h, site);
	bin = &h->bins[bin_of(&b)];
	bin_sync(h, bin);
	bin->allocations++;
	bin->live_blocks++;
	bin->live_bytes += size;
	bin->usable_bytes += size + b.spare;
	/*
	 * At most 3/4 full, so at least 3/8 full after doubling: a 32-byte
	 * slot costs at most 86 bytes per live block.
	 */
	if (4 * (h->sum.live_blocks + 1) > 3 * h->nblocks_slots)
		blocks_grow(h);
	block_put(h->blocks, h->nblocks_slots, &b);
	h->sum.live_blocks++;
	h->sum.live_bytes += size;
	site->live_blocks++;
	site->live_bytes += size;
	advance(h, size);
	if (h->sum.live_bytes > h->sum.peak_live_bytes) {
		/* a new peak: every site's figures now are its figures at the peak */
		h->sum.peak_live_bytes = h->sum.live_bytes;
		h->peak_epoch++;
		h->peak_event = h->sum.events;
		h->peak_time = h->time_bytes;
		h->peak_ms = h->last_tick_ms;
		h->peak_blocks_then = h->sum.live_blocks;
		peak_sync(h, site);
		bin_sync(h, bin);
	}
	if (h->sum.live_blocks > h->sum.peak_live_blocks)
		h->sum.peak_live_blocks = h->sum.live_blocks;
}

/* The slot of thread's last allocation. */
static uint64_t *
last_alloc(struct heap_model *h, uint16_t thread)
{
	if (thread >= h->nlast_alloc) {
		size_t n = (size_t)thread + 16;

		h->last_alloc = xreallocarray(h->last_alloc, n, sizeof(*h->last_alloc));
		memset(h->last_alloc + h->nlast_alloc, 0,
		    (n - h->nlast_alloc) * sizeof(*h->last_alloc));
		h->nlast_alloc = n;
	}
	return &h->last_alloc[thread];
}

/* A call of site made nb: its thread's last allocation now. */
static void
count_call(struct heap_model *h, uint16_t thread, const struct heap_new_block *nb)
{
	struct heap_site *site = site_get(h, nb->stack);

	*last_alloc(h, thread) = nb->addr;
	if (site->fn == HEAP_FN_UNKNOWN)
		site->fn = nb->fn;
	h->sum.bytes_allocated += nb->size;
	site->allocations++;
	site->bytes_allocated += nb->size;
}

void
model_heap_alloc(struct heap_model *h, uint16_t thread,
    const struct heap_new_block *nb)
{
	h->sum.allocations++;
	count_call(h, thread, nb);
	add_live(h, nb);
}

/*
 * A block goes (free, or a realloc that takes it): a temporary if it is
 * the last its thread allocated. As heaptrack counts, a realloc's old
 * block counts as freed.
 */
static void
note_temporary(struct heap_model *h, uint16_t thread, uint64_t addr)
{
	uint64_t *last = last_alloc(h, thread);
	const struct heap_block *b;

	/* frees in between do not matter: only allocations do */
	if (*last == addr && addr != 0 && (b = block_find(h, addr)) != NULL) {
		h->sum.temporaries++;
		site_get(h, b->stack)->temporaries++;
	}
	/* gone: a block another thread gets at addr later is not this one */
	if (*last == addr)
		*last = 0;
}

void
model_heap_release(struct heap_model *h, uint16_t thread, uint64_t addr,
    uint64_t time)
{
	note_temporary(h, thread, addr);
	if (drop_live(h, addr, time))
		h->sum.frees++;
}

void
model_heap_realloc_release(struct heap_model *h, uint16_t thread, uint64_t addr,
    uint64_t time)
{
	note_temporary(h, thread, addr);
	drop_live(h, addr, time);
	h->sum.reallocs++;
}

void
model_heap_realloc_done(struct heap_model *h, uint16_t thread,
    const struct heap_new_block *nb)
{
	/*
	 * realloc allocates: its block freed next is a temporary too; and
	 * for a site, a realloc that moved a block there is a call like any.
	 */
	count_call(h, thread, nb);
	add_live(h, nb);
}

static int
desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

int
model_heap_site_by_live(const void *a, const void *b)
{
	const struct heap_site *x = a, *y = b;
	int c = desc(x->live_bytes, y->live_bytes);

	if (c == 0)
		c = desc(x->bytes_allocated, y->bytes_allocated);
	return c != 0 ? c : desc(x->stack, y->stack);
}

int
model_heap_site_by_allocated(const void *a, const void *b)
{
	const struct heap_site *x = a, *y = b;
	int c = desc(x->bytes_allocated, y->bytes_allocated);

	if (c == 0)
		c = desc(x->allocations, y->allocations);
	return c != 0 ? c : desc(x->stack, y->stack);
}

static int
by_allocations(const void *a, const void *b)
{
	const struct heap_site *x = a, *y = b;
	int c = desc(x->allocations, y->allocations);

	return c != 0 ? c : model_heap_site_by_allocated(a, b);
}

/* On the sites model_heap_top_sites gives: their peak figures are set. */
static int
by_peak(const void *a, const void *b)
{
	const struct heap_site *x = a, *y = b;
	int c = desc(x->peak_bytes, y->peak_bytes);

	return c != 0 ? c : model_heap_site_by_allocated(a, b);
}

static int
by_temporary(const void *a, const void *b)
{
	const struct heap_site *x = a, *y = b;
	int c = desc(x->temporaries, y->temporaries);

	return c != 0 ? c : by_allocations(a, b);
}

const char *const heap_site_order_names[] = {
	"live", "allocated", "allocations", "peak", "temporary", NULL,
};

int
(*model_heap_site_order(enum heap_site_order order))(const void *, const void *)
{
	static int (*const cmp[])(const void *, const void *) = {
		model_heap_site_by_live, model_heap_site_by_allocated,
		by_allocations, by_peak, by_temporary,
	};

	return cmp[order];
}

/* Make a copy of a site carry its figures at the peak. */
static void
at_peak(const struct heap_model *h, struct heap_site *copy)
{
	model_heap_site_at_peak(h, copy, &copy->peak_bytes, &copy->peak_blocks);
	copy->peak_epoch = h->peak_epoch;
}

size_t
model_heap_top_sites(const struct heap_model *h,
    int (*cmp)(const void *, const void *), size_t n, struct heap_site **out)
{
	struct heap_site *v;
	size_t k = 0;

	/* a few of many: keep the best n in a heap whose root ranks last */
	if (n != 0 && 4 * n < h->nsites) {
		v = xcalloc(n, sizeof(*v));
		for (size_t i = 0; i < h->nsites_slots; i++) {
			struct heap_site cur = h->sites[i];
			const struct heap_site *x = &cur;
			size_t at;

			if (x->stack == 0)
				continue;
			at_peak(h, &cur);
			if (k < n) {
				/* sift up */
				for (at = k++; at > 0 && cmp(&v[(at - 1) / 2], x) < 0;
				    at = (at - 1) / 2)
					v[at] = v[(at - 1) / 2];
				v[at] = *x;
				continue;
			}
			if (cmp(x, &v[0]) >= 0)
				continue;
			/* sift down from the root */
			for (at = 0;;) {
				size_t c = 2 * at + 1;

				if (c >= n)
					break;
				if (c + 1 < n && cmp(&v[c + 1], &v[c]) > 0)
					c++;
				if (cmp(&v[c], x) <= 0)
					break;
				v[at] = v[c];
				at = c;
			}
			v[at] = *x;
		}
	} else {
		v = xcalloc(h->nsites ? h->nsites : 1, sizeof(*v));
		for (size_t i = 0; i < h->nsites_slots; i++)
			if (h->sites[i].stack != 0) {
				v[k] = h->sites[i];
				at_peak(h, &v[k++]);
			}
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp);
	if (n != 0 && k > n)
		k = n;
	*out = v;
	return k;
}

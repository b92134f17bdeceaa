/* SPDX-License-Identifier: ISC */
/*
 * The size bins of one process in the text report (--bins): per bin of
 * requested sizes, the blocks that came and went, what is live, and what
 * the allocator gave beyond the requests (the internal waste).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "view-run.h"

static void
range(char *out, size_t len, size_t b)
{
	uint64_t min, max;

	model_heap_bin_range(b, &min, &max);
	if (b == HEAP_BIN_MMAP)
		snprintf(out, len, "mmap'd");
	else if (max == UINT64_MAX)
		snprintf(out, len, "%" PRIu64 "+", min);
	else
		snprintf(out, len, "%" PRIu64 "-%" PRIu64, min, max);
}

/* The heap's resident bytes (brk heap and glibc arenas) in the layout at the end. */
static bool
heap_resident(const struct process *p, uint64_t *rss)
{
	*rss = 0;
	for (size_t i = 0; i < p->layout.nsegs; i++) {
		const struct segment *s = &p->layout.segs[i];

		if (s->kind == SEG_HEAP || (s->object != NULL &&
		    strcmp(s->object, "[malloc arena]") == 0))
			*rss += s->mem.rss;
	}
	return p->layout.nsegs > 0;
}

/* The three size classes of free chunks that keep the most. */
static void
print_classes(FILE *f, int pid, const struct heap_allocator *a)
{
	char a1[FMT_SIZE_LEN], a2[FMT_SIZE_LEN];
	bool shown[HEAP_FREE_CLASSES_MAX] = { false };

	for (int k = 0; k < 3; k++) {
		int best = -1;

		for (uint32_t i = 0; i < a->nclasses; i++)
			if (!shown[i] && (best < 0 ||
			    a->classes[i].bytes > a->classes[best].bytes))
				best = (int)i;
		if (best < 0)
			return;
		shown[best] = true;
		fprintf(f, "==%d==     %s bytes in %s free chunks of %u to %u bytes\n",
		    pid, fmt_count(a1, a->classes[best].bytes),
		    fmt_count(a2, a->classes[best].count), a->classes[best].from,
		    a->classes[best].to);
	}
}

/*
 * What the allocator holds against what the program uses: external
 * fragmentation, said plainly.
 */
static void
print_allocator(FILE *f, int pid, const struct process *p)
{
	const struct heap_allocator *a = &p->heap.allocator;
	char a1[FMT_SIZE_LEN], a2[FMT_SIZE_LEN], a3[FMT_SIZE_LEN], a4[FMT_SIZE_LEN];
	uint64_t rss;

	fprintf(f, "==%d==\n", pid);
	if (a->samples == 0 && !model_heap_stats_measured(&p->heap)) {
		fprintf(f, "==%d== ALLOCATOR: its own figures were not measured "
		    "(the run had --no-heap-stats)\n", pid);
		return;
	}
	if (a->samples == 0) {
		fprintf(f, "==%d== ALLOCATOR: its own figures are unavailable (only "
		    "glibc's malloc gives them)\n", pid);
		return;
	}
	fprintf(f, "==%d== ALLOCATOR (glibc malloc, %s)\n", pid, a->at_exit ?
	    "as the process ended" : "its last sample");
	fprintf(f, "==%d==   from the system: %s bytes in %u %s, %s of them in "
	    "%s blocks mapped on their own\n", pid, fmt_count(a1, a->system_bytes),
	    a->arenas, a->arenas == 1 ? "arena" : "arenas",
	    fmt_count(a2, a->mmapped_bytes), fmt_count(a3, a->mmapped_blocks));
	fprintf(f, "==%d==   in blocks: %s bytes, for %s bytes the program asked "
	    "for\n", pid, fmt_count(a1, a->in_use_bytes),
	    fmt_count(a2, p->heap.sum.live_bytes));
	fprintf(f, "==%d==   kept free: %s bytes (%s of what it holds) in %s "
	    "chunks\n", pid, fmt_count(a1, a->free_bytes),
	    fmt_percent(a2, a->free_bytes, a->system_bytes),
	    fmt_count(a3, a->free_chunks));
	print_classes(f, pid, a);
	fprintf(f, "==%d==   malloc_trim would give back at least the top "
	    "chunk, %s bytes, and at most the %s kept free\n", pid,
	    fmt_count(a1, a->top_bytes), fmt_count(a4, a->free_bytes));
	if (heap_resident(p, &rss))
		fprintf(f, "==%d==   resident heap: %s bytes for %s live bytes\n", pid,
		    fmt_count(a1, rss), fmt_count(a2, p->heap.sum.live_bytes));
}

void
view_text_bins(FILE *f, int pid, const struct process *p)
{
	const struct heap_model *h = &p->heap;
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN], d[FMT_SIZE_LEN];
	char e[FMT_SIZE_LEN], g[FMT_SIZE_LEN], pk[FMT_SIZE_LEN], pct[FMT_SIZE_LEN];
	char sizes[48];

	fprintf(f, "==%d==\n==%d== SIZE BINS (requested sizes; waste: usable "
	    "bytes beyond the requested ones)\n", pid, pid);
	fprintf(f, "==%d==   %-15s %11s %11s %11s %13s %13s %11s %6s %13s\n", pid,
	    "size", "allocs", "frees", "live", "live bytes", "usable", "waste",
	    "waste", "at the peak");
	for (size_t k = 0; k < HEAP_NBINS; k++) {
		const struct heap_bin *bin = &h->bins[k];
		uint64_t peak_bytes, peak_blocks, waste = bin->usable_bytes -
		    bin->live_bytes;

		if (bin->allocations == 0)
			continue;
		model_heap_bin_at_peak(h, k, &peak_bytes, &peak_blocks);
		range(sizes, sizeof(sizes), k);
		/* "?": the shim did not read the usable sizes (--no-heap-stats,
		 * or an allocator without malloc_usable_size) */
		fprintf(f, "==%d==   %-15s %11s %11s %11s %13s %13s %11s %6s %13s\n",
		    pid, sizes, fmt_count(a, bin->allocations),
		    fmt_count(b, bin->frees), fmt_count(c, bin->live_blocks),
		    fmt_count(d, bin->live_bytes),
		    h->usable_unknown ? "?" : fmt_count(e, bin->usable_bytes),
		    h->usable_unknown ? "?" : fmt_count(g, waste),
		    h->usable_unknown ? "?" :
		    fmt_percent(pct, waste, bin->usable_bytes),
		    fmt_count(pk, peak_bytes));
	}
	print_allocator(f, pid, p);
}

/*
 * The size bins of one process in the text report (--bins): per bin of
 * requested sizes, the blocks that came and went, what is live, and what
 * the allocator gave beyond the requests (the internal waste).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

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
		fprintf(f, "==%d==   %-15s %11s %11s %11s %13s %13s %11s %6s %13s\n",
		    pid, sizes, fmt_count(a, bin->allocations),
		    fmt_count(b, bin->frees), fmt_count(c, bin->live_blocks),
		    fmt_count(d, bin->live_bytes), fmt_count(e, bin->usable_bytes),
		    fmt_count(g, waste), fmt_percent(pct, waste, bin->usable_bytes),
		    fmt_count(pk, peak_bytes));
	}
}

/* SPDX-License-Identifier: ISC */
/*
 * How long blocks lived, in the text report (--lifetimes): the blocks
 * that ended (freed, or taken by realloc) per decade of lifetime, with a
 * bar; the top sites get the same figures in one line each.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "fmt.h"
#include "view-run.h"

#define BAR_WIDTH	30

void
view_text_lifetimes(FILE *f, int pid, const struct process *p)
{
	const struct heap_model *h = &p->heap;
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], bar[BAR_WIDTH + 1];
	uint64_t ended = 0, most = 0;

	fprintf(f, "==%d==\n", pid);
	if (!model_heap_stats_measured(h)) {
		fprintf(f, "==%d== LIFETIMES: not measured (the run had "
		    "--no-heap-stats)\n", pid);
		return;
	}
	for (size_t i = 0; i < HEAP_LIFETIMES; i++) {
		ended += h->lifetimes[i];
		most = h->lifetimes[i] > most ? h->lifetimes[i] : most;
	}
	fprintf(f, "==%d== LIFETIMES of the %s blocks freed or reallocated (%s "
	    "still live at exit)\n", pid, fmt_count(a, ended),
	    fmt_count(b, h->sum.live_blocks));
	for (size_t i = 0; i < HEAP_LIFETIMES; i++) {
		size_t w = most == 0 ? 0 : (size_t)((h->lifetimes[i] * BAR_WIDTH +
		    most - 1) / most);

		for (size_t k = 0; k < BAR_WIDTH; k++)
			bar[k] = k < w ? '#' : ' ';
		bar[w] = '\0';
		fprintf(f, "==%d==   %10s %13s %6s%s%s\n", pid,
		    heap_lifetime_names[i], fmt_count(a, h->lifetimes[i]),
		    fmt_percent(b, h->lifetimes[i], ended), w > 0 ? " " : "", bar);
	}
}

void
view_text_site_lifetimes(FILE *f, int pid, const struct process *p,
    const struct heap_site *site)
{
	char a[FMT_SIZE_LEN];
	bool first = true;

	if (!model_heap_stats_measured(&p->heap))
		return;
	fprintf(f, "==%d==     lifetimes:", pid);
	for (size_t i = 0; i < HEAP_LIFETIMES; i++) {
		if (site->lifetimes[i] == 0)
			continue;
		fprintf(f, "%s %s %s", first ? "" : ",", heap_lifetime_names[i],
		    fmt_count(a, site->lifetimes[i]));
		first = false;
	}
	fprintf(f, "%s\n", first ? " none ended" : "");
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "apportion.h"
#include "fmt.h"
#include "view-text.h"
#include "xmalloc.h"

/* Letter (upper case: resident part) and ANSI colour of each kind. */
static const struct kind_style {
	char		 letter;
	const char	*color;
} kind_styles[SEG_NKINDS] = {
	[SEG_TEXT] = { 'T', "31" },
	[SEG_RODATA] = { 'R', "35" },
	[SEG_DATA] = { 'D', "33" },
	[SEG_BSS] = { 'B', "93" },
	[SEG_HEAP] = { 'H', "32" },
	[SEG_STACK] = { 'S', "36" },
	[SEG_THREAD_STACK] = { 'P', "96" },
	[SEG_GUARD] = { '-', "90" },
	[SEG_ARGS_ENV] = { 'A', "34" },
	[SEG_VDSO] = { 'V', "95" },
	[SEG_ANON] = { 'N', "94" },
	[SEG_FILE] = { 'F', "37" },
	[SEG_SHM] = { 'M', "92" },
};

struct out {
	FILE		*f;
	const struct view_map_opts *opts;
	int		 num_width;	/* width of a figure column */
};

/* A figure as the options want it: "4.0K" or "4096". */
static const char *
figure(const struct out *o, char buf[FMT_SIZE_LEN], uint64_t v)
{
	if (o->opts->bytes) {
		snprintf(buf, FMT_SIZE_LEN, "%" PRIu64, v);
		return buf;
	}
	return fmt_size(buf, v);
}

static void
color_on(const struct out *o, enum seg_kind k)
{
	if (o->opts->color)
		fprintf(o->f, "\033[%sm", kind_styles[k].color);
}

static void
color_off(const struct out *o)
{
	if (o->opts->color)
		fputs("\033[0m", o->f);
}

static void
bold(const struct out *o, const char *s)
{
	if (o->opts->color)
		fprintf(o->f, "\033[1m%s\033[0m", s);
	else
		fputs(s, o->f);
}

/* The basename of a path; labels such as "[heap]" as they are. */
static const char *
short_object(const char *object)
{
	const char *slash;

	if (object[0] != '/' || (slash = strrchr(object, '/')) == NULL)
		return object;
	return slash + 1;
}

static void
print_header(const struct out *o, const struct process *p)
{
	char vsz[FMT_SIZE_LEN], rss[FMT_SIZE_LEN], pss[FMT_SIZE_LEN];
	char swap[FMT_SIZE_LEN], pct[FMT_SIZE_LEN];
	FILE *f = o->f;

	fprintf(f, "pid %d (%s)", (int)p->pid, p->comm);
	if (p->exe != NULL)
		fprintf(f, "  %s", p->exe);
	fprintf(f, "\nthreads %zu, stacks located %zu; uid %u; state %c\n",
	    p->nthreads, p->threads_located, p->uid, p->state);
	fprintf(f, "VSZ %s  RSS %s  PSS %s  Swap %s  resident %s of virtual\n\n",
	    figure(o, vsz, p->vsz), figure(o, rss, p->totals.rss),
	    figure(o, pss, p->totals.pss), figure(o, swap, p->totals.swap),
	    fmt_percent(pct, p->totals.rss, p->vsz));
}

static int
addr_width(const struct process *p)
{
	int w = 12;

	for (size_t i = 0; i < p->layout.nsegs; i++) {
		char tmp[24];
		int n = snprintf(tmp, sizeof(tmp), "%" PRIx64,
		    p->layout.segs[i].end);

		if (n > w)
			w = n;
	}
	return w;
}

static const struct layout *sort_layout;

/* Descending by key, ties broken by tie (the original order). */
static int
desc_then(uint64_t x, uint64_t y, int tie)
{
	if (x != y)
		return x < y ? 1 : -1;
	return tie;
}

static int
index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static int
seg_cmp_rss(const void *a, const void *b)
{
	const struct segment *x = &sort_layout->segs[*(const size_t *)a];
	const struct segment *y = &sort_layout->segs[*(const size_t *)b];

	return desc_then(x->mem.rss, y->mem.rss, index_cmp(a, b));
}

static int
seg_cmp_size(const void *a, const void *b)
{
	const struct segment *x = &sort_layout->segs[*(const size_t *)a];
	const struct segment *y = &sort_layout->segs[*(const size_t *)b];

	return desc_then(x->end - x->start, y->end - y->start, index_cmp(a, b));
}

static void
print_ranges(const struct out *o, const struct process *p)
{
	const struct layout *l = &p->layout;
	size_t *order = xcalloc(l->nsegs ? l->nsegs : 1, sizeof(*order));
	int aw = addr_width(p), nw = o->num_width;
	char h[128];

	for (size_t i = 0; i < l->nsegs; i++)
		order[i] = i;
	sort_layout = l;
	if (o->opts->sort == VIEW_MAP_SORT_RSS)
		qsort(order, l->nsegs, sizeof(*order), seg_cmp_rss);
	else if (o->opts->sort == VIEW_MAP_SORT_SIZE)
		qsort(order, l->nsegs, sizeof(*order), seg_cmp_size);

	snprintf(h, sizeof(h), "%-*s %-*s %-4s %*s %*s %*s %*s %*s  %-12s %s",
	    aw, "START", aw, "END", "PERM", nw, "SIZE", nw, "RSS", nw, "PSS",
	    nw, "DIRTY", nw, "SWAP", "KIND", "OBJECT");
	bold(o, h);
	fputc('\n', o->f);
	for (size_t i = 0; i < l->nsegs; i++) {
		const struct segment *s = &l->segs[order[i]];
		char sz[FMT_SIZE_LEN], rss[FMT_SIZE_LEN], pss[FMT_SIZE_LEN];
		char dirty[FMT_SIZE_LEN], swap[FMT_SIZE_LEN];

		fprintf(o->f, "%0*" PRIx64 " %0*" PRIx64 " %-4s %*s %*s %*s %*s %*s  ",
		    aw, s->start, aw, s->end, s->perms,
		    nw, figure(o, sz, s->end - s->start),
		    nw, figure(o, rss, s->mem.rss), nw, figure(o, pss, s->mem.pss),
		    nw, figure(o, dirty, s->mem.private_dirty + s->mem.shared_dirty),
		    nw, figure(o, swap, s->mem.swap));
		color_on(o, s->kind);
		fprintf(o->f, "%-12s", seg_kind_name(s->kind));
		color_off(o);
		fprintf(o->f, " %s", short_object(s->object));
		if (s->detail != NULL)
			fprintf(o->f, "  %s", s->detail);
		fputc('\n', o->f);
	}
	fputc('\n', o->f);
	free(order);
}

/* The figures of a summary row: size, rss, resident %, pss, dirty, swap. */
static void
print_figures(const struct out *o, uint64_t size, const struct mem_counts *m)
{
	char sz[FMT_SIZE_LEN], rss[FMT_SIZE_LEN], pct[FMT_SIZE_LEN];
	char pss[FMT_SIZE_LEN], dirty[FMT_SIZE_LEN], swap[FMT_SIZE_LEN];
	int nw = o->num_width;

	fprintf(o->f, "%*s %*s %5s %*s %*s %*s", nw, figure(o, sz, size),
	    nw, figure(o, rss, m->rss), fmt_percent(pct, m->rss, size),
	    nw, figure(o, pss, m->pss),
	    nw, figure(o, dirty, m->private_dirty + m->shared_dirty),
	    nw, figure(o, swap, m->swap));
}

static void
print_figures_head(const struct out *o, char *h, size_t len)
{
	int nw = o->num_width;

	snprintf(h, len, "%*s %*s %5s %*s %*s %*s", nw, "SIZE", nw, "RSS",
	    "RES%", nw, "PSS", nw, "DIRTY", nw, "SWAP");
}

/* A row of the kind summary: the kind, then its figures. */
static void
print_kind_row(const struct out *o, const char *label, int kind,
    uint64_t size, const struct mem_counts *m)
{
	fputs("  ", o->f);
	if (kind >= 0)
		color_on(o, kind);
	fprintf(o->f, "%-14s", label);
	if (kind >= 0)
		color_off(o);
	fputc(' ', o->f);
	print_figures(o, size, m);
	fputc('\n', o->f);
}

/* A row of the object summary: the figures, then the whole path. */
static void
print_object_row(const struct out *o, const char *object, uint64_t size,
    const struct mem_counts *m)
{
	fputs("  ", o->f);
	print_figures(o, size, m);
	fprintf(o->f, "  %s\n", object);
}

static const struct seg_totals *sort_kinds;

static int
kind_cmp_rss(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return desc_then(sort_kinds[x].mem.rss, sort_kinds[y].mem.rss, x - y);
}

static int
kind_cmp_size(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return desc_then(sort_kinds[x].size, sort_kinds[y].size, x - y);
}


static void
print_by_kind(const struct out *o, const struct process *p,
    const struct seg_totals by_kind[SEG_NKINDS])
{
	int order[SEG_NKINDS];
	char figs[128], h[160];

	for (int k = 0; k < SEG_NKINDS; k++)
		order[k] = k;
	sort_kinds = by_kind;
	if (o->opts->sort == VIEW_MAP_SORT_RSS)
		qsort(order, SEG_NKINDS, sizeof(order[0]), kind_cmp_rss);
	else if (o->opts->sort == VIEW_MAP_SORT_SIZE)
		qsort(order, SEG_NKINDS, sizeof(order[0]), kind_cmp_size);
	print_figures_head(o, figs, sizeof(figs));
	snprintf(h, sizeof(h), "%-16s %s", "BY KIND", figs);
	bold(o, h);
	fputc('\n', o->f);
	for (int i = 0; i < SEG_NKINDS; i++) {
		int k = order[i];

		if (by_kind[k].size == 0)
			continue;
		print_kind_row(o, seg_kind_name(k), k, by_kind[k].size,
		    &by_kind[k].mem);
	}
	print_kind_row(o, "total", -1, p->vsz, &p->totals);
	fputc('\n', o->f);
}

static const struct seg_object_totals *sort_objects;

static int
object_cmp_rss(const void *a, const void *b)
{
	const struct seg_object_totals *x = &sort_objects[*(const size_t *)a];
	const struct seg_object_totals *y = &sort_objects[*(const size_t *)b];

	return desc_then(x->mem.rss, y->mem.rss, index_cmp(a, b));
}

static int
object_cmp_size(const void *a, const void *b)
{
	const struct seg_object_totals *x = &sort_objects[*(const size_t *)a];
	const struct seg_object_totals *y = &sort_objects[*(const size_t *)b];

	return desc_then(x->size, y->size, index_cmp(a, b));
}

static void
print_by_object(const struct out *o, const struct process *p)
{
	struct seg_object_totals *objs;
	size_t n = model_segments_by_object(&p->layout, &objs), *order;
	char figs[128], h[160];

	order = xcalloc(n ? n : 1, sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_objects = objs;
	if (o->opts->sort == VIEW_MAP_SORT_RSS)
		qsort(order, n, sizeof(*order), object_cmp_rss);
	else if (o->opts->sort == VIEW_MAP_SORT_SIZE)
		qsort(order, n, sizeof(*order), object_cmp_size);
	print_figures_head(o, figs, sizeof(figs));
	snprintf(h, sizeof(h), "  %s  %s", figs, "BY OBJECT");
	bold(o, h);
	fputc('\n', o->f);
	for (size_t i = 0; i < n; i++)
		print_object_row(o, objs[order[i]].object, objs[order[i]].size,
		    &objs[order[i]].mem);
	print_object_row(o, "total", p->vsz, &p->totals);
	fputc('\n', o->f);
	free(order);
	free(objs);
}

/*
 * The address space as one line: each kind gets columns in proportion to
 * its virtual size (at least one), upper-case letters for the resident
 * share and lower-case for the rest.
 */
static void
print_bar(const struct out *o, const struct seg_totals by_kind[SEG_NKINDS])
{
	int width = o->opts->width - 2, cols[SEG_NKINDS];
	uint64_t total = 0, w[SEG_NKINDS];

	for (int k = 0; k < SEG_NKINDS; k++) {
		w[k] = by_kind[k].size;
		total += w[k];
	}
	if (width < 20)
		width = 20;
	if (total == 0)
		return;
	/* a column each, the rest by size (largest remainders) */
	apportion_cells(width, w, SEG_NKINDS, cols);

	bold(o, "ADDRESS SPACE");
	fputs(" (virtual size by kind; upper case = resident)\n[", o->f);
	for (int k = 0; k < SEG_NKINDS; k++) {
		const struct kind_style *ks = &kind_styles[k];
		int res;

		if (cols[k] == 0)
			continue;
		res = (int)((double)cols[k] * (double)by_kind[k].mem.rss /
		    (double)by_kind[k].size + 0.5);
		if (res == 0 && by_kind[k].mem.rss > 0)
			res = 1;
		if (res > cols[k])
			res = cols[k];
		color_on(o, k);
		for (int c = 0; c < cols[k]; c++) {
			int ch = (unsigned char)ks->letter;

			if (c >= res && ch >= 'A' && ch <= 'Z')
				ch = ch - 'A' + 'a';
			fputc(ch, o->f);
		}
		color_off(o);
	}
	fputs("]\n", o->f);
	for (int k = 0, col = 0; k < SEG_NKINDS; k++) {
		char sz[FMT_SIZE_LEN];
		char item[64];
		int n;

		if (by_kind[k].size == 0)
			continue;
		n = snprintf(item, sizeof(item), " %c %s %s", kind_styles[k].letter,
		    seg_kind_name(k), fmt_size(sz, by_kind[k].size));
		if (col > 0 && col + n > width + 2) {
			fputc('\n', o->f);
			col = 0;
		}
		color_on(o, k);
		fputs(item, o->f);
		color_off(o);
		col += n;
	}
	fputc('\n', o->f);
}

void
view_text_map(FILE *f, const struct process *p, const struct view_map_opts *opts)
{
	struct seg_totals by_kind[SEG_NKINDS];
	struct out o = { f, opts, opts->bytes ? 12 : 6 };

	model_segments_by_kind(&p->layout, by_kind);
	print_header(&o, p);
	switch (opts->by) {
	case VIEW_MAP_BY_RANGE:
		print_ranges(&o, p);
		print_by_kind(&o, p, by_kind);
		print_by_object(&o, p);
		break;
	case VIEW_MAP_BY_KIND:
		print_by_kind(&o, p, by_kind);
		break;
	case VIEW_MAP_BY_OBJECT:
		print_by_object(&o, p);
		break;
	}
	print_bar(&o, by_kind);
}

/* SPDX-License-Identifier: ISC */
/* The dashboard's views: each draws the body of the screen from the model. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion.h"
#include "fmt.h"
#include "tui-draw.h"
#include "xmalloc.h"

static const char kind_letters[TUI_NKINDS] = "TDBHSLAFO";
static const char *const kind_names[TUI_NKINDS] = {
	"text", "data", "bss", "heap", "stacks", "libs", "anon", "file", "other",
};

struct kind_totals {
	uint64_t	 size;
	uint64_t	 rss;
};

static bool
is_exe(const struct process *p, const char *object)
{
	for (size_t i = 0; i < p->nobjects; i++)
		if (p->objects[i].is_exe)
			return object != NULL && strcmp(p->objects[i].path, object) == 0;
	return false;
}

static enum tui_kind
kind_of(const struct process *p, const struct segment *s)
{
	/* an arena's reserved part as well as its used one */
	if (s->object != NULL && strcmp(s->object, "[malloc arena]") == 0)
		return TUI_KIND_HEAP;
	switch (s->kind) {
	case SEG_TEXT:
	case SEG_RODATA:
		return is_exe(p, s->object) ? TUI_KIND_TEXT : TUI_KIND_LIBS;
	case SEG_DATA:
		return is_exe(p, s->object) ? TUI_KIND_DATA : TUI_KIND_LIBS;
	case SEG_BSS:
		return is_exe(p, s->object) ? TUI_KIND_BSS : TUI_KIND_LIBS;
	case SEG_HEAP:
		return TUI_KIND_HEAP;
	case SEG_STACK:
	case SEG_THREAD_STACK:
		return TUI_KIND_STACKS;
	case SEG_ANON:
		return TUI_KIND_ANON;
	case SEG_FILE:
	case SEG_SHM:
		return TUI_KIND_FILE;
	default:
		return TUI_KIND_OTHER;
	}
}

static void
by_kind(const struct process *p, struct kind_totals out[TUI_NKINDS])
{
	memset(out, 0, TUI_NKINDS * sizeof(*out));
	for (size_t i = 0; i < p->layout.nsegs; i++) {
		const struct segment *s = &p->layout.segs[i];
		enum tui_kind k = kind_of(p, s);

		out[k].size += s->end - s->start;
		out[k].rss += s->mem.rss;
	}
}

static void
heading(int y, const char *text)
{
	attron(A_BOLD);
	tui_print(y, 0, "%s", text);
	attroff(A_BOLD);
}

/*
 * A bar of width cells, cut by kind in proportion to its size (or rss):
 * every kind that has any gets a cell, the rest go by the largest
 * remainders, so the bar is always full.
 */
static void
kind_bar(const struct tui *t, int y, int x, int width,
    const struct kind_totals *k, bool resident)
{
	uint64_t w[TUI_NKINDS];
	int cells[TUI_NKINDS], given;

	for (int i = 0; i < TUI_NKINDS; i++)
		w[i] = resident ? k[i].rss : k[i].size;
	/* more kinds than cells: no bar */
	if ((given = apportion_cells(width, w, TUI_NKINDS, cells)) > width) {
		memset(cells, 0, sizeof(cells));
		given = 0;
	}
	move(y, x);
	for (int i = 0; i < TUI_NKINDS; i++) {
		tui_kind_on(t, i);
		for (int c = 0; c < cells[i]; c++)
			addch((chtype)kind_letters[i]);
		tui_kind_off(t, i);
	}
	for (; given < width; given++)
		addch(' ');
}

/* "you are not under the shim" in the views that need it. */
static bool
needs_shim(const struct tui_frame *f, const struct tui_area *a)
{
	if (f->traced != NULL)
		return false;
	tui_print(a->top + 1, 2, "No heap figures: process %d is not under "
	    "memscope's shim.", (int)f->history->pid);
	tui_print(a->top + 2, 2, "Start it with `memscope run --tui -- PROGRAM` "
	    "to see its allocations.");
	return true;
}

static void
heap_lines(const struct tui *t, const struct tui_frame *f, int y, int width)
{
	const struct history *l = f->history;
	const struct heap_model *h = &f->traced->heap;
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN], d[FMT_SIZE_LEN];
	uint64_t max;

	tui_print(y, 0, "heap");
	tui_sparkline(t, y, 7, width - 40, &l->heap, &max);
	tui_print(y, width - 32, "%s live in %s blocks",
	    fmt_size(a, h->sum.live_bytes), fmt_count(b, h->sum.live_blocks));
	tui_print(y + 1, 0, "%s allocs/s  %s frees/s  %s/s allocated  peak %s",
	    fmt_count(a, (uint64_t)l->alloc_rate), fmt_count(b, (uint64_t)l->free_rate),
	    fmt_size(c, (uint64_t)l->byte_rate), fmt_size(d, h->sum.peak_live_bytes));
	if (h->allocator.samples > 0)
		tui_print(y + 2, 0, "malloc holds %s from the system, keeps %s free "
		    "(%s of it)", fmt_size(a, h->allocator.system_bytes),
		    fmt_size(b, h->allocator.free_bytes),
		    fmt_percent(c, h->allocator.free_bytes, h->allocator.system_bytes));
	else
		tui_print(y + 2, 0, "the allocator's own figures: none yet (glibc's "
		    "come at most each second, every 16,384 allocations)");
}

/* One row of the sites' table; the title when site is NULL. */
static void
site_row(const struct tui *t, const struct tui_frame *f, int y,
    const struct heap_site *site, bool selected)
{
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN], d[FMT_SIZE_LEN];
	char name[256], change[FMT_SIZE_LEN + 1];
	const struct history_site *ls;
	bool grows;

	if (site == NULL) {
		attron(A_BOLD);
		tui_print(y, 0, "%9s %9s %10s %9s %9s  %s", "LIVE", "BLOCKS",
		    "LAST MIN", "CALLS", "ALLOCATED", "SITE");
		attroff(A_BOLD);
		return;
	}
	ls = model_history_site(f->history, site->stack);
	grows = ls != NULL && model_history_site_only_grows(ls, 10);
	change[0] = '\0';
	if (ls != NULL && ls->n > 1) {
		uint64_t then = model_history_site_oldest(ls);

		snprintf(change, sizeof(change), "%c%s", site->live_bytes >= then ?
		    '+' : '-', fmt_size(c, site->live_bytes >= then ?
		    site->live_bytes - then : then - site->live_bytes));
	}
	tui_site_name(f->session, f->traced, site->stack, name, sizeof(name));
	if (selected)
		attron(A_REVERSE);
	tui_print(y, 0, "%9s %9s %9s%s %9s %9s  %s", fmt_size(a, site->live_bytes),
	    fmt_count(b, site->live_blocks), change, grows ? "^" : " ",
	    fmt_count(d, site->allocations), fmt_size(c, site->bytes_allocated),
	    name);
	if (grows && t->colors && !selected)
		mvchgat(y, 29, 1, A_BOLD, PAIR_GROWS, NULL);
	if (selected)
		attroff(A_REVERSE);
}

/* The width of a cell of the overview's legend. */
#define LEGEND_CELL	26

/*
 * The row of the overview's heading of the sites: below its heading and
 * two bars, the legend (its cells wrapped at the width), a blank row, the
 * RSS and the heap's four rows.
 */
static int
overview_sites_y(const struct tui_area *a)
{
	int y = a->top + 3, x = 0;

	for (int i = 0; i < TUI_NKINDS; i++) {
		if (x + LEGEND_CELL > a->width) {
			x = 0;
			y++;
		}
		x += LEGEND_CELL;
	}
	return y + 2 + 1 + 4;
}

/* The sites the overview lists: the top by live bytes, as many as fit. */
static size_t
overview_sites(const struct tui_frame *f, const struct tui_area *a,
    struct heap_site **sites)
{
	int y = overview_sites_y(a);

	*sites = NULL;
	if (f->traced == NULL || y + 2 >= a->bottom)
		return 0;
	/* below the heading, the table's title */
	return model_heap_top_sites(&f->traced->heap, model_heap_site_by_live,
	    (size_t)(a->bottom - y - 2), sites);
}

/*
 * The sites view's rows, in t's order, from a->top + 2; its selection
 * kept among them and its scroll keeping the selection on screen.
 */
static size_t
sites_window(struct tui *t, const struct tui_frame *f, const struct tui_area *a,
    struct heap_site **sites)
{
	int order = t->sort < 0 ? SITES_BY_LIVE : t->sort;
	size_t n = model_heap_top_sites(&f->traced->heap,
	    model_heap_site_order((enum heap_site_order)order), 0, sites);

	t->rows = (int)n;
	t->page = a->bottom - (a->top + 2);
	if (t->selected >= t->rows)
		t->selected = t->rows > 0 ? t->rows - 1 : 0;
	/* keep the selection on screen */
	if (t->selected < t->scroll[VIEW_SITES])
		t->scroll[VIEW_SITES] = t->selected;
	if (t->selected >= t->scroll[VIEW_SITES] + t->page)
		t->scroll[VIEW_SITES] = t->selected - t->page + 1;
	t->selected_stack = n > 0 ? (*sites)[t->selected].stack : 0;
	return n;
}

void
tui_view_stacks(struct tui *t, const struct tui_frame *f,
    const struct tui_area *a, struct tui_stacks *out)
{
	struct heap_site *sites = NULL;
	size_t first = 0, last = 0;

	if (f->traced == NULL)
		return;
	if (t->view == VIEW_OVERVIEW)
		last = overview_sites(f, a, &sites);
	else if (t->view == VIEW_SITES) {
		size_t n = sites_window(t, f, a, &sites);

		first = (size_t)t->scroll[VIEW_SITES];
		last = first + (size_t)(t->page > 0 ? t->page : 0);
		last = last < n ? last : n;
	}
	for (size_t i = first; i < last; i++) {
		out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = sites[i].stack;
	}
	free(sites);
}

void
tui_view_overview(struct tui *t, const struct tui_frame *f,
    const struct tui_area *a)
{
	const struct history *l = f->history;
	struct kind_totals k[TUI_NKINDS];
	char s1[FMT_SIZE_LEN], s2[FMT_SIZE_LEN];
	uint64_t vsz = 0, rss = 0, max;
	int y = a->top, x = 0, bar = a->width - 24;

	by_kind(&l->proc.snap, k);
	for (int i = 0; i < TUI_NKINDS; i++) {
		vsz += k[i].size;
		rss += k[i].rss;
	}
	heading(y++, "Address space by kind");
	tui_print(y, 0, "virtual");
	kind_bar(t, y, 9, bar, k, false);
	tui_print(y++, 10 + bar, "%s", fmt_size(s1, vsz));
	tui_print(y, 0, "resident");
	kind_bar(t, y, 9, bar, k, true);
	tui_print(y++, 10 + bar, "%s", fmt_size(s1, rss));
	/* the legend: letter, name, virtual / resident */
	for (int i = 0; i < TUI_NKINDS; i++) {
		char cell[64];
		int w = LEGEND_CELL;

		if (x + w > a->width) {
			x = 0;
			y++;
		}
		snprintf(cell, sizeof(cell), " %s %s/%s", kind_names[i],
		    fmt_size(s1, k[i].size), fmt_size(s2, k[i].rss));
		move(y, x);
		tui_kind_on(t, i);
		addch((chtype)kind_letters[i]);
		tui_kind_off(t, i);
		tui_print(y, x + 1, "%s", cell);
		x += w;
	}
	y += 2;
	tui_print(y, 0, "RSS");
	tui_sparkline(t, y, 7, a->width - 40, &l->rss, &max);
	tui_print(y++, a->width - 32, "%s now, %s at most", fmt_size(s1,
	    l->proc.snap.totals.rss), fmt_size(s2, max));
	if (f->traced == NULL) {
		tui_print(y + 1, 0, "heap: process %d is not under memscope's shim "
		    "(memscope run --tui shows it)", (int)l->pid);
		return;
	}
	heap_lines(t, f, y, a->width);
	y += 4;
	if (y + 2 >= a->bottom)
		return;
	heading(y++, "Top sites by live bytes (^: only grew in the last minute)");
	{
		struct heap_site *sites;
		size_t n = overview_sites(f, a, &sites);

		site_row(t, f, y++, NULL, false);
		for (size_t i = 0; i < n && y < a->bottom; i++)
			site_row(t, f, y++, &sites[i], false);
		free(sites);
	}
}

void
tui_view_sites(struct tui *t, const struct tui_frame *f, const struct tui_area *a)
{
	static const char *const orders[] = { "live bytes", "bytes allocated",
	    "allocations", "bytes at the peak", "temporary allocations" };
	struct heap_site *sites;
	int order = t->sort < 0 ? SITES_BY_LIVE : t->sort, y = a->top;
	char title[128];
	size_t n;

	if (needs_shim(f, a))
		return;
	n = sites_window(t, f, a, &sites);
	snprintf(title, sizeof(title), "Sites by %s (s: another order; Enter: "
	    "the stack)", orders[order]);
	heading(y++, title);
	site_row(t, f, y++, NULL, false);
	for (int i = t->scroll[VIEW_SITES]; i < (int)n && y < a->bottom; i++)
		site_row(t, f, y++, &sites[i], i == t->selected);
	if (n == 0)
		tui_print(y, 2, "no allocation yet");
	free(sites);
}

void
tui_view_stack(struct tui *t, const struct tui_frame *f, const struct tui_area *a)
{
	const struct stack_entry *e = f->session != NULL ?
	    model_stacks_get(&f->session->stacks, t->stack) : NULL;
	const struct heap_site *site = f->traced != NULL ?
	    model_heap_site(&f->traced->heap, t->stack) : NULL;
	char s1[FMT_SIZE_LEN], s2[FMT_SIZE_LEN], s3[FMT_SIZE_LEN], s4[FMT_SIZE_LEN];
	int y = a->top, row = 0;
	bool below_main = false;

	if (e == NULL || site == NULL) {
		t->stack = 0;
		return;
	}
	heading(y++, "The stack of the site (Esc: back)");
	tui_print(y++, 0, "%s live in %s blocks; %s allocated in %s calls",
	    fmt_size(s1, site->live_bytes), fmt_count(s2, site->live_blocks),
	    fmt_size(s3, site->bytes_allocated), fmt_count(s4, site->allocations));
	t->page = a->bottom - y;
	t->rows = 0;
	for (uint32_t i = 0; i < e->nframes; i++) {
		uint32_t n = e->symbols != NULL ? e->symbols[i].n : 0;
		const struct module *m = model_modules_find(&f->traced->modules,
		    e->frames[i]);
		const char *mod = m != NULL ? strrchr(m->path, '/') : NULL;

		mod = mod != NULL ? mod + 1 : m != NULL ? m->path : "?";
		for (uint32_t k = 0; k < (n > 0 ? n : 1); k++, row++) {
			const struct frame_symbol *v = n > 0 ? &e->symbols[i].v[k] : NULL;

			/* the start-up frames: one line, as in the text report */
			if (v != NULL && v->function != NULL &&
			    strcmp(v->function, "(below main)") == 0) {
				if (below_main) {
					row--;
					continue;
				}
				below_main = true;
			}
			t->rows++;
			if (row < t->stack_scroll || y >= a->bottom)
				continue;
			if (v != NULL && v->function != NULL && v->file != NULL)
				tui_print(y++, 0, "%s %s (%s:%" PRIu32 ") in %s",
				    row == 0 ? "  at" : "  by", v->function, v->file,
				    v->line, mod);
			else if (v != NULL && v->function != NULL)
				tui_print(y++, 0, "%s %s in %s", row == 0 ? "  at" :
				    "  by", v->function, mod);
			else
				tui_print(y++, 0, "%s %s+0x%" PRIx64, row == 0 ? "  at" :
				    "  by", mod, m != NULL ? e->frames[i] - m->base :
				    e->frames[i]);
		}
	}
}

void
tui_view_layout(struct tui *t, const struct tui_frame *f, const struct tui_area *a)
{
	const struct process *p = &f->history->proc.snap;
	struct kind_totals k[TUI_NKINDS];
	char s1[FMT_SIZE_LEN], s2[FMT_SIZE_LEN], s3[FMT_SIZE_LEN];
	uint64_t rss = 0;
	int y = a->top, first;

	by_kind(p, k);
	for (int i = 0; i < TUI_NKINDS; i++)
		rss += k[i].rss;
	heading(y++, "By kind: virtual, resident, share of the resident");
	/* in two columns */
	for (int i = 0; i < TUI_NKINDS; i++) {
		int row = y + i / 2, x = i % 2 * 40;

		move(row, x);
		tui_kind_on(t, i);
		addch((chtype)kind_letters[i]);
		tui_kind_off(t, i);
		tui_print(row, x + 2, "%-7s %9s %9s %6s", kind_names[i],
		    fmt_size(s1, k[i].size), fmt_size(s2, k[i].rss),
		    fmt_percent(s3, k[i].rss, rss));
	}
	y += (TUI_NKINDS + 1) / 2 + 1;
	attron(A_BOLD);
	tui_print(y++, 0, "%-25s %-4s %-12s %8s %8s  %s", "RANGE", "PERM", "KIND",
	    "SIZE", "RSS", "OBJECT");
	attroff(A_BOLD);
	t->rows = (int)p->layout.nsegs;
	t->page = a->bottom - y;
	if (t->scroll[VIEW_LAYOUT] > t->rows - t->page)
		t->scroll[VIEW_LAYOUT] = t->rows - t->page > 0 ? t->rows - t->page : 0;
	first = t->scroll[VIEW_LAYOUT];
	for (int i = first; i < t->rows && y < a->bottom; i++) {
		const struct segment *s = &p->layout.segs[i];

		tui_print(y++, 0, "%012" PRIx64 "-%012" PRIx64 " %-4s %-12s %8s %8s  %s",
		    s->start, s->end, s->perms, seg_kind_name(s->kind),
		    fmt_size(s1, s->end - s->start), fmt_size(s2, s->mem.rss),
		    s->object != NULL ? s->object : "");
	}
}

void
tui_view_bins(struct tui *t, const struct tui_frame *f, const struct tui_area *a)
{
	const struct heap_model *h;
	char s1[FMT_SIZE_LEN], s2[FMT_SIZE_LEN], s3[FMT_SIZE_LEN], s4[FMT_SIZE_LEN];
	char s5[FMT_SIZE_LEN], s6[FMT_SIZE_LEN], range[48];
	int y = a->top, rows = 0, shown = 0;

	if (needs_shim(f, a))
		return;
	h = &f->traced->heap;
	heap_lines(t, f, y, a->width);
	y += 4;
	attron(A_BOLD);
	tui_print(y++, 0, "%-14s %10s %10s %10s %10s %10s %6s", "SIZE", "ALLOCS",
	    "FREES", "LIVE", "LIVE BYTES", "WASTE", "WASTE%");
	attroff(A_BOLD);
	for (size_t b = 0; b < HEAP_NBINS; b++)
		rows += h->bins[b].allocations > 0;
	t->rows = rows;
	t->page = a->bottom - y;
	if (t->scroll[VIEW_BINS] > rows - t->page)
		t->scroll[VIEW_BINS] = rows - t->page > 0 ? rows - t->page : 0;
	for (size_t b = 0; b < HEAP_NBINS && y < a->bottom; b++) {
		const struct heap_bin *bin = &h->bins[b];
		uint64_t min, max, waste = bin->usable_bytes - bin->live_bytes;

		if (bin->allocations == 0 || shown++ < t->scroll[VIEW_BINS])
			continue;
		model_heap_bin_range(b, &min, &max);
		if (b == HEAP_BIN_MMAP)
			snprintf(range, sizeof(range), "mmap'd");
		else if (max == UINT64_MAX)
			snprintf(range, sizeof(range), "%" PRIu64 "+", min);
		else
			snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64, min, max);
		tui_print(y++, 0, "%-14s %10s %10s %10s %10s %10s %6s", range,
		    fmt_count(s1, bin->allocations), fmt_count(s2, bin->frees),
		    fmt_count(s3, bin->live_blocks), fmt_size(s4, bin->live_bytes),
		    h->usable_unknown ? "?" : fmt_size(s5, waste),
		    h->usable_unknown ? "?" : fmt_percent(s6, waste, bin->usable_bytes));
	}
}

/* The resident bytes of the stack segments of thread tid (0: the main one). */
static uint64_t
stack_rss(const struct process *p, int tid, bool main_thread)
{
	uint64_t rss = 0;

	for (size_t i = 0; i < p->layout.nsegs; i++) {
		const struct segment *s = &p->layout.segs[i];

		if ((main_thread && s->kind == SEG_STACK) ||
		    (s->kind == SEG_THREAD_STACK && s->tid == tid))
			rss += s->mem.rss;
	}
	return rss;
}

void
tui_view_threads(struct tui *t, const struct tui_frame *f,
    const struct tui_area *a)
{
	const struct process *p = &f->history->proc.snap;
	char s1[FMT_SIZE_LEN], s2[FMT_SIZE_LEN];
	int y = a->top;

	heading(y++, "Threads and their stacks");
	attron(A_BOLD);
	tui_print(y++, 0, "%8s  %-16s %-27s %9s %9s", "TID", "NAME", "STACK",
	    "SIZE", "RSS");
	attroff(A_BOLD);
	t->rows = (int)p->nthreads;
	t->page = a->bottom - y;
	if (t->scroll[VIEW_THREADS] > t->rows - t->page)
		t->scroll[VIEW_THREADS] = t->rows - t->page > 0 ? t->rows - t->page : 0;
	for (int i = t->scroll[VIEW_THREADS]; i < t->rows && y < a->bottom; i++) {
		const struct seg_thread *th = &p->threads[i];
		char range[40] = "not located";

		if (th->stack_end > th->stack_start)
			snprintf(range, sizeof(range), "%012" PRIx64 "-%012" PRIx64,
			    th->stack_start, th->stack_end);
		tui_print(y++, 0, "%8d  %-16.16s %-27s %9s %9s", th->tid, th->name,
		    range, th->stack_end > th->stack_start ?
		    fmt_size(s1, th->stack_end - th->stack_start) : "-",
		    fmt_size(s2, stack_rss(p, th->tid, th->tid == (int)p->pid)));
	}
}

/* SPDX-License-Identifier: ISC */
/*
 * Inside the dashboard: its state, shared by the frame (tui.c) and the
 * views (tui-views.c), and the drawing helpers both use.
 */
#ifndef MEMSCOPE_TUI_DRAW_H
#define MEMSCOPE_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "tui.h"

enum tui_view {
	VIEW_OVERVIEW,
	VIEW_LAYOUT,
	VIEW_SITES,
	VIEW_BINS,
	VIEW_THREADS,
	VIEW_COUNT
};

/* The dashboard's cut of the address space, coarser than seg_kind. */
enum tui_kind {
	TUI_KIND_TEXT,		/* the executable's code and constants */
	TUI_KIND_DATA,		/* its data */
	TUI_KIND_BSS,
	TUI_KIND_HEAP,		/* brk heap and malloc arenas */
	TUI_KIND_STACKS,
	TUI_KIND_LIBS,		/* every part of the shared libraries */
	TUI_KIND_ANON,
	TUI_KIND_FILE,		/* files that are not ELF objects, shared memory */
	TUI_KIND_OTHER,		/* guards, reservations, vdso, args and env */
	TUI_NKINDS
};

/* Colour pairs (when the terminal has colours). */
enum {
	PAIR_TITLE = 1,
	PAIR_TAB,
	PAIR_ALERT,
	PAIR_GROWS,
	PAIR_KIND,		/* + enum tui_kind */
};

struct tui {
	SCREEN		*screen;
	bool		 colors;
	bool		 utf8;
	enum tui_view	 view;
	bool		 paused;
	bool		 help;		/* the help is shown */
	int		 sort;		/* enum heap_site_order of the sites view */
	/* per view: the first row shown, and the selected row (sites) */
	int		 scroll[VIEW_COUNT];
	int		 selected;
	int		 rows;		/* rows the current list has, for keys */
	int		 page;		/* rows one screen of it shows */
	uint64_t	 stack;		/* the stack shown (Enter), 0: none */
	int		 stack_scroll;
	uint64_t	 selected_stack; /* the stack of the selected row */
};

/* The body of the screen: rows top .. bottom - 1. */
struct tui_area {
	int		 top;
	int		 bottom;
	int		 width;
};

/* The stacks a list of sites shows (tui_stacks_shown()). */
struct tui_stacks {
	uint64_t	*v;
	size_t		 n;
	size_t		 cap;
};

/* tui-views.c */
void	tui_view_overview(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a);
void	tui_view_layout(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a);
void	tui_view_sites(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a);
void	tui_view_bins(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a);
void	tui_view_threads(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a);
/* The whole stack of t->stack over the body. */
void	tui_view_stack(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a);
/* The stacks the sites' rows of view t->view name (none in other views). */
void	tui_view_stacks(struct tui *t, const struct tui_frame *f,
	    const struct tui_area *a, struct tui_stacks *out);

/* tui.c: helpers */
/* printf at (y, x), cut at the screen's right edge. */
void	tui_print(int y, int x, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A sparkline of the last width values of s, scaled to its maximum. */
void	tui_sparkline(const struct tui *t, int y, int x, int width,
	    const struct history_series *s, uint64_t *max);
/* Turn attributes on and off for a kind's colour or letter. */
void	tui_kind_on(const struct tui *t, int kind);
void	tui_kind_off(const struct tui *t, int kind);
/*
 * One line naming the site of stack: "function (file.c:12)" from the
 * symbols the model holds, else module+off.
 */
void	tui_site_name(const struct session *s, const struct process *p,
	    uint64_t stack, char *out, size_t len);

#endif

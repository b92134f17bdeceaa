/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "tui-draw.h"
#include "xmalloc.h"

#define MIN_COLS	80
#define MIN_LINES	24

static const char *const view_names[VIEW_COUNT] = {
	"Overview", "Layout", "Sites", "Bins", "Threads",
};

/* The kinds' colours: what the eye expects (code blue, heap green...). */
static const short kind_colors[TUI_NKINDS] = {
	COLOR_BLUE, COLOR_CYAN, COLOR_MAGENTA, COLOR_GREEN, COLOR_YELLOW,
	COLOR_BLUE, COLOR_RED, COLOR_WHITE, COLOR_BLACK,
};

struct tui *
tui_open(char *why, size_t whylen)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
	struct tui *t;
	SCREEN *screen;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(why, whylen, "the dashboard needs a terminal: standard "
		    "input and output are not one");
		return NULL;
	}
	if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0) {
		snprintf(why, whylen, "the dashboard needs a terminal that can "
		    "move the cursor: TERM is %s", term == NULL || !term[0] ?
		    "not set" : "dumb");
		return NULL;
	}
	setlocale(LC_CTYPE, "");
	if ((screen = newterm(NULL, stdout, stdin)) == NULL) {
		snprintf(why, whylen, "the terminal type '%s' is unknown "
		    "(terminfo)", term);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->screen = screen;
	log_hold(1);
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	t->sort = -1;
	/* Esc alone acts at once, not after ncurses' second */
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (has_colors() && (no_color == NULL || !no_color[0]) &&
	    start_color() == OK) {
		use_default_colors();
		t->colors = true;
		init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_TAB, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_ALERT, COLOR_WHITE, COLOR_RED);
		init_pair(PAIR_GROWS, COLOR_RED, -1);
		for (int k = 0; k < TUI_NKINDS; k++)
			init_pair((short)(PAIR_KIND + k), COLOR_BLACK, kind_colors[k]);
		/* black on black: "other" shows as white on black */
		init_pair(PAIR_KIND + TUI_KIND_OTHER, COLOR_WHITE, COLOR_BLACK);
	}
	return t;
}

void
tui_close(struct tui *t)
{
	if (t == NULL)
		return;
	endwin();
	delscreen(t->screen);
	free(t);
	log_hold(0);
}

int
tui_fd(const struct tui *t)
{
	(void)t;
	return STDIN_FILENO;
}

bool
tui_paused(const struct tui *t)
{
	return t->paused;
}

void
tui_print(int y, int x, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int room = COLS - x;

	if (y < 0 || y >= LINES || room <= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	mvaddnstr(y, x, line, room);
}

void
tui_kind_on(const struct tui *t, int kind)
{
	if (t->colors)
		attron(COLOR_PAIR(PAIR_KIND + kind));
	else
		attron(kind % 2 == 0 ? A_REVERSE : A_BOLD);
}

void
tui_kind_off(const struct tui *t, int kind)
{
	if (t->colors)
		attroff(COLOR_PAIR(PAIR_KIND + kind));
	else
		attroff(kind % 2 == 0 ? A_REVERSE : A_BOLD);
}

void
tui_sparkline(const struct tui *t, int y, int x, int width,
    const struct history_series *s, uint64_t *max)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = " ._-=+*#%@";
	size_t n = s->n < (size_t)width ? s->n : (size_t)width;
	int levels = t->utf8 ? 8 : 9;

	*max = 0;
	for (size_t age = 0; age < n; age++) {
		uint64_t v = model_history_series_at(s, age);

		*max = v > *max ? v : *max;
	}
	move(y, x);
	/* oldest first, so that the newest is at the right */
	for (size_t k = n; k-- > 0;) {
		uint64_t v = model_history_series_at(s, k);
		int level = *max == 0 ? 0 : (int)((v * (uint64_t)levels +
		    *max - 1) / *max);

		if (t->utf8)
			addstr(blocks[level]);
		else
			addch((chtype)ascii[level]);
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;

	return slash != NULL ? slash + 1 : path;
}

void
tui_site_name(const struct session *s, const struct process *p,
    uint64_t stack, char *out, size_t len)
{
	const struct stack_entry *e;
	const struct module *m;

	if (stack <= 1 || s == NULL ||
	    (e = model_stacks_get(&s->stacks, stack)) == NULL || e->nframes == 0) {
		snprintf(out, len, "(no stack)");
		return;
	}
	if (e->symbols != NULL && e->symbols[0].n > 0 &&
	    e->symbols[0].v[0].function != NULL) {
		const struct frame_symbol *v = &e->symbols[0].v[0];

		if (v->file != NULL)
			snprintf(out, len, "%s (%s:%" PRIu32 ")", v->function,
			    base_name(v->file), v->line);
		else
			snprintf(out, len, "%s", v->function);
	} else if ((m = model_modules_find(&p->modules, e->frames[0])) != NULL)
		snprintf(out, len, "%s+0x%" PRIx64, base_name(m->path),
		    e->frames[0] - m->base);
	else
		snprintf(out, len, "0x%" PRIx64, e->frames[0]);
}

static void
fmt_duration(char *out, size_t len, double seconds)
{
	uint64_t s = seconds > 0 ? (uint64_t)seconds : 0;

	if (s >= 86400)
		snprintf(out, len, "%" PRIu64 "d %02" PRIu64 ":%02" PRIu64,
		    s / 86400, s % 86400 / 3600, s % 3600 / 60);
	else
		snprintf(out, len, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
		    s / 3600, s % 3600 / 60, s % 60);
}

static void
draw_header(struct tui *t, const struct tui_frame *f)
{
	const struct history *l = f->history;
	const struct history_proc *pr = &l->proc;
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN], d[FMT_SIZE_LEN];
	char up[32];

	if (t->colors)
		attron(COLOR_PAIR(PAIR_TITLE));
	else
		attron(A_REVERSE);
	move(0, 0);
	clrtoeol();
	for (int x = 0; x < COLS; x++)
		addch(' ');
	tui_print(0, 0, " %s  pid %d  %s", f->title, (int)l->pid,
	    pr->cmdline[0] ? pr->cmdline : pr->stat.comm);
	if (t->paused)
		tui_print(0, COLS - 8, " PAUSED ");
	if (t->colors)
		attroff(COLOR_PAIR(PAIR_TITLE));
	else
		attroff(A_REVERSE);
	fmt_duration(up, sizeof(up), pr->uptime);
	tui_print(1, 0, "up %s  threads %ld  VSZ %s  RSS %s  PSS %s  swap %s",
	    up, pr->stat.num_threads, fmt_size(a, pr->snap.vsz),
	    fmt_size(b, pr->snap.totals.rss), fmt_size(c, pr->snap.totals.pss),
	    fmt_size(d, pr->snap.totals.swap));
	tui_print(2, 0, "page faults: %.0f/s minor, %.0f/s major", l->minflt_rate,
	    l->majflt_rate);
	move(3, 0);
	for (int v = 0; v < VIEW_COUNT; v++) {
		bool on = (int)t->view == v && t->stack == 0;

		if (on)
			attron(t->colors ? COLOR_PAIR(PAIR_TAB) : A_REVERSE);
		printw(" %d %s ", v + 1, view_names[v]);
		if (on)
			attroff(t->colors ? COLOR_PAIR(PAIR_TAB) : A_REVERSE);
		addch(' ');
	}
}

static void
draw_status(struct tui *t, const struct tui_frame *f)
{
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (f->ended != NULL) {
		attron(t->colors ? COLOR_PAIR(PAIR_ALERT) : A_REVERSE);
		tui_print(y, 0, " %s: the figures are its last; q quits ", f->ended);
		attroff(t->colors ? COLOR_PAIR(PAIR_ALERT) : A_REVERSE);
	} else if (f->note != NULL)
		tui_print(y, 0, "%s", f->note);
	else
		tui_print(y, 0, "q quit  1-5/tab views  s sort  p pause  "
		    "arrows/PgUp/PgDn scroll  Enter stack  ? help");
}

static void
draw_help(void)
{
	static const char *const lines[] = {
		"memscope dashboard keys",
		"",
		"  1 .. 5, tab     Overview, Layout, Sites, Bins, Threads",
		"  s               sort the sites: live bytes, allocated,",
		"                  allocations, peak, temporary",
		"  p               pause the sampling (p again resumes)",
		"  up, down        select, scroll",
		"  PgUp, PgDn      a page up, down; Home, End",
		"  Enter           the whole stack of the selected site",
		"  L               a leak check now (memscope attach --tui)",
		"  Esc, Backspace  back from a stack or this help",
		"  q               quit (the program runs on)",
		"",
		"A site marked ^ has only grown over the last minute:",
		"a leak suspect. Under `memscope top` there is no heap",
		"view: the heap is known under the shim (memscope run).",
	};
	int w = 64, h = (int)(sizeof(lines) / sizeof(lines[0])) + 2;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;

	for (int y = 0; y < h; y++) {
		move(y0 + y, x0);
		for (int x = 0; x < w; x++)
			addch(y == 0 || y == h - 1 ? '-' : x == 0 || x == w - 1 ?
			    '|' : ' ');
	}
	for (int i = 0; i < h - 2; i++)
		mvaddnstr(y0 + 1 + i, x0 + 2, lines[i], w - 4);
}

/* The body of the screen: below the header and the tabs, above the status. */
static struct tui_area
body_area(void)
{
	return (struct tui_area){ .top = 5, .bottom = LINES - 1, .width = COLS };
}

static bool
too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_LINES;
}

size_t
tui_stacks_shown(struct tui *t, const struct tui_frame *f, uint64_t **stacks)
{
	struct tui_area a = body_area();
	struct tui_stacks out = { 0 };

	if (too_small() || f->session == NULL || f->traced == NULL) {
		*stacks = NULL;
		return 0;
	}
	if (t->stack != 0) {
		out.v = xmalloc(sizeof(*out.v));
		out.v[out.n++] = t->stack;
	} else
		tui_view_stacks(t, f, &a, &out);
	*stacks = out.v;
	return out.n;
}

void
tui_draw(struct tui *t, const struct tui_frame *f)
{
	struct tui_area a = body_area();

	erase();
	if (too_small()) {
		tui_print(0, 0, "memscope needs a terminal of at least %dx%d; "
		    "this one is %dx%d", MIN_COLS, MIN_LINES, COLS, LINES);
		tui_print(1, 0, "q quits");
		refresh();
		return;
	}
	draw_header(t, f);
	if (t->stack != 0)
		tui_view_stack(t, f, &a);
	else
		switch (t->view) {
		case VIEW_OVERVIEW:
			tui_view_overview(t, f, &a);
			break;
		case VIEW_LAYOUT:
			tui_view_layout(t, f, &a);
			break;
		case VIEW_SITES:
			tui_view_sites(t, f, &a);
			break;
		case VIEW_BINS:
			tui_view_bins(t, f, &a);
			break;
		default:
			tui_view_threads(t, f, &a);
			break;
		}
	draw_status(t, f);
	if (t->help)
		draw_help();
	refresh();
}

/* Move the selection (sites) or the first row shown (other lists). */
static void
scroll_by(struct tui *t, int delta)
{
	int *at = t->view == VIEW_SITES && t->stack == 0 ? &t->selected :
	    t->stack != 0 ? &t->stack_scroll : &t->scroll[t->view];
	int last = t->view == VIEW_SITES && t->stack == 0 ? t->rows - 1 :
	    t->rows - t->page;

	*at += delta;
	if (*at > last)
		*at = last;
	if (*at < 0)
		*at = 0;
}

static void
switch_view(struct tui *t, int view)
{
	t->view = (enum tui_view)view;
	t->stack = 0;
	t->help = false;
}

enum tui_action
tui_keys(struct tui *t)
{
	enum tui_action act = TUI_NONE;
	int ch;

	while ((ch = getch()) != ERR) {
		act = TUI_REDRAW;
		if (t->help && ch != 'q' && ch != KEY_RESIZE) {
			t->help = false;
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			return TUI_QUIT;
		case 'L':
			return TUI_LEAKS;
		case '1': case '2': case '3': case '4': case '5':
			switch_view(t, ch - '1');
			break;
		case '\t':
			switch_view(t, (t->view + 1) % VIEW_COUNT);
			break;
		case KEY_BTAB:
			switch_view(t, (t->view + VIEW_COUNT - 1) % VIEW_COUNT);
			break;
		case 's':
			/* live, allocated, allocations, peak, temporary, round */
			t->sort = t->sort < 0 ? SITES_BY_ALLOCATED :
			    t->sort == SITES_BY_TEMPORARY ? SITES_BY_LIVE : t->sort + 1;
			t->selected = 0;
			break;
		case 'p':
		case ' ':
			t->paused = !t->paused;
			break;
		case '?':
		case 'h':
			t->help = true;
			break;
		case KEY_UP: case 'k':
			scroll_by(t, -1);
			break;
		case KEY_DOWN: case 'j':
			scroll_by(t, 1);
			break;
		case KEY_PPAGE:
			scroll_by(t, -(t->page > 1 ? t->page - 1 : 1));
			break;
		case KEY_NPAGE:
			scroll_by(t, t->page > 1 ? t->page - 1 : 1);
			break;
		case KEY_HOME:
			scroll_by(t, -1000000);
			break;
		case KEY_END:
			scroll_by(t, 1000000);
			break;
		case '\r': case '\n': case KEY_ENTER:
			if (t->stack != 0)
				t->stack = 0;
			else if (t->view == VIEW_SITES && t->selected_stack != 0) {
				t->stack = t->selected_stack;
				t->stack_scroll = 0;
			}
			break;
		case 27:	/* Esc */
		case KEY_BACKSPACE: case 127: case KEY_LEFT:
			t->stack = 0;
			break;
		case KEY_RESIZE:
			break;
		default:
			act = act == TUI_REDRAW ? TUI_REDRAW : TUI_NONE;
			break;
		}
	}
	return act;
}

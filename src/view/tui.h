/* SPDX-License-Identifier: ISC */
/*
 * The live dashboard (ncurses): one process watched over time, as its
 * history (model-history.h) keeps it, in five views switched by keys. A
 * view: it reads the model and draws; the command that owns it decides
 * when to sample, and resolves the names it will show before it draws.
 */
#ifndef MEMSCOPE_TUI_H
#define MEMSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model-history.h"
#include "model.h"

struct tui;

/* What the dashboard shows, besides the samples kept. */
struct tui_frame {
	const struct history *history;
	struct session	*session;	/* under the shim: the stacks; else NULL */
	const struct process *traced;	/* under the shim, else NULL */
	const char	*title;		/* "memscope top", "memscope run" */
	/* the process's end once known ("exited with status 0"), or NULL */
	const char	*ended;
	const char	*note;		/* a line for the status bar, or NULL */
};

/*
 * Take the terminal (stdin and stdout must be one). NULL with a one-line
 * reason in why when there is none, or when the terminal is unknown.
 */
struct tui *tui_open(char *why, size_t whylen);
/* Give the terminal back as it was. */
void	tui_close(struct tui *t);

/* The file descriptor to wait on for keys. */
int	tui_fd(const struct tui *t);
/*
 * The stacks the next tui_draw() of f names (its sites' rows, the stack
 * shown), in *stacks (malloc'd), for the caller to symbolize into the
 * model first: drawing reads names, it never looks them up.
 */
size_t	tui_stacks_shown(struct tui *t, const struct tui_frame *f,
	    uint64_t **stacks);
/* Draw the whole screen. */
void	tui_draw(struct tui *t, const struct tui_frame *f);

enum tui_action {
	TUI_NONE,		/* nothing to redraw */
	TUI_REDRAW,		/* a key changed the screen */
	TUI_QUIT,		/* q */
	TUI_LEAKS,		/* L: a leak check asked for */
};

/* Handle the keys waiting (never blocks). */
enum tui_action tui_keys(struct tui *t);
/* p pressed: sampling stops until it is pressed again. */
bool	tui_paused(const struct tui *t);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The dashboard of `memscope run --tui` and `memscope attach --tui`: the
 * process as `memscope top` shows any, plus its heap from the shim's
 * events. The consumer loop of the command calls it at every turn.
 */
#ifndef MEMSCOPE_RUN_TUI_H
#define MEMSCOPE_RUN_TUI_H

#include <stdbool.h>
#include <sys/types.h>

#include "model.h"

struct dashboard;

/*
 * Take the terminal (before the program starts, for run); exits with a
 * message if there is none. relay: the program started by memscope shares
 * the terminal (see relay.h).
 */
struct dashboard *dashboard_open(double delay, const char *title, bool relay);
/* The fds the program gets for 0, 1, 2 (-1: memscope's own). */
const int *dashboard_stdio(const struct dashboard *d);
/* The program started as pid: its ends of the relay are its own now. */
void	dashboard_started(struct dashboard *d, pid_t pid);
/* The fds the consumer loop should wake for: keys and the program's output. */
int	dashboard_fds(const struct dashboard *d, int fds[2]);
/*
 * A turn of the loop: the program's output, the keys, and a new sample
 * and frame when due. ended: how the program ended, or NULL.
 */
void	dashboard_turn(struct dashboard *d, struct session *s, const char *ended);
/* The same; false once q has closed the dashboard. */
bool	dashboard_turn_alive(struct dashboard *d, struct session *s);
/*
 * What L does: a leak check whose one-line summary check() writes in out
 * (memscope attach); without it L does nothing.
 */
void	dashboard_on_leaks(struct dashboard *d, bool (*check)(void *ctx, char *out,
	    size_t len), void *ctx);
/* The program has ended: keep the last figures on screen until q. */
void	dashboard_linger(struct dashboard *d, struct session *s, const char *ended);
/* Give the terminal back, with the program's output held meanwhile. */
void	dashboard_close(struct dashboard *d);

#endif

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "model-history.h"
#include "proc.h"
#include "relay.h"
#include "dashboard.h"
#include "sampler.h"
#include "symbolize.h"
#include "tui.h"
#include "xmalloc.h"

struct dashboard {
	struct tui	*tui;		/* NULL once q closed it */
	struct sampler	 sampler;
	struct history	 history;
	struct relay	 relay;
	double		 delay;
	double		 next;		/* when the next sample is due */
	const char	*title;
	bool		 started;
	char		 note[160];
	/* L: the leak check, and its last summary, shown for a while */
	bool		(*leaks)(void *ctx, char *out, size_t len);
	void		*leaks_ctx;
	char		 leaks_note[160];
	double		 leaks_until;
};

struct dashboard *
dashboard_open(double delay, const char *title, bool relay)
{
	struct dashboard *d = xcalloc(1, sizeof(*d));
	char why[256];

	/* the fds first: a failure must not leave the screen taken */
	if (relay && !relay_start(&d->relay))
		fatal("the program's terminal output");
	if (!relay)
		relay_none(&d->relay);
	if ((d->tui = tui_open(why, sizeof(why))) == NULL)
		fatalx("%s", why);
	d->delay = delay;
	d->title = title;
	return d;
}

const int *
dashboard_stdio(const struct dashboard *d)
{
	return d->relay.child_fds;
}

void
dashboard_started(struct dashboard *d, pid_t pid)
{
	relay_started(&d->relay);
	sampler_init(&d->sampler, PROC_ROOT, pid);
	model_history_init(&d->history, pid);
	d->started = true;
	d->next = clock_now_s();
}

int
dashboard_fds(const struct dashboard *d, int fds[2])
{
	int n = 0;

	if (d->tui != NULL)
		fds[n++] = tui_fd(d->tui);
	if (d->relay.rfd != -1)
		fds[n++] = d->relay.rfd;
	return n;
}

/* The latest image of the main process: what the shim tells of it. */
static const struct process *
main_process(const struct session *s, pid_t pid)
{
	for (size_t i = s->nprocs; i-- > 0;)
		if (s->procs[i]->pid == pid)
			return s->procs[i];
	return NULL;
}

/* The names of the stacks the frame will show, into the session's model. */
static void
name_shown(struct dashboard *d, const struct tui_frame *f)
{
	uint64_t *stacks;
	size_t n = tui_stacks_shown(d->tui, f, &stacks);

	for (size_t i = 0; i < n; i++)
		symbolize_stack(symbolize_session_symbolizer(f->session),
		    f->session, f->traced, stacks[i]);
	free(stacks);
}

static void
draw(struct dashboard *d, struct session *s, const char *ended)
{
	struct tui_frame f = { .history = &d->history, .session = s,
	    .traced = main_process(s, d->history.pid), .title = d->title,
	    .ended = ended, .note = NULL };

	if (d->leaks_note[0] != '\0' && clock_now_s() < d->leaks_until)
		f.note = d->leaks_note;
	else if (d->relay.held_bytes > 0 && ended == NULL) {
		snprintf(d->note, sizeof(d->note), "the program's output (%llu "
		    "bytes) is held until the dashboard closes; q closes it",
		    (unsigned long long)d->relay.held_bytes);
		f.note = d->note;
	}
	name_shown(d, &f);
	tui_draw(d->tui, &f);
}

/* Keys, then the sample and frame when due; false when q was pressed. */
static bool
turn(struct dashboard *d, struct session *s, const char *ended)
{
	bool redraw = false;

	switch (tui_keys(d->tui)) {
	case TUI_QUIT:
		tui_close(d->tui);
		d->tui = NULL;
		relay_release(&d->relay);
		return false;
	case TUI_REDRAW:
		redraw = true;
		break;
	case TUI_LEAKS:
		if (d->leaks != NULL && ended == NULL) {
			snprintf(d->leaks_note, sizeof(d->leaks_note),
			    "leak check: stopping the process...");
			draw(d, s, ended);
			if (!d->leaks(d->leaks_ctx, d->leaks_note, sizeof(d->leaks_note)))
				d->leaks_note[sizeof(d->leaks_note) - 1] = '\0';
			d->leaks_until = clock_now_s() + 15;
			redraw = true;
		}
		break;
	default:
		break;
	}
	if (clock_now_s() >= d->next) {
		if (!tui_paused(d->tui))
			sampler_take(&d->sampler, &d->history,
			    main_process(s, d->history.pid));
		d->next = clock_now_s() + d->delay;
		redraw = true;
	}
	if (redraw)
		draw(d, s, ended);
	return true;
}

void
dashboard_turn(struct dashboard *d, struct session *s, const char *ended)
{
	relay_pump(&d->relay);
	if (d->tui != NULL && d->started)
		turn(d, s, ended);
}

void
dashboard_on_leaks(struct dashboard *d, bool (*check)(void *ctx, char *out,
    size_t len), void *ctx)
{
	d->leaks = check;
	d->leaks_ctx = ctx;
}

bool
dashboard_turn_alive(struct dashboard *d, struct session *s)
{
	dashboard_turn(d, s, NULL);
	return d->tui != NULL;
}

void
dashboard_linger(struct dashboard *d, struct session *s, const char *ended)
{
	if (d->tui == NULL)
		return;
	/* a last sample, with the heap as it ended */
	sampler_take(&d->sampler, &d->history, main_process(s, d->history.pid));
	draw(d, s, ended);
	while (d->tui != NULL) {
		struct pollfd p = { .fd = tui_fd(d->tui), .events = POLLIN };

		relay_pump(&d->relay);
		if (poll(&p, 1, 1000) < 0)
			continue;
		if (!turn(d, s, ended))
			break;
	}
}

void
dashboard_close(struct dashboard *d)
{
	if (d == NULL)
		return;
	if (d->tui != NULL)
		tui_close(d->tui);
	relay_finish(&d->relay);
	model_history_free(&d->history);
	free(d);
}

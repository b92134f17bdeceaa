/* SPDX-License-Identifier: ISC */
/* memscope top PID: the live dashboard of any process, from /proc. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cmd.h"
#include "model-history.h"
#include "proc.h"
#include "sampler.h"
#include "source-proc.h"
#include "tui.h"
#include "xmalloc.h"

static int top_exec(const struct cmd *, int, char **);

const struct cmd cmd_top = {
	.name = "top",
	.args = "[OPTIONS] PID",
	.summary = "Watch a process's memory live: layout, RSS over time, faults.",
	.help =
	    "A dashboard of process PID's memory, refreshed every second: its\n"
	    "address space by kind (virtual against resident), RSS over the last\n"
	    "minutes, page faults per second, its mappings and threads. The heap\n"
	    "views need the shim: memscope run --tui shows them for a program it\n"
	    "starts. Keys: 1-5 or tab views, p pause, arrows scroll, ? help, q quit.\n\n"
	    "Options:\n"
	    "  -d, --delay SECONDS  between refreshes (default 1; 0.1 to 3600)\n"
	    "  -h, --help           this help\n",
	.exec = top_exec,
};

enum {
	OPT_PROC_ROOT = 256,
};

static const struct option top_options[] = {
	{ "delay", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	/* hidden: read a fixture tree instead of /proc (tests) */
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT, SIGTERM, SIGHUP end the dashboard cleanly (the terminal restored). */
static void
catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}


/* "process 12 has exited" once l can no longer be read, else NULL. */
static const char *
top_gone_text(const struct sampler *l, char *buf, size_t len)
{
	switch (l->gone) {
	case SOURCE_PROC_OK:
		return NULL;
	case SOURCE_PROC_ZOMBIE:
		snprintf(buf, len, "process %d has exited (not reaped yet)",
		    (int)l->pid);
		break;
	case SOURCE_PROC_DENIED:
		snprintf(buf, len, "process %d can no longer be read (permission "
		    "denied)", (int)l->pid);
		break;
	case SOURCE_PROC_GONE:
	case SOURCE_PROC_NO_PROCESS:
		snprintf(buf, len, "process %d has exited", (int)l->pid);
		break;
	default:
		snprintf(buf, len, "process %d can no longer be read", (int)l->pid);
		break;
	}
	return buf;
}

static int
top_exec(const struct cmd *self, int argc, char **argv)
{
	const char *root = PROC_ROOT;
	struct source_proc_error err;
	struct process probe;
	struct sampler sampler;
	struct history *h;
	struct tui *t;
	char why[256], ended[128];
	double delay = 1, next;
	int opt, pid;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:h", top_options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			delay = cmd_parse_seconds(self, "-d", optarg);
			break;
		case OPT_PROC_ROOT:
			root = optarg;
			break;
		case 'h':
			cmd_print_help(self, stdout);
			return cmd_finish_output();
		default:
			cmd_bad_option(self, opt, argv);
		}
	}
	pid = cmd_pid_argument(self, argc, argv);
	/* what cannot be shown is said before the screen is taken */
	if (source_proc_snapshot(root, pid, &probe, &err) != SOURCE_PROC_OK) {
		cmd_proc_failure("top", root, pid, &err);
		return EXIT_RUNTIME;
	}
	model_process_free(&probe);
	xmalloc_activity("watching process %d", (int)pid);
	h = xmalloc(sizeof(*h));
	if ((t = tui_open(why, sizeof(why))) == NULL)
		fatalx("%s", why);
	catch_stop_signals();
	sampler_init(&sampler, root, pid);
	model_history_init(h, pid);
	sampler_take(&sampler, h, NULL);
	next = clock_now_s() + delay;
	while (!stop_requested) {
		/* no heap under top: no site, no name to resolve before drawing */
		struct tui_frame f = { .history = h, .title = "memscope top",
		    .ended = top_gone_text(&sampler, ended, sizeof(ended)) };
		struct pollfd pfd = { .fd = tui_fd(t), .events = POLLIN };
		double wait = next - clock_now_s();

		tui_draw(t, &f);
		if (poll(&pfd, 1, wait > 0 ? (int)(wait * 1000) + 1 : 0) > 0) {
			enum tui_action act = tui_keys(t);

			if (act == TUI_QUIT)
				break;
		}
		if (clock_now_s() >= next) {
			if (!tui_paused(t) && sampler.gone == SOURCE_PROC_OK)
				sampler_take(&sampler, h, NULL);
			next = clock_now_s() + delay;
		}
	}
	tui_close(t);
	model_history_free(h);
	free(h);
	return EXIT_SUCCESS;
}

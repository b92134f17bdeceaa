/* SPDX-License-Identifier: ISC */
/* memscope map PID: where a process's memory is. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd.h"
#include "model.h"
#include "proc.h"
#include "source-proc.h"
#include "view-json.h"
#include "view-text.h"
#include "xmalloc.h"

static int map_exec(const struct cmd *, int, char **);

const struct cmd cmd_map = {
	.name = "map",
	.args = "[OPTIONS] PID",
	.summary = "Show where a process's memory is: its address space, classified.",
	.help =
	    "Cuts every mapping of process PID into ranges of one kind (text, rodata,\n"
	    "data, bss, heap, stack, thread-stack, guard, args-env, vdso, anon, file,\n"
	    "shm) and one object, with virtual size against resident, proportional,\n"
	    "dirty and swapped memory; then sums by kind and by object.\n\n"
	    "Options:\n"
	    "  --json               one JSON object (schema: memscope-json(5))\n"
	    "  --sort=addr|rss|size order of the rows (default addr)\n"
	    "  --by=kind|object     one row per kind or per object, not per range\n"
	    "  --bytes              exact byte counts instead of 4.0K, 1.5M\n"
	    "  --color=auto|always|never\n"
	    "                       colour the kinds (default auto: on a terminal)\n"
	    "  -h, --help           this help\n",
	.exec = map_exec,
};

enum {
	OPT_JSON = 256,
	OPT_SORT,
	OPT_BY,
	OPT_BYTES,
	OPT_COLOR,
	OPT_PROC_ROOT,
};

static const struct option map_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "by", required_argument, NULL, OPT_BY },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	/* hidden: read a fixture tree instead of /proc (tests) */
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ NULL, 0, NULL, 0 },
};

/* In the order of enum view_map_sort and enum view_map_by. */
static const char *const sort_names[] = { "addr", "rss", "size", NULL };
static const char *const by_names[] = { "range", "kind", "object", NULL };
static const char *const color_names[] = { "auto", "always", "never", NULL };

static bool
want_color(const char *mode)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");

	if (strcmp(mode, "always") == 0)
		return true;
	if (strcmp(mode, "never") == 0)
		return false;
	/* auto */
	if (no_color != NULL && no_color[0] != '\0')
		return false;
	return isatty(STDOUT_FILENO) && term != NULL && strcmp(term, "dumb") != 0;
}

static int
terminal_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	if (cols != NULL && atoi(cols) > 0)
		return atoi(cols);
	return 80;
}

static int
map_exec(const struct cmd *self, int argc, char **argv)
{
	struct view_map_opts opts = { .sort = VIEW_MAP_SORT_ADDR };
	const char *root = PROC_ROOT, *color = "auto";
	struct source_proc_error err;
	struct process proc;
	bool json = false;
	int opt, pid, rc;

	optind = 1;
	opterr = 0;
	/* options may follow the PID: GNU getopt permutes them */
	while ((opt = getopt_long(argc, argv, ":h", map_options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_SORT:
			opts.sort = cmd_choice(self, "--sort", optarg, sort_names);
			break;
		case OPT_BY:
			/* index 0, "range", is the default and not offered */
			opts.by = cmd_choice(self, "--by", optarg, by_names + 1) + 1;
			break;
		case OPT_BYTES:
			opts.bytes = true;
			break;
		case OPT_COLOR:
			color = color_names[cmd_choice(self, "--color",
			    optarg != NULL ? optarg : "always", color_names)];
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

	xmalloc_activity("reading process %d", (int)pid);
	if (source_proc_snapshot(root, pid, &proc, &err) != SOURCE_PROC_OK) {
		cmd_proc_failure("map", root, pid, &err);
		return EXIT_RUNTIME;
	}
	opts.color = want_color(color);
	opts.width = terminal_width();
	if (json)
		view_json_map(stdout, &proc);
	else
		view_text_map(stdout, &proc, &opts);
	model_process_free(&proc);
	rc = cmd_finish_output();
	return rc;
}

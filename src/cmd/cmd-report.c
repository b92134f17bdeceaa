/* SPDX-License-Identifier: ISC */
/* memscope report TRACE: the report of a recorded run, rebuilt from its trace. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "leak-options.h"
#include "profile-options.h"
#include "report.h"
#include "model.h"
#include "source-trace.h"
#include "view-run.h"
#include "xmalloc.h"

static int report_exec(const struct cmd *, int, char **);

const struct cmd cmd_report = {
	.name = "report",
	.args = "[OPTIONS] TRACE",
	.summary = "Report on a run recorded with memscope run -o.",
	.help =
	    "Rebuilds the run recorded in TRACE (memscope run -o TRACE) and prints\n"
	    "the same report as memscope run did, on standard output.\n\n"
	    "Options:\n"
	    "  --json FILE          write the report as JSON to FILE ('-': stdout)\n"
	    "                       instead of text\n"
	    CMD_VIEW_HELP
	    CMD_LEAK_HELP
	    CMD_PROFILE_HELP
	    "  -h, --help           this help\n",
	.exec = report_exec,
};

enum {
	OPT_JSON = 256,
};

static const struct option report_options[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	CMD_VIEW_OPTIONS,
	CMD_LEAK_OPTIONS,
	CMD_PROFILE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
report_exec(const struct cmd *self, int argc, char **argv)
{
	struct view_run_opts vopts = { .sites = 10, .sort = -1,
	    .leak_check = VIEW_LEAKS_FULL };
	struct leak_options lopts;
	struct profile_options popts = { .run = &vopts };
	struct session s;
	const char *json_path = NULL;
	char why[512];
	FILE *json = NULL;
	int opt, rc;

	leak_options_init(&lopts);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", report_options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json_path = optarg;
			break;
		case 'h':
			cmd_print_help(self, stdout);
			return cmd_finish_output();
		default:
			if (!report_option_parse(self, opt, optarg, &vopts, &lopts,
			    &popts))
				cmd_bad_option(self, opt, argv);
		}
	}
	if (optind >= argc)
		cmd_usage_error(self, "no TRACE given");
	if (optind + 1 < argc)
		cmd_usage_error(self, "one TRACE at a time ('%s' is extra)",
		    argv[optind + 1]);

	profile_options_open(&popts);
	model_session_init(&s);
	xmalloc_activity("reading the trace %s", argv[optind]);
	if (!source_trace_load(argv[optind], &s, why, sizeof(why))) {
		model_session_free(&s);
		fatalx("%s", why);
	}
	xmalloc_activity("making the report");
	report_prepare(&s, &vopts, &lopts, &popts);
	/* memscope attach checks no leaks at the end: its report has none */
	if (s.run.attached)
		vopts.leak_check = VIEW_LEAKS_NO;
	if (json_path != NULL && strcmp(json_path, "-") == 0)
		json = stdout;
	else if (json_path != NULL && (json = fopen(json_path, "we")) == NULL)
		fatal("%s", json_path);
	/* the JSON instead of the text */
	rc = report_write(&s, &vopts, &popts, json, json_path,
	    json == NULL ? stdout : NULL, NULL) ? 0 : EXIT_RUNTIME;
	if (cmd_finish_output() != 0)
		rc = EXIT_RUNTIME;
	model_session_free(&s);
	leak_options_free(&lopts);
	xmalloc_activity(NULL);
	return rc;
}

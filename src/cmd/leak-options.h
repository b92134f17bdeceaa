/* SPDX-License-Identifier: ISC */
/*
 * The leak report's options, shared by `memscope run` and `memscope
 * report`, and what they do to a loaded session: the loss records
 * symbolized and matched against the suppressions.
 */
#ifndef MEMSCOPE_CMD_LEAKS_H
#define MEMSCOPE_CMD_LEAKS_H

#include <getopt.h>
#include <stdbool.h>

#include "cmd.h"
#include "model.h"
#include "suppress.h"
#include "view-run.h"

enum {
	OPT_LEAK_CHECK = 1024,
	OPT_SHOW_REACHABLE,
	OPT_SUPPRESSIONS,
	OPT_GEN_SUPPRESSIONS,
};

#define CMD_LEAK_OPTIONS \
	{ "leak-check", required_argument, NULL, OPT_LEAK_CHECK }, \
	{ "show-reachable", no_argument, NULL, OPT_SHOW_REACHABLE }, \
	{ "suppressions", required_argument, NULL, OPT_SUPPRESSIONS }, \
	{ "gen-suppressions", no_argument, NULL, OPT_GEN_SUPPRESSIONS }

#define CMD_LEAK_HELP \
	"  --leak-check=no|summary|full\n" \
	"                       the leak check's summary, or its loss records\n" \
	"                       too (default full)\n" \
	"  --show-reachable     list still reachable blocks too\n" \
	"  --suppressions FILE  hide the loss records FILE matches (valgrind's\n" \
	"                       format, memscope-suppressions(5)); repeatable\n" \
	"  --gen-suppressions   print a suppression for each loss record\n"

struct leak_options {
	struct suppressions supp;
};

void	leak_options_init(struct leak_options *o);
/* Handle opt if it is a leak option; a bad file is a fatal error. */
bool	leak_options_parse(const struct cmd *self, int opt, const char *arg,
	    struct leak_options *o, struct view_run_opts *v);
/* Symbolize the loss records of s and apply the suppressions. */
void	leak_options_apply(struct leak_options *o, struct session *s);
void	leak_options_free(struct leak_options *o);

#endif

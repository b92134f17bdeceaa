/* SPDX-License-Identifier: ISC */
/*
 * The profile outputs of `memscope run` and `memscope report`, files for
 * the tools users already have: collapsed stacks for flame graphs.
 */
#ifndef MEMSCOPE_CMD_PROFILE_H
#define MEMSCOPE_CMD_PROFILE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cmd.h"
#include "model.h"
#include "view-collapsed.h"
#include "view-run.h"

enum {
	OPT_COLLAPSED = 1100,
	OPT_COLLAPSED_METRIC,
	OPT_MASSIF,
	OPT_PPROF,
	OPT_HTML,
};

#define CMD_PROFILE_OPTIONS \
	{ "collapsed", required_argument, NULL, OPT_COLLAPSED }, \
	{ "collapsed-metric", required_argument, NULL, OPT_COLLAPSED_METRIC }, \
	{ "pprof", required_argument, NULL, OPT_PPROF }, \
	{ "massif", required_argument, NULL, OPT_MASSIF }, \
	{ "html", required_argument, NULL, OPT_HTML }

#define CMD_PROFILE_HELP \
	"  --collapsed FILE     write collapsed stacks for flame graphs\n" \
	"                       (flamegraph.pl, inferno, speedscope)\n" \
	"  --collapsed-metric M their figure: allocated (bytes, the default),\n" \
	"                       allocations, live (bytes at exit) or peak\n" \
	"  --pprof FILE         write a gzip'd pprof profile of every process\n" \
	"                       (go tool pprof, Pyroscope, Parca)\n" \
	"  --massif FILE        write massif's format (ms_print, massif-visualizer)\n" \
	"                       for the program; %p in FILE: one per process\n" \
	"  --html FILE          write the report as one HTML page: flame graph,\n" \
	"                       heap over time, tables, leaks, bins, layout\n"

struct profile_options {
	const char	*collapsed_path;
	FILE		*collapsed;
	enum collapsed_metric collapsed_metric;
	const char	*massif_path;
	FILE		*massif;	/* without %p: the program's */
	const char	*pprof_path;
	FILE		*pprof;
	const char	*html_path;
	FILE		*html;
	/* the report's options, for how the program ended (--html) */
	const struct view_run_opts *run;
};

/* Handle opt if it is a profile option. */
bool	profile_options_parse(const struct cmd *self, int opt, const char *arg,
	    struct profile_options *o);
/* Create the files now: a bad path must not cost a whole run. */
void	profile_options_open(struct profile_options *o);
/* Does any output want every stack symbolized? */
bool	profile_options_any(const struct profile_options *o);
/* Write the outputs of s and close them; false if one failed (said). */
bool	profile_options_write(struct profile_options *o, const struct session *s,
	    char *const *main_argv);

#endif

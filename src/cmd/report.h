/* SPDX-License-Identifier: ISC */
/*
 * The options that shape the report of a run, shared by `memscope run`,
 * `memscope attach` and `memscope report`: how many top sites, in which
 * order, and the size bins; and the report's tail, written by all three.
 */
#ifndef MEMSCOPE_CMD_VIEWS_H
#define MEMSCOPE_CMD_VIEWS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cmd.h"
#include "leak-options.h"
#include "profile-options.h"
#include "view-run.h"

enum {
	OPT_SITES = 1200,
	OPT_SORT,
	OPT_BINS,
	OPT_PEAK,
	OPT_LIFETIMES,
};

#define CMD_VIEW_OPTIONS \
	{ "sites", required_argument, NULL, OPT_SITES }, \
	{ "sort", required_argument, NULL, OPT_SORT }, \
	{ "bins", no_argument, NULL, OPT_BINS }, \
	{ "peak", no_argument, NULL, OPT_PEAK }, \
	{ "lifetimes", no_argument, NULL, OPT_LIFETIMES }

#define CMD_VIEW_HELP \
	"  --sites N            top sites listed (default 10)\n" \
	"  --sort ORDER         one list of top sites by live (bytes at\n" \
	"                       exit), allocated (bytes), allocations, peak\n" \
	"                       (bytes at the peak) or temporary; default: by\n" \
	"                       live bytes and by bytes allocated\n" \
	"  --bins               the size bins: blocks, live bytes, and the\n" \
	"                       bytes the allocator gave beyond the requests\n" \
	"  --peak               when the heap was largest, and the sites that\n" \
	"                       held it then (--sort peak)\n" \
	"  --lifetimes          how long blocks lived (under 1 us to over a\n" \
	"                       minute), overall and per top site\n"

/* Handle opt if it is one of these options. */
bool	report_options_parse(const struct cmd *self, int opt, const char *arg,
	    struct view_run_opts *v);

/* Any option that shapes a run's report: these, the leak report's, the
 * profile outputs'. */
bool	report_option_parse(const struct cmd *self, int opt, const char *arg,
	    struct view_run_opts *v, struct leak_options *l,
	    struct profile_options *p);
/* A run loaded: the stacks the report shows symbolized, the suppressions
 * applied. */
void	report_prepare(struct session *s, const struct view_run_opts *v,
	    struct leak_options *l, const struct profile_options *p);
/*
 * The reports of a run, an attach or a trace, in this order: the JSON into
 * json (NULL: none), the files of the profile options, the text into log
 * (NULL: none); each closed but stdout and stderr, which the command
 * flushes. False when one could not be written, said on stderr: the
 * others are written all the same.
 */
bool	report_write(const struct session *s, const struct view_run_opts *v,
	    struct profile_options *p, FILE *json, const char *json_path,
	    FILE *log, const char *log_path);

#endif

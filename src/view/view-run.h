/* SPDX-License-Identifier: ISC */
/*
 * What the views of a run (text and JSON) are asked besides the model: the
 * reader's choices. The run's own facts are the session's (struct
 * run_identity).
 */
#ifndef MEMSCOPE_VIEW_RUN_H
#define MEMSCOPE_VIEW_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "model.h"

enum view_leaks {
	VIEW_LEAKS_NO,		/* no leak check */
	VIEW_LEAKS_SUMMARY,	/* the summary of the kinds */
	VIEW_LEAKS_FULL,	/* and the loss records */
};

struct view_run_opts {
	size_t		 sites;		/* top sites listed */
	int		 sort;		/* enum heap_site_order, -1: live and allocated */
	enum view_leaks	 leak_check;
	bool		 show_reachable; /* loss records of reachable blocks too */
	bool		 gen_suppressions; /* a suppression after each record */
	bool		 bins;		/* the size bins in the text report */
	bool		 peak;		/* the peak, and the sites at the peak */
	bool		 lifetimes;	/* how long blocks lived, and per site */
};

/* The report of a run on f (stderr): every process, its summary and sites. */
void	view_text_run(FILE *f, const struct session *s,
	    const struct view_run_opts *opts);
/* view-text-leaks.c: the leak records and summary of process p. */
void	view_text_leaks(FILE *f, int pid, const struct session *s,
	    const struct process *p, const struct view_run_opts *opts);
/* view-text-bins.c: the size bins of process p. */
void	view_text_bins(FILE *f, int pid, const struct process *p);
/* view-text-lifetimes.c: how long the blocks of process p lived. */
void	view_text_lifetimes(FILE *f, int pid, const struct process *p);
/* The same for one site, in a line. */
void	view_text_site_lifetimes(FILE *f, int pid, const struct process *p,
	    const struct heap_site *site);
/* The frames of a stack, one line each ("at f (file.c:12) in module"). */
void	view_text_frames(FILE *f, int pid, const struct session *s,
	    const struct process *p, uint64_t stack);
/* The same as one JSON object (memscope-json(5), "memscope run"). */
void	view_json_run(FILE *f, const struct session *s,
	    const struct view_run_opts *opts);
/*
 * Pieces of that object other views' data share (view-html.c): the fields
 * a process's object starts with (pid, ppid, exe, argv, exit, replaced,
 * still_running, forked, threads, summary; main: the program memscope
 * started or joined, whose argv and end are the run's), and a leak kind's
 * totals under key, the size bins that ever held a block, and the
 * allocator's free chunks by size (an array).
 */
struct json;
struct leak_totals;
struct heap_allocator;
void	view_json_process_head(struct json *j, const struct session *s,
	    const struct process *p, bool main);
void	view_json_leak_totals(struct json *j, const char *key,
	    const struct leak_totals *t);
void	view_json_bins(struct json *j, const struct heap_model *h);
void	view_json_free_classes(struct json *j, const struct heap_allocator *a);

#endif

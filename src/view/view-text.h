/* SPDX-License-Identifier: ISC */
/* Human-readable text views of the process model. */
#ifndef MEMSCOPE_VIEW_TEXT_H
#define MEMSCOPE_VIEW_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

enum view_map_sort {
	VIEW_MAP_SORT_ADDR,
	VIEW_MAP_SORT_RSS,
	VIEW_MAP_SORT_SIZE,
};

enum view_map_by {
	VIEW_MAP_BY_RANGE,	/* every range, then both summaries */
	VIEW_MAP_BY_KIND,	/* one row per kind */
	VIEW_MAP_BY_OBJECT,	/* one row per object */
};

struct view_map_opts {
	enum view_map_sort sort;
	enum view_map_by by;
	bool		 color;
	bool		 bytes;		/* exact byte counts, not 4.0K */
	int		 width;		/* terminal columns, for the bar */
};

/* The layout of p: header, ranges or summaries, totals and the bar. */
void	view_text_map(FILE *f, const struct process *p,
	    const struct view_map_opts *opts);

#endif

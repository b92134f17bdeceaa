/* SPDX-License-Identifier: ISC */
/* Collapsed stacks for flame graphs (see view-collapsed.c). */
#ifndef MEMSCOPE_VIEW_COLLAPSED_H
#define MEMSCOPE_VIEW_COLLAPSED_H

#include <stdio.h>

#include "model.h"

enum collapsed_metric {
	COLLAPSED_ALLOCATED,	/* bytes allocated over the run */
	COLLAPSED_ALLOCATIONS,	/* allocation calls */
	COLLAPSED_LIVE,		/* bytes live at exit */
	COLLAPSED_PEAK,		/* bytes live when the heap was at its peak */
};

/* "allocated", ... in the order of the enum, NULL-terminated. */
extern const char *const collapsed_metric_names[];

/* A line per allocation stack of every process of s, with its figure m. */
void	view_collapsed(FILE *f, const struct session *s, enum collapsed_metric m);

#endif

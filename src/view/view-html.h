/* SPDX-License-Identifier: ISC */
/*
 * The report of a run as one self-contained HTML page (--html FILE): the
 * figures embedded as JSON, the page's script and style inline (built from
 * src/view/html/), nothing fetched, so that it opens from disk anywhere.
 */
#ifndef MEMSCOPE_VIEW_HTML_H
#define MEMSCOPE_VIEW_HTML_H

#include <stdio.h>

#include "model.h"

struct view_run_opts;

/*
 * Every process of s as one page on f; o (may be NULL) says how the
 * program ended and how much of the leak check to show. The stacks are
 * drawn as symbolized as they are.
 */
void	view_html(FILE *f, const struct session *s, const struct view_run_opts *o);

#endif

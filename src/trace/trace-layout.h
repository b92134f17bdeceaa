/* SPDX-License-Identifier: ISC */
/* The layout of a process as it ended, in a trace file (see trace-layout.c). */
#ifndef MEMSCOPE_TRACE_LAYOUT_H
#define MEMSCOPE_TRACE_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "tracefile.h"

/* Record p's layout (taken at its end) as the layout of stream. */
void	trace_layout_write(struct tracefile *t, uint32_t stream,
	    const struct process *p);
/* Read TRACE_LAYOUT and TRACE_LAYOUT_SEGMENT entries back; false: corrupt. */
bool	trace_layout_load(const struct trace_entry *e, struct session *s);

#endif

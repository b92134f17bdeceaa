/* SPDX-License-Identifier: ISC */
/* The leak check's verdicts in a trace file (see trace-leaks.c). */
#ifndef MEMSCOPE_TRACE_LEAKS_H
#define MEMSCOPE_TRACE_LEAKS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "tracefile.h"

/* Record r, the leak check of the process of stream, at this point. */
void	trace_leaks_write(struct tracefile *t, uint32_t stream,
	    const struct leak_report *r);

/* Reading back: entries TRACE_LEAKS, TRACE_LEAK_VERDICTS, TRACE_LEAK_INDIRECT. */
struct trace_leaks_loader;
struct trace_leaks_loader *trace_leaks_loader_new(void);
/* False: the entry makes no sense (corrupt, or not matching the blocks). */
bool	trace_leaks_load(struct trace_leaks_loader *l, const struct trace_entry *e,
	    struct session *s);
void	trace_leaks_loader_free(struct trace_leaks_loader *l);

#endif

/* SPDX-License-Identifier: ISC */
/* The run and its processes in a trace file (see trace-run.c). */
#ifndef MEMSCOPE_TRACE_RUN_H
#define MEMSCOPE_TRACE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "tracefile.h"

/* The trace's first entry: the run of path argv as pid, its events' clock. */
void	trace_run_write(struct tracefile *t, pid_t pid, const char *path,
	    char *const argv[], double ns_per_tick);
/* Process p, the stream-th of the session, said hello. */
void	trace_process_write(struct tracefile *t, uint32_t stream,
	    const struct process *p);
/* The growth series of the process of stream, ms into the run. */
void	trace_tick_write(struct tracefile *t, uint32_t stream, uint64_t ms,
	    bool end);
/* The trace's last entries: how each process of s ended, then the run. */
void	trace_run_end_write(struct tracefile *t, const struct session *s);

/*
 * Reading back, into s: false when the entry makes no sense here. The run
 * entry of another protocol is damage of its own, said in why (else why
 * is left empty).
 */
bool	trace_run_load(const struct trace_entry *e, struct session *s,
	    char *why, size_t whylen);
bool	trace_process_load(const struct trace_entry *e, struct session *s);
bool	trace_tick_load(const struct trace_entry *e, struct session *s);
bool	trace_process_end_load(const struct trace_entry *e, struct session *s);
bool	trace_run_end_load(const struct trace_entry *e, struct session *s);

#endif

/* SPDX-License-Identifier: ISC */
/* The trace source: a recorded run (.msc) back into the model of a run. */
#ifndef MEMSCOPE_SOURCE_TRACE_H
#define MEMSCOPE_SOURCE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model.h"

/* What the trace says of the run as a whole. */
struct trace_run_info {
	pid_t		 main_pid;
	char		*path;
	char		**argv;		/* NULL-terminated */
	bool		 exited;
	int		 status;	/* wait(2) status */
	bool		 attached;	/* by memscope attach, for attached_ms */
	uint64_t	 attached_ms;
};

/*
 * Read the trace at path into s (initialised by the caller) and info.
 * False with a one-line reason in why (naming the byte offset of a
 * corrupt or truncated part).
 */
bool	source_trace_load(const char *path, struct session *s,
	    struct trace_run_info *info, char *why, size_t whylen);
void	source_trace_info_free(struct trace_run_info *info);

#endif

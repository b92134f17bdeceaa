/* SPDX-License-Identifier: ISC */
/*
 * The live dashboard's source: at each refresh, one look at a process's
 * /proc (its layout and totals, stat, command line, age), added to its
 * history with the heap model the shim fills, if any. It keeps nothing
 * but why the process can no longer be read.
 */
#ifndef MEMSCOPE_SAMPLER_H
#define MEMSCOPE_SAMPLER_H

#include <stdbool.h>
#include <sys/types.h>

#include "model-history.h"
#include "source-proc.h"

struct sampler {
	pid_t		 pid;
	const char	*root;		/* PROC_ROOT, or a fixture tree */
	/* why it could not be read any more; SOURCE_PROC_OK while it can */
	enum source_proc_result gone;
};

void	sampler_init(struct sampler *s, const char *root, pid_t pid);
/*
 * Add a sample to h: /proc read again (unless the process is known to be
 * gone) and, with traced (or NULL), its heap model. Returns false when
 * /proc could not be read (s->gone says why); h keeps the last figures.
 */
bool	sampler_take(struct sampler *s, struct history *h,
	    const struct process *traced);

#endif

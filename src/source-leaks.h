/*
 * The leak source: scans a process held at its end by the tracer (its
 * memory read with process_vm_readv, its layout from /proc) and leaves the
 * verdicts in the process model.
 */
#ifndef MEMSCOPE_SOURCE_LEAKS_H
#define MEMSCOPE_SOURCE_LEAKS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "tracer.h"

struct leak_range;

struct leak_check_opts {
	unsigned int	 heuristics;	/* LEAK_HEURISTICS_ALL: memcheck's default */
	const char	*shim_path;	/* resolved path of the shim, or NULL */
	bool		 partial;	/* joined late: see leak-roots.h */
	/* threads that could not be stopped or read: they ran on during the
	 * scan, their registers unknown, so any block may be theirs */
	size_t		 unseen_threads;
};

/* Scan p at its end into p->leaks. False, with why, when it could not. */
bool	source_leaks_scan(struct process *p, const struct tracer_end *end,
	    const struct leak_check_opts *opts, const struct leak_range *excluded,
	    size_t nexcluded, char *why, size_t whylen);
/* The same with the layout already read (snapshot, taken over). */
void	source_leaks_scan_layout(struct process *p, const struct tracer_end *end,
	    const struct leak_check_opts *opts, const struct leak_range *excluded,
	    size_t nexcluded, struct process *snapshot);

#endif

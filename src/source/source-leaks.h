/* SPDX-License-Identifier: ISC */
/*
 * The leak source: scans a process held by the tracer, at its end or
 * while it runs (the live check of an attached process), its memory read
 * with process_vm_readv, its layout from /proc, and leaves the verdicts
 * in the process model.
 */
#ifndef MEMSCOPE_SOURCE_LEAKS_H
#define MEMSCOPE_SOURCE_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "leak-roots.h"
#include "model.h"

/* A process held for the scan: every thread stopped. */
struct leak_target {
	pid_t		 pid;
	pid_t		 tid;		/* a stopped thread: read through it */
	/* every thread's last stack pointer: at the end, or when it exited */
	const struct leak_stack *stacks;
	size_t		 nstacks;
	/* registers that are roots: every thread's but one waiting in the
	 * shim (attach: every thread's) */
	const uint64_t	*regs;
	size_t		 nregs;
};

struct leak_check_opts {
	unsigned int	 heuristics;	/* LEAK_HEURISTICS_ALL: memcheck's default */
	const char	*shim_path;	/* resolved path of the shim, or NULL */
	bool		 partial;	/* joined late: see leak-roots.h */
	/* threads that could not be stopped or read: they ran on during the
	 * scan, their registers unknown, so any block may be theirs */
	size_t		 unseen_threads;
};

/*
 * The layout of a running process for its live check: read before its
 * threads are held, as smaps is slow on a large heap, and read again once
 * they are held only if its mappings moved meanwhile.
 */
struct leak_layout {
	struct process	 snapshot;
	char		*maps;		/* the text of its maps then, or NULL */
};

/* Read the layout of pid, running. False, with why, when it could not. */
bool	source_leaks_layout_read(struct leak_layout *l, pid_t pid, char *why,
	    size_t whylen);
/*
 * pid now held (tid one of its threads stopped): its layout read again,
 * through tid, if its mappings moved since. False, with why, when it
 * could not (l is then freed).
 */
bool	source_leaks_layout_recheck(struct leak_layout *l, pid_t pid,
	    pid_t tid, char *why, size_t whylen);
void	source_leaks_layout_free(struct leak_layout *l);

/* Scan p at its end into p->leaks. False, with why, when it could not. */
bool	source_leaks_scan(struct process *p, const struct leak_target *end,
	    const struct leak_check_opts *opts, const struct leak_range *excluded,
	    size_t nexcluded, char *why, size_t whylen);
/*
 * The same with the layout already read (snapshot, taken over): a process
 * at its end, or one held for a live check (with source_leaks_layout_*).
 */
void	source_leaks_scan_layout(struct process *p, const struct leak_target *end,
	    const struct leak_check_opts *opts, const struct leak_range *excluded,
	    size_t nexcluded, struct process *snapshot);

#endif

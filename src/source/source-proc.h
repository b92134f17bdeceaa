/* SPDX-License-Identifier: ISC */
/*
 * The /proc source: reads one process's maps, smaps, smaps_rollup, stat,
 * status and threads, and the ELF headers of its mapped objects, into the
 * process model. It formats nothing: failures come back as a result the
 * command turns into words.
 */
#ifndef MEMSCOPE_SOURCE_PROC_H
#define MEMSCOPE_SOURCE_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "model.h"
#include "proc.h"

enum source_proc_result {
	SOURCE_PROC_OK = 0,
	SOURCE_PROC_NO_PROCESS,	/* no such PID */
	SOURCE_PROC_GONE,	/* exited while being read */
	SOURCE_PROC_DENIED,	/* not permitted to read its memory map */
	SOURCE_PROC_KTHREAD,	/* a kernel thread: no user address space */
	SOURCE_PROC_ZOMBIE,	/* exited, not yet reaped */
	SOURCE_PROC_THREAD,	/* a thread id, not a process id */
	SOURCE_PROC_MALFORMED,	/* a /proc file did not parse */
	SOURCE_PROC_IOERR,
};

/* What went wrong, for the message. */
struct source_proc_error {
	enum source_proc_result result;
	char		 file[64];	/* the /proc file, "smaps" */
	int		 err;		/* errno for IOERR and DENIED */
	size_t		 line;		/* for MALFORMED */
	unsigned int	 uid;		/* the process's owner, when known */
	int		 tgid;		/* for THREAD: the process */
	char		 comm[64];	/* its command, when known */
};

/*
 * Take a snapshot of process pid under root ("/proc", or a fixture tree)
 * into *out. On failure *out is left empty and *err says why.
 */
enum source_proc_result source_proc_snapshot(const char *root, pid_t pid,
	    struct process *out, struct source_proc_error *err);
/* The same, of the process whose directory dir has open (ROOT/PID). */
enum source_proc_result source_proc_snapshot_at(struct proc *dir,
	    struct process *out, struct source_proc_error *err);
/*
 * The same, read through thread tid of process pid: the process's own
 * entry says little once its main thread has exited (pthread_exit) while
 * others run.
 */
enum source_proc_result source_proc_snapshot_via(const char *root, pid_t pid,
	    pid_t tid, struct process *out, struct source_proc_error *err);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Access to one process's /proc directory. The directory is opened once and
 * every file is read relative to it (openat), so a PID reused by another
 * process mid-read cannot mix two processes. The root is normally "/proc";
 * tests point it at a fixture tree (the hidden --proc-root option).
 */
#ifndef MEMSCOPE_PROC_H
#define MEMSCOPE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* Where the kernel shows the processes: the root but for fixture trees. */
#define PROC_ROOT	"/proc"

enum proc_rc {
	PROC_OK = 0,
	PROC_NO_PROCESS,	/* no such PID */
	PROC_GONE,		/* the process exited while being read */
	PROC_DENIED,		/* permission denied */
	PROC_IOERR,		/* anything else; errno says what */
};

struct proc {
	pid_t	 pid;
	int	 dirfd;		/* ROOT/PID */
	bool	 live;		/* the real /proc: pagemap and memory readable */
	char	*root;
};

/* Open ROOT/PID. */
enum proc_rc proc_open(struct proc *p, const char *root, pid_t pid);
void	proc_close(struct proc *p);
/* Read the whole file NAME (relative to ROOT/PID) into b, replacing it. */
enum proc_rc proc_read(struct proc *p, const char *name, struct buf *b);
/*
 * Read the whole file NAME of ROOT itself, of no process ("uptime",
 * "sys/kernel/yama/ptrace_scope"), into b, replacing it: a fixture tree's
 * too, under a process's own root.
 */
enum proc_rc proc_read_root(const char *root, const char *name, struct buf *b);
/* openat() relative to ROOT/PID, with errors mapped as proc_read does. */
enum proc_rc proc_openat(struct proc *p, const char *name, int flags, int *fd);
/* The target of the link NAME (relative to ROOT/PID) into out, NUL-terminated. */
enum proc_rc proc_readlink(struct proc *p, const char *name, char *out,
	    size_t len);
/* The PROC_* status that errno stands for after a failed open or read. */
enum proc_rc proc_rc_from_errno(int err);
/* The thread ids of process pid (PROC_ROOT/PID/task); false if it is gone. */
bool	proc_threads(pid_t pid, pid_t **tids, size_t *n);

#endif

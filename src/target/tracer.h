/* SPDX-License-Identifier: ISC */
/*
 * The tracer: ptrace for a moment only, every thread of a process stopped
 * and let go. `memscope run` never traces a program while it runs: at
 * each process's end its shim waits (struct ms_ev_exit), and memscope
 * stops every thread, reads their registers and memory, scans, and lets
 * them go. `memscope attach` stops an attached process the same way for
 * its live leak checks, and to patch or unpatch it with no thread in the
 * bytes changed. If memscope dies meanwhile, the kernel lets the threads
 * go on untraced.
 */
#ifndef MEMSCOPE_TRACER_H
#define MEMSCOPE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* General-purpose registers kept of a thread: the scan's register roots. */
#define TRACER_MAX_REGS	32

/* Where a thread's stack was live when its process ended. */
struct tracer_stack {
	uint64_t	 sp;
	bool		 alive;		/* the thread lived to the end */
	pid_t		 tid;		/* 0 when not known */
};

/* Every thread of a process stopped, for a scan or a patch. */
struct tracer_hold {
	pid_t		 pid;
	pid_t		*tids;
	size_t		 ntids;
	/*
	 * threads that could not be stopped (another tracer holds them), or
	 * whose registers could not be read: they may run on meanwhile, what
	 * their registers hold unknown
	 */
	pid_t		*unseen;
	size_t		 nunseen;
	/* each thread's stack pointer (alive) */
	struct tracer_stack *stacks;
	size_t		 nstacks;
	/* the registers of every thread but the quiet one, one after another */
	uint64_t	*regs;
	size_t		 nregs;
};

/* Can this machine's memscope trace (an architecture it reads)? */
bool	tracer_supported(void);

/*
 * Stop every thread of pid (those made meanwhile too), their registers
 * not read. False with a reason in why when no thread could be stopped
 * (releasing h then does nothing).
 */
bool	tracer_stop(struct tracer_hold *h, pid_t pid, char *why,
	    size_t whylen);
/*
 * Stop every thread of pid as tracer_stop does and read their stack
 * pointers and registers; quiet_tid's registers are left out (a thread
 * waiting in the shim: its registers are the shim's; 0: none). False
 * with a reason in why when no thread could be stopped.
 */
bool	tracer_hold(struct tracer_hold *h, pid_t pid, pid_t quiet_tid,
	    char *why, size_t whylen);
/* Let every thread stopped go on as it was. */
void	tracer_release(struct tracer_hold *h);

#endif

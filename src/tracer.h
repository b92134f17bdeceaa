/*
 * The tracer: `memscope run` holds its program with ptrace (PTRACE_SEIZE,
 * never stopping it but at the events below) so that it can stop each
 * process of the run at its very end, whatever the way (return from main,
 * exit, _exit, a fatal signal, the last thread ending), with every thread's
 * registers readable and its memory still intact: the moment of the leak
 * scan. Signals pass through unchanged, job control works (group-stops are
 * listened to, not resumed), and if memscope dies the kernel lets the
 * processes go on untraced.
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
};

/* A process at its end, stopped, for the scan. */
struct tracer_end {
	pid_t		 pid;
	pid_t		 tid;		/* the thread stopped: read through it */
	/* every thread's last stack pointer: the end's, or when it exited */
	const struct tracer_stack *stacks;
	size_t		 nstacks;
	/* the registers of the thread that ended the process */
	const uint64_t	*regs;
	size_t		 nregs;
};

struct tracer_thread;
struct tracer_process;

struct tracer {
	struct tracer_thread *threads;
	size_t		 nthreads;
	size_t		 threads_cap;
	struct tracer_process *procs;
	size_t		 nprocs;
	size_t		 procs_cap;
	/* called at each process's end, with the process stopped */
	void		(*on_end)(void *ctx, const struct tracer_end *end);
	void		*ctx;
};

/* Can this machine's memscope trace (an architecture it reads)? */
bool	tracer_supported(void);

/*
 * Start tracing pid (a child that has not exec'd yet) and, with follow,
 * the processes it forks. False with errno when ptrace is refused.
 */
bool	tracer_seize(struct tracer *t, pid_t pid, bool follow);

/*
 * Handle what waitpid() returned for pid. True when it was the end of a
 * traced process (exited or killed; *status holds the wait status) rather
 * than a stop, which is handled and resumed here.
 */
bool	tracer_event(struct tracer *t, pid_t pid, int status);

void	tracer_free(struct tracer *t);

#endif

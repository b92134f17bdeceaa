/* SPDX-License-Identifier: ISC */
/*
 * What memscope knows about one process: its identity and layout, its
 * heap (model-heap.h), its stacks and loaded objects (model-stacks.h),
 * its leak verdicts (model-leaks.h). Sources fill it; views draw it.
 */
#ifndef MEMSCOPE_MODEL_H
#define MEMSCOPE_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "memcounts.h"
#include "model-heap.h"
#include "model-mappings.h"
#include "model-segments.h"
#include "model-stacks.h"

struct leak_report;

/* Address markers of the process image, from /proc/PID/stat (0: hidden). */
struct process_markers {
	uint64_t	 start_code;
	uint64_t	 end_code;
	uint64_t	 start_data;
	uint64_t	 end_data;
	uint64_t	 start_brk;
	uint64_t	 start_stack;
	uint64_t	 arg_start;
	uint64_t	 arg_end;
	uint64_t	 env_start;
	uint64_t	 env_end;
};

/* An ELF object mapped in the process. */
struct process_object {
	const char	*path;		/* interned in the layout's strtab */
	char		 build_id[129];
	bool		 is_exe;
};

struct process {
	pid_t		 pid;
	pid_t		 ppid;
	char		 comm[64];
	char		*exe;		/* NULL when unreadable */
	char		 state;
	unsigned int	 uid;
	struct process_markers markers;

	uint64_t	 vsz;		/* status VmSize */
	struct mem_counts totals;	/* smaps_rollup, else summed */
	bool		 totals_from_rollup;

	struct seg_thread *threads;
	size_t		 nthreads;
	size_t		 threads_located; /* threads whose stack was found */

	struct layout	 layout;
	size_t		 layout_expected; /* segments a trace announced */
	struct process_object *objects;
	size_t		 nobjects;

	/* Under the shim (memscope run): what its events told. */
	char		**argv;		/* NULL-terminated, or NULL */
	bool		 exited;	/* exit_code or exit_signal is known */
	int		 exit_code;
	int		 exit_signal;	/* 0: it exited normally */
	bool		 replaced;	/* this image was replaced by exec */
	bool		 forked;	/* said hello as a fork child */
	bool		 still_running;	/* when the run ended (after its grace) */
	uint64_t	 threads_started;
	struct heap_model heap;
	/* the anonymous mappings it made itself (not its allocator) */
	struct mapping_set own_maps;
	/* where the shim logs its allocator's own mappings (struct
	 * ms_alloc_maps, in the process's memory), 0: no log */
	uint64_t	 alloc_maps;
	struct module_list modules;
	struct leak_report *leaks;	/* scanned at its end, or NULL */
	uint64_t	 fork_token;	/* forked: which fork of its parent */
	bool		 awaiting_parent; /* its inheritance is not known yet */
	/* its end, as the shim said it: the thread that ended it, where that
	 * thread's stack is the program's from, and whether the shim waits
	 * for the leak check (struct ms_ev_exit) */
	pid_t		 end_tid;
	uint64_t	 end_sp;
	bool		 end_held;
	/* the last stack pointers of the threads that ended before it */
	uint64_t	*ended_sps;
	size_t		 nended;
	size_t		 ended_cap;
};

/* The live blocks and own mappings of a process when it forked, until its
 * child claims them. */
struct fork_snapshot {
	pid_t		 parent;
	uint64_t	 token;
	struct heap_block *blocks;
	size_t		 nblocks;
	struct mapping_set own_maps;
};

/*
 * A run: every process that said hello, in that order (the first is the
 * program memscope started), and the stacks they share.
 */
/*
 * The run as a whole: the program memscope run started, or the process
 * memscope attach joined, and how it ended. Its command fills it (memscope
 * report, from the trace).
 */
struct run_identity {
	pid_t		 main_pid;
	char		*path;		/* the program as started, or NULL */
	char		**argv;		/* NULL-terminated, or NULL */
	bool		 exited;	/* its end is known */
	int		 status;	/* its wait(2) status */
	/* memscope attach: the tracked period, not a run */
	bool		 attached;
	uint64_t	 attached_ms;
	/* the detach could not be done (the process was stopped) */
	bool		 left_hooked;
};

struct session {
	struct run_identity run;
	struct process	**procs;
	size_t		 nprocs;
	size_t		 cap;
	struct stack_table stacks;
	/* the rate of the heap events' clock (src/util/clock.c); 0: no times */
	double		 ns_per_tick;
	bool		 inherit_on_fork; /* the leak check wants inheritances */
	struct fork_snapshot *forks;	/* not claimed yet */
	size_t		 nforks;
	size_t		 forks_cap;
};

void	model_session_init(struct session *s);
/* A new process of the session, zeroed but for its heap. */
struct process *model_session_add(struct session *s, pid_t pid);
void	model_session_free(struct session *s);
/* The run is that of pid, started as path (or NULL) argv (or NULL): copied. */
void	model_session_set_run(struct session *s, pid_t pid, const char *path,
	    char *const argv[]);
/* parent is about to fork (its fork number token): its live blocks go to
 * the child, now or when it says hello. */
void	model_session_fork(struct session *s, const struct process *parent,
	    uint64_t token);
/* A forked child said hello: give it what its parent had. */
void	model_session_adopt(struct session *s, struct process *child);

void	model_process_free(struct process *p);
/* p ended with the wait status status (as waitpid gives it). */
void	model_process_exited(struct process *p, int status);
/* Take snap's layout (its segments, objects, threads and totals) into p. */
void	model_process_take_layout(struct process *p, struct process *snap);
/* This image of p was replaced by exec: what it inherited is let go. */
void	model_process_replaced(struct process *p);
/* The ELF object record of path, or NULL. */
const struct process_object *model_process_object(const struct process *p,
	    const char *path);

#endif

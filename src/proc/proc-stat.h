/* SPDX-License-Identifier: ISC */
/* Parsers of /proc/PID/stat, /proc/PID/status and /proc/PID/task/TID/syscall. */
#ifndef MEMSCOPE_PROC_STAT_H
#define MEMSCOPE_PROC_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* From include/linux/sched.h: the task is a kernel thread. */
#define PROC_PF_KTHREAD 0x00200000UL

/*
 * The fields of stat that memscope uses. The address markers are zero when
 * the reader may not ptrace the process (the kernel hides them).
 */
struct proc_stat {
	int		 pid;
	char		 comm[64];
	char		 state;
	int		 ppid;
	unsigned long	 flags;
	uint64_t	 minflt;
	uint64_t	 majflt;
	uint64_t	 utime;		/* clock ticks */
	uint64_t	 stime;
	long		 num_threads;
	uint64_t	 starttime;	/* clock ticks after boot */
	uint64_t	 vsize;		/* bytes */
	uint64_t	 rss_pages;
	uint64_t	 start_code;
	uint64_t	 end_code;
	uint64_t	 start_stack;
	uint64_t	 start_data;
	uint64_t	 end_data;
	uint64_t	 start_brk;
	uint64_t	 arg_start;
	uint64_t	 arg_end;
	uint64_t	 env_start;
	uint64_t	 env_end;
	int		 exit_code;	/* wait(2) status, of a zombie */
};

/*
 * 2137 (sleep) S 2120 2137 2120 0 -1 4194304 96 0 0 0 0 0 0 0 20 0 1 0 ...
 * The command may hold spaces and parentheses: it ends at the last ')'.
 */
int	proc_stat_parse(const char *buf, size_t len, struct proc_stat *st);

struct proc_status {
	char		 name[64];
	char		 state;
	int		 tgid;
	int		 ppid;
	int		 tracer_pid;	/* TracerPid: 0 when none */
	unsigned int	 uid[4];	/* real, effective, saved, filesystem */
	long		 threads;
	bool		 has_vm;	/* Vm* lines present (not a kernel thread) */
	uint64_t	 vm_peak;	/* bytes */
	uint64_t	 vm_size;
	uint64_t	 vm_lck;
	uint64_t	 vm_hwm;
	uint64_t	 vm_rss;
	uint64_t	 vm_swap;
	bool		 has_sig_blocked;
	uint64_t	 sig_blocked;	/* SigBlk: the signals blocked */
};

/* Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n... */
int	proc_status_parse(const char *buf, size_t len, struct proc_status *st);

enum proc_syscall_state {
	PROC_SYSCALL_RUNNING,	/* "running": on a CPU, no registers shown */
	PROC_SYSCALL_BLOCKED,	/* stopped in or outside a syscall; sp, pc set */
};

struct proc_syscall {
	enum proc_syscall_state state;
	long		 nr;		/* -1 when not in a syscall */
	uint64_t	 sp;
	uint64_t	 pc;
};

/*
 * "running", or "-1 SP PC", or "NR ARG1 ... ARG6 SP PC":
 *   230 0x0 0x0 0x7ffc8110cf50 0x7ffc8110cf90 0x0 0x0 0x7ffc8110cf38 0x7fd99b6ad503
 */
int	proc_syscall_parse(const char *buf, size_t len, struct proc_syscall *sc);

/*
 * /proc/uptime: the seconds since boot, then the idle seconds of all CPUs:
 * 350735.47 234388.90
 */
int	proc_uptime_parse(const char *buf, size_t len, double *seconds);

#endif

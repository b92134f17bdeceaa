/* The few ptrace operations the analyzer needs, on one thread at a time. */
#ifndef MEMSCOPE_PTRACE_H
#define MEMSCOPE_PTRACE_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Stop thread tid for as long as it takes to read its stack pointer, then
 * let it go. For a thread running in user space (its syscall file says
 * "running"); PTRACE_SEIZE + PTRACE_INTERRUPT do not disturb its signals.
 * Returns 0, or -1 (not permitted, already traced, exited).
 */
int	ptrace_thread_sp(pid_t tid, uint64_t *sp);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Calling a function inside another process, as a debugger's "call"
 * does, but so that the process never depends on memscope to finish it:
 * one thread of it is stopped with ptrace and made to run the function
 * as the kernel runs a signal handler, on a frame written below its stack
 * that holds the state it was stopped in (registers, FP state, blocked
 * signals), with the C library's signal return as the return address.
 * The function returns into rt_sigreturn, which gives the thread back
 * that state, the system call it was in made to start again: whether or
 * not memscope is still there to watch, SIGKILL included. While memscope
 * is there, it stops the thread at that rt_sigreturn (to read results,
 * to make the next call) and gives the registers back itself. x86-64 only.
 *
 * The thread chosen is one blocked in a system call that holds no lock of
 * the C library (not futex, not the allocator's brk, mmap and friends), or
 * one running the program's own code: a thread stopped inside malloc or
 * the loader would deadlock a call that needs them. The other threads run
 * on; they are never stopped (one holding the loader's lock would deadlock
 * dlopen just as well). A process stopped by a signal (state T) is left
 * alone.
 */
#ifndef MEMSCOPE_INJECT_H
#define MEMSCOPE_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct inject;

/* Is it possible on this machine's architecture? */
bool	inject_supported(void);

/*
 * Stop a thread of pid at a safe moment (waiting up to timeout_ms for
 * one). NULL with a one-line reason in why.
 */
struct inject *inject_begin(pid_t pid, int timeout_ms, char *why, size_t len);

/*
 * Copy len bytes into the stopped thread's scratch space (below its stack
 * pointer, clear of the red zone); their address in the target.
 */
uint64_t inject_push(struct inject *in, const void *p, size_t len);

/*
 * Call fn(args[0..nargs-1]) (at most 6 integer arguments) in the stopped
 * thread. Its return value is lost (the signal return takes the register):
 * a function that has a result to give writes it where an argument says.
 * A call that needs memscope to answer it must end by writing a 32-bit
 * word other than -1 at done (set to -1 before the call); it then runs
 * without stopping at its system calls. With done 0 the thread is stopped
 * at each. While it runs, wait(ctx) is called now and then; when wait
 * returns false memscope stops waiting and the call finishes on its own.
 * False, with why, when the thread died, or the wait gave up.
 */
bool	inject_call(struct inject *in, uint64_t fn, const uint64_t *args,
	    int nargs, uint64_t done, bool (*wait)(void *ctx), void *ctx,
	    char *why, size_t len);

/* Read len bytes of the target at addr (a result of a call). */
bool	inject_read(struct inject *in, uint64_t addr, void *out, size_t len);

/* Give the thread back its state and let it go. */
void	inject_end(struct inject *in);

/*
 * Borrow thread tid of pid that the caller holds stopped (seized with
 * ptrace): inject_end gives it its state back but does not let it go.
 */
struct inject *inject_take(pid_t pid, pid_t tid, char *why, size_t len);

/*
 * The program counter, stack pointer and thread pointer of a thread the
 * caller holds.
 */
bool	inject_thread_at(pid_t tid, uint64_t *pc, uint64_t *sp, uint64_t *tp);

/*
 * The address of the dynamic symbol name (a function or a variable) in
 * the object of pid whose file's name starts with lib ("libc.so."), from
 * its ELF symbol table; 0 when the process maps no such object or it lacks
 * the symbol.
 */
uint64_t inject_symbol(pid_t pid, const char *lib, const char *name);

#endif

/*
 * Calling a function inside another process, as a debugger's "call"
 * does: one thread of it is stopped with ptrace, made to run the function
 * with a return address of 0 (so that it faults, stopping again, when the
 * function returns), and given back its registers, the system call it was
 * in restarted by the kernel as after any signal. x86-64 only.
 *
 * The thread chosen is one blocked in a system call that holds no lock of
 * the C library (not futex, not the allocator's brk, mmap and friends), or
 * one running the program's own code: a thread stopped inside malloc or
 * the loader would deadlock a call that needs them. The other threads run
 * on; they are never stopped (one holding the loader's lock would deadlock
 * dlopen just as well).
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
 * thread; *ret gets its return value. While it runs, wait(ctx) is called
 * now and then (the function may need memscope to answer it). False, with
 * why, when the thread died or took a fatal signal.
 */
bool	inject_call(struct inject *in, uint64_t fn, const uint64_t *args,
	    int nargs, uint64_t *ret, void (*wait)(void *ctx), void *ctx,
	    char *why, size_t len);

/* Read a NUL-terminated string of the target (a dlerror message). */
void	inject_read_string(struct inject *in, uint64_t addr, char *out,
	    size_t len);

/* Give the thread back its registers and let it go. */
void	inject_end(struct inject *in);

/*
 * The address of the dynamic symbol name in the object of pid whose file's
 * name starts with lib ("libc.so."), from its ELF symbol table; 0 when the
 * process maps no such object or it lacks the symbol.
 */
uint64_t inject_symbol(pid_t pid, const char *lib, const char *name);

#endif

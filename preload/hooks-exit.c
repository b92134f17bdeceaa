/* SPDX-License-Identifier: ISC */
/*
 * How a process ends. _exit and _Exit skip the exit handlers, so the shim's
 * on_exit handler would not say how it ended: they say it here. (A fork
 * child's status goes to its parent, not to memscope.)
 *
 * When the analyzer scans the process for leaks at its end (leaks=1), the
 * end is also made to look as it does under valgrind memcheck, whose
 * verdicts memscope reproduces:
 * - libstdc++ and glibc are asked to free their own caches
 *   (__gnu_cxx::__freeres, then __libc_freeres), as valgrind does at exit;
 * - the stack below the exiting thread's frame is zeroed. Memcheck knows
 *   that memory is dead (and the frames exit() then builds over it
 *   uninitialised), so stale pointers left there by returned calls never
 *   keep a block alive. Without this, the unwritten slots of exit()'s own
 *   frames would hold main's old locals and hide leaks. For the same reason
 *   main is called through __libc_start_main here: when it returns, its
 *   frame is dead before exit() runs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

static bool
leak_check_wanted(void)
{
	return shim.opts.leaks && atomic_load(&shim.state) == SHIM_ACTIVE &&
	    getpid() == shim.pid;
}

static bool
parse_hex(const char **s, uintptr_t *out)
{
	uintptr_t v = 0;
	const char *p = *s;

	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			break;
		v = v << 4 | (uintptr_t)d;
	}
	if (p == *s)
		return false;
	*s = p;
	*out = v;
	return true;
}

/*
 * The start of the main thread's stack mapping, "[stack]" in
 * /proc/self/maps, if it holds addr; else 0. Read without allocating:
 * this runs while the process ends.
 */
static uintptr_t
main_stack_start(uintptr_t addr)
{
	char buf[4096];
	size_t have = 0;
	bool at_line_start = true;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	uintptr_t found = 0;

	if (fd == -1)
		return 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *line, *nl;

		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n')) != NULL) {
			const char *p = line;
			uintptr_t lo, hi;

			if (at_line_start && parse_hex(&p, &lo) && *p++ == '-' &&
			    parse_hex(&p, &hi) && addr >= lo && addr < hi) {
				*nl = '\0';
				if (strstr(p, "[stack]") != NULL)
					found = lo;
				goto out;
			}
			at_line_start = true;
			line = nl + 1;
		}
		/* keep a partial line; drop the rest of one too long to hold */
		have = strlen(line);
		if (have == sizeof(buf) - 1) {
			have = 0;
			at_line_start = false;
		} else
			memmove(buf, line, have);
	}
out:
	close(fd);
	return found;
}

/*
 * The lowest address of the calling thread's own stack, or 0 when it is
 * not known to be the thread's alone. The main thread's is its mapping.
 * Another thread's is what pthread gives, never its mapping: a program
 * may carve several threads' stacks from one mmap (pthread_attr_setstack),
 * and below this thread's stack lies another's. A thread made by a raw
 * clone is not where pthread says (its pthread_self is its parent's):
 * nothing is known of it.
 */
static uintptr_t
own_stack_start(uintptr_t here)
{
	pthread_attr_t attr;
	void *addr = NULL;
	size_t size = 0;
	bool ok;

	if (gettid() == getpid())
		return main_stack_start(here);
	/* pthread_getattr_np allocates: neither that nor its free is the
	 * program's */
	shim_seal();
	ok = pthread_getattr_np(pthread_self(), &attr) == 0;
	if (ok) {
		ok = pthread_attr_getstack(&attr, &addr, &size) == 0;
		pthread_attr_destroy(&attr);
	}
	shim_unseal();
	if (!ok || here < (uintptr_t)addr || here >= (uintptr_t)addr + size)
		return 0;
	return (uintptr_t)addr;
}

/*
 * Zero every word of the calling thread's stack from the bottom of its
 * mapping up to a margin below this function's frame. Pages never touched
 * are only read (the zero page), so this costs no memory.
 */
static __attribute__((noinline)) void
scrub_below(uintptr_t low)
{
	volatile char marker = 0;
	uintptr_t high = ((uintptr_t)&marker - 512) & ~(uintptr_t)7;

	for (volatile uint64_t *p = (volatile uint64_t *)low;
	    (uintptr_t)p < high; p++)
		if (*p != 0)
			*p = 0;
	(void)marker;
}

static __attribute__((noinline)) void
scrub_dead_stack(void)
{
	volatile char here = 0;
	uintptr_t low = own_stack_start((uintptr_t)&here);

	if (low != 0)
		scrub_below(low);
	(void)here;
}

/* The state letter of thread tid of this process, or 0. */
static char
task_state(const char *tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%s/stat", tid);
	return shim_stat_state(path);
}

/*
 * How many threads of the process still run (not zombies: a traced
 * thread that has exited stays one until memscope reaps it), read with
 * getdents64 (no allocation while the process ends); 0 if unknown.
 */
static long
threads_running(void)
{
	char buf[4096];
	long n, running = 0;
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			const char *name = buf + off + 19;
			char state;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (name[0] >= '0' && name[0] <= '9' &&
			    (state = task_state(name)) != 0 && state != 'Z' &&
			    state != 'X')
				running++;
			off += reclen;
		}
	close(fd);
	return n < 0 ? 0 : running;
}

/*
 * The last thing before the process goes: free what the runtime libraries
 * keep for themselves, once. The frees are recorded as the program's.
 * Only when no other thread runs: one still at work (exit() does not wait
 * for them) could use what is freed, and the program must not crash
 * because memscope watched it. valgrind frees them regardless.
 */
void
shim_final(void)
{
	static _Atomic int done;
	void (*cxx_freeres)(void), (*libc_freeres)(void);

	if (!leak_check_wanted() || atomic_exchange(&done, 1) != 0 ||
	    threads_running() != 1)
		return;
	/* not dlsym: failing, it frees the program's dlerror text unseen */
	cxx_freeres = (void (*)(void))dynsym_lookup("_ZN9__gnu_cxx9__freeresEv");
	libc_freeres = (void (*)(void))dynsym_lookup("__libc_freeres");
	if (cxx_freeres != NULL)
		cxx_freeres();
	if (libc_freeres != NULL)
		libc_freeres();
}

/* _exit and _Exit: no exit handler will run, so say it all here. */
static __attribute__((noinline)) void
ending_now(int status, const void *floor)
{
	if (unlikely(shim.real._exit == NULL))
		shim_resolve();
	if (leak_check_wanted())
		scrub_dead_stack();
	shim_exiting(status, 0, floor);
}

SHIM_EXPORT void
_exit(int status)
{
	ending_now(status, __builtin_frame_address(0));
	shim.real._exit(status);
}

SHIM_EXPORT void
_Exit(int status)
{
	ending_now(status, __builtin_frame_address(0));
	shim.real._Exit(status);
}

SHIM_EXPORT void
exit(int status)
{
	if (unlikely(shim.real.exit == NULL))
		shim_resolve();
	if (leak_check_wanted())
		scrub_dead_stack();
	shim.real.exit(status);
}

static int (*program_main)(int, char **, char **);

/* main, as glibc would call it, but its frame dead before exit() runs */
static int
shim_main(int argc, char **argv, char **envp)
{
	int status = program_main(argc, argv, envp);

	exit(status);
}

/* glibc declares it nowhere: it is the entry of _start */
int	__libc_start_main(int (*)(int, char **, char **), int, char **,
	    void (*)(void), void (*)(void), void (*)(void), void *);

SHIM_EXPORT int
__libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
    void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
    void *stack_end)
{
	if (unlikely(shim.real.libc_start_main == NULL))
		shim_resolve();
	program_main = main;
	return shim.real.libc_start_main(shim_main, argc, argv, init, fini,
	    rtld_fini, stack_end);
}

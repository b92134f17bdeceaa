/* SPDX-License-Identifier: ISC */
/*
 * The preload shim's internals. It runs inside an arbitrary program, so:
 * no output (but under MEMSCOPE_DEBUG), no exit, errno and every return
 * value preserved, no lock on the fast path, and on any failure it turns
 * itself into a pass-through. It includes only src/wire/ of memscope.
 */
#ifndef MEMSCOPE_SHIM_H
#define MEMSCOPE_SHIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sigaction;

#include "event-clock.h"
#include "detour-table.h"
#include "protocol.h"
#include "ring.h"

#define SHIM_EXPORT	__attribute__((visibility("default")))
#define SHIM_TLS	__thread __attribute__((tls_model("initial-exec")))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

enum shim_state {
	SHIM_UNINIT,		/* nothing done yet */
	SHIM_INITIALIZING,	/* one thread is setting up */
	SHIM_ACTIVE = MS_STATE_RECORDING, /* recording */
	SHIM_PASSTHROUGH,	/* no analyzer: only forwarding */
	/* attached, forwarding until memscope starts the recording */
	SHIM_ARMED = MS_STATE_ARMED,
};

/* The next definitions of what the shim interposes (RTLD_NEXT). */
struct shim_real {
	void	*(*malloc)(size_t);
	void	 (*free)(void *);
	void	*(*calloc)(size_t, size_t);
	void	*(*realloc)(void *, size_t);
	void	*(*reallocarray)(void *, size_t, size_t);
	void	*(*memalign)(size_t, size_t);
	int	 (*posix_memalign)(void **, size_t, size_t);
	void	*(*aligned_alloc)(size_t, size_t);
	void	*(*valloc)(size_t);
	void	*(*pvalloc)(size_t);
	void	*(*mmap)(void *, size_t, int, int, int, off_t);
	void	*(*mmap64)(void *, size_t, int, int, int, off_t);
	int	 (*munmap)(void *, size_t);
	void	*(*mremap)(void *, size_t, size_t, int, ...);
	int	 (*brk)(void *);
	void	*(*sbrk)(intptr_t);
	void	*(*dlopen)(const char *, int);
	int	 (*dlclose)(void *);
	int	 (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int	 (*pipe2)(int *, int);
	void	 (*_exit)(int) __attribute__((noreturn));
	void	 (*_Exit)(int) __attribute__((noreturn));
	void	 (*exit)(int) __attribute__((noreturn));
	int	 (*libc_start_main)(int (*)(int, char **, char **), int, char **,
		    void (*)(void), void (*)(void), void (*)(void), void *);
	size_t	 (*malloc_usable_size)(void *);
};

struct shim_options {
	int	 depth;		/* frames per stack, 0: no stacks */
	bool	 follow;	/* track forked children and exec'd images */
	uint64_t ring_size;	/* bytes of the data area */
	bool	 leaks;		/* the analyzer scans the process at its end */
	/* measure beyond the calls: usable sizes, the allocator's figures,
	 * the events' times (lifetimes) */
	bool	 stats;
};

struct shim {
	_Atomic int	 state;
	struct shim_real real;
	struct shim_options opts;
	struct ms_ring	 ring;
	void		*ring_base;
	size_t		 ring_len;
	pid_t		 pid;		/* whose ring it is (not a vfork child's) */
	/* the analyzer's doorbell and pid (struct ms_doorbell) */
	struct ms_doorbell *doorbell;
	pid_t		 analyzer_pid;
	_Atomic uint32_t next_thread;
	/* a new ring (a fork child's, an attach's): threads say hello again */
	_Atomic uint32_t generation;
	_Atomic uint64_t forks;		/* MS_EV_FORK tokens given */
	uint64_t	 fork_token;	/* a fork child: its parent's token */
	uintptr_t	 self_start;	/* the shim's own code, to skip its frames */
	uintptr_t	 self_end;
	uintptr_t	 unwind_start;	/* libunwind's: its own calls are not the program's */
	uintptr_t	 unwind_end;
	/* a library that defines malloc (not the C library, not the
	 * program): its mappings are its own (alloc-maps.c) */
	uintptr_t	 alloc_start;
	uintptr_t	 alloc_end;
	bool		 glibc_malloc;	/* the malloc is glibc's: chunk headers readable */
	/* the analyzer's socket: from the environment, or memscope_attach's */
	char		 socket_path[108];
	/* joined late by memscope attach: hooks by GOT, not by preload */
	bool		 attached;
	/*
	 * Non-zero in the process that made the ring; a page the kernel
	 * zeroes in a child made by any fork (MADV_WIPEONFORK), the C
	 * library's or a raw system call's: such a child must not write
	 * into its parent's ring.
	 */
	const volatile uint32_t *ring_here;
};

struct defer_list;	/* producer.h */

/* Per thread. */
struct shim_thread {
	/*
	 * The guard: how deep the thread is in the shim's own work. A call
	 * that finds it up is the shim's (not recorded) or a signal
	 * handler's (recorded: shim_enter tells which); SHIM_SEALED levels
	 * mark work during which nothing may be recorded at all.
	 */
	int		 in_hook;
	uint16_t	 number;	/* its number in the ring of generation */
	uint32_t	 generation;	/* 0 until the thread's first event */
	bool		 ended;
	uint64_t	 fork_token;	/* of this thread's last fork */
	bool		 in_fork;	/* in the C library's fork (fork.c) */
	uint32_t	 allocs_since_check; /* allocator.c */
	/* producer.c: the slot the thread's outermost work holds unpublished,
	 * and the records its signal handlers deferred */
	_Atomic uint64_t outer_pos;
	uint32_t	 outer_len;	/* its length */
	/* a fatal signal that came while the slot was reserved (hooks-signal.c) */
	int		 fatal_pending;
	struct defer_list *_Atomic deferred;
};

extern struct shim shim;
extern SHIM_TLS struct shim_thread shim_self;

#define SHIM_SEALED	0x10000

/* Setting up or tearing down: no call is recorded, not even a handler's. */
static inline void
shim_seal(void)
{
	shim_self.in_hook += SHIM_SEALED;
}

static inline void
shim_unseal(void)
{
	shim_self.in_hook -= SHIM_SEALED;
}

/* In a hook that a signal handler entered while the shim was at work? */
static inline bool
shim_nested(void)
{
	return shim_self.in_hook > 1;
}

/* The time of a heap event, or 0 when the analyzer asked for none. */
static inline uint64_t
shim_time(void)
{
	return likely(shim.opts.stats) ? ms_clock() : 0;
}

/* shim.c */
bool	shim_enter(void);	/* true: record this call; sets the guard */
void	shim_leave(void);
void	shim_init(void);
void	shim_passthrough(void);
void	shim_parse_options(const char *s);
/*
 * The process ends (status, or the fatal signal sig): say so and, under
 * the leak check, wait while the analyzer scans it. floor: the outermost
 * frame of the shim's on this stack, below which nothing is the program's.
 */
void	shim_exiting(int status, int sig, const void *floor);
/* hooks-exit.c: make the end of the process what the leak check expects */
void	shim_final(void);
void	shim_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The state letter in a /proc/.../stat file, or 0. */
char	shim_stat_state(const char *path);
bool	shim_connect(int ppid, uint32_t flags);
/* A child forked without the C library's fork: the parent's ring let go. */
void	shim_forked(void);
void	shim_resolve(void);
/* The same for a shim loaded late: the program's own definitions. */
void	shim_resolve_global(void);
/* bootstrap.c: allocations served while dlsym resolves the real functions */
void	*bootstrap_alloc(size_t size, size_t align);
bool	 bootstrap_owns(const void *p);
size_t	 bootstrap_size(const void *p);

/* stack.c */
uint64_t stack_capture(void);
/* Set libunwind up, leaving no descriptor of its own in the program. */
void	stack_init(void);
/* Was this call made by a signal handler that interrupted the shim? */
bool	stack_in_handler(void);
/* A new ring (after fork): name the table of stacks sent in its header. */
void	stack_publish_table(void);

/*
 * dynsym.c: the definition of a function that a loaded object other than
 * the shim exports, the first in load order, without dlsym; or NULL. With
 * its size, from its symbol (0: unknown).
 */
void	*dynsym_lookup(const char *name);
void	*dynsym_lookup_sized(const char *name, size_t *size);

/* modules.c */
void	modules_scan(void);
/* Objects loaded or unloaded since the last look? Then scan again. */
void	modules_check(void);
void	modules_forget(void);
void	modules_find_self(void);
/* The address range of an object's PT_LOAD segments. */
struct dl_phdr_info;
void	object_span(const struct dl_phdr_info *info, uintptr_t *start,
	    uintptr_t *end);
/* Was the call made by the shim's own machinery (libunwind)? */
static inline bool
shim_internal_caller(const void *ret)
{
	return (uintptr_t)ret >= shim.unwind_start && (uintptr_t)ret < shim.unwind_end;
}

/* alloc-maps.c: the allocator's own mappings, logged for the leak check */
void	alloc_maps_find_allocator(void);
void	alloc_maps_note(uint32_t op, const void *addr, size_t len);
void	alloc_maps_publish(void);
/* Was the call made by the allocator's library? */
static inline bool
alloc_maps_caller(const void *ret)
{
	return (uintptr_t)ret - shim.alloc_start < shim.alloc_end - shim.alloc_start;
}

/* allocator.c: the allocator's own figures, now and then and at the end */
void	allocator_init(void);
void	allocator_tick(void);
void	allocator_final(void);
/* The last sample of an attached period (not the process's end). */
void	allocator_sample_last(void);

/* fork.c */
void	fork_install(void);

/* hooks-signal.c: fatal signals whose action is the default end the
 * process through the shim, which holds it for the leak check first */
void	signals_install(void);
/* The fatal signal that came while this thread reserved a slot: now. */
void	signals_deferred(void);

/* attach.c: what memscope attach calls in the process (through ptrace) */
int	memscope_attach(const char *socket_path, const char *options,
	    int *status) SHIM_EXPORT;
int	memscope_detach(void) SHIM_EXPORT;
int	memscope_release(void) SHIM_EXPORT;

/* got.c: hooks by GOT for memscope attach */
bool	got_init(void);
/* The shim's own definition of a function it hooks (after got_init). */
uintptr_t got_own(const char *name);
void	got_hook_all(void);
void	got_unhook_all(void);
/* After dlclose: the slots of objects gone are no longer ours to restore. */
void	got_forget_unloaded(void);
/* hooks-dl.c: what the patched dlopen and dlclose slots lead to */
void	*got_dlopen(const char *file, int mode);
int	 got_dlclose(void *handle);

/*
 * detour.c: the table of the allocator's entries for memscope to patch
 * (src/wire/detour-table.h), filled (after got_init) where it is still empty.
 */
void	detours_prepare(void);

/* stack.c: a new analyzer knows none of the stacks sent before */
void	stack_forget(void);

#endif

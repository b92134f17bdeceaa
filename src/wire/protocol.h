/* SPDX-License-Identifier: ISC */
/*
 * The wire protocol between the preload shim (inside the target) and the
 * analyzer: the hello on the Unix socket, the ring header in the shared
 * memfd, and the event records in the ring. Pure data, shared by both
 * sides and owned by neither.
 *
 * Bump MS_PROTOCOL_VERSION if any of these change: a struct's layout, a
 * record type's meaning, an environment variable. The analyzer refuses a
 * shim of another version, naming both.
 */
#ifndef MEMSCOPE_WIRE_PROTOCOL_H
#define MEMSCOPE_WIRE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define MS_PROTOCOL_VERSION	5u

/* Environment given to the target by `memscope run`. */
#define MS_ENV_SOCKET		"MEMSCOPE_SOCKET"	/* the analyzer's socket path */
#define MS_ENV_OPTIONS		"MEMSCOPE_OPTIONS"	/* "depth=64,follow=1,ring=8388608,stats=1" */
#define MS_ENV_DEBUG		"MEMSCOPE_DEBUG"	/* the shim may write to stderr */

#define MS_HELLO_MAGIC		0x4f4c4c45484d534dULL	/* "MSMHELLO" */
#define MS_RING_MAGIC		0x31474e4952534d4dULL	/* "MMSRING1" */

#define MS_MAX_DEPTH		256	/* frames in a stack record */
#define MS_PATH_MAX		4096

/*
 * First message of a shim on its connection (SOCK_SEQPACKET), carrying the
 * ring's memfd as SCM_RIGHTS. The analyzer answers with struct
 * ms_hello_reply carrying the memfd of its doorbell (struct ms_doorbell).
 * The shim maps both, then closes every descriptor of its own: from then
 * on the program's descriptor table is what it would be without memscope,
 * and all the shim and the analyzer say to each other goes through the
 * shared memory.
 */
struct ms_hello {
	uint64_t	magic;
	uint32_t	version;
	int32_t		pid;
	int32_t		ppid;
	uint32_t	flags;		/* MS_HELLO_* */
	uint64_t	ring_size;	/* bytes of the memfd, header included */
	uint64_t	fork_token;	/* MS_HELLO_FORKED: its parent's MS_EV_FORK */
	char		exe[MS_PATH_MAX];	/* /proc/self/exe */
};

#define MS_HELLO_FORKED		0x1	/* made by a fork child, not by exec */
#define MS_HELLO_ATTACHED	0x2	/* loaded into a running process (attach) */
/* every flag a shim of this version may set */
#define MS_HELLO_FLAGS		(MS_HELLO_FORKED | MS_HELLO_ATTACHED)

struct ms_hello_reply {
	uint64_t	magic;
	uint32_t	version;
	uint32_t	accepted;	/* 0: the shim goes pass-through */
};

/*
 * The analyzer's doorbell: one page of shared memory for every shim of a
 * run. A producer that finds the consumer asleep bumps `ring` and
 * futex-wakes it (a shared futex works across processes); the analyzer
 * keeps `heartbeat_ms` fresh (CLOCK_MONOTONIC) while it lives. A shim
 * waiting for room takes the analyzer for gone when its pid no longer
 * exists, or when the heartbeat is stale and the process is not stopped
 * (a stopped analyzer is waited for, as a full pipe would be).
 */
#define MS_DOORBELL_MAGIC	0x4c4c4542524f4f44ULL	/* "DOORBELL" */
#define MS_DOORBELL_SIZE	4096
#define MS_HEARTBEAT_MS		100	/* how often the analyzer beats */
#define MS_HEARTBEAT_STALE_MS	3000	/* no beat for this long: look */

struct ms_doorbell {
	uint64_t	magic;
	int32_t		analyzer_pid;
	uint32_t	pad;
	_Alignas(64) _Atomic uint32_t ring;	/* the futex word */
	_Alignas(64) _Atomic uint64_t heartbeat_ms;
};

_Static_assert(sizeof(struct ms_doorbell) <= MS_DOORBELL_SIZE,
    "doorbell larger than its page");

/*
 * The ring: a header page, then `capacity` bytes of records (a power of
 * two). Positions are byte counts since the start, never wrapped; the
 * offset in the data area is position & (capacity - 1). Producers reserve
 * with one atomic add on `head`; the consumer reads in reservation order
 * from `tail`, zeroes what it read, then moves `tail`.
 */
#define MS_CACHELINE		64
#define MS_RING_HEADER_SIZE	4096

struct ms_ring_header {
	uint64_t	magic;
	uint32_t	version;
	uint32_t	header_size;	/* MS_RING_HEADER_SIZE */
	uint64_t	capacity;	/* bytes of the data area */
	int32_t		pid;
	uint32_t	pad0;

	/* producers: the next byte to reserve */
	_Alignas(MS_CACHELINE) _Atomic uint64_t head;
	/* consumer: everything before tail is free */
	_Alignas(MS_CACHELINE) _Atomic uint64_t tail;
	/* a futex word the consumer bumps when it frees space for waiters */
	_Atomic uint32_t tail_seq;
	/* producers sleeping until tail_seq moves */
	_Atomic uint32_t producers_waiting;

	_Alignas(MS_CACHELINE) _Atomic uint32_t consumer_sleeping;
	/* set by the shim when it lost the analyzer and went pass-through */
	_Atomic uint32_t shim_detached;
	/* events that found the ring full and waited */
	_Atomic uint64_t waits;
	/* events lost after the analyzer went away */
	_Atomic uint64_t dropped;

	/* the shim's own memory, which the leak scan must not take for the
	 * program's (its table of the stacks sent); 0 when there is none */
	_Alignas(MS_CACHELINE) _Atomic uint64_t private_start;
	_Atomic uint64_t private_len;
	/* where the log of the allocator's own mappings is (struct
	 * ms_alloc_maps), in the process's memory; 0 when there is none */
	_Atomic uint64_t alloc_maps;

	/*
	 * The end of the process (struct ms_ev_exit with MS_EXIT_HOLD): the
	 * shim waits until the analyzer has scanned the process and set this
	 * (a futex word), or is gone.
	 */
	_Alignas(MS_CACHELINE) _Atomic uint32_t end_released;
};

_Static_assert(sizeof(struct ms_ring_header) <= MS_RING_HEADER_SIZE,
    "ring header larger than its page");
_Static_assert(offsetof(struct ms_ring_header, tail) -
    offsetof(struct ms_ring_header, head) >= MS_CACHELINE,
    "head and tail share a cache line");

/*
 * Every record starts with this header; records are multiples of 8 bytes,
 * so a header never straddles the end of the data area (the rest of a
 * record may, and wraps). `len` is stored last, with release order: a
 * zero len means "reserved, not yet published".
 */
struct ms_record {
	_Atomic uint32_t len;	/* bytes, header included */
	uint16_t	type;	/* MS_EV_* */
	uint16_t	thread;	/* the shim's number for the thread, from 1 */
};

_Static_assert(sizeof(struct ms_record) == 8, "record header is 8 bytes");

enum ms_event_type {
	MS_EV_ALLOC = 1,	/* struct ms_ev_alloc */
	MS_EV_FREE,		/* struct ms_ev_free */
	MS_EV_REALLOC,		/* struct ms_ev_realloc */
	MS_EV_MMAP,		/* struct ms_ev_mmap */
	MS_EV_MUNMAP,		/* struct ms_ev_munmap */
	MS_EV_MREMAP,		/* struct ms_ev_mremap */
	MS_EV_BRK,		/* struct ms_ev_brk */
	MS_EV_STACK,		/* struct ms_ev_stack + frames */
	MS_EV_MODULE,		/* struct ms_ev_module + path */
	MS_EV_THREAD,		/* struct ms_ev_thread */
	MS_EV_REALLOC_DONE,	/* struct ms_ev_realloc_done */
	MS_EV_EXIT,		/* struct ms_ev_exit */
	MS_EV_FORK,		/* struct ms_ev_fork */
	MS_EV_ALLOCATOR,	/* struct ms_ev_allocator */
	/* nothing: a slot whose event was never made (its thread ended
	 * in a fatal signal's handler that interrupted the shim) */
	MS_EV_SKIP,
	MS_EV_TYPE_MAX
};

/* Which call made a block (ms_ev_alloc.fn). */
enum ms_alloc_fn {
	MS_FN_MALLOC = 1,
	MS_FN_CALLOC,
	MS_FN_REALLOC,		/* realloc(NULL, n) */
	MS_FN_REALLOCARRAY,
	MS_FN_MEMALIGN,
	MS_FN_POSIX_MEMALIGN,
	MS_FN_ALIGNED_ALLOC,
	MS_FN_VALLOC,
	MS_FN_PVALLOC,
};

/* In fn: the allocator served the block with a mapping of its own (glibc). */
#define MS_FN_MMAPPED	0x100u
/* In spare: more than fits, or malloc_usable_size unknown. */
#define MS_SPARE_UNKNOWN	UINT32_MAX

struct ms_ev_alloc {
	struct ms_record hdr;
	uint64_t	addr;
	uint64_t	size;		/* requested bytes */
	uint64_t	stack;		/* stack id, 0 without stacks */
	uint32_t	fn;		/* enum ms_alloc_fn | MS_FN_MMAPPED */
	uint32_t	spare;		/* malloc_usable_size(addr) - size */
	uint64_t	time;		/* ms_clock() after the call; 0: not taken */
};

struct ms_ev_free {
	struct ms_record hdr;
	uint64_t	addr;
	uint64_t	time;		/* ms_clock() before the call; 0: not taken */
};

/*
 * realloc(p, n) of a block, in two records, because the old block and the
 * new one obey opposite halves of the ordering rule. MS_EV_REALLOC is
 * reserved before the real call (p may be handed to another thread as soon
 * as the call frees it) and says what became of p; MS_EV_REALLOC_DONE is
 * reserved after the call (the new address may have been freed by another
 * thread just before) and creates the new block.
 */
enum ms_realloc_status {
	MS_REALLOC_FAILED = 1,	/* NULL returned, p still live: nothing changes */
	MS_REALLOC_FREED,	/* realloc(p, 0) freed p and returned NULL */
	MS_REALLOC_MOVED,	/* p released; a REALLOC_DONE follows */
};

struct ms_ev_realloc {
	struct ms_record hdr;
	uint64_t	old_addr;
	uint32_t	status;		/* enum ms_realloc_status */
	uint32_t	pad;
	uint64_t	time;		/* ms_clock() before the call; 0: not taken */
};

struct ms_ev_realloc_done {
	struct ms_record hdr;
	uint64_t	addr;
	uint64_t	size;
	uint64_t	stack;
	uint32_t	flags;		/* MS_FN_MMAPPED */
	uint32_t	spare;		/* as in ms_ev_alloc */
	uint64_t	time;		/* ms_clock() after the call; 0: not taken */
};

struct ms_ev_mmap {
	struct ms_record hdr;
	uint64_t	addr;
	uint64_t	len;
	uint64_t	stack;
	int32_t		prot;
	int32_t		flags;
	int32_t		fd;
	uint32_t	pad;
};

/* Reserved before the real call, published after it with its result. */
struct ms_ev_munmap {
	struct ms_record hdr;
	uint64_t	addr;
	uint64_t	len;
	int32_t		failed;
	uint32_t	pad;
};

struct ms_ev_mremap {
	struct ms_record hdr;
	uint64_t	old_addr;
	uint64_t	old_len;
	uint64_t	new_addr;	/* 0: failed */
	uint64_t	new_len;
};

struct ms_ev_brk {
	struct ms_record hdr;
	uint64_t	old_brk;
	uint64_t	new_brk;
};

/* A call stack, sent once; later events refer to it by id. */
struct ms_ev_stack {
	struct ms_record hdr;
	uint64_t	id;		/* a hash of the frames, never 0 */
	uint32_t	nframes;
	uint32_t	pad;
	/* uint64_t frames[nframes]: return addresses, innermost first */
};

enum ms_module_op {
	MS_MODULE_LOADED = 1,
	MS_MODULE_UNLOADED,
};

/* A loaded object: the executable, a library, the vdso. */
struct ms_ev_module {
	struct ms_record hdr;
	uint64_t	base;		/* load bias (dlpi_addr) */
	uint64_t	start;		/* lowest PT_LOAD address */
	uint64_t	end;		/* end of the highest PT_LOAD */
	uint32_t	op;		/* enum ms_module_op */
	uint32_t	build_id_len;
	uint8_t		build_id[32];
	uint32_t	path_len;	/* bytes of path that follow, no NUL */
	uint32_t	pad;
	/* char path[path_len] */
};

enum ms_thread_op {
	MS_THREAD_STARTED = 1,	/* its first event */
	MS_THREAD_ENDED,
};

struct ms_ev_thread {
	struct ms_record hdr;
	int32_t		tid;
	uint32_t	op;		/* enum ms_thread_op */
	/* MS_THREAD_ENDED: its stack pointer as it ends; below it the
	 * thread's stack is dead (the leak scan's floor for that stack) */
	uint64_t	sp;
};

/*
 * The process is about to fork (from an atfork prepare handler): the
 * child inherits the blocks live at this point, and says token in its
 * hello so that memscope knows which fork made it.
 */
struct ms_ev_fork {
	struct ms_record hdr;
	uint64_t	token;		/* 1, 2, ... in this process */
};

/*
 * The allocator's own figures (glibc's mallinfo2 and malloc_info), taken
 * by the shim now and then while the program allocates, and at its end.
 */
struct ms_ev_allocator {
	struct ms_record hdr;
	uint64_t	system_bytes;	/* from the system: arena + hblkhd */
	uint64_t	in_use_bytes;	/* in blocks: uordblks + hblkhd */
	uint64_t	free_bytes;	/* kept free: fordblks */
	uint64_t	top_bytes;	/* releasable at the top: keepcost */
	uint64_t	mmapped_bytes;	/* hblkhd */
	uint64_t	mmapped_blocks;	/* hblks */
	uint64_t	free_chunks;	/* ordblks */
	uint64_t	fastbin_free_bytes; /* fsmblks */
	uint32_t	arenas;		/* malloc_info's heaps */
	uint32_t	at_exit;	/* 1: the last, as the process ends */
	uint32_t	nclasses;	/* struct ms_free_class entries that follow */
	uint32_t	pad;
};

/* Free chunks of one size class, as malloc_info lists them, all arenas summed. */
struct ms_free_class {
	uint32_t	from;		/* chunk sizes, as malloc_info gives them */
	uint32_t	to;
	uint64_t	count;
	uint64_t	bytes;
};

#define MS_FREE_CLASSES_MAX	96

/*
 * The process is ending with this status: from an on_exit handler (exit(),
 * or returning from main), from _exit(), or from the shim's handler of a
 * fatal signal whose action was the default. A fork child's status goes
 * to its parent, not to memscope, so this is how memscope learns it.
 * With MS_EXIT_HOLD the shim then waits for ms_ring_header.end_released:
 * the analyzer stops every thread, scans the process for leaks, and lets
 * it go on to its end. tid is the thread waiting; below sp its stack is
 * the shim's own frames and dead ones, not the program's.
 */
struct ms_ev_exit {
	struct ms_record hdr;
	int32_t		status;		/* as given to exit(), or 0 */
	int32_t		signal;		/* a fatal signal's number, or 0 */
	int32_t		tid;
	uint32_t	flags;		/* MS_EXIT_* */
	uint64_t	sp;
};

#define MS_EXIT_HOLD		0x1	/* the shim waits for end_released */

/*
 * The mappings of the allocator's own, when it is a library that defines
 * malloc other than the C library (jemalloc, tcmalloc, mimalloc): each
 * mmap, munmap and mremap called from that library, appended in order to
 * a log in the process's private memory (not the ring: they come from
 * inside the allocator's calls, where the shim records nothing). The leak
 * check replays it to keep that memory out of its roots, whatever maps
 * line the kernel merged it into. An unmapping is logged before its call,
 * a mapping after; an entry counts once its `done` is set (release). The
 * log is a fixed size: `taken` beyond `capacity` says it overflowed.
 */
#define MS_ALLOC_MAPS_MAGIC	0x5350414d434f4c41ULL	/* "ALOCMAPS" */
#define MS_ALLOC_MAPS_SIZE	(1u << 20)	/* bytes, header included */

enum ms_alloc_map_op {
	MS_ALLOC_MAP = 1,	/* [addr, addr + len) is the allocator's */
	MS_ALLOC_UNMAP,		/* and is no longer */
};

struct ms_alloc_map {
	uint64_t	addr;
	uint64_t	len;
	uint32_t	op;		/* enum ms_alloc_map_op */
	_Atomic uint32_t done;
};

struct ms_alloc_maps {
	uint64_t	magic;
	uint64_t	capacity;	/* entries */
	_Atomic uint64_t taken;
	uint64_t	pad;
	/* struct ms_alloc_map entries[capacity] */
};

_Static_assert(sizeof(struct ms_alloc_map) == 24, "alloc map entry is 24 bytes");
_Static_assert(sizeof(struct ms_alloc_maps) == 32, "alloc maps header is 32 bytes");

/* Round a record length up to the ring's 8-byte granule. */
#define MS_RECORD_ALIGN(n)	(((n) + 7u) & ~(uint32_t)7u)

#endif

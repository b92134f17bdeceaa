/* SPDX-License-Identifier: ISC */
/*
 * Call stacks, captured with libunwind and sent once each: a stack's id is
 * a hash of its frames, and a lock-free set of the ids already sent keeps
 * them from being sent again. Two threads meeting the same new stack at
 * once may both refer to it before it is published; the analyzer resolves
 * ids at report time, so that order does not matter. A fork child keeps
 * the set: ids belong to the whole run, and the parent sent them already.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "producer.h"
#include "shim.h"

#define SEEN_SLOTS	(1u << 20)	/* 8 MiB of ids, touched as needed */
#define SEEN_PROBES	32
#define SHIM_FRAMES_MAX	8		/* the shim's own frames on top */

static _Atomic uint64_t *seen;
static _Atomic int seen_state;		/* 0 none, 1 mapping, 2 mapped, 3 failed */

static bool
seen_table(void)
{
	int expected = 0;
	void *p;

	if (atomic_load_explicit(&seen_state, memory_order_acquire) == 2)
		return true;
	if (atomic_compare_exchange_strong(&seen_state, &expected, 1)) {
		p = shim.real.mmap(NULL, SEEN_SLOTS * sizeof(uint64_t),
		    PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			atomic_store(&seen_state, 3);
			return false;
		}
		seen = p;
		atomic_store_explicit(&seen_state, 2, memory_order_release);
		stack_publish_table();
		return true;
	}
	/* being mapped (by another thread, or by the code a signal handler
	 * interrupted: waiting would never end): send the stack meanwhile */
	return atomic_load_explicit(&seen_state, memory_order_acquire) == 2;
}

/* Tell the analyzer, in the ring's header, where the table is. */
void
stack_publish_table(void)
{
	if (shim.ring.hdr == NULL ||
	    atomic_load_explicit(&seen_state, memory_order_acquire) != 2)
		return;
	atomic_store(&shim.ring.hdr->private_start, (uintptr_t)seen);
	atomic_store(&shim.ring.hdr->private_len, SEEN_SLOTS * sizeof(uint64_t));
}

void
stack_forget(void)
{
	/* zero pages again: the set is empty */
	if (atomic_load(&seen_state) == 2)
		madvise((void *)seen, SEEN_SLOTS * sizeof(uint64_t), MADV_DONTNEED);
	stack_publish_table();
}

/* Add id to the set. True when it is new (the caller sends the stack). */
static bool
seen_insert(uint64_t id)
{
	size_t slot = (size_t)(id >> 20) & (SEEN_SLOTS - 1);

	if (!seen_table())
		return true;
	for (int i = 0; i < SEEN_PROBES; i++) {
		uint64_t cur = atomic_load_explicit(&seen[slot], memory_order_relaxed);

		if (cur == id)
			return false;
		if (cur == 0 && atomic_compare_exchange_strong(&seen[slot], &cur, id))
			return true;
		if (cur == id)
			return false;
		slot = (slot + 1) & (SEEN_SLOTS - 1);
	}
	return true;	/* a full neighbourhood: send it again, harmless */
}

static uint64_t
hash_frames(void *const *frames, int n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;

	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)(uintptr_t)frames[i];
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	return h | 1;	/* 0 means "no stack" */
}

static bool
in_shim(const void *ip)
{
	uintptr_t a = (uintptr_t)ip;

	return a >= shim.self_start && a < shim.self_end;
}

/*
 * The return addresses of the calling code, frame by frame with a cursor:
 * slower than unw_backtrace, but without its per-thread cache of frames,
 * which the code a signal handler interrupted may be updating. libunwind's
 * other caches are taken with every signal blocked.
 */
static int
backtrace_by_steps(void **frames, int max)
{
	unw_context_t ctx;
	unw_cursor_t c;
	unw_word_t ip;
	int n = 0;

	if (unw_getcontext(&ctx) != 0 || unw_init_local(&c, &ctx) != 0)
		return 0;
	do {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0 || ip == 0)
			break;
		frames[n++] = (void *)ip;
	} while (n < max && unw_step(&c) > 0);
	return n;
}

/*
 * Walk up from the call to the first frame of the shim's work: a signal
 * frame on the way means that a handler interrupted that work and made
 * this call; none means that the work made it (through libunwind, libc,
 * or the allocator it called). 64 frames without either: the shim's.
 */
bool
stack_in_handler(void)
{
	unw_context_t ctx;
	unw_cursor_t c;
	unw_word_t ip;
	bool left_shim = false;

	if (unw_getcontext(&ctx) != 0 || unw_init_local(&c, &ctx) != 0)
		return false;
	for (int i = 0; i < 64 && unw_step(&c) > 0; i++) {
		if (unw_is_signal_frame(&c) > 0)
			return true;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0)
			return false;
		if (in_shim((void *)ip)) {
			if (left_shim)
				return false;
		} else if (!left_shim) {
			/* the caller: libunwind is only ever the shim's */
			if (shim_internal_caller((void *)ip))
				return false;
			left_shim = true;
		}
	}
	return false;
}

/* The id of the calling code's stack, sending the frames the first time. */
uint64_t
stack_capture(void)
{
	struct {
		struct ms_ev_stack	ev;
		uint64_t		frames[MS_MAX_DEPTH];
	} rec;
	void *frames[MS_MAX_DEPTH + SHIM_FRAMES_MAX];
	int n, first = 0, count;
	uint64_t id;

	if (shim.opts.depth <= 0)
		return 0;
	if (likely(!shim_nested()))
		n = unw_backtrace(frames, shim.opts.depth + SHIM_FRAMES_MAX);
	else
		n = backtrace_by_steps(frames, shim.opts.depth + SHIM_FRAMES_MAX);
	while (first < n && in_shim(frames[first]))
		first++;
	/* the shim is also below main (see hooks-exit.c): never shown */
	count = 0;
	for (int i = first; i < n && count < shim.opts.depth; i++)
		if (!in_shim(frames[i]))
			frames[first + count++] = frames[i];
	if (count <= 0)
		return 0;
	id = hash_frames(frames + first, count);
	if (!seen_insert(id))
		return id;
	/* an object loaded since the last look is named before its frames */
	modules_check();
	rec.ev.hdr.type = MS_EV_STACK;
	rec.ev.id = id;
	rec.ev.nframes = (uint32_t)count;
	for (int i = 0; i < count; i++)
		rec.frames[i] = (uint64_t)(uintptr_t)frames[first + i];
	producer_emit(&rec, (uint32_t)(sizeof(rec.ev) + 8 * (size_t)count));
	return id;
}

/*
 * libunwind keeps a pipe to test addresses by writing them: it opens it
 * when it first runs, and again whenever a read from it fails (the
 * program closed it). Opened where pipe2 puts it, at the lowest free
 * descriptors, those would be the program's own numbers; and libunwind
 * closes what it takes for its pipe before opening another. So the shim
 * runs libunwind once while it sets up and closes the pipe then (the
 * program starts with its table as without memscope); a pipe libunwind
 * opens later goes to the top of the descriptor limit, out of the way of
 * the program's numbers, close-on-exec.
 */
void
stack_init(void)
{
	enum { FDS = 1024 };
	uint64_t before[FDS / 64];
	void *frame;

	memset(before, 0, sizeof(before));
	for (int fd = 0; fd < FDS; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			before[fd / 64] |= 1ull << (fd % 64);
	(void)unw_backtrace(&frame, 1);
	for (int fd = 0; fd < FDS; fd++) {
		struct stat st;

		if ((before[fd / 64] & (1ull << (fd % 64))) == 0 &&
		    fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
			close(fd);
	}
}

/* fd moved as high as the descriptor limit allows, or left where it is. */
static int
move_high(int fd)
{
	struct rlimit rl;
	int high;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 64)
		return fd;
	/* the top two: one pipe, its two ends */
	high = rl.rlim_cur > INT_MAX ? INT_MAX - 2 : (int)rl.rlim_cur - 2;
	if ((high = fcntl(fd, F_DUPFD_CLOEXEC, high)) == -1)
		return fd;
	close(fd);
	return high;
}

SHIM_EXPORT int
pipe2(int fds[2], int flags)
{
	const void *caller = __builtin_return_address(0);
	int rc;

	if (unlikely(shim.real.pipe2 == NULL))
		shim_resolve();
	rc = shim.real.pipe2(fds, flags);
	if (rc == 0 && shim_internal_caller(caller)) {
		int saved_errno = errno;

		fds[0] = move_high(fds[0]);
		fds[1] = move_high(fds[1]);
		errno = saved_errno;
	}
	return rc;
}

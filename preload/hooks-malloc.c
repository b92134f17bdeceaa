/* SPDX-License-Identifier: ISC */
/*
 * The malloc family. The ordering rule of the ring lives here: an event
 * that gives an address back (free, the old block of realloc) takes its
 * place in the ring BEFORE the real call, one that obtains an address
 * (malloc, the new block of realloc) AFTER it; so reservation order is a
 * valid order of the real operations even when threads trade addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "producer.h"
#include "shim.h"

/* Resolve on first use; true while this thread is resolving (bootstrap). */
static inline bool
bootstrapping(void)
{
	if (likely(shim.real.malloc != NULL))
		return false;
	if (shim_self.in_hook)
		return true;
	shim_resolve();
	return shim.real.malloc == NULL;
}

/*
 * What the allocator gave beyond size (the size bins' waste), and whether
 * it made the block a mapping of its own. glibc says both in the chunk's
 * header, the word before the block: the chunk's size in all but the 3 low
 * bits, bit 1 IS_MMAPPED. The usable part is the size less that word, or
 * less two for a mapped chunk (no next chunk lends it its first word):
 * what glibc's malloc_usable_size computes, read here without the call.
 */
static uint32_t
block_spare(void *p, size_t size, uint32_t *flags)
{
	size_t usable;

	if (shim.glibc_malloc) {
		size_t head = ((const size_t *)p)[-1];

		if (head & 2)
			*flags |= MS_FN_MMAPPED;
		if (!shim.opts.stats)
			return MS_SPARE_UNKNOWN;
		usable = (head & ~(size_t)7) - (head & 2 ? 2 : 1) * sizeof(size_t);
	} else if (shim.real.malloc_usable_size != NULL && shim.opts.stats)
		usable = shim.real.malloc_usable_size(p);
	else
		return MS_SPARE_UNKNOWN;
	return usable >= size && usable - size < MS_SPARE_UNKNOWN ?
	    (uint32_t)(usable - size) : MS_SPARE_UNKNOWN;
}

static void
record_alloc(void *p, size_t size, uint32_t fn)
{
	struct ms_ev_alloc ev = { .hdr.type = MS_EV_ALLOC,
	    .addr = (uintptr_t)p, .size = size, .fn = fn };
	int saved_errno = errno;
	struct producer_slot slot;

	ev.spare = block_spare(p, size, &ev.fn);
	allocator_tick();
	ev.stack = stack_capture();
	slot = producer_reserve(sizeof(ev));
	/* after the shim's own work and any wait for room: a lifetime is
	 * the program's time */
	ev.time = shim_time();
	if (slot.ok)
		producer_commit(&slot, &ev, sizeof(ev));
	errno = saved_errno;
}

static void
record_free(void *p)
{
	struct ms_ev_free ev = { .hdr.type = MS_EV_FREE, .addr = (uintptr_t)p,
	    .time = shim_time() };
	int saved_errno = errno;

	producer_emit(&ev, sizeof(ev));
	errno = saved_errno;
}

SHIM_EXPORT void *
malloc(size_t size)
{
	void *p;

	if (unlikely(bootstrapping()))
		return bootstrap_alloc(size, 16);
	if (!shim_enter())
		return shim.real.malloc(size);
	if ((p = shim.real.malloc(size)) != NULL)
		record_alloc(p, size, MS_FN_MALLOC);
	shim_leave();
	return p;
}

SHIM_EXPORT void
free(void *p)
{
	if (p == NULL || unlikely(bootstrap_owns(p)) || unlikely(bootstrapping()))
		return;
	if (!shim_enter()) {
		shim.real.free(p);
		return;
	}
	record_free(p);
	shim.real.free(p);
	shim_leave();
}

SHIM_EXPORT void *
calloc(size_t n, size_t size)
{
	void *p;

	if (unlikely(bootstrapping())) {
		if (size != 0 && n > SIZE_MAX / size)
			return NULL;
		return bootstrap_alloc(n * size, 16);	/* static: zeroed */
	}
	if (!shim_enter())
		return shim.real.calloc(n, size);
	if ((p = shim.real.calloc(n, size)) != NULL)
		record_alloc(p, n * size, MS_FN_CALLOC);
	shim_leave();
	return p;
}

/* realloc of a block from the bootstrap buffer: copy it out, never free it. */
static void *
realloc_bootstrap(void *p, size_t size)
{
	size_t old = bootstrap_size(p);
	void *q = malloc(size);

	if (q != NULL)
		memcpy(q, p, old < size ? old : size);
	return q;
}

/* realloc and reallocarray of a block p != NULL, per the ordering rule. */
static void *
realloc_tracked(void *p, size_t size, void *(*call)(void *, size_t, size_t),
    size_t nmemb)
{
	struct ms_ev_realloc ev = { .hdr.type = MS_EV_REALLOC,
	    .old_addr = (uintptr_t)p };
	struct ms_ev_realloc_done done = { .hdr.type = MS_EV_REALLOC_DONE };
	uint64_t stack = stack_capture();
	struct producer_slot slot;
	void *q;
	int saved_errno;

	/* p may be handed out again as soon as the call frees it */
	slot = producer_reserve(sizeof(ev));
	ev.time = shim_time();
	q = call(p, nmemb, size);
	saved_errno = errno;
	if (q != NULL)
		ev.status = MS_REALLOC_MOVED;
	else if (nmemb * size == 0)
		ev.status = MS_REALLOC_FREED;
	else
		ev.status = MS_REALLOC_FAILED;
	if (slot.ok)
		producer_commit(&slot, &ev, sizeof(ev));
	if (q != NULL) {
		/* q may have been freed by another thread just before */
		done.addr = (uintptr_t)q;
		done.size = nmemb * size;
		done.stack = stack;
		done.spare = block_spare(q, nmemb * size, &done.flags);
		slot = producer_reserve(sizeof(done));
		done.time = shim_time();
		if (slot.ok)
			producer_commit(&slot, &done, sizeof(done));
	}
	errno = saved_errno;
	return q;
}

static void *
call_realloc(void *p, size_t nmemb, size_t size)
{
	(void)nmemb;
	return shim.real.realloc(p, size);
}

static void *
call_reallocarray(void *p, size_t nmemb, size_t size)
{
	return shim.real.reallocarray(p, nmemb, size);
}

SHIM_EXPORT void *
realloc(void *p, size_t size)
{
	void *q;

	if (unlikely(bootstrapping())) {
		void *n = bootstrap_alloc(size, 16);

		if (n != NULL && p != NULL)
			memcpy(n, p, bootstrap_size(p) < size ? bootstrap_size(p) : size);
		return n;
	}
	if (p != NULL && unlikely(bootstrap_owns(p)))
		return realloc_bootstrap(p, size);
	if (!shim_enter())
		return shim.real.realloc(p, size);
	if (p == NULL) {
		if ((q = shim.real.realloc(NULL, size)) != NULL)
			record_alloc(q, size, MS_FN_REALLOC);
	} else
		q = realloc_tracked(p, size, call_realloc, 1);
	shim_leave();
	return q;
}

SHIM_EXPORT void *
reallocarray(void *p, size_t nmemb, size_t size)
{
	void *q;

	if (unlikely(bootstrapping()) || (p != NULL && bootstrap_owns(p))) {
		if (size != 0 && nmemb > SIZE_MAX / size) {
			errno = ENOMEM;
			return NULL;
		}
		return realloc(p, nmemb * size);
	}
	if (!shim_enter())
		return shim.real.reallocarray(p, nmemb, size);
	if (p == NULL) {
		if ((q = shim.real.reallocarray(NULL, nmemb, size)) != NULL)
			record_alloc(q, nmemb * size, MS_FN_REALLOCARRAY);
	} else if (size != 0 && nmemb > SIZE_MAX / size) {
		q = shim.real.reallocarray(p, nmemb, size);	/* ENOMEM, p kept */
	} else
		q = realloc_tracked(p, size, call_reallocarray, nmemb);
	shim_leave();
	return q;
}

SHIM_EXPORT void *
memalign(size_t align, size_t size)
{
	void *p;

	if (unlikely(bootstrapping()))
		return bootstrap_alloc(size, align);
	if (!shim_enter())
		return shim.real.memalign(align, size);
	if ((p = shim.real.memalign(align, size)) != NULL)
		record_alloc(p, size, MS_FN_MEMALIGN);
	shim_leave();
	return p;
}

SHIM_EXPORT int
posix_memalign(void **out, size_t align, size_t size)
{
	int rc;

	if (unlikely(bootstrapping())) {
		*out = bootstrap_alloc(size, align);
		return *out != NULL ? 0 : ENOMEM;
	}
	if (!shim_enter())
		return shim.real.posix_memalign(out, align, size);
	if ((rc = shim.real.posix_memalign(out, align, size)) == 0)
		record_alloc(*out, size, MS_FN_POSIX_MEMALIGN);
	shim_leave();
	return rc;
}

SHIM_EXPORT void *
aligned_alloc(size_t align, size_t size)
{
	void *p;

	if (unlikely(bootstrapping()))
		return bootstrap_alloc(size, align);
	if (!shim_enter())
		return shim.real.aligned_alloc(align, size);
	if ((p = shim.real.aligned_alloc(align, size)) != NULL)
		record_alloc(p, size, MS_FN_ALIGNED_ALLOC);
	shim_leave();
	return p;
}

SHIM_EXPORT void *
valloc(size_t size)
{
	void *p;

	if (unlikely(bootstrapping()))
		return bootstrap_alloc(size, 4096);
	if (!shim_enter())
		return shim.real.valloc(size);
	if ((p = shim.real.valloc(size)) != NULL)
		record_alloc(p, size, MS_FN_VALLOC);
	shim_leave();
	return p;
}

SHIM_EXPORT void *
pvalloc(size_t size)
{
	void *p;

	if (unlikely(bootstrapping()))
		return bootstrap_alloc(size, 4096);
	if (!shim_enter())
		return shim.real.pvalloc(size);
	if ((p = shim.real.pvalloc(size)) != NULL)
		record_alloc(p, size, MS_FN_PVALLOC);
	shim_leave();
	return p;
}

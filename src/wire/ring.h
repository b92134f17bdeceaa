/* SPDX-License-Identifier: ISC */
/*
 * The ring primitives, for both sides: C11 atomics on the shared header,
 * no system calls (waiting and waking are the callers' business, through
 * futex.h and the analyzer's eventfd).
 *
 * Producers (the target's threads):
 *	pos = ms_ring_reserve(r, len);
 *	while (!ms_ring_has_room(r, pos, len)) wait;
 *	ms_ring_publish(r, pos, record, len);
 *	if (ms_ring_consumer_asleep(r)) wake the analyzer;
 * Consumer (the analyzer):
 *	while ((len = ms_ring_peek(r, pos)) != 0) { read; pos += len; }
 *	ms_ring_release(r, from, pos);	(peek stops a lap past tail)
 *	if (ms_ring_producers_wait(r)) futex-wake tail_seq;
 *
 * Reservation order is the order the consumer reads in; the shim's
 * ordering rule (preload/hooks-malloc.c: an event that gives an address
 * back is reserved before the real call, one that obtains an address
 * after it) makes it a valid order of the real operations.
 */
#ifndef MEMSCOPE_WIRE_RING_H
#define MEMSCOPE_WIRE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "protocol.h"

struct ms_ring {
	struct ms_ring_header *hdr;
	unsigned char	*data;
	uint64_t	 mask;		/* capacity - 1 */
};

/*
 * Is n a usable capacity: a power of two from 16 KiB (twice the largest
 * record, a module with a 4 KiB path) to 1 GiB?
 */
static inline bool
ms_ring_capacity_ok(uint64_t n)
{
	return n >= 16384 && n <= (1ULL << 30) && (n & (n - 1)) == 0;
}

/* Lay out a fresh ring in zeroed memory of MS_RING_HEADER_SIZE + capacity. */
static inline void
ms_ring_format(void *base, uint64_t capacity, int32_t pid)
{
	struct ms_ring_header *h = (struct ms_ring_header *)base;

	h->magic = MS_RING_MAGIC;
	h->version = MS_PROTOCOL_VERSION;
	h->header_size = MS_RING_HEADER_SIZE;
	h->capacity = capacity;
	h->pid = pid;
	atomic_store_explicit(&h->head, 0, memory_order_relaxed);
	atomic_store_explicit(&h->tail, 0, memory_order_release);
}

/* Attach to a formatted ring; false if the header is not one. */
static inline bool
ms_ring_attach(struct ms_ring *r, void *base, uint64_t size)
{
	struct ms_ring_header *h = (struct ms_ring_header *)base;

	if (size < MS_RING_HEADER_SIZE || h->magic != MS_RING_MAGIC ||
	    h->version != MS_PROTOCOL_VERSION ||
	    h->header_size != MS_RING_HEADER_SIZE ||
	    !ms_ring_capacity_ok(h->capacity) ||
	    h->capacity > size - MS_RING_HEADER_SIZE)
		return false;
	r->hdr = h;
	r->data = (unsigned char *)base + MS_RING_HEADER_SIZE;
	r->mask = h->capacity - 1;
	return true;
}

static inline void
ms_ring_copy_in(const struct ms_ring *r, uint64_t pos, const void *src, size_t n)
{
	size_t off = (size_t)(pos & r->mask), first = (size_t)(r->mask + 1) - off;

	if (n <= first)
		memcpy(r->data + off, src, n);
	else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const unsigned char *)src + first, n - first);
	}
}

static inline void
ms_ring_copy_out(const struct ms_ring *r, uint64_t pos, void *dst, size_t n)
{
	size_t off = (size_t)(pos & r->mask), first = (size_t)(r->mask + 1) - off;

	if (n <= first)
		memcpy(dst, r->data + off, n);
	else {
		memcpy(dst, r->data + off, first);
		memcpy((unsigned char *)dst + first, r->data, n - first);
	}
}

static inline struct ms_record *
ms_ring_record_at(const struct ms_ring *r, uint64_t pos)
{
	return (struct ms_record *)(void *)(r->data + (pos & r->mask));
}

/* Producer: claim len bytes (a multiple of 8); returns their position. */
static inline uint64_t
ms_ring_reserve(struct ms_ring *r, uint32_t len)
{
	return atomic_fetch_add_explicit(&r->hdr->head, len, memory_order_relaxed);
}

/* Producer: has the consumer freed the bytes [pos, pos + len)? */
static inline bool
ms_ring_has_room(const struct ms_ring *r, uint64_t pos, uint32_t len)
{
	uint64_t tail = atomic_load_explicit(&r->hdr->tail, memory_order_acquire);

	return pos + len - tail <= r->mask + 1;
}

/*
 * Producer: write the record rec (len bytes, its header's len ignored) at
 * pos, the length last, so the consumer sees all of it or nothing.
 */
static inline void
ms_ring_publish(const struct ms_ring *r, uint64_t pos, const void *rec,
    uint32_t len)
{
	ms_ring_copy_in(r, pos + 4, (const unsigned char *)rec + 4, len - 4);
	atomic_store_explicit(&ms_ring_record_at(r, pos)->len, len,
	    memory_order_release);
}

/*
 * Producer, after publishing: did the consumer say it sleeps? Only the
 * first producer to see it gets true, so one wakes it.
 *
 * There is no fence between the publishing store and this load: a fence
 * on every event costs more than the rest of the fast path. So a producer
 * may miss a flag set an instant before, and the consumer may miss the
 * record; the consumer therefore never sleeps longer than
 * MS_RING_MAX_SLEEP_MS at a time. A lost wake-up costs latency, never an
 * event.
 */
#define MS_RING_MAX_SLEEP_MS	5

static inline bool
ms_ring_consumer_asleep(struct ms_ring *r)
{
	return atomic_load_explicit(&r->hdr->consumer_sleeping,
	    memory_order_relaxed) != 0 &&
	    atomic_exchange_explicit(&r->hdr->consumer_sleeping, 0,
	    memory_order_relaxed) != 0;
}

/*
 * Consumer: the length of the record at pos, or 0 if not yet published.
 * Also 0 a whole lap past tail: that slot still holds a record read but
 * not yet released, so the consumer must release before it reads on.
 */
static inline uint32_t
ms_ring_peek(const struct ms_ring *r, uint64_t pos)
{
	if (pos - atomic_load_explicit(&r->hdr->tail, memory_order_relaxed) >
	    r->mask)
		return 0;
	return atomic_load_explicit(&ms_ring_record_at(r, pos)->len,
	    memory_order_acquire);
}

/* Consumer: can a record of len bytes at pos be real? */
static inline bool
ms_ring_len_ok(const struct ms_ring *r, uint32_t len)
{
	return len >= sizeof(struct ms_record) && (len & 7) == 0 &&
	    len <= (r->mask + 1) / 2;
}

/* Consumer: zero [from, to), which it has read, and hand it back. */
static inline void
ms_ring_release(const struct ms_ring *r, uint64_t from, uint64_t to)
{
	size_t off = (size_t)(from & r->mask), n = (size_t)(to - from);
	size_t first = (size_t)(r->mask + 1) - off;

	if (n > r->mask + 1)	/* never more than the ring, whatever asked */
		n = (size_t)r->mask + 1;
	if (n <= first)
		memset(r->data + off, 0, n);
	else {
		memset(r->data + off, 0, first);
		memset(r->data, 0, n - first);
	}
	atomic_store_explicit(&r->hdr->tail, to, memory_order_release);
}

/*
 * Consumer, after a release: are producers waiting for room? If so
 * tail_seq has been bumped and the caller futex-wakes it.
 */
static inline bool
ms_ring_producers_wait(struct ms_ring *r)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->hdr->producers_waiting,
	    memory_order_relaxed) == 0)
		return false;
	atomic_fetch_add_explicit(&r->hdr->tail_seq, 1, memory_order_release);
	return true;
}

/*
 * Consumer, with nothing at pos: announce sleep, then look once more.
 * True: still nothing, it may sleep until woken. False: a record came in
 * meanwhile (the flag is cleared again).
 */
static inline bool
ms_ring_consumer_may_sleep(struct ms_ring *r, uint64_t pos)
{
	atomic_store_explicit(&r->hdr->consumer_sleeping, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (ms_ring_peek(r, pos) == 0)
		return true;
	atomic_store_explicit(&r->hdr->consumer_sleeping, 0, memory_order_relaxed);
	return false;
}

static inline void
ms_ring_consumer_awake(struct ms_ring *r)
{
	atomic_store_explicit(&r->hdr->consumer_sleeping, 0, memory_order_relaxed);
}

#endif

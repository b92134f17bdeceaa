/* SPDX-License-Identifier: ISC */
/*
 * The producer side of the ring, its fast path inline: reserve a slot
 * (one atomic add), fill it, publish it (one release store). No system
 * call and no lock unless the ring is full (the event waits: lossless) or
 * the analyzer sleeps (it is woken).
 *
 * A signal handler that interrupts the shim and allocates (see
 * shim_enter) produces too, on the same thread. The interrupted work may
 * hold a reserved slot it has not published yet; the analyzer reads in
 * order, so it stops there, and a handler waiting for room behind that
 * slot would wait forever. So a handler's event whose room depends on one
 * of its own thread's unpublished slots is deferred: its slot is reserved
 * (its place in the order is right) and the record is kept in one of the
 * thread's deferred entries, to be published by whoever ends the last of
 * those slots. That is rare (a signal in the shim while the ring is full);
 * the fast path only tracks its own slot and checks that there is none.
 */
#ifndef MEMSCOPE_PRODUCER_H
#define MEMSCOPE_PRODUCER_H

#include "shim.h"

/*
 * shim_self.outer_pos: the slot that the thread's outermost work holds
 * unpublished, as seen by a handler interrupting it.
 */
#define OUTER_NONE	0	/* none */
#define OUTER_UNKNOWN	1	/* being reserved: its position is not known yet */
#define OUTER_AT(pos)	((pos) + 2)

/*
 * A thread's deferred entries, in an arena mapped the first time a handler
 * needs one (its pages are touched as used). Only the thread itself and
 * its signal handlers use them, and a handler runs to its end before the
 * code it interrupted goes on; so the atomics only make each step a single
 * instruction, never interrupted halfway. An entry is taken before its
 * slot is reserved, so that a handler coming in between sees that the
 * code it interrupted holds a slot. A burst of signals can go on for long
 * while the interrupted work waits for its slot's room (a handler slower
 * than the signals come, as under the leak check's tracer, with a small
 * ring): 4 MiB holds some 60,000 allocation or free records, and 15,000
 * were seen in one such burst.
 */
#define DEFER_ARENA	(4u << 20)

enum defer_state {
	DEFER_CLAIMED,		/* taken: slot not reserved yet, or position not written */
	DEFER_RESERVED,		/* slot at pos, record not written */
	DEFER_READY,		/* slot at pos, record in rec: to publish */
	DEFER_DONE,		/* published, or not needed after all */
};

struct defer_entry {
	uint64_t	 pos;
	uint32_t	 len;		/* of the record */
	uint32_t	 size;		/* of the entry, to the next one */
	_Atomic uint32_t state;
	/* the claims' epoch it was taken in, written last: the entry is
	 * the current epoch's only once its size is */
	_Atomic uint32_t epoch;
	uint64_t	 rec[];
};

struct defer_list {
	/* epoch << 32 | bytes taken; an epoch ends when all are published */
	_Atomic uint64_t claims;
	_Atomic uint32_t pending;	/* entries not published (nor given back) */
	_Atomic uint32_t given_back;	/* entries taken off the end, ever */
	_Atomic int	 flushing;
	uint64_t	 arena[];
};

/* A place in the ring, reserved; ok false: none (the event is dropped). */
struct producer_slot {
	uint64_t	 pos;
	struct defer_entry *entry;	/* a handler's slot: its entry */
	bool		 ok;
	bool		 nested;	/* reserved while the thread held others */
	bool		 deferred;	/* published later, from the entry */
};

/* producer.c: the slow paths */
struct producer_slot producer_reserve_nested(uint32_t len);
void	producer_commit_nested(const struct producer_slot *s, void *rec,
	    uint32_t len);
bool	producer_wait_room(uint64_t pos, uint32_t len);
void	producer_wake(void);
void	producer_defer_flush(void);
void	producer_thread_hello(void);
/* Has the analyzer gone (died), as the doorbell tells? */
bool	producer_analyzer_gone(void);
/*
 * In a fatal signal's handler: the slot the interrupted work holds will
 * never be filled; fill it with nothing (MS_EV_SKIP) so that the analyzer
 * reads on. True when the thread holds no unpublished slot now.
 */
bool	producer_abandon_outer(void);

/* Does the thread have deferred entries not published yet? */
static inline bool
producer_defer_pending(void)
{
	struct defer_list *d = atomic_load_explicit(&shim_self.deferred,
	    memory_order_relaxed);

	return d != NULL && (uint32_t)atomic_load_explicit(&d->claims,
	    memory_order_relaxed) != 0;
}

/* inline always: a call here costs the fast path more than its work */
static inline __attribute__((always_inline)) struct producer_slot
producer_reserve(uint32_t len)
{
	struct producer_slot s = { .ok = true };

	if (unlikely(atomic_load_explicit(&shim_self.outer_pos,
	    memory_order_relaxed) != OUTER_NONE || producer_defer_pending()))
		return producer_reserve_nested(len);
	shim_self.outer_len = len;
	atomic_store_explicit(&shim_self.outer_pos, OUTER_UNKNOWN,
	    memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	s.pos = ms_ring_reserve(&shim.ring, len);
	atomic_store_explicit(&shim_self.outer_pos, OUTER_AT(s.pos),
	    memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	if (unlikely(shim_self.fatal_pending))
		signals_deferred();
	if (unlikely(!ms_ring_has_room(&shim.ring, s.pos, len)) &&
	    !producer_wait_room(s.pos, len)) {
		atomic_store(&shim_self.outer_pos, OUTER_NONE);
		atomic_fetch_add(&shim.ring.hdr->dropped, 1);
		s.ok = false;
	}
	return s;
}

static inline void
producer_commit(const struct producer_slot *s, void *rec, uint32_t len)
{
	if (unlikely(s->nested)) {
		producer_commit_nested(s, rec, len);
		return;
	}
	((struct ms_record *)rec)->thread = shim_self.number;
	ms_ring_publish(&shim.ring, s->pos, rec, len);
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(&shim_self.outer_pos, OUTER_NONE,
	    memory_order_relaxed);
	if (ms_ring_consumer_asleep(&shim.ring))
		producer_wake();
	if (unlikely(producer_defer_pending()))
		producer_defer_flush();
}

/* Reserve, write and publish one record. */
static inline bool
producer_emit(void *rec, uint32_t len)
{
	struct producer_slot s = producer_reserve(len);

	if (s.ok)
		producer_commit(&s, rec, len);
	return s.ok;
}

#endif

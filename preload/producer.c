/* SPDX-License-Identifier: ISC */
/*
 * The producer's slow paths (see producer.h): waiting for room, waking
 * the analyzer, and the events of signal handlers that interrupted the
 * shim.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "futex.h"
#include "producer.h"

#define SPINS_BEFORE_SLEEP	200
#define SLEEP_NS		(10 * 1000 * 1000)	/* one futex wait */
#define SLEEPS_BEFORE_CHECK	20			/* 200 ms */

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Is the analyzer gone? Its pid no longer exists; or its heartbeat is
 * stale and it is not stopped (a zombie, or a process that reused its
 * pid). A stopped analyzer is waited for. The descriptor opened here
 * lives for one read, and only once the heartbeat has stopped.
 */
bool
producer_analyzer_gone(void)
{
	struct ms_doorbell *db = shim.doorbell;
	int saved_errno = errno;
	bool gone;
	char state;

	if (db == NULL)
		return true;
	if (kill(shim.analyzer_pid, 0) == -1 && errno == ESRCH)
		gone = true;
	else if (ms_clock_ms() < atomic_load(&db->heartbeat_ms) +
	    MS_HEARTBEAT_STALE_MS)
		gone = false;
	else {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/stat",
		    (int)shim.analyzer_pid);
		state = shim_stat_state(path);
		gone = state != 'T' && state != 't';
	}
	errno = saved_errno;
	return gone;
}

/* Wait until [pos, pos + len) is free; false if the analyzer went away. */
bool
producer_wait_room(uint64_t pos, uint32_t len)
{
	struct ms_ring_header *h = shim.ring.hdr;
	bool counted = false;

	for (int i = 0; i < SPINS_BEFORE_SLEEP; i++) {
		if (ms_ring_has_room(&shim.ring, pos, len))
			return true;
		cpu_relax();
	}
	for (unsigned sleeps = 1;; sleeps++) {
		uint32_t seq;

		if (!counted) {
			atomic_fetch_add_explicit(&h->waits, 1, memory_order_relaxed);
			counted = true;
		}
		atomic_fetch_add(&h->producers_waiting, 1);
		seq = atomic_load(&h->tail_seq);
		if (!ms_ring_has_room(&shim.ring, pos, len))
			ms_futex_wait(&h->tail_seq, seq, SLEEP_NS);
		atomic_fetch_sub(&h->producers_waiting, 1);
		if (ms_ring_has_room(&shim.ring, pos, len))
			return true;
		/*
		 * Not recording any more: memscope is gone, or, attached, it
		 * detached, and then reads the ring to its end: the record
		 * of a call made while it was attached still goes in.
		 */
		if (atomic_load(&shim.state) != SHIM_ACTIVE &&
		    (!shim.attached || producer_analyzer_gone()))
			return false;
		if (sleeps % SLEEPS_BEFORE_CHECK == 0 && producer_analyzer_gone()) {
			shim_debug("the analyzer has gone: pass-through from now on");
			shim_passthrough();
			return false;
		}
	}
}

/* Ring the analyzer's doorbell: its waiting thread wakes the consumer. */
void
producer_wake(void)
{
	struct ms_doorbell *db = shim.doorbell;

	if (db == NULL)
		return;
	atomic_fetch_add(&db->ring, 1);
	ms_futex_wake_all(&db->ring);
}

static void
publish(uint64_t pos, const void *rec, uint32_t len)
{
	ms_ring_publish(&shim.ring, pos, rec, len);
	if (ms_ring_consumer_asleep(&shim.ring))
		producer_wake();
}

static void
count_dropped(void)
{
	atomic_fetch_add(&shim.ring.hdr->dropped, 1);
}

/* Mapped: a header past the arena's end is still readable. */
#define DEFER_MAP_SIZE	(sizeof(struct defer_list) + DEFER_ARENA + \
	sizeof(struct defer_entry))

/* The thread's deferred entries, mapped on first use (mmap is safe here). */
static struct defer_list *
defer_list(void)
{
	struct defer_list *d = atomic_load(&shim_self.deferred), *none = NULL;
	void *p;

	if (d != NULL)
		return d;
	p = shim.real.mmap(NULL, DEFER_MAP_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* a handler that came in meanwhile may have mapped one: keep it */
	if (!atomic_compare_exchange_strong(&shim_self.deferred, &none, p)) {
		shim.real.munmap(p, DEFER_MAP_SIZE);
		return none;
	}
	return p;
}

static inline struct defer_entry *
entry_at(struct defer_list *d, uint32_t offset)
{
	return (struct defer_entry *)(void *)((unsigned char *)d->arena + offset);
}

/* The mark of the entries of the claims' current epoch: never 0, which is
 * what the arena's untouched memory holds. */
static inline uint32_t
epoch_mark(uint64_t claims)
{
	return (uint32_t)(claims >> 32) + 1;
}

/* Take an entry for a record of len bytes; NULL when the arena is full. */
static struct defer_entry *
defer_claim(uint32_t len)
{
	struct defer_list *d = defer_list();
	uint32_t size = (uint32_t)sizeof(struct defer_entry) + len;
	struct defer_entry *e;
	uint64_t c;

	if (d == NULL || (uint32_t)atomic_load(&d->claims) > DEFER_ARENA - size)
		return NULL;
	atomic_fetch_add(&d->pending, 1);
	c = atomic_fetch_add(&d->claims, size);
	/* a handler took the last room between the check and the add (and
	 * gave its excess back the same way before this went on) */
	if ((uint32_t)c > DEFER_ARENA - size) {
		atomic_fetch_sub(&d->claims, size);
		atomic_fetch_sub(&d->pending, 1);
		return NULL;
	}
	e = entry_at(d, (uint32_t)c);
	e->size = size;
	e->len = len;
	atomic_store(&e->state, DEFER_CLAIMED);
	atomic_store(&e->epoch, epoch_mark(c));
	return e;
}

static void
entry_done(struct defer_list *d, struct defer_entry *e)
{
	atomic_store(&e->state, DEFER_DONE);
	atomic_fetch_sub(&d->pending, 1);
}

/*
 * A slot published in place (or dropped) gives its entry back when it is
 * the last taken, which it is unless a handler deferred one meanwhile: a
 * burst of signals while the outer work holds its slot must not fill the
 * arena with entries of records long published. The entry is made stale
 * first, so that an entry taken later at the same place is never read
 * as this one.
 */
static void
defer_release(struct defer_entry *e)
{
	struct defer_list *d = atomic_load(&shim_self.deferred);
	uint64_t c = atomic_load(&d->claims);
	uint32_t epoch = epoch_mark(c);

	entry_done(d, e);
	if ((unsigned char *)e + e->size != (unsigned char *)d->arena + (uint32_t)c ||
	    atomic_load(&e->epoch) != epoch)
		return;
	atomic_store(&e->epoch, epoch - 1);
	if (atomic_compare_exchange_strong(&d->claims, &c, c - e->size))
		atomic_fetch_add(&d->given_back, 1);
	else
		atomic_store(&e->epoch, epoch);
}

/* The bytes of the arena that entries were taken in. */
static inline uint32_t
claims_used(uint64_t claims)
{
	uint32_t used = (uint32_t)claims;

	return used < DEFER_ARENA ? used : DEFER_ARENA;
}

/* Does the entry at off end within the used part? (Read while a handler
 * may be rewriting it: never step out of the arena.) */
static inline bool
size_ok(const struct defer_entry *e, uint32_t off, uint32_t used)
{
	return e->size >= sizeof(*e) && e->size <= used - off;
}

#define POS_UNKNOWN	UINT64_MAX
#define POS_NONE	(UINT64_MAX - 1)

/*
 * The lowest position among the thread's slots not published yet;
 * POS_UNKNOWN when one of them has no known position yet, POS_NONE when
 * there are none. *first gets the entry that holds it, NULL when that is
 * the outer work's. A walk of every entry: for the rare case where the
 * deferred records are not in the order of their slots.
 */
static uint64_t
lowest_unpublished(struct defer_entry **first)
{
	struct defer_list *d = atomic_load(&shim_self.deferred);
	uint64_t outer = atomic_load(&shim_self.outer_pos), low = POS_NONE;
	uint64_t c;
	uint32_t used, epoch;

	*first = NULL;
	if (outer == OUTER_UNKNOWN)
		return POS_UNKNOWN;
	if (outer != OUTER_NONE)
		low = outer - 2;
	if (d == NULL)
		return low;
	c = atomic_load(&d->claims);
	used = claims_used(c);
	epoch = epoch_mark(c);
	for (uint32_t off = 0; off < used; ) {
		struct defer_entry *e = entry_at(d, off);
		uint32_t st;

		/* being taken: its size is not known yet either */
		if (atomic_load(&e->epoch) != epoch || !size_ok(e, off, used))
			return POS_UNKNOWN;
		off += e->size;
		st = atomic_load(&e->state);
		if (st == DEFER_DONE)
			continue;
		if (st == DEFER_CLAIMED)
			return POS_UNKNOWN;
		if (e->pos < low) {
			low = e->pos;
			*first = e;
		}
	}
	return low;
}

/*
 * The first entry of the current epoch not published yet, from offset
 * *start on (moved past the published ones): NULL when there is none,
 * *unknown when an entry is still being taken.
 */
static struct defer_entry *
first_pending(struct defer_list *d, uint64_t c, uint32_t *start, bool *unknown)
{
	uint32_t used = claims_used(c);

	*unknown = false;
	while (*start < used) {
		struct defer_entry *e = entry_at(d, *start);

		if (atomic_load(&e->epoch) != epoch_mark(c) ||
		    !size_ok(e, *start, used)) {
			*unknown = true;
			return NULL;
		}
		if (atomic_load(&e->state) != DEFER_DONE)
			return e;
		*start += e->size;
	}
	return NULL;
}

/*
 * Publish the deferred records that can be. In the order they were taken,
 * which is their slots' order but after a handler interrupted the taking
 * of an entry, as long as their room is there; a record that must wait
 * for room waits only when it is the thread's lowest unpublished slot, so
 * that the wait is only for other threads. Stops at a slot still being
 * worked on by code this call interrupted, and before waiting behind the
 * outer work's slot: that code publishes the rest when it ends.
 */
void
producer_defer_flush(void)
{
	struct defer_list *d = atomic_load(&shim_self.deferred);
	struct defer_entry *e;
	uint64_t c;
	uint32_t start, given_back;
	bool emptied, unknown, whole;

	if (d == NULL)
		return;
again:
	if (atomic_exchange(&d->flushing, 1) != 0)
		return;
	emptied = false;
	start = 0;
	given_back = atomic_load(&d->given_back);
	for (;;) {
		c = atomic_load(&d->claims);
		/* a handler gave entries back and took others where they
		 * were: start is no longer an entry's place */
		if (atomic_load(&d->given_back) != given_back) {
			given_back = atomic_load(&d->given_back);
			start = 0;
		}
		whole = start == 0;
		e = first_pending(d, c, &start, &unknown);
		if (unknown)
			break;
		if (e == NULL) {
			if (atomic_load(&d->pending) != 0) {
				/* one is being taken by code this call
				 * interrupted: it flushes when it ends */
				if (whole)
					break;
				start = 0;
				continue;
			}
			/* all published: a new epoch, unless one was just taken */
			if (atomic_compare_exchange_strong(&d->claims, &c,
			    ((c >> 32) + 1) << 32)) {
				emptied = true;
				break;
			}
			continue;
		}
		if (atomic_load(&e->state) != DEFER_READY)
			break;
		if (!ms_ring_has_room(&shim.ring, e->pos, e->len)) {
			struct defer_entry *lowest;

			if (lowest_unpublished(&lowest) == POS_UNKNOWN ||
			    lowest == NULL)
				break;
			e = lowest;
			if (atomic_load(&e->state) != DEFER_READY ||
			    !producer_wait_room(e->pos, e->len))
				break;
		}
		publish(e->pos, e->rec, e->len);
		entry_done(d, e);
	}
	atomic_store(&d->flushing, 0);
	/* a handler deferred more after the last look, and did not flush */
	if (emptied && producer_defer_pending())
		goto again;
}

/*
 * A reservation made while the thread holds unpublished slots: in a
 * signal handler that interrupted the shim, or right after one.
 */
struct producer_slot
producer_reserve_nested(uint32_t len)
{
	struct producer_slot s = { .nested = true };
	struct defer_entry *e = defer_claim(len);
	uint64_t outer;

	if (e == NULL) {
		count_dropped();
		return s;
	}
	s.pos = ms_ring_reserve(&shim.ring, len);
	e->pos = s.pos;
	atomic_store(&e->state, DEFER_RESERVED);
	s.entry = e;
	s.ok = true;
	if (ms_ring_has_room(&shim.ring, s.pos, len))
		return s;
	/*
	 * Wait for room only when no slot of this thread but the outer
	 * work's, known, is unpublished, and the room does not depend on
	 * that one; defer otherwise (deferring is always safe).
	 */
	outer = atomic_load(&shim_self.outer_pos);
	if (atomic_load(&shim_self.deferred->pending) != 1 ||
	    outer == OUTER_UNKNOWN ||
	    (outer != OUTER_NONE && s.pos + len > outer - 2 + shim.ring.mask + 1)) {
		s.deferred = true;
		return s;
	}
	if (!producer_wait_room(s.pos, len)) {
		defer_release(e);
		count_dropped();
		s.ok = false;
	}
	return s;
}

void
producer_commit_nested(const struct producer_slot *s, void *rec, uint32_t len)
{
	((struct ms_record *)rec)->thread = shim_self.number;
	if (s->deferred) {
		memcpy(s->entry->rec, rec, len);
		atomic_store(&s->entry->state, DEFER_READY);
	} else {
		publish(s->pos, rec, len);
		defer_release(s->entry);
	}
	if (producer_defer_pending())
		producer_defer_flush();
}

static void
thread_ended(void *arg)
{
	/* the thread's frames below this one are dead from here on */
	struct ms_ev_thread ev = { .hdr.type = MS_EV_THREAD,
	    .tid = (int32_t)syscall(SYS_gettid), .op = MS_THREAD_ENDED,
	    .sp = (uint64_t)(uintptr_t)__builtin_frame_address(0) };
	struct defer_list *d = atomic_load(&shim_self.deferred);

	(void)arg;
	if (shim_self.in_hook ||
	    atomic_load(&shim.state) != SHIM_ACTIVE)
		return;
	shim_self.in_hook = 1;
	producer_emit(&ev, sizeof(ev));
	shim_self.in_hook = 0;
	if (d != NULL && !producer_defer_pending()) {
		atomic_store(&shim_self.deferred, NULL);
		shim.real.munmap(d, DEFER_MAP_SIZE);
	}
}

static void
make_thread_key(void)
{
	pthread_key_create(&thread_key, thread_ended);
}

/* A thread's first event: give it a number and say it started. */
void
producer_thread_hello(void)
{
	struct ms_ev_thread ev = { .hdr.type = MS_EV_THREAD,
	    .tid = (int32_t)syscall(SYS_gettid), .op = MS_THREAD_STARTED };
	uint32_t n = atomic_fetch_add(&shim.next_thread, 1) + 1;

	shim_self.number = (uint16_t)(n > 0xffff ? 0xffff : n);
	shim_self.generation = atomic_load(&shim.generation);
	pthread_once(&thread_key_once, make_thread_key);
	/* a non-NULL value makes the key's destructor run at thread exit */
	pthread_setspecific(thread_key, (void *)1);
	producer_emit(&ev, sizeof(ev));
}

bool
producer_abandon_outer(void)
{
	uint64_t outer = atomic_load(&shim_self.outer_pos), pos;
	uint32_t len = shim_self.outer_len;
	struct ms_record skip = { .type = MS_EV_SKIP };

	if (producer_defer_pending() || outer == OUTER_UNKNOWN) {
		shim_debug("a fatal signal came while records of signal "
		    "handlers were deferred: no leak check");
		return false;
	}
	if (outer == OUTER_NONE)
		return true;
	pos = outer - 2;
	if (!producer_wait_room(pos, len))
		return false;
	/* published already (then read, or waiting to be), or still empty */
	if (atomic_load(&shim.ring.hdr->tail) <= pos &&
	    ms_ring_peek(&shim.ring, pos) == 0) {
		/* the header alone: the rest of the slot is never read */
		ms_ring_copy_in(&shim.ring, pos + 4, (const char *)&skip + 4,
		    sizeof(skip) - 4);
		atomic_store_explicit(&ms_ring_record_at(&shim.ring, pos)->len,
		    len, memory_order_release);
	}
	atomic_store(&shim_self.outer_pos, OUTER_NONE);
	return true;
}

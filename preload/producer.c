/*
 * The producer side of the ring. The fast path is one atomic add, the
 * copy, one release store: no system call, no lock. A full ring makes the
 * event wait (lossless), counted in the header; a wait that lasts is a
 * chance to notice that the analyzer has gone, and to let go.
 *
 * A signal handler that interrupts the shim and allocates (see
 * shim_enter) produces too, on the same thread. The interrupted work may
 * hold a reserved slot it has not published yet; the analyzer reads in
 * order, so it stops there, and a handler waiting for room behind that
 * slot would wait forever. So a handler's event whose room depends on one
 * of its own thread's unpublished slots is deferred: its slot is reserved
 * (its place in the order is right) and the record is kept in the
 * thread's deferred entries, to be published by whoever ends the last of
 * those slots. Deferred events are rare (a signal in the shim while the
 * ring is full); the fast path only checks that there are none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "futex.h"
#include "shim.h"

#define SPINS_BEFORE_SLEEP	200
#define SLEEP_NS		(10 * 1000 * 1000)	/* one futex wait */
#define SLEEPS_BEFORE_CHECK	20			/* 200 ms */

/*
 * shim_self.outer_pos: the slot that the thread's outermost work holds
 * unpublished, as seen by a handler interrupting it.
 */
#define OUTER_NONE	0	/* none */
#define OUTER_UNKNOWN	1	/* being reserved: its position is not known yet */
#define OUTER_AT(pos)	((pos) + 2)

/*
 * A thread's deferred entries, mapped the first time one is needed. Only
 * the thread itself and its signal handlers use them, and a handler runs
 * to its end before the code it interrupted goes on; so the atomics only
 * make each step a single instruction, never interrupted halfway.
 */
#define DEFER_ENTRIES	32
#define DEFER_RECORD_MAX (sizeof(struct ms_ev_stack) + 8 * MS_MAX_DEPTH)

enum defer_state {
	DEFER_CLAIMED,		/* taken: slot not reserved yet, or position not written */
	DEFER_RESERVED,		/* slot at pos, record not written */
	DEFER_READY,		/* slot at pos, record in rec: to publish */
	DEFER_DONE,		/* published, or not needed after all */
};

struct defer_entry {
	uint64_t	 pos;
	uint32_t	 len;
	_Atomic uint32_t state;
	_Atomic uint32_t epoch;		/* the claims' epoch it was taken in */
	uint64_t	 rec[DEFER_RECORD_MAX / 8];
};

struct defer_list {
	/* epoch << 32 | entries taken; an epoch ends when all are published */
	_Atomic uint64_t claims;
	_Atomic int	 flushing;
	struct defer_entry e[DEFER_ENTRIES];
};

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

/* Has the analyzer closed its end of the socket? */
bool
producer_analyzer_gone(void)
{
	struct pollfd p = { .fd = shim.sock, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	return recv(shim.sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Wait until [pos, pos + len) is free; false if the analyzer went away. */
static bool
wait_room(uint64_t pos, uint32_t len)
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
		if (atomic_load(&shim.state) != SHIM_ACTIVE)
			return false;
		if (sleeps % SLEEPS_BEFORE_CHECK == 0 && producer_analyzer_gone()) {
			shim_debug("the analyzer has gone: pass-through from now on");
			shim_passthrough();
			return false;
		}
	}
}

static void
wake_consumer(void)
{
	uint64_t one = 1;

	(void)!write(shim.wakefd, &one, sizeof(one));
}

static void
publish(uint64_t pos, const void *rec, uint32_t len)
{
	ms_ring_publish(&shim.ring, pos, rec, len);
	if (ms_ring_consumer_asleep(&shim.ring))
		wake_consumer();
}

static void
count_dropped(void)
{
	atomic_fetch_add(&shim.ring.hdr->dropped, 1);
}

/* The thread's deferred entries, mapped on first use (mmap is safe here). */
static struct defer_list *
defer_list(void)
{
	struct defer_list *d = atomic_load(&shim_self.deferred), *none = NULL;
	void *p;

	if (d != NULL)
		return d;
	p = shim.real.mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* a handler that came in meanwhile may have mapped one: keep it */
	if (!atomic_compare_exchange_strong(&shim_self.deferred, &none, p)) {
		shim.real.munmap(p, sizeof(*d));
		return none;
	}
	return p;
}

/* Does the thread have deferred entries not published yet? */
static inline bool
defer_pending(void)
{
	struct defer_list *d = atomic_load_explicit(&shim_self.deferred,
	    memory_order_relaxed);

	return d != NULL && (uint32_t)atomic_load_explicit(&d->claims,
	    memory_order_relaxed) != 0;
}

/*
 * Take an entry, before the slot: a handler that comes in between sees it
 * and knows that this code holds a slot it cannot see the position of.
 */
static struct defer_entry *
defer_claim(void)
{
	struct defer_list *d = defer_list();
	struct defer_entry *e;
	uint64_t c;

	if (d == NULL ||
	    (uint32_t)atomic_load(&d->claims) >= DEFER_ENTRIES)
		return NULL;
	c = atomic_fetch_add(&d->claims, 1);
	/* a handler took the last entry between the check and the add */
	if ((uint32_t)c >= DEFER_ENTRIES)
		return NULL;
	e = &d->e[(uint32_t)c];
	atomic_store(&e->state, DEFER_CLAIMED);
	atomic_store(&e->epoch, (uint32_t)(c >> 32));
	return e;
}

/*
 * A slot published in place (or dropped) gives its entry back when it is
 * the last taken, which it is unless a handler deferred one meanwhile: a
 * burst of signals while the outer work holds its slot must not use up
 * the entries.
 */
static void
defer_release(struct defer_entry *e)
{
	struct defer_list *d = atomic_load(&shim_self.deferred);
	uint64_t c = atomic_load(&d->claims);
	uint32_t i = (uint32_t)(e - d->e);

	atomic_store(&e->state, DEFER_DONE);
	if ((uint32_t)c == i + 1 && atomic_load(&e->epoch) == (uint32_t)(c >> 32))
		(void)atomic_compare_exchange_strong(&d->claims, &c, c - 1);
}

#define POS_UNKNOWN	UINT64_MAX
#define POS_NONE	(UINT64_MAX - 1)

/*
 * The lowest position among the thread's slots not published yet, but
 * self's; POS_UNKNOWN when one of them has no known position (a safe
 * answer: the caller then defers), POS_NONE when there are none.
 * *first gets the entry that holds it, NULL when that is the outer work's.
 */
static uint64_t
lowest_unpublished(const struct defer_entry *self, struct defer_entry **first)
{
	struct defer_list *d = atomic_load(&shim_self.deferred);
	uint64_t outer = atomic_load(&shim_self.outer_pos), low = POS_NONE;
	uint64_t c;
	uint32_t n, epoch;

	*first = NULL;
	if (outer == OUTER_UNKNOWN)
		return POS_UNKNOWN;
	if (outer != OUTER_NONE)
		low = outer - 2;
	if (d == NULL)
		return low;
	c = atomic_load(&d->claims);
	n = (uint32_t)c < DEFER_ENTRIES ? (uint32_t)c : DEFER_ENTRIES;
	epoch = (uint32_t)(c >> 32);
	for (uint32_t i = 0; i < n; i++) {
		struct defer_entry *e = &d->e[i];
		uint32_t st = atomic_load(&e->state);

		if (e == self || (st == DEFER_DONE && atomic_load(&e->epoch) == epoch))
			continue;
		if (atomic_load(&e->epoch) != epoch || st == DEFER_CLAIMED)
			return POS_UNKNOWN;
		if (e->pos < low) {
			low = e->pos;
			*first = e;
		}
	}
	return low;
}

/*
 * Publish the deferred records that can be, lowest position first: each
 * is then the thread's lowest unpublished slot, so waiting for its room
 * waits only for other threads. Stops at a slot still being worked on by
 * code this call interrupted: that code publishes the rest when it ends.
 */
static void
defer_flush(void)
{
	struct defer_list *d = atomic_load(&shim_self.deferred);
	struct defer_entry *e;
	uint64_t c, low;
	bool emptied;

	if (d == NULL)
		return;
again:
	if (atomic_exchange(&d->flushing, 1) != 0)
		return;
	emptied = false;
	for (;;) {
		c = atomic_load(&d->claims);
		low = lowest_unpublished(NULL, &e);
		if (low == POS_UNKNOWN)
			break;
		if (e == NULL) {
			/* the outer work's slot first: it flushes when it ends */
			if (low != POS_NONE)
				break;
			/* all published: a new epoch, unless one was just taken */
			if (atomic_compare_exchange_strong(&d->claims, &c,
			    ((c >> 32) + 1) << 32)) {
				emptied = true;
				break;
			}
			continue;
		}
		if (atomic_load(&e->state) != DEFER_READY ||
		    !wait_room(e->pos, e->len))
			break;
		publish(e->pos, e->rec, e->len);
		atomic_store(&e->state, DEFER_DONE);
	}
	atomic_store(&d->flushing, 0);
	/* a handler deferred more after the last look, and did not flush */
	if (emptied && defer_pending())
		goto again;
}

/*
 * A reservation made while the thread holds unpublished slots: in a
 * signal handler that interrupted the shim, or right after one.
 */
static struct producer_slot
reserve_nested(uint32_t len)
{
	struct producer_slot s = { .nested = true };
	struct defer_entry *e = defer_claim(), *first;
	uint64_t low;

	if (e == NULL) {
		count_dropped();
		return s;
	}
	s.pos = ms_ring_reserve(&shim.ring, len);
	e->pos = s.pos;
	e->len = len;
	atomic_store(&e->state, DEFER_RESERVED);
	s.entry = e;
	s.ok = true;
	if (ms_ring_has_room(&shim.ring, s.pos, len))
		return s;
	low = lowest_unpublished(e, &first);
	if (low == POS_UNKNOWN ||
	    (low != POS_NONE && s.pos + len > low + shim.ring.mask + 1)) {
		s.deferred = true;	/* its room waits for this thread's own slot */
		return s;
	}
	if (!wait_room(s.pos, len)) {
		defer_release(e);
		count_dropped();
		s.ok = false;
	}
	return s;
}

struct producer_slot
producer_reserve(uint32_t len)
{
	struct producer_slot s = { .ok = true };

	if (unlikely(atomic_load_explicit(&shim_self.outer_pos,
	    memory_order_relaxed) != OUTER_NONE || defer_pending()))
		return reserve_nested(len);
	atomic_store_explicit(&shim_self.outer_pos, OUTER_UNKNOWN,
	    memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	s.pos = ms_ring_reserve(&shim.ring, len);
	atomic_store_explicit(&shim_self.outer_pos, OUTER_AT(s.pos),
	    memory_order_relaxed);
	if (!ms_ring_has_room(&shim.ring, s.pos, len) && !wait_room(s.pos, len)) {
		atomic_store(&shim_self.outer_pos, OUTER_NONE);
		count_dropped();
		s.ok = false;
	}
	return s;
}

void
producer_commit(const struct producer_slot *s, void *rec, uint32_t len)
{
	struct ms_record *r = rec;

	r->thread = shim_self.number;
	if (unlikely(s->deferred)) {
		memcpy(s->entry->rec, rec, len);
		atomic_store(&s->entry->state, DEFER_READY);
	} else {
		publish(s->pos, rec, len);
		atomic_signal_fence(memory_order_seq_cst);
		if (s->nested)
			defer_release(s->entry);
		else
			atomic_store_explicit(&shim_self.outer_pos, OUTER_NONE,
			    memory_order_relaxed);
	}
	if (unlikely(defer_pending()))
		defer_flush();
}

/* Reserve, write and publish one record. */
bool
producer_emit(void *rec, uint32_t len)
{
	struct producer_slot s = producer_reserve(len);

	if (s.ok)
		producer_commit(&s, rec, len);
	return s.ok;
}

static void
thread_ended(void *arg)
{
	struct ms_ev_thread ev = { .hdr.type = MS_EV_THREAD,
	    .tid = (int32_t)syscall(SYS_gettid), .op = MS_THREAD_ENDED };
	struct defer_list *d = atomic_load(&shim_self.deferred);

	(void)arg;
	if (shim_self.in_hook ||
	    atomic_load(&shim.state) != SHIM_ACTIVE)
		return;
	shim_self.in_hook = 1;
	producer_emit(&ev, sizeof(ev));
	shim_self.in_hook = 0;
	if (d != NULL && !defer_pending()) {
		atomic_store(&shim_self.deferred, NULL);
		shim.real.munmap(d, sizeof(*d));
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

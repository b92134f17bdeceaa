/*
 * The producer side of the ring. The fast path is one atomic add, the
 * copy, one release store: no system call, no lock. A full ring makes the
 * event wait (lossless), counted in the header; a wait that lasts is a
 * chance to notice that the analyzer has gone, and to let go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "futex.h"
#include "shim.h"

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

uint64_t
producer_reserve(uint32_t len, bool *ok)
{
	uint64_t pos = ms_ring_reserve(&shim.ring, len);

	*ok = ms_ring_has_room(&shim.ring, pos, len) || wait_room(pos, len);
	if (!*ok)
		atomic_fetch_add(&shim.ring.hdr->dropped, 1);
	return pos;
}

void
producer_commit(uint64_t pos, void *rec, uint32_t len)
{
	struct ms_record *r = rec;

	r->thread = shim_self.number;
	ms_ring_publish(&shim.ring, pos, rec, len);
	if (ms_ring_consumer_asleep(&shim.ring))
		wake_consumer();
}

/* Reserve, write and publish one record. */
bool
producer_emit(void *rec, uint32_t len)
{
	bool ok;
	uint64_t pos = producer_reserve(len, &ok);

	if (ok)
		producer_commit(pos, rec, len);
	return ok;
}

static void
thread_ended(void *arg)
{
	struct ms_ev_thread ev = { .hdr.type = MS_EV_THREAD,
	    .tid = (int32_t)syscall(SYS_gettid), .op = MS_THREAD_ENDED };

	(void)arg;
	if (shim_self.in_hook ||
	    atomic_load(&shim.state) != SHIM_ACTIVE)
		return;
	shim_self.in_hook = 1;
	producer_emit(&ev, sizeof(ev));
	shim_self.in_hook = 0;
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

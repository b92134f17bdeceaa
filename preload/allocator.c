/* SPDX-License-Identifier: ISC */
/*
 * The allocator's own view, for the heap analytics: glibc's mallinfo2()
 * and the number of arenas malloc_info() lists, sent now and then while
 * the program allocates (at most once a second, looked at every 16384
 * allocations of a thread) and as the process ends. Other allocators have
 * no such figures: nothing is sent, and memscope says so.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "producer.h"
#include "shim.h"

#define CHECK_EVERY	16384
#define EVERY_NS	1000000000LL

static _Atomic long long last_ns;

struct sample {
	struct ms_ev_allocator ev;
	struct ms_free_class classes[MS_FREE_CLASSES_MAX];
};

/* Add a free class of malloc_info's to the sample (same sizes: summed). */
static void
add_class(struct sample *s, const struct ms_free_class *c)
{
	uint32_t i;

	for (i = 0; i < s->ev.nclasses; i++)
		if (s->classes[i].from == c->from && s->classes[i].to == c->to) {
			s->classes[i].count += c->count;
			s->classes[i].bytes += c->bytes;
			return;
		}
	if (i < MS_FREE_CLASSES_MAX) {
		s->classes[i] = *c;
		s->ev.nclasses++;
	}
}

/* Room for malloc_info's text: a few KiB per arena. */
#define INFO_MAX	(256 * 1024)

/*
 * malloc_info writes to a stream: one, opened as the shim starts and never
 * closed, on a static buffer and unbuffered. Its memory (glibc's malloc)
 * is then taken once, before the program's figures are, so that every
 * sample sees the heap the program sees; and it holds no pointer into the
 * heap. A stream opened and closed at each sample would leave stale heap
 * pointers in free chunks, which a live leak check (memscope leaks) scans:
 * a block allocated there later would look pointed to.
 */
static char info_text[INFO_MAX];
static FILE *info_stream;

void
allocator_init(void)
{
	if (info_stream != NULL || !shim.glibc_malloc || !shim.opts.stats)
		return;
	shim_self.in_hook++;
	if ((info_stream = fmemopen(info_text, sizeof(info_text) - 1, "w")) != NULL)
		(void)setvbuf(info_stream, NULL, _IONBF, 0);
	shim_self.in_hook--;
}

/*
 * What malloc_info lists: its arenas ("<heap nr=") and their free chunks
 * by size ("<size from= to= total= count=/>", inside each heap).
 */
static void
read_malloc_info(struct sample *s)
{
	const char *text = info_text;

	/* each write ends with a NUL: the text is what this call wrote */
	rewind(info_stream);
	if (malloc_info(0, info_stream) != 0)
		return;
	for (const char *p = text; p != NULL && (p = strstr(p, "<heap nr=")) != NULL; p++)
		s->ev.arenas++;
	for (const char *p = text; p != NULL && (p = strstr(p, "<size from=")) != NULL; p++) {
		unsigned long from, to, total, count;

		if (sscanf(p, "<size from=\"%lu\" to=\"%lu\" total=\"%lu\" count=\"%lu\"",
		    &from, &to, &total, &count) == 4)
			add_class(s, &(struct ms_free_class){ (uint32_t)from,
			    (uint32_t)to, count, total });
	}
}

static void
sample(bool at_exit)
{
	/* 2.3 KiB: not on a thread's stack, one sample at a time */
	static struct sample s;
	static _Atomic int busy;
	struct mallinfo2 mi;

	if (!shim.glibc_malloc)
		return;
	/* another thread is sampling: skip this one, but never the last */
	while (atomic_exchange(&busy, 1) != 0) {
		if (!at_exit)
			return;
		sched_yield();
	}
	memset(&s, 0, sizeof(s));
	s.ev.hdr.type = MS_EV_ALLOCATOR;
	s.ev.at_exit = at_exit;
	shim_self.in_hook++;	/* malloc_info's own allocations are glibc's */
	mi = mallinfo2();
	if (info_stream != NULL)
		read_malloc_info(&s);
	shim_self.in_hook--;
	s.ev.system_bytes = mi.arena + mi.hblkhd;
	s.ev.in_use_bytes = mi.uordblks + mi.hblkhd;
	s.ev.free_bytes = mi.fordblks;
	s.ev.top_bytes = mi.keepcost;
	s.ev.mmapped_bytes = mi.hblkhd;
	s.ev.mmapped_blocks = mi.hblks;
	s.ev.free_chunks = mi.ordblks;
	s.ev.fastbin_free_bytes = mi.fsmblks;
	producer_emit(&s, (uint32_t)(sizeof(s.ev) +
	    s.ev.nclasses * sizeof(s.classes[0])));
	atomic_store(&busy, 0);
}

void
allocator_tick(void)
{
	struct timespec ts;
	long long now, last;

	/* a signal handler's call: the sample is the interrupted work's */
	if (++shim_self.allocs_since_check < CHECK_EVERY || shim_nested())
		return;
	shim_self.allocs_since_check = 0;
	/* an analyzer killed while the ring has room: noticed here too */
	if (producer_analyzer_gone()) {
		shim_passthrough();
		return;
	}
	if (!shim.opts.stats)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	last = atomic_load(&last_ns);
	if (now - last < EVERY_NS || !atomic_compare_exchange_strong(&last_ns,
	    &last, now))
		return;
	sample(false);
}

void
allocator_sample_last(void)
{
	if (shim.opts.stats)
		sample(false);
}

void
allocator_final(void)
{
	if (shim.opts.stats)
		sample(true);
}

/*
 * The allocator's own view, for the heap analytics: glibc's mallinfo2()
 * and the number of arenas malloc_info() lists, sent now and then while
 * the program allocates (at most once a second, looked at every 16384
 * allocations of a thread) and as the process ends. Other allocators have
 * no such figures: nothing is sent, and memscope says so.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shim.h"

#define CHECK_EVERY	16384
#define EVERY_NS	1000000000LL

static _Atomic long long last_ns;

/* The arenas malloc_info lists ("<heap nr="), or 0. */
static uint32_t
count_arenas(void)
{
	char *text = NULL;
	size_t len = 0;
	uint32_t n = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return 0;
	if (malloc_info(0, f) != 0) {
		fclose(f);
		free(text);
		return 0;
	}
	fclose(f);
	for (const char *p = text; p != NULL && (p = strstr(p, "<heap nr=")) != NULL; p++)
		n++;
	free(text);
	return n;
}

static void
sample(bool at_exit)
{
	struct ms_ev_allocator ev = { .hdr.type = MS_EV_ALLOCATOR,
	    .at_exit = at_exit };
	struct mallinfo2 mi;

	if (!shim.glibc_malloc)
		return;
	shim_self.in_hook++;	/* malloc_info's own allocations are glibc's */
	mi = mallinfo2();
	ev.arenas = count_arenas();
	shim_self.in_hook--;
	ev.system_bytes = mi.arena + mi.hblkhd;
	ev.in_use_bytes = mi.uordblks + mi.hblkhd;
	ev.free_bytes = mi.fordblks;
	ev.top_bytes = mi.keepcost;
	ev.mmapped_bytes = mi.hblkhd;
	ev.mmapped_blocks = mi.hblks;
	ev.free_chunks = mi.ordblks;
	ev.fastbin_free_bytes = mi.fsmblks;
	producer_emit(&ev, sizeof(ev));
}

void
allocator_tick(void)
{
	struct timespec ts;
	long long now, last;

	if (++shim_self.allocs_since_check < CHECK_EVERY)
		return;
	shim_self.allocs_since_check = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	last = atomic_load(&last_ns);
	if (now - last < EVERY_NS || !atomic_compare_exchange_strong(&last_ns,
	    &last, now))
		return;
	sample(false);
}

void
allocator_final(void)
{
	sample(true);
}

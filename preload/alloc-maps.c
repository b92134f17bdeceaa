/* SPDX-License-Identifier: ISC */
/*
 * The allocator's own mappings (struct ms_alloc_maps, protocol.h): when
 * malloc is a library's other than the C library's (jemalloc, tcmalloc,
 * mimalloc), each mmap, munmap and mremap that library calls is appended
 * to a log that the leak check reads at the end, so that the allocator's
 * memory is never taken for the program's, whatever maps line the kernel
 * merged it into. Those calls come from inside the allocator, its locks
 * held: the log takes no lock and makes no call but the one system call
 * that maps it, the first time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

static struct ms_alloc_maps *log_maps;
static _Atomic int log_state;	/* 0 none, 1 mapping, 2 mapped, 3 failed */

/* Tell the analyzer, in the ring's header, where the log is. */
void
alloc_maps_publish(void)
{
	if (shim.ring.hdr != NULL &&
	    atomic_load_explicit(&log_state, memory_order_acquire) == 2)
		atomic_store(&shim.ring.hdr->alloc_maps, (uintptr_t)log_maps);
}

static struct ms_alloc_maps *
the_log(void)
{
	int expected = 0;
	void *p;

	if (atomic_load_explicit(&log_state, memory_order_acquire) == 2)
		return log_maps;
	/*
	 * Being mapped by another thread: this entry is lost. A mapping
	 * not logged stays among the roots, as without the log; an
	 * unmapping not logged is of a range mapped before the log was.
	 */
	if (!atomic_compare_exchange_strong(&log_state, &expected, 1))
		return NULL;
	p = (void *)syscall(SYS_mmap, NULL, (size_t)MS_ALLOC_MAPS_SIZE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, (off_t)0);
	if (p == MAP_FAILED) {
		atomic_store(&log_state, 3);
		return NULL;
	}
	log_maps = p;
	log_maps->magic = MS_ALLOC_MAPS_MAGIC;
	log_maps->capacity = (MS_ALLOC_MAPS_SIZE - sizeof(*log_maps)) /
	    sizeof(struct ms_alloc_map);
	atomic_store_explicit(&log_state, 2, memory_order_release);
	alloc_maps_publish();
	return log_maps;
}

void
alloc_maps_note(uint32_t op, const void *addr, size_t len)
{
	int saved_errno = errno;
	struct ms_alloc_maps *l = the_log();

	if (l != NULL) {
		uint64_t i = atomic_fetch_add(&l->taken, 1);

		if (i < l->capacity) {
			struct ms_alloc_map *e = (struct ms_alloc_map *)(void *)(l + 1) + i;

			e->addr = (uintptr_t)addr;
			e->len = len;
			e->op = op;
			atomic_store_explicit(&e->done, 1, memory_order_release);
		}
	}
	errno = saved_errno;
}

static int
find_allocator(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t start, end, m = (uintptr_t)arg;

	(void)size;
	object_span(info, &start, &end);
	if (m >= start && m < end) {
		/* the program's own malloc: its mappings cannot be told apart */
		if (info->dlpi_name[0] != '\0') {
			shim.alloc_start = start;
			shim.alloc_end = end;
		}
		return 1;
	}
	return 0;
}

void
alloc_maps_find_allocator(void)
{
	if (shim.glibc_malloc || shim.real.malloc == NULL || shim.alloc_end != 0)
		return;
	dl_iterate_phdr(find_allocator, (void *)(uintptr_t)shim.real.malloc);
}

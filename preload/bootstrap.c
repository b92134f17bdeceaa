/* SPDX-License-Identifier: ISC */
/*
 * Allocations made while dlsym() resolves the real allocator (glibc's
 * dlsym can call calloc) cannot go to the allocator being resolved: they
 * come from this static buffer, are never freed, and are recognised by
 * address so that free() and realloc() leave them alone.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "shim.h"

#define BOOTSTRAP_SIZE	(64 * 1024)

static alignas(64) unsigned char bootstrap_buf[BOOTSTRAP_SIZE];
static _Atomic size_t bootstrap_used;

/* Each block is preceded by its size, so realloc can copy it out. */
void *
bootstrap_alloc(size_t size, size_t align)
{
	size_t start, end, used;

	if (align < 16)
		align = 16;
	used = atomic_load_explicit(&bootstrap_used, memory_order_relaxed);
	do {
		start = (used + sizeof(size_t) + align - 1) & ~(align - 1);
		end = start + size;
		if (end > BOOTSTRAP_SIZE || end < start)
			return NULL;
	} while (!atomic_compare_exchange_weak(&bootstrap_used, &used, end));
	*(size_t *)(void *)(bootstrap_buf + start - sizeof(size_t)) = size;
	return bootstrap_buf + start;
}

bool
bootstrap_owns(const void *p)
{
	return (const unsigned char *)p >= bootstrap_buf &&
	    (const unsigned char *)p < bootstrap_buf + BOOTSTRAP_SIZE;
}

size_t
bootstrap_size(const void *p)
{
	return *(const size_t *)(const void *)((const unsigned char *)p -
	    sizeof(size_t));
}

/* SPDX-License-Identifier: ISC */
/* Memory figures of a range, as /proc/PID/smaps reports them, in bytes. */
#ifndef MEMSCOPE_MEMCOUNTS_H
#define MEMSCOPE_MEMCOUNTS_H

#include <stdint.h>

struct mem_counts {
	uint64_t	rss;
	uint64_t	pss;
	uint64_t	shared_clean;
	uint64_t	shared_dirty;
	uint64_t	private_clean;
	uint64_t	private_dirty;
	uint64_t	referenced;
	uint64_t	anonymous;
	uint64_t	anon_huge;
	uint64_t	swap;
	uint64_t	swap_pss;
	uint64_t	locked;
};

/* The fields, in declaration order, so code can walk them as an array. */
#define MEM_COUNTS_NFIELDS (sizeof(struct mem_counts) / sizeof(uint64_t))

static inline uint64_t *
mem_counts_field(struct mem_counts *m, size_t i)
{
	return (uint64_t *)m + i;
}

static inline void
mem_counts_add(struct mem_counts *to, const struct mem_counts *from)
{
	for (size_t i = 0; i < MEM_COUNTS_NFIELDS; i++)
		*mem_counts_field(to, i) +=
		    *mem_counts_field((struct mem_counts *)from, i);
}

#endif

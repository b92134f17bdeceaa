/* SPDX-License-Identifier: ISC */
/*
 * The anonymous private mappings a process made itself: its mmap, mremap
 * and munmap as the shim saw them (the allocator's own, made inside its
 * calls or from its object, are not seen as the program's); and the part
 * of the data segment (the brk heap) it grew itself with brk or sbrk
 * (malloc's growth of it is made inside libc, and not seen). The kernel
 * merges adjacent anonymous mappings of the same flags into one line of
 * /proc/PID/maps, whoever made them, and the brk heap is one line whoever
 * grew it; this is what tells, inside such a line, the program's memory
 * from its allocator's.
 *
 * Ranges are page-aligned, sorted, disjoint; adjacent ones are joined, so
 * there are never more of them than the process has mappings.
 */
#ifndef MEMSCOPE_MODEL_MAPPINGS_H
#define MEMSCOPE_MODEL_MAPPINGS_H

#include <stddef.h>
#include <stdint.h>

struct mapping_range {
	uint64_t	 start;
	uint64_t	 end;
};

struct mapping_set {
	struct mapping_range *ranges;
	size_t		 n;
	size_t		 cap;
};

/* A mapping made: [addr, addr + len) is the program's if anonymous and
 * private (flags as given to mmap), and no longer anything else. */
void	model_mappings_mmap(struct mapping_set *s, uint64_t addr, uint64_t len,
	    int flags);
void	model_mappings_munmap(struct mapping_set *s, uint64_t addr, uint64_t len);
/* The program moved its data segment's end from old_brk to new_brk: what
 * it grew is its own (the pages it reaches), what it gave back is not. */
void	model_mappings_brk(struct mapping_set *s, uint64_t old_brk,
	    uint64_t new_brk);
/* A mapping moved or resized: the new range is the program's if the old
 * one began in a range of the program's. */
void	model_mappings_mremap(struct mapping_set *s, uint64_t old_addr,
	    uint64_t old_len, uint64_t new_addr, uint64_t new_len);
/* The first range ending after addr (s->n: none). */
size_t	model_mappings_find(const struct mapping_set *s, uint64_t addr);
void	model_mappings_copy(struct mapping_set *dst, const struct mapping_set *src);
void	model_mappings_free(struct mapping_set *s);

#endif

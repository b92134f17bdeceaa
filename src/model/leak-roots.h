/* SPDX-License-Identifier: ISC */
/*
 * The roots of the leak scan, from the layout of the process at its end:
 * the memory valgrind memcheck would scan in a program it ran, that is
 * every readable and writable byte (shared mappings too) but
 * - the allocator's own memory: memcheck's heap is its own and never a
 *   root; a block's contents count only once the block is reached. It is
 *   taken out by byte range, not by maps line, as the kernel merges
 *   adjacent anonymous mappings into one line: the program's own mmap'd
 *   memory next to a mapping of the allocator's stays a root. With glibc,
 *   that memory is the brk heap, the heaps of its other arenas (64 MiB
 *   aligned, found from a block in one through its heap_info) and the
 *   mapping of each block served by one (from its chunk header). Another
 *   allocator's memory has no shape memscope reads: a maps line holding
 *   one of its blocks (or the brk heap) is taken out but for the
 *   anonymous mappings the program made itself (its own mmap calls, as
 *   the shim saw them: never the allocator's), which stay roots;
 * - the dead part of each stack, below its thread's last stack pointer
 *   (less the 128-byte red zone), which memcheck knows is not in use;
 * - glibc malloc's bin and top pointers in libc's data (main_arena): under
 *   memcheck glibc's allocator is never used, so they never point into a
 *   block there; here they point at chunk headers, inside the block before;
 * - memscope's own memory in the process: the shim's data, its ring and
 *   what the ring's header names (the table of the stacks sent);
 * - device mappings, as memcheck skips them (but /dev/zero).
 *
 * A process joined late (memscope attach) has blocks memscope does not
 * know, from before the attach, which may point to blocks it knows: there
 * (partial) the allocator's memory is roots too, every byte of it but the
 * blocks known (the scan skips those, whatever the gap between two), so
 * a block from before the attach is a root whatever its size. The
 * allocator's free chunks are scanned with it, and a stale pointer in one
 * may keep a block reachable: never a leak reported that is not one.
 */
#ifndef MEMSCOPE_LEAK_ROOTS_H
#define MEMSCOPE_LEAK_ROOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "leak-scan.h"
#include "model-mappings.h"
#include "model-segments.h"

/* Where a thread's stack was live when its process was scanned. */
struct leak_stack {
	uint64_t	 sp;
	bool		 alive;		/* the thread lived to the end */
	pid_t		 tid;		/* 0 when not known */
};

struct leak_roots_input {
	const struct layout *layout;
	const struct leak_stack *stacks;
	size_t		 nstacks;
	const struct leak_block *blocks;	/* sorted */
	size_t		 nblocks;
	/* per block: served by a mapping of its own (glibc), or NULL */
	const uint8_t	*mmapped;
	/* the anonymous mappings the program made itself, or NULL */
	const struct mapping_set *own;
	/* the mappings of its allocator's own (not glibc), or NULL */
	const struct mapping_set *allocator;
	const char	*shim_path;		/* resolved, or NULL */
	const struct leak_range *excluded;	/* more memory that is not roots */
	size_t		 nexcluded;
	bool		 partial;		/* blocks from before an attach */
	leak_read_fn	 read;
	void		*ctx;
};

struct leak_roots {
	struct leak_range *roots;
	size_t		 nroots;
	struct leak_mapping *maps;
	size_t		 nmaps;
};

void	leak_roots_build(const struct leak_roots_input *in, struct leak_roots *out);
void	leak_roots_free(struct leak_roots *r);

/* Exposed for the unit tests: where main_arena's bins are in [start, end)
 * (the words read at start), as a range to leave out, or false. */
bool	leak_roots_find_main_arena(const uint64_t *words, size_t nwords,
	    uint64_t start, struct leak_range *out);

#endif

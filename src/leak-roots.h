/*
 * The roots of the leak scan, from the layout of the process at its end:
 * the memory valgrind memcheck would scan in a program it ran, that is
 * every readable and writable mapping but
 * - the allocator's own memory (the brk heap, glibc's arenas, any anonymous
 *   mapping holding blocks): memcheck's heap is its own and never a root;
 *   a block's contents count only once the block is reached;
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
 * (partial) the allocator's memory is roots too, but for the blocks known.
 * Its free chunks are scanned with it, so a stale pointer in one may keep
 * a block reachable: never a leak reported that is not one.
 */
#ifndef MEMSCOPE_LEAK_ROOTS_H
#define MEMSCOPE_LEAK_ROOTS_H

#include <stddef.h>

#include "leak-scan.h"
#include "model-segments.h"
#include "tracer.h"

struct leak_roots_input {
	const struct layout *layout;
	const struct tracer_stack *stacks;
	size_t		 nstacks;
	const struct leak_block *blocks;	/* sorted */
	size_t		 nblocks;
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

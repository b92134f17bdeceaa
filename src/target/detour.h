/* SPDX-License-Identifier: ISC */
/*
 * How memscope attach patches the entry of one of the allocator's
 * functions (x86-64): the decision, from the function's bytes, with a
 * disassembler. Writing it into the process is attach.c's; the table it
 * comes from and the order of the writes are in wire/detour-table.h.
 */
#ifndef MEMSCOPE_DETOUR_H
#define MEMSCOPE_DETOUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detour-table.h"

struct detour_plan {
	uint64_t	 entry;
	uint64_t	 area;		/* the patch area (MS_DETOUR_AREA bytes) */
	size_t		 nreplaced;	/* bytes of the entry replaced */
	uint8_t		 saved[MS_DETOUR_SAVED];	/* their values */
	uint8_t		 patch[MS_DETOUR_SAVED];	/* what replaces them */
	uint8_t		 code[MS_DETOUR_AREA];	/* the patch area's bytes */
	size_t		 ncode;
};

/*
 * Plan the patch of the function at entry, whose first len bytes are fn
 * (its whole body, so that no jump inside it into the bytes replaced goes
 * unnoticed), to jump to hook through the patch area at area. false, with
 * why, when it cannot be patched safely: an instruction that cannot be
 * moved, a jump into the replaced bytes, the area out of reach.
 */
bool	detour_plan(struct detour_plan *p, uint64_t entry, const uint8_t *fn,
	    size_t len, uint64_t hook, uint64_t area, char *why, size_t whylen);

/* Do the first bytes of a function (text, len of them) jump to area? */
bool	detour_is_patched(uint64_t entry, const uint8_t *text, size_t len,
	    uint64_t area);

/* What the shim calls as the function once its entry is patched. */
static inline uint64_t
detour_trampoline(uint64_t area)
{
	return area + MS_DETOUR_TRAMPOLINE;
}

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The entries of the allocator's functions, as memscope attach patches
 * them: the table the shim keeps and memscope reads and writes in the
 * process, through ptrace, while every thread of it is stopped.
 *
 * For each function, the shim names its entry (the definition the
 * program's calls end in, whichever way they are made: PLT, GOT, a
 * pointer saved long ago, the allocator's own calls), its own definition
 * (the hook), the pointer through which it calls the function itself, and
 * a patch area near the entry (within a rel32 jump of it). memscope
 * disassembles the entry (src/target/detour.c) and writes, in this order:
 *
 *   1. the patch area: at 0 a jump to the hook, at MS_DETOUR_TRAMPOLINE
 *      the trampoline (the instructions the patch replaces, relocated,
 *      then a jump back behind them): the function, unhooked;
 *   2. saved and nsaved: the bytes it replaces;
 *   3. the shim's pointer to the function: the trampoline;
 *   4. the entry: a jump to the patch area;
 *
 * and when every entry is done, the state word (below).
 *
 * Every state between two steps is one in which the program runs as it
 * should, so memscope may die at any moment. Detach writes the saved bytes
 * back and nsaved 0; the pointer stays the trampoline, which is the
 * function whether the entry is patched or not, and the patch area stays
 * mapped (a thread may be in it).
 *
 * The table, like the shim, stays in the process after a detach, and the
 * next attach finds it as it was left.
 */
#ifndef MEMSCOPE_WIRE_DETOUR_H
#define MEMSCOPE_WIRE_DETOUR_H

#include <stdint.h>

/*
 * The shim's state, in the word it exports a pointer to (memscope_state):
 * memscope_attach leaves the shim MS_STATE_ARMED, hooked but recording
 * nothing; memscope writes MS_STATE_RECORDING there in the stop in which
 * it patches the entries, so that every way into the allocator starts
 * being recorded at the same instant.
 */
#define MS_STATE_RECORDING	2
#define MS_STATE_ARMED		4

#define MS_DETOURS		12	/* entries in the table */
#define MS_DETOUR_AREA		128	/* bytes of patch area per entry */
#define MS_DETOUR_TRAMPOLINE	16	/* the trampoline's offset in it */
#define MS_DETOUR_SAVED		32	/* at most so many bytes replaced */
#define MS_DETOUR_NAME		16

struct ms_detour {
	uint64_t	entry;		/* the function's first byte; 0: unused */
	uint64_t	size;		/* its size (its symbol's); 0: unknown */
	uint64_t	hook;		/* the shim's definition */
	uint64_t	real;		/* where the shim's pointer to it is */
	uint64_t	area;		/* MS_DETOUR_AREA bytes, executable */
	uint32_t	nsaved;		/* bytes replaced at entry; 0: none */
	uint8_t		saved[MS_DETOUR_SAVED];
	char		name[MS_DETOUR_NAME];
	uint32_t	pad;
};

#endif

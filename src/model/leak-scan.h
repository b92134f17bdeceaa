/* SPDX-License-Identifier: ISC */
/*
 * The leak scan: which live blocks a process can still reach, decided as
 * valgrind memcheck decides it. A mark phase from the roots (memory that is
 * not heap, and registers) finds the reachable blocks: reached through a
 * pointer to their start, or through an interior pointer one of memcheck's
 * heuristics accepts, from a root or another such block; reached otherwise
 * they are possibly lost. Then each unreached block, in address order,
 * gathers what it alone reaches: those are indirectly lost, it definitely.
 *
 * Pure: the target's memory comes through a reader, so the tests can hand
 * it a made-up heap.
 */
#ifndef MEMSCOPE_LEAK_SCAN_H
#define MEMSCOPE_LEAK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Verdicts. The order is memcheck's (its loss records sort by it). */
enum leak_kind {
	LEAK_DEFINITELY,	/* memcheck's "Unreached" */
	LEAK_INDIRECTLY,
	LEAK_POSSIBLY,
	LEAK_REACHABLE,
	LEAK_NKINDS
};

/* Interior pointers memcheck counts as pointers to the start. */
enum leak_heuristic {
	LEAK_HEUR_NONE,
	LEAK_HEUR_STDSTRING,	/* libstdc++'s pre-C++11 string: 3 words of header */
	LEAK_HEUR_LENGTH64,	/* a 64-bit length of the rest, then the data */
	LEAK_HEUR_NEWARRAY,	/* new[]: the element count, then the elements */
	LEAK_HEUR_MULTIPLE_INHERITANCE,	/* a base class's vtable pointer inside */
	LEAK_NHEURISTICS
};
#define LEAK_HEURISTICS_ALL	0x1eu	/* 1 << each heuristic above NONE */

struct leak_block {
	uint64_t	 addr;
	uint64_t	 size;
};

struct leak_range {
	uint64_t	 start;
	uint64_t	 end;
};

/* A mapping, as far as the multiple-inheritance heuristic asks. */
struct leak_mapping {
	uint64_t	 start;
	uint64_t	 end;
	bool		 file;		/* backed by a file */
	bool		 readable;
	bool		 executable;
};

struct leak_io {
	uint64_t	 addr;
	size_t		 len;
};

/* Reading the target: copy the n ranges into dst back to back; zeros
 * where unreadable. */
typedef void (*leak_read_fn)(void *ctx, const struct leak_io *io, size_t n,
	    void *dst);

struct leak_scan_input {
	const struct leak_block *blocks;	/* sorted, not overlapping */
	size_t		 nblocks;
	/* memory scanned as roots; the bytes of blocks in it are skipped */
	const struct leak_range *roots;
	size_t		 nroots;
	const uint64_t	*regs;			/* register roots */
	size_t		 nregs;
	const struct leak_mapping *maps;	/* sorted */
	size_t		 nmaps;
	unsigned int	 heuristics;		/* 1 << enum leak_heuristic */
	/*
	 * The allocator's memory is among the roots (partial roots, see
	 * leak-roots.h): glibc's free chunks point at chunk headers, and the
	 * header after a block lies in the block's last word. Such a pointer
	 * is the allocator's, not a reference to the block.
	 */
	bool		 chunk_headers;
	/* copy the heap in bulk when it spans at most this (0: never) */
	uint64_t	 copy_limit;
	leak_read_fn	 read;
	void		*ctx;
};

struct leak_verdict {
	uint8_t		 kind;		/* enum leak_kind */
	uint8_t		 heuristic;	/* reachable through it (enum leak_heuristic) */
	/* definitely lost: the bytes of the blocks lost through this one */
	uint64_t	 indirect_bytes;
};

struct leak_scan_stats {
	uint64_t	 root_bytes;	/* memory scanned as roots */
	uint64_t	 block_bytes;	/* block contents scanned */
};

/* Classify every block of in into verdicts[i]. */
void	leak_scan(const struct leak_scan_input *in, struct leak_verdict *verdicts,
	    struct leak_scan_stats *stats);

#endif

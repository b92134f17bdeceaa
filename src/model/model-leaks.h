/* SPDX-License-Identifier: ISC */
/*
 * The leak verdicts of one process: the scan's result as loss records
 * (blocks grouped by kind and allocation stack, as memcheck groups them)
 * and the summary of the kinds. Built from the live blocks and their
 * verdicts, at the end of a run or from a trace.
 */
#ifndef MEMSCOPE_MODEL_LEAKS_H
#define MEMSCOPE_MODEL_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leak-scan.h"
#include "model.h"

struct leak_totals {
	uint64_t	 bytes;
	uint64_t	 blocks;
};

struct leak_record {
	uint8_t		 kind;		/* enum leak_kind */
	uint64_t	 stack;		/* allocation stack id (1: none) */
	uint64_t	 bytes;
	uint64_t	 blocks;
	uint64_t	 indirect_bytes;	/* lost through these blocks */
	const char	*suppressed_by;	/* a suppression's name, or NULL */
};

struct leak_report {
	struct leak_totals kinds[LEAK_NKINDS];	/* not counting suppressed */
	struct leak_totals suppressed;
	/* of the reachable: reached through each heuristic */
	struct leak_totals heuristic[LEAK_NHEURISTICS];
	struct leak_record *records;	/* largest first */
	size_t		 nrecords;
	/* how the scan went */
	uint64_t	 root_bytes;
	uint64_t	 block_bytes;
	uint64_t	 stopped_us;	/* the process was held this long */
	/* threads the check could not stop or read: nothing is called
	 * definitely or indirectly lost then */
	size_t		 unseen_threads;
	/* the verdicts, block by block in address order (for the trace) */
	struct leak_verdict *verdicts;
	size_t		 nverdicts;
};

/*
 * A frame of a loss record's stack as memcheck shows it: a frame for each
 * call inlined; first, the allocation call itself (malloc, calloc...) but
 * for operator new, whose own frame is there. Any field may be NULL.
 */
struct leak_frame {
	const char	*function;
	const char	*linkage;	/* mangled name */
	const char	*module;
	const char	*file;
	uint32_t	 line;
	bool		 below_main;	/* memcheck names it "(below main)" */
};

/* The first max frames of rec of p, into *buf (of *cap, grown as needed). */
size_t	model_leaks_frames(const struct session *s, const struct process *p,
	    const struct leak_record *rec, size_t max, struct leak_frame **buf,
	    size_t *cap);

/* The live blocks of h (inherited ones too) sorted by address, with their
 * stacks and, unless mmapped is NULL, whether the allocator served each
 * with a mapping of its own (all new). */
size_t	model_leaks_blocks(const struct heap_model *h, struct leak_block **blocks,
	    uint64_t **stacks, uint8_t **mmapped);

/* A report of n blocks and their verdicts (taken over, not copied). */
struct leak_report *model_leaks_report(const struct leak_block *blocks,
	    const uint64_t *stacks, struct leak_verdict *verdicts, size_t n);

/* Move record i to the suppressed figures, under name. */
void	model_leaks_suppress(struct leak_report *r, size_t i, const char *name);

void	model_leaks_free(struct leak_report *r);

const char *leak_kind_name(enum leak_kind kind);	/* "definitely" ... */
const char *leak_heuristic_name(enum leak_heuristic h);	/* "newarray" ... */

#endif

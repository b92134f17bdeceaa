/* SPDX-License-Identifier: ISC */
/*
 * The address-space layout of one process: every mapping cut into ranges of
 * one kind (text, data, bss, heap, stack, ...) and one object (the executable,
 * a library, a thread, a label), with its share of the mapping's memory.
 * Pure: it works on parsed /proc data and ELF headers handed in by a source.
 */
#ifndef MEMSCOPE_MODEL_SEGMENTS_H
#define MEMSCOPE_MODEL_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf-object.h"
#include "memcounts.h"
#include "proc-maps.h"
#include "strtab.h"

/* The order is the order of the summaries. Names are in seg_kind_name(). */
enum seg_kind {
	SEG_TEXT,
	SEG_RODATA,
	SEG_DATA,		/* .data, relro, GOT */
	SEG_BSS,
	SEG_HEAP,		/* the brk area */
	SEG_STACK,		/* the main thread's stack */
	SEG_THREAD_STACK,
	SEG_GUARD,		/* inaccessible: guard pages, reservations */
	SEG_ARGS_ENV,		/* argument and environment strings */
	SEG_VDSO,		/* vdso, vvar, vsyscall */
	SEG_ANON,
	SEG_FILE,
	SEG_SHM,
	SEG_NKINDS
};

struct segment {
	uint64_t	 start;
	uint64_t	 end;
	char		 perms[5];
	enum seg_kind	 kind;
	const char	*object;	/* interned in the layout's strtab */
	const char	*detail;	/* ".text .fini", or NULL; interned */
	size_t		 mapping;	/* index of the mapping it was cut from */
	int		 tid;		/* owner of a thread stack or its guard */
	struct mem_counts mem;
};

/*
 * A thread, with its stack pointer when it could be read, or else the
 * address of its descriptor, which glibc keeps at the top of its stack.
 */
struct seg_thread {
	int		 tid;
	char		 name[64];
	bool		 sp_known;
	uint64_t	 sp;
	bool		 tcb_known;
	uint64_t	 tcb;
	/* Filled by model_segments_build: the range holding sp, if found. */
	uint64_t	 stack_start;
	uint64_t	 stack_end;
	uint64_t	 guard_size;
};

struct seg_input {
	const struct proc_mapping *maps;	/* sorted by address */
	size_t		 nmaps;
	/* Per mapping: the ELF headers of its file, or NULL. */
	const struct elf_object *const *elf;
	uint64_t	 page_size;	/* 0: 4096 */
	uint64_t	 start_brk;	/* 0 when unknown */
	uint64_t	 arg_start;	/* 0 when unknown */
	struct seg_thread *threads;
	size_t		 nthreads;
	/*
	 * Reads the pagemap entries of npages pages from start (bit 63:
	 * present, bit 62: swapped). Used to share a split mapping's figures
	 * between its ranges; NULL or failing, the share follows the size.
	 */
	int		(*pagemap)(void *ctx, uint64_t start, size_t npages,
			    uint64_t *entries);
	void		*ctx;
};

struct layout {
	struct segment	*segs;
	size_t		 nsegs;
	struct strtab	 strings;
};

/* Classify every mapping of in into out->segs. */
void	model_segments_build(const struct seg_input *in, struct layout *out);
void	model_segments_free(struct layout *layout);

/* "text", "rodata", ..., as in the JSON schema. */
const char *seg_kind_name(enum seg_kind kind);
/* The kind named name, or -1. */
int	seg_kind_from_name(const char *name);

/* Virtual size and memory figures of each kind. */
struct seg_totals {
	uint64_t	 size;
	struct mem_counts mem;
};
void	model_segments_by_kind(const struct layout *layout,
	    struct seg_totals by_kind[SEG_NKINDS]);

/* Per object, in order of first appearance. */
struct seg_object_totals {
	const char	*object;
	uint64_t	 size;
	struct mem_counts mem;
	uint64_t	 kind_size[SEG_NKINDS];
};
size_t	model_segments_by_object(const struct layout *layout,
	    struct seg_object_totals **out);

#endif

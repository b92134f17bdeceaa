/* SPDX-License-Identifier: ISC */
/*
 * The trace file (.msc) of `memscope run -o FILE`: a 16-byte header, then
 * one zstd stream of entries, each "u32 kind, u32 length, payload". The
 * records of every ring go in as the analyzer read them, with the process
 * they came from, so `memscope report` rebuilds the same model. The last
 * entry is TRACE_RUN_END: a trace without it was cut short.
 *
 * TRACE_FORMAT_VERSION changes with any change of an entry's layout, and
 * with MS_PROTOCOL_VERSION (the records are the wire's). A reader refuses
 * another version, naming both.
 *
 * With TRACE_FLAG_CHECKSUMS, the stream is a run of zstd frames, each of
 * TRACE_FRAME_MAX bytes of entries but the last, with the XXH64 checksum
 * of its content (an entry may run on from one frame into the next): the
 * reader checks each frame before it hands out any entry of it, so damage
 * is found in the frame it is in and never read as entries. Without the
 * flag (traces of memscope before it), the stream is read as it comes.
 */
#ifndef MEMSCOPE_TRACEFILE_H
#define MEMSCOPE_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "memcounts.h"

#define TRACE_MAGIC		"MSCTRACE"
#define TRACE_FORMAT_VERSION	4u
#define TRACE_ENTRY_MAX		(1u << 20)
#define TRACE_FRAME_MAX		(4u << 20)

/* The flags of the header; any other bit is damage. */
#define TRACE_FLAG_CHECKSUMS	1u
#define TRACE_FLAGS_KNOWN	TRACE_FLAG_CHECKSUMS

struct trace_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 flags;
};

enum trace_kind {
	TRACE_RUN = 1,		/* struct trace_run + argv strings, NUL-separated */
	TRACE_PROCESS,		/* struct trace_process + exe + argv strings */
	TRACE_RECORD,		/* one wire record of the stream in the word's top bits */
	TRACE_PROCESS_END,	/* struct trace_process_end */
	TRACE_RUN_END,		/* struct trace_run_end */
	TRACE_STACK_NUMBER,	/* struct trace_stack_number */
	/*
	 * The records that make up nearly all of a trace, compact: the kind
	 * byte, then the stream and the thread as LEB128 numbers, the
	 * address as its 8 bytes, and the kind's other fields as LEB128
	 * numbers (a stack as its number), the time last, as the zigzag LEB128
	 * difference from the time of the compact record before it.
	 */
	TRACE_C_ALLOC,		/* addr, size, stack, fn, spare, time */
	TRACE_C_FREE,		/* addr, time */
	TRACE_C_REALLOC,	/* old_addr, status, time */
	TRACE_C_REALLOC_DONE,	/* addr, size, stack, flags, spare, time */
	/* The leak check of a process, in its stream after its last record
	 * (see trace-leaks.c): */
	TRACE_LEAKS,		/* struct trace_leaks */
	TRACE_LEAK_VERDICTS,	/* struct trace_leak_chunk + a byte per block */
	TRACE_LEAK_INDIRECT,	/* struct trace_leak_chunk + {u64 block, u64 bytes} */
	/* The layout of a process as it ended (see trace-layout.c): */
	TRACE_LAYOUT,		/* struct trace_layout */
	TRACE_LAYOUT_SEGMENT,	/* struct trace_segment + object + detail */
	TRACE_TICK,		/* struct trace_tick: the growth series' clock */
};

/*
 * Stack ids are 64-bit hashes, as random as bytes get: in the trace each
 * is replaced by a small number, given at its first sight in this entry,
 * so that the allocation records compress. Readers get the ids back.
 */
struct trace_stack_number {
	uint64_t	 id;
	uint64_t	 number;
};

/*
 * A record not written compact is one word, not two: the kind in the low
 * 8 bits, the stream above, and no length (the record's own header has
 * it). Every other entry but the compact ones is "u32 kind, u32 length".
 * The low byte of the first word is always the kind.
 */
#define TRACE_RECORD_WORD(stream)	(TRACE_RECORD | ((uint32_t)(stream) << 8))

struct trace_run {
	int32_t		 main_pid;
	uint32_t	 protocol;	/* MS_PROTOCOL_VERSION of the records */
	uint32_t	 argc;
	uint32_t	 path_len;	/* the program's path follows, then argv */
	double		 ns_per_tick;	/* the events' clock; 0: no times */
};

/* trace_process's flags (traces before the second had only the first). */
#define TRACE_PROCESS_FORKED	0x1
#define TRACE_PROCESS_ATTACHED	0x2	/* joined by memscope attach */

struct trace_process {
	uint32_t	 stream;
	int32_t		 pid;
	int32_t		 ppid;
	uint32_t	 flags;		/* TRACE_PROCESS_* */
	uint32_t	 exe_len;	/* the executable's path follows */
	uint32_t	 argc;		/* then argc NUL-terminated strings */
	uint64_t	 fork_token;	/* forked: which fork of its parent */
};

struct trace_process_end {
	uint32_t	 stream;
	uint32_t	 replaced;
	int32_t		 exited;
	int32_t		 exit_code;
	int32_t		 exit_signal;
	uint32_t	 still_running;	/* when memscope stopped (or detached) */
	uint64_t	 ring_waits;
	uint64_t	 dropped;	/* absent from traces written before it */
};

/*
 * The scan's verdicts, one byte per live block in address order (the kind,
 * and the heuristic above bit 2), then the bytes lost through each
 * definitely lost block that has any. The blocks are those of the model
 * at this point of the stream.
 */
struct trace_leaks {
	uint32_t	 stream;
	uint32_t	 pad;
	uint64_t	 nblocks;
	uint64_t	 nindirect;
	uint64_t	 root_bytes;
	uint64_t	 block_bytes;
	uint64_t	 stopped_us;
};

struct trace_leak_chunk {
	uint32_t	 stream;
	uint32_t	 count;
};

struct trace_layout {
	uint32_t	 stream;
	uint32_t	 nsegs;		/* TRACE_LAYOUT_SEGMENT entries that follow */
	uint64_t	 vsz;
	uint32_t	 from_rollup;
	uint32_t	 pad;
	struct mem_counts totals;
};

struct trace_segment {
	uint32_t	 stream;
	uint32_t	 kind;		/* enum seg_kind */
	uint64_t	 start;
	uint64_t	 end;
	uint64_t	 mapping;
	int32_t		 tid;
	char		 perms[5];
	uint8_t		 has_detail;
	uint16_t	 object_len;	/* the object's name follows, then the detail */
	struct mem_counts mem;
};

struct trace_tick {
	uint32_t	 stream;
	uint32_t	 end;		/* the process's end */
	uint64_t	 ms;		/* since the run began */
};

struct trace_run_end {
	int32_t		 exited;
	int32_t		 status;	/* wait(2) status */
	/* memscope attach: how long it tracked the process (else 0) */
	uint32_t	 attached;
	uint32_t	 pad;
	uint64_t	 attached_ms;
};

struct tracefile;

/* Create path for writing; NULL with errno. */
struct tracefile *tracefile_create(const char *path);
void	tracefile_write(struct tracefile *t, uint32_t kind, const void *a,
	    size_t alen, const void *b, size_t blen);
void	tracefile_write_record(struct tracefile *t, uint32_t stream,
	    const void *rec, uint32_t len);
/* Finish and close; false with errno on failure. */
bool	tracefile_close(struct tracefile *t);

struct trace_reader;

struct trace_entry {
	uint32_t	 kind;
	uint32_t	 len;
	const unsigned char *data;	/* valid until the next call */
	uint64_t	 offset;	/* in the decompressed stream */
	uint32_t	 stream;	/* TRACE_RECORD: whose record */
	unsigned char	*record;	/* TRACE_RECORD: the record, ids restored, aligned */
};

/* Open path for reading; NULL with a one-line reason in why. */
struct trace_reader *trace_open(const char *path, char *why, size_t whylen);
/* 1: *e is the next entry; 0: clean end; -1: error, reason in why. */
int	trace_next(struct trace_reader *r, struct trace_entry *e, char *why,
	    size_t whylen);
void	trace_close(struct trace_reader *r);
/* What an entry of kind is, for messages: "process end". */
const char *trace_kind_name(uint32_t kind);

#endif

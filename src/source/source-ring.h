/* SPDX-License-Identifier: ISC */
/*
 * The ring source: the consumer side of one shim's ring, turning its
 * records into calls on the process model.
 */
#ifndef MEMSCOPE_SOURCE_RING_H
#define MEMSCOPE_SOURCE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "ring.h"

struct ring_source;

/* Told each record the model took in, as read (len bytes). */
typedef void (*ring_record_fn)(void *ctx, const struct ring_source *src,
    const void *rec, uint32_t len);

struct ring_source {
	int		 pidfd;		/* readable when the process is gone; or -1 */
	void		*base;
	size_t		 size;
	struct ms_ring	 ring;
	uint64_t	 pos;		/* next record to read */
	uint64_t	 released;	/* handed back up to here */
	bool		 corrupt;	/* a record made no sense: stop reading */
	struct process	*proc;
	struct session	*session;
	unsigned char	*scratch;	/* one record, copied out of the ring */
	uint32_t	 stream;	/* its process's number in the session */
	ring_record_fn	 on_record;	/* or NULL */
	void		*record_ctx;
};

/* Map the ring of memfd (size bytes). False with errno, or EPROTO for a bad ring. */
bool	source_ring_open(struct ring_source *src, int memfd, size_t size,
	    struct process *proc, struct session *session);
/*
 * Read every published record (up to max, 0: no limit) into the model;
 * returns how many. Stops at the first record not yet published.
 */
size_t	source_ring_drain(struct ring_source *src, size_t max);
/* Is a record waiting to be read? (no side effect) */
bool	source_ring_ready(const struct ring_source *src);
/* Nothing to read: may the consumer sleep? (see ring.h) */
bool	source_ring_may_sleep(struct ring_source *src);
void	source_ring_awake(struct ring_source *src);
/* Let the shim, waiting at its process's end (end_held), go on. */
void	source_ring_release_end(struct ring_source *src);
/* Fold the ring's counters (waits) into the model and unmap it. */
void	source_ring_close(struct ring_source *src);

#endif

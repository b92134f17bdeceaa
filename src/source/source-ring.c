/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "source-events.h"
#include "source-ring.h"
#include "futex.h"
#include "xmalloc.h"

bool
source_ring_open(struct ring_source *src, int memfd, size_t size,
    struct process *proc, struct session *session)
{
	memset(src, 0, sizeof(*src));
	src->pidfd = -1;
	src->proc = proc;
	src->session = session;
	src->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (src->base == MAP_FAILED) {
		src->base = NULL;
		return false;
	}
	src->size = size;
	if (!ms_ring_attach(&src->ring, src->base, size)) {
		munmap(src->base, size);
		src->base = NULL;
		errno = EPROTO;
		return false;
	}
	src->scratch = xmalloc((size_t)src->ring.mask + 1);
	return true;
}

/* Hand back what was read, and wake producers waiting for room. */
static void
release(struct ring_source *src)
{
	if (src->released == src->pos)
		return;
	ms_ring_release(&src->ring, src->released, src->pos);
	src->released = src->pos;
	if (ms_ring_producers_wait(&src->ring))
		ms_futex_wake_all(&src->ring.hdr->tail_seq);
}

size_t
source_ring_drain(struct ring_source *src, size_t max)
{
	/* hand space back in eighths so producers on a full ring go on early */
	uint64_t batch = (src->ring.mask + 1) / 8;
	size_t n = 0;
	uint32_t len;

	if (src->base == NULL || src->corrupt)
		return 0;
	while ((max == 0 || n < max) && (len = ms_ring_peek(&src->ring, src->pos)) != 0) {
		if (!ms_ring_len_ok(&src->ring, len)) {
			src->corrupt = true;
			break;
		}
		ms_ring_copy_out(&src->ring, src->pos, src->scratch, len);
		if (!source_event_apply(src->proc, src->session,
		    (const struct ms_record *)(const void *)src->scratch, len)) {
			src->corrupt = true;
			break;
		}
		if (src->on_record != NULL)
			src->on_record(src->record_ctx, src, src->scratch, len);
		src->pos += len;
		n++;
		if (src->pos - src->released >= batch)
			release(src);
	}
	release(src);
	return n;
}

bool
source_ring_ready(const struct ring_source *src)
{
	return src->base != NULL && !src->corrupt &&
	    ms_ring_peek(&src->ring, src->pos) != 0;
}

bool
source_ring_may_sleep(struct ring_source *src)
{
	if (src->base == NULL || src->corrupt)
		return true;
	return ms_ring_consumer_may_sleep(&src->ring, src->pos);
}

void
source_ring_awake(struct ring_source *src)
{
	if (src->base != NULL)
		ms_ring_consumer_awake(&src->ring);
}

void
source_ring_release_end(struct ring_source *src)
{
	if (src->base == NULL || !src->proc->end_held)
		return;
	src->proc->end_held = false;
	atomic_store(&src->ring.hdr->end_released, 1);
	ms_futex_wake_all(&src->ring.hdr->end_released);
}

void
source_ring_close(struct ring_source *src)
{
	if (src->base != NULL) {
		src->proc->heap.sum.ring_waits +=
		    atomic_load(&src->ring.hdr->waits);
		src->proc->heap.sum.dropped +=
		    atomic_load(&src->ring.hdr->dropped);
		munmap(src->base, src->size);
		src->base = NULL;
	}
	source_ring_release_end(src);
	if (src->pidfd != -1)
		close(src->pidfd);
	src->pidfd = -1;
	free(src->scratch);
	src->scratch = NULL;
}

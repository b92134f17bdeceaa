#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "source-ring.h"
#include "wire/futex.h"
#include "xmalloc.h"

bool
source_ring_open(struct ring_source *src, int memfd, size_t size,
    struct process *proc, struct session *session)
{
	memset(src, 0, sizeof(*src));
	src->sock = -1;
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

static void
apply_module(struct ring_source *src, const struct ms_ev_module *ev, uint32_t len)
{
	struct module m = { .base = ev->base, .start = ev->start, .end = ev->end };
	char path[MS_PATH_MAX + 1];
	size_t plen = ev->path_len;

	if (ev->op == MS_MODULE_UNLOADED) {
		model_modules_unloaded(&src->proc->modules, ev->base, ev->start);
		return;
	}
	if (plen > len - sizeof(*ev) || plen > MS_PATH_MAX) {
		src->corrupt = true;
		return;
	}
	memcpy(path, (const char *)(ev + 1), plen);
	path[plen] = '\0';
	m.path = path;
	m.build_id_len = ev->build_id_len <= sizeof(m.build_id) ? ev->build_id_len : 0;
	memcpy(m.build_id, ev->build_id, m.build_id_len);
	model_modules_loaded(&src->proc->modules, &m);
}

/* One record, whole, in src->scratch. */
static void
apply(struct ring_source *src, const struct ms_record *rec, uint32_t len)
{
	struct heap_model *h = &src->proc->heap;

#define NEED(type) do { if (len < sizeof(type)) { src->corrupt = true; return; } } while (0)
	h->sum.events++;
	switch (rec->type) {
	case MS_EV_ALLOC: {
		NEED(struct ms_ev_alloc);
		const struct ms_ev_alloc *ev = (const void *)rec;

		model_heap_alloc(h, ev->addr, ev->size, ev->stack);
		break;
	}
	case MS_EV_FREE: {
		NEED(struct ms_ev_free);
		model_heap_release(h, ((const struct ms_ev_free *)(const void *)rec)->addr);
		break;
	}
	case MS_EV_REALLOC: {
		NEED(struct ms_ev_realloc);
		const struct ms_ev_realloc *ev = (const void *)rec;

		if (ev->status == MS_REALLOC_FREED)
			model_heap_release(h, ev->old_addr);
		else if (ev->status == MS_REALLOC_MOVED)
			model_heap_realloc_release(h, ev->old_addr);
		break;
	}
	case MS_EV_REALLOC_DONE: {
		NEED(struct ms_ev_realloc_done);
		const struct ms_ev_realloc_done *ev = (const void *)rec;

		model_heap_realloc_done(h, ev->addr, ev->size, ev->stack);
		break;
	}
	case MS_EV_MMAP:
		NEED(struct ms_ev_mmap);
		h->sum.mmaps++;
		break;
	case MS_EV_MUNMAP:
		NEED(struct ms_ev_munmap);
		if (!((const struct ms_ev_munmap *)(const void *)rec)->failed)
			h->sum.munmaps++;
		break;
	case MS_EV_MREMAP:
		NEED(struct ms_ev_mremap);
		break;
	case MS_EV_BRK:
		NEED(struct ms_ev_brk);
		break;
	case MS_EV_STACK: {
		NEED(struct ms_ev_stack);
		const struct ms_ev_stack *ev = (const void *)rec;

		if (ev->nframes > MS_MAX_DEPTH ||
		    len < sizeof(*ev) + 8 * (size_t)ev->nframes) {
			src->corrupt = true;
			return;
		}
		model_stacks_add(&src->session->stacks, ev->id,
		    (const uint64_t *)(const void *)(ev + 1), ev->nframes);
		break;
	}
	case MS_EV_MODULE:
		NEED(struct ms_ev_module);
		apply_module(src, (const void *)rec, len);
		break;
	case MS_EV_THREAD:
		NEED(struct ms_ev_thread);
		if (((const struct ms_ev_thread *)(const void *)rec)->op ==
		    MS_THREAD_STARTED)
			src->proc->threads_started++;
		break;
	default:
		src->corrupt = true;
	}
#undef NEED
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
		apply(src, (const struct ms_record *)(const void *)src->scratch, len);
		if (src->corrupt)
			break;
		src->pos += len;
		n++;
		if (src->pos - src->released >= batch)
			release(src);
	}
	release(src);
	return n;
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
source_ring_close(struct ring_source *src)
{
	if (src->base != NULL) {
		src->proc->heap.sum.ring_waits +=
		    atomic_load(&src->ring.hdr->waits);
		munmap(src->base, src->size);
		src->base = NULL;
	}
	if (src->sock != -1)
		close(src->sock);
	src->sock = -1;
	free(src->scratch);
	src->scratch = NULL;
}

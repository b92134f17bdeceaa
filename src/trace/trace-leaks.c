/* SPDX-License-Identifier: ISC */
/*
 * The leak check in a trace: written when the scan of a process ends, read
 * back by `memscope report` into the same leak report. The verdicts are
 * per block, so the report rebuilds the loss records from the blocks the
 * trace's own records leave live, exactly as the run did.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model-leaks.h"
#include "trace-leaks.h"
#include "xmalloc.h"

#define CHUNK_BLOCKS	(512u * 1024)
#define CHUNK_INDIRECT	(32u * 1024)

void
trace_leaks_write(struct tracefile *t, uint32_t stream,
    const struct leak_report *r)
{
	struct trace_leaks h = { .stream = stream, .nblocks = r->nverdicts,
	    .root_bytes = r->root_bytes, .block_bytes = r->block_bytes,
	    .stopped_us = r->stopped_us };
	uint8_t *bytes = xmalloc(CHUNK_BLOCKS);
	uint64_t *pairs = xmalloc(CHUNK_INDIRECT * 2 * sizeof(*pairs));
	size_t n = 0;

	for (size_t i = 0; i < r->nverdicts; i++)
		h.nindirect += r->verdicts[i].indirect_bytes > 0;
	tracefile_write(t, TRACE_LEAKS, &h, sizeof(h), NULL, 0);
	for (size_t i = 0; i < r->nverdicts; i += n) {
		struct trace_leak_chunk c = { stream, 0 };

		n = r->nverdicts - i < CHUNK_BLOCKS ? r->nverdicts - i : CHUNK_BLOCKS;
		for (size_t k = 0; k < n; k++)
			bytes[k] = (uint8_t)(r->verdicts[i + k].kind |
			    r->verdicts[i + k].heuristic << 2);
		c.count = (uint32_t)n;
		tracefile_write(t, TRACE_LEAK_VERDICTS, &c, sizeof(c), bytes, n);
	}
	n = 0;
	for (size_t i = 0; i <= r->nverdicts; i++) {
		if (n == CHUNK_INDIRECT || (i == r->nverdicts && n > 0)) {
			struct trace_leak_chunk c = { stream, (uint32_t)n };

			tracefile_write(t, TRACE_LEAK_INDIRECT, &c, sizeof(c), pairs,
			    n * 2 * sizeof(*pairs));
			n = 0;
		}
		if (i < r->nverdicts && r->verdicts[i].indirect_bytes > 0) {
			pairs[2 * n] = i;
			pairs[2 * n + 1] = r->verdicts[i].indirect_bytes;
			n++;
		}
	}
	free(bytes);
	free(pairs);
}

/* A process whose verdicts are being read. */
struct pending {
	uint32_t	 stream;
	struct trace_leaks h;
	struct leak_verdict *v;
	uint64_t	 got_blocks;
	uint64_t	 got_indirect;
};

struct trace_leaks_loader {
	struct pending	*v;
	size_t		 n;
	size_t		 cap;
};

struct trace_leaks_loader *
trace_leaks_loader_new(void)
{
	return xcalloc(1, sizeof(struct trace_leaks_loader));
}

void
trace_leaks_loader_free(struct trace_leaks_loader *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].v);
	free(l->v);
	free(l);
}

static struct pending *
pending_of(struct trace_leaks_loader *l, uint32_t stream)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].stream == stream && l->v[i].v != NULL)
			return &l->v[i];
	return NULL;
}

/* Every verdict in: the report, from the blocks live now. */
static bool
finish(struct pending *p, struct process *proc)
{
	struct leak_block *blocks;
	uint64_t *stacks;
	size_t n = model_leaks_blocks(&proc->heap, &blocks, &stacks, NULL);
	bool ok = n == p->h.nblocks;

	if (ok) {
		model_leaks_free(proc->leaks);
		proc->leaks = model_leaks_report(blocks, stacks, p->v, n);
		proc->leaks->root_bytes = p->h.root_bytes;
		proc->leaks->block_bytes = p->h.block_bytes;
		proc->leaks->stopped_us = p->h.stopped_us;
	} else
		free(p->v);
	p->v = NULL;
	free(blocks);
	free(stacks);
	return ok;
}

static bool
complete(const struct pending *p)
{
	return p->got_blocks == p->h.nblocks && p->got_indirect == p->h.nindirect;
}

bool
trace_leaks_load(struct trace_leaks_loader *l, const struct trace_entry *e,
    struct session *s)
{
	struct trace_leak_chunk c;
	const uint8_t *payload = e->data + sizeof(c);
	struct pending *p;

	if (e->kind == TRACE_LEAKS) {
		struct trace_leaks h;

		if (e->len < sizeof(h))
			return false;
		memcpy(&h, e->data, sizeof(h));
		if (h.stream >= s->nprocs || pending_of(l, h.stream) != NULL ||
		    h.nindirect > h.nblocks ||
		    h.nblocks > s->procs[h.stream]->heap.sum.live_blocks +
		    s->procs[h.stream]->heap.ninherited)
			return false;
		l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
		p = &l->v[l->n++];
		*p = (struct pending){ .stream = h.stream, .h = h,
		    .v = xcalloc(h.nblocks + 1, sizeof(*p->v)) };
		return complete(p) ? finish(p, s->procs[p->stream]) : true;
	}
	if (e->len < sizeof(c))
		return false;
	memcpy(&c, e->data, sizeof(c));
	if ((p = pending_of(l, c.stream)) == NULL)
		return false;
	if (e->kind == TRACE_LEAK_VERDICTS) {
		if (e->len - sizeof(c) != c.count ||
		    c.count > p->h.nblocks - p->got_blocks)
			return false;
		for (uint32_t k = 0; k < c.count; k++) {
			struct leak_verdict *v = &p->v[p->got_blocks + k];

			v->kind = payload[k] & 3;
			v->heuristic = payload[k] >> 2;
			if (v->heuristic >= LEAK_NHEURISTICS)
				return false;
		}
		p->got_blocks += c.count;
	} else {
		if (e->len - sizeof(c) != (size_t)c.count * 16 ||
		    c.count > p->h.nindirect - p->got_indirect)
			return false;
		for (uint32_t k = 0; k < c.count; k++) {
			uint64_t pair[2];

			memcpy(pair, payload + (size_t)k * 16, sizeof(pair));
			if (pair[0] >= p->h.nblocks)
				return false;
			p->v[pair[0]].indirect_bytes = pair[1];
		}
		p->got_indirect += c.count;
	}
	return complete(p) ? finish(p, s->procs[p->stream]) : true;
}

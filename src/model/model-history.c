/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model-history.h"

static void
series_push(struct history_series *s, uint64_t v)
{
	s->v[s->next] = v;
	s->next = (s->next + 1) % HISTORY_SAMPLES;
	if (s->n < HISTORY_SAMPLES)
		s->n++;
}

uint64_t
model_history_series_at(const struct history_series *s, size_t age)
{
	return s->v[(s->next + HISTORY_SAMPLES - 1 - age) % HISTORY_SAMPLES];
}

void
model_history_init(struct history *h, pid_t pid)
{
	memset(h, 0, sizeof(*h));
	h->pid = pid;
}

void
model_history_free(struct history *h)
{
	if (h->have_proc)
		model_process_free(&h->proc.snap);
	h->have_proc = false;
}

/* The new look at /proc, and the fault rates since the last (dt seconds). */
static void
add_proc(struct history *h, struct history_proc *proc, double dt)
{
	const struct proc_stat *st = &proc->stat;

	if (h->samples > 0 && dt > 0) {
		h->minflt_rate = (double)(st->minflt - h->proc.stat.minflt) / dt;
		h->majflt_rate = (double)(st->majflt - h->proc.stat.majflt) / dt;
	}
	model_history_free(h);
	h->proc = *proc;
	h->have_proc = true;
	memset(&proc->snap, 0, sizeof(proc->snap));
	series_push(&h->rss, h->proc.snap.totals.rss);
}

/* The slot of a site to follow: its own, a free one, or the stalest. */
static struct history_site *
site_slot(struct history *h, uint64_t stack)
{
	struct history_site *free_slot = NULL, *stalest = NULL;

	for (size_t i = 0; i < HISTORY_SITES; i++) {
		struct history_site *s = &h->sites[i];

		if (s->stack == stack)
			return s;
		if (s->stack == 0 && free_slot == NULL)
			free_slot = s;
		if (s->stack != 0 && (stalest == NULL ||
		    s->last_sample < stalest->last_sample))
			stalest = s;
	}
	if (free_slot == NULL) {
		/* a site in this sample's top is never the stalest */
		if (stalest == NULL || stalest->last_sample == h->samples)
			return NULL;
		free_slot = stalest;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->stack = stack;
	free_slot->first_sample = h->samples;
	return free_slot;
}

static void
follow_sites(struct history *h, const struct heap_model *heap)
{
	struct heap_site *top;
	size_t n = model_heap_top_sites(heap, model_heap_site_by_live,
	    HISTORY_SITES / 2, &top);

	for (size_t i = 0; i < n; i++) {
		struct history_site *s = site_slot(h, top[i].stack);

		if (s == NULL)
			break;
		if (s->n == 0)
			s->first_bytes = top[i].live_bytes;
		s->last_sample = h->samples;
		s->hist[s->next] = top[i].live_bytes;
		s->next = (s->next + 1) % HISTORY_SITE_SAMPLES;
		if (s->n < HISTORY_SITE_SAMPLES)
			s->n++;
	}
	free(top);
}

/* The heap's figures, and its rates since the same model's last (dt seconds). */
static void
add_heap(struct history *h, const struct process *traced, double dt)
{
	const struct heap_summary *sum = &traced->heap.sum;

	if (h->traced == traced && dt > 0) {
		h->alloc_rate = (double)(sum->allocations -
		    h->last_sum.allocations) / dt;
		h->free_rate = (double)(sum->frees - h->last_sum.frees) / dt;
		h->byte_rate = (double)(sum->bytes_allocated -
		    h->last_sum.bytes_allocated) / dt;
	}
	h->traced = traced;
	h->last_sum = *sum;
	series_push(&h->heap, sum->live_bytes);
	follow_sites(h, &traced->heap);
}

void
model_history_add(struct history *h, double now, struct history_proc *proc,
    const struct process *traced)
{
	double dt = h->samples > 0 ? now - h->last_time : 0;

	h->interval = dt;
	h->last_time = now;
	if (proc != NULL)
		add_proc(h, proc, dt);
	if (traced != NULL)
		add_heap(h, traced, dt);
	h->samples++;
}

const struct history_site *
model_history_site(const struct history *h, uint64_t stack)
{
	for (size_t i = 0; i < HISTORY_SITES; i++)
		if (h->sites[i].stack == stack)
			return &h->sites[i];
	return NULL;
}

uint64_t
model_history_site_oldest(const struct history_site *s)
{
	return s->hist[(s->next + HISTORY_SITE_SAMPLES - s->n) %
	    HISTORY_SITE_SAMPLES];
}

bool
model_history_site_only_grows(const struct history_site *s, size_t min)
{
	size_t first = (s->next + HISTORY_SITE_SAMPLES - s->n) %
	    HISTORY_SITE_SAMPLES;
	uint64_t prev = s->hist[first];

	if (s->n < min)
		return false;
	for (size_t k = 1; k < s->n; k++) {
		uint64_t v = s->hist[(first + k) % HISTORY_SITE_SAMPLES];

		if (v < prev)
			return false;
		prev = v;
	}
	return prev > s->hist[first];
}

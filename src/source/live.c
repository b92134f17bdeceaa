/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "live.h"
#include "proc.h"

const char *const live_kind_names[LIVE_NKINDS] = {
	"text", "data", "bss", "heap", "stacks", "libs", "anon", "file", "other",
};

static void
series_push(struct live_series *s, uint64_t v)
{
	s->v[s->next] = v;
	s->next = (s->next + 1) % LIVE_HISTORY;
	if (s->n < LIVE_HISTORY)
		s->n++;
}

uint64_t
live_series_at(const struct live_series *s, size_t age)
{
	return s->v[(s->next + LIVE_HISTORY - 1 - age) % LIVE_HISTORY];
}

void
live_init(struct live *l, pid_t pid, const char *root)
{
	memset(l, 0, sizeof(*l));
	l->pid = pid;
	l->root = root;
}

void
live_free(struct live *l)
{
	if (l->have_snap)
		model_process_free(&l->snap);
	l->have_snap = false;
}

/* The command line, its NULs made spaces. */
static void
read_cmdline(struct proc *p, char *out, size_t len)
{
	struct buf b = { 0 };

	out[0] = '\0';
	if (proc_read(p, "cmdline", &b) == PROC_OK && b.len > 0) {
		size_t n = b.len < len - 1 ? b.len : len - 1;

		for (size_t i = 0; i < n; i++)
			out[i] = b.data[i] == '\0' ? ' ' : b.data[i];
		while (n > 0 && out[n - 1] == ' ')
			n--;
		out[n] = '\0';
	}
	buf_free(&b);
}

/* stat, and the uptime and fault rates that come from it. */
static bool
read_stat(struct live *l, double dt)
{
	struct proc p;
	struct buf b = { 0 };
	struct proc_stat st;
	bool ok = false;
	FILE *f;
	double up;

	if (proc_open(&p, l->root, l->pid) != PROC_OK) {
		proc_close(&p);
		return false;
	}
	if (proc_read(&p, "stat", &b) == PROC_OK &&
	    proc_stat_parse(b.data, b.len, &st) == 0 && st.state != 'Z' &&
	    st.state != 'X') {
		if (l->samples > 0 && dt > 0) {
			l->minflt_rate = (double)(st.minflt - l->stat.minflt) / dt;
			l->majflt_rate = (double)(st.majflt - l->stat.majflt) / dt;
		}
		l->stat = st;
		/* every time: an exec changes it (memscope run samples early) */
		read_cmdline(&p, l->cmdline, sizeof(l->cmdline));
		if ((f = fopen("/proc/uptime", "re")) != NULL) {
			if (fscanf(f, "%lf", &up) == 1)
				l->uptime = up - (double)st.starttime /
				    (double)sysconf(_SC_CLK_TCK);
			fclose(f);
		}
		ok = true;
	}
	buf_free(&b);
	proc_close(&p);
	return ok;
}

/* The slot of a site to follow: its own, a free one, or the stalest. */
static struct live_site *
site_slot(struct live *l, uint64_t stack)
{
	struct live_site *free_slot = NULL, *stalest = NULL;

	for (size_t i = 0; i < LIVE_SITES; i++) {
		struct live_site *s = &l->sites[i];

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
		if (stalest == NULL || stalest->last_sample == l->samples)
			return NULL;
		free_slot = stalest;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->stack = stack;
	free_slot->first_sample = l->samples;
	return free_slot;
}

static void
follow_sites(struct live *l, const struct heap_model *h)
{
	struct heap_site *top;
	size_t n = model_heap_top_sites(h, model_heap_site_by_live, LIVE_SITES / 2,
	    &top);

	for (size_t i = 0; i < n; i++) {
		struct live_site *s = site_slot(l, top[i].stack);

		if (s == NULL)
			break;
		if (s->n == 0)
			s->first_bytes = top[i].live_bytes;
		s->last_sample = l->samples;
		s->hist[s->next] = top[i].live_bytes;
		s->next = (s->next + 1) % LIVE_SITE_HISTORY;
		if (s->n < LIVE_SITE_HISTORY)
			s->n++;
	}
	free(top);
}

static void
sample_heap(struct live *l, const struct process *traced, double dt)
{
	const struct heap_summary *sum = &traced->heap.sum;

	if (l->traced == traced && dt > 0) {
		l->alloc_rate = (double)(sum->allocations - l->last_sum.allocations) / dt;
		l->free_rate = (double)(sum->frees - l->last_sum.frees) / dt;
		l->byte_rate = (double)(sum->bytes_allocated -
		    l->last_sum.bytes_allocated) / dt;
	}
	l->traced = traced;
	l->last_sum = *sum;
	series_push(&l->heap, sum->live_bytes);
	follow_sites(l, &traced->heap);
}

bool
live_sample(struct live *l, const struct process *traced)
{
	double now = clock_now_s(), dt = l->samples > 0 ? now - l->last_time : 0;
	struct source_proc_error err;
	struct process snap;

	l->interval = dt;
	l->last_time = now;
	if (l->gone == SOURCE_PROC_OK) {
		if (!read_stat(l, dt))
			l->gone = SOURCE_PROC_GONE;
		else if (source_proc_snapshot(l->root, l->pid, &snap, &err) !=
		    SOURCE_PROC_OK)
			l->gone = err.result;
		else {
			live_free(l);
			l->snap = snap;
			l->have_snap = true;
		}
	}
	if (l->gone == SOURCE_PROC_OK)
		series_push(&l->rss, l->snap.totals.rss);
	if (traced != NULL)
		sample_heap(l, traced, dt);
	l->samples++;
	return l->gone == SOURCE_PROC_OK;
}

const struct live_site *
live_site_find(const struct live *l, uint64_t stack)
{
	for (size_t i = 0; i < LIVE_SITES; i++)
		if (l->sites[i].stack == stack)
			return &l->sites[i];
	return NULL;
}

bool
live_site_only_grows(const struct live_site *s, size_t min)
{
	size_t first = (s->next + LIVE_SITE_HISTORY - s->n) % LIVE_SITE_HISTORY;
	uint64_t prev = s->hist[first];

	if (s->n < min)
		return false;
	for (size_t k = 1; k < s->n; k++) {
		uint64_t v = s->hist[(first + k) % LIVE_SITE_HISTORY];

		if (v < prev)
			return false;
		prev = v;
	}
	return prev > s->hist[first];
}

static bool
is_exe(const struct process *p, const char *object)
{
	for (size_t i = 0; i < p->nobjects; i++)
		if (p->objects[i].is_exe)
			return object != NULL && strcmp(p->objects[i].path, object) == 0;
	return false;
}

static enum live_kind
kind_of(const struct process *p, const struct segment *s)
{
	/* an arena's reserved part as well as its used one */
	if (s->object != NULL && strcmp(s->object, "[malloc arena]") == 0)
		return LIVE_HEAP;
	switch (s->kind) {
	case SEG_TEXT:
	case SEG_RODATA:
		return is_exe(p, s->object) ? LIVE_TEXT : LIVE_LIBS;
	case SEG_DATA:
		return is_exe(p, s->object) ? LIVE_DATA : LIVE_LIBS;
	case SEG_BSS:
		return is_exe(p, s->object) ? LIVE_BSS : LIVE_LIBS;
	case SEG_HEAP:
		return LIVE_HEAP;
	case SEG_STACK:
	case SEG_THREAD_STACK:
		return LIVE_STACKS;
	case SEG_ANON:
		return LIVE_ANON;
	case SEG_FILE:
	case SEG_SHM:
		return LIVE_FILE;
	default:
		return LIVE_OTHER;
	}
}

void
live_by_kind(const struct process *p, struct live_kind_totals out[LIVE_NKINDS])
{
	memset(out, 0, LIVE_NKINDS * sizeof(*out));
	for (size_t i = 0; i < p->layout.nsegs; i++) {
		const struct segment *s = &p->layout.segs[i];
		enum live_kind k = kind_of(p, s);

		out[k].size += s->end - s->start;
		out[k].rss += s->mem.rss;
	}
}

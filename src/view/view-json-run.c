/* SPDX-License-Identifier: ISC */
/* `memscope run --json FILE`: the run as one JSON object (memscope-json(5)). */
#include "config.h"

#include <stdlib.h>
#include <sys/wait.h>

#include "json.h"
#include "view-json.h"
#include "model-leaks.h"
#include "view-run.h"

static void
summary(struct json *j, const struct heap_summary *s)
{
	json_key(j, "summary");
	json_object_begin(j);
	json_key_uint(j, "allocations", s->allocations);
	json_key_uint(j, "frees", s->frees);
	json_key_uint(j, "reallocs", s->reallocs);
	json_key_uint(j, "bytes_allocated", s->bytes_allocated);
	json_key_uint(j, "peak_live_bytes", s->peak_live_bytes);
	json_key_uint(j, "peak_live_blocks", s->peak_live_blocks);
	json_key_uint(j, "live_bytes_at_exit", s->live_bytes);
	json_key_uint(j, "live_blocks_at_exit", s->live_blocks);
	json_key_uint(j, "mmaps", s->mmaps);
	json_key_uint(j, "munmaps", s->munmaps);
	json_key_uint(j, "events", s->events);
	json_key_uint(j, "ring_waits", s->ring_waits);
	json_key_uint(j, "dropped_events", s->dropped);
	json_key_uint(j, "anomalies", s->anomalies);
	json_key_uint(j, "temporary_allocations", s->temporaries);
	json_object_end(j);
	json_key_uint(j, "inherited_frees", s->inherited_frees);
	json_key_uint(j, "frees_before_attach", s->frees_before_attach);
}

static void
frames(struct json *j, const struct session *s, const struct process *p,
    uint64_t stack)
{
	const struct stack_entry *e = model_stacks_get(&s->stacks, stack);

	json_key(j, "frames");
	json_array_begin(j);
	for (uint32_t i = 0; e != NULL && i < e->nframes; i++) {
		const struct module *m = model_modules_find(&p->modules, e->frames[i]);
		const struct frame_symbols *fs = e->symbols != NULL ?
		    &e->symbols[i] : NULL;
		uint32_t nsym = fs != NULL ? fs->n : 0;

		/* one object per source-level frame: inlined calls come first */
		for (uint32_t k = 0; k < (nsym ? nsym : 1); k++) {
			const struct frame_symbol *sym = nsym ? &fs->v[k] : NULL;

			json_object_begin(j);
			json_key_hex(j, "address", e->frames[i], true);
			json_key_string(j, "module", m != NULL ? m->path : NULL);
			json_key_hex(j, "offset", m != NULL ? e->frames[i] - m->base : 0,
			    m != NULL);
			json_key_string(j, "function", sym ? sym->function : NULL);
			json_key_string(j, "file", sym ? sym->file : NULL);
			json_key(j, "line");
			if (sym != NULL && sym->line != 0)
				json_uint(j, sym->line);
			else
				json_null(j);
			json_key_bool(j, "inlined", sym != NULL && sym->inlined);
			json_object_end(j);
		}
	}
	json_array_end(j);
}

/* Blocks per lifetime bucket (HEAP_LIFETIMES), null when not measured. */
static void
lifetime_counts(struct json *j, const struct heap_model *h, const uint64_t *v)
{
	if (!model_heap_stats_measured(h)) {
		json_null(j);
		return;
	}
	json_array_begin(j);
	for (size_t i = 0; i < HEAP_LIFETIMES; i++)
		json_uint(j, v[i]);
	json_array_end(j);
}

/* The lifetime buckets' bounds, and the blocks of the process in each. */
static void
lifetimes(struct json *j, const struct heap_model *h)
{
	json_key(j, "lifetimes");
	if (!model_heap_stats_measured(h)) {
		json_null(j);
		return;
	}
	json_array_begin(j);
	for (size_t i = 0; i < HEAP_LIFETIMES; i++) {
		json_object_begin(j);
		json_key_uint(j, "min_ns", i == 0 ? 0 : heap_lifetime_max_ns[i - 1]);
		json_key(j, "max_ns");
		if (i + 1 < HEAP_LIFETIMES)
			json_uint(j, heap_lifetime_max_ns[i]);
		else
			json_null(j);
		json_key_uint(j, "blocks", h->lifetimes[i]);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The top sites by live bytes and by bytes allocated, each listed once. */
static void
sites(struct json *j, const struct session *s, const struct process *p,
    size_t top, int sort)
{
	struct heap_site *by_live, *by_alloc = NULL;
	/* by default the top by live bytes and the top by bytes allocated */
	size_t nl = model_heap_top_sites(&p->heap, model_heap_site_order(sort < 0 ?
	    SITES_BY_LIVE : (enum heap_site_order)sort), top, &by_live);
	size_t na = sort >= 0 ? 0 : model_heap_top_sites(&p->heap,
	    model_heap_site_by_allocated, top, &by_alloc);

	json_key(j, "sites");
	json_array_begin(j);
	for (size_t i = 0; i < nl + na; i++) {
		const struct heap_site *site = i < nl ? &by_live[i] : &by_alloc[i - nl];
		uint64_t peak_bytes, peak_blocks;
		bool dup = false;

		for (size_t k = 0; i >= nl && k < nl; k++)
			dup |= by_live[k].stack == site->stack;
		if (dup)
			continue;
		json_object_begin(j);
		json_key_hex(j, "stack", site->stack == 1 ? 0 : site->stack,
		    site->stack > 1);
		frames(j, s, p, site->stack);
		json_key_uint(j, "allocations", site->allocations);
		json_key_uint(j, "bytes_allocated", site->bytes_allocated);
		json_key_uint(j, "live_blocks", site->live_blocks);
		json_key_uint(j, "live_bytes", site->live_bytes);
		model_heap_site_at_peak(&p->heap, site, &peak_bytes, &peak_blocks);
		json_key_uint(j, "peak_blocks", peak_blocks);
		json_key_uint(j, "peak_bytes", peak_bytes);
		json_key_uint(j, "temporary_allocations", site->temporaries);
		json_key(j, "lifetimes");
		lifetime_counts(j, &p->heap, site->lifetimes);
		json_object_end(j);
	}
	json_array_end(j);
	free(by_live);
	free(by_alloc);
}

void
view_json_free_classes(struct json *j, const struct heap_allocator *a)
{
	json_array_begin(j);
	for (uint32_t i = 0; i < a->nclasses; i++) {
		json_object_begin(j);
		json_key_uint(j, "from", a->classes[i].from);
		json_key_uint(j, "to", a->classes[i].to);
		json_key_uint(j, "count", a->classes[i].count);
		json_key_uint(j, "bytes", a->classes[i].bytes);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The allocator's own figures, null when it gave none (not glibc's). */
static void
allocator(struct json *j, const struct heap_allocator *a)
{
	json_key(j, "allocator");
	if (a->samples == 0) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_key_uint(j, "system_bytes", a->system_bytes);
	json_key_uint(j, "in_use_bytes", a->in_use_bytes);
	json_key_uint(j, "free_bytes", a->free_bytes);
	json_key_uint(j, "top_bytes", a->top_bytes);
	json_key_uint(j, "mmapped_bytes", a->mmapped_bytes);
	json_key_uint(j, "mmapped_blocks", a->mmapped_blocks);
	json_key_uint(j, "free_chunks", a->free_chunks);
	json_key_uint(j, "fastbin_free_bytes", a->fastbin_free_bytes);
	json_key_uint(j, "arenas", a->arenas);
	json_key(j, "free_chunks_by_size");
	view_json_free_classes(j, a);
	json_key_uint(j, "samples", a->samples);
	json_key_bool(j, "at_exit", a->at_exit);
	json_object_end(j);
}

void
view_json_bins(struct json *j, const struct heap_model *h)
{
	json_key(j, "bins");
	json_array_begin(j);
	for (size_t b = 0; b < HEAP_NBINS; b++) {
		const struct heap_bin *bin = &h->bins[b];
		uint64_t min, max, peak_bytes, peak_blocks;

		if (bin->allocations == 0)
			continue;
		model_heap_bin_range(b, &min, &max);
		model_heap_bin_at_peak(h, b, &peak_bytes, &peak_blocks);
		json_object_begin(j);
		json_key_bool(j, "mmap", b == HEAP_BIN_MMAP);
		json_key_uint(j, "min", min);
		json_key(j, "max");
		if (max == UINT64_MAX)
			json_null(j);
		else
			json_uint(j, max);
		json_key_uint(j, "allocations", bin->allocations);
		json_key_uint(j, "frees", bin->frees);
		json_key_uint(j, "live_blocks", bin->live_blocks);
		json_key_uint(j, "live_bytes", bin->live_bytes);
		json_key(j, "usable_bytes");
		if (h->usable_unknown)
			json_null(j);
		else
			json_uint(j, bin->usable_bytes);
		json_key(j, "waste_bytes");
		if (h->usable_unknown)
			json_null(j);
		else
			json_uint(j, bin->usable_bytes - bin->live_bytes);
		json_key_uint(j, "peak_blocks", peak_blocks);
		json_key_uint(j, "peak_bytes", peak_bytes);
		json_object_end(j);
	}
	json_array_end(j);
}

void
view_json_leak_totals(struct json *j, const char *key,
    const struct leak_totals *t)
{
	json_key(j, key);
	json_object_begin(j);
	json_key_uint(j, "bytes", t->bytes);
	json_key_uint(j, "blocks", t->blocks);
	json_object_end(j);
}

/* The leak check's verdicts: null when it did not run for p. */
static void
leaks(struct json *j, const struct session *s, const struct process *p,
    const struct view_run_opts *o)
{
	const struct leak_report *r = p->leaks;

	json_key(j, "leaks");
	if (r == NULL || o->leak_check == VIEW_LEAKS_NO) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	for (int k = 0; k < LEAK_NKINDS; k++)
		view_json_leak_totals(j, leak_kind_name(k), &r->kinds[k]);
	view_json_leak_totals(j, "suppressed", &r->suppressed);
	json_key(j, "reachable_via_heuristic");
	json_object_begin(j);
	for (int h = 1; h < LEAK_NHEURISTICS; h++)
		if (r->heuristic[h].blocks > 0)
			view_json_leak_totals(j, leak_heuristic_name(h),
			    &r->heuristic[h]);
	json_object_end(j);
	json_key(j, "scan");
	json_object_begin(j);
	json_key_uint(j, "root_bytes", r->root_bytes);
	json_key_uint(j, "block_bytes", r->block_bytes);
	json_key_uint(j, "stopped_us", r->stopped_us);
	json_object_end(j);
	json_key(j, "records");
	json_array_begin(j);
	for (size_t i = 0; o->leak_check == VIEW_LEAKS_FULL && i < r->nrecords; i++) {
		const struct leak_record *rec = &r->records[i];

		if (rec->kind == LEAK_REACHABLE && !o->show_reachable)
			continue;
		json_object_begin(j);
		json_key_string(j, "kind", leak_kind_name(rec->kind));
		json_key_uint(j, "bytes", rec->bytes);
		json_key_uint(j, "blocks", rec->blocks);
		json_key_uint(j, "indirect_bytes", rec->indirect_bytes);
		json_key_string(j, "suppressed_by", rec->suppressed_by);
		json_key_hex(j, "stack", rec->stack == 1 ? 0 : rec->stack,
		    rec->stack > 1);
		frames(j, s, p, rec->stack);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/* {"code": N} or {"signal": N}; null when not known or replaced by exec. */
static void
exit_object(struct json *j, bool known, int code, int signal)
{
	json_key(j, "exit");
	if (!known) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	if (signal != 0)
		json_key_int(j, "signal", signal);
	else
		json_key_int(j, "code", code);
	json_object_end(j);
}

void
view_json_process_head(struct json *j, const struct session *s,
    const struct process *p, bool main)
{
	bool run = main && s->run.argv != NULL;
	char *const *argv = run ? s->run.argv : p->argv;

	json_key_int(j, "pid", p->pid);
	json_key_int(j, "ppid", p->ppid);
	json_key_string(j, "exe", p->exe != NULL && p->exe[0] != '\0' ? p->exe : NULL);
	json_key(j, "argv");
	if (argv != NULL) {
		json_array_begin(j);
		for (char *const *a = argv; *a != NULL; a++)
			json_string(j, *a);
		json_array_end(j);
	} else
		json_null(j);
	if (run)	/* the program itself: its end, after any exec */
		exit_object(j, s->run.exited, WIFEXITED(s->run.status) ?
		    WEXITSTATUS(s->run.status) : 0, WIFSIGNALED(s->run.status) ?
		    WTERMSIG(s->run.status) : 0);
	else
		exit_object(j, p->exited && !p->replaced, p->exit_code,
		    p->exit_signal);
	json_key_bool(j, "replaced", p->replaced);
	json_key_bool(j, "still_running", p->still_running);
	json_key_bool(j, "forked", p->forked);
	json_key_uint(j, "threads", p->threads_started);
	summary(j, &p->heap.sum);
}

static void
process_fields(struct json *j, const struct session *s, const struct process *p,
    bool main, const struct view_run_opts *o)
{
	view_json_process_head(j, s, p, main);
	sites(j, s, p, o->sites, o->sort);
	view_json_bins(j, &p->heap);
	lifetimes(j, &p->heap);
	allocator(j, &p->heap.allocator);
	json_key(j, "peak");
	json_object_begin(j);
	json_key_uint(j, "live_bytes", p->heap.sum.peak_live_bytes);
	json_key_uint(j, "live_blocks", p->heap.peak_blocks_then);
	json_key_uint(j, "time_bytes", p->heap.peak_time);
	json_key_uint(j, "after_ms", p->heap.peak_ms);
	json_object_end(j);
	json_key(j, "growth");
	json_array_begin(j);
	for (size_t i = 0; i < p->heap.nticks; i++) {
		const struct heap_tick *t = &p->heap.ticks[i];

		json_object_begin(j);
		json_key_uint(j, "ms", t->ms);
		json_key_uint(j, "live_bytes", t->live_bytes);
		json_key_uint(j, "live_blocks", t->live_blocks);
		json_object_end(j);
	}
	json_array_end(j);
	/* the layout as the process ended (taken by the leak check) */
	json_key(j, "layout");
	if (p->layout.nsegs > 0) {
		json_object_begin(j);
		view_json_layout(j, p);
		json_object_end(j);
	} else
		json_null(j);
	leaks(j, s, p, o);
}

void
view_json_run(FILE *f, const struct session *s, const struct view_run_opts *o)
{
	struct json j;

	json_init(&j, f);
	json_compact_below(&j, 4);
	json_object_begin(&j);
	json_key_string(&j, "tool", "memscope");
	json_key_string(&j, "version", PACKAGE_VERSION);
	json_key_uint(&j, "schema", VIEW_JSON_SCHEMA_VERSION);
	if (s->nprocs > 0)
		process_fields(&j, s, s->procs[0], true, o);
	else {
		/* the shim never started: what memscope itself knows */
		struct process none = { .pid = s->run.main_pid, .exe = s->run.path };

		model_heap_init(&none.heap);
		process_fields(&j, s, &none, true, o);
		model_heap_free(&none.heap);
	}
	json_key(&j, "children");
	json_array_begin(&j);
	for (size_t i = 1; i < s->nprocs; i++) {
		json_object_begin(&j);
		process_fields(&j, s, s->procs[i], false, o);
		json_key(&j, "children");
		json_array_begin(&j);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end(&j);
}

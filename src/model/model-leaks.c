/* SPDX-License-Identifier: ISC */
/* Loss records and leak totals (see model-leaks.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model-leaks.h"
#include "xmalloc.h"

const char *
leak_kind_name(enum leak_kind kind)
{
	static const char *const names[LEAK_NKINDS] = {
		"definitely", "indirectly", "possibly", "reachable",
	};

	return (unsigned)kind < LEAK_NKINDS ? names[kind] : "?";
}

const char *
leak_heuristic_name(enum leak_heuristic h)
{
	static const char *const names[LEAK_NHEURISTICS] = {
		"none", "stdstring", "length64", "newarray", "multipleinheritance",
	};

	return (unsigned)h < LEAK_NHEURISTICS ? names[h] : "?";
}

/* The names of the calls of enum heap_alloc_fn, as their frames are named. */
static const char *
alloc_fn_name(uint32_t fn)
{
	static const char *const names[] = { NULL, "malloc", "calloc", "realloc",
	    "reallocarray", "memalign", "posix_memalign", "aligned_alloc",
	    "valloc", "pvalloc" };

	return fn < sizeof(names) / sizeof(names[0]) ? names[fn] : NULL;
}

static void
add_frame(struct leak_frame **v, size_t *n, size_t *cap, struct leak_frame f)
{
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = f;
}

size_t
model_leaks_frames(const struct session *s, const struct process *p,
    const struct leak_record *rec, size_t max, struct leak_frame **out,
    size_t *cap)
{
	const struct stack_entry *e = model_stacks_get(&s->stacks, rec->stack);
	const struct heap_site *site = model_heap_site(&p->heap, rec->stack);
	const struct frame_symbols *first = e != NULL && e->nframes > 0 &&
	    e->symbols != NULL ? &e->symbols[0] : NULL;
	const char *fn = site != NULL ? alloc_fn_name(site->fn) : NULL;
	size_t n = 0;
	bool below = false;

	/* operator new and new[] (_Znw..., _Zna...) are frames of their own */
	if (first != NULL && first->n > 0 && first->v[first->n - 1].linkage != NULL &&
	    (strncmp(first->v[first->n - 1].linkage, "_Znw", 4) == 0 ||
	    strncmp(first->v[first->n - 1].linkage, "_Zna", 4) == 0))
		fn = NULL;
	if (fn != NULL && n < max)
		add_frame(out, &n, cap, (struct leak_frame){ .function = fn });
	for (uint32_t i = 0; e != NULL && i < e->nframes && n < max; i++) {
		const struct module *m = model_modules_find(&p->modules, e->frames[i]);
		const struct frame_symbols *fs = e->symbols != NULL ?
		    &e->symbols[i] : NULL;
		const char *path = m != NULL ? m->path : NULL;

		if (fs == NULL || fs->n == 0) {
			add_frame(out, &n, cap, (struct leak_frame){ .module = path,
			    .below_main = below });
			continue;
		}
		for (uint32_t k = 0; k < fs->n && n < max; k++) {
			add_frame(out, &n, cap, (struct leak_frame){
			    .function = fs->v[k].function, .linkage = fs->v[k].linkage,
			    .module = path, .file = fs->v[k].file,
			    .line = fs->v[k].line, .below_main = below });
			if (fs->v[k].function != NULL &&
			    strcmp(fs->v[k].function, "main") == 0)
				below = true;
		}
	}
	return n;
}

size_t
model_leaks_blocks(const struct heap_model *h, struct leak_block **blocks,
    uint64_t **stacks, uint8_t **mmapped)
{
	struct heap_block *live;
	size_t n = model_heap_live_sorted(h, &live);

	*blocks = xreallocarray(NULL, n + 1, sizeof(**blocks));
	*stacks = xreallocarray(NULL, n + 1, sizeof(**stacks));
	if (mmapped != NULL)
		*mmapped = xreallocarray(NULL, n + 1, sizeof(**mmapped));
	for (size_t i = 0; i < n; i++) {
		(*blocks)[i] = (struct leak_block){ live[i].addr, live[i].size };
		(*stacks)[i] = live[i].stack;
		if (mmapped != NULL)
			(*mmapped)[i] = live[i].mmapped;
	}
	free(live);
	return n;
}

/* Largest first, by direct and indirect bytes; then by kind, then stack. */
static int
record_cmp(const void *a, const void *b)
{
	const struct leak_record *x = a, *y = b;
	uint64_t tx = x->bytes + x->indirect_bytes, ty = y->bytes + y->indirect_bytes;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* The record of (kind, stack): an open-addressing table of record indexes. */
static size_t
record_of(struct leak_report *r, size_t **slots, size_t *nslots, size_t *cap,
    uint8_t kind, uint64_t stack)
{
	size_t mask, i;

	if (2 * (r->nrecords + 1) > *nslots) {
		size_t n = *nslots ? 2 * *nslots : 1024;
		size_t *bigger = xreallocarray(NULL, n, sizeof(*bigger));

		memset(bigger, 0xff, n * sizeof(*bigger));
		for (size_t k = 0; k < r->nrecords; k++) {
			i = (size_t)((r->records[k].stack ^ r->records[k].kind) *
			    0x9e3779b97f4a7c15ULL >> 16) & (n - 1);
			while (bigger[i] != SIZE_MAX)
				i = (i + 1) & (n - 1);
			bigger[i] = k;
		}
		free(*slots);
		*slots = bigger;
		*nslots = n;
	}
	mask = *nslots - 1;
	/* NOLINTBEGIN(clang-analyzer-core.NullDereference): r starts zeroed (xcalloc) */
	for (i = (size_t)((stack ^ kind) * 0x9e3779b97f4a7c15ULL >> 16) & mask;
	    (*slots)[i] != SIZE_MAX; i = (i + 1) & mask) {
		const struct leak_record *rec = &r->records[(*slots)[i]];

		if (rec->kind == kind && rec->stack == stack)
			return (*slots)[i];
	}
	/* NOLINTEND(clang-analyzer-core.NullDereference) */
	r->records = xgrow(r->records, cap, r->nrecords + 1, sizeof(*r->records));
	r->records[r->nrecords] = (struct leak_record){ .kind = kind, .stack = stack };
	(*slots)[i] = r->nrecords;
	return r->nrecords++;
}

struct leak_report *
model_leaks_report(const struct leak_block *blocks, const uint64_t *stacks,
    struct leak_verdict *verdicts, size_t n)
{
	struct leak_report *r = xcalloc(1, sizeof(*r));
	size_t *slots = NULL, nslots = 0, cap = 0;

	r->verdicts = verdicts;
	r->nverdicts = n;
	for (size_t i = 0; i < n; i++) {
		const struct leak_verdict *v = &verdicts[i];
		size_t k = record_of(r, &slots, &nslots, &cap, v->kind,
		    stacks[i] != 0 ? stacks[i] : 1);
		struct leak_record *rec = &r->records[k];

		rec->bytes += blocks[i].size;
		rec->blocks++;
		rec->indirect_bytes += v->indirect_bytes;
		r->kinds[v->kind].bytes += blocks[i].size;
		r->kinds[v->kind].blocks++;
		if (v->kind == LEAK_REACHABLE && v->heuristic != LEAK_HEUR_NONE &&
		    v->heuristic < LEAK_NHEURISTICS) {
			r->heuristic[v->heuristic].bytes += blocks[i].size;
			r->heuristic[v->heuristic].blocks++;
		}
	}
	free(slots);
	if (r->nrecords > 1)
		qsort(r->records, r->nrecords, sizeof(*r->records), record_cmp);
	return r;
}

void
model_leaks_suppress(struct leak_report *r, size_t i, const char *name)
{
	struct leak_record *rec = &r->records[i];

	if (rec->suppressed_by != NULL)
		return;
	rec->suppressed_by = name;
	r->kinds[rec->kind].bytes -= rec->bytes;
	r->kinds[rec->kind].blocks -= rec->blocks;
	r->suppressed.bytes += rec->bytes;
	r->suppressed.blocks += rec->blocks;
}

void
model_leaks_free(struct leak_report *r)
{
	if (r == NULL)
		return;
	free(r->records);
	free(r->verdicts);
	free(r);
}

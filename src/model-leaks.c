/* Loss records and leak totals (see model-leaks.h). */
#include "config.h"

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

static int
block_cmp(const void *a, const void *b)
{
	const struct heap_block *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

size_t
model_leaks_blocks(const struct heap_model *h, struct leak_block **blocks,
    uint64_t **stacks)
{
	struct heap_block *live = xreallocarray(NULL, h->sum.live_blocks + 1,
	    sizeof(*live));
	size_t n = 0;

	for (size_t i = 0; i < h->nblocks_slots; i++)
		if (h->blocks[i].addr != 0 && n <= h->sum.live_blocks)
			live[n++] = h->blocks[i];
	qsort(live, n, sizeof(*live), block_cmp);
	*blocks = xreallocarray(NULL, n + 1, sizeof(**blocks));
	*stacks = xreallocarray(NULL, n + 1, sizeof(**stacks));
	for (size_t i = 0; i < n; i++) {
		(*blocks)[i] = (struct leak_block){ live[i].addr, live[i].size };
		(*stacks)[i] = live[i].stack;
	}
	free(live);
	return n;
}

struct keyed {
	uint8_t		 kind;
	uint64_t	 stack;
	size_t		 block;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return x->block < y->block ? -1 : x->block > y->block;
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

struct leak_report *
model_leaks_report(const struct leak_block *blocks, const uint64_t *stacks,
    struct leak_verdict *verdicts, size_t n)
{
	struct leak_report *r = xcalloc(1, sizeof(*r));
	struct keyed *k = xreallocarray(NULL, n + 1, sizeof(*k));
	size_t cap = 0;

	r->verdicts = verdicts;
	r->nverdicts = n;
	for (size_t i = 0; i < n; i++) {
		const struct leak_verdict *v = &verdicts[i];

		k[i] = (struct keyed){ v->kind, stacks[i] != 0 ? stacks[i] : 1, i };
		r->kinds[v->kind].bytes += blocks[i].size;
		r->kinds[v->kind].blocks++;
		if (v->kind == LEAK_REACHABLE && v->heuristic != LEAK_HEUR_NONE &&
		    v->heuristic < LEAK_NHEURISTICS) {
			r->heuristic[v->heuristic].bytes += blocks[i].size;
			r->heuristic[v->heuristic].blocks++;
		}
	}
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t i = 0; i < n; i++) {
		struct leak_record *rec;

		if (i == 0 || k[i].kind != k[i - 1].kind || k[i].stack != k[i - 1].stack) {
			r->records = xgrow(r->records, &cap, r->nrecords + 1,
			    sizeof(*r->records));
			rec = &r->records[r->nrecords++];
			*rec = (struct leak_record){ .kind = k[i].kind,
			    .stack = k[i].stack };
		} else
			rec = &r->records[r->nrecords - 1];
		rec->bytes += blocks[k[i].block].size;
		rec->blocks++;
		rec->indirect_bytes += verdicts[k[i].block].indirect_bytes;
	}
	free(k);
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

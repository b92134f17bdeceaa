/* SPDX-License-Identifier: ISC */
/*
 * massif's output format (massif.out.PID), which ms_print and
 * massif-visualizer read: the live heap over time, time in bytes
 * allocated and freed (massif's --time-unit=B), with the tree of the
 * allocation stacks at the peak and at the end.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "view-massif.h"
#include "xmalloc.h"

/* A node of the tree: a frame, the bytes allocated through it, its callers. */
struct node {
	uint64_t	 addr;
	uint32_t	 inline_depth;	/* which of the frame's inlined calls */
	const struct frame_symbol *sym;	/* or NULL */
	uint64_t	 bytes;
	size_t		*children;	/* node indexes */
	size_t		 nchildren;
	size_t		 children_cap;
};

struct tree {
	struct node	*v;
	size_t		 n;
	size_t		 cap;
};

static size_t
child_of(struct tree *t, size_t parent, uint64_t addr, uint32_t depth,
    const struct frame_symbol *sym)
{
	struct node *p = &t->v[parent];
	size_t i;

	for (size_t k = 0; k < p->nchildren; k++) {
		const struct node *c = &t->v[p->children[k]];

		if (c->addr == addr && c->inline_depth == depth)
			return p->children[k];
	}
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	i = t->n++;
	t->v[i] = (struct node){ .addr = addr, .inline_depth = depth, .sym = sym };
	p = &t->v[parent];
	p->children = xgrow(p->children, &p->children_cap, p->nchildren + 1,
	    sizeof(*p->children));
	p->children[p->nchildren++] = i;
	return i;
}

static bool
below_main(const struct frame_symbol *sym)
{
	return sym != NULL && sym->function != NULL &&
	    strcmp(sym->function, "(below main)") == 0;
}

/* Add bytes along the frames of stack, innermost first, to main. */
static void
add_stack(struct tree *t, const struct session *s, uint64_t stack,
    uint64_t bytes)
{
	const struct stack_entry *e = model_stacks_get(&s->stacks, stack);
	size_t at = 0;

	t->v[0].bytes += bytes;
	for (uint32_t i = 0; e != NULL && i < e->nframes; i++) {
		const struct frame_symbols *fs = e->symbols != NULL ?
		    &e->symbols[i] : NULL;
		uint32_t n = fs != NULL && fs->n > 0 ? fs->n : 1;

		if (fs != NULL && fs->n > 0 && below_main(&fs->v[0]))
			break;
		for (uint32_t k = 0; k < n; k++) {
			at = child_of(t, at, e->frames[i], k,
			    fs != NULL && fs->n > 0 ? &fs->v[k] : NULL);
			t->v[at].bytes += bytes;
		}
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static const struct tree *sort_tree;

static int
by_bytes(const void *a, const void *b)
{
	const struct node *x = &sort_tree->v[*(const size_t *)a];
	const struct node *y = &sort_tree->v[*(const size_t *)b];

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void
print_node(FILE *f, const struct tree *t, const struct process *p, size_t i,
    int depth)
{
	const struct node *nd = &t->v[i];

	fprintf(f, "%*sn%zu: %" PRIu64 " ", depth, "", nd->nchildren, nd->bytes);
	if (i == 0)
		fputs("(heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n", f);
	else if (nd->sym != NULL && nd->sym->function != NULL) {
		fprintf(f, "0x%" PRIX64 ": %s", nd->addr, nd->sym->function);
		if (nd->sym->file != NULL)
			fprintf(f, " (%s:%u)", base_name(nd->sym->file), nd->sym->line);
		fputc('\n', f);
	} else {
		const struct module *m = model_modules_find(&p->modules, nd->addr);

		fprintf(f, "0x%" PRIX64 ": ??? (in %s)\n", nd->addr,
		    m != NULL ? m->path : "???");
	}
	sort_tree = t;
	if (nd->nchildren > 1)
		qsort(nd->children, nd->nchildren, sizeof(*nd->children), by_bytes);
	sort_tree = NULL;
	for (size_t k = 0; k < nd->nchildren; k++)
		print_node(f, t, p, nd->children[k], depth + 1);
}

/* The tree of what every site held, at the peak or at the end. */
static void
print_tree(FILE *f, const struct session *s, const struct process *p,
    bool at_peak)
{
	struct tree t = { 0 };
	struct heap_site *sites;
	size_t n = model_heap_top_sites(&p->heap, model_heap_site_by_allocated, 0,
	    &sites);

	t.v = xgrow(t.v, &t.cap, 1, sizeof(*t.v));
	t.v[t.n++] = (struct node){ 0 };
	for (size_t i = 0; i < n; i++) {
		uint64_t bytes = sites[i].live_bytes, blocks;

		if (at_peak)
			model_heap_site_at_peak(&p->heap, &sites[i], &bytes, &blocks);
		if (bytes > 0)
			add_stack(&t, s, sites[i].stack, bytes);
	}
	print_node(f, &t, p, 0, 0);
	for (size_t i = 0; i < t.n; i++)
		free(t.v[i].children);
	free(t.v);
	free(sites);
}

static void
snapshot(FILE *f, size_t *nr, uint64_t time, uint64_t bytes, const char *tree)
{
	fprintf(f, "#-----------\nsnapshot=%zu\n#-----------\n", (*nr)++);
	fprintf(f, "time=%" PRIu64 "\nmem_heap_B=%" PRIu64 "\n", time, bytes);
	fprintf(f, "mem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=%s\n", tree);
}

void
view_massif(FILE *f, const struct session *s, const struct process *p,
    char *const *argv)
{
	const struct heap_model *h = &p->heap;
	uint64_t last = 0;
	bool peak_done = h->sum.peak_live_bytes == 0;
	size_t nr = 0;

	fputs("desc: (memscope run) --time-unit=B\ncmd:", f);
	for (char *const *a = argv; a != NULL && *a != NULL; a++)
		fprintf(f, " %s", *a);
	fputs("\ntime_unit: B\n", f);
	snapshot(f, &nr, 0, 0, "empty");
	for (size_t i = 0; i <= h->nsamples; i++) {
		const struct heap_sample *sm = i < h->nsamples ? &h->samples[i] : NULL;

		/* the peak goes where its time puts it, instead of a sample there */
		if (!peak_done && (sm == NULL || sm->time >= h->peak_time)) {
			if (h->peak_time > last || nr == 1) {
				snapshot(f, &nr, h->peak_time, h->sum.peak_live_bytes,
				    "peak");
				print_tree(f, s, p, true);
				last = h->peak_time;
			}
			peak_done = true;
		}
		if (sm != NULL && sm->time > last && sm->time < h->time_bytes) {
			snapshot(f, &nr, sm->time, sm->live_bytes, "empty");
			last = sm->time;
		}
	}
	/* the end, detailed */
	if (h->time_bytes > last) {
		snapshot(f, &nr, h->time_bytes, h->sum.live_bytes, "detailed");
		print_tree(f, s, p, false);
	}
}

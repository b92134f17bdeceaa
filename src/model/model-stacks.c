/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model-stacks.h"
#include "xmalloc.h"

static size_t
slot_of(uint64_t id, size_t nslots)
{
	return (size_t)(id * 0x9e3779b97f4a7c15ULL >> 24) & (nslots - 1);
}

void
model_stacks_init(struct stack_table *t)
{
	t->nslots = 1024;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	t->count = 0;
}

void
model_stacks_free(struct stack_table *t)
{
	for (size_t i = 0; i < t->nslots; i++) {
		struct stack_entry *e = &t->slots[i];

		free(e->frames);
		free(e->symbols);
	}
	free(t->slots);
	if (t->symbols_release != NULL)
		t->symbols_release(t->symbols_owner);
	memset(t, 0, sizeof(*t));
}

static struct stack_entry *
find_slot(struct stack_entry *slots, size_t nslots, uint64_t id)
{
	size_t i = slot_of(id, nslots);

	while (slots[i].id != 0 && slots[i].id != id)
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

void
model_stacks_add(struct stack_table *t, uint64_t id, const uint64_t *frames,
    uint32_t nframes)
{
	struct stack_entry *e;

	if (id == 0)
		return;
	if (2 * (t->count + 1) > t->nslots) {
		size_t n = 2 * t->nslots;
		struct stack_entry *slots = xcalloc(n, sizeof(*slots));

		for (size_t i = 0; i < t->nslots; i++)
			if (t->slots[i].id != 0)
				*find_slot(slots, n, t->slots[i].id) = t->slots[i];
		free(t->slots);
		t->slots = slots;
		t->nslots = n;
	}
	e = find_slot(t->slots, t->nslots, id);
	if (e->id == id)
		return;
	e->id = id;
	e->nframes = nframes;
	e->frames = xcalloc(nframes ? nframes : 1, sizeof(*e->frames));
	memcpy(e->frames, frames, nframes * sizeof(*frames));
	t->count++;
}

const struct stack_entry *
model_stacks_get(const struct stack_table *t, uint64_t id)
{
	struct stack_entry *e;

	if (id == 0 || t->nslots == 0)
		return NULL;
	e = find_slot(t->slots, t->nslots, id);
	return e->id == id ? e : NULL;
}

void
model_stacks_set_symbols(struct stack_table *t, uint64_t id, uint32_t i,
    const struct frame_symbol *v, uint32_t n)
{
	struct stack_entry *e = id != 0 && t->nslots ? find_slot(t->slots,
	    t->nslots, id) : NULL;
	struct frame_symbols *fs;

	if (e == NULL || e->id != id || i >= e->nframes)
		return;
	if (e->symbols == NULL)
		e->symbols = xcalloc(e->nframes, sizeof(*e->symbols));
	fs = &e->symbols[i];
	fs->n = n;
	fs->v = v;
}

void
model_modules_loaded(struct module_list *l, const struct module *m)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n] = *m;
	l->v[l->n].path = xstrdup(m->path != NULL ? m->path : "");
	l->v[l->n].unloaded = false;
	l->n++;
}

void
model_modules_unloaded(struct module_list *l, uint64_t base, uint64_t start)
{
	/* kept, flagged: frames recorded while it was loaded still point in */
	for (size_t i = l->n; i-- > 0;)
		if (!l->v[i].unloaded && l->v[i].base == base &&
		    l->v[i].start == start) {
			l->v[i].unloaded = true;
			return;
		}
}

const struct module *
model_modules_find(const struct module_list *l, uint64_t addr)
{
	for (size_t i = l->n; i-- > 0;)
		if (addr >= l->v[i].start && addr < l->v[i].end)
			return &l->v[i];
	return NULL;
}

void
model_modules_free(struct module_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

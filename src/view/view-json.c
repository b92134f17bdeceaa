/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>

#include "json.h"
#include "view-json.h"

/* The figures every segment, kind and object carries. */
static void
mem_fields(struct json *j, uint64_t size, const struct mem_counts *m)
{
	json_key_uint(j, "size", size);
	json_key_uint(j, "rss", m->rss);
	json_key_uint(j, "pss", m->pss);
	json_key_uint(j, "swap", m->swap);
	json_key_uint(j, "shared_clean", m->shared_clean);
	json_key_uint(j, "shared_dirty", m->shared_dirty);
	json_key_uint(j, "private_clean", m->private_clean);
	json_key_uint(j, "private_dirty", m->private_dirty);
	json_key_uint(j, "anon_huge", m->anon_huge);
	json_key_uint(j, "locked", m->locked);
}

static void
markers(struct json *j, const struct process_markers *mk)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} fields[] = {
#define M(f) { #f, offsetof(struct process_markers, f) }
		M(start_code), M(end_code), M(start_data), M(end_data),
		M(start_brk), M(start_stack), M(arg_start), M(arg_end),
		M(env_start), M(env_end),
#undef M
	};

	json_key(j, "markers");
	json_object_begin(j);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t v = *(const uint64_t *)((const char *)mk + fields[i].off);

		json_key_hex(j, fields[i].name, v, v != 0);
	}
	json_object_end(j);
}

static void
threads(struct json *j, const struct process *p)
{
	json_key(j, "threads");
	json_array_begin(j);
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct seg_thread *t = &p->threads[i];

		json_object_begin(j);
		json_key_int(j, "tid", t->tid);
		json_key_string(j, "name", t->name);
		json_key_hex(j, "sp", t->sp, t->sp_known);
		json_key_hex(j, "tcb", t->tcb, t->tcb_known);
		json_key_hex(j, "stack_start", t->stack_start, t->stack_end != 0);
		json_key_hex(j, "stack_end", t->stack_end, t->stack_end != 0);
		json_key_uint(j, "guard_size", t->guard_size);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
totals(struct json *j, const struct process *p)
{
	json_key(j, "totals");
	json_object_begin(j);
	json_key_uint(j, "vsz", p->vsz);
	json_key_uint(j, "rss", p->totals.rss);
	json_key_uint(j, "pss", p->totals.pss);
	json_key_uint(j, "swap", p->totals.swap);
	json_key_uint(j, "shared_clean", p->totals.shared_clean);
	json_key_uint(j, "shared_dirty", p->totals.shared_dirty);
	json_key_uint(j, "private_clean", p->totals.private_clean);
	json_key_uint(j, "private_dirty", p->totals.private_dirty);
	json_key_uint(j, "anon_huge", p->totals.anon_huge);
	json_key_uint(j, "locked", p->totals.locked);
	json_key_string(j, "source", p->totals_from_rollup ? "smaps_rollup" : "smaps");
	json_object_end(j);
}

static void
by_kind(struct json *j, const struct process *p)
{
	struct seg_totals t[SEG_NKINDS];

	model_segments_by_kind(&p->layout, t);
	json_key(j, "by_kind");
	json_object_begin(j);
	for (int k = 0; k < SEG_NKINDS; k++) {
		json_key(j, seg_kind_name(k));
		json_object_begin(j);
		mem_fields(j, t[k].size, &t[k].mem);
		json_object_end(j);
	}
	json_object_end(j);
}

static void
by_object(struct json *j, const struct process *p)
{
	struct seg_object_totals *objs;
	size_t n = model_segments_by_object(&p->layout, &objs);

	json_key(j, "by_object");
	json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		const struct process_object *po =
		    model_process_object(p, objs[i].object);

		json_object_begin(j);
		json_key_string(j, "object", objs[i].object);
		json_key_string(j, "build_id", po != NULL && po->build_id[0] ? po->build_id : NULL);
		mem_fields(j, objs[i].size, &objs[i].mem);
		json_key(j, "kinds");
		json_object_begin(j);
		for (int k = 0; k < SEG_NKINDS; k++) {
			if (objs[i].kind_size[k] == 0)
				continue;
			json_key(j, seg_kind_name(k));
			json_uint(j, objs[i].kind_size[k]);
		}
		json_object_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	free(objs);
}

static void
segments(struct json *j, const struct process *p)
{
	json_key(j, "segments");
	json_array_begin(j);
	for (size_t i = 0; i < p->layout.nsegs; i++) {
		const struct segment *s = &p->layout.segs[i];

		json_object_begin(j);
		json_key_hex(j, "start", s->start, true);
		json_key_hex(j, "end", s->end, true);
		json_key_string(j, "perms", s->perms);
		json_key_string(j, "kind", seg_kind_name(s->kind));
		json_key_string(j, "object", s->object);
		json_key_string(j, "detail", s->detail);
		json_key_uint(j, "mapping", s->mapping);
		json_key(j, "tid");
		if (s->tid != 0)
			json_int(j, s->tid);
		else
			json_null(j);
		mem_fields(j, s->end - s->start, &s->mem);
		json_object_end(j);
	}
	json_array_end(j);
}

void
view_json_layout(struct json *j, const struct process *p)
{
	totals(j, p);
	by_kind(j, p);
	segments(j, p);
}

void
view_json_map(FILE *f, const struct process *p)
{
	struct json j;

	json_init(&j, f);
	/* one segment, kind, object or thread per line */
	json_compact_below(&j, 2);
	json_object_begin(&j);
	json_key_string(&j, "memscope", PACKAGE_VERSION);
	json_key_uint(&j, "schema", VIEW_JSON_SCHEMA_VERSION);
	json_key_int(&j, "pid", p->pid);
	json_key_int(&j, "ppid", p->ppid);
	json_key_string(&j, "command", p->comm);
	json_key_string(&j, "exe", p->exe);
	json_key_uint(&j, "uid", p->uid);
	totals(&j, p);
	markers(&j, &p->markers);
	threads(&j, p);
	by_kind(&j, p);
	by_object(&j, p);
	segments(&j, p);
	json_object_end(&j);
	json_end(&j);
}

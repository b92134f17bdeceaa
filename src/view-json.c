#include "config.h"

#include <stdlib.h>

#include "json.h"
#include "view-json.h"

/* The figures every segment, kind and object carries. */
static void
mem_fields(struct json *j, uint64_t size, const struct mem_counts *m)
{
	json_key(j, "size");
	json_uint(j, size);
	json_key(j, "rss");
	json_uint(j, m->rss);
	json_key(j, "pss");
	json_uint(j, m->pss);
	json_key(j, "swap");
	json_uint(j, m->swap);
	json_key(j, "shared_clean");
	json_uint(j, m->shared_clean);
	json_key(j, "shared_dirty");
	json_uint(j, m->shared_dirty);
	json_key(j, "private_clean");
	json_uint(j, m->private_clean);
	json_key(j, "private_dirty");
	json_uint(j, m->private_dirty);
	json_key(j, "anon_huge");
	json_uint(j, m->anon_huge);
	json_key(j, "locked");
	json_uint(j, m->locked);
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

		json_key(j, fields[i].name);
		if (v == 0)
			json_null(j);
		else
			json_hex(j, v);
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
		json_key(j, "tid");
		json_int(j, t->tid);
		json_key(j, "name");
		json_string(j, t->name);
		json_key(j, "sp");
		if (t->sp_known)
			json_hex(j, t->sp);
		else
			json_null(j);
		json_key(j, "tcb");
		if (t->tcb_known)
			json_hex(j, t->tcb);
		else
			json_null(j);
		json_key(j, "stack_start");
		if (t->stack_end != 0)
			json_hex(j, t->stack_start);
		else
			json_null(j);
		json_key(j, "stack_end");
		if (t->stack_end != 0)
			json_hex(j, t->stack_end);
		else
			json_null(j);
		json_key(j, "guard_size");
		json_uint(j, t->guard_size);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
totals(struct json *j, const struct process *p)
{
	json_key(j, "totals");
	json_object_begin(j);
	json_key(j, "vsz");
	json_uint(j, p->vsz);
	json_key(j, "rss");
	json_uint(j, p->totals.rss);
	json_key(j, "pss");
	json_uint(j, p->totals.pss);
	json_key(j, "swap");
	json_uint(j, p->totals.swap);
	json_key(j, "shared_clean");
	json_uint(j, p->totals.shared_clean);
	json_key(j, "shared_dirty");
	json_uint(j, p->totals.shared_dirty);
	json_key(j, "private_clean");
	json_uint(j, p->totals.private_clean);
	json_key(j, "private_dirty");
	json_uint(j, p->totals.private_dirty);
	json_key(j, "source");
	json_string(j, p->totals_from_rollup ? "smaps_rollup" : "smaps");
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
		json_key(j, "object");
		json_string(j, objs[i].object);
		json_key(j, "build_id");
		json_string(j, po != NULL && po->build_id[0] ? po->build_id : NULL);
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
		json_key(j, "start");
		json_hex(j, s->start);
		json_key(j, "end");
		json_hex(j, s->end);
		json_key(j, "perms");
		json_string(j, s->perms);
		json_key(j, "kind");
		json_string(j, seg_kind_name(s->kind));
		json_key(j, "object");
		json_string(j, s->object);
		json_key(j, "detail");
		json_string(j, s->detail);
		json_key(j, "mapping");
		json_uint(j, s->mapping);
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
view_json_map(FILE *f, const struct process *p)
{
	struct json j;

	json_init(&j, f);
	/* one segment, kind, object or thread per line */
	json_compact_below(&j, 2);
	json_object_begin(&j);
	json_key(&j, "memscope");
	json_string(&j, PACKAGE_VERSION);
	json_key(&j, "schema");
	json_uint(&j, VIEW_JSON_SCHEMA_VERSION);
	json_key(&j, "pid");
	json_int(&j, p->pid);
	json_key(&j, "ppid");
	json_int(&j, p->ppid);
	json_key(&j, "command");
	json_string(&j, p->comm);
	json_key(&j, "exe");
	json_string(&j, p->exe);
	json_key(&j, "uid");
	json_uint(&j, p->uid);
	totals(&j, p);
	markers(&j, &p->markers);
	threads(&j, p);
	by_kind(&j, p);
	by_object(&j, p);
	segments(&j, p);
	json_object_end(&j);
	json_end(&j);
}

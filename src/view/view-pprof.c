/* SPDX-License-Identifier: ISC */
/*
 * The pprof profile: Google's profile.proto (src/pprof/profile.proto),
 * gzip-compressed, which `go tool pprof`, Grafana Pyroscope and Parca read.
 * It has the four values of Go's heap profiles: alloc_objects and
 * alloc_space over the run, inuse_objects and inuse_space at exit (the one
 * shown first). Every process of the run goes in: a sample per allocation
 * site, labelled "pid" when there are several processes; its stack is made
 * of locations, one per frame address of a process, each with its source
 * lines (the inlined calls first), and the mappings are the modules of the
 * processes. memscope symbolized the frames: the mappings say so, so that
 * pprof does not do it again.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"
#include "view-pprof.h"
#include "xmalloc.h"

typedef Perftools__Profiles__Profile	pb_profile;
typedef Perftools__Profiles__ValueType	pb_value_type;
typedef Perftools__Profiles__Sample	pb_sample;
typedef Perftools__Profiles__Label	pb_label;
typedef Perftools__Profiles__Mapping	pb_mapping;
typedef Perftools__Profiles__Location	pb_location;
typedef Perftools__Profiles__Line	pb_line;
typedef Perftools__Profiles__Function	pb_function;

/* The sample types, in the order of every sample's values. */
static const char *const sample_types[][2] = {
	{ "alloc_objects", "count" },
	{ "alloc_space", "bytes" },
	{ "inuse_objects", "count" },
	{ "inuse_space", "bytes" },
};
#define NVALUES (sizeof(sample_types) / sizeof(sample_types[0]))
#define DEFAULT_TYPE 3	/* inuse_space */

/* Ids by a key of two numbers: open addressing, id 0 an empty slot. */
struct id_slot {
	uint64_t	 a, b;
	uint64_t	 id;
};

struct id_map {
	struct id_slot	*v;
	size_t		 nslots;	/* a power of two */
	size_t		 count;
};

static size_t
hash2(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15u ^ (b + 0x632be59bd9b4e019u);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 29;
	return (size_t)x;
}

static uint64_t
id_find(const struct id_map *m, uint64_t a, uint64_t b)
{
	if (m->nslots == 0)
		return 0;
	for (size_t i = hash2(a, b) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		const struct id_slot *sl = &m->v[i];

		if (sl->id == 0)
			return 0;
		if (sl->a == a && sl->b == b)
			return sl->id;
	}
}

static void
id_put(struct id_map *m, uint64_t a, uint64_t b, uint64_t id)
{
	if (2 * (m->count + 1) > m->nslots) {
		struct id_map bigger = { .nslots = m->nslots != 0 ? 2 * m->nslots : 256 };

		bigger.v = xcalloc(bigger.nslots, sizeof(*bigger.v));
		for (size_t i = 0; i < m->nslots; i++)
			if (m->v[i].id != 0)
				id_put(&bigger, m->v[i].a, m->v[i].b, m->v[i].id);
		free(m->v);
		*m = bigger;
	}
	for (size_t i = hash2(a, b) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1))
		if (m->v[i].id == 0) {
			m->v[i] = (struct id_slot){ .a = a, .b = b, .id = id };
			m->count++;
			return;
		}
}

/* What the profile is made of as it is built. */
struct builder {
	/* the string table: "" first; slots hold index + 1, 0 empty */
	char		**strings;
	size_t		 nstrings;
	size_t		 strings_cap;
	uint32_t	*string_slots;
	size_t		 nstring_slots;

	pb_sample	**samples;
	size_t		 nsamples;
	size_t		 samples_cap;
	pb_mapping	**mappings;	/* id i + 1 */
	size_t		 nmappings;
	size_t		 mappings_cap;
	pb_location	**locations;	/* id i + 1 */
	size_t		 nlocations;
	size_t		 locations_cap;
	pb_function	**functions;	/* id i + 1 */
	size_t		 nfunctions;
	size_t		 functions_cap;

	struct id_map	 location_ids;	/* (process, address) */
	struct id_map	 function_ids;	/* (name, file) */
	uint64_t	 first_mapping;	/* the current process's first module's id */
};

static size_t
hash_string(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (size_t)(h ^ h >> 32);
}

static void
string_slot_put(uint32_t *slots, size_t nslots, const char *s, uint32_t v)
{
	size_t i = hash_string(s) & (nslots - 1);

	while (slots[i] != 0)
		i = (i + 1) & (nslots - 1);
	slots[i] = v;
}

/* The index of s in the string table, added on first sight. */
static int64_t
string_index(struct builder *b, const char *s)
{
	size_t i;

	if (b->nstring_slots != 0)
		for (i = hash_string(s) & (b->nstring_slots - 1); b->string_slots[i] != 0;
		    i = (i + 1) & (b->nstring_slots - 1))
			if (strcmp(b->strings[b->string_slots[i] - 1], s) == 0)
				return b->string_slots[i] - 1;
	if (2 * (b->nstrings + 1) > b->nstring_slots) {
		size_t n = b->nstring_slots != 0 ? 2 * b->nstring_slots : 256;
		uint32_t *slots = xcalloc(n, sizeof(*slots));

		for (size_t k = 0; k < b->nstrings; k++)
			string_slot_put(slots, n, b->strings[k], (uint32_t)k + 1);
		free(b->string_slots);
		b->string_slots = slots;
		b->nstring_slots = n;
	}
	b->strings = xgrow(b->strings, &b->strings_cap, b->nstrings + 1,
	    sizeof(*b->strings));
	b->strings[b->nstrings] = xstrdup(s);
	string_slot_put(b->string_slots, b->nstring_slots, s, (uint32_t)b->nstrings + 1);
	return (int64_t)b->nstrings++;
}

/* The function of a source-level frame (its name is known). */
static uint64_t
function_id(struct builder *b, const struct frame_symbol *sym)
{
	int64_t name = string_index(b, sym->function);
	int64_t file = string_index(b, sym->file != NULL ? sym->file : "");
	uint64_t id = id_find(&b->function_ids, (uint64_t)name, (uint64_t)file);
	pb_function *fn;

	if (id != 0)
		return id;
	fn = xmalloc(sizeof(*fn));
	perftools__profiles__function__init(fn);
	fn->id = id = b->nfunctions + 1;
	fn->name = name;
	fn->system_name = sym->linkage != NULL ? string_index(b, sym->linkage) : name;
	fn->filename = file;
	b->functions = xgrow(b->functions, &b->functions_cap, b->nfunctions + 1,
	    sizeof(*b->functions));
	b->functions[b->nfunctions++] = fn;
	id_put(&b->function_ids, (uint64_t)name, (uint64_t)file, id);
	return id;
}

static void
add_line(pb_location *loc, uint64_t function, int64_t line)
{
	pb_line *l = xmalloc(sizeof(*l));

	perftools__profiles__line__init(l);
	l->function_id = function;
	l->line = line;
	loc->line = xreallocarray(loc->line, loc->n_line + 1, sizeof(*loc->line));
	loc->line[loc->n_line++] = l;
}

static uint64_t
new_location(struct builder *b, size_t proc, uint64_t addr)
{
	pb_location *loc = xmalloc(sizeof(*loc));

	perftools__profiles__location__init(loc);
	loc->id = b->nlocations + 1;
	loc->address = addr;
	b->locations = xgrow(b->locations, &b->locations_cap, b->nlocations + 1,
	    sizeof(*b->locations));
	b->locations[b->nlocations++] = loc;
	id_put(&b->location_ids, proc, addr, loc->id);
	return loc->id;
}

/* The location of frame i of e in process number proc. */
static uint64_t
location_id(struct builder *b, size_t proc, const struct process *p,
    const struct stack_entry *e, uint32_t i)
{
	const struct frame_symbols *fs = e->symbols != NULL ? &e->symbols[i] : NULL;
	uint64_t id = id_find(&b->location_ids, proc, e->frames[i]);
	const struct module *m;
	pb_location *loc;

	if (id != 0)
		return id;
	m = model_modules_find(&p->modules, e->frames[i]);
	id = new_location(b, proc, e->frames[i]);
	loc = b->locations[id - 1];
	/* the innermost inlined call first, the function they are in last */
	for (uint32_t k = 0; fs != NULL && k < fs->n; k++)
		if (fs->v[k].function != NULL)
			add_line(loc, function_id(b, &fs->v[k]), fs->v[k].line);
	if (m != NULL) {
		loc->mapping_id = b->first_mapping + (uint64_t)(m - p->modules.v);
		if (loc->n_line > 0) {
			pb_mapping *map = b->mappings[loc->mapping_id - 1];

			map->has_functions = map->has_filenames = true;
			map->has_line_numbers = map->has_inline_frames = true;
		}
	}
	return id;
}

/* The stand-in frame of the allocations whose stack is not known. */
static uint64_t
no_stack_location(struct builder *b, size_t proc)
{
	static const struct frame_symbol none = { .function = "[no stack]" };
	uint64_t id = id_find(&b->location_ids, proc, 0);

	if (id == 0) {
		id = new_location(b, proc, 0);
		add_line(b->locations[id - 1], function_id(b, &none), 0);
	}
	return id;
}

static void
add_mappings(struct builder *b, const struct process *p)
{
	b->first_mapping = b->nmappings + 1;
	for (size_t i = 0; i < p->modules.n; i++) {
		const struct module *m = &p->modules.v[i];
		pb_mapping *map = xmalloc(sizeof(*map));
		char hex[2 * sizeof(m->build_id) + 1];

		perftools__profiles__mapping__init(map);
		map->id = b->nmappings + 1;
		map->memory_start = m->start;
		map->memory_limit = m->end;
		/* start is the first loadable segment's, which maps the file's start */
		map->file_offset = 0;
		map->filename = string_index(b, m->path != NULL ? m->path : "");
		for (uint32_t k = 0; k < m->build_id_len && k < sizeof(m->build_id); k++)
			snprintf(hex + 2 * k, 3, "%02x", m->build_id[k]);
		hex[2 * (m->build_id_len < sizeof(m->build_id) ?
		    m->build_id_len : sizeof(m->build_id))] = '\0';
		map->build_id = string_index(b, hex);
		b->mappings = xgrow(b->mappings, &b->mappings_cap, b->nmappings + 1,
		    sizeof(*b->mappings));
		b->mappings[b->nmappings++] = map;
	}
}

static bool
below_main(const struct frame_symbols *fs)
{
	return fs->n > 0 && fs->v[0].function != NULL &&
	    strcmp(fs->v[0].function, "(below main)") == 0;
}

static void
add_sample(struct builder *b, const struct session *s, size_t proc,
    const struct heap_site *site, int64_t pid_key)
{
	const struct process *p = s->procs[proc];
	const struct stack_entry *e = model_stacks_get(&s->stacks, site->stack);
	uint32_t top = e != NULL ? e->nframes : 0;
	pb_sample *sm = xmalloc(sizeof(*sm));

	perftools__profiles__sample__init(sm);
	for (uint32_t i = 0; e != NULL && e->symbols != NULL && i < top; i++)
		if (below_main(&e->symbols[i]))
			top = i;
	if (e == NULL) {
		sm->location_id = xmalloc(sizeof(*sm->location_id));
		sm->location_id[sm->n_location_id++] = no_stack_location(b, proc);
	} else if (top > 0) {
		sm->location_id = xcalloc(top, sizeof(*sm->location_id));
		/* pprof's order is ours: the innermost frame first */
		for (uint32_t i = 0; i < top; i++)
			sm->location_id[sm->n_location_id++] = location_id(b, proc, p, e, i);
	}
	sm->value = xcalloc(NVALUES, sizeof(*sm->value));
	sm->n_value = NVALUES;
	sm->value[0] = (int64_t)site->allocations;
	sm->value[1] = (int64_t)site->bytes_allocated;
	sm->value[2] = (int64_t)site->live_blocks;
	sm->value[3] = (int64_t)site->live_bytes;
	if (pid_key != 0) {
		pb_label *l = xmalloc(sizeof(*l));

		perftools__profiles__label__init(l);
		l->key = pid_key;
		l->num = p->pid;
		sm->label = xmalloc(sizeof(*sm->label));
		sm->label[sm->n_label++] = l;
	}
	b->samples = xgrow(b->samples, &b->samples_cap, b->nsamples + 1,
	    sizeof(*b->samples));
	b->samples[b->nsamples++] = sm;
}

static void
builder_free(struct builder *b)
{
	for (size_t i = 0; i < b->nsamples; i++) {
		pb_sample *sm = b->samples[i];

		free(sm->location_id);
		free(sm->value);
		for (size_t k = 0; k < sm->n_label; k++)
			free(sm->label[k]);
		free(sm->label);
		free(sm);
	}
	for (size_t i = 0; i < b->nlocations; i++) {
		for (size_t k = 0; k < b->locations[i]->n_line; k++)
			free(b->locations[i]->line[k]);
		free(b->locations[i]->line);
		free(b->locations[i]);
	}
	for (size_t i = 0; i < b->nmappings; i++)
		free(b->mappings[i]);
	for (size_t i = 0; i < b->nfunctions; i++)
		free(b->functions[i]);
	for (size_t i = 0; i < b->nstrings; i++)
		free(b->strings[i]);
	free(b->samples);
	free(b->locations);
	free(b->mappings);
	free(b->functions);
	free(b->strings);
	free(b->string_slots);
	free(b->location_ids.v);
	free(b->function_ids.v);
}

static bool MS_PRINTF(3, 4)
failed(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return false;
}

/* buf, len gzip-compressed to f. */
static bool
write_gzip(FILE *f, const uint8_t *buf, size_t len, char *why, size_t whylen)
{
	unsigned char out[64 * 1024];
	z_stream z = { 0 };
	int rc;

	/* 16 + 15: a gzip header, without a name or a time (the same bytes
	 * from the same profile) */
	if ((rc = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
	    Z_DEFAULT_STRATEGY)) != Z_OK)
		return failed(why, whylen, "zlib: %s", zError(rc));
	z.next_in = (Bytef *)(uintptr_t)buf;
	do {
		size_t chunk = len - (size_t)(z.next_in - buf);

		/* avail_in is 32 bits: a large buffer goes in a piece at a time */
		z.avail_in = chunk > 1u << 30 ? 1u << 30 : (uInt)chunk;
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = deflate(&z, z.avail_in == chunk ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR) {
			deflateEnd(&z);
			return failed(why, whylen, "zlib: %s", zError(rc));
		}
		if (fwrite(out, 1, sizeof(out) - z.avail_out, f) !=
		    sizeof(out) - z.avail_out) {
			deflateEnd(&z);
			return failed(why, whylen, "write error");
		}
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return true;
}

bool
view_pprof(FILE *f, const struct session *s, char *why, size_t whylen)
{
	struct builder b = { 0 };
	pb_profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	pb_value_type types[NVALUES], period = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	pb_value_type *type_ptrs[NVALUES];
	int64_t pid_key = 0;
	uint8_t *packed;
	size_t len;
	bool ok;

	string_index(&b, "");
	for (size_t i = 0; i < NVALUES; i++) {
		perftools__profiles__value_type__init(&types[i]);
		types[i].type = string_index(&b, sample_types[i][0]);
		types[i].unit = string_index(&b, sample_types[i][1]);
		type_ptrs[i] = &types[i];
	}
	/* every allocation is counted: a period of one byte, no sampling */
	period.type = string_index(&b, "space");
	period.unit = string_index(&b, "bytes");
	if (s->nprocs > 1)
		pid_key = string_index(&b, "pid");

	for (size_t k = 0; k < s->nprocs; k++) {
		const struct process *p = s->procs[k];
		struct heap_site *sites;
		size_t n = model_heap_top_sites(&p->heap, model_heap_site_by_allocated,
		    0, &sites);

		add_mappings(&b, p);
		for (size_t i = 0; i < n; i++)
			add_sample(&b, s, k, &sites[i], pid_key);
		free(sites);
	}

	prof.n_sample_type = NVALUES;
	prof.sample_type = type_ptrs;
	prof.default_sample_type = types[DEFAULT_TYPE].type;
	prof.period_type = &period;
	prof.period = 1;
	prof.n_sample = b.nsamples;
	prof.sample = b.samples;
	prof.n_mapping = b.nmappings;
	prof.mapping = b.mappings;
	prof.n_location = b.nlocations;
	prof.location = b.locations;
	prof.n_function = b.nfunctions;
	prof.function = b.functions;
	prof.n_string_table = b.nstrings;
	prof.string_table = b.strings;

	len = perftools__profiles__profile__get_packed_size(&prof);
	packed = xmalloc(len > 0 ? len : 1);
	perftools__profiles__profile__pack(&prof, packed);
	builder_free(&b);
	ok = write_gzip(f, packed, len, why, whylen);
	free(packed);
	return ok;
}

#include "config.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>

#include "model-leaks.h"
#include "strtab.h"
#include "symbolize.h"
#include "xmalloc.h"

/* libstdc++'s demangler (the analyzer links libstdc++ for it). */
extern char *__cxa_demangle(const char *mangled, char *out, size_t *len,
    int *status);

#define MAX_INLINE	32	/* frames of inlined calls kept per address */

/* A module file, with its own Dwfl: addresses in it are file offsets. */
struct sym_module {
	const char	*path;		/* interned */
	Dwfl		*dwfl;
	Dwfl_Module	*mod;
};

struct sym_cached {
	const char	*path;		/* interned; NULL: empty slot */
	uint64_t	 offset;
	uint32_t	 n;
	struct frame_symbol *v;
};

struct symbolizer {
	struct strtab	 strings;
	struct sym_module *mods;
	size_t		 nmods;
	size_t		 mods_cap;
	struct sym_cached *cache;
	size_t		 ncache_slots;
	size_t		 ncached;
};

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct symbolizer *
symbolizer_new(void)
{
	struct symbolizer *s = xcalloc(1, sizeof(*s));

	s->ncache_slots = 1024;
	s->cache = xcalloc(s->ncache_slots, sizeof(*s->cache));
	return s;
}

void
symbolizer_free(struct symbolizer *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].dwfl != NULL)
			dwfl_end(s->mods[i].dwfl);
	for (size_t i = 0; i < s->ncache_slots; i++)
		free(s->cache[i].v);
	free(s->cache);
	free(s->mods);
	strtab_free(&s->strings);
	free(s);
}

/*
 * The module of path, reported alone at address 0, so that an address in
 * it is the offset from its load bias (an ET_EXEC sits at its own
 * addresses, and its bias is 0).
 */
static struct sym_module *
module_for(struct symbolizer *s, const char *path)
{
	const char *key = strtab_intern(&s->strings, path);
	struct sym_module *m;

	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].path == key)
			return &s->mods[i];
	s->mods = xgrow(s->mods, &s->mods_cap, s->nmods + 1, sizeof(*s->mods));
	m = &s->mods[s->nmods++];
	memset(m, 0, sizeof(*m));
	m->path = key;
	if (path[0] != '/' || (m->dwfl = dwfl_begin(&callbacks)) == NULL)
		return m;
	dwfl_report_begin(m->dwfl);
	m->mod = dwfl_report_elf(m->dwfl, path, path, -1, 0, false);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (m->mod == NULL) {
		dwfl_end(m->dwfl);
		m->dwfl = NULL;
	}
	return m;
}

/*
 * A function's name as a reader wants it: without the symbol version an
 * ELF symbol may carry ("__libc_start_main@@GLIBC_2.34"), C++ demangled.
 */
static const char *
function_name(struct symbolizer *s, const char *name)
{
	char *plain, *at, *d;
	int status;
	const char *r;

	if (name == NULL)
		return NULL;
	plain = xstrdup(name);
	if ((at = strchr(plain, '@')) != NULL && at != plain)
		*at = '\0';
	if (strncmp(plain, "_Z", 2) == 0 &&
	    (d = __cxa_demangle(plain, NULL, NULL, &status)) != NULL) {
		r = strtab_intern(&s->strings, d);
		free(d);
	} else
		r = strtab_intern(&s->strings, plain);
	free(plain);
	return r;
}

/* The name as the linker knows it, when it differs from function_name's. */
static const char *
linkage_name(struct symbolizer *s, const char *name)
{
	const char *at;
	char *plain;
	const char *r;

	if (name == NULL || strncmp(name, "_Z", 2) != 0)
		return NULL;
	at = strchr(name, '@');
	plain = at != NULL ? xstrndup(name, (size_t)(at - name)) : xstrdup(name);
	r = strtab_intern(&s->strings, plain);
	free(plain);
	return r;
}

/* The name of a subprogram or inlined subroutine DIE, as mangled as it gets. */
static const char *
die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	if ((dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) != NULL ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr) != NULL) &&
	    (name = dwarf_formstring(&attr)) != NULL)
		return name;
	return dwarf_diename(die);
}

/* The file of DW_AT_call_file of an inlined call, from its CU's table. */
static const char *
call_file(Dwarf_Die *cu, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx;
	Dwarf_Files *files;
	size_t nfiles;

	if (dwarf_attr(die, DW_AT_call_file, &attr) == NULL ||
	    dwarf_formudata(&attr, &idx) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static uint32_t
call_line(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word line;

	if (dwarf_attr(die, DW_AT_call_line, &attr) == NULL ||
	    dwarf_formudata(&attr, &line) != 0)
		return 0;
	return (uint32_t)line;
}

static bool
in_function(Dwarf_Die *scopes, int n)
{
	for (int i = 0; i < n; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram ||
		    dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
			return true;
	return false;
}

/* Resolve pc (a call site: the return address minus one) in m. */
static uint32_t
resolve(struct symbolizer *s, struct sym_module *m, Dwarf_Addr pc,
    struct frame_symbol *out)
{
	const char *file = NULL, *symname;
	Dwarf_Die *cu, *scopes = NULL;
	Dwarf_Addr bias;
	Dwfl_Line *line;
	GElf_Sym sym;
	GElf_Off off;
	int lineno = 0, nscopes;
	uint32_t n = 0;

	if (m->mod == NULL)
		return 0;
	symname = dwfl_module_addrinfo(m->mod, pc, &off, &sym, NULL, NULL, NULL);
	/* line records only where a compile unit covers pc (not crt1's _start) */
	cu = dwfl_module_addrdie(m->mod, pc, &bias);
	nscopes = cu != NULL ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
	/*
	 * A unit's address ranges may span code that is not its own (crt1's
	 * _start between main and the rest): a line only inside a function.
	 */
	if (nscopes > 0 && !in_function(scopes, nscopes)) {
		free(scopes);
		scopes = NULL;
		nscopes = 0;
	}
	if (nscopes > 0 && (line = dwfl_module_getsrc(m->mod, pc)) != NULL)
		file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (nscopes > 0) {
		/*
		 * Past an inlined call, dwarf_getscopes follows the inlined
		 * function's own (abstract) scopes: the chain of the calls that
		 * were inlined, up to the function they are in, comes from the
		 * innermost inlined DIE itself.
		 */
		for (int i = 0; i < nscopes; i++) {
			Dwarf_Die inl;

			if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
				break;
			if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
				continue;
			inl = scopes[i];
			free(scopes);
			scopes = NULL;
			nscopes = dwarf_getscopes_die(&inl, &scopes);
			break;
		}
		for (int i = 0; i < nscopes && n < MAX_INLINE; i++) {
			int tag = dwarf_tag(&scopes[i]);
			const char *name;

			if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
				continue;
			out[n].inlined = tag == DW_TAG_inlined_subroutine;
			name = tag == DW_TAG_subprogram && symname != NULL ?
			    symname : die_name(&scopes[i]);
			out[n].function = function_name(s, name);
			out[n].linkage = linkage_name(s, name);
			out[n].file = file != NULL ? strtab_intern(&s->strings, file) : NULL;
			out[n].line = (uint32_t)(lineno > 0 ? lineno : 0);
			n++;
			if (tag == DW_TAG_subprogram)
				break;
			/* the call that was inlined is where the next frame is */
			file = call_file(cu, &scopes[i]);
			lineno = (int)call_line(&scopes[i]);
		}
		free(scopes);
	}
	if (n == 0 && (symname != NULL || file != NULL)) {
		out[0].function = function_name(s, symname);
		out[0].linkage = linkage_name(s, symname);
		out[0].file = file != NULL ? strtab_intern(&s->strings, file) : NULL;
		out[0].line = (uint32_t)(lineno > 0 ? lineno : 0);
		out[0].inlined = false;
		n = 1;
	}
	return n;
}

static size_t
cache_slot(const struct symbolizer *s, const char *path, uint64_t offset)
{
	size_t i = (size_t)((((uintptr_t)path >> 4) ^ offset) *
	    0x9e3779b97f4a7c15ULL >> 20) & (s->ncache_slots - 1);

	while (s->cache[i].path != NULL &&
	    (s->cache[i].path != path || s->cache[i].offset != offset))
		i = (i + 1) & (s->ncache_slots - 1);
	return i;
}

static void
cache_grow(struct symbolizer *s)
{
	struct symbolizer bigger = { .ncache_slots = 2 * s->ncache_slots };

	bigger.cache = xcalloc(bigger.ncache_slots, sizeof(*bigger.cache));
	for (size_t i = 0; i < s->ncache_slots; i++)
		if (s->cache[i].path != NULL)
			bigger.cache[cache_slot(&bigger, s->cache[i].path,
			    s->cache[i].offset)] = s->cache[i];
	free(s->cache);
	s->cache = bigger.cache;
	s->ncache_slots = bigger.ncache_slots;
}

uint32_t
symbolizer_lookup(struct symbolizer *s, const char *path, uint64_t offset,
    const struct frame_symbol **v)
{
	struct frame_symbol frames[MAX_INLINE];
	struct sym_module *m = module_for(s, path);
	struct sym_cached *c;
	size_t i;

	if (2 * (s->ncached + 1) > s->ncache_slots)
		cache_grow(s);
	i = cache_slot(s, m->path, offset);
	c = &s->cache[i];
	if (c->path == NULL) {
		c->path = m->path;
		c->offset = offset;
		/* a return address: the call is the instruction before it */
		c->n = resolve(s, m, offset > 0 ? offset - 1 : 0, frames);
		c->v = xcalloc(c->n ? c->n : 1, sizeof(*c->v));
		memcpy(c->v, frames, c->n * sizeof(*frames));
		s->ncached++;
	}
	*v = c->v;
	return c->n;
}

static void
symbolize_stack(struct symbolizer *s, struct session *session,
    const struct process *p, uint64_t id)
{
	const struct stack_entry *e = model_stacks_get(&session->stacks, id);

	if (e == NULL || e->symbols != NULL)
		return;
	for (uint32_t i = 0; i < e->nframes; i++) {
		const struct module *mod = model_modules_find(&p->modules,
		    e->frames[i]);
		const struct frame_symbol *v = NULL;
		uint32_t n = 0;

		if (mod != NULL)
			n = symbolizer_lookup(s, mod->path, e->frames[i] - mod->base, &v);
		model_stacks_set_symbols(&session->stacks, id, i, v, n);
	}
}

void
symbolize_session_sites(struct symbolizer *s, struct session *session,
    size_t top)
{
	for (size_t k = 0; k < session->nprocs; k++) {
		const struct process *p = session->procs[k];
		int (*orders[2])(const void *, const void *) = {
			model_heap_site_by_live, model_heap_site_by_allocated };

		for (int o = 0; o < 2; o++) {
			struct heap_site *sites;
			size_t n = model_heap_top_sites(&p->heap, orders[o], top, &sites);

			for (size_t i = 0; i < n; i++)
				symbolize_stack(s, session, p, sites[i].stack);
			free(sites);
		}
	}
}

void
symbolize_session_leaks(struct symbolizer *s, struct session *session)
{
	for (size_t k = 0; k < session->nprocs; k++) {
		const struct process *p = session->procs[k];

		for (size_t i = 0; p->leaks != NULL && i < p->leaks->nrecords; i++)
			symbolize_stack(s, session, p, p->leaks->records[i].stack);
	}
}

void
symbolize_sites(struct session *session, size_t top)
{
	struct symbolizer *s = symbolizer_new();

	symbolize_session_sites(s, session, top);
	symbolize_session_leaks(s, session);
	symbolizer_free(s);
}

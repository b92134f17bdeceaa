/* SPDX-License-Identifier: ISC */
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

/* The address range of a function's code, and its DIE. */
struct fn_range {
	Dwarf_Addr	 lo;
	Dwarf_Addr	 hi;
	Dwarf_Off	 die;
};

/* An ELF function symbol. */
struct sym_entry {
	GElf_Addr	 addr;
	GElf_Xword	 size;
	const char	*name;		/* the Dwfl's: valid while it lives */
	int		 rank;		/* at one address: global before weak, local */
};

/* A module file, with its own Dwfl: addresses in it are file offsets. */
struct sym_module {
	const char	*path;		/* interned */
	Dwfl		*dwfl;
	Dwfl_Module	*mod;
	/*
	 * Every function with code, sorted, made at the first lookup: libdw
	 * finds the scopes of an address by walking its whole compile unit,
	 * which costs a unit of 100,000 functions that much per frame.
	 */
	bool		 indexed;
	Dwarf		*dwarf;
	Dwarf_Addr	 bias;
	struct fn_range	*fns;
	size_t		 nfns;
	size_t		 fns_cap;
	/* its symbols sorted (dwfl_module_addrinfo reads them all each time) */
	bool		 syms_sorted;
	struct sym_entry *syms;
	size_t		 nsyms;
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
	size_t		 last_module;	/* module_for's last answer */
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
	for (size_t i = 0; i < s->nmods; i++) {
		if (s->mods[i].dwfl != NULL)
			dwfl_end(s->mods[i].dwfl);
		free(s->mods[i].fns);
		free(s->mods[i].syms);
	}
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
	const char *key;
	struct sym_module *m;

	/* callers ask for the same module many times over: no hashing then */
	if (s->nmods > 0 && strcmp(path, s->mods[s->last_module].path) == 0)
		return &s->mods[s->last_module];
	key = strtab_intern(&s->strings, path);
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].path == key) {
			s->last_module = i;
			return &s->mods[i];
		}
	s->mods = xgrow(s->mods, &s->mods_cap, s->nmods + 1, sizeof(*s->mods));
	s->last_module = s->nmods;
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

static void
index_function(struct sym_module *m, Dwarf_Die *die)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (lo >= hi)
			continue;
		m->fns = xgrow(m->fns, &m->fns_cap, m->nfns + 1, sizeof(*m->fns));
		m->fns[m->nfns++] = (struct fn_range){ lo, hi, dwarf_dieoffset(die) };
	}
}

/* The functions among the children of die (through namespaces and classes). */
static void
index_children(struct sym_module *m, Dwarf_Die *die, int depth)
{
	Dwarf_Die child;

	if (depth > 16 || dwarf_child(die, &child) != 0)
		return;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			index_function(m, &child);
			break;
		case DW_TAG_namespace:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_module:
			index_children(m, &child, depth + 1);
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int
fn_range_cmp(const void *a, const void *b)
{
	const struct fn_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void
index_module(struct sym_module *m)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	uint8_t unit_type;

	m->indexed = true;
	if (m->mod == NULL || (m->dwarf = dwfl_module_getdwarf(m->mod, &m->bias)) == NULL)
		return;
	while (dwarf_get_units(m->dwarf, cu, &cu, NULL, &unit_type, &cudie,
	    NULL) == 0)
		if (unit_type == DW_UT_compile || unit_type == DW_UT_partial)
			index_children(m, &cudie, 0);
	if (m->nfns > 1)
		qsort(m->fns, m->nfns, sizeof(*m->fns), fn_range_cmp);
}

/*
 * The scopes of pc, innermost first: the calls inlined there, then the
 * function they are in. Returns their number (0: no function with DWARF
 * there), *scopes a new array.
 */
static int
find_scopes(struct sym_module *m, Dwarf_Addr pc, Dwarf_Die **scopes)
{
	size_t lo = 0, hi, n = 0, cap = 0;
	Dwarf_Die fn, *v = NULL;

	if (!m->indexed)
		index_module(m);
	pc -= m->bias;
	hi = m->nfns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->fns[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || pc >= m->fns[lo - 1].hi ||
	    dwarf_offdie(m->dwarf, m->fns[lo - 1].die, &fn) == NULL)
		return 0;
	/* down the function's tree: each inlined call holding pc, outermost first */
	v = xgrow(v, &cap, 1, sizeof(*v));
	v[n++] = fn;
	for (Dwarf_Die cur = fn, child;;) {
		bool deeper = false;

		if (dwarf_child(&cur, &child) != 0)
			break;
		do {
			int tag = dwarf_tag(&child);

			if ((tag == DW_TAG_inlined_subroutine ||
			    tag == DW_TAG_lexical_block || tag == DW_TAG_try_block ||
			    tag == DW_TAG_catch_block) && dwarf_haspc(&child, pc) == 1) {
				if (tag == DW_TAG_inlined_subroutine) {
					v = xgrow(v, &cap, n + 1, sizeof(*v));
					v[n++] = child;
				}
				cur = child;
				deeper = true;
				break;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!deeper || n >= MAX_INLINE)
			break;
	}
	/* innermost first */
	for (size_t i = 0; i < n / 2; i++) {
		Dwarf_Die t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	*scopes = v;
	return (int)n;
}

static int
sym_cmp(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->rank - y->rank;
}

static void
sort_symbols(struct sym_module *m)
{
	int n = m->mod != NULL ? dwfl_module_getsymtab(m->mod) : -1;
	size_t cap = 0;

	m->syms_sorted = true;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr,
		    NULL, NULL, NULL);
		int bind = GELF_ST_BIND(sym.st_info);

		if (name == NULL || name[0] == '\0' || sym.st_shndx == SHN_UNDEF ||
		    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC))
			continue;
		m->syms = xgrow(m->syms, &cap, m->nsyms + 1, sizeof(*m->syms));
		m->syms[m->nsyms++] = (struct sym_entry){ addr, sym.st_size, name,
		    bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2 };
	}
	if (m->nsyms > 1)
		qsort(m->syms, m->nsyms, sizeof(*m->syms), sym_cmp);
}

/* The function symbol holding pc, or NULL. */
static const char *
symbol_at(struct sym_module *m, GElf_Addr pc)
{
	size_t lo = 0, hi;
	const struct sym_entry *e;

	if (!m->syms_sorted)
		sort_symbols(m);
	hi = m->nsyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->syms[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	/* the best ranked of the symbols at that address */
	e = &m->syms[lo - 1];
	while (e > m->syms && e[-1].addr == e->addr)
		e--;
	if (e->size != 0 && pc >= e->addr + e->size)
		return NULL;
	return e->name;
}

/* Resolve pc (a call site: the return address minus one) in m. */
static uint32_t
resolve(struct symbolizer *s, struct sym_module *m, Dwarf_Addr pc,
    struct frame_symbol *out)
{
	const char *file = NULL, *symname;
	Dwarf_Die cudie, *scopes = NULL;
	Dwfl_Line *line;
	int lineno = 0, nscopes;
	uint32_t n = 0;

	if (m->mod == NULL)
		return 0;
	symname = symbol_at(m, pc);
	/*
	 * A line only inside a function: a compile unit's ranges may span
	 * code that is not its own (crt1's _start between main and the rest).
	 */
	nscopes = find_scopes(m, pc, &scopes);
	if (nscopes > 0 && (line = dwfl_module_getsrc(m->mod, pc)) != NULL)
		file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (nscopes > 0) {
		dwarf_diecu(&scopes[0], &cudie, NULL, NULL);
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
			file = call_file(&cudie, &scopes[i]);
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

void
symbolize_stack(struct symbolizer *s, struct session *session,
    const struct process *p, uint64_t id)
{
	const struct stack_entry *e = model_stacks_get(&session->stacks, id);

	/*
	 * The frames that call main are the C library's start-up, the same
	 * in every stack: named "(below main)" as memcheck does, they cost
	 * no lookup (which would read the C library's debug information).
	 */
	static const struct frame_symbol below_main = { .function = "(below main)" };
	bool below = false;

	if (e == NULL || e->symbols != NULL)
		return;
	for (uint32_t i = 0; i < e->nframes; i++) {
		const struct module *mod = model_modules_find(&p->modules,
		    e->frames[i]);
		const struct frame_symbol *v = NULL;
		uint32_t n = 0;

		if (below) {
			model_stacks_set_symbols(&session->stacks, id, i, &below_main, 1);
			continue;
		}
		if (mod != NULL)
			n = symbolizer_lookup(s, mod->path, e->frames[i] - mod->base, &v);
		model_stacks_set_symbols(&session->stacks, id, i, v, n);
		for (uint32_t k = 0; k < n; k++)
			below |= v[k].function != NULL && strcmp(v[k].function, "main") == 0;
	}
}

void
symbolize_session_sites(struct symbolizer *s, struct session *session,
    size_t top, int sort)
{
	for (size_t k = 0; k < session->nprocs; k++) {
		const struct process *p = session->procs[k];
		int (*orders[3])(const void *, const void *) = {
			model_heap_site_by_live, model_heap_site_by_allocated,
			model_heap_site_order(sort < 0 ? SITES_BY_LIVE :
			    (enum heap_site_order)sort) };

		for (int o = 0; o < 3; o++) {
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

static void
release(void *s)
{
	symbolizer_free(s);
}

struct symbolizer *
symbolize_session_symbolizer(struct session *session)
{
	struct stack_table *t = &session->stacks;

	/* the session keeps the symbolizer: its stacks point into its cache */
	if (t->symbols_owner == NULL) {
		t->symbols_owner = symbolizer_new();
		t->symbols_release = release;
	}
	return t->symbols_owner;
}

void
symbolize_sites(struct session *session, size_t top, int sort)
{
	struct symbolizer *s = symbolize_session_symbolizer(session);

	symbolize_session_sites(s, session, top, sort);
	symbolize_session_leaks(s, session);
}

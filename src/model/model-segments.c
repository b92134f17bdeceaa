/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion.h"
#include "buf.h"
#include "model-segments.h"
#include "xmalloc.h"

#define PAGE_SIZE_DEFAULT 4096

/*
 * glibc's non-main arenas are HEAP_MAX_SIZE-aligned reservations of
 * HEAP_MAX_SIZE bytes (2 * DEFAULT_MMAP_THRESHOLD_MAX = 64 MiB on 64-bit):
 * a read-write head, the rest PROT_NONE until the arena grows.
 */
#define GLIBC_HEAP_MAX_SIZE (64ULL << 20)

static const char *const kind_names[SEG_NKINDS] = {
	[SEG_TEXT] = "text",
	[SEG_RODATA] = "rodata",
	[SEG_DATA] = "data",
	[SEG_BSS] = "bss",
	[SEG_HEAP] = "heap",
	[SEG_STACK] = "stack",
	[SEG_THREAD_STACK] = "thread-stack",
	[SEG_GUARD] = "guard",
	[SEG_ARGS_ENV] = "args-env",
	[SEG_VDSO] = "vdso",
	[SEG_ANON] = "anon",
	[SEG_FILE] = "file",
	[SEG_SHM] = "shm",
};

const char *
seg_kind_name(enum seg_kind kind)
{
	return (unsigned)kind < SEG_NKINDS ? kind_names[kind] : "?";
}

int
seg_kind_from_name(const char *name)
{
	for (int k = 0; k < SEG_NKINDS; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

/*
 * A claim says "these addresses are KIND of OBJECT". Claims of higher
 * priority win where they overlap; what no claim covers takes the
 * mapping's own kind.
 */
enum claim_prio {
	PRIO_LOAD_PAGES = 1,	/* the pages a PT_LOAD spans */
	PRIO_LOAD = 2,		/* the PT_LOAD's file bytes, or its bss */
	PRIO_SECTION = 3,	/* a section header */
	PRIO_ARGS = 4,		/* args/env strings at the top of the stack */
};

struct claim {
	uint64_t	 start;
	uint64_t	 end;
	int		 prio;
	enum seg_kind	 kind;
	const char	*object;	/* the ELF object, or NULL: the mapping's */
	const char	*name;		/* section name, or NULL */
};

/* An ELF object mapped at one load bias. */
struct instance {
	const struct elf_object *elf;
	const char	*path;
	uint64_t	 bias;
	uint64_t	 lo;
	uint64_t	 hi;
};

/* What each mapping is before it is cut into ranges. */
struct mapping_class {
	enum seg_kind	 kind;
	const char	*object;
	int		 tid;
	long		 instance;	/* index into instances, or -1 */
};

struct build {
	const struct seg_input *in;
	struct layout	*out;
	uint64_t	 page;
	struct mapping_class *cls;
	struct instance *instances;
	size_t		 ninstances;
	size_t		 instances_cap;
	size_t		 segs_cap;
	/* dev/inode keys of files that have an executable mapping */
	uint64_t	*exec_files;
	size_t		 nexec_files;
};

static uint64_t
page_down(const struct build *b, uint64_t a)
{
	return a & ~(b->page - 1);
}

static uint64_t
page_up(const struct build *b, uint64_t a)
{
	return (a + b->page - 1) & ~(b->page - 1);
}

static bool
is_anonymous(const struct proc_mapping *m)
{
	return m->path == NULL && m->inode == 0;
}

static bool
is_inaccessible(const struct proc_mapping *m)
{
	return m->perms[0] == '-' && m->perms[1] == '-' && m->perms[2] == '-';
}

static enum seg_kind
kind_of_perms(const char *perms)
{
	if (perms[2] == 'x')
		return SEG_TEXT;
	if (perms[1] == 'w')
		return SEG_DATA;
	return SEG_RODATA;
}

static enum seg_kind
kind_of_load(const struct elf_load *l)
{
	if (l->flags & PF_X)
		return SEG_TEXT;
	if (l->flags & PF_W)
		return SEG_DATA;
	return SEG_RODATA;
}

static enum seg_kind
kind_of_section(const struct elf_section *s)
{
	if (s->flags & SHF_EXECINSTR)
		return SEG_TEXT;
	if (s->type == SHT_NOBITS)
		return SEG_BSS;
	if (s->flags & SHF_WRITE)
		return SEG_DATA;
	return SEG_RODATA;
}

static uint64_t
file_key(const struct proc_mapping *m)
{
	return ((uint64_t)m->dev_major << 52) ^ ((uint64_t)m->dev_minor << 32) ^
	    m->inode;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
has_exec_mapping(const struct build *b, const struct proc_mapping *m)
{
	uint64_t key = file_key(m);

	return b->nexec_files > 0 && bsearch(&key, b->exec_files,
	    b->nexec_files, sizeof(key), u64_cmp) != NULL;
}

static bool
is_shm_path(const char *path)
{
	return strncmp(path, "/dev/shm/", 9) == 0 ||
	    strncmp(path, "/SYSV", 5) == 0 ||
	    strncmp(path, "/memfd:", 7) == 0 ||
	    strcmp(path, "/dev/zero") == 0 ||	/* MAP_SHARED|MAP_ANONYMOUS */
	    strncmp(path, "[anon_shmem:", 12) == 0;
}

/* The kind and object of a mapping from its own line alone. */
static void
classify_mapping(struct build *b, size_t i)
{
	const struct proc_mapping *m = &b->in->maps[i];
	struct mapping_class *c = &b->cls[i];
	struct strtab *st = &b->out->strings;
	const char *path = m->path;

	c->tid = 0;
	c->instance = -1;
	if (path == NULL) {
		c->kind = is_inaccessible(m) ? SEG_GUARD : SEG_ANON;
		c->object = strtab_intern(st, "[anon]");
		return;
	}
	if (m->deleted) {
		char *label;

		xasprintf(&label, "%s (deleted)", path);
		c->object = strtab_intern(st, label);
		free(label);
	} else
		c->object = strtab_intern(st, path);
	if (is_shm_path(path))
		c->kind = SEG_SHM;
	else if (strcmp(path, "[heap]") == 0)
		c->kind = SEG_HEAP;
	else if (strcmp(path, "[stack]") == 0)
		c->kind = SEG_STACK;
	else if (strcmp(path, "[vdso]") == 0 || strcmp(path, "[vsyscall]") == 0 ||
	    strncmp(path, "[vvar", 5) == 0)
		c->kind = SEG_VDSO;
	else if (path[0] == '[')
		c->kind = SEG_ANON;		/* [anon:name], [uprobes], ... */
	else if (b->in->elf[i] != NULL || has_exec_mapping(b, m))
		c->kind = kind_of_perms(m->perms);
	else
		c->kind = SEG_FILE;
	if (is_inaccessible(m))
		c->kind = SEG_GUARD;
}

/* The PT_LOAD that maps file offset off, or NULL. */
static const struct elf_load *
load_at_offset(const struct build *b, const struct elf_object *elf, uint64_t off)
{
	for (size_t k = 0; k < elf->nloads; k++) {
		const struct elf_load *l = &elf->loads[k];

		if (off >= page_down(b, l->offset) &&
		    off < page_up(b, l->offset + l->filesz))
			return l;
	}
	return NULL;
}

/*
 * The instance (object + load bias) a file mapping of an ELF object belongs
 * to. Two mappings of one file page can belong to different PT_LOADs (the
 * last rodata page and the first relro page share a file offset), so a
 * mapping joins the instance whose span holds it before a bias is derived
 * from its offset.
 */
static long
find_instance(struct build *b, size_t i)
{
	const struct proc_mapping *m = &b->in->maps[i];
	const struct elf_object *elf = b->in->elf[i];
	const struct elf_load *l;
	struct instance *inst;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t k = b->ninstances; k-- > 0;) {
		inst = &b->instances[k];
		if (inst->elf == elf && m->start >= inst->lo && m->start < inst->hi)
			return (long)k;
	}
	if ((l = load_at_offset(b, elf, m->offset)) == NULL)
		return -1;
	b->instances = xgrow(b->instances, &b->instances_cap,
	    b->ninstances + 1, sizeof(*b->instances));
	inst = &b->instances[b->ninstances];
	inst->elf = elf;
	inst->path = b->cls[i].object;
	inst->bias = m->start - page_down(b, l->vaddr) -
	    (m->offset - page_down(b, l->offset));
	for (size_t k = 0; k < elf->nloads; k++) {
		const struct elf_load *x = &elf->loads[k];

		if (page_down(b, x->vaddr) < lo)
			lo = page_down(b, x->vaddr);
		if (page_up(b, x->vaddr + x->memsz) > hi)
			hi = page_up(b, x->vaddr + x->memsz);
	}
	inst->lo = inst->bias + lo;
	inst->hi = inst->bias + hi;
	return (long)b->ninstances++;
}

static void
assign_instances(struct build *b)
{
	const struct seg_input *in = b->in;

	for (size_t i = 0; i < in->nmaps; i++) {
		const struct proc_mapping *m = &in->maps[i];
		long prev;

		if (in->elf[i] != NULL && !is_inaccessible(m)) {
			b->cls[i].instance = find_instance(b, i);
			continue;
		}
		/*
		 * The bss beyond an object's last file page is an anonymous
		 * mapping right after it, or part of [heap] when brk starts
		 * there (no randomisation).
		 */
		if (i == 0 || is_inaccessible(m))
			continue;
		if (!is_anonymous(m) && !(m->path != NULL && strcmp(m->path, "[heap]") == 0))
			continue;
		prev = b->cls[i - 1].instance;
		if (prev >= 0 && in->maps[i - 1].end == m->start &&
		    b->instances[prev].hi > m->start)
			b->cls[i].instance = prev;
	}
}

/*
 * When an object's file could not be read (another mount namespace, a
 * deleted library without CAP_SYS_ADMIN), its bss is still recognisable: the
 * anonymous read-write mapping right after its last read-write file page.
 */
static void
assign_unread_bss(struct build *b)
{
	const struct seg_input *in = b->in;

	for (size_t i = 1; i < in->nmaps; i++) {
		const struct proc_mapping *m = &in->maps[i], *prev = &in->maps[i - 1];

		if (!is_anonymous(m) || b->cls[i].kind != SEG_ANON ||
		    b->cls[i].instance >= 0 || prev->end != m->start ||
		    in->elf[i - 1] != NULL || prev->inode == 0 ||
		    prev->perms[1] != 'w' || b->cls[i - 1].kind != SEG_DATA)
			continue;
		b->cls[i].kind = SEG_BSS;
		b->cls[i].object = b->cls[i - 1].object;
	}
}

/* Index of the mapping holding addr, or -1. */
static long
mapping_at(const struct seg_input *in, uint64_t addr)
{
	size_t lo = 0, hi = in->nmaps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr < in->maps[mid].start)
			hi = mid;
		else if (addr >= in->maps[mid].end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

/*
 * A thread's stack is the mapping its stack pointer is in; glibc puts an
 * inaccessible guard right below it.
 */
static void
assign_threads(struct build *b)
{
	const struct seg_input *in = b->in;
	struct strtab *st = &b->out->strings;

	for (size_t t = 0; t < in->nthreads; t++) {
		struct seg_thread *th = &in->threads[t];
		long i;
		char label[32];

		th->stack_start = th->stack_end = th->guard_size = 0;
		if (th->sp_known)
			i = mapping_at(in, th->sp);
		else if (th->tcb_known)
			i = mapping_at(in, th->tcb);
		else
			continue;
		if (i < 0)
			continue;
		th->stack_start = in->maps[i].start;
		th->stack_end = in->maps[i].end;
		if (b->cls[i].kind == SEG_STACK) {
			b->cls[i].tid = th->tid;
			continue;
		}
		if (!is_anonymous(&in->maps[i]) || b->cls[i].kind != SEG_ANON)
			continue;	/* a stack in the heap, in bss, ... */
		snprintf(label, sizeof(label), "[stack:%d]", th->tid);
		b->cls[i].kind = SEG_THREAD_STACK;
		b->cls[i].object = strtab_intern(st, label);
		b->cls[i].tid = th->tid;
		if (i > 0 && in->maps[i - 1].end == in->maps[i].start &&
		    is_anonymous(&in->maps[i - 1]) &&
		    is_inaccessible(&in->maps[i - 1])) {
			b->cls[i - 1].object = b->cls[i].object;
			b->cls[i - 1].tid = th->tid;
			th->guard_size = in->maps[i - 1].end - in->maps[i - 1].start;
		}
	}
}

/* Recognise glibc arenas by their shape (see GLIBC_HEAP_MAX_SIZE). */
static void
assign_arenas(struct build *b)
{
	const struct seg_input *in = b->in;
	const char *label = NULL;

	for (size_t i = 0; i < in->nmaps; i++) {
		const struct proc_mapping *m = &in->maps[i];
		uint64_t end = m->end;
		bool reserve = false;

		if (!is_anonymous(m) || b->cls[i].kind != SEG_ANON ||
		    m->perms[0] != 'r' || m->perms[1] != 'w' ||
		    m->start % GLIBC_HEAP_MAX_SIZE != 0)
			continue;
		if (i + 1 < in->nmaps && in->maps[i + 1].start == end &&
		    is_anonymous(&in->maps[i + 1]) &&
		    is_inaccessible(&in->maps[i + 1])) {
			end = in->maps[i + 1].end;
			reserve = true;
		}
		if (end - m->start != GLIBC_HEAP_MAX_SIZE)
			continue;
		if (label == NULL)
			label = strtab_intern(&b->out->strings, "[malloc arena]");
		b->cls[i].object = label;
		if (reserve)
			b->cls[i + 1].object = label;
	}
}

/* Claims of an ELF instance's segments and sections over [lo, hi). */
static size_t
instance_claims(struct build *b, const struct instance *inst, uint64_t lo,
    uint64_t hi, struct claim **claims, size_t *cap, size_t n)
{
	const struct elf_object *elf = inst->elf;
	uint64_t bias = inst->bias;

#define CLAIM(s, e, p, k, nm) do {					\
	uint64_t s_ = (s), e_ = (e);					\
	if (s_ < hi && e_ > lo && s_ < e_) {				\
		*claims = xgrow(*claims, cap, n + 1, sizeof(**claims));	\
		(*claims)[n++] = (struct claim){ s_ < lo ? lo : s_,	\
		    e_ > hi ? hi : e_, (p), (k), inst->path, (nm) };	\
	}								\
} while (0)
	for (size_t k = 0; k < elf->nloads; k++) {
		const struct elf_load *l = &elf->loads[k];
		uint64_t v = bias + l->vaddr;

		CLAIM(page_down(b, v), page_up(b, v + l->memsz), PRIO_LOAD_PAGES,
		    kind_of_load(l), NULL);
		CLAIM(v, v + l->filesz, PRIO_LOAD, kind_of_load(l), NULL);
		/* bss: zero-filled beyond the file, to the end of its page */
		if (l->memsz > l->filesz)
			CLAIM(v + l->filesz, page_up(b, v + l->memsz), PRIO_LOAD,
			    SEG_BSS, NULL);
	}
	for (size_t k = 0; k < elf->nsections; k++) {
		const struct elf_section *s = &elf->sections[k];

		/* .tbss is a TLS template: it takes no room in the image */
		if ((s->flags & SHF_TLS) && s->type == SHT_NOBITS)
			continue;
		CLAIM(bias + s->addr, bias + s->addr + s->size, PRIO_SECTION,
		    kind_of_section(s), s->name);
	}
#undef CLAIM
	return n;
}

/*
 * Give each of the n ranges cut from mapping m its share of m's figures:
 * resident figures by resident bytes, swap by swapped bytes, as pagemap
 * tells them page by page; a page holding the end of .data and the start of
 * .bss is shared by bytes. Without pagemap the share follows the size.
 */
static void
share_counts(struct build *b, const struct proc_mapping *m,
    struct segment *segs, size_t n)
{
	size_t npages = (size_t)((m->end - m->start) / b->page), r = 0;
	uint64_t *entries = NULL, *present, *swapped, *bytes, *share;
	struct mem_counts mc = m->mem;

	if (n == 1) {
		segs[0].mem = m->mem;
		return;
	}
	present = xcalloc(4 * n, sizeof(uint64_t));
	swapped = present + n;
	bytes = swapped + n;
	share = bytes + n;
	if (b->in->pagemap != NULL) {
		entries = xcalloc(npages ? npages : 1, sizeof(uint64_t));
		if (b->in->pagemap(b->in->ctx, m->start, npages, entries) != 0) {
			free(entries);
			entries = NULL;
		}
	}
	for (size_t p = 0; p < npages; p++) {
		uint64_t lo = m->start + p * b->page, hi = lo + b->page;

		while (r < n && segs[r].end <= lo)
			r++;
		for (size_t k = r; k < n && segs[k].start < hi; k++) {
			uint64_t a = segs[k].start > lo ? segs[k].start : lo;
			uint64_t z = segs[k].end < hi ? segs[k].end : hi;

			bytes[k] += z - a;
			if (entries != NULL && (entries[p] >> 63) & 1)
				present[k] += z - a;
			if (entries != NULL && (entries[p] >> 62) & 1)
				swapped[k] += z - a;
		}
	}
	free(entries);
	for (size_t f = 0; f < MEM_COUNTS_NFIELDS; f++) {
		uint64_t *field = mem_counts_field(&mc, f), wsum = 0;
		uint64_t total = *field;
		const uint64_t *w;

		w = field == &mc.swap || field == &mc.swap_pss ? swapped : present;
		for (size_t k = 0; k < n; k++)
			wsum += w[k];
		if (wsum == 0)
			w = bytes;
		apportion_bytes(total, w, n, share);
		for (size_t k = 0; k < n; k++)
			*mem_counts_field(&segs[k].mem, f) = share[k];
	}
	free(present);
}

static struct segment *
push_segment(struct build *b)
{
	struct layout *out = b->out;

	out->segs = xgrow(out->segs, &b->segs_cap, out->nsegs + 1,
	    sizeof(*out->segs));
	memset(&out->segs[out->nsegs], 0, sizeof(out->segs[0]));
	return &out->segs[out->nsegs++];
}

/* Append name to a space-separated list unless it ends with it already. */
static void
detail_append(struct buf *d, const char *name)
{
	size_t len = strlen(name);

	if (d->len >= len && memcmp(d->data + d->len - len, name, len) == 0 &&
	    (d->len == len || d->data[d->len - len - 1] == ' '))
		return;
	buf_reserve(d, len + 1);
	if (d->len > 0)
		d->data[d->len++] = ' ';
	memcpy(d->data + d->len, name, len);
	d->len += len;
	d->data[d->len] = '\0';
}

/* Cut mapping i at the claims' edges; the best claim names each piece. */
static void
cut_mapping(struct build *b, size_t i, const struct claim *claims, size_t nclaims)
{
	const struct proc_mapping *m = &b->in->maps[i];
	const struct mapping_class *c = &b->cls[i];
	size_t first = b->out->nsegs, npts = 0;
	uint64_t *pts = xmalloc((2 * nclaims + 2) * sizeof(*pts));
	struct buf detail = { 0 };
	struct segment *s = NULL;

	pts[npts++] = m->start;
	pts[npts++] = m->end;
	for (size_t k = 0; k < nclaims; k++) {
		pts[npts++] = claims[k].start;
		pts[npts++] = claims[k].end;
	}
	qsort(pts, npts, sizeof(*pts), u64_cmp);
	for (size_t p = 0; p + 1 < npts; p++) {
		const struct claim *best = NULL;
		uint64_t x = pts[p], y = pts[p + 1];
		enum seg_kind kind = c->kind;
		const char *object = c->object;

		if (x == y)
			continue;
		for (size_t k = 0; k < nclaims; k++)
			if (claims[k].start <= x && claims[k].end >= y &&
			    (best == NULL || claims[k].prio > best->prio))
				best = &claims[k];
		if (best != NULL) {
			kind = best->kind;
			if (best->object != NULL)
				object = best->object;
		}
		if (s == NULL || s->kind != kind || s->object != object) {
			if (s != NULL && detail.len > 0)
				s->detail = strtab_intern(&b->out->strings, detail.data);
			buf_clear(&detail);
			s = push_segment(b);
			s->start = x;
			memcpy(s->perms, m->perms, sizeof(s->perms));
			s->kind = kind;
			s->object = object;
			s->mapping = i;
			s->tid = c->tid;
		}
		s->end = y;
		if (best != NULL && best->name != NULL)
			detail_append(&detail, best->name);
	}
	if (s != NULL && detail.len > 0)
		s->detail = strtab_intern(&b->out->strings, detail.data);
	buf_free(&detail);
	free(pts);
	share_counts(b, m, &b->out->segs[first], b->out->nsegs - first);
}

static void
collect_exec_files(struct build *b)
{
	const struct seg_input *in = b->in;
	size_t cap = 0;

	for (size_t i = 0; i < in->nmaps; i++) {
		if (in->maps[i].inode == 0 || in->maps[i].perms[2] != 'x')
			continue;
		b->exec_files = xgrow(b->exec_files, &cap, b->nexec_files + 1,
		    sizeof(*b->exec_files));
		b->exec_files[b->nexec_files++] = file_key(&in->maps[i]);
	}
	if (b->nexec_files > 1)	/* qsort(NULL, 0) is undefined */
		qsort(b->exec_files, b->nexec_files, sizeof(uint64_t), u64_cmp);
}

void
model_segments_build(const struct seg_input *in, struct layout *out)
{
	struct build b = { .in = in, .out = out,
	    .page = in->page_size ? in->page_size : PAGE_SIZE_DEFAULT };
	struct claim *claims = NULL;
	size_t claims_cap = 0;

	memset(out, 0, sizeof(*out));
	b.cls = xcalloc(in->nmaps ? in->nmaps : 1, sizeof(*b.cls));
	collect_exec_files(&b);
	for (size_t i = 0; i < in->nmaps; i++)
		classify_mapping(&b, i);
	assign_instances(&b);
	assign_unread_bss(&b);
	assign_threads(&b);
	assign_arenas(&b);

	for (size_t i = 0; i < in->nmaps; i++) {
		const struct proc_mapping *m = &in->maps[i];
		long inst = b.cls[i].instance;
		size_t n = 0;

		if (inst >= 0)
			n = instance_claims(&b, &b.instances[inst], m->start,
			    m->end, &claims, &claims_cap, n);
		if (b.cls[i].kind == SEG_STACK && in->arg_start > m->start &&
		    in->arg_start < m->end) {
			claims = xgrow(claims, &claims_cap, n + 1, sizeof(*claims));
			claims[n++] = (struct claim){ in->arg_start, m->end,
			    PRIO_ARGS, SEG_ARGS_ENV, NULL, NULL };
		}
		cut_mapping(&b, i, claims, n);
	}
	free(claims);
	free(b.exec_files);
	free(b.instances);
	free(b.cls);
}

void
model_segments_free(struct layout *layout)
{
	free(layout->segs);
	strtab_free(&layout->strings);
	memset(layout, 0, sizeof(*layout));
}

void
model_segments_by_kind(const struct layout *layout,
    struct seg_totals by_kind[SEG_NKINDS])
{
	memset(by_kind, 0, SEG_NKINDS * sizeof(by_kind[0]));
	for (size_t i = 0; i < layout->nsegs; i++) {
		const struct segment *s = &layout->segs[i];

		by_kind[s->kind].size += s->end - s->start;
		mem_counts_add(&by_kind[s->kind].mem, &s->mem);
	}
}

/* Slot of object in an open-addressing table of nslots (a power of two). */
static size_t
object_slot(const char **keys, size_t nslots, const char *object)
{
	size_t i = ((uintptr_t)object >> 4) * 0x9e3779b97f4a7c15ULL & (nslots - 1);

	while (keys[i] != NULL && keys[i] != object)
		i = (i + 1) & (nslots - 1);
	return i;
}

size_t
model_segments_by_object(const struct layout *layout,
    struct seg_object_totals **out)
{
	struct seg_object_totals *v = NULL;
	size_t n = 0, cap = 0, nslots = 64, *index;
	const char **keys;

	/* objects are interned: the pointer is the key */
	while (nslots < 2 * layout->nsegs)
		nslots *= 2;
	keys = xcalloc(nslots, sizeof(*keys));
	index = xcalloc(nslots, sizeof(*index));
	for (size_t i = 0; i < layout->nsegs; i++) {
		const struct segment *s = &layout->segs[i];
		size_t slot = object_slot(keys, nslots, s->object), k;

		if (keys[slot] == NULL) {
			v = xgrow(v, &cap, n + 1, sizeof(*v));
			memset(&v[n], 0, sizeof(v[n]));
			v[n].object = s->object;
			keys[slot] = s->object;
			index[slot] = n++;
		}
		k = index[slot];
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): keys[] starts zeroed (xcalloc) */
		v[k].size += s->end - s->start;
		v[k].kind_size[s->kind] += s->end - s->start;
		mem_counts_add(&v[k].mem, &s->mem);
	}
	free(keys);
	free(index);
	*out = v;
	return n;
}

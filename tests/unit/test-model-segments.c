/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the layout classifier (src/model/model-segments.c). It is pure,
 * so each test builds a process by hand: mappings as /proc would give them,
 * ELF headers as libelf would read them, threads and a fake pagemap. The
 * ELF layouts follow what readelf -lSW shows of binutils-linked binaries;
 * the figures are picked so that every share can be worked out by hand.
 */
#include "config.h"

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-segments.h"

#define KB(n)		((uint64_t)(n) * 1024)
#define PAGE		4096

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)

#define A		(SHF_ALLOC)
#define AX		(SHF_ALLOC | SHF_EXECINSTR)
#define WA		(SHF_WRITE | SHF_ALLOC)
#define WAT		(SHF_WRITE | SHF_ALLOC | SHF_TLS)

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* --- ELF objects ------------------------------------------------------ */

/*
 * A PIE as binutils >= 2.31 lays it out (-z separate-code): headers, text,
 * rodata, then relro and data in one RW PT_LOAD whose first page shares a
 * file page with rodata.
 */
static struct elf_load pie_loads[] = {
	{ .vaddr = 0x0, .memsz = 0x628, .offset = 0x0, .filesz = 0x628,
	  .flags = PF_R },
	{ .vaddr = 0x1000, .memsz = 0x175, .offset = 0x1000, .filesz = 0x175,
	  .flags = PF_R | PF_X },
	{ .vaddr = 0x2000, .memsz = 0xf4, .offset = 0x2000, .filesz = 0xf4,
	  .flags = PF_R },
	{ .vaddr = 0x3dd0, .memsz = 0x288, .offset = 0x2dd0, .filesz = 0x278,
	  .flags = PF_R | PF_W },
};

static struct elf_section pie_sections[] = {
	{ ".interp", 0x318, 0x1c, A, SHT_PROGBITS },
	{ ".dynsym", 0x3d8, 0xa8, A, SHT_DYNSYM },
	{ ".init", 0x1000, 0x1b, AX, SHT_PROGBITS },
	{ ".plt", 0x1020, 0x20, AX, SHT_PROGBITS },
	{ ".text", 0x1040, 0x113, AX, SHT_PROGBITS },
	{ ".fini", 0x1154, 0xd, AX, SHT_PROGBITS },
	{ ".rodata", 0x2000, 0x12, A, SHT_PROGBITS },
	{ ".eh_frame_hdr", 0x2014, 0x34, A, SHT_PROGBITS },
	{ ".eh_frame", 0x2048, 0xac, A, SHT_PROGBITS },
	/* a TLS template: its address overlaps .init_array, it takes no room */
	{ ".tbss", 0x3dd0, 0x4, WAT, SHT_NOBITS },
	{ ".init_array", 0x3dd0, 0x8, WA, SHT_INIT_ARRAY },
	{ ".fini_array", 0x3dd8, 0x8, WA, SHT_FINI_ARRAY },
	{ ".dynamic", 0x3de0, 0x1e0, WA, SHT_DYNAMIC },
	{ ".got", 0x3fc0, 0x28, WA, SHT_PROGBITS },
	{ ".got.plt", 0x3fe8, 0x20, WA, SHT_PROGBITS },
	{ ".data", 0x4008, 0x40, WA, SHT_PROGBITS },
	{ ".bss", 0x4048, 0x10, WA, SHT_NOBITS },
};

static struct elf_object pie_elf = {
	.type = ET_DYN,
	.loads = pie_loads,
	.nloads = NELEM(pie_loads),
	.sections = pie_sections,
	.nsections = NELEM(pie_sections),
};

/* A non-PIE executable whose .bss runs 132 KiB past its last file page. */
static struct elf_load exec_loads[] = {
	{ .vaddr = 0x400000, .memsz = 0x4e8, .offset = 0x0, .filesz = 0x4e8,
	  .flags = PF_R },
	{ .vaddr = 0x401000, .memsz = 0x95f1, .offset = 0x1000,
	  .filesz = 0x95f1, .flags = PF_R | PF_X },
	{ .vaddr = 0x40b000, .memsz = 0x2a10, .offset = 0xb000,
	  .filesz = 0x2a10, .flags = PF_R },
	{ .vaddr = 0x40ede8, .memsz = 0x21a60, .offset = 0xdde8,
	  .filesz = 0x3f8, .flags = PF_R | PF_W },
};

static struct elf_section exec_sections[] = {
	{ ".note.gnu.build-id", 0x4002c8, 0x24, A, SHT_NOTE },
	{ ".text", 0x401000, 0x95f1, AX, SHT_PROGBITS },
	{ ".rodata", 0x40b000, 0x2a10, A, SHT_PROGBITS },
	{ ".init_array", 0x40ede8, 0x8, WA, SHT_INIT_ARRAY },
	{ ".fini_array", 0x40edf0, 0x8, WA, SHT_FINI_ARRAY },
	{ ".data.rel.ro", 0x40ee00, 0x1a0, WA, SHT_PROGBITS },
	{ ".got", 0x40efa0, 0x48, WA, SHT_PROGBITS },
	{ ".got.plt", 0x40efe8, 0x50, WA, SHT_PROGBITS },
	{ ".data", 0x40f038, 0x1a8, WA, SHT_PROGBITS },
	{ ".bss", 0x40f1e0, 0x21668, WA, SHT_NOBITS },
};

static struct elf_object exec_elf = {
	.type = ET_EXEC,
	.loads = exec_loads,
	.nloads = NELEM(exec_loads),
	.sections = exec_sections,
	.nsections = NELEM(exec_sections),
};

/*
 * A library linked by an old binutils: text from offset 0, then a 2 MiB
 * hole the loader leaves PROT_NONE (---p), then relro and data.
 */
static struct elf_load oldlib_loads[] = {
	{ .vaddr = 0x0, .memsz = 0x1800, .offset = 0x0, .filesz = 0x1800,
	  .flags = PF_R | PF_X },
	{ .vaddr = 0x201e00, .memsz = 0x500, .offset = 0x1e00, .filesz = 0x400,
	  .flags = PF_R | PF_W },
};

static struct elf_section oldlib_sections[] = {
	{ ".text", 0x500, 0x1200, AX, SHT_PROGBITS },
	{ ".data.rel.ro", 0x201e00, 0x200, WA, SHT_PROGBITS },
	{ ".data", 0x202000, 0x200, WA, SHT_PROGBITS },
	{ ".bss", 0x202200, 0x100, WA, SHT_NOBITS },
};

static struct elf_object oldlib_elf = {
	.type = ET_DYN,
	.loads = oldlib_loads,
	.nloads = NELEM(oldlib_loads),
	.sections = oldlib_sections,
	.nsections = NELEM(oldlib_sections),
};

/*
 * A library whose two-page RW mapping holds 6 KiB of .data and 2 KiB of
 * .bss: the second page is shared by both.
 */
static struct elf_load share_loads[] = {
	{ .vaddr = 0x0, .memsz = 0x800, .offset = 0x0, .filesz = 0x800,
	  .flags = PF_R | PF_X },
	{ .vaddr = 0x1000, .memsz = 0x2000, .offset = 0x1000, .filesz = 0x1800,
	  .flags = PF_R | PF_W },
};

static struct elf_section share_sections[] = {
	{ ".text", 0x100, 0x600, AX, SHT_PROGBITS },
	{ ".data", 0x1000, 0x1800, WA, SHT_PROGBITS },
	{ ".bss", 0x2800, 0x800, WA, SHT_NOBITS },
};

static struct elf_object share_elf = {
	.type = ET_DYN,
	.loads = share_loads,
	.nloads = NELEM(share_loads),
	.sections = share_sections,
	.nsections = NELEM(share_sections),
};

/*
 * A library linked for 64 KiB pages (arm64, ppc64): its RW PT_LOAD starts
 * in the same 64 KiB file page as its text.
 */
static struct elf_load big_loads[] = {
	{ .vaddr = 0x0, .memsz = 0x1800, .offset = 0x0, .filesz = 0x1800,
	  .flags = PF_R | PF_X },
	{ .vaddr = 0x11e00, .memsz = 0x500, .offset = 0x1e00, .filesz = 0x400,
	  .flags = PF_R | PF_W },
};

static struct elf_section big_sections[] = {
	{ ".text", 0x200, 0x1400, AX, SHT_PROGBITS },
	{ ".data", 0x11e00, 0x400, WA, SHT_PROGBITS },
	{ ".bss", 0x12200, 0x100, WA, SHT_NOBITS },
};

static struct elf_object big_elf = {
	.type = ET_DYN,
	.loads = big_loads,
	.nloads = NELEM(big_loads),
	.sections = big_sections,
	.nsections = NELEM(big_sections),
};

/* --- A process built by hand ----------------------------------------- */

#define MAX_MAPS	256
#define MAX_THREADS	8

struct proc_fixture {
	struct proc_mapping	 maps[MAX_MAPS];
	const struct elf_object	*elf[MAX_MAPS];
	struct seg_thread	 threads[MAX_THREADS];
	struct seg_input	 in;
	struct layout		 layout;
};

/* Each test gets its fixture from here; the teardown frees what is left. */
static int
fx_setup(void **state)
{
	struct proc_fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct proc_fixture *fx = *state;

	model_segments_free(&fx->layout);
	free(fx);
	return 0;
}

static void
fx_init(struct proc_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->in.maps = fx->maps;
	fx->in.elf = fx->elf;
	fx->in.threads = fx->threads;
}

/* A mapping; a file (inode != 0) gets device fe:00 as on a real disk. */
static struct proc_mapping *
fx_map(struct proc_fixture *fx, uint64_t start, uint64_t end,
    const char *perms, uint64_t offset, uint64_t inode, const char *path,
    const struct elf_object *elf)
{
	struct proc_mapping *m;

	assert_true(fx->in.nmaps < MAX_MAPS);
	assert_true(start < end);
	if (fx->in.nmaps > 0)
		assert_true(fx->maps[fx->in.nmaps - 1].end <= start);
	m = &fx->maps[fx->in.nmaps];
	m->start = start;
	m->end = end;
	memcpy(m->perms, perms, 4);
	m->offset = offset;
	m->inode = inode;
	m->dev_major = inode != 0 ? 0xfe : 0;
	m->path = path;
	fx->elf[fx->in.nmaps++] = elf;
	return m;
}

static struct seg_thread *
fx_thread(struct proc_fixture *fx, int tid, bool sp_known, uint64_t sp)
{
	struct seg_thread *th;

	assert_true(fx->in.nthreads < MAX_THREADS);
	th = &fx->threads[fx->in.nthreads++];
	th->tid = tid;
	th->sp_known = sp_known;
	th->sp = sp;
	/* stale figures that the build must overwrite */
	th->stack_start = th->stack_end = th->guard_size = 0xdead;
	return th;
}

static void
dump_layout(const struct layout *l)
{
	for (size_t i = 0; i < l->nsegs; i++) {
		const struct segment *s = &l->segs[i];

		print_message("  [%zu] %#llx-%#llx %s %-12s %s \"%s\" tid %d "
		    "map %zu\n", i, (unsigned long long)s->start,
		    (unsigned long long)s->end, s->perms,
		    seg_kind_name(s->kind), s->object,
		    s->detail ? s->detail : "(null)", s->tid, s->mapping);
	}
}

/*
 * What holds for every layout: each mapping is cut, in order and without a
 * gap, into ranges that carry its permissions and index, and the ranges'
 * figures add up to the mapping's exactly, field by field.
 */
static void
check_invariants(const struct proc_fixture *fx)
{
	const struct layout *l = &fx->layout;
	size_t s = 0;

	for (size_t i = 0; i < fx->in.nmaps; i++) {
		const struct proc_mapping *m = &fx->maps[i];
		struct mem_counts sum;
		uint64_t at = m->start;

		memset(&sum, 0, sizeof(sum));
		for (; s < l->nsegs && l->segs[s].mapping == i; s++) {
			const struct segment *seg = &l->segs[s];

			if (seg->start != at || seg->end <= seg->start) {
				dump_layout(l);
				fail_msg("segment %zu of mapping %zu: gap or "
				    "empty range", s, i);
			}
			assert_string_equal(seg->perms, m->perms);
			assert_non_null(seg->object);
			mem_counts_add(&sum, &seg->mem);
			at = seg->end;
		}
		if (at != m->end) {
			dump_layout(l);
			fail_msg("mapping %zu is not covered to its end", i);
		}
		for (size_t f = 0; f < MEM_COUNTS_NFIELDS; f++) {
			uint64_t got = *mem_counts_field(&sum, f);
			uint64_t want = *mem_counts_field(
			    (struct mem_counts *)&m->mem, f);

			if (got != want)
				fail_msg("mapping %zu: field %zu of its ranges "
				    "adds up to %llu, not %llu", i, f,
				    (unsigned long long)got,
				    (unsigned long long)want);
		}
	}
	assert_int_equal(s, l->nsegs);
}

static void
fx_build(struct proc_fixture *fx)
{
	model_segments_build(&fx->in, &fx->layout);
	check_invariants(fx);
}

struct expect {
	uint64_t	 start;
	uint64_t	 end;
	enum seg_kind	 kind;
	const char	*object;
	const char	*detail;	/* NULL: none */
};

static bool
same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
assert_segments(const struct layout *l, const struct expect *e, size_t n)
{
	for (size_t i = 0; i < n && i < l->nsegs; i++) {
		const struct segment *s = &l->segs[i];

		if (s->start == e[i].start && s->end == e[i].end &&
		    s->kind == e[i].kind &&
		    same_string(s->object, e[i].object) &&
		    same_string(s->detail, e[i].detail))
			continue;
		dump_layout(l);
		fail_msg("segment %zu: expected %#llx-%#llx %s \"%s\" \"%s\"",
		    i, (unsigned long long)e[i].start,
		    (unsigned long long)e[i].end, seg_kind_name(e[i].kind),
		    e[i].object, e[i].detail ? e[i].detail : "(null)");
	}
	if (l->nsegs != n) {
		dump_layout(l);
		fail_msg("%zu segments, expected %zu", l->nsegs, n);
	}
}

/* --- Fake pagemap ----------------------------------------------------- */

struct fake_pagemap {
	struct {
		uint64_t start;
		uint64_t end;
		uint64_t bits;
	}		 ranges[8];
	size_t		 nranges;
	uint64_t	 page;		/* 0: 4096 */
	bool		 fail;
	size_t		 ncalls;
	uint64_t	 last_start;
	size_t		 last_npages;
};

static void
pm_range(struct fake_pagemap *pm, uint64_t start, uint64_t end, uint64_t bits)
{
	assert_true(pm->nranges < NELEM(pm->ranges));
	pm->ranges[pm->nranges].start = start;
	pm->ranges[pm->nranges].end = end;
	pm->ranges[pm->nranges++].bits = bits;
}

static int
fake_pagemap(void *ctx, uint64_t start, size_t npages, uint64_t *entries)
{
	struct fake_pagemap *pm = ctx;

	pm->ncalls++;
	pm->last_start = start;
	pm->last_npages = npages;
	if (pm->fail)
		return -1;
	for (size_t p = 0; p < npages; p++) {
		uint64_t a = start + p * (pm->page ? pm->page : PAGE);

		entries[p] = 0;
		for (size_t r = 0; r < pm->nranges; r++)
			if (a >= pm->ranges[r].start && a < pm->ranges[r].end)
				entries[p] = pm->ranges[r].bits;
	}
	return 0;
}

/* --- (a) a PIE and its relro page ------------------------------------- */

#define PIE_BASE	0x555555554000ULL
#define PIE_PATH	"/usr/bin/pie"

static void
add_pie(struct proc_fixture *fx)
{
	const uint64_t b = PIE_BASE;

	fx_map(fx, b, b + 0x1000, "r--p", 0x0, 100, PIE_PATH, &pie_elf);
	fx_map(fx, b + 0x1000, b + 0x2000, "r-xp", 0x1000, 100, PIE_PATH,
	    &pie_elf);
	fx_map(fx, b + 0x2000, b + 0x3000, "r--p", 0x2000, 100, PIE_PATH,
	    &pie_elf);
	/* relro: mprotected read-only, same file page as the one before */
	fx_map(fx, b + 0x3000, b + 0x4000, "r--p", 0x2000, 100, PIE_PATH,
	    &pie_elf);
	fx_map(fx, b + 0x4000, b + 0x5000, "rw-p", 0x3000, 100, PIE_PATH,
	    &pie_elf);
}

static void
test_pie_relro(void **state)
{
	const uint64_t b = PIE_BASE;
	const struct expect want[] = {
		{ b, b + 0x1000, SEG_RODATA, PIE_PATH, ".interp .dynsym" },
		{ b + 0x1000, b + 0x2000, SEG_TEXT, PIE_PATH,
		  ".init .plt .text .fini" },
		{ b + 0x2000, b + 0x3000, SEG_RODATA, PIE_PATH,
		  ".rodata .eh_frame_hdr .eh_frame" },
		/* the relro page is data of the RW PT_LOAD, not rodata */
		{ b + 0x3000, b + 0x4000, SEG_DATA, PIE_PATH,
		  ".init_array .fini_array .dynamic .got .got.plt" },
		{ b + 0x4000, b + 0x4048, SEG_DATA, PIE_PATH,
		  ".got.plt .data" },
		{ b + 0x4048, b + 0x5000, SEG_BSS, PIE_PATH, ".bss" },
	};
	struct proc_fixture *fx = *state;

	fx_init(fx);
	add_pie(fx);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	assert_string_equal(fx->layout.segs[3].perms, "r--p");
	assert_int_equal(fx->layout.segs[3].mapping, 3);
	assert_int_equal(fx->layout.segs[5].mapping, 4);
	model_segments_free(&fx->layout);
}

/*
 * One file mapped at two bases (a PIE dlopened by another): each relro
 * page must join the copy whose address span holds it, not whichever
 * instance matches its file offset first.
 */
static void
test_pie_two_instances(void **state)
{
	const uint64_t b = PIE_BASE, b2 = 0x7f0000000000ULL;
	struct proc_fixture *fx = *state;

	fx_init(fx);
	add_pie(fx);
	/* the same file mapped again (dlopen of a PIE) at another base */
	fx_map(fx, b2, b2 + 0x1000, "r--p", 0x0, 100, PIE_PATH, &pie_elf);
	fx_map(fx, b2 + 0x1000, b2 + 0x2000, "r-xp", 0x1000, 100, PIE_PATH,
	    &pie_elf);
	fx_map(fx, b2 + 0x2000, b2 + 0x3000, "r--p", 0x2000, 100, PIE_PATH,
	    &pie_elf);
	fx_map(fx, b2 + 0x3000, b2 + 0x4000, "r--p", 0x2000, 100, PIE_PATH,
	    &pie_elf);
	fx_map(fx, b2 + 0x4000, b2 + 0x5000, "rw-p", 0x3000, 100, PIE_PATH,
	    &pie_elf);
	fx_build(fx);
	{
		const struct expect want[] = {
			{ b, b + 0x1000, SEG_RODATA, PIE_PATH,
			  ".interp .dynsym" },
			{ b + 0x1000, b + 0x2000, SEG_TEXT, PIE_PATH,
			  ".init .plt .text .fini" },
			{ b + 0x2000, b + 0x3000, SEG_RODATA, PIE_PATH,
			  ".rodata .eh_frame_hdr .eh_frame" },
			{ b + 0x3000, b + 0x4000, SEG_DATA, PIE_PATH,
			  ".init_array .fini_array .dynamic .got .got.plt" },
			{ b + 0x4000, b + 0x4048, SEG_DATA, PIE_PATH,
			  ".got.plt .data" },
			{ b + 0x4048, b + 0x5000, SEG_BSS, PIE_PATH, ".bss" },
			{ b2, b2 + 0x1000, SEG_RODATA, PIE_PATH,
			  ".interp .dynsym" },
			{ b2 + 0x1000, b2 + 0x2000, SEG_TEXT, PIE_PATH,
			  ".init .plt .text .fini" },
			{ b2 + 0x2000, b2 + 0x3000, SEG_RODATA, PIE_PATH,
			  ".rodata .eh_frame_hdr .eh_frame" },
			{ b2 + 0x3000, b2 + 0x4000, SEG_DATA, PIE_PATH,
			  ".init_array .fini_array .dynamic .got .got.plt" },
			{ b2 + 0x4000, b2 + 0x4048, SEG_DATA, PIE_PATH,
			  ".got.plt .data" },
			{ b2 + 0x4048, b2 + 0x5000, SEG_BSS, PIE_PATH, ".bss" },
		};

		assert_segments(&fx->layout, want, NELEM(want));
	}
	model_segments_free(&fx->layout);
}

/* --- (b) .bss beyond the last file page ------------------------------ */

#define EXEC_PATH	"/usr/local/bin/static-ish"

static void
add_exec(struct proc_fixture *fx)
{
	fx_map(fx, 0x400000, 0x401000, "r--p", 0x0, 200, EXEC_PATH, &exec_elf);
	fx_map(fx, 0x401000, 0x40b000, "r-xp", 0x1000, 200, EXEC_PATH,
	    &exec_elf);
	fx_map(fx, 0x40b000, 0x40e000, "r--p", 0xb000, 200, EXEC_PATH,
	    &exec_elf);
	fx_map(fx, 0x40e000, 0x40f000, "r--p", 0xd000, 200, EXEC_PATH,
	    &exec_elf);
	fx_map(fx, 0x40f000, 0x410000, "rw-p", 0xe000, 200, EXEC_PATH,
	    &exec_elf);
}

static const struct expect exec_file_part[] = {
	{ 0x400000, 0x401000, SEG_RODATA, EXEC_PATH, ".note.gnu.build-id" },
	{ 0x401000, 0x40b000, SEG_TEXT, EXEC_PATH, ".text" },
	{ 0x40b000, 0x40e000, SEG_RODATA, EXEC_PATH, ".rodata" },
	{ 0x40e000, 0x40f000, SEG_DATA, EXEC_PATH,
	  ".init_array .fini_array .data.rel.ro .got .got.plt" },
	{ 0x40f000, 0x40f1e0, SEG_DATA, EXEC_PATH, ".got.plt .data" },
	/* vaddr 0x40ede8 + filesz 0x3f8: the first byte past the file */
	{ 0x40f1e0, 0x410000, SEG_BSS, EXEC_PATH, ".bss" },
};

/*
 * The kernel maps the rest of .bss as anonymous memory right after the
 * last file page; here it is merged with an unrelated mapping beyond it.
 */
static void
test_bss_anonymous(void **state)
{
	struct expect want[NELEM(exec_file_part) + 2];
	struct proc_fixture *fx = *state;

	memcpy(want, exec_file_part, sizeof(exec_file_part));
	/* 0x40ede8 + memsz 0x21a60 = 0x430848, to the end of its page */
	want[NELEM(exec_file_part)] = (struct expect){ 0x410000, 0x431000,
	    SEG_BSS, EXEC_PATH, ".bss" };
	want[NELEM(exec_file_part) + 1] = (struct expect){ 0x431000, 0x433000,
	    SEG_ANON, "[anon]", NULL };
	fx_init(fx);
	add_exec(fx);
	fx_map(fx, 0x410000, 0x433000, "rw-p", 0, 0, NULL, NULL);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	model_segments_free(&fx->layout);
}

/* Without brk randomisation the heap starts at the end of .bss and merges. */
static void
test_bss_in_heap(void **state)
{
	struct expect want[NELEM(exec_file_part) + 2];
	struct proc_fixture *fx = *state;

	memcpy(want, exec_file_part, sizeof(exec_file_part));
	want[NELEM(exec_file_part)] = (struct expect){ 0x410000, 0x431000,
	    SEG_BSS, EXEC_PATH, ".bss" };
	want[NELEM(exec_file_part) + 1] = (struct expect){ 0x431000, 0x453000,
	    SEG_HEAP, "[heap]", NULL };
	fx_init(fx);
	add_exec(fx);
	fx_map(fx, 0x410000, 0x453000, "rw-p", 0, 0, "[heap]", NULL);
	fx->in.start_brk = 0x431000;
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	model_segments_free(&fx->layout);
}

/* An anonymous mapping that does not touch the object is not its bss. */
static void
test_bss_not_adjacent(void **state)
{
	struct expect want[NELEM(exec_file_part) + 1];
	struct proc_fixture *fx = *state;

	memcpy(want, exec_file_part, sizeof(exec_file_part));
	want[NELEM(exec_file_part)] = (struct expect){ 0x411000, 0x431000,
	    SEG_ANON, "[anon]", NULL };
	fx_init(fx);
	add_exec(fx);
	fx_map(fx, 0x411000, 0x431000, "rw-p", 0, 0, NULL, NULL);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	model_segments_free(&fx->layout);
}

/*
 * An object whose headers could not be read still owns the anonymous RW
 * mapping right after its RW file page; a plain data file does not.
 */
static void
test_bss_unread_object(void **state)
{
	const uint64_t lib = 0x7f0000400000ULL, db = 0x7f0000500000ULL;
	const char *const path = "/usr/lib/libunreadable.so";
	const struct expect want[] = {
		{ lib, lib + 0x1000, SEG_RODATA, path, NULL },
		{ lib + 0x1000, lib + 0x3000, SEG_TEXT, path, NULL },
		{ lib + 0x3000, lib + 0x4000, SEG_DATA, path, NULL },
		{ lib + 0x4000, lib + 0x6000, SEG_BSS, path, NULL },
		{ lib + 0x7000, lib + 0x8000, SEG_ANON, "[anon]", NULL },
		{ db, db + 0x1000, SEG_FILE, "/var/db/data", NULL },
		{ db + 0x1000, db + 0x3000, SEG_ANON, "[anon]", NULL },
	};
	struct proc_fixture *fx = *state;

	fx_init(fx);
	fx_map(fx, lib, lib + 0x1000, "r--p", 0x0, 320, path, NULL);
	fx_map(fx, lib + 0x1000, lib + 0x3000, "r-xp", 0x1000, 320, path, NULL);
	fx_map(fx, lib + 0x3000, lib + 0x4000, "rw-p", 0x3000, 320, path, NULL);
	fx_map(fx, lib + 0x4000, lib + 0x6000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, lib + 0x7000, lib + 0x8000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, db, db + 0x1000, "rw-p", 0, 330, "/var/db/data", NULL);
	fx_map(fx, db + 0x1000, db + 0x3000, "rw-p", 0, 0, NULL, NULL);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	model_segments_free(&fx->layout);
}

/*
 * With 64 KiB pages the RW mapping starts at file offset 0 and .bss runs
 * to the end of its 64 KiB page; with 4 KiB pages assumed it would stop
 * at +0x13000.
 */
static void
test_page_size(void **state)
{
	const uint64_t lib = 0x7f4400000000ULL;
	const char *const path = "/usr/lib/aarch64-linux-gnu/libbig.so";
	const struct expect want[] = {
		{ lib, lib + 0x10000, SEG_TEXT, path, ".text" },
		{ lib + 0x10000, lib + 0x12200, SEG_DATA, path, ".data" },
		{ lib + 0x12200, lib + 0x20000, SEG_BSS, path, ".bss" },
	};
	struct fake_pagemap pm;
	struct proc_fixture *fx = *state;
	struct proc_mapping *m;

	memset(&pm, 0, sizeof(pm));
	pm.page = 0x10000;
	pm_range(&pm, lib + 0x10000, lib + 0x20000, PM_PRESENT);
	fx_init(fx);
	fx->in.page_size = 0x10000;
	fx->in.pagemap = fake_pagemap;
	fx->in.ctx = &pm;
	fx_map(fx, lib, lib + 0x10000, "r-xp", 0x0, 900, path, &big_elf);
	m = fx_map(fx, lib + 0x10000, lib + 0x20000, "rw-p", 0x0, 900, path,
	    &big_elf);
	m->mem.rss = m->mem.private_dirty = KB(64);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	/* one 64 KiB page, resident: shared by bytes, 0x2200 and 0xde00 */
	assert_int_equal(pm.last_start, lib + 0x10000);
	assert_int_equal(pm.last_npages, 1);
	assert_int_equal(fx->layout.segs[1].mem.rss, 0x2200);
	assert_int_equal(fx->layout.segs[2].mem.rss, 0xde00);
	model_segments_free(&fx->layout);
}

/* --- (c) (d) (e) heap, stacks, threads, arenas ------------------------ */

#define STACK_LO	0x7ffffffde000ULL
#define STACK_HI	0x7ffffffff000ULL
#define ARG_START	0x7fffffffe3a1ULL

static void
test_stacks_and_arenas(void **state)
{
	const struct expect want[] = {
		{ 0x555555560000, 0x555555581000, SEG_HEAP, "[heap]", NULL },
		/* a glibc arena: 64 MiB-aligned head + reserve = 64 MiB */
		{ 0x7f1234000000, 0x7f1234021000, SEG_ANON, "[malloc arena]",
		  NULL },
		{ 0x7f1234021000, 0x7f1238000000, SEG_GUARD, "[malloc arena]",
		  NULL },
		/* the same shape in 48 MiB is something else */
		{ 0x7f1238000000, 0x7f1238021000, SEG_ANON, "[anon]", NULL },
		{ 0x7f1238021000, 0x7f123b000000, SEG_GUARD, "[anon]", NULL },
		/* an arena grown to its full size has no reserve left */
		{ 0x7f123c000000, 0x7f1240000000, SEG_ANON, "[malloc arena]",
		  NULL },
		/* 64 MiB, not aligned */
		{ 0x7f1240001000, 0x7f1240022000, SEG_ANON, "[anon]", NULL },
		{ 0x7f1240022000, 0x7f1244001000, SEG_GUARD, "[anon]", NULL },
		/* a pthread stack and its guard */
		{ 0x7f1250000000, 0x7f1250001000, SEG_GUARD, "[stack:1235]",
		  NULL },
		{ 0x7f1250001000, 0x7f1250801000, SEG_THREAD_STACK,
		  "[stack:1235]", NULL },
		{ 0x7f125ffff000, 0x7f1260000000, SEG_FILE, "/tmp/f", NULL },
		/* a stack without a guard; arena-shaped, but a stack first */
		{ 0x7f1260000000, 0x7f1264000000, SEG_THREAD_STACK,
		  "[stack:1236]", NULL },
		{ 0x7f1270000000, 0x7f1270001000, SEG_ANON, "[anon]", NULL },
		/* found by its descriptor at the top, sp unknown */
		{ 0x7f1280000000, 0x7f1280001000, SEG_GUARD, "[stack:1240]",
		  NULL },
		{ 0x7f1280001000, 0x7f1280801000, SEG_THREAD_STACK,
		  "[stack:1240]", NULL },
		/* sp known: it wins over a descriptor elsewhere */
		{ 0x7f1290000000, 0x7f1290001000, SEG_GUARD, "[stack:1241]",
		  NULL },
		{ 0x7f1290001000, 0x7f1290021000, SEG_THREAD_STACK,
		  "[stack:1241]", NULL },
		{ STACK_LO, ARG_START, SEG_STACK, "[stack]", NULL },
		{ ARG_START, STACK_HI, SEG_ARGS_ENV, "[stack]", NULL },
	};
	struct seg_thread *main_th, *t1235, *t1236, *t1237, *t1238, *t1239;
	struct seg_thread *t1240, *t1241;
	const struct segment *segs;
	struct proc_fixture *fx = *state;

	fx_init(fx);
	fx_map(fx, 0x555555560000, 0x555555581000, "rw-p", 0, 0, "[heap]",
	    NULL);
	fx_map(fx, 0x7f1234000000, 0x7f1234021000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1234021000, 0x7f1238000000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1238000000, 0x7f1238021000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1238021000, 0x7f123b000000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f123c000000, 0x7f1240000000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1240001000, 0x7f1240022000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1240022000, 0x7f1244001000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1250000000, 0x7f1250001000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1250001000, 0x7f1250801000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f125ffff000, 0x7f1260000000, "r--p", 0, 500, "/tmp/f",
	    NULL);
	fx_map(fx, 0x7f1260000000, 0x7f1264000000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1270000000, 0x7f1270001000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1280000000, 0x7f1280001000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1280001000, 0x7f1280801000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1290000000, 0x7f1290001000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, 0x7f1290001000, 0x7f1290021000, "rw-p", 0, 0, NULL, NULL);
	fx_map(fx, STACK_LO, STACK_HI, "rw-p", 0, 0, "[stack]", NULL);
	fx->in.start_brk = 0x555555560000;
	fx->in.arg_start = ARG_START;
	main_th = fx_thread(fx, 1234, true, 0x7fffffffd2c8);
	t1235 = fx_thread(fx, 1235, true, 0x7f12507ffe40);
	t1236 = fx_thread(fx, 1236, true, 0x7f1263fffe00);
	/* sp unknown: the value in sp means nothing */
	t1237 = fx_thread(fx, 1237, false, 0x7f1270000800);
	/* a stack carved out of the heap (a coroutine library) */
	t1238 = fx_thread(fx, 1238, true, 0x555555570000);
	/* sp in no mapping at all */
	t1239 = fx_thread(fx, 1239, true, 0x1000);
	t1240 = fx_thread(fx, 1240, false, 0);
	t1240->tcb_known = true;
	t1240->tcb = 0x7f1280800640;
	t1241 = fx_thread(fx, 1241, true, 0x7f129001fd80);
	t1241->tcb_known = true;
	t1241->tcb = 0x7f1270000800;
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	segs = fx->layout.segs;

	assert_int_equal(segs[0].tid, 0);
	assert_int_equal(segs[8].tid, 1235);
	assert_int_equal(segs[9].tid, 1235);
	assert_int_equal(segs[11].tid, 1236);
	assert_int_equal(segs[12].tid, 0);
	assert_int_equal(segs[13].tid, 1240);
	assert_int_equal(segs[14].tid, 1240);
	assert_int_equal(segs[15].tid, 1241);
	assert_int_equal(segs[16].tid, 1241);
	assert_int_equal(segs[17].tid, 1234);
	assert_int_equal(segs[18].tid, 1234);

	assert_int_equal(main_th->stack_start, STACK_LO);
	assert_int_equal(main_th->stack_end, STACK_HI);
	assert_int_equal(main_th->guard_size, 0);
	assert_int_equal(t1235->stack_start, 0x7f1250001000);
	assert_int_equal(t1235->stack_end, 0x7f1250801000);
	assert_int_equal(t1235->guard_size, 0x1000);
	assert_int_equal(t1236->stack_start, 0x7f1260000000);
	assert_int_equal(t1236->stack_end, 0x7f1264000000);
	assert_int_equal(t1236->guard_size, 0);
	assert_int_equal(t1237->stack_start, 0);
	assert_int_equal(t1237->stack_end, 0);
	assert_int_equal(t1237->guard_size, 0);
	/* "the range holding sp", though it is the heap's */
	assert_int_equal(t1238->stack_start, 0x555555560000);
	assert_int_equal(t1238->stack_end, 0x555555581000);
	assert_int_equal(t1238->guard_size, 0);
	assert_int_equal(t1239->stack_start, 0);
	assert_int_equal(t1239->stack_end, 0);
	assert_int_equal(t1239->guard_size, 0);
	assert_int_equal(t1240->stack_start, 0x7f1280001000);
	assert_int_equal(t1240->stack_end, 0x7f1280801000);
	assert_int_equal(t1240->guard_size, 0x1000);
	assert_int_equal(t1241->stack_start, 0x7f1290001000);
	assert_int_equal(t1241->stack_end, 0x7f1290021000);
	assert_int_equal(t1241->guard_size, 0x1000);
	model_segments_free(&fx->layout);
}

/* arg_start unknown (0): the whole [stack] is stack. */
static void
test_stack_without_args(void **state)
{
	const struct expect want[] = {
		{ STACK_LO, STACK_HI, SEG_STACK, "[stack]", NULL },
	};
	struct proc_fixture *fx = *state;

	fx_init(fx);
	fx_map(fx, STACK_LO, STACK_HI, "rw-p", 0, 0, "[stack]", NULL);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	assert_int_equal(fx->layout.segs[0].tid, 0);
	model_segments_free(&fx->layout);
}

/* --- (f) kinds from the mapping line --------------------------------- */

#define OLDLIB		0x7f0000100000ULL
#define OLDLIB_PATH	"/usr/lib/liboldld.so.1"
#define NOELF		0x7f0000400000ULL
#define NOELF_PATH	"/usr/lib/libunreadable.so"
#define VDSO		0x7ffff7fc1000ULL

static void
test_kinds(void **state)
{
	const struct expect want[] = {
		{ 0x7f0000000000, 0x7f0000001000, SEG_FILE,
		  "/usr/lib/locale/C.utf8/LC_CTYPE", NULL },
		{ 0x7f0000001000, 0x7f0000002000, SEG_SHM, "/dev/shm/x", NULL },
		{ 0x7f0000002000, 0x7f0000003000, SEG_SHM,
		  "/memfd:x y (deleted)", NULL },
		{ 0x7f0000003000, 0x7f0000004000, SEG_SHM,
		  "/dev/zero (deleted)", NULL },
		{ 0x7f0000004000, 0x7f0000005000, SEG_SHM, "[anon_shmem:pool]",
		  NULL },
		{ 0x7f0000005000, 0x7f0000006000, SEG_ANON, "[anon:jit]",
		  NULL },
		{ 0x7f0000006000, 0x7f0000007000, SEG_FILE,
		  "/tmp/data.bin (deleted)", NULL },
		{ 0x7f0000007000, 0x7f0000008000, SEG_GUARD, "[anon]", NULL },
		{ OLDLIB, OLDLIB + 0x2000, SEG_TEXT, OLDLIB_PATH, ".text" },
		/* the hole between text and data, kept PROT_NONE */
		{ OLDLIB + 0x2000, OLDLIB + 0x201000, SEG_GUARD, OLDLIB_PATH,
		  NULL },
		{ OLDLIB + 0x201000, OLDLIB + 0x202000, SEG_DATA, OLDLIB_PATH,
		  ".data.rel.ro" },
		{ OLDLIB + 0x202000, OLDLIB + 0x202200, SEG_DATA, OLDLIB_PATH,
		  ".data" },
		{ OLDLIB + 0x202200, OLDLIB + 0x203000, SEG_BSS, OLDLIB_PATH,
		  ".bss" },
		/* headers unreadable, but the file has code: kinds by perms */
		{ NOELF, NOELF + 0x1000, SEG_RODATA, NOELF_PATH, NULL },
		{ NOELF + 0x1000, NOELF + 0x3000, SEG_TEXT, NOELF_PATH, NULL },
		{ NOELF + 0x3000, NOELF + 0x4000, SEG_DATA, NOELF_PATH, NULL },
		{ VDSO, VDSO + 0x4000, SEG_VDSO, "[vvar]", NULL },
		{ VDSO + 0x4000, VDSO + 0x6000, SEG_VDSO, "[vvar_vclock]",
		  NULL },
		{ VDSO + 0x6000, VDSO + 0x8000, SEG_VDSO, "[vdso]", NULL },
		{ 0xffffffffff600000, 0xffffffffff601000, SEG_VDSO,
		  "[vsyscall]", NULL },
	};
	struct proc_fixture *fx = *state;
	struct proc_mapping *m;

	fx_init(fx);
	fx_map(fx, 0x7f0000000000, 0x7f0000001000, "r--p", 0, 300,
	    "/usr/lib/locale/C.utf8/LC_CTYPE", NULL);
	fx_map(fx, 0x7f0000001000, 0x7f0000002000, "r--s", 0, 301,
	    "/dev/shm/x", NULL);
	m = fx_map(fx, 0x7f0000002000, 0x7f0000003000, "rw-s", 0, 1026,
	    "/memfd:x y", NULL);
	m->dev_major = 0;
	m->dev_minor = 1;
	m->deleted = true;
	m = fx_map(fx, 0x7f0000003000, 0x7f0000004000, "rw-s", 0, 5,
	    "/dev/zero", NULL);
	m->deleted = true;
	fx_map(fx, 0x7f0000004000, 0x7f0000005000, "rw-s", 0, 6,
	    "[anon_shmem:pool]", NULL);
	fx_map(fx, 0x7f0000005000, 0x7f0000006000, "rw-p", 0, 0,
	    "[anon:jit]", NULL);
	m = fx_map(fx, 0x7f0000006000, 0x7f0000007000, "r--p", 0, 302,
	    "/tmp/data.bin", NULL);
	m->deleted = true;
	fx_map(fx, 0x7f0000007000, 0x7f0000008000, "---p", 0, 0, NULL, NULL);
	fx_map(fx, OLDLIB, OLDLIB + 0x2000, "r-xp", 0x0, 310, OLDLIB_PATH,
	    &oldlib_elf);
	fx_map(fx, OLDLIB + 0x2000, OLDLIB + 0x201000, "---p", 0x2000, 310,
	    OLDLIB_PATH, &oldlib_elf);
	fx_map(fx, OLDLIB + 0x201000, OLDLIB + 0x202000, "r--p", 0x1000, 310,
	    OLDLIB_PATH, &oldlib_elf);
	fx_map(fx, OLDLIB + 0x202000, OLDLIB + 0x203000, "rw-p", 0x2000, 310,
	    OLDLIB_PATH, &oldlib_elf);
	fx_map(fx, NOELF, NOELF + 0x1000, "r--p", 0x0, 320, NOELF_PATH, NULL);
	fx_map(fx, NOELF + 0x1000, NOELF + 0x3000, "r-xp", 0x1000, 320,
	    NOELF_PATH, NULL);
	fx_map(fx, NOELF + 0x3000, NOELF + 0x4000, "rw-p", 0x3000, 320,
	    NOELF_PATH, NULL);
	fx_map(fx, VDSO, VDSO + 0x4000, "r--p", 0, 0, "[vvar]", NULL);
	fx_map(fx, VDSO + 0x4000, VDSO + 0x6000, "r--p", 0, 0,
	    "[vvar_vclock]", NULL);
	fx_map(fx, VDSO + 0x6000, VDSO + 0x8000, "r-xp", 0, 0, "[vdso]", NULL);
	fx_map(fx, 0xffffffffff600000, 0xffffffffff601000, "--xp", 0, 0,
	    "[vsyscall]", NULL);
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	model_segments_free(&fx->layout);
}

/* --- (g) sharing a split mapping's figures ---------------------------- */

#define SHARE		0x7f5500000000ULL
#define SHARE_PATH	"/usr/lib/libshare.so"

static const struct expect share_want[] = {
	{ SHARE, SHARE + 0x1000, SEG_TEXT, SHARE_PATH, ".text" },
	{ SHARE + 0x1000, SHARE + 0x2800, SEG_DATA, SHARE_PATH, ".data" },
	{ SHARE + 0x2800, SHARE + 0x3000, SEG_BSS, SHARE_PATH, ".bss" },
};

/*
 * The RW mapping of libshare: page 0 is all .data (4096 bytes), page 1
 * holds 2048 bytes of .data and 2048 of .bss.
 */
static struct proc_mapping *
add_share(struct proc_fixture *fx)
{
	struct proc_mapping *m;

	m = fx_map(fx, SHARE, SHARE + 0x1000, "r-xp", 0x0, 700, SHARE_PATH,
	    &share_elf);
	m->mem.rss = m->mem.shared_clean = m->mem.referenced = KB(4);
	m->mem.pss = KB(1);
	m = fx_map(fx, SHARE + 0x1000, SHARE + 0x3000, "rw-p", 0x1000, 700,
	    SHARE_PATH, &share_elf);
	m->mem.rss = m->mem.pss = m->mem.private_dirty = KB(4);
	m->mem.referenced = m->mem.anonymous = KB(4);
	m->mem.swap = m->mem.swap_pss = KB(4);
	return m;
}

static void
assert_resident(const struct segment *s, uint64_t resident, uint64_t swap)
{
	assert_int_equal(s->mem.rss, resident);
	assert_int_equal(s->mem.pss, resident);
	assert_int_equal(s->mem.private_dirty, resident);
	assert_int_equal(s->mem.referenced, resident);
	assert_int_equal(s->mem.anonymous, resident);
	assert_int_equal(s->mem.shared_clean, 0);
	assert_int_equal(s->mem.locked, 0);
	assert_int_equal(s->mem.swap, swap);
	assert_int_equal(s->mem.swap_pss, swap);
}

/*
 * Page 0 swapped out, page 1 resident: the 4 KiB resident are the shared
 * page's, half .data and half .bss by bytes; the 4 KiB of swap are .data's.
 */
static void
test_share_by_pagemap(void **state)
{
	struct fake_pagemap pm;
	struct proc_fixture *fx = *state;

	memset(&pm, 0, sizeof(pm));
	pm_range(&pm, SHARE + 0x1000, SHARE + 0x2000, PM_SWAPPED);
	pm_range(&pm, SHARE + 0x2000, SHARE + 0x3000, PM_PRESENT);
	fx_init(fx);
	add_share(fx);
	fx->in.pagemap = fake_pagemap;
	fx->in.ctx = &pm;
	fx_build(fx);
	assert_segments(&fx->layout, share_want, NELEM(share_want));
	/* the unsplit text mapping keeps its figures as they are */
	assert_int_equal(fx->layout.segs[0].mem.rss, KB(4));
	assert_int_equal(fx->layout.segs[0].mem.pss, KB(1));
	assert_int_equal(fx->layout.segs[0].mem.shared_clean, KB(4));
	assert_resident(&fx->layout.segs[1], KB(2), KB(4));
	assert_resident(&fx->layout.segs[2], KB(2), 0);
	assert_true(pm.ncalls >= 1);
	assert_int_equal(pm.last_start, SHARE + 0x1000);
	assert_int_equal(pm.last_npages, 2);
	model_segments_free(&fx->layout);
}

/* Only the all-.data page resident: .bss, half the size, has none of it. */
static void
test_share_by_pagemap_first_page(void **state)
{
	struct fake_pagemap pm;
	struct proc_fixture *fx = *state;
	struct proc_mapping *m;

	memset(&pm, 0, sizeof(pm));
	pm_range(&pm, SHARE + 0x1000, SHARE + 0x2000, PM_PRESENT);
	fx_init(fx);
	m = add_share(fx);
	m->mem.swap = m->mem.swap_pss = 0;
	fx->in.pagemap = fake_pagemap;
	fx->in.ctx = &pm;
	fx_build(fx);
	assert_segments(&fx->layout, share_want, NELEM(share_want));
	assert_resident(&fx->layout.segs[1], KB(4), 0);
	assert_resident(&fx->layout.segs[2], 0, 0);
	model_segments_free(&fx->layout);
}

/* Without pagemap the 4 KiB go by size: 6 KiB of .data, 2 KiB of .bss. */
static void
test_share_by_size(void **state)
{
	struct fake_pagemap pm;
	struct proc_fixture *fx = *state;

	fx_init(fx);
	add_share(fx);
	fx_build(fx);
	assert_segments(&fx->layout, share_want, NELEM(share_want));
	assert_resident(&fx->layout.segs[1], KB(3), KB(3));
	assert_resident(&fx->layout.segs[2], KB(1), KB(1));
	model_segments_free(&fx->layout);

	/* a pagemap that cannot be read is no pagemap */
	memset(&pm, 0, sizeof(pm));
	pm.fail = true;
	fx_init(fx);
	add_share(fx);
	fx->in.pagemap = fake_pagemap;
	fx->in.ctx = &pm;
	fx_build(fx);
	assert_true(pm.ncalls >= 1);
	assert_resident(&fx->layout.segs[1], KB(3), KB(3));
	assert_resident(&fx->layout.segs[2], KB(1), KB(1));
	model_segments_free(&fx->layout);
}

/*
 * The stack: 32 pages of stack, one of arguments, 16 KiB resident. By
 * size the arguments get 1/33 of it, 16384 x 4096 / 135168 = 496.48 bytes
 * (the odd byte goes to the larger remainder, the stack's 15887.52); pagemap
 * says the top four pages are the resident ones, the arguments' among them.
 */
static void
test_share_stack(void **state)
{
	const uint64_t lo = 0x7ffc00000000ULL, hi = lo + 0x21000;
	const struct expect want[] = {
		{ lo, lo + 0x20000, SEG_STACK, "[stack]", NULL },
		{ lo + 0x20000, hi, SEG_ARGS_ENV, "[stack]", NULL },
	};
	struct fake_pagemap pm;
	struct proc_fixture *fx = *state;
	struct proc_mapping *m;

	fx_init(fx);
	m = fx_map(fx, lo, hi, "rw-p", 0, 0, "[stack]", NULL);
	m->mem.rss = m->mem.pss = m->mem.private_dirty = KB(16);
	m->mem.referenced = m->mem.anonymous = KB(16);
	fx->in.arg_start = lo + 0x20000;
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	assert_resident(&fx->layout.segs[0], 15888, 0);
	assert_resident(&fx->layout.segs[1], 496, 0);
	model_segments_free(&fx->layout);

	memset(&pm, 0, sizeof(pm));
	pm_range(&pm, hi - 0x4000, hi, PM_PRESENT);
	fx->in.pagemap = fake_pagemap;
	fx->in.ctx = &pm;
	fx_build(fx);
	assert_segments(&fx->layout, want, NELEM(want));
	assert_resident(&fx->layout.segs[0], KB(12), 0);
	assert_resident(&fx->layout.segs[1], KB(4), 0);
	assert_int_equal(pm.last_start, lo);
	assert_int_equal(pm.last_npages, 0x21);
	model_segments_free(&fx->layout);
}

/*
 * Odd figures in every field, split three ways: whatever the weights, the
 * shares add up (check_invariants) and none is lost to rounding.
 */
static void
test_share_sums(void **state)
{
	struct fake_pagemap pm;
	struct proc_fixture *fx = *state;
	struct proc_mapping *m;

	fx_init(fx);
	add_pie(fx);
	add_share(fx);
	for (size_t i = 0; i < fx->in.nmaps; i++) {
		m = &fx->maps[i];
		for (size_t f = 0; f < MEM_COUNTS_NFIELDS; f++)
			*mem_counts_field(&m->mem, f) = KB(7 * i + 3 * f + 1);
	}
	fx_build(fx);
	model_segments_free(&fx->layout);

	memset(&pm, 0, sizeof(pm));
	pm_range(&pm, PIE_BASE + 0x4000, PIE_BASE + 0x5000,
	    PM_PRESENT | PM_SWAPPED);
	pm_range(&pm, SHARE + 0x2000, SHARE + 0x3000, PM_PRESENT);
	fx->in.pagemap = fake_pagemap;
	fx->in.ctx = &pm;
	fx_build(fx);
	model_segments_free(&fx->layout);
}

/* --- Totals ----------------------------------------------------------- */

/*
 * The PIE, a heap and a stack, every mapping resident in full (pss half
 * of it for the shared text and rodata), shared by size.
 */
static void
add_totals_process(struct proc_fixture *fx)
{
	const uint64_t heap = 0x555555581000ULL;
	struct proc_mapping *m;

	add_pie(fx);
	for (size_t i = 0; i < fx->in.nmaps; i++) {
		m = &fx->maps[i];
		m->mem.rss = KB(4);
		m->mem.pss = i < 3 ? KB(2) : KB(4);
	}
	m = fx_map(fx, heap, heap + 0x21000, "rw-p", 0, 0, "[heap]", NULL);
	m->mem.rss = m->mem.pss = KB(8);
	m = fx_map(fx, STACK_LO, STACK_HI, "rw-p", 0, 0, "[stack]", NULL);
	m->mem.rss = m->mem.pss = KB(16);
	fx->in.arg_start = STACK_HI - 0x1000;
}

static void
test_by_kind(void **state)
{
	struct seg_totals t[SEG_NKINDS];
	struct proc_fixture *fx = *state;

	fx_init(fx);
	add_totals_process(fx);
	fx_build(fx);
	memset(t, 0xff, sizeof(t));
	model_segments_by_kind(&fx->layout, t);

	assert_int_equal(t[SEG_RODATA].size, 0x2000);
	assert_int_equal(t[SEG_RODATA].mem.rss, KB(8));
	assert_int_equal(t[SEG_RODATA].mem.pss, KB(4));
	assert_int_equal(t[SEG_TEXT].size, 0x1000);
	assert_int_equal(t[SEG_TEXT].mem.rss, KB(4));
	assert_int_equal(t[SEG_TEXT].mem.pss, KB(2));
	/*
	 * The relro page, and the RW page's 72 bytes of .data; by size .bss
	 * gets the page's other 4024 bytes.
	 */
	assert_int_equal(t[SEG_DATA].size, 0x1048);
	assert_int_equal(t[SEG_DATA].mem.rss, KB(4) + 72);
	assert_int_equal(t[SEG_DATA].mem.pss, KB(4) + 72);
	assert_int_equal(t[SEG_BSS].size, 0xfb8);
	assert_int_equal(t[SEG_BSS].mem.rss, 4024);
	assert_int_equal(t[SEG_BSS].mem.pss, 4024);
	assert_int_equal(t[SEG_HEAP].size, 0x21000);
	assert_int_equal(t[SEG_HEAP].mem.rss, KB(8));
	/* as in test_share_stack */
	assert_int_equal(t[SEG_STACK].size, 0x20000);
	assert_int_equal(t[SEG_STACK].mem.rss, 15888);
	assert_int_equal(t[SEG_ARGS_ENV].size, 0x1000);
	assert_int_equal(t[SEG_ARGS_ENV].mem.rss, 496);
	for (int k = 0; k < SEG_NKINDS; k++) {
		switch (k) {
		case SEG_RODATA: case SEG_TEXT: case SEG_DATA: case SEG_BSS:
		case SEG_HEAP: case SEG_STACK: case SEG_ARGS_ENV:
			continue;
		}
		if (t[k].size != 0 || t[k].mem.rss != 0 || t[k].mem.swap != 0)
			fail_msg("kind %s is not empty", seg_kind_name(k));
	}
	model_segments_free(&fx->layout);
}

static void
test_by_object(void **state)
{
	struct seg_object_totals *v;
	struct proc_fixture *fx = *state;
	size_t n;

	fx_init(fx);
	add_totals_process(fx);
	fx_build(fx);
	n = model_segments_by_object(&fx->layout, &v);
	assert_int_equal(n, 3);

	/* in order of first appearance */
	assert_string_equal(v[0].object, PIE_PATH);
	assert_ptr_equal(v[0].object, fx->layout.segs[0].object);
	assert_int_equal(v[0].size, 0x5000);
	assert_int_equal(v[0].mem.rss, KB(20));
	assert_int_equal(v[0].mem.pss, KB(14));
	assert_int_equal(v[0].kind_size[SEG_RODATA], 0x2000);
	assert_int_equal(v[0].kind_size[SEG_TEXT], 0x1000);
	assert_int_equal(v[0].kind_size[SEG_DATA], 0x1048);
	assert_int_equal(v[0].kind_size[SEG_BSS], 0xfb8);
	assert_int_equal(v[0].kind_size[SEG_HEAP], 0);

	assert_string_equal(v[1].object, "[heap]");
	assert_int_equal(v[1].size, 0x21000);
	assert_int_equal(v[1].mem.rss, KB(8));
	assert_int_equal(v[1].kind_size[SEG_HEAP], 0x21000);

	assert_string_equal(v[2].object, "[stack]");
	assert_int_equal(v[2].size, 0x21000);
	assert_int_equal(v[2].mem.rss, KB(16));
	assert_int_equal(v[2].kind_size[SEG_STACK], 0x20000);
	assert_int_equal(v[2].kind_size[SEG_ARGS_ENV], 0x1000);
	free(v);
	model_segments_free(&fx->layout);
}

/*
 * Many objects, each met twice far apart: one row each, in order of first
 * appearance, with both ranges summed.
 */
static void
test_by_object_many(void **state)
{
	enum { NFILES = 100 };
	static char paths[NFILES][32];
	struct proc_fixture *fx = *state;
	struct seg_object_totals *v;
	struct proc_mapping *m;
	uint64_t at = 0x7f0000000000ULL;
	size_t n;

	fx_init(fx);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < NFILES; i++) {
			snprintf(paths[i], sizeof(paths[i]), "/data/f%d", i);
			m = fx_map(fx, at, at + 0x2000, "r--p", 0,
			    1000 + (uint64_t)i, paths[i], NULL);
			m->mem.rss = KB(4 + pass);
			at += 0x3000;
		}
	}
	fx_build(fx);
	n = model_segments_by_object(&fx->layout, &v);
	for (size_t i = 0; i < n && i < NFILES; i++) {
		char want[32];

		snprintf(want, sizeof(want), "/data/f%zu", i);
		if (strcmp(v[i].object, want) != 0 || v[i].size != 0x4000 ||
		    v[i].kind_size[SEG_FILE] != 0x4000 ||
		    v[i].mem.rss != KB(9)) {
			free(v);
			fail_msg("object %zu is wrong", i);
		}
	}
	free(v);
	assert_int_equal(n, NFILES);
}

/* An empty process (a zombie) is an empty layout. */
static void
test_empty(void **state)
{
	struct seg_object_totals *v = NULL;
	struct proc_fixture *fx = *state;

	fx_init(fx);
	fx_build(fx);
	assert_int_equal(fx->layout.nsegs, 0);
	assert_int_equal(model_segments_by_object(&fx->layout, &v), 0);
	free(v);
	model_segments_free(&fx->layout);
	assert_null(fx->layout.segs);
	assert_int_equal(fx->layout.nsegs, 0);
}

static void
test_kind_names(void **state)
{
	static const char *const names[SEG_NKINDS] = {
		"text", "rodata", "data", "bss", "heap", "stack",
		"thread-stack", "guard", "args-env", "vdso", "anon", "file",
		"shm",
	};

	(void)state;
	for (int k = 0; k < SEG_NKINDS; k++) {
		assert_string_equal(seg_kind_name(k), names[k]);
		assert_int_equal(seg_kind_from_name(names[k]), k);
		assert_int_equal(seg_kind_from_name(seg_kind_name(k)), k);
	}
	assert_string_equal(seg_kind_name(SEG_NKINDS), "?");
	assert_int_equal(seg_kind_from_name("?"), -1);
	assert_int_equal(seg_kind_from_name(""), -1);
	assert_int_equal(seg_kind_from_name("Text"), -1);
	assert_int_equal(seg_kind_from_name("thread_stack"), -1);
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_pie_relro),
		FX_TEST(test_pie_two_instances),
		FX_TEST(test_bss_anonymous),
		FX_TEST(test_bss_in_heap),
		FX_TEST(test_bss_not_adjacent),
		FX_TEST(test_bss_unread_object),
		FX_TEST(test_page_size),
		FX_TEST(test_stacks_and_arenas),
		FX_TEST(test_stack_without_args),
		FX_TEST(test_kinds),
		FX_TEST(test_share_by_pagemap),
		FX_TEST(test_share_by_pagemap_first_page),
		FX_TEST(test_share_by_size),
		FX_TEST(test_share_stack),
		FX_TEST(test_share_sums),
		FX_TEST(test_by_kind),
		FX_TEST(test_by_object),
		FX_TEST(test_by_object_many),
		FX_TEST(test_empty),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

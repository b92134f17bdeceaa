/* SPDX-License-Identifier: ISC */
/*
 * The shim's half of memscope attach's hooks on the allocator's function
 * entries (the protocol is in src/wire/detour-table.h): the table from which
 * memscope patches, filled as the shim is attached. Patching the entries
 * themselves is memscope's work, done with every thread stopped; the shim
 * only says where they are, what to jump to and where there is room for
 * a trampoline within reach of a rel32 jump.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "detour-table.h"
#include "shim.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define PAGE		4096u
#define MIB		(1ull << 20)
/*
 * How far a patch area may be from an entry: well within the 2 GiB of a
 * rel32 jump, so that the relocated instructions' own rip-relative
 * operands (into the same object) stay within reach from the area too.
 */
#define REACH		(1ull << 30)

_Static_assert(MS_DETOURS * MS_DETOUR_AREA <= PAGE,
    "one page holds the patch areas of every entry");

SHIM_EXPORT struct ms_detour memscope_detours[MS_DETOURS];

/* The functions whose entries memscope patches: the allocator's. */
static const struct {
	const char	*name;
	void		*real;		/* the shim's pointer to it */
} detoured[] = {
	{ "malloc", &shim.real.malloc },
	{ "free", &shim.real.free },
	{ "calloc", &shim.real.calloc },
	{ "realloc", &shim.real.realloc },
	{ "reallocarray", &shim.real.reallocarray },
	{ "memalign", &shim.real.memalign },
	{ "posix_memalign", &shim.real.posix_memalign },
	{ "aligned_alloc", &shim.real.aligned_alloc },
	{ "valloc", &shim.real.valloc },
	{ "pvalloc", &shim.real.pvalloc },
};
#define NDETOURED	(sizeof(detoured) / sizeof(detoured[0]))

_Static_assert(NDETOURED <= MS_DETOURS, "the table holds every function");

static uint64_t
distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/*
 * A page for patch areas within REACH of entry: one already mapped for
 * another entry, or a new one, read-only and executable (memscope writes
 * it through ptrace), at the first free MiB below or above the entry.
 * Entry i's area is at i * MS_DETOUR_AREA in whichever page it uses.
 */
static uint64_t
area_page(uint64_t entry)
{
	for (size_t i = 0; i < MS_DETOURS; i++) {
		uint64_t page = memscope_detours[i].area & ~(uint64_t)(PAGE - 1);

		if (page != 0 && distance(page, entry) < REACH - PAGE)
			return page;
	}
	for (uint64_t step = 1; step < REACH / MIB; step++)
		for (int side = 0; side < 2; side++) {
			uint64_t base = entry & ~(MIB - 1), hint;
			void *p;

			if (side == 0 && base < (step + 1) * MIB)
				continue;
			hint = side == 0 ? base - step * MIB : base + step * MIB;
			p = shim.real.mmap((void *)hint, PAGE, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED)
				continue;
			/* a kernel that took the flag for a mere hint */
			if ((uint64_t)p != hint) {
				shim.real.munmap(p, PAGE);
				continue;
			}
			return hint;
		}
	return 0;
}

void
detours_prepare(void)
{
	for (size_t i = 0; i < NDETOURED; i++) {
		struct ms_detour *d = &memscope_detours[i];
		size_t size;
		uint64_t page;

		/* kept from an attach before: the entries have not moved */
		if (d->entry != 0)
			continue;
		d->entry = (uint64_t)dynsym_lookup_sized(detoured[i].name, &size);
		d->size = size;
		d->hook = got_own(detoured[i].name);
		d->real = (uint64_t)detoured[i].real;
		strncpy(d->name, detoured[i].name, sizeof(d->name) - 1);
		if (d->entry == 0 || d->hook == 0 ||
		    (page = area_page(d->entry)) == 0) {
			/* nothing to patch: calls are seen through the GOT only */
			d->entry = 0;
			continue;
		}
		d->area = page + i * MS_DETOUR_AREA;
	}
}

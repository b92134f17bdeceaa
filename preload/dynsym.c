/* SPDX-License-Identifier: ISC */
/*
 * A function exported by a loaded object, found by reading the objects'
 * dynamic symbol tables (their GNU or SysV hash tables) rather than with
 * dlsym. A dlsym that fails makes glibc record the error for dlerror, and
 * frees the error the program left there: a block of the program's freed
 * inside libc, unseen. Reading the tables allocates and frees nothing and
 * leaves dlerror to the program.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "shim.h"

struct lookup {
	const char	*name;
	uint32_t	 gnu_hash;
	uint32_t	 sysv_hash;
	void		*found;
	size_t		 size;
};

static uint32_t
gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint32_t
sysv_hash(const char *s)
{
	uint32_t h = 0, g;

	for (; *s != '\0'; s++) {
		h = (h << 4) + (unsigned char)*s;
		if ((g = h & 0xf0000000u) != 0)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/*
 * A dynamic entry's address: glibc's loader relocates the table pointers
 * of the dynamic section in place on most architectures, not on all.
 */
static uintptr_t
dyn_addr(const struct dl_phdr_info *info, uintptr_t v)
{
	return v < info->dlpi_addr ? v + info->dlpi_addr : v;
}

static bool
is_match(const struct lookup *l, const ElfW(Sym) *sym, const char *strtab)
{
	unsigned type = ELF64_ST_TYPE(sym->st_info);

	return sym->st_shndx != SHN_UNDEF && sym->st_value != 0 &&
	    (type == STT_FUNC || type == STT_GNU_IFUNC) &&
	    strcmp(strtab + sym->st_name, l->name) == 0;
}

static const ElfW(Sym) *
find_gnu(const struct lookup *l, const uint32_t *table, const ElfW(Sym) *symtab,
    const char *strtab)
{
	uint32_t nbuckets = table[0], symoffset = table[1], bloom_size = table[2];
	const ElfW(Addr) *bloom = (const void *)&table[4];
	const uint32_t *buckets = (const void *)&bloom[bloom_size];
	const uint32_t *chain = &buckets[nbuckets];
	uint32_t i;

	if (nbuckets == 0 || (i = buckets[l->gnu_hash % nbuckets]) < symoffset)
		return NULL;
	for (;; i++) {
		uint32_t h = chain[i - symoffset];

		if ((h | 1) == (l->gnu_hash | 1) && is_match(l, &symtab[i], strtab))
			return &symtab[i];
		if (h & 1)
			return NULL;
	}
}

static const ElfW(Sym) *
find_sysv(const struct lookup *l, const uint32_t *table, const ElfW(Sym) *symtab,
    const char *strtab)
{
	uint32_t nbuckets = table[0];
	const uint32_t *buckets = &table[2], *chain = &buckets[nbuckets];

	if (nbuckets == 0)
		return NULL;
	for (uint32_t i = buckets[l->sysv_hash % nbuckets]; i != STN_UNDEF;
	    i = chain[i])
		if (is_match(l, &symtab[i], strtab))
			return &symtab[i];
	return NULL;
}

static int
search_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct lookup *l = arg;
	const ElfW(Dyn) *dyn = NULL;
	const uint32_t *gnu = NULL, *sysv = NULL;
	const ElfW(Sym) *symtab = NULL, *sym = NULL;
	const char *strtab = NULL;
	uintptr_t start, end;

	(void)size;
	/* the shim's own definitions are never the ones looked for */
	object_span(info, &start, &end);
	if ((uintptr_t)search_object >= start && (uintptr_t)search_object < end)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr +
			    info->dlpi_phdr[i].p_vaddr);
	if (dyn == NULL)
		return 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t a = dyn_addr(info, dyn->d_un.d_ptr);

		switch (dyn->d_tag) {
		case DT_GNU_HASH:
			gnu = (const void *)a;
			break;
		case DT_HASH:
			sysv = (const void *)a;
			break;
		case DT_SYMTAB:
			symtab = (const void *)a;
			break;
		case DT_STRTAB:
			strtab = (const void *)a;
			break;
		}
	}
	if (symtab == NULL || strtab == NULL)
		return 0;
	if (gnu != NULL)
		sym = find_gnu(l, gnu, symtab, strtab);
	else if (sysv != NULL)
		sym = find_sysv(l, sysv, symtab, strtab);
	if (sym == NULL)
		return 0;
	l->found = (void *)(info->dlpi_addr + sym->st_value);
	l->size = sym->st_size;
	if (ELF64_ST_TYPE(sym->st_info) == STT_GNU_IFUNC) {
		l->found = ((void *(*)(void))l->found)();
		l->size = 0;	/* the resolver's size, not the function's */
	}
	return 1;
}

void *
dynsym_lookup_sized(const char *name, size_t *size)
{
	struct lookup l = { .name = name, .gnu_hash = gnu_hash(name),
	    .sysv_hash = sysv_hash(name) };

	dl_iterate_phdr(search_object, &l);
	if (size != NULL)
		*size = l.found != NULL ? l.size : 0;
	return l.found;
}

void *
dynsym_lookup(const char *name)
{
	return dynsym_lookup_sized(name, NULL);
}

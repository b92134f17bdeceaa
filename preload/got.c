/* SPDX-License-Identifier: ISC */
/*
 * Hooks by GOT: how the shim catches the allocation calls of a process it
 * joined late (memscope attach), where LD_PRELOAD's interposition is too
 * late. Every loaded object calls malloc & co. through its global offset
 * table; the slots of the functions the shim wraps get the shim's own
 * definitions, and the values they had are kept to be put back on detach.
 * A slot in the read-only part (RELRO) is made writable for the moment of
 * the write. Each store is one aligned word: a thread calling through the
 * slot meanwhile gets the old function or the new one, never half of each.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

static const char *const hooked[] = {
	"malloc", "free", "calloc", "realloc", "reallocarray", "memalign",
	"posix_memalign", "aligned_alloc", "valloc", "pvalloc", "mmap",
	"mmap64", "munmap", "mremap", "dlopen", "dlclose",
};
#define NHOOKED	(sizeof(hooked) / sizeof(hooked[0]))

/* The shim's own definitions of hooked[] (not the program's). */
static uintptr_t ours[NHOOKED];

struct got_patch {
	uintptr_t	 slot;
	uintptr_t	 old;
	uintptr_t	 object;	/* the load address of its object */
	bool		 relro;		/* in the part made read-only */
};

static pthread_mutex_t got_lock = PTHREAD_MUTEX_INITIALIZER;
static struct got_patch *patches;	/* mapped: the shim's malloc is not ours to use */
static size_t npatches, patches_cap;

static bool
patches_grow(void)
{
	size_t cap = patches_cap ? 2 * patches_cap : 512;
	void *p = shim.real.mmap(NULL, cap * sizeof(*patches),
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return false;
	if (patches != NULL) {
		memcpy(p, patches, npatches * sizeof(*patches));
		shim.real.munmap(patches, patches_cap * sizeof(*patches));
	}
	patches = p;
	patches_cap = cap;
	return true;
}

bool
got_init(void)
{
	Dl_info info;
	void *self;

	/* a lookup in the shim's own handle finds its definitions first */
	if (dladdr((void *)&got_init, &info) == 0 || info.dli_fname == NULL ||
	    (self = shim.real.dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD)) == NULL)
		return false;
	for (size_t i = 0; i < NHOOKED; i++) {
		/* not exported (hooks-dl.c): the shim's own, by address */
		if (strcmp(hooked[i], "dlopen") == 0)
			ours[i] = (uintptr_t)got_dlopen;
		else if (strcmp(hooked[i], "dlclose") == 0)
			ours[i] = (uintptr_t)got_dlclose;
		else
			ours[i] = (uintptr_t)dlsym(self, hooked[i]);
	}
	shim.real.dlclose(self);
	return ours[0] != 0;
}

uintptr_t
got_own(const char *name)
{
	for (size_t i = 0; i < NHOOKED; i++)
		if (strcmp(hooked[i], name) == 0)
			return ours[i];
	return 0;
}

/* Write value into slot, through RELRO's protection if it is there. */
static void
write_slot(uintptr_t slot, uintptr_t value, bool relro)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t base = slot & ~(uintptr_t)(page - 1);

	if (relro && mprotect((void *)base, (size_t)page, PROT_READ | PROT_WRITE) != 0)
		return;
	__atomic_store_n((uintptr_t *)slot, value, __ATOMIC_RELEASE);
	if (relro)
		mprotect((void *)base, (size_t)page, PROT_READ);
}

struct dyn_tables {
	const ElfW(Sym)	*symtab;
	const char	*strtab;
	const ElfW(Rela) *rel[2];
	size_t		 nrel[2];
};

/* An address from the dynamic section: ld.so made most absolute, not all. */
static uintptr_t
dyn_addr(uintptr_t bias, ElfW(Addr) v)
{
	return v < bias ? bias + v : v;
}

static bool
dyn_tables(const struct dl_phdr_info *info, const ElfW(Dyn) *dyn,
    struct dyn_tables *t)
{
	size_t relasz = 0, pltsz = 0;

	memset(t, 0, sizeof(*t));
	for (; dyn->d_tag != DT_NULL; dyn++)
		switch (dyn->d_tag) {
		case DT_SYMTAB:
			t->symtab = (const void *)dyn_addr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_STRTAB:
			t->strtab = (const void *)dyn_addr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_RELA:
			t->rel[0] = (const void *)dyn_addr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_RELASZ:
			relasz = dyn->d_un.d_val;
			break;
		case DT_JMPREL:
			t->rel[1] = (const void *)dyn_addr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_PLTRELSZ:
			pltsz = dyn->d_un.d_val;
			break;
		}
	t->nrel[0] = t->rel[0] != NULL ? relasz / sizeof(ElfW(Rela)) : 0;
	t->nrel[1] = t->rel[1] != NULL ? pltsz / sizeof(ElfW(Rela)) : 0;
	return t->symtab != NULL && t->strtab != NULL;
}

/* Is the object at info one of memscope's, or the loader, or the vdso? */
static bool
skipped(const struct dl_phdr_info *info)
{
	uintptr_t start, end;
	const char *name = info->dlpi_name;

	object_span(info, &start, &end);
	if ((shim.self_start >= start && shim.self_start < end) ||
	    (shim.unwind_start >= start && shim.unwind_start < end))
		return true;
	return name != NULL && (strstr(name, "linux-vdso") != NULL ||
	    strstr(name, "/ld-linux") != NULL);
}

static int
hook_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	const ElfW(Dyn) *dyn = NULL;
	uintptr_t relro_start = 0, relro_end = 0;
	struct dyn_tables t;

	(void)size;
	(void)arg;
	if (skipped(info))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr + ph->p_vaddr);
		else if (ph->p_type == PT_GNU_RELRO) {
			relro_start = info->dlpi_addr + ph->p_vaddr;
			relro_end = relro_start + ph->p_memsz;
		}
	}
	if (dyn == NULL || !dyn_tables(info, dyn, &t))
		return 0;
	for (int k = 0; k < 2; k++)
		for (size_t r = 0; r < t.nrel[k]; r++) {
			const ElfW(Rela) *rel = &t.rel[k][r];
			unsigned type = (unsigned)ELF64_R_TYPE(rel->r_info);
			const char *name;
			uintptr_t slot;

			if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
				continue;
			name = t.strtab + t.symtab[ELF64_R_SYM(rel->r_info)].st_name;
			for (size_t h = 0; h < NHOOKED; h++) {
				if (strcmp(name, hooked[h]) != 0 || ours[h] == 0)
					continue;
				slot = info->dlpi_addr + rel->r_offset;
				if (*(const uintptr_t *)slot == ours[h] ||
				    (npatches == patches_cap && !patches_grow()))
					break;
				patches[npatches++] = (struct got_patch){ slot,
				    *(const uintptr_t *)slot, info->dlpi_addr,
				    slot >= relro_start && slot < relro_end };
				write_slot(slot, ours[h], patches[npatches - 1].relro);
				break;
			}
		}
	return 0;
}

void
got_hook_all(void)
{
	pthread_mutex_lock(&got_lock);
	dl_iterate_phdr(hook_object, NULL);
	pthread_mutex_unlock(&got_lock);
}

/* The load addresses of the objects loaded now. */
struct loaded {
	uintptr_t	 addr[1024];
	size_t		 n;
};

static int
note_loaded(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loaded *l = arg;

	(void)size;
	if (l->n < sizeof(l->addr) / sizeof(l->addr[0]))
		l->addr[l->n++] = info->dlpi_addr;
	return 0;
}

static struct loaded loaded;	/* 8 KiB: not on a borrowed thread's stack */

/*
 * Forget the patches of objects no longer loaded (their memory may hold
 * another object by now); with restore, put the others' old values back.
 * Called with got_lock held.
 */
static void
sweep(bool restore)
{
	size_t kept = 0;

	loaded.n = 0;
	dl_iterate_phdr(note_loaded, &loaded);
	for (size_t i = 0; i < npatches; i++) {
		bool present = false;

		for (size_t k = 0; k < loaded.n && !present; k++)
			present = loaded.addr[k] == patches[i].object;
		if (present && restore)
			write_slot(patches[i].slot, patches[i].old, patches[i].relro);
		else if (present)
			patches[kept++] = patches[i];
	}
	npatches = kept;
}

void
got_forget_unloaded(void)
{
	pthread_mutex_lock(&got_lock);
	sweep(false);
	pthread_mutex_unlock(&got_lock);
}

void
got_unhook_all(void)
{
	pthread_mutex_lock(&got_lock);
	sweep(true);
	npatches = 0;
	pthread_mutex_unlock(&got_lock);
}

/* SPDX-License-Identifier: ISC */
/*
 * The loaded objects, reported at start and whenever the loader's counts
 * of objects added and removed have moved, looked at before each new
 * stack is sent (and at the end), so that the analyzer can turn addresses
 * into module+offset (and symbols) even after the process is gone. The
 * shim does not stand between dlopen and its caller: glibc finds the
 * calling object from dlopen's return address, and searches its RUNPATH
 * ($ORIGIN) and namespace, which a wrapper would make the shim's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "producer.h"
#include "shim.h"

#define MODULES_MAX	4096

struct known {
	uintptr_t	 base;
	uintptr_t	 start;
	bool		 present;
};

/* Rescans come from dlopen and dlclose in any thread: a slow path, locked. */
static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct known known[MODULES_MAX];
static size_t nknown;

/* The loader's counts (dlpi_adds, dlpi_subs) at the last scan. */
struct load_counts {
	unsigned long long adds;
	unsigned long long subs;
};

static _Atomic unsigned long long scanned_adds, scanned_subs;

static bool
read_counts(const struct dl_phdr_info *info, size_t size, struct load_counts *c)
{
	if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs))
		return false;
	c->adds = info->dlpi_adds;
	c->subs = info->dlpi_subs;
	return true;
}

struct module_rec {
	struct ms_ev_module	ev;
	char			path[MS_PATH_MAX];
};

void
object_span(const struct dl_phdr_info *info, uintptr_t *start, uintptr_t *end)
{
	*start = UINTPTR_MAX;
	*end = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < *start)
			*start = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > *end)
			*end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
}

/* The GNU build-id note, read from the object's memory. */
static void
build_id(const struct dl_phdr_info *info, struct ms_ev_module *ev)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
			const char *name = p + sizeof(*n);
			const char *desc = name + ((n->n_namesz + 3) & ~3u);

			if (desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 &&
			    n->n_descsz <= sizeof(ev->build_id)) {
				memcpy(ev->build_id, desc, n->n_descsz);
				ev->build_id_len = n->n_descsz;
				return;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
}

static void
send_module(const struct dl_phdr_info *info, uintptr_t start, uintptr_t end,
    uint32_t op)
{
	static struct module_rec rec;	/* under modules_lock */
	const char *name = info->dlpi_name;
	size_t len;

	memset(&rec.ev, 0, sizeof(rec.ev));
	rec.ev.hdr.type = MS_EV_MODULE;
	rec.ev.base = info->dlpi_addr;
	rec.ev.start = start;
	rec.ev.end = end;
	rec.ev.op = op;
	if (name == NULL || name[0] == '\0') {
		/* the main program has no name here */
		ssize_t n = readlink("/proc/self/exe", rec.path, sizeof(rec.path));

		len = n > 0 ? (size_t)n : 0;
	} else {
		len = strnlen(name, sizeof(rec.path));
		memcpy(rec.path, name, len);
	}
	rec.ev.path_len = (uint32_t)len;
	if (op == MS_MODULE_LOADED)
		build_id(info, &rec.ev);
	producer_emit(&rec, MS_RECORD_ALIGN((uint32_t)(sizeof(rec.ev) + len)));
}

static void
send_unloaded(const struct known *k)
{
	struct ms_ev_module ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = MS_EV_MODULE;
	ev.base = k->base;
	ev.start = k->start;
	ev.op = MS_MODULE_UNLOADED;
	producer_emit(&ev, sizeof(ev));
}

static int
scan_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t start, end;
	size_t i;

	read_counts(info, size, arg);
	object_span(info, &start, &end);
	if (end == 0)
		return 0;
	for (i = 0; i < nknown; i++)
		if (known[i].base == info->dlpi_addr && known[i].start == start)
			break;
	if (i < nknown) {
		known[i].present = true;
		return 0;
	}
	if (nknown < MODULES_MAX)
		known[nknown++] = (struct known){ info->dlpi_addr, start, true };
	send_module(info, start, end, MS_MODULE_LOADED);
	return 0;
}

/* Report objects loaded since the last scan, and those gone since. */
void
modules_scan(void)
{
	struct load_counts counts = { 0, 0 };

	pthread_mutex_lock(&modules_lock);
	for (size_t i = 0; i < nknown; i++)
		known[i].present = false;
	dl_iterate_phdr(scan_one, &counts);
	atomic_store(&scanned_adds, counts.adds);
	atomic_store(&scanned_subs, counts.subs);
	for (size_t i = 0; i < nknown;) {
		if (known[i].present) {
			i++;
			continue;
		}
		send_unloaded(&known[i]);
		known[i] = known[--nknown];
	}
	pthread_mutex_unlock(&modules_lock);
}

static int
first_counts(struct dl_phdr_info *info, size_t size, void *arg)
{
	return read_counts(info, size, arg) ? 1 : -1;
}

/*
 * Not from a signal handler that interrupted the shim: the loader's lock
 * or ours may be held by what it interrupted.
 */
void
modules_check(void)
{
	struct load_counts now;

	if (shim_self.in_hook > 1 || dl_iterate_phdr(first_counts, &now) != 1)
		return;
	if (now.adds != atomic_load(&scanned_adds) ||
	    now.subs != atomic_load(&scanned_subs))
		modules_scan();
}

/*
 * In a fork child: the list belongs to the parent's ring, and the lock may
 * have been held by a thread that the child does not have.
 */
void
modules_forget(void)
{
	pthread_mutex_init(&modules_lock, NULL);
	nknown = 0;
}

static int
find_ranges(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t start, end;
	uintptr_t self = (uintptr_t)&modules_find_self;
	uintptr_t unwind = (uintptr_t)arg;

	(void)size;
	object_span(info, &start, &end);
	if (self >= start && self < end) {
		shim.self_start = start;
		shim.self_end = end;
	}
	if (unwind >= start && unwind < end) {
		shim.unwind_start = start;
		shim.unwind_end = end;
	}
	return 0;
}

/*
 * The shim's own address range, whose frames stacks leave out, and
 * libunwind's, whose calls (its per-thread caches, mapped and unmapped
 * behind the program's back) are not the program's.
 */
void
modules_find_self(void)
{
	dl_iterate_phdr(find_ranges, (void *)(uintptr_t)&unw_backtrace);
}

/* SPDX-License-Identifier: ISC */
/* The leak source (see source-leaks.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "leak-roots.h"
#include "leak-scan.h"
#include "model-leaks.h"
#include "proc.h"
#include "proc-mem.h"
#include "protocol.h"
#include "source-leaks.h"
#include "source-proc.h"
#include "xmalloc.h"

static void
read_target(void *ctx, const struct leak_io *io, size_t n, void *dst)
{
	pid_t tid = *(const pid_t *)ctx;
	struct proc_mem_range r[256];
	uint8_t *out = dst;

	while (n > 0) {
		size_t k = n < 256 ? n : 256, len = 0;

		for (size_t i = 0; i < k; i++) {
			r[i] = (struct proc_mem_range){ io[i].addr, io[i].len };
			len += io[i].len;
		}
		proc_mem_gather(tid, r, k, out);
		out += len;
		io += k;
		n -= k;
	}
}

/* Copy the target's heap to scan it when it takes at most half the free memory. */
static uint64_t
copy_limit(void)
{
	long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / 2 : 0;
}

/*
 * A thread the check could not stop or read may hold a pointer to any
 * block in its registers: what the scan found unreached is possibly lost,
 * never definitely (nor indirectly) lost.
 */
static void
unseen_reach(struct leak_verdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == LEAK_DEFINITELY || v[i].kind == LEAK_INDIRECTLY) {
			v[i].kind = LEAK_POSSIBLY;
			v[i].indirect_bytes = 0;
		}
}

/* The text of pid's maps (to tell whether its layout moved), or NULL. */
static char *
maps_text(pid_t pid)
{
	struct proc p;
	struct buf b = { 0 };
	char *text = NULL;

	if (proc_open(&p, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&p, "maps", &b) == PROC_OK)
		text = xstrdup(b.data);
	buf_free(&b);
	proc_close(&p);
	return text;
}

/* The layout through tid into l->snapshot; false, with why. */
static bool
read_layout(struct leak_layout *l, pid_t pid, pid_t tid, char *why,
    size_t whylen)
{
	struct source_proc_error err;

	if (source_proc_snapshot_via(PROC_ROOT, pid, tid, &l->snapshot, &err) !=
	    SOURCE_PROC_OK) {
		snprintf(why, whylen, "cannot read the layout of process %d (%s)",
		    (int)pid, err.file);
		return false;
	}
	return true;
}

bool
source_leaks_layout_read(struct leak_layout *l, pid_t pid, char *why,
    size_t whylen)
{
	memset(l, 0, sizeof(*l));
	l->maps = maps_text(pid);
	if (!read_layout(l, pid, pid, why, whylen)) {
		source_leaks_layout_free(l);
		return false;
	}
	return true;
}

bool
source_leaks_layout_recheck(struct leak_layout *l, pid_t pid, pid_t tid,
    char *why, size_t whylen)
{
	char *now = maps_text(pid);
	bool moved = l->maps == NULL || now == NULL ||
	    strcmp(l->maps, now) != 0;

	free(now);
	if (!moved)
		return true;
	model_process_free(&l->snapshot);
	if (!read_layout(l, pid, tid, why, whylen)) {
		source_leaks_layout_free(l);
		return false;
	}
	return true;
}

void
source_leaks_layout_free(struct leak_layout *l)
{
	model_process_free(&l->snapshot);
	free(l->maps);
	l->maps = NULL;
}

bool
source_leaks_scan(struct process *p, const struct leak_target *end,
    const struct leak_check_opts *opts, const struct leak_range *excluded,
    size_t nexcluded, char *why, size_t whylen)
{
	struct process snap;
	struct source_proc_error err;

	if (source_proc_snapshot_via(PROC_ROOT, end->pid, end->tid, &snap, &err) !=
	    SOURCE_PROC_OK) {
		snprintf(why, whylen, "cannot read the layout of process %d at its "
		    "end (%s%s%s)", (int)end->pid, err.file,
		    err.err != 0 ? ": " : "", err.err != 0 ? strerror(err.err) : "");
		return false;
	}
	source_leaks_scan_layout(p, end, opts, excluded, nexcluded, &snap);
	return true;
}

/*
 * The allocator's own mappings, from the shim's log in the process at
 * at (struct ms_alloc_maps): false if there is none, or it cannot be
 * trusted (it overflowed, or an entry was being written), as an
 * unmapping it lacks could leave memory that is not the allocator's
 * taken for it. *found: there is a log there (memscope's memory, never
 * roots: it holds the addresses of the allocator's mappings).
 */
static bool
read_alloc_maps(pid_t tid, uint64_t at, struct mapping_set *out, bool *found)
{
	struct ms_alloc_maps head;
	struct ms_alloc_map *v;
	struct leak_io io = { at, sizeof(head) };
	bool ok = true;

	memset(out, 0, sizeof(*out));
	*found = false;
	if (at == 0)
		return false;
	read_target(&tid, &io, 1, &head);
	if (head.magic != MS_ALLOC_MAPS_MAGIC || head.capacity !=
	    (MS_ALLOC_MAPS_SIZE - sizeof(head)) / sizeof(*v))
		return false;
	*found = true;
	if (head.taken > head.capacity)
		return false;
	if (head.taken == 0)
		return true;
	v = xreallocarray(NULL, (size_t)head.taken, sizeof(*v));
	io = (struct leak_io){ at + sizeof(head), (size_t)head.taken * sizeof(*v) };
	read_target(&tid, &io, 1, v);
	for (uint64_t i = 0; i < head.taken && ok; i++) {
		/* an entry being written, or damage: not to be trusted */
		ok = v[i].done == 1 &&
		    (v[i].op == MS_ALLOC_MAP || v[i].op == MS_ALLOC_UNMAP);
		if (ok && v[i].op == MS_ALLOC_MAP)
			model_mappings_mmap(out, v[i].addr, v[i].len,
			    MAP_PRIVATE | MAP_ANONYMOUS);
		else if (ok)
			model_mappings_munmap(out, v[i].addr, v[i].len);
	}
	free(v);
	if (!ok)
		model_mappings_free(out);
	return ok;
}

void
source_leaks_scan_layout(struct process *p, const struct leak_target *end,
    const struct leak_check_opts *opts, const struct leak_range *excluded,
    size_t nexcluded, struct process *snapshot)
{
	uint64_t t0 = clock_monotonic_ns() / 1000;
	struct process snap = *snapshot;
	struct leak_block *blocks;
	uint64_t *stacks;
	uint8_t *mmapped;
	struct leak_verdict *verdicts;
	struct leak_roots roots;
	struct leak_scan_stats stats;
	struct leak_range *excl;
	struct mapping_set allocator;
	bool log_found;
	pid_t tid = end->tid;
	size_t n;

	n = model_leaks_blocks(&p->heap, &blocks, &stacks, &mmapped);
	/* the log itself names the allocator's memory: not roots */
	excl = xreallocarray(NULL, nexcluded + 1, sizeof(*excl));
	if (nexcluded > 0)
		memcpy(excl, excluded, nexcluded * sizeof(*excl));
	(void)read_alloc_maps(tid, p->alloc_maps, &allocator, &log_found);
	if (log_found)
		excl[nexcluded++] = (struct leak_range){ p->alloc_maps,
		    p->alloc_maps + MS_ALLOC_MAPS_SIZE };
	leak_roots_build(&(struct leak_roots_input){ .layout = &snap.layout,
	    .stacks = end->stacks, .nstacks = end->nstacks, .blocks = blocks,
	    .nblocks = n, .mmapped = mmapped, .own = &p->own_maps,
	    .allocator = &allocator, .shim_path = opts->shim_path,
	    .excluded = excl, .nexcluded = nexcluded, .partial = opts->partial,
	    .read = read_target, .ctx = &tid }, &roots);
	free(excl);
	model_mappings_free(&allocator);
	verdicts = xreallocarray(NULL, n + 1, sizeof(*verdicts));
	leak_scan(&(struct leak_scan_input){ .blocks = blocks, .nblocks = n,
	    .roots = roots.roots, .nroots = roots.nroots, .regs = end->regs,
	    .nregs = end->nregs, .maps = roots.maps, .nmaps = roots.nmaps,
	    .heuristics = opts->heuristics, .copy_limit = copy_limit(),
	    .chunk_headers = opts->partial,
	    .read = read_target, .ctx = &tid },
	    verdicts, &stats);
	if (opts->unseen_threads > 0)
		unseen_reach(verdicts, n);
	model_leaks_free(p->leaks);
	p->leaks = model_leaks_report(blocks, stacks, verdicts, n);
	p->leaks->unseen_threads = opts->unseen_threads;
	p->leaks->root_bytes = stats.root_bytes;
	p->leaks->block_bytes = stats.block_bytes;
	p->leaks->stopped_us = clock_monotonic_ns() / 1000 - t0;
	leak_roots_free(&roots);
	free(blocks);
	free(stacks);
	free(mmapped);
	/* the layout at the end, for the report */
	model_process_take_layout(p, &snap);
	model_process_free(&snap);
	memset(snapshot, 0, sizeof(*snapshot));
}

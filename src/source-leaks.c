/* The leak source (see source-leaks.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leak-roots.h"
#include "leak-scan.h"
#include "model-leaks.h"
#include "proc-mem.h"
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

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
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

bool
source_leaks_scan(struct process *p, const struct tracer_end *end,
    const struct leak_check_opts *opts, const struct leak_range *excluded,
    size_t nexcluded, char *why, size_t whylen)
{
	struct process snap;
	struct source_proc_error err;

	if (source_proc_snapshot_via("/proc", end->pid, end->tid, &snap, &err) !=
	    SOURCE_PROC_OK) {
		snprintf(why, whylen, "cannot read the layout of process %d at its "
		    "end (%s%s%s)", (int)end->pid, err.file,
		    err.err != 0 ? ": " : "", err.err != 0 ? strerror(err.err) : "");
		return false;
	}
	source_leaks_scan_layout(p, end, opts, excluded, nexcluded, &snap);
	return true;
}

void
source_leaks_scan_layout(struct process *p, const struct tracer_end *end,
    const struct leak_check_opts *opts, const struct leak_range *excluded,
    size_t nexcluded, struct process *snapshot)
{
	uint64_t t0 = now_us();
	struct process snap = *snapshot;
	struct leak_block *blocks;
	uint64_t *stacks;
	uint8_t *mmapped;
	struct leak_verdict *verdicts;
	struct leak_roots roots;
	struct leak_scan_stats stats;
	pid_t tid = end->tid;
	size_t n;

	n = model_leaks_blocks(&p->heap, &blocks, &stacks, &mmapped);
	leak_roots_build(&(struct leak_roots_input){ .layout = &snap.layout,
	    .stacks = end->stacks, .nstacks = end->nstacks, .blocks = blocks,
	    .nblocks = n, .mmapped = mmapped, .shim_path = opts->shim_path, .excluded = excluded,
	    .nexcluded = nexcluded, .partial = opts->partial, .read = read_target,
	    .ctx = &tid }, &roots);
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
	p->leaks->stopped_us = now_us() - t0;
	leak_roots_free(&roots);
	free(blocks);
	free(stacks);
	free(mmapped);
	/* the layout at the end, for the report */
	model_process_take_layout(p, &snap);
	model_process_free(&snap);
	memset(snapshot, 0, sizeof(*snapshot));
}

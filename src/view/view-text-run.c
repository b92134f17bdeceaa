/* SPDX-License-Identifier: ISC */
/*
 * The report of `memscope run` on stderr, after the program's own output,
 * each line prefixed "==PID==" as valgrind does, so it stays apart from
 * what the program wrote.
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fmt.h"
#include "view-run.h"
#include "xmalloc.h"

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* How a process ended, in words. */
static void
describe_end(FILE *f, int pid, const struct process *p, const char *name,
    const struct run_identity *run)
{
	fprintf(f, "==%d== %s ", pid, name);
	if (p->replaced)
		fputs("replaced itself with exec\n", f);
	else if (p->still_running && run->attached && run->left_hooked)
		fputs("runs on: memscope could not put its calls back (the process "
		    "was stopped); the shim forwards them once it finds memscope "
		    "gone\n", f);
	else if (p->still_running && run->attached)
		fputs("runs on: memscope put its calls back and detached\n", f);
	else if (p->still_running)
		fputs("was still running when memscope stopped\n", f);
	else if (!p->exited)
		fputs("ended; its exit status went to its parent\n", f);
	else if (p->exit_signal != 0)
		fprintf(f, "was killed by signal %d (%s)\n", p->exit_signal,
		    strsignal(p->exit_signal));
	else
		fprintf(f, "exited with status %d\n", p->exit_code);
}

/*
 * How the program memscope started ended: its last image, which an exec
 * may have made (and --no-follow left untracked).
 */
static void
print_main_end(FILE *f, const struct session *s)
{
	const struct run_identity *run = &s->run;
	const struct process *last = NULL;
	int pid = (int)run->main_pid;

	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i]->pid == run->main_pid)
			last = s->procs[i];
	if (last != NULL && last->replaced)
		fprintf(f, "==%d== the program %s exec'd ", pid,
		    base_name(last->exe));
	else
		fprintf(f, "==%d== %s ", pid, last != NULL && last->exe[0] != '\0' ?
		    base_name(last->exe) : base_name(run->path));
	if (!run->exited)
		fputs("did not end\n", f);
	else if (WIFSIGNALED(run->status))
		fprintf(f, "was killed by signal %d (%s)\n",
		    WTERMSIG(run->status), strsignal(WTERMSIG(run->status)));
	else
		fprintf(f, "exited with status %d\n", WEXITSTATUS(run->status));
}

static void
print_summary(FILE *f, int pid, const struct heap_summary *s, uint64_t threads)
{
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN], h[FMT_SIZE_LEN];

	fprintf(f, "==%d== HEAP SUMMARY\n", pid);
	fprintf(f, "==%d==   allocations: %s  frees: %s  reallocs: %s\n", pid,
	    fmt_count(a, s->allocations), fmt_count(b, s->frees),
	    fmt_count(c, s->reallocs));
	fprintf(f, "==%d==   bytes allocated: %s (%s)\n", pid,
	    fmt_count(a, s->bytes_allocated), fmt_size(h, s->bytes_allocated));
	fprintf(f, "==%d==   peak live: %s bytes (%s); peak blocks: %s\n", pid,
	    fmt_count(a, s->peak_live_bytes), fmt_size(h, s->peak_live_bytes),
	    fmt_count(b, s->peak_live_blocks));
	fprintf(f, "==%d==   live at exit: %s bytes in %s blocks\n", pid,
	    fmt_count(a, s->live_bytes), fmt_count(b, s->live_blocks));
	fprintf(f, "==%d==   temporary allocations: %s (freed before their thread "
	    "allocated again)\n", pid, fmt_count(a, s->temporaries));
	fprintf(f, "==%d==   mmaps: %s  munmaps: %s  threads: %s\n", pid,
	    fmt_count(a, s->mmaps), fmt_count(b, s->munmaps),
	    fmt_count(c, threads));
	fprintf(f, "==%d==   events: %s  ring waits: %s  anomalies: %s\n", pid,
	    fmt_count(a, s->events), fmt_count(b, s->ring_waits),
	    fmt_count(c, s->anomalies));
	if (s->dropped != 0)
		fprintf(f, "==%d==   events the shim could not record: %s (the "
		    "figures lack them)\n", pid, fmt_count(a, s->dropped));
	if (s->inherited_frees != 0)
		fprintf(f, "==%d==   frees of blocks inherited from the parent: %s\n",
		    pid, fmt_count(a, s->inherited_frees));
	if (s->frees_before_attach != 0)
		fprintf(f, "==%d==   frees and reallocs of blocks allocated before "
		    "the attach: %s\n", pid, fmt_count(a, s->frees_before_attach));
}

void
view_text_frames(FILE *f, int pid, const struct session *s,
    const struct process *p, uint64_t stack)
{
	const struct stack_entry *e = model_stacks_get(&s->stacks, stack);

	if (e == NULL) {
		fprintf(f, "==%d==     (%s)\n", pid,
		    stack == 0 || stack == 1 ? "no stack" : "stack not received");
		return;
	}
	for (uint32_t i = 0, shown = 0; i < e->nframes; i++) {
		const struct module *m = model_modules_find(&p->modules, e->frames[i]);
		const struct frame_symbols *fs = e->symbols != NULL ?
		    &e->symbols[i] : NULL;

		/* a frame as functions, file:line (several if calls were inlined) */
		for (uint32_t k = 0; fs != NULL && k < fs->n; k++, shown++) {
			const struct frame_symbol *sym = &fs->v[k];

			if (sym->function != NULL && sym->file == NULL &&
			    strcmp(sym->function, "(below main)") == 0) {
				/* one line for the start-up frames, as memcheck */
				fprintf(f, "==%d==     by (below main)\n", pid);
				return;
			}

			fprintf(f, "==%d==     %s %s", pid, shown == 0 ? "at" : "by",
			    sym->function != NULL ? sym->function : "???");
			if (sym->file != NULL) {
				fprintf(f, " (%s:%u)", base_name(sym->file), sym->line);
				if (m != NULL)
					fprintf(f, " in %s", base_name(m->path));
			} else if (m != NULL)
				fprintf(f, " (in %s)", base_name(m->path));
			fputs(sym->inlined ? " [inlined]\n" : "\n", f);
		}
		if (fs != NULL && fs->n > 0)
			continue;
		if (m != NULL)
			fprintf(f, "==%d==     %s %s+0x%" PRIx64 "\n", pid,
			    shown == 0 ? "at" : "by", base_name(m->path),
			    e->frames[i] - m->base);
		else
			fprintf(f, "==%d==     %s 0x%" PRIx64 "\n", pid,
			    shown == 0 ? "at" : "by", e->frames[i]);
		shown++;
	}
}

static void
print_sites(FILE *f, int pid, const struct session *s, const struct process *p,
    const struct view_run_opts *o, enum heap_site_order order)
{
	static const char *const titles[] = { "LIVE BYTES AT EXIT",
	    "BYTES ALLOCATED", "ALLOCATIONS", "BYTES AT THE PEAK",
	    "TEMPORARY ALLOCATIONS" };
	struct heap_site *sites;
	size_t n = model_heap_top_sites(&p->heap, model_heap_site_order(order),
	    o->sites, &sites);
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN], d[FMT_SIZE_LEN];

	fprintf(f, "==%d==\n==%d== TOP SITES BY %s\n", pid, pid, titles[order]);
	for (size_t i = 0; i < n; i++) {
		const struct heap_site *site = &sites[i];

		/* what has none of the figure is not a top site for it */
		if ((order == SITES_BY_LIVE && site->live_blocks == 0) ||
		    (order == SITES_BY_PEAK && site->peak_blocks == 0) ||
		    (order == SITES_BY_TEMPORARY && site->temporaries == 0))
			break;
		fprintf(f, "==%d==   %s bytes live in %s %s; %s bytes in %s %s",
		    pid, fmt_count(a, site->live_bytes),
		    fmt_count(b, site->live_blocks),
		    site->live_blocks == 1 ? "block" : "blocks",
		    fmt_count(c, site->bytes_allocated),
		    fmt_count(d, site->allocations),
		    site->allocations == 1 ? "call" : "calls");
		if (order == SITES_BY_PEAK)
			fprintf(f, "; %s bytes at the peak",
			    fmt_count(a, site->peak_bytes));
		else if (order == SITES_BY_TEMPORARY)
			fprintf(f, "; %s temporary", fmt_count(a, site->temporaries));
		fputc('\n', f);
		if (o->lifetimes)
			view_text_site_lifetimes(f, pid, p, site);
		view_text_frames(f, pid, s, p, site->stack);
	}
	free(sites);
}

/* When the heap was largest: between two ticks of the growth series. */
static void
print_peak(FILE *f, int pid, const struct heap_model *h)
{
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN];
	size_t i = 0;

	fprintf(f, "==%d==\n==%d== PEAK: %s bytes live in %s blocks, after %s bytes "
	    "allocated and freed,", pid, pid, fmt_count(a, h->sum.peak_live_bytes),
	    fmt_count(b, h->peak_blocks_then), fmt_count(c, h->peak_time));
	while (i < h->nticks && h->ticks[i].ms <= h->peak_ms)
		i++;
	if (i < h->nticks)
		fprintf(f, " between %" PRIu64 " and %" PRIu64 " ms into the run\n",
		    h->peak_ms, h->ticks[i].ms);
	else
		fprintf(f, " %" PRIu64 " ms or more into the run\n", h->peak_ms);
}

static void
print_process(FILE *f, const struct session *s, const struct process *p,
    const struct view_run_opts *o, bool first)
{
	int pid = first ? (int)s->run.main_pid : (int)p->pid;
	const char *name = p->exe != NULL && p->exe[0] ? p->exe : "?";

	if (!first && p->forked)
		fprintf(f, "==%d==\n==%d== process %d, forked by %d: %s\n", pid,
		    pid, (int)p->pid, (int)p->ppid, name);
	else if (!first)
		fprintf(f, "==%d==\n==%d== process %d, new image after exec: %s\n",
		    pid, pid, (int)p->pid, name);
	describe_end(f, pid, p, base_name(name), &s->run);
	fprintf(f, "==%d==\n", pid);
	print_summary(f, pid, &p->heap.sum, p->threads_started);
	if (o->peak)
		print_peak(f, pid, &p->heap);
	if (o->sort < 0) {
		print_sites(f, pid, s, p, o, SITES_BY_LIVE);
		print_sites(f, pid, s, p, o, SITES_BY_ALLOCATED);
	} else
		print_sites(f, pid, s, p, o, (enum heap_site_order)o->sort);
	if (o->lifetimes)
		view_text_lifetimes(f, pid, p);
	if (o->bins)
		view_text_bins(f, pid, p);
	view_text_leaks(f, pid, s, p, o);
}

void
view_text_run(FILE *f, const struct session *s, const struct view_run_opts *o)
{
	int pid = (int)s->run.main_pid;

	if (s->run.attached)
		fprintf(f, "==%d== memscope %s: allocations in the %.1f s memscope "
		    "was attached to", pid, PACKAGE_VERSION,
		    (double)s->run.attached_ms / 1000);
	else
		fprintf(f, "==%d== memscope %s: allocations of", pid, PACKAGE_VERSION);
	for (char *const *a = s->run.argv; a != NULL && *a != NULL; a++)
		fprintf(f, " %s", *a);
	fputc('\n', f);
	if (s->nprocs == 0) {
		print_main_end(f, s);
		fprintf(f, "==%d== it was not tracked: the shim did not start in it\n",
		    pid);
		return;
	}
	for (size_t i = 0; i < s->nprocs; i++)
		print_process(f, s, s->procs[i], o, i == 0);
	if (s->nprocs > 1 || s->procs[0]->replaced) {
		/* after the children, say again how the program itself ended */
		fprintf(f, "==%d==\n", pid);
		print_main_end(f, s);
	}
}

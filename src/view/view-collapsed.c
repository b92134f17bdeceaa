/* SPDX-License-Identifier: ISC */
/*
 * Collapsed stacks, the input of flamegraph.pl, inferno and speedscope:
 * one line per allocation stack, its frames from the outermost (main) to
 * the innermost separated by ';', then a space and the figure. Every
 * process of the run goes in, each stack under its process's command.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "view-collapsed.h"
#include "xmalloc.h"

const char *const collapsed_metric_names[] = {
	"allocated", "allocations", "live", "peak", NULL,
};

static uint64_t
figure(const struct heap_model *h, const struct heap_site *site,
    enum collapsed_metric m)
{
	uint64_t bytes, blocks;

	switch (m) {
	case COLLAPSED_ALLOCATED:
		return site->bytes_allocated;
	case COLLAPSED_ALLOCATIONS:
		return site->allocations;
	case COLLAPSED_LIVE:
		return site->live_bytes;
	case COLLAPSED_PEAK:
		model_heap_site_at_peak(h, site, &bytes, &blocks);
		return bytes;
	}
	return 0;
}

/* A name as one frame of a line: no ';' (the separator) and no newline. */
static void
put_name(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == ';' ? ':' : *s == '\n' ? ' ' : *s, f);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* The frames of stack, outermost first; frames below main are left out. */
static void
put_stack(FILE *f, const struct session *s, const struct process *p,
    uint64_t stack)
{
	const struct stack_entry *e = model_stacks_get(&s->stacks, stack);
	uint32_t top = e != NULL ? e->nframes : 0;

	for (uint32_t i = 0; i < top; i++)
		if (e->symbols != NULL && e->symbols[i].n > 0 &&
		    strcmp(e->symbols[i].v[0].function != NULL ?
		    e->symbols[i].v[0].function : "", "(below main)") == 0) {
			top = i;
			break;
		}
	put_name(f, p->exe != NULL && p->exe[0] != '\0' ? base_name(p->exe) : "?");
	if (e == NULL) {
		fputs(";[no stack]", f);
		return;
	}
	for (uint32_t i = top; i-- > 0;) {
		const struct frame_symbols *fs = e->symbols != NULL ?
		    &e->symbols[i] : NULL;
		const struct module *m;

		if (fs != NULL && fs->n > 0) {
			/* the function the calls were inlined into first */
			for (uint32_t k = fs->n; k-- > 0;) {
				fputc(';', f);
				put_name(f, fs->v[k].function != NULL ?
				    fs->v[k].function : "[unknown]");
			}
			continue;
		}
		fputc(';', f);
		if ((m = model_modules_find(&p->modules, e->frames[i])) != NULL) {
			put_name(f, base_name(m->path));
			fprintf(f, "+0x%" PRIx64, e->frames[i] - m->base);
		} else
			fprintf(f, "0x%" PRIx64, e->frames[i]);
	}
}

struct line {
	char		*text;
	uint64_t	 value;
};

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/*
 * Stacks that differ only in return addresses (two calls from one
 * function) read the same: one line, their figures summed.
 */
void
view_collapsed(FILE *f, const struct session *s, enum collapsed_metric m)
{
	struct line *lines = NULL;
	size_t nlines = 0, cap = 0;

	for (size_t k = 0; k < s->nprocs; k++) {
		const struct process *p = s->procs[k];
		struct heap_site *sites;
		size_t n = model_heap_top_sites(&p->heap, model_heap_site_by_allocated,
		    0, &sites);

		for (size_t i = 0; i < n; i++) {
			uint64_t v = figure(&p->heap, &sites[i], m);
			size_t len;
			FILE *mem;

			if (v == 0)
				continue;
			lines = xgrow(lines, &cap, nlines + 1, sizeof(*lines));
			if ((mem = open_memstream(&lines[nlines].text, &len)) == NULL)
				fatal("open_memstream");
			put_stack(mem, s, p, sites[i].stack);
			if (fclose(mem) != 0)
				fatal("open_memstream");
			lines[nlines++].value = v;
		}
		free(sites);
	}
	if (nlines > 1)
		qsort(lines, nlines, sizeof(*lines), line_cmp);
	for (size_t i = 0; i < nlines; i++) {
		uint64_t sum = lines[i].value;

		while (i + 1 < nlines && strcmp(lines[i].text, lines[i + 1].text) == 0) {
			free(lines[i].text);
			sum += lines[++i].value;
		}
		fprintf(f, "%s %" PRIu64 "\n", lines[i].text, sum);
		free(lines[i].text);
	}
	free(lines);
}

/* SPDX-License-Identifier: ISC */
/*
 * `--html FILE`: the run as one page. The C side writes the figures as
 * JSON (the same figures as --json, under the same names where the
 * report has them, plus every site and every loss record with its stack),
 * and the page's own script (src/view/html/report.js) draws them. Frames
 * are written once, in a table the stacks refer to by index, so that a
 * profile of many deep stacks stays small.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "model-leaks.h"
#include "view-html.h"
#include "view-json.h"
#include "view-run.h"
#include "xmalloc.h"

/* The page's script and style (html-assets.c, made at build time). */
extern const char memscope_html_js[];
extern const char memscope_html_css[];

/* A source-level frame as the page names it. */
struct html_frame {
	char		*key;		/* name, file, line and module, joined */
	char		*name;
	const char	*file;
	uint32_t	 line;
	const char	*module;
};

/* The frames met so far, numbered in order, and a hash of their keys. */
struct html_frames {
	struct html_frame *v;
	size_t		 n;
	size_t		 cap;
	uint32_t	*slots;		/* index + 1, 0: empty */
	size_t		 nslots;	/* a power of two */
};

static uint64_t
hash_key(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
frames_rehash(struct html_frames *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 1024;

	free(t->slots);
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	t->nslots = nslots;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = hash_key(t->v[i].key) & (nslots - 1);

		while (t->slots[k] != 0)
			k = (k + 1) & (nslots - 1);
		t->slots[k] = (uint32_t)i + 1;
	}
}

/* The number of the frame (name, file, line, module), added if new. */
static uint32_t
frames_number(struct html_frames *t, const char *name, const char *file,
    uint32_t line, const char *module)
{
	char *key;
	size_t k;

	if (xasprintf(&key, "%s\037%s\037%" PRIu32 "\037%s", name,
	    file != NULL ? file : "", line, module != NULL ? module : "") < 0)
		fatal("xasprintf");
	if (2 * (t->n + 1) > t->nslots)
		frames_rehash(t);
	/* (an empty table has nothing to compare with) */
	for (k = hash_key(key) & (t->nslots - 1); t->n > 0 && t->slots[k] != 0;
	    k = (k + 1) & (t->nslots - 1))
		if (strcmp(t->v[t->slots[k] - 1].key, key) == 0) {
			free(key);
			return t->slots[k] - 1;
		}
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n] = (struct html_frame){ key, xstrdup(name), file, line, module };
	t->slots[k] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static void
frames_free(struct html_frames *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].name);
	}
	free(t->v);
	free(t->slots);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * The frames of stack as an array of frame numbers, outermost first, as
 * the collapsed stacks have them: frames below main left out, a frame
 * for each inlined call, a frame never symbolized named by its module
 * and offset.
 */
static void
stack_array(struct json *j, struct html_frames *t, const struct session *s,
    const struct process *p, uint64_t stack)
{
	const struct stack_entry *e = model_stacks_get(&s->stacks, stack);
	uint32_t top = e != NULL ? e->nframes : 0;

	json_array_begin(j);
	for (uint32_t i = 0; i < top; i++)
		if (e->symbols != NULL && e->symbols[i].n > 0 &&
		    e->symbols[i].v[0].function != NULL &&
		    strcmp(e->symbols[i].v[0].function, "(below main)") == 0) {
			top = i;
			break;
		}
	for (uint32_t i = top; i-- > 0;) {
		const struct frame_symbols *fs = e->symbols != NULL ?
		    &e->symbols[i] : NULL;
		const struct module *m = model_modules_find(&p->modules,
		    e->frames[i]);
		const char *module = m != NULL ? m->path : NULL;
		char name[64];

		if (fs != NULL && fs->n > 0) {
			/* the function the calls were inlined into first */
			for (uint32_t k = fs->n; k-- > 0;) {
				const struct frame_symbol *sym = &fs->v[k];

				json_uint(j, frames_number(t, sym->function != NULL ?
				    sym->function : "[unknown]", sym->file,
				    sym->line, module));
			}
			continue;
		}
		if (m != NULL)
			snprintf(name, sizeof(name), "%.40s+0x%" PRIx64,
			    base_name(m->path), e->frames[i] - m->base);
		else
			snprintf(name, sizeof(name), "0x%" PRIx64, e->frames[i]);
		json_uint(j, frames_number(t, name, NULL, 0, module));
	}
	json_array_end(j);
}

/* A loss record's kind counts as leaked (definitely or indirectly lost). */
static bool
leaked_kind(const struct leak_record *rec)
{
	return rec->suppressed_by == NULL && (rec->kind == LEAK_DEFINITELY ||
	    rec->kind == LEAK_INDIRECTLY);
}

struct stack_bytes {
	uint64_t	 stack;
	uint64_t	 bytes;
};

static int
stack_bytes_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct stack_bytes *)a)->stack;
	uint64_t y = ((const struct stack_bytes *)b)->stack;

	return x < y ? -1 : x > y;
}

/* The bytes leaked from each stack, sorted by stack; their number. */
static size_t
leaked_by_stack(const struct process *p, struct stack_bytes **out)
{
	const struct leak_report *r = p->leaks;
	struct stack_bytes *v;
	size_t n = 0;

	*out = NULL;
	if (r == NULL || r->nrecords == 0)
		return 0;
	v = xreallocarray(NULL, r->nrecords, sizeof(*v));
	for (size_t i = 0; i < r->nrecords; i++)
		if (leaked_kind(&r->records[i]))
			v[n++] = (struct stack_bytes){ r->records[i].stack,
			    r->records[i].bytes };
	qsort(v, n, sizeof(*v), stack_bytes_cmp);
	*out = v;
	return n;
}

static uint64_t
leaked_of(const struct stack_bytes *v, size_t n, uint64_t stack)
{
	struct stack_bytes key = { stack, 0 };
	const struct stack_bytes *hit = n > 0 ? bsearch(&key, v, n, sizeof(*v),
	    stack_bytes_cmp) : NULL;
	uint64_t sum = 0;

	if (hit == NULL)
		return 0;
	/* a stack has a record per kind: the first of its run, then on */
	while (hit > v && hit[-1].stack == stack)
		hit--;
	for (; hit < v + n && hit->stack == stack; hit++)
		sum += hit->bytes;
	return sum;
}

/*
 * Every site: its stack, then its figures in the order of the page's
 * metrics (live, peak, allocated, allocations, temporary, leaked).
 */
static void
sites(struct json *j, struct html_frames *t, const struct session *s,
    const struct process *p)
{
	struct heap_site *v;
	struct stack_bytes *leaked;
	size_t nleaked = leaked_by_stack(p, &leaked);
	size_t n = model_heap_top_sites(&p->heap, model_heap_site_by_allocated,
	    0, &v);

	json_key(j, "metrics");
	json_array_begin(j);
	json_string(j, "live");
	json_string(j, "peak");
	json_string(j, "allocated");
	json_string(j, "allocations");
	json_string(j, "temporary");
	json_string(j, "leaked");
	json_array_end(j);
	json_key(j, "sites");
	json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		uint64_t peak_bytes, peak_blocks;

		model_heap_site_at_peak(&p->heap, &v[i], &peak_bytes, &peak_blocks);
		json_array_begin(j);
		stack_array(j, t, s, p, v[i].stack);
		json_uint(j, v[i].live_bytes);
		json_uint(j, peak_bytes);
		json_uint(j, v[i].bytes_allocated);
		json_uint(j, v[i].allocations);
		json_uint(j, v[i].temporaries);
		json_uint(j, leaked_of(leaked, nleaked, v[i].stack));
		json_array_end(j);
	}
	json_array_end(j);
	free(v);
	free(leaked);
}

/* The leak summary and the loss records, null when no check ran. */
static void
leaks(struct json *j, struct html_frames *t, const struct session *s,
    const struct process *p, const struct view_run_opts *o)
{
	const struct leak_report *r = p->leaks;

	json_key(j, "leaks");
	if (r == NULL || (o != NULL && o->leak_check == VIEW_LEAKS_NO)) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	for (int k = 0; k < LEAK_NKINDS; k++)
		view_json_leak_totals(j, leak_kind_name(k), &r->kinds[k]);
	view_json_leak_totals(j, "suppressed", &r->suppressed);
	json_key_uint(j, "unseen_threads", r->unseen_threads);
	json_key(j, "records");
	json_array_begin(j);
	for (size_t i = 0; (o == NULL || o->leak_check == VIEW_LEAKS_FULL) &&
	    i < r->nrecords; i++) {
		const struct leak_record *rec = &r->records[i];

		if (rec->kind == LEAK_REACHABLE && o != NULL && !o->show_reachable)
			continue;
		json_object_begin(j);
		json_key_string(j, "kind", leak_kind_name(rec->kind));
		json_key_uint(j, "bytes", rec->bytes);
		json_key_uint(j, "blocks", rec->blocks);
		json_key_uint(j, "indirect_bytes", rec->indirect_bytes);
		json_key_string(j, "suppressed_by", rec->suppressed_by);
		json_key(j, "stack");
		stack_array(j, t, s, p, rec->stack);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/* The size bins that ever held a block, and the allocator's free chunks. */
static void
bins(struct json *j, const struct heap_model *h)
{
	const struct heap_allocator *a = &h->allocator;

	json_key_bool(j, "usable_known", !h->usable_unknown);
	view_json_bins(j, h);
	json_key(j, "free_chunks");
	if (a->samples == 0) {
		json_null(j);
		return;
	}
	view_json_free_classes(j, a);
}

/* The growth series: [ms, live bytes, live blocks, bytes allocated,
 * allocations] a tick. */
static void
growth(struct json *j, const struct heap_model *h)
{
	json_key(j, "peak");
	json_object_begin(j);
	json_key_uint(j, "live_bytes", h->sum.peak_live_bytes);
	json_key_uint(j, "live_blocks", h->peak_blocks_then);
	json_key_uint(j, "after_ms", h->peak_ms);
	json_object_end(j);
	json_key(j, "growth");
	json_array_begin(j);
	for (size_t i = 0; i < h->nticks; i++) {
		const struct heap_tick *t = &h->ticks[i];

		json_array_begin(j);
		json_uint(j, t->ms);
		json_uint(j, t->live_bytes);
		json_uint(j, t->live_blocks);
		json_uint(j, t->bytes_allocated);
		json_uint(j, t->allocations);
		json_array_end(j);
	}
	json_array_end(j);
}

/* The layout at the end: totals and figures by kind (as memscope map). */
static void
layout(struct json *j, const struct process *p)
{
	struct seg_totals t[SEG_NKINDS];

	json_key(j, "layout");
	if (p->layout.nsegs == 0) {
		json_null(j);
		return;
	}
	model_segments_by_kind(&p->layout, t);
	json_object_begin(j);
	json_key_uint(j, "vsz", p->vsz);
	json_key_uint(j, "rss", p->totals.rss);
	json_key_uint(j, "pss", p->totals.pss);
	json_key_uint(j, "swap", p->totals.swap);
	json_key(j, "by_kind");
	json_array_begin(j);
	for (int k = 0; k < SEG_NKINDS; k++) {
		json_object_begin(j);
		json_key_string(j, "kind", seg_kind_name(k));
		json_key_uint(j, "size", t[k].size);
		json_key_uint(j, "rss", t[k].mem.rss);
		json_key_uint(j, "pss", t[k].mem.pss);
		json_key_uint(j, "swap", t[k].mem.swap);
		json_key_uint(j, "private_dirty", t[k].mem.private_dirty);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
process(struct json *j, struct html_frames *t, const struct session *s,
    const struct process *p, bool first, const struct view_run_opts *o)
{
	json_object_begin(j);
	view_json_process_head(j, s, p, first);
	json_key_bool(j, "attached", p->heap.attached);
	growth(j, &p->heap);
	sites(j, t, s, p);
	leaks(j, t, s, p, o);
	bins(j, &p->heap);
	layout(j, p);
	json_object_end(j);
}

static void
frame_table(struct json *j, const struct html_frames *t)
{
	json_key(j, "frames");
	json_array_begin(j);
	for (size_t i = 0; i < t->n; i++) {
		const struct html_frame *fr = &t->v[i];

		json_array_begin(j);
		json_string(j, fr->name);
		json_string(j, fr->file);
		json_uint(j, fr->line);
		json_string(j, fr->module);
		json_array_end(j);
	}
	json_array_end(j);
}

/*
 * The data as JSON inside a <script> element: no "</" may close it early
 * and no "<!--" open a comment, so every '<' is written \u003c; U+2028 and
 * U+2029, line ends to older JavaScript, are escaped too. Both can only
 * be inside strings, where the escape means the same character.
 */
static void
put_script_json(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const unsigned char *c = (const unsigned char *)s + i;

		if (*c == '<')
			fputs("\\u003c", f);
		else if (*c == 0xe2 && i + 2 < len && c[1] == 0x80 &&
		    (c[2] == 0xa8 || c[2] == 0xa9)) {
			fputs(c[2] == 0xa8 ? "\\u2028" : "\\u2029", f);
			i += 2;
		} else
			fputc(*c, f);
	}
}

/* Text as HTML element content. */
static void
put_html_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		default:
			fputc(*s, f);
		}
}

void
view_html(FILE *f, const struct session *s, const struct view_run_opts *o)
{
	struct html_frames t = { 0 };
	struct json j;
	char *data = NULL;
	size_t len = 0;
	FILE *mem;
	const char *exe = s->nprocs > 0 && s->procs[0]->exe != NULL &&
	    s->procs[0]->exe[0] != '\0' ? s->procs[0]->exe :
	    s->run.path != NULL ? s->run.path : "?";

	if ((mem = open_memstream(&data, &len)) == NULL)
		fatal("open_memstream");
	json_init(&j, mem);
	json_compact_below(&j, 3);
	json_object_begin(&j);
	json_key_string(&j, "tool", "memscope");
	json_key_string(&j, "version", PACKAGE_VERSION);
	json_key_bool(&j, "attached", s->run.attached);
	json_key(&j, "processes");
	json_array_begin(&j);
	for (size_t i = 0; i < s->nprocs; i++)
		process(&j, &t, s, s->procs[i], i == 0, o);
	json_array_end(&j);
	frame_table(&j, &t);
	json_object_end(&j);
	json_end(&j);
	if (fclose(mem) != 0)
		fatal("open_memstream");
	frames_free(&t);

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<meta name=\"generator\" content=\"memscope " PACKAGE_VERSION "\">\n"
	    "<title>memscope: ", f);
	put_html_text(f, base_name(exe));
	fputs("</title>\n<style>\n", f);
	fputs(memscope_html_css, f);
	fputs("</style>\n</head>\n<body>\n<div id=\"app\"></div>\n"
	    "<script type=\"application/json\" id=\"memscope-data\">", f);
	put_script_json(f, data, len);
	fputs("</script>\n<script>\n", f);
	fputs(memscope_html_js, f);
	fputs("</script>\n</body>\n</html>\n", f);
	free(data);
}

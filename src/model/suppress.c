/* SPDX-License-Identifier: ISC */
/* Leak suppressions (see suppress.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "suppress.h"
#include "xmalloc.h"

/* The text of src/model/default.supp (default-supp.c, made at build time). */
extern const char memscope_default_supp[];

void
suppress_init(struct suppressions *s)
{
	memset(s, 0, sizeof(*s));
}

static void
entry_free(struct suppression *e)
{
	for (size_t i = 0; i < e->nframes; i++)
		free(e->frames[i].pattern);
	free(e->frames);
	free(e->name);
	free(e->origin);
}

void
suppress_free(struct suppressions *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* One line of text, without its newline and surrounding blanks. */
struct line {
	const char	*p;
	size_t		 len;
	size_t		 number;
};

static bool
next_line(const char **cur, const char *end, struct line *l)
{
	const char *s = *cur, *e;

	if (s >= end)
		return false;
	e = memchr(s, '\n', (size_t)(end - s));
	if (e == NULL)
		e = end;
	*cur = e < end ? e + 1 : end;
	l->number++;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	l->p = s;
	l->len = (size_t)(e - s);
	return true;
}

/* The next line that is neither blank nor a comment. */
static bool
next_content_line(const char **cur, const char *end, struct line *l)
{
	while (next_line(cur, end, l))
		if (l->len > 0 && l->p[0] != '#')
			return true;
	return false;
}

static bool
line_is(const struct line *l, const char *word)
{
	return l->len == strlen(word) && memcmp(l->p, word, l->len) == 0;
}

static bool
line_starts(const struct line *l, const char *prefix)
{
	return l->len >= strlen(prefix) && memcmp(l->p, prefix, strlen(prefix)) == 0;
}

/* "definite,possible" ... → a mask of leak kinds; false if a word is unknown */
static bool
parse_kinds(const char *p, size_t len, unsigned int *kinds)
{
	static const struct { const char *word; unsigned int mask; } words[] = {
		{ "definite", 1u << LEAK_DEFINITELY },
		{ "indirect", 1u << LEAK_INDIRECTLY },
		{ "possible", 1u << LEAK_POSSIBLY },
		{ "reachable", 1u << LEAK_REACHABLE },
		{ "all", (1u << LEAK_NKINDS) - 1 },
		{ "none", 0 },
	};
	const char *end = p + len;

	*kinds = 0;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma != NULL ? comma : end) - p);
		bool known = false;

		while (n > 0 && p[0] == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == n && memcmp(words[i].word, p, n) == 0) {
				*kinds |= words[i].mask;
				known = true;
			}
		if (!known)
			return false;
		p = comma != NULL ? comma + 1 : end;
	}
	return true;
}

/* "Memcheck:Leak", "memscope:Leak", "Memcheck,Helgrind:Leak": one of ours? */
static bool
is_leak_kind(const struct line *l)
{
	const char *colon = memchr(l->p, ':', l->len);
	const char *tools = l->p;

	if (colon == NULL || (size_t)(l->p + l->len - colon - 1) != 4 ||
	    memcmp(colon + 1, "Leak", 4) != 0)
		return false;
	while (tools < colon) {
		const char *comma = memchr(tools, ',', (size_t)(colon - tools));
		size_t n = (size_t)((comma != NULL ? comma : colon) - tools);

		if ((n == 8 && memcmp(tools, "Memcheck", 8) == 0) ||
		    (n == 8 && memcmp(tools, "memscope", 8) == 0))
			return true;
		tools = comma != NULL ? comma + 1 : colon;
	}
	return false;
}

static bool
fail(char *why, size_t whylen, const char *origin, size_t line, const char *what)
{
	snprintf(why, whylen, "%s:%zu: %s", origin, line, what);
	return false;
}

/* An entry of "..." alone would match every record: as valgrind, refuse it. */
static bool
has_location(const struct suppression *e)
{
	for (size_t i = 0; i < e->nframes; i++)
		if (e->frames[i].kind != SUPP_ANY)
			return true;
	return false;
}

/*
 * A line of a suppression's body into e: which leak kinds it matches, or a
 * frame (cap: of e's frames). Another tool's lines (!ours) are skipped.
 */
static bool
parse_body_line(const struct line *l, bool ours, struct suppression *e,
    size_t *cap, const char *origin, char *why, size_t whylen)
{
	enum supp_frame_kind kind;
	size_t skip;

	if (l->len == 0 || l->p[0] == '#')
		return true;
	if (line_starts(l, "match-leak-kinds:")) {
		if (!parse_kinds(l->p + 17, l->len - 17, &e->kinds))
			return fail(why, whylen, origin, l->number,
			    "match-leak-kinds takes definite, indirect, "
			    "possible, reachable, all or none");
		return true;
	}
	if (line_is(l, "...")) {
		kind = SUPP_ANY;
		skip = l->len;
	} else if (line_starts(l, "fun:")) {
		kind = SUPP_FUN;
		skip = 4;
	} else if (line_starts(l, "obj:")) {
		kind = SUPP_OBJ;
		skip = 4;
	} else if (line_starts(l, "src:")) {
		kind = SUPP_SRC;
		skip = 4;
	} else if (!ours) {
		return true;	/* another tool's extra lines */
	} else
		return fail(why, whylen, origin, l->number,
		    "expected fun:, obj:, src:, ... or '}'");
	e->frames = xgrow(e->frames, cap, e->nframes + 1, sizeof(*e->frames));
	e->frames[e->nframes++] = (struct supp_frame){ kind,
	    xstrndup(l->p + skip, l->len - skip) };
	return true;
}

/*
 * The suppression opened by the '{' of line l, read on from *cur to its
 * '}' into e: its name, its tool and kind (*ours: memcheck's leaks), its
 * body. False with the reason in why; e is the caller's to free.
 */
static bool
parse_entry(const char **cur, const char *end, struct line *l,
    struct suppression *e, bool *ours, const char *origin, char *why,
    size_t whylen)
{
	size_t open_line = l->number, cap = 0;

	if (!next_content_line(cur, end, l) || line_is(l, "}"))
		return fail(why, whylen, origin, open_line,
		    "a suppression without a name");
	e->name = xstrndup(l->p, l->len);
	if (!next_content_line(cur, end, l) || memchr(l->p, ':', l->len) == NULL)
		return fail(why, whylen, origin, l->number,
		    "expected the tool and kind, as in Memcheck:Leak");
	*ours = is_leak_kind(l);
	e->kinds = (1u << LEAK_NKINDS) - 1;
	while (next_line(cur, end, l)) {
		if (line_is(l, "}"))
			return true;
		if (!parse_body_line(l, *ours, e, &cap, origin, why, whylen))
			return false;
	}
	return fail(why, whylen, origin, open_line,
	    "a suppression without its closing '}'");
}

bool
suppress_parse(struct suppressions *s, const char *text, size_t len,
    const char *origin, char *why, size_t whylen)
{
	const char *cur = text, *end = text + len;
	struct line l = { 0 };

	while (next_line(&cur, end, &l)) {
		struct suppression e = { 0 };
		size_t open_line = l.number;
		bool ours = false;
		char *where;

		if (l.len == 0 || l.p[0] == '#')
			continue;
		if (!line_is(&l, "{"))
			return fail(why, whylen, origin, l.number,
			    "expected '{' to begin a suppression");
		if (!parse_entry(&cur, end, &l, &e, &ours, origin, why, whylen)) {
			entry_free(&e);
			return false;
		}
		if (!ours) {
			entry_free(&e);
			continue;
		}
		if (!has_location(&e)) {
			entry_free(&e);
			return fail(why, whylen, origin, open_line,
			    "a suppression needs a fun:, obj: or src: line");
		}
		xasprintf(&where, "%s:%zu", origin, open_line);
		e.origin = where;
		s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
		s->v[s->n++] = e;
	}
	return true;
}

bool
suppress_load(struct suppressions *s, const char *path, char *why,
    size_t whylen)
{
	FILE *f = fopen(path, "re");
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;
	bool ok;

	if (f == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_reserve(&b, n);
		memcpy(b.data + b.len, chunk, n);
		b.len += n;
	}
	if (ferror(f)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		fclose(f);
		buf_free(&b);
		return false;
	}
	fclose(f);
	ok = suppress_parse(s, b.data != NULL ? b.data : "", b.len, path, why,
	    whylen);
	buf_free(&b);
	return ok;
}

bool
suppress_load_default(struct suppressions *s)
{
	char why[256];

	return suppress_parse(s, memscope_default_supp,
	    strlen(memscope_default_supp), "default.supp", why, sizeof(why));
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * valgrind's wildcards: * any run of characters, ? one, \ quotes the next;
 * nothing else is special (C++ names are full of brackets).
 */
static bool
wildcard(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p == '?' || (*p == '\\' && p[1] != '\0' && p[1] == *s) ||
		    (*p != '\\' && *p == *s)) {
			p += *p == '\\' ? 2 : 1;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++resume;
		} else
			return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static bool
frame_matches(const struct supp_frame *p, const struct leak_frame *f)
{
	switch (p->kind) {
	case SUPP_FUN:
		if (f->below_main)
			return wildcard(p->pattern, "(below main)");
		/* a frame without a name is "???", as memcheck shows it */
		if (f->function == NULL && f->linkage == NULL)
			return wildcard(p->pattern, "???");
		return (f->function != NULL && wildcard(p->pattern, f->function)) ||
		    (f->linkage != NULL && wildcard(p->pattern, f->linkage));
	case SUPP_OBJ:
		return f->module != NULL && wildcard(p->pattern, f->module);
	case SUPP_SRC: {
		char at[4096];

		if (f->file == NULL)
			return false;
		if (wildcard(p->pattern, base_name(f->file)))
			return true;
		snprintf(at, sizeof(at), "%s:%u", base_name(f->file), f->line);
		return wildcard(p->pattern, at);
	}
	case SUPP_ANY:
		return true;
	}
	return false;
}

/*
 * Do the entry's frame patterns match the innermost frames? "..." takes
 * any number of frames. ok[j]: patterns so far match frames [0, j).
 */
static bool
entry_matches(const struct suppression *e, const struct leak_frame *f,
    size_t n)
{
	bool *ok = xcalloc(n + 1, sizeof(*ok)), *next = xcalloc(n + 1, sizeof(*next));
	bool any = true;

	ok[0] = true;
	for (size_t i = 0; i < e->nframes && any; i++) {
		const struct supp_frame *p = &e->frames[i];

		any = false;
		for (size_t j = 0; j <= n; j++) {
			if (p->kind == SUPP_ANY)
				next[j] = ok[j] || (j > 0 && next[j - 1]);
			else
				next[j] = j > 0 && ok[j - 1] && frame_matches(p, &f[j - 1]);
			any |= next[j];
		}
		memcpy(ok, next, (n + 1) * sizeof(*ok));
	}
	free(ok);
	free(next);
	return any;
}

size_t
suppress_depth(const struct suppressions *s)
{
	size_t most = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct suppression *e = &s->v[i];
		size_t lines = 0;

		for (size_t k = 0; k < e->nframes; k++) {
			if (e->frames[k].kind != SUPP_ANY)
				lines++;
			else if (k + 1 < e->nframes)
				return SIZE_MAX;	/* "..." then more: any depth */
		}
		if (lines > most)
			most = lines;
	}
	return most;
}

struct suppression *
suppress_match(const struct suppressions *s, enum leak_kind kind,
    const struct leak_frame *frames, size_t n)
{
	for (size_t i = 0; i < s->n; i++) {
		struct suppression *e = &s->v[i];

		if ((e->kinds & (1u << kind)) && entry_matches(e, frames, n))
			return e;
	}
	return NULL;
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "log.h"

void
json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
	j->compact_depth = JSON_MAX_DEPTH;
}

void
json_compact_below(struct json *j, int depth)
{
	j->compact_depth = depth;
}

static bool
json_is_compact(const struct json *j)
{
	return j->depth > j->compact_depth;
}

static void
json_newline(struct json *j)
{
	if (json_is_compact(j))
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator and indentation before a value or a key. */
static void
json_before(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->depth > 0) {
		if (json_is_compact(j) && !j->first[j->depth])
			fputc(' ', j->f);
		json_newline(j);
	}
	j->first[j->depth] = false;
}

static void
json_open(struct json *j, char c)
{
	json_before(j);
	fputc(c, j->f);
	if (++j->depth >= JSON_MAX_DEPTH)
		fatalx("json: nesting deeper than %d", JSON_MAX_DEPTH);
	j->first[j->depth] = true;
}

static void
json_close(struct json *j, char c)
{
	bool empty = j->first[j->depth], compact = json_is_compact(j);

	j->depth--;
	if (!empty && !compact)
		json_newline(j);
	fputc(c, j->f);
}

void
json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '}');
}

void
json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, ']');
}

/*
 * Length of the valid UTF-8 sequence at p (1 to 4), or 0 when it is not
 * one: a bad lead byte, a missing continuation, an overlong form, a
 * surrogate, or a code point beyond U+10FFFF.
 */
static size_t
utf8_length(const unsigned char *p)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* s as a JSON string; bytes that are not UTF-8 (a path can hold any) become U+FFFD. */
static void
json_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else if (*p < 0x80)
				fputc(*p, f);
			else {
				size_t n = utf8_length(p);

				if (n == 0)
					fputs("\\ufffd", f);
				else {
					fwrite(p, 1, n, f);
					p += n - 1;
				}
			}
		}
	}
	fputc('"', f);
}

void
json_key(struct json *j, const char *key)
{
	json_before(j);
	json_quoted(j->f, key);
	fputs(": ", j->f);
	j->after_key = true;
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_before(j);
	json_quoted(j->f, s);
}

void
json_uint(struct json *j, uint64_t v)
{
	json_before(j);
	fprintf(j->f, "%" PRIu64, v);
}

void
json_int(struct json *j, int64_t v)
{
	json_before(j);
	fprintf(j->f, "%" PRId64, v);
}

void
json_bool(struct json *j, bool v)
{
	json_before(j);
	fputs(v ? "true" : "false", j->f);
}

void
json_null(struct json *j)
{
	json_before(j);
	fputs("null", j->f);
}

void
json_hex(struct json *j, uint64_t v)
{
	json_before(j);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void
json_key_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void
json_key_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_key_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void
json_key_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void
json_key_hex(struct json *j, const char *key, uint64_t v, bool known)
{
	json_key(j, key);
	if (known)
		json_hex(j, v);
	else
		json_null(j);
}

void
json_end(struct json *j)
{
	fputc('\n', j->f);
}

/* SPDX-License-Identifier: ISC */
/* Unit tests of the streaming JSON writer (src/util/json.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "json.h"

/* A writer into memory, so the exact bytes can be compared. */
struct capture {
	char		*buf;
	size_t		 len;
	FILE		*f;
	struct json	 j;
};

static void
capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	json_init(&c->j, c->f);
}

static void
capture_check(struct capture *c, const char *want)
{
	assert_int_equal(fclose(c->f), 0);
	assert_string_equal(c->buf, want);
	free(c->buf);
}

static void
test_empty_containers(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_object_begin(&c.j);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c, "{}\n");

	capture_open(&c);
	json_array_begin(&c.j);
	json_array_end(&c.j);
	json_end(&c.j);
	capture_check(&c, "[]\n");
}

static void
test_scalars(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_object_begin(&c.j);
	json_key(&c.j, "s");
	json_string(&c.j, "x");
	json_key(&c.j, "empty");
	json_string(&c.j, "");
	json_key(&c.j, "u");
	json_uint(&c.j, UINT64_MAX);
	json_key(&c.j, "zero");
	json_uint(&c.j, 0);
	json_key(&c.j, "i");
	json_int(&c.j, INT64_MIN);
	json_key(&c.j, "t");
	json_bool(&c.j, true);
	json_key(&c.j, "f");
	json_bool(&c.j, false);
	json_key(&c.j, "n");
	json_null(&c.j);
	json_key(&c.j, "ns");
	json_string(&c.j, NULL);
	json_key(&c.j, "h");
	json_hex(&c.j, 0x1f);
	json_key(&c.j, "h0");
	json_hex(&c.j, 0);
	json_key(&c.j, "hmax");
	json_hex(&c.j, 0xffffffffff600000);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c,
	    "{\n"
	    "  \"s\": \"x\",\n"
	    "  \"empty\": \"\",\n"
	    "  \"u\": 18446744073709551615,\n"
	    "  \"zero\": 0,\n"
	    "  \"i\": -9223372036854775808,\n"
	    "  \"t\": true,\n"
	    "  \"f\": false,\n"
	    "  \"n\": null,\n"
	    "  \"ns\": null,\n"
	    "  \"h\": \"0x1f\",\n"
	    "  \"h0\": \"0x0\",\n"
	    "  \"hmax\": \"0xffffffffff600000\"\n"
	    "}\n");
}

/* RFC 8259 section 7: quote, backslash and U+0000..U+001F are escaped. */
static void
test_escaping(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_string(&c.j, "a\"b\\c\nd\te\rf\001g\037h\177i/\xc3\xa9");
	json_end(&c.j);
	capture_check(&c,
	    "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u001fh\\u007fi/\xc3\xa9\"\n");

	/* keys go through the same escaping */
	capture_open(&c);
	json_object_begin(&c.j);
	json_key(&c.j, "we\"ird\\key\b");
	json_int(&c.j, -1);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c, "{\n  \"we\\\"ird\\\\key\\u0008\": -1\n}\n");
}

/*
 * A path can hold any bytes; the document must stay UTF-8. Valid
 * sequences pass through, each byte of an invalid one becomes U+FFFD.
 */
static void
test_utf8(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		/* U+00E9, U+20AC, U+1F600: two, three and four bytes */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* Latin-1 */
		{ "caf\xe9", "\"caf\\ufffd\"" },
		/* a lone continuation byte */
		{ "a\x80z", "\"a\\ufffdz\"" },
		/* overlong '/' */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		/* overlong three-byte form of U+007F */
		{ "\xe0\x81\xbf", "\"\\ufffd\\ufffd\\ufffd\"" },
		/* a surrogate, U+D800 */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		/* beyond U+10FFFF */
		{ "\xf4\x90\x80\x80",
		  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		/* cut short by the end of the string, or by ASCII */
		{ "x\xe2\x82", "\"x\\ufffd\\ufffd\"" },
		{ "\xe2\x82y", "\"\\ufffd\\ufffdy\"" },
		/* the largest code point, U+10FFFF, is valid */
		{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
	};
	struct capture c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		capture_open(&c);
		json_string(&c.j, cases[i].in);
		capture_check(&c, cases[i].out);
	}
}

static void
test_key_helpers(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_object_begin(&c.j);
	json_key_uint(&c.j, "rss", 8192);
	json_key_int(&c.j, "tid", -1);
	json_key_string(&c.j, "exe", "/usr/bin/cat");
	json_key_string(&c.j, "tcb", NULL);
	json_key_hex(&c.j, "sp", 0x7ffd468b07a8, true);
	json_key_hex(&c.j, "pc", 0x7f417c7292ad, false);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c,
	    "{\n"
	    "  \"rss\": 8192,\n"
	    "  \"tid\": -1,\n"
	    "  \"exe\": \"/usr/bin/cat\",\n"
	    "  \"tcb\": null,\n"
	    "  \"sp\": \"0x7ffd468b07a8\",\n"
	    "  \"pc\": null\n"
	    "}\n");
}

static void
test_nesting(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_object_begin(&c.j);
	json_key(&c.j, "a");
	json_array_begin(&c.j);
	json_uint(&c.j, 1);
	json_object_begin(&c.j);
	json_key(&c.j, "b");
	json_array_begin(&c.j);
	json_array_end(&c.j);
	json_object_end(&c.j);
	json_object_begin(&c.j);
	json_object_end(&c.j);
	json_array_end(&c.j);
	json_key(&c.j, "c");
	json_object_begin(&c.j);
	json_key(&c.j, "d");
	json_array_begin(&c.j);
	json_bool(&c.j, true);
	json_null(&c.j);
	json_array_end(&c.j);
	json_object_end(&c.j);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c,
	    "{\n"
	    "  \"a\": [\n"
	    "    1,\n"
	    "    {\n"
	    "      \"b\": []\n"
	    "    },\n"
	    "    {}\n"
	    "  ],\n"
	    "  \"c\": {\n"
	    "    \"d\": [\n"
	    "      true,\n"
	    "      null\n"
	    "    ]\n"
	    "  }\n"
	    "}\n");
}

/* As view-json uses it: one array element per line, each on one line. */
static void
test_compact_below(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_compact_below(&c.j, 2);
	json_object_begin(&c.j);
	json_key(&c.j, "ranges");
	json_array_begin(&c.j);
	json_object_begin(&c.j);
	json_key(&c.j, "start");
	json_hex(&c.j, 0x1000);
	json_key(&c.j, "kind");
	json_string(&c.j, "text");
	json_key(&c.j, "tags");
	json_array_begin(&c.j);
	json_string(&c.j, "a");
	json_string(&c.j, "b");
	json_array_end(&c.j);
	json_key(&c.j, "e");
	json_object_begin(&c.j);
	json_object_end(&c.j);
	json_object_end(&c.j);
	json_object_begin(&c.j);
	json_key(&c.j, "start");
	json_hex(&c.j, 0x2000);
	json_object_end(&c.j);
	json_array_end(&c.j);
	json_key(&c.j, "n");
	json_uint(&c.j, 2);
	json_key(&c.j, "o");
	json_object_begin(&c.j);
	json_key(&c.j, "k");
	json_int(&c.j, 1);
	json_object_end(&c.j);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c,
	    "{\n"
	    "  \"ranges\": [\n"
	    "    {\"start\": \"0x1000\", \"kind\": \"text\", \"tags\": [\"a\", \"b\"], \"e\": {}},\n"
	    "    {\"start\": \"0x2000\"}\n"
	    "  ],\n"
	    "  \"n\": 2,\n"
	    "  \"o\": {\n"
	    "    \"k\": 1\n"
	    "  }\n"
	    "}\n");
}

/* Compact from the top: the whole document on one line. */
static void
test_compact_all(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	json_compact_below(&c.j, 0);
	json_object_begin(&c.j);
	json_key(&c.j, "a");
	json_array_begin(&c.j);
	json_uint(&c.j, 1);
	json_uint(&c.j, 2);
	json_array_end(&c.j);
	json_key(&c.j, "b");
	json_object_begin(&c.j);
	json_object_end(&c.j);
	json_object_end(&c.j);
	json_end(&c.j);
	capture_check(&c, "{\"a\": [1, 2], \"b\": {}}\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_containers),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_key_helpers),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_compact_below),
		cmocka_unit_test(test_compact_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

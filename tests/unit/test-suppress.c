/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the leak suppressions (src/model/suppress.c): parsing valgrind's
 * suppression format, its error messages, and matching entries against
 * the frames of a loss record as memcheck matches them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "suppress.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define K_DEF		(1u << LEAK_DEFINITELY)
#define K_IND		(1u << LEAK_INDIRECTLY)
#define K_POSS		(1u << LEAK_POSSIBLY)
#define K_REACH		(1u << LEAK_REACHABLE)
#define K_ALL		(K_DEF | K_IND | K_POSS | K_REACH)

/* --- Parsing ----------------------------------------------------------- */

static void
assert_frame(const struct suppression *e, size_t i, enum supp_frame_kind kind,
    const char *pattern)
{
	assert_true(i < e->nframes);
	assert_int_equal(e->frames[i].kind, kind);
	assert_string_equal(e->frames[i].pattern, pattern);
}

static const char entries[] =
	"# a comment\n"						/* 1 */
	"\n"
	"{\n"
	"   leak-one\n"
	"   Memcheck:Leak\n"					/* 5 */
	"   match-leak-kinds: definite,possible\n"
	"   fun:malloc\n"
	"   fun:make_*\n"
	"   ...\n"
	"   obj:/usr/lib/x86_64-linux-gnu/libfoo.so*\n"		/* 10 */
	"   src:thing.c:12\n"
	"}\n"
	"{\n"
	"   race\n"
	"   Helgrind:Race\n"					/* 15 */
	"   hg-extra line\n"
	"   fun:foo\n"
	"}\n"
	"{\n"
	"   param\n"						/* 20 */
	"   Memcheck:Param\n"
	"   write(buf)\n"
	"   fun:write\n"
	"}\n"
	"\t{\t\n"						/* 25 */
	"\tleak-two  \n"
	"  Memcheck,Helgrind:Leak   \n"
	"   # a comment among the frames\n"
	"\n"
	"   fun:calloc\n"					/* 30 */
	"}\n"
	"{\r\n"
	"leak-three\r\n"
	"memscope:Leak\r\n"
	"match-leak-kinds: all\r\n"				/* 35 */
	"fun:?alloc\r\n"
	"}\r\n"
	"{\n"
	"   cond\n"
	"   Memcheck:Cond\n"					/* 40 */
	"   fun:f\n"
	"}\n"
	"{\n"
	"   none\n"
	"   Memcheck:Leak\n"					/* 45 */
	"   match-leak-kinds: none\n"
	"   fun:x\n"
	"}\n"
	"{\n"
	"   spaced kinds\n"					/* 50 */
	"   Memcheck:Leak\n"
	"   match-leak-kinds:reachable , indirect\n"
	"   fun:y\n"
	"}";							/* no newline */

static void
test_parse_entries(void **state)
{
	static const char six[] = "{\nsix\nMemcheck:Leak\nobj:*\n}\n";
	struct suppressions s;
	char why[256] = "";

	(void)state;
	suppress_init(&s);
	assert_true(suppress_parse(&s, entries, strlen(entries), "my.supp", why,
	    sizeof(why)));
	assert_string_equal(why, "");
	assert_int_equal(s.n, 5);

	assert_string_equal(s.v[0].name, "leak-one");
	assert_string_equal(s.v[0].origin, "my.supp:3");
	assert_int_equal(s.v[0].kinds, K_DEF | K_POSS);
	assert_int_equal(s.v[0].nframes, 5);
	assert_frame(&s.v[0], 0, SUPP_FUN, "malloc");
	assert_frame(&s.v[0], 1, SUPP_FUN, "make_*");
	assert_int_equal(s.v[0].frames[2].kind, SUPP_ANY);
	assert_frame(&s.v[0], 3, SUPP_OBJ, "/usr/lib/x86_64-linux-gnu/libfoo.so*");
	assert_frame(&s.v[0], 4, SUPP_SRC, "thing.c:12");
	assert_int_equal(s.v[0].used, 0);

	/* Helgrind:Race, Memcheck:Param and Memcheck:Cond are skipped */
	assert_string_equal(s.v[1].name, "leak-two");
	assert_string_equal(s.v[1].origin, "my.supp:25");
	assert_int_equal(s.v[1].kinds, K_ALL);
	assert_int_equal(s.v[1].nframes, 1);
	assert_frame(&s.v[1], 0, SUPP_FUN, "calloc");

	assert_string_equal(s.v[2].name, "leak-three");
	assert_string_equal(s.v[2].origin, "my.supp:32");
	assert_int_equal(s.v[2].kinds, K_ALL);
	assert_int_equal(s.v[2].nframes, 1);
	assert_frame(&s.v[2], 0, SUPP_FUN, "?alloc");

	assert_string_equal(s.v[3].name, "none");
	assert_string_equal(s.v[3].origin, "my.supp:43");
	assert_int_equal(s.v[3].kinds, 0);
	assert_frame(&s.v[3], 0, SUPP_FUN, "x");

	assert_string_equal(s.v[4].name, "spaced kinds");
	assert_string_equal(s.v[4].origin, "my.supp:49");
	assert_int_equal(s.v[4].kinds, K_REACH | K_IND);
	assert_frame(&s.v[4], 0, SUPP_FUN, "y");

	/* more text adds to the set, with its own origin */
	assert_true(suppress_parse(&s, six, strlen(six), "other.supp", why,
	    sizeof(why)));
	assert_int_equal(s.n, 6);
	assert_string_equal(s.v[5].name, "six");
	assert_string_equal(s.v[5].origin, "other.supp:1");
	assert_frame(&s.v[5], 0, SUPP_OBJ, "*");
	suppress_free(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

/* Only len bytes are read: the text need not end in a NUL. */
static void
test_parse_length(void **state)
{
	static const char text[] = "{\nn\nMemcheck:Leak\nfun:a\n}\nGARBAGE";
	struct suppressions s;
	char why[128] = "";

	(void)state;
	suppress_init(&s);
	assert_true(suppress_parse(&s, text, strlen(text) - 7, "t.supp", why,
	    sizeof(why)));
	assert_int_equal(s.n, 1);
	assert_frame(&s.v[0], 0, SUPP_FUN, "a");
	/* and an empty text is no suppression */
	assert_true(suppress_parse(&s, "", 0, "t.supp", why, sizeof(why)));
	assert_true(suppress_parse(&s, "\n# nothing\n\n", 12, "t.supp", why,
	    sizeof(why)));
	assert_int_equal(s.n, 1);
	suppress_free(&s);
}

static void
assert_parse_error(const char *text, const char *expected)
{
	struct suppressions s;
	char why[256] = "";

	suppress_init(&s);
	if (suppress_parse(&s, text, strlen(text), "t.supp", why, sizeof(why)))
		fail_msg("parsed: %s", text);
	assert_string_equal(why, expected);
	suppress_free(&s);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	assert_parse_error("garbage\n",
	    "t.supp:1: expected '{' to begin a suppression");
	assert_parse_error("# c\n\n   {\n   }\n",
	    "t.supp:3: a suppression without a name");
	assert_parse_error("{",
	    "t.supp:1: a suppression without a name");
	assert_parse_error("{\n  name\n  MemcheckLeak\n  fun:x\n}\n",
	    "t.supp:3: expected the tool and kind, as in Memcheck:Leak");
	assert_parse_error("{\n  name\n",
	    "t.supp:2: expected the tool and kind, as in Memcheck:Leak");
	assert_parse_error("{\n n\n Memcheck:Leak\n"
	    " match-leak-kinds: definite,lost\n fun:x\n}\n",
	    "t.supp:4: match-leak-kinds takes definite, indirect, possible, "
	    "reachable, all or none");
	assert_parse_error("{\n n\n Memcheck:Leak\n fun:x\n bogus\n}\n",
	    "t.supp:5: expected fun:, obj:, src:, ... or '}'");
	assert_parse_error("{\n n\n Memcheck:Leak\n fun:x\n",
	    "t.supp:1: a suppression without its closing '}'");
	/* another tool's entry must be closed too */
	assert_parse_error("{\n n\n Helgrind:Race\n extra\n",
	    "t.supp:1: a suppression without its closing '}'");
	/* lines counted across entries */
	assert_parse_error("{\n a\n Memcheck:Leak\n fun:x\n}\n\n"
	    "{\n b\n Memcheck:Leak\n fun:x\n {\n}\n",
	    "t.supp:11: expected fun:, obj:, src:, ... or '}'");
	assert_parse_error("{\n a\n Memcheck:Leak\n fun:x\n}\n}\n",
	    "t.supp:6: expected '{' to begin a suppression");
}

/* The message is cut to the buffer given. */
static void
test_parse_error_truncated(void **state)
{
	struct suppressions s;
	char why[10];

	(void)state;
	memset(why, 'x', sizeof(why));
	suppress_init(&s);
	assert_false(suppress_parse(&s, "oops", 4, "t.supp", why, sizeof(why)));
	assert_string_equal(why, "t.supp:1:");
	suppress_free(&s);
}

/*
 * valgrind reads every line of an entry skipping blank lines and
 * comments (get_nbnc_line in coregrind/m_errormgr.c), before the name
 * and the kind too: files valgrind takes must parse the same.
 */
static void
test_parse_blank_lines_before_kind(void **state)
{
	static const char text[] =
	    "{\n"
	    "\n"
	    "   # why this one\n"
	    "   name\n"
	    "   # the kind follows\n"
	    "   Memcheck:Leak\n"
	    "   fun:malloc\n"
	    "}\n";
	struct suppressions s;
	char why[256] = "";

	(void)state;
	suppress_init(&s);
	if (!suppress_parse(&s, text, strlen(text), "t.supp", why, sizeof(why)))
		fail_msg("rejected: %s", why);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].name, "name");
	assert_string_equal(s.v[0].origin, "t.supp:1");
	assert_int_equal(s.v[0].nframes, 1);
	assert_frame(&s.v[0], 0, SUPP_FUN, "malloc");
	suppress_free(&s);
}

static void
test_load_file(void **state)
{
	static const char text[] =
	    "{\n  from-a-file\n  Memcheck:Leak\n  fun:malloc\n}\n";
	char path[] = "/tmp/memscope-test-supp-XXXXXX";
	char why[512] = "", expected[600];
	struct suppressions s;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	suppress_init(&s);
	assert_true(suppress_load(&s, path, why, sizeof(why)));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].name, "from-a-file");
	snprintf(expected, sizeof(expected), "%s:1", path);
	assert_string_equal(s.v[0].origin, expected);
	unlink(path);

	assert_false(suppress_load(&s, path, why, sizeof(why)));
	snprintf(expected, sizeof(expected), "%s: No such file or directory",
	    path);
	assert_string_equal(why, expected);
	assert_int_equal(s.n, 1);
	suppress_free(&s);
}

/* memscope's own entries: glibc's DTV, possibly lost or reachable. */
static void
test_load_default(void **state)
{
	const struct leak_frame dtv[] = {
		{ .function = "malloc" },
		{ .function = "tls_get_addr_tail", .module = "/lib64/ld-linux-x86-64.so.2" },
		{ .function = "__tls_get_addr", .module = "/lib64/ld-linux-x86-64.so.2" },
		{ .function = "use_tls", .module = "/tmp/libplugin.so" },
	};
	const struct leak_frame other[] = {
		{ .function = "malloc" },
		{ .function = "main", .module = "/tmp/app" },
	};
	struct suppressions s;
	struct suppression *e;

	(void)state;
	suppress_init(&s);
	assert_true(suppress_load_default(&s));
	assert_true(s.n >= 1);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(strncmp(s.v[i].origin, "default.supp:", 13), 0);
	e = suppress_match(&s, LEAK_POSSIBLY, dtv, NELEM(dtv));
	assert_non_null(e);
	assert_string_equal(e->name, "glibc-main-thread-dtv-tail");
	assert_ptr_equal(suppress_match(&s, LEAK_REACHABLE, dtv, NELEM(dtv)), e);
	assert_null(suppress_match(&s, LEAK_DEFINITELY, dtv, NELEM(dtv)));
	for (int k = 0; k < LEAK_NKINDS; k++)
		assert_null(suppress_match(&s, k, other, NELEM(other)));
	suppress_free(&s);
}

/* --- Matching ---------------------------------------------------------- */

/* An allocation stack as model_leaks_frames gives it. */
static const struct leak_frame stack[] = {
	{ .function = "malloc" },
	{ .function = "make_thing", .module = "/home/u/proj/app",
	  .file = "/home/u/proj/src/thing.c", .line = 12 },
	{ .function = "foo::bar(int)", .linkage = "_ZN3foo3barEi",
	  .module = "/usr/lib/x86_64-linux-gnu/libfoo.so.1.2",
	  .file = "/build/foo/bar.cc", .line = 301 },
	{ .function = "main", .module = "/home/u/proj/app",
	  .file = "/home/u/proj/src/main.c", .line = 40 },
	{ .function = "__libc_start_call_main",
	  .module = "/usr/lib/x86_64-linux-gnu/libc.so.6", .below_main = true },
};

/* Does an entry of these frame lines (one per line) match frames? */
static bool
matches_frames(const char *lines, const struct leak_frame *f, size_t n)
{
	struct suppressions s;
	char text[1024], why[256] = "";
	bool m;

	snprintf(text, sizeof(text), "{\n  e\n  Memcheck:Leak\n%s\n}\n", lines);
	suppress_init(&s);
	if (!suppress_parse(&s, text, strlen(text), "t.supp", why, sizeof(why)))
		fail_msg("%s", why);
	assert_int_equal(s.n, 1);
	m = suppress_match(&s, LEAK_DEFINITELY, f, n) == &s.v[0];
	suppress_free(&s);
	return m;
}

static bool
matches(const char *lines)
{
	return matches_frames(lines, stack, NELEM(stack));
}

static void
test_match_prefix(void **state)
{
	(void)state;
	/* the innermost frames, in order; the rest of the stack is free */
	assert_true(matches("fun:malloc"));
	assert_true(matches("fun:malloc\nfun:make_thing"));
	assert_true(matches("fun:malloc\nfun:make_thing\nfun:foo::bar(int)\n"
	    "fun:main\nfun:(below main)"));
	assert_false(matches("fun:make_thing"));
	assert_false(matches("fun:malloc\nfun:main"));
	assert_false(matches("fun:calloc\nfun:make_thing"));
	/* more lines than frames */
	assert_false(matches("fun:malloc\nfun:make_thing\nfun:foo::bar(int)\n"
	    "fun:main\nfun:(below main)\nfun:*"));
	/* no frames at all */
	assert_false(matches_frames("fun:malloc", stack, 0));
	assert_false(matches_frames("fun:*", stack, 0));
}

static void
test_match_wildcards(void **state)
{
	(void)state;
	assert_true(matches("fun:mal?oc"));
	assert_true(matches("fun:*"));
	assert_true(matches("fun:m*c\nfun:make_*"));
	assert_true(matches("fun:*alloc\nfun:*thing"));
	assert_false(matches("fun:mal?c"));
	assert_false(matches("fun:mall?oc"));
	assert_false(matches("fun:malloc?"));
	assert_false(matches("fun:*x*"));
	/* a pattern matches the whole name */
	assert_false(matches("fun:mall"));
	assert_false(matches("fun:alloc"));
	/* operator new[]'s brackets match themselves */
	assert_true(matches_frames("fun:operator new[](unsigned long)",
	    (const struct leak_frame[]){
		{ .function = "operator new[](unsigned long)",
		  .linkage = "_Znam" } }, 1));
	assert_true(matches_frames("fun:_Znam",
	    (const struct leak_frame[]){
		{ .function = "operator new[](unsigned long)",
		  .linkage = "_Znam" } }, 1));
}

static void
test_match_ellipsis(void **state)
{
	(void)state;
	/* at the start */
	assert_true(matches("...\nfun:main"));
	assert_true(matches("...\nfun:malloc"));	/* no frame skipped */
	assert_true(matches("...\nfun:foo::bar(int)\nfun:main"));
	assert_false(matches("...\nfun:nothere"));
	assert_false(matches("...\nfun:main\nfun:foo::bar(int)"));
	/* in the middle */
	assert_true(matches("fun:malloc\n...\nfun:main"));
	assert_true(matches("fun:malloc\n...\nfun:make_thing"));
	assert_true(matches("fun:malloc\n...\nfun:(below main)"));
	assert_false(matches("fun:malloc\n...\nfun:malloc"));
	assert_false(matches("fun:make_thing\n...\nfun:main"));
	/* at the end */
	assert_true(matches("fun:malloc\n..."));
	assert_true(matches("fun:malloc\nfun:make_thing\nfun:foo::bar(int)\n"
	    "fun:main\nfun:(below main)\n..."));
	assert_false(matches("fun:calloc\n..."));
	/* several */
	assert_true(matches("...\n...\nfun:foo*\n...\nfun:(below main)"));
	assert_true(matches("...\nfun:make_thing\n...\nfun:main\n..."));
	assert_false(matches("...\nfun:main\n...\nfun:make_thing"));
}

/* fun: takes the demangled name or the mangled (linkage) one. */
static void
test_match_mangled(void **state)
{
	const struct leak_frame mangled_only[] = {
		{ .function = NULL, .linkage = "_ZN3foo3barEi" },
	};

	(void)state;
	assert_true(matches("...\nfun:foo::bar(int)"));
	assert_true(matches("...\nfun:foo::bar*"));
	assert_true(matches("...\nfun:_ZN3foo3barEi"));
	assert_true(matches("...\nfun:_ZN3foo3bar*"));
	assert_false(matches("...\nfun:foo::baz*"));
	assert_false(matches("...\nfun:_ZN3foo3bazEi"));
	assert_true(matches_frames("fun:_ZN3foo3barEi", mangled_only, 1));
	assert_false(matches_frames("fun:foo::bar(int)", mangled_only, 1));
}

/* The frames that call main are "(below main)", as memcheck names them. */
static void
test_match_below_main(void **state)
{
	(void)state;
	assert_true(matches("...\nfun:(below main)"));
	assert_true(matches("...\nfun:main\nfun:(below*"));
	assert_false(matches("...\nfun:__libc_start_call_main"));
	assert_true(matches("...\nfun:main\nobj:*/libc.so.6"));
}

static void
test_match_obj(void **state)
{
	(void)state;
	assert_true(matches("fun:malloc\nobj:/home/u/proj/app"));
	assert_true(matches("fun:malloc\nobj:*/app"));
	assert_true(matches("...\nobj:*/libfoo.so*"));
	assert_true(matches("...\nobj:/usr/lib/*/libfoo.so.?.?"));
	assert_false(matches("...\nobj:libfoo.so*"));
	assert_false(matches("...\nobj:*/libbar.so*"));
	/* the allocation function's own frame has no module */
	assert_false(matches("obj:*"));
	assert_true(matches("fun:malloc\nobj:*\nobj:*\nobj:*\nobj:*"));
}

static void
test_match_src(void **state)
{
	(void)state;
	assert_true(matches("fun:malloc\nsrc:thing.c"));
	assert_true(matches("fun:malloc\nsrc:thing.c:12"));
	assert_true(matches("fun:malloc\nsrc:thing.c:1?"));
	assert_true(matches("fun:malloc\nsrc:*.c"));
	assert_true(matches("fun:malloc\nsrc:thing.c:*"));
	assert_true(matches("...\nsrc:bar.cc:301\nsrc:main.c"));
	assert_false(matches("fun:malloc\nsrc:thing.c:13"));
	assert_false(matches("fun:malloc\nsrc:thing.c:1"));
	assert_false(matches("fun:malloc\nsrc:main.c"));
	assert_false(matches("fun:malloc\nsrc:*.cc"));
	/* no source file: no match */
	assert_false(matches("src:*"));
	assert_false(matches("...\nfun:main\nsrc:*"));
}

static void
test_match_kinds(void **state)
{
	static const char text[] =
	    "{\n def\n Memcheck:Leak\n match-leak-kinds: definite\n fun:malloc\n}\n"
	    "{\n poss-reach\n Memcheck:Leak\n match-leak-kinds: possible,reachable\n"
	    " fun:malloc\n fun:make_thing\n}\n"
	    "{\n any\n Memcheck:Leak\n fun:malloc\n ...\n fun:main\n}\n"
	    "{\n none\n Memcheck:Leak\n match-leak-kinds: none\n fun:*\n}\n";
	const struct leak_frame other[] = {
		{ .function = "malloc" }, { .function = "elsewhere" },
	};
	struct suppressions s;
	char why[256] = "";

	(void)state;
	suppress_init(&s);
	assert_true(suppress_parse(&s, text, strlen(text), "t.supp", why,
	    sizeof(why)));
	assert_int_equal(s.n, 4);
	/* the first entry that matches */
	assert_ptr_equal(suppress_match(&s, LEAK_DEFINITELY, stack, NELEM(stack)),
	    &s.v[0]);
	assert_ptr_equal(suppress_match(&s, LEAK_POSSIBLY, stack, NELEM(stack)),
	    &s.v[1]);
	assert_ptr_equal(suppress_match(&s, LEAK_REACHABLE, stack, NELEM(stack)),
	    &s.v[1]);
	assert_ptr_equal(suppress_match(&s, LEAK_INDIRECTLY, stack, NELEM(stack)),
	    &s.v[2]);
	/* frames only the kind-less entries could match... */
	assert_ptr_equal(suppress_match(&s, LEAK_DEFINITELY, other, NELEM(other)),
	    &s.v[0]);
	assert_null(suppress_match(&s, LEAK_POSSIBLY, other, NELEM(other)));
	assert_null(suppress_match(&s, LEAK_INDIRECTLY, other, NELEM(other)));
	/* matching counts nothing itself */
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.v[i].used, 0);
	suppress_free(&s);

	/* no entries, no match */
	suppress_init(&s);
	assert_null(suppress_match(&s, LEAK_DEFINITELY, stack, NELEM(stack)));
}

/*
 * valgrind's patterns know * and ? only (VG_(string_match)); '[' is a
 * character like any other. Demangled C++ names carry brackets: ABI tags
 * such as [abi:cxx11].
 */
static void
test_match_brackets_literal(void **state)
{
	const struct leak_frame tagged[] = {
		{ .function = "malloc" },
		{ .function = "make_name[abi:cxx11](int)",
		  .linkage = "_Z9make_nameB5cxx11i" },
	};

	(void)state;
	assert_true(matches_frames("fun:malloc\nfun:make_name*", tagged, 2));
	assert_true(matches_frames("fun:malloc\nfun:make_name[abi:cxx11](int)",
	    tagged, 2));
	assert_true(matches_frames("fun:malloc\nfun:make_name[abi:cxx11]*",
	    tagged, 2));
}

/*
 * memcheck calls a frame it has no function name for "???" (foComplete in
 * coregrind/m_errormgr.c), so fun:* matches such a frame there.
 */
static void
test_match_unnamed_frame(void **state)
{
	const struct leak_frame unnamed[] = {
		{ .function = "malloc" },
		{ .module = "/usr/lib/libstripped.so.1" },
		{ .function = "main", .module = "/tmp/app" },
	};

	(void)state;
	assert_true(matches_frames("fun:malloc\nobj:/usr/lib/libstripped.so.1\n"
	    "fun:main", unnamed, 3));
	assert_true(matches_frames("fun:malloc\n...\nfun:main", unnamed, 3));
	assert_true(matches_frames("fun:malloc\nfun:*\nfun:main", unnamed, 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_entries),
		cmocka_unit_test(test_parse_length),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_truncated),
		cmocka_unit_test(test_parse_blank_lines_before_kind),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_default),
		cmocka_unit_test(test_match_prefix),
		cmocka_unit_test(test_match_wildcards),
		cmocka_unit_test(test_match_ellipsis),
		cmocka_unit_test(test_match_mangled),
		cmocka_unit_test(test_match_below_main),
		cmocka_unit_test(test_match_obj),
		cmocka_unit_test(test_match_src),
		cmocka_unit_test(test_match_kinds),
		cmocka_unit_test(test_match_brackets_literal),
		cmocka_unit_test(test_match_unnamed_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

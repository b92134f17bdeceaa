/* SPDX-License-Identifier: ISC */
/*
 * Leak suppressions, in valgrind's suppression file format so that the
 * files users already keep work unchanged (memscope-suppressions(5)):
 *
 *	{
 *	   name
 *	   Memcheck:Leak
 *	   match-leak-kinds: definite,possible
 *	   fun:malloc
 *	   fun:make_*
 *	   ...
 *	   obj:/usr/lib/x86_64-linux-gnu/libfoo.so*
 *	}
 *
 * Frame lines match the allocation stack from its innermost frame: fun:
 * a function (demangled or mangled name; the frames that call main, such
 * as __libc_start_call_main, are "(below main)" as in memcheck's own
 * stacks), obj: the module's path, src: the
 * source file (file.c or file.c:12), "..." any number of frames. Patterns
 * take the wildcards * and ? (and \ to quote one); a frame without a name
 * is "???". Entries for other tools or kinds are read and ignored.
 */
#ifndef MEMSCOPE_SUPPRESS_H
#define MEMSCOPE_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leak-scan.h"
#include "model-leaks.h"

enum supp_frame_kind {
	SUPP_FUN,
	SUPP_OBJ,
	SUPP_SRC,
	SUPP_ANY,		/* "..." */
};

struct supp_frame {
	enum supp_frame_kind kind;
	char		*pattern;
};

struct suppression {
	char		*name;
	char		*origin;	/* "file:line" of its '{' */
	unsigned int	 kinds;		/* 1 << enum leak_kind */
	struct supp_frame *frames;
	size_t		 nframes;
	uint64_t	 used;		/* loss records it suppressed */
};

struct suppressions {
	struct suppression *v;
	size_t		 n;
	size_t		 cap;
};

void	suppress_init(struct suppressions *s);
void	suppress_free(struct suppressions *s);
/* Add the entries of text (named origin in messages). False: why. */
bool	suppress_parse(struct suppressions *s, const char *text, size_t len,
	    const char *origin, char *why, size_t whylen);
bool	suppress_load(struct suppressions *s, const char *path, char *why,
	    size_t whylen);
/* memscope's own, compiled in from src/model/default.supp. */
bool	suppress_load_default(struct suppressions *s);
/* The most frames any entry looks at (SIZE_MAX with "..." before a frame line). */
size_t	suppress_depth(const struct suppressions *s);
/* The first suppression matching a record of kind with frames, or NULL. */
struct suppression *suppress_match(const struct suppressions *s,
	    enum leak_kind kind, const struct leak_frame *frames, size_t n);

#endif

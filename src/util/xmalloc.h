/* SPDX-License-Identifier: ISC */
/*
 * Allocation for the analyzer: never returns NULL; when memory runs out,
 * dies in one line, "memscope: out of memory while ACTIVITY (allocating N
 * bytes)", status 1.
 */
#ifndef MEMSCOPE_XMALLOC_H
#define MEMSCOPE_XMALLOC_H

#include <stddef.h>

#include "log.h"

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
int	 xasprintf(char **ret, const char *fmt, ...) MS_PRINTF(2, 3);

/* What memscope is doing, "reading the trace t.msc", for that line; NULL: none. */
void	 xmalloc_activity(const char *fmt, ...) MS_PRINTF(1, 2);
/*
 * Die of an allocation of nmemb * size bytes that failed, elsewhere than
 * here (a library's); 0: the size is not known.
 */
void	 xmalloc_out_of_memory(size_t nmemb, size_t size)
	    __attribute__((noreturn));

/* Grow *items (of *cap elements of size) so that it holds at least need. */
void	*xgrow(void *items, size_t *cap, size_t need, size_t size);

#endif

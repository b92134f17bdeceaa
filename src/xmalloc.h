/* Allocation for the analyzer: never returns NULL, dies with a clear message. */
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

/* Grow *items (of *cap elements of size) so that it holds at least need. */
void	*xgrow(void *items, size_t *cap, size_t need, size_t size);

#endif

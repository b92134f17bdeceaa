/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

/*
 * What memscope is doing, for the message when memory runs out. The house
 * style's "xmalloc: allocating N bytes" names a function of memscope's own,
 * which tells a user nothing; "out of memory while tracking PROGRAM" says
 * which of the jobs gave up.
 */
static char activity[256];

void
xmalloc_activity(const char *fmt, ...)
{
	va_list ap;

	activity[0] = '\0';
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(activity, sizeof(activity), fmt, ap);
	va_end(ap);
}

void
xmalloc_out_of_memory(size_t nmemb, size_t size)
{
	char asked[96] = "";

	if (nmemb > 0 && size > 0 && nmemb > SIZE_MAX / size)
		snprintf(asked, sizeof(asked), " (allocating %zu * %zu bytes, "
		    "more than the address space)", nmemb, size);
	else if (nmemb > 0 && size > 0)
		snprintf(asked, sizeof(asked), " (allocating %zu bytes)",
		    nmemb * size);
	fatalx("out of memory%s%s%s", activity[0] != '\0' ? " while " : "",
	    activity, asked);
}

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		xmalloc_out_of_memory(1, size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_out_of_memory(nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (nmemb > SIZE_MAX / size || (p = realloc(ptr, nmemb * size)) == NULL)
		xmalloc_out_of_memory(nmemb, size);
	return p;
}

void *
xgrow(void *items, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap;

	if (need <= n)
		return items;
	if (n < 16)
		n = 16;
	while (n < need)
		n *= 2;
	items = xreallocarray(items, n, size);
	*cap = n;
	return items;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_out_of_memory(0, 0);
	return n;
}

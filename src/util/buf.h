/* SPDX-License-Identifier: ISC */
/* A growable byte buffer, always NUL-terminated, for whole-file reads. */
#ifndef MEMSCOPE_BUF_H
#define MEMSCOPE_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* Make room for at least n more bytes after len. */
void	buf_reserve(struct buf *b, size_t n);
void	buf_clear(struct buf *b);
void	buf_free(struct buf *b);

/*
 * The next line of the text in [*cursor, end), NUL-terminated in place
 * (end[0] must be writable), with *cursor moved past it; NULL at the end.
 */
char	*buf_next_line(char **cursor, char *end);

#endif

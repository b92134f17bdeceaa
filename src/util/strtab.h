/* SPDX-License-Identifier: ISC */
/* A string interner: equal strings share one copy, freed together. */
#ifndef MEMSCOPE_STRTAB_H
#define MEMSCOPE_STRTAB_H

#include <stddef.h>

struct strtab {
	char	**slots;	/* open addressing, NULL = empty */
	size_t	  nslots;	/* a power of two */
	size_t	  count;
};

/* The table's copy of s, made on first sight. */
const char *strtab_intern(struct strtab *t, const char *s);
void	strtab_free(struct strtab *t);

#endif

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "xmalloc.h"

static uint64_t
strtab_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
strtab_insert(char **slots, size_t nslots, char *s)
{
	size_t i = strtab_hash(s) & (nslots - 1);

	while (slots[i] != NULL)
		i = (i + 1) & (nslots - 1);
	slots[i] = s;
}

const char *
strtab_intern(struct strtab *t, const char *s)
{
	size_t i;

	if (t->nslots != 0) {
		i = strtab_hash(s) & (t->nslots - 1);
		for (; t->slots[i] != NULL; i = (i + 1) & (t->nslots - 1))
			if (strcmp(t->slots[i], s) == 0)
				return t->slots[i];
	}
	if (2 * (t->count + 1) > t->nslots) {
		size_t n = t->nslots ? 2 * t->nslots : 64;
		char **slots = xcalloc(n, sizeof(*slots));

		for (i = 0; i < t->nslots; i++)
			if (t->slots[i] != NULL)
				strtab_insert(slots, n, t->slots[i]);
		free(t->slots);
		t->slots = slots;
		t->nslots = n;
	}
	char *copy = xstrdup(s);

	strtab_insert(t->slots, t->nslots, copy);
	t->count++;
	return copy;
}

void
strtab_free(struct strtab *t)
{
	for (size_t i = 0; i < t->nslots; i++)
		free(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

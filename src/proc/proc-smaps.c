/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proc-smaps.h"
#include "xmalloc.h"

/*
 * The "Name:   1234 kB" fields memscope keeps. Others (KSM, LazyFree,
 * THPeligible, ...) are skipped, so a newer kernel adding fields is fine.
 */
static const struct smaps_field {
	const char	*name;
	size_t		 namelen;
	size_t		 offset;
} smaps_fields[] = {
#define F(name, field) { name, sizeof(name) - 1, offsetof(struct mem_counts, field) }
	F("Rss", rss),
	F("Pss", pss),
	F("Shared_Clean", shared_clean),
	F("Shared_Dirty", shared_dirty),
	F("Private_Clean", private_clean),
	F("Private_Dirty", private_dirty),
	F("Referenced", referenced),
	F("Anonymous", anonymous),
	F("AnonHugePages", anon_huge),
	F("Swap", swap),
	F("SwapPss", swap_pss),
	F("Locked", locked),
#undef F
};

/* "   1234 kB" → bytes. */
static int
parse_kb(const char *p, uint64_t *out)
{
	uint64_t v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p++ - '0');

		if (v > (UINT64_MAX / 1024 - d) / 10)
			return -1;	/* the bytes would not fit */
		v = v * 10 + d;
	}
	if (strcmp(p, " kB") != 0)
		return -1;
	*out = v * 1024;
	return 0;
}

/*
 * One "Name: value" line of an smaps entry (or of smaps_rollup):
 *   Private_Dirty:       112 kB
 * Fills the matching field of *mc (and of *m when not NULL). Unknown names
 * are accepted and ignored; a known name with a bad value is an error.
 */
static int
parse_field(char *line, struct mem_counts *mc, struct proc_mapping *m)
{
	char *colon = strchr(line, ':');
	size_t namelen;
	uint64_t v;

	if (colon == NULL || colon == line)
		return -1;
	namelen = (size_t)(colon - line);
	for (size_t i = 0; i < sizeof(smaps_fields) / sizeof(smaps_fields[0]); i++) {
		const struct smaps_field *f = &smaps_fields[i];

		if (f->namelen != namelen ||
		    memcmp(f->name, line, namelen) != 0)
			continue;
		if (parse_kb(colon + 1, &v) != 0)
			return -1;
		*(uint64_t *)((char *)mc + f->offset) = v;
		return 0;
	}
	if (m == NULL)
		return 0;
	if (namelen == 14 && memcmp(line, "KernelPageSize", 14) == 0)
		return parse_kb(colon + 1, &m->kernel_page_size);
	if (namelen == 7 && memcmp(line, "VmFlags", 7) == 0) {
		char *p = colon + 1, *end;

		while (*p == ' ')
			p++;
		/* "VmFlags: rd mr mw me \n": the kernel ends with a space */
		for (end = p + strlen(p); end > p && end[-1] == ' '; end--)
			;
		*end = '\0';
		m->vmflags = p;
	}
	return 0;
}

int
proc_smaps_parse(char *buf, size_t len, struct proc_mapping **maps,
    size_t *nmaps, size_t *bad_line)
{
	struct proc_mapping *v = NULL, *cur = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char *cursor = buf, *line;

	while ((line = buf_next_line(&cursor, buf + len)) != NULL) {
		lineno++;
		if (proc_maps_is_header(line)) {
			v = xgrow(v, &cap, n + 1, sizeof(*v));
			cur = &v[n++];
			if (proc_maps_parse_line(line, cur) != 0)
				goto bad;
		} else if (cur == NULL || parse_field(line, &cur->mem, cur) != 0)
			goto bad;
	}
	*maps = v;
	*nmaps = n;
	return 0;
bad:
	free(v);
	*bad_line = lineno;
	return -1;
}

int
proc_smaps_rollup_parse(char *buf, size_t len, struct mem_counts *out)
{
	char *cursor = buf, *line;
	bool header = false;

	memset(out, 0, sizeof(*out));
	while ((line = buf_next_line(&cursor, buf + len)) != NULL) {
		if (!header) {
			/* 55851f5ad000-7ffc8110f000 ---p 00000000 00:00 0   [rollup] */
			if (!proc_maps_is_header(line))
				return -1;
			header = true;
		} else if (parse_field(line, out, NULL) != 0)
			return -1;
	}
	return header ? 0 : -1;
}

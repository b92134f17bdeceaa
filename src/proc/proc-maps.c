/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proc-maps.h"
#include "xmalloc.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse hex digits at *pp up to a non-hex char; at least one digit. */
static int
parse_hex(char **pp, uint64_t *out)
{
	char *p = *pp;
	uint64_t v = 0;
	int d, n = 0;

	while ((d = hexval((unsigned char)*p)) >= 0) {
		if (n++ == 16)
			return -1;
		v = (v << 4) | (uint64_t)d;
		p++;
	}
	if (n == 0)
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

static int
parse_dec(char **pp, uint64_t *out)
{
	char *p = *pp;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p++ - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	*pp = p;
	return 0;
}

bool
proc_maps_is_header(const char *line)
{
	while (hexval((unsigned char)*line) >= 0)
		line++;
	return *line == '-';
}

int
proc_maps_parse_line(char *line, struct proc_mapping *m)
{
	static const char deleted[] = " (deleted)";
	char *p = line;
	uint64_t major, minor;
	size_t len;

	memset(m, 0, sizeof(*m));
	if (parse_hex(&p, &m->start) != 0 || *p++ != '-')
		return -1;
	if (parse_hex(&p, &m->end) != 0 || *p++ != ' ' || m->end < m->start)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (p[i] == '\0')
			return -1;
		m->perms[i] = p[i];
	}
	p += 4;
	if (*p++ != ' ')
		return -1;
	if (parse_hex(&p, &m->offset) != 0 || *p++ != ' ')
		return -1;
	if (parse_hex(&p, &major) != 0 || *p++ != ':')
		return -1;
	if (parse_hex(&p, &minor) != 0 || *p++ != ' ')
		return -1;
	if (major > 0xfff || minor > 0xfffff)
		return -1;
	m->dev_major = (unsigned int)major;
	m->dev_minor = (unsigned int)minor;
	if (parse_dec(&p, &m->inode) != 0)
		return -1;
	if (*p != ' ' && *p != '\0')
		return -1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	len = strlen(p);
	if (len > sizeof(deleted) - 1 &&
	    strcmp(p + len - (sizeof(deleted) - 1), deleted) == 0) {
		m->deleted = true;
		p[len - (sizeof(deleted) - 1)] = '\0';
	}
	m->path = p;
	return 0;
}

int
proc_maps_parse(char *buf, size_t len, struct proc_mapping **maps,
    size_t *nmaps, size_t *bad_line)
{
	struct proc_mapping *v = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char *cursor = buf, *line;

	while ((line = buf_next_line(&cursor, buf + len)) != NULL) {
		lineno++;
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		if (proc_maps_parse_line(line, &v[n]) != 0) {
			free(v);
			*bad_line = lineno;
			return -1;
		}
		n++;
	}
	*maps = v;
	*nmaps = n;
	return 0;
}

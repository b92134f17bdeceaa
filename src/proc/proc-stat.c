/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "proc-stat.h"

/* Next whitespace-separated number at *pp (base 0: "0x" allowed), or -1. */
static int
next_num(const char **pp, const char *end, int base, int64_t *out)
{
	const char *p = *pp;
	char tmp[32], *ep;
	size_t n;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
		p++;
	for (n = 0; p + n < end && p[n] != ' ' && p[n] != '\n' && p[n] != '\t'; n++)
		;
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	if (tmp[0] == '-')
		*out = strtoll(tmp, &ep, base);
	else
		*out = (int64_t)strtoull(tmp, &ep, base);
	if (*ep != '\0' || errno != 0)
		return -1;
	*pp = p + n;
	return 0;
}

int
proc_stat_parse(const char *buf, size_t len, struct proc_stat *st)
{
	const char *end = buf + len, *open, *close, *p;
	int64_t v[52];
	size_t n;

	memset(st, 0, sizeof(*st));
	if ((open = memchr(buf, '(', len)) == NULL)
		return -1;
	for (close = end; close > open && close[-1] != ')'; close--)
		;
	if (close == open)
		return -1;
	close--;	/* at the last ')' */
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';
	st->pid = atoi(buf);

	p = close + 1;
	while (p < end && *p == ' ')
		p++;
	if (p >= end)
		return -1;
	st->state = *p++;
	/*
	 * v[i] holds field i+4 of proc(5) (ppid is field 4). Older kernels
	 * have fewer fields: what is missing stays zero.
	 */
	memset(v, 0, sizeof(v));
	for (n = 0; n < sizeof(v) / sizeof(v[0]); n++)
		if (next_num(&p, end, 10, &v[n]) != 0)
			break;
	if (n < 20)	/* up to vsize at least */
		return -1;
#define FIELD(k) v[(k) - 4]
	st->ppid = (int)FIELD(4);
	st->flags = (unsigned long)FIELD(9);
	st->minflt = (uint64_t)FIELD(10);
	st->majflt = (uint64_t)FIELD(12);
	st->utime = (uint64_t)FIELD(14);
	st->stime = (uint64_t)FIELD(15);
	st->num_threads = (long)FIELD(20);
	st->starttime = (uint64_t)FIELD(22);
	st->vsize = (uint64_t)FIELD(23);
	st->rss_pages = (uint64_t)FIELD(24);
	st->start_code = (uint64_t)FIELD(26);
	st->end_code = (uint64_t)FIELD(27);
	st->start_stack = (uint64_t)FIELD(28);
	st->start_data = (uint64_t)FIELD(45);
	st->end_data = (uint64_t)FIELD(46);
	st->start_brk = (uint64_t)FIELD(47);
	st->arg_start = (uint64_t)FIELD(48);
	st->arg_end = (uint64_t)FIELD(49);
	st->env_start = (uint64_t)FIELD(50);
	st->env_end = (uint64_t)FIELD(51);
	st->exit_code = (int)FIELD(52);
#undef FIELD
	return 0;
}

/* "VmSize:\t    2920 kB" value → bytes. */
static uint64_t
status_kb(const char *p, const char *end)
{
	int64_t v;

	if (next_num(&p, end, 10, &v) != 0 || v < 0)
		return 0;
	return (uint64_t)v * 1024;
}

int
proc_status_parse(const char *buf, size_t len, struct proc_status *st)
{
	const char *p = buf, *end = buf + len, *nl, *val;
	bool seen_name = false;
	int64_t v;

	memset(st, 0, sizeof(*st));
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((val = memchr(p, ':', (size_t)(nl - p))) == NULL) {
			p = nl + 1;
			continue;
		}
		size_t klen = (size_t)(val - p);
		val++;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(p, k, klen) == 0)
		if (KEY("Name")) {
			const char *s = val;
			size_t n;

			while (s < nl && (*s == '\t' || *s == ' '))
				s++;
			n = (size_t)(nl - s);
			if (n >= sizeof(st->name))
				n = sizeof(st->name) - 1;
			memcpy(st->name, s, n);
			st->name[n] = '\0';
			seen_name = true;
		} else if (KEY("State")) {
			const char *s = val;

			while (s < nl && (*s == '\t' || *s == ' '))
				s++;
			st->state = s < nl ? *s : '?';
		} else if (KEY("Tgid")) {
			if (next_num(&val, nl, 10, &v) == 0)
				st->tgid = (int)v;
		} else if (KEY("PPid")) {
			if (next_num(&val, nl, 10, &v) == 0)
				st->ppid = (int)v;
		} else if (KEY("TracerPid")) {
			if (next_num(&val, nl, 10, &v) == 0)
				st->tracer_pid = (int)v;
		} else if (KEY("Uid")) {
			for (int i = 0; i < 4; i++)
				if (next_num(&val, nl, 10, &v) == 0)
					st->uid[i] = (unsigned int)v;
		} else if (KEY("Threads")) {
			if (next_num(&val, nl, 10, &v) == 0)
				st->threads = (long)v;
		} else if (KEY("VmPeak")) {
			st->vm_peak = status_kb(val, nl);
		} else if (KEY("VmSize")) {
			st->vm_size = status_kb(val, nl);
			st->has_vm = true;
		} else if (KEY("VmLck")) {
			st->vm_lck = status_kb(val, nl);
		} else if (KEY("VmHWM")) {
			st->vm_hwm = status_kb(val, nl);
		} else if (KEY("VmRSS")) {
			st->vm_rss = status_kb(val, nl);
		} else if (KEY("VmSwap")) {
			st->vm_swap = status_kb(val, nl);
		} else if (KEY("SigBlk")) {
			if (next_num(&val, nl, 16, &v) == 0) {
				st->sig_blocked = (uint64_t)v;
				st->has_sig_blocked = true;
			}
		}
#undef KEY
		p = nl + 1;
	}
	return seen_name ? 0 : -1;
}

int
proc_syscall_parse(const char *buf, size_t len, struct proc_syscall *sc)
{
	const char *p = buf, *end = buf + len;
	int64_t v[9];
	size_t n;

	memset(sc, 0, sizeof(*sc));
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) >= 7 && memcmp(p, "running", 7) == 0) {
		sc->state = PROC_SYSCALL_RUNNING;
		sc->nr = -1;
		return 0;
	}
	for (n = 0; n < 9; n++)
		if (next_num(&p, end, 0, &v[n]) != 0)
			break;
	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	if (p != end)
		return -1;
	if (n == 3 && v[0] == -1) {
		sc->nr = -1;
		sc->sp = (uint64_t)v[1];
		sc->pc = (uint64_t)v[2];
	} else if (n == 9) {
		sc->nr = (long)v[0];
		sc->sp = (uint64_t)v[7];
		sc->pc = (uint64_t)v[8];
	} else
		return -1;
	sc->state = PROC_SYSCALL_BLOCKED;
	return 0;
}

int
proc_uptime_parse(const char *buf, size_t len, double *seconds)
{
	char text[64], *end;

	/* strtod wants a string: the first field alone, copied */
	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, buf, len);
	text[len] = '\0';
	*seconds = strtod(text, &end);
	/* no NaN, nothing negative, nothing past a few thousand years */
	if (end == text || (*end != ' ' && *end != '\n' && *end != '\0') ||
	    !(*seconds >= 0 && *seconds <= 1e11))
		return -1;
	return 0;
}

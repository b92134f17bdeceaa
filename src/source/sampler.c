/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "proc.h"
#include "proc-stat.h"
#include "sampler.h"

void
sampler_init(struct sampler *s, const char *root, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->root = root;
}

/* The command line, its NULs made spaces. */
static void
read_cmdline(struct proc *p, struct buf *b, char *out, size_t len)
{
	out[0] = '\0';
	if (proc_read(p, "cmdline", b) == PROC_OK && b->len > 0) {
		size_t n = b->len < len - 1 ? b->len : len - 1;

		for (size_t i = 0; i < n; i++)
			out[i] = b->data[i] == '\0' ? ' ' : b->data[i];
		while (n > 0 && out[n - 1] == ' ')
			n--;
		out[n] = '\0';
	}
}

/*
 * stat, the command line (every time: an exec changes it, and memscope run
 * samples early) and the process's age from the root's uptime. False once
 * the process has gone or is a zombie.
 */
static bool
read_stat(struct proc *p, struct buf *b, struct history_proc *out)
{
	double up;

	if (proc_read(p, "stat", b) != PROC_OK ||
	    proc_stat_parse(b->data, b->len, &out->stat) != 0 ||
	    out->stat.state == 'Z' || out->stat.state == 'X')
		return false;
	read_cmdline(p, b, out->cmdline, sizeof(out->cmdline));
	if (proc_read_root(p->root, "uptime", b) == PROC_OK &&
	    proc_uptime_parse(b->data, b->len, &up) == 0)
		out->uptime = up - (double)out->stat.starttime /
		    (double)sysconf(_SC_CLK_TCK);
	return true;
}

/* One look at the process, ROOT/PID opened once for all of it. */
static enum source_proc_result
read_proc(struct sampler *s, struct history_proc *out)
{
	struct source_proc_error err;
	enum source_proc_result r = SOURCE_PROC_OK;
	struct buf b = { 0 };
	struct proc p;

	memset(out, 0, sizeof(*out));
	if (proc_open(&p, s->root, s->pid) != PROC_OK || !read_stat(&p, &b, out))
		r = SOURCE_PROC_GONE;
	else if (source_proc_snapshot_at(&p, &out->snap, &err) != SOURCE_PROC_OK)
		r = err.result;
	buf_free(&b);
	proc_close(&p);
	return r;
}

bool
sampler_take(struct sampler *s, struct history *h, const struct process *traced)
{
	double now = clock_now_s();
	struct history_proc proc;

	if (s->gone == SOURCE_PROC_OK)
		s->gone = read_proc(s, &proc);
	model_history_add(h, now, s->gone == SOURCE_PROC_OK ? &proc : NULL,
	    traced);
	return s->gone == SOURCE_PROC_OK;
}

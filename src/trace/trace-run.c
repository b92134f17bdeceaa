/* SPDX-License-Identifier: ISC */
/*
 * The run as a whole and each process of it in the trace: the run's entry
 * first (the program, its protocol, its clock), an entry per process as it
 * says hello, the growth series' ticks among the records, and at the end
 * how each process and the run ended; read back into the session.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "trace-run.h"
#include "xmalloc.h"

/* prefix, then each of argv with its NUL, in one new buffer; *argc counts. */
static char *
pack_strings(const char *prefix, char *const argv[], size_t *len, uint32_t *argc)
{
	size_t plen = strlen(prefix), n = plen;
	char *blob;

	*argc = 0;
	for (char *const *a = argv; a != NULL && *a != NULL; a++, (*argc)++)
		n += strlen(*a) + 1;
	blob = xmalloc(n ? n : 1);
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the entry has its length */
	memcpy(blob, prefix, plen);
	*len = plen;
	for (char *const *a = argv; a != NULL && *a != NULL; a++) {
		memcpy(blob + *len, *a, strlen(*a) + 1);
		*len += strlen(*a) + 1;
	}
	return blob;
}

/* argc NUL-terminated strings from p to end, into a new argv. */
static bool
unpack_strings(const char *p, const char *end, uint32_t argc, char ***out)
{
	char **argv;

	if (argc > 100000)
		return false;
	argv = *out = xcalloc(argc + 1, sizeof(*argv));
	for (uint32_t i = 0; i < argc; i++) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (p + len >= end)
			return false;
		argv[i] = xstrndup(p, len);
		p += len + 1;
	}
	return true;
}

void
trace_run_write(struct tracefile *t, pid_t pid, const char *path,
    char *const argv[], double ns_per_tick)
{
	struct trace_run run = { .main_pid = pid, .protocol = MS_PROTOCOL_VERSION,
	    .path_len = (uint32_t)strlen(path), .ns_per_tick = ns_per_tick };
	size_t len;
	char *blob = pack_strings(path, argv, &len, &run.argc);

	tracefile_write(t, TRACE_RUN, &run, sizeof(run), blob, len);
	free(blob);
}

void
trace_process_write(struct tracefile *t, uint32_t stream, const struct process *p)
{
	struct trace_process tp = { .stream = stream, .pid = p->pid,
	    .ppid = p->ppid, .fork_token = p->fork_token,
	    .exe_len = (uint32_t)strlen(p->exe) };
	size_t len;
	char *blob = pack_strings(p->exe, p->argv, &len, &tp.argc);

	tp.flags = (p->forked ? TRACE_PROCESS_FORKED : 0) |
	    (p->heap.attached ? TRACE_PROCESS_ATTACHED : 0);
	tracefile_write(t, TRACE_PROCESS, &tp, sizeof(tp), blob, len);
	free(blob);
}

void
trace_tick_write(struct tracefile *t, uint32_t stream, uint64_t ms, bool end)
{
	struct trace_tick tk = { .stream = stream, .end = end, .ms = ms };

	tracefile_write(t, TRACE_TICK, &tk, sizeof(tk), NULL, 0);
}

void
trace_run_end_write(struct tracefile *t, const struct session *s)
{
	/* an attach is told by a period above 0, however short it was */
	struct trace_run_end re = { .exited = s->run.exited,
	    .status = s->run.status, .attached = s->run.attached,
	    .attached_ms = !s->run.attached ? 0 :
	    s->run.attached_ms > 0 ? s->run.attached_ms : 1 };

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct process *p = s->procs[i];
		struct trace_process_end pe = { .stream = (uint32_t)i,
		    .replaced = p->replaced, .exited = p->exited,
		    .exit_code = p->exit_code, .exit_signal = p->exit_signal,
		    .still_running = p->still_running,
		    .ring_waits = p->heap.sum.ring_waits,
		    .dropped = p->heap.sum.dropped };

		tracefile_write(t, TRACE_PROCESS_END, &pe, sizeof(pe), NULL, 0);
	}
	tracefile_write(t, TRACE_RUN_END, &re, sizeof(re), NULL, 0);
}

bool
trace_run_load(const struct trace_entry *e, struct session *s, char *why,
    size_t whylen)
{
	struct trace_run run;
	const char *p, *end = (const char *)e->data + e->len;

	why[0] = '\0';
	if (e->len < sizeof(run))
		return false;
	memcpy(&run, e->data, sizeof(run));
	/*
	 * The format version, checked already, changes with the protocol's:
	 * another protocol here is not another memscope's, but damage.
	 */
	if (run.protocol != MS_PROTOCOL_VERSION) {
		snprintf(why, whylen, "damaged at byte %llu of the decompressed "
		    "trace: the run entry gives protocol version %u, where a "
		    "trace of format version %u has version %u",
		    (unsigned long long)e->offset, run.protocol,
		    TRACE_FORMAT_VERSION, MS_PROTOCOL_VERSION);
		return false;
	}
	if (run.path_len > e->len - sizeof(run))
		return false;
	/*
	 * A clock from 1 ps to 1 ms a tick, or none (0); anything else (a
	 * NaN, a denormal) would overflow the lifetimes' tick bounds.
	 */
	if (!(run.ns_per_tick == 0 ||
	    (run.ns_per_tick >= 1e-3 && run.ns_per_tick <= 1e6)))
		return false;
	p = (const char *)e->data + sizeof(run);
	s->run.main_pid = run.main_pid;
	s->ns_per_tick = run.ns_per_tick;
	s->run.path = xstrndup(p, run.path_len);
	return unpack_strings(p + run.path_len, end, run.argc, &s->run.argv);
}

bool
trace_process_load(const struct trace_entry *e, struct session *s)
{
	struct trace_process tp;
	struct process *proc;

	if (e->len < sizeof(tp))
		return false;
	memcpy(&tp, e->data, sizeof(tp));
	if (tp.stream != s->nprocs || tp.exe_len > e->len - sizeof(tp))
		return false;
	proc = model_session_add(s, tp.pid);
	proc->ppid = tp.ppid;
	proc->forked = (tp.flags & TRACE_PROCESS_FORKED) != 0;
	proc->heap.inherits = proc->forked;
	/* its frees of blocks from before the attach are no anomaly */
	proc->heap.attached = (tp.flags & TRACE_PROCESS_ATTACHED) != 0;
	/* an exec'd image of a process replaces its last one */
	for (size_t i = 0; i + 1 < s->nprocs; i++)
		if (s->procs[i]->pid == tp.pid && !s->procs[i]->replaced &&
		    !s->procs[i]->exited)
			model_process_replaced(s->procs[i]);
	if (proc->forked) {
		proc->fork_token = tp.fork_token;
		model_session_adopt(s, proc);
	}
	proc->exe = xstrndup((const char *)e->data + sizeof(tp), tp.exe_len);
	return unpack_strings((const char *)e->data + sizeof(tp) + tp.exe_len,
	    (const char *)e->data + e->len, tp.argc, &proc->argv);
}

bool
trace_tick_load(const struct trace_entry *e, struct session *s)
{
	struct trace_tick tk;

	if (e->len < sizeof(tk))
		return false;
	memcpy(&tk, e->data, sizeof(tk));
	if (tk.stream >= s->nprocs)
		return false;
	model_heap_tick(&s->procs[tk.stream]->heap, tk.ms, tk.end != 0);
	return true;
}

bool
trace_process_end_load(const struct trace_entry *e, struct session *s)
{
	struct trace_process_end pe;
	struct process *p;

	if (e->len < offsetof(struct trace_process_end, dropped))
		return false;
	memset(&pe, 0, sizeof(pe));
	memcpy(&pe, e->data, e->len < sizeof(pe) ? e->len : sizeof(pe));
	if (pe.stream >= s->nprocs)
		return false;
	p = s->procs[pe.stream];
	p->replaced = pe.replaced != 0;
	p->exited = pe.exited != 0;
	p->exit_code = pe.exit_code;
	p->exit_signal = pe.exit_signal;
	p->still_running = pe.still_running != 0;
	p->heap.sum.ring_waits = pe.ring_waits;
	p->heap.sum.dropped = pe.dropped;
	return true;
}

bool
trace_run_end_load(const struct trace_entry *e, struct session *s)
{
	struct trace_run_end re;

	if (e->len < sizeof(re))
		return false;
	memcpy(&re, e->data, sizeof(re));
	s->run.exited = re.exited != 0;
	s->run.status = re.status;
	s->run.attached = re.attached != 0;
	s->run.attached_ms = re.attached_ms;
	return true;
}

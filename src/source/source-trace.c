/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source-events.h"
#include "source-trace.h"
#include "trace-layout.h"
#include "trace-leaks.h"
#include "tracefile.h"
#include "xmalloc.h"

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

static bool
load_run(const struct trace_entry *e, struct session *s, const char *path,
    char *why, size_t whylen)
{
	struct trace_run run;
	const char *p, *end = (const char *)e->data + e->len;

	if (e->len < sizeof(run))
		return false;
	memcpy(&run, e->data, sizeof(run));
	/*
	 * The format version, checked already, changes with the protocol's:
	 * another protocol here is not another memscope's, but damage.
	 */
	if (run.protocol != MS_PROTOCOL_VERSION) {
		snprintf(why, whylen, "%s: damaged at byte %llu of the decompressed "
		    "trace: the run entry gives protocol version %u, where a "
		    "trace of format version %u has version %u", path,
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

static bool
load_process(const struct trace_entry *e, struct session *s)
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

static bool
load_record(const struct trace_entry *e, struct session *s)
{
	if (e->stream >= s->nprocs)
		return false;
	return source_event_apply(s->procs[e->stream], s,
	    (const struct ms_record *)(const void *)e->record, e->len);
}

static bool
load_process_end(const struct trace_entry *e, struct session *s)
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
source_trace_load(const char *path, struct session *s, char *why, size_t whylen)
{
	struct trace_reader *r;
	struct trace_entry e;
	struct trace_leaks_loader *leaks;
	bool ok = true, seen_run = false;
	int rc;

	s->inherit_on_fork = true;
	if ((r = trace_open(path, why, whylen)) == NULL)
		return false;
	leaks = trace_leaks_loader_new();
	while (ok && (rc = trace_next(r, &e, why, whylen)) == 1) {
		switch (e.kind) {
		case TRACE_RUN:
			ok = !seen_run && load_run(&e, s, path, why, whylen);
			seen_run = true;
			if (!ok && why[0] != '\0') {
				trace_leaks_loader_free(leaks);
				trace_close(r);
				return false;
			}
			break;
		case TRACE_PROCESS:
			ok = seen_run && load_process(&e, s);
			break;
		case TRACE_RECORD:
			ok = load_record(&e, s);
			break;
		case TRACE_PROCESS_END:
			ok = load_process_end(&e, s);
			break;
		case TRACE_LEAKS:
		case TRACE_LEAK_VERDICTS:
		case TRACE_LEAK_INDIRECT:
			ok = trace_leaks_load(leaks, &e, s);
			break;
		case TRACE_LAYOUT:
		case TRACE_LAYOUT_SEGMENT:
			ok = trace_layout_load(&e, s);
			break;
		case TRACE_TICK: {
			struct trace_tick tk;

			ok = e.len >= sizeof(tk);
			if (ok)
				memcpy(&tk, e.data, sizeof(tk));
			ok = ok && tk.stream < s->nprocs;
			if (ok)
				model_heap_tick(&s->procs[tk.stream]->heap, tk.ms,
				    tk.end != 0);
			break;
		}
		case TRACE_RUN_END: {
			struct trace_run_end re;

			ok = e.len >= sizeof(re);
			if (ok) {
				memcpy(&re, e.data, sizeof(re));
				s->run.exited = re.exited != 0;
				s->run.status = re.status;
				s->run.attached = re.attached != 0;
				s->run.attached_ms = re.attached_ms;
			}
			break;
		}
		}
		if (!ok)
			snprintf(why, whylen, "%s: damaged at byte %llu of the "
			    "decompressed trace: an entry of kind %u (%s) that "
			    "does not make sense here", path,
			    (unsigned long long)e.offset, e.kind,
			    trace_kind_name(e.kind));
	}
	if (ok && rc < 0) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, whylen, "%s: %s", path, reason);
		ok = false;
	}
	if (ok && !seen_run) {
		snprintf(why, whylen, "%s: the trace holds no run", path);
		ok = false;
	}
	trace_leaks_loader_free(leaks);
	trace_close(r);
	return ok;
}

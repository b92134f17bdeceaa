/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdio.h>

#include "source-events.h"
#include "source-trace.h"
#include "trace-layout.h"
#include "trace-leaks.h"
#include "trace-run.h"
#include "tracefile.h"

static bool
load_record(const struct trace_entry *e, struct session *s)
{
	if (e->stream >= s->nprocs)
		return false;
	return source_event_apply(s->procs[e->stream], s,
	    (const struct ms_record *)(const void *)e->record, e->len);
}

bool
source_trace_load(const char *path, struct session *s, char *why, size_t whylen)
{
	struct trace_reader *r;
	struct trace_entry e;
	struct trace_leaks_loader *leaks;
	bool ok = true, seen_run = false;
	char reason[256] = "";
	int rc;

	s->inherit_on_fork = true;
	if ((r = trace_open(path, why, whylen)) == NULL)
		return false;
	leaks = trace_leaks_loader_new();
	while (ok && (rc = trace_next(r, &e, why, whylen)) == 1) {
		switch (e.kind) {
		case TRACE_RUN:
			ok = !seen_run && trace_run_load(&e, s, reason,
			    sizeof(reason));
			seen_run = true;
			if (!ok && reason[0] != '\0') {
				snprintf(why, whylen, "%s: %s", path, reason);
				trace_leaks_loader_free(leaks);
				trace_close(r);
				return false;
			}
			break;
		case TRACE_PROCESS:
			ok = seen_run && trace_process_load(&e, s);
			break;
		case TRACE_RECORD:
			ok = load_record(&e, s);
			break;
		case TRACE_PROCESS_END:
			ok = trace_process_end_load(&e, s);
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
		case TRACE_TICK:
			ok = trace_tick_load(&e, s);
			break;
		case TRACE_RUN_END:
			ok = trace_run_end_load(&e, s);
			break;
		}
		if (!ok)
			snprintf(why, whylen, "%s: damaged at byte %llu of the "
			    "decompressed trace: an entry of kind %u (%s) that "
			    "does not make sense here", path,
			    (unsigned long long)e.offset, e.kind,
			    trace_kind_name(e.kind));
	}
	if (ok && rc < 0) {
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

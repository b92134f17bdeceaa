/* SPDX-License-Identifier: ISC */
/*
 * The layout of a process as it ended, taken by the leak check, in the
 * trace: a header with its totals, then an entry per segment with its
 * object's name and detail, so that memscope report shows the same.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "trace-layout.h"
#include "xmalloc.h"

void
trace_layout_write(struct tracefile *t, uint32_t stream, const struct process *p)
{
	struct trace_layout h = { .stream = stream,
	    .nsegs = (uint32_t)p->layout.nsegs, .vsz = p->vsz,
	    .from_rollup = p->totals_from_rollup, .totals = p->totals };

	tracefile_write(t, TRACE_LAYOUT, &h, sizeof(h), NULL, 0);
	for (size_t i = 0; i < p->layout.nsegs; i++) {
		const struct segment *s = &p->layout.segs[i];
		const char *object = s->object != NULL ? s->object : "";
		size_t olen = strnlen(object, UINT16_MAX), dlen;
		struct trace_segment ts = { .stream = stream, .kind = s->kind,
		    .start = s->start, .end = s->end, .mapping = s->mapping,
		    .tid = s->tid, .has_detail = s->detail != NULL,
		    .object_len = (uint16_t)olen, .mem = s->mem };
		char *strings;

		memcpy(ts.perms, s->perms, sizeof(ts.perms));
		dlen = s->detail != NULL ? strnlen(s->detail, UINT16_MAX) : 0;
		strings = xmalloc(olen + dlen + 1);
		memcpy(strings, object, olen);
		if (dlen > 0)
			memcpy(strings + olen, s->detail, dlen);
		tracefile_write(t, TRACE_LAYOUT_SEGMENT, &ts, sizeof(ts), strings,
		    olen + dlen);
		free(strings);
	}
}

bool
trace_layout_load(const struct trace_entry *e, struct session *s)
{
	struct process *p;

	if (e->kind == TRACE_LAYOUT) {
		struct trace_layout h;

		if (e->len < sizeof(h))
			return false;
		memcpy(&h, e->data, sizeof(h));
		if (h.stream >= s->nprocs || h.nsegs > 1000000)
			return false;
		p = s->procs[h.stream];
		model_segments_free(&p->layout);
		p->layout.segs = xcalloc(h.nsegs ? h.nsegs : 1, sizeof(*p->layout.segs));
		p->vsz = h.vsz;
		p->totals = h.totals;
		p->totals_from_rollup = h.from_rollup != 0;
		p->layout_expected = h.nsegs;
		return true;
	} else {
		struct trace_segment ts;
		struct segment *seg;
		char *text;
		size_t rest;

		if (e->len < sizeof(ts))
			return false;
		memcpy(&ts, e->data, sizeof(ts));
		rest = e->len - sizeof(ts);
		if (ts.stream >= s->nprocs || ts.kind >= SEG_NKINDS ||
		    ts.object_len > rest || (!ts.has_detail && ts.object_len != rest))
			return false;
		p = s->procs[ts.stream];
		if (p->layout.nsegs >= p->layout_expected)
			return false;
		seg = &p->layout.segs[p->layout.nsegs++];
		*seg = (struct segment){ .start = ts.start, .end = ts.end,
		    .kind = (enum seg_kind)ts.kind, .mapping = (size_t)ts.mapping,
		    .tid = ts.tid, .mem = ts.mem };
		memcpy(seg->perms, ts.perms, sizeof(seg->perms));
		seg->perms[sizeof(seg->perms) - 1] = '\0';
		text = xstrndup((const char *)e->data + sizeof(ts), ts.object_len);
		seg->object = strtab_intern(&p->layout.strings, text);
		free(text);
		if (ts.has_detail) {
			text = xstrndup((const char *)e->data + sizeof(ts) + ts.object_len,
			    rest - ts.object_len);
			seg->detail = strtab_intern(&p->layout.strings, text);
			free(text);
		}
		return true;
	}
}

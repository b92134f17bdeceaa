/* SPDX-License-Identifier: ISC */
/*
 * One shim record into the process model: shared by the ring source (live)
 * and the trace source (memscope report), so a trace rebuilds exactly the
 * model the run had.
 */
#include "config.h"

#include <string.h>

#include "source-events.h"
#include "xmalloc.h"

/* The model numbers the calls as the wire does, and keeps what it sends. */
#define SAME_FN(x)	((int)HEAP_FN_##x == (int)MS_FN_##x)
_Static_assert(SAME_FN(MALLOC) && SAME_FN(CALLOC) && SAME_FN(REALLOC) &&
    SAME_FN(REALLOCARRAY) && SAME_FN(MEMALIGN) && SAME_FN(POSIX_MEMALIGN) &&
    SAME_FN(ALIGNED_ALLOC) && SAME_FN(VALLOC) && SAME_FN(PVALLOC),
    "enum heap_alloc_fn follows enum ms_alloc_fn");
_Static_assert(HEAP_FREE_CLASSES_MAX == MS_FREE_CLASSES_MAX,
    "the heap model keeps every free chunk class the shim sends");

/* A new block from an event's fields: fn is the wire's, flags and all. */
static struct heap_new_block
new_block(uint64_t addr, uint64_t size, uint64_t stack, uint64_t time,
    uint32_t fn, uint32_t spare)
{
	return (struct heap_new_block){ .addr = addr, .size = size,
	    .stack = stack, .time = time, .spare = spare,
	    .spare_known = spare != MS_SPARE_UNKNOWN,
	    .mmapped = (fn & MS_FN_MMAPPED) != 0,
	    .fn = (fn & 0xff) <= HEAP_FN_PVALLOC ? (uint8_t)fn : HEAP_FN_UNKNOWN };
}

static bool
apply_module(struct process *proc, const struct ms_ev_module *ev, uint32_t len)
{
	struct module m = { .base = ev->base, .start = ev->start, .end = ev->end };
	char path[MS_PATH_MAX + 1];
	size_t plen = ev->path_len;

	if (ev->op == MS_MODULE_UNLOADED) {
		model_modules_unloaded(&proc->modules, ev->base, ev->start);
		return true;
	}
	if (ev->op != MS_MODULE_LOADED)
		return false;
	if (plen > len - sizeof(*ev) || plen > MS_PATH_MAX)
		return false;
	memcpy(path, (const char *)(ev + 1), plen);
	path[plen] = '\0';
	m.path = path;
	m.build_id_len = ev->build_id_len <= sizeof(m.build_id) ? ev->build_id_len : 0;
	memcpy(m.build_id, ev->build_id, m.build_id_len);
	model_modules_loaded(&proc->modules, &m);
	return true;
}

static bool
apply_record(struct process *proc, struct session *session,
    const struct ms_record *rec, uint32_t len)
{
	struct heap_model *h = &proc->heap;

#define NEED(type) do { if (len < sizeof(type)) return false; } while (0)
	switch (rec->type) {
	case MS_EV_ALLOC: {
		NEED(struct ms_ev_alloc);
		const struct ms_ev_alloc *ev = (const void *)rec;

		/* the shim records no NULL; to the heap model 0 is no block */
		if (ev->addr == 0)
			return false;
		struct heap_new_block nb = new_block(ev->addr, ev->size,
		    ev->stack, ev->time, ev->fn, ev->spare);

		model_heap_alloc(h, rec->thread, &nb);
		break;
	}
	case MS_EV_FREE: {
		NEED(struct ms_ev_free);
		const struct ms_ev_free *ev = (const void *)rec;

		if (ev->addr == 0)
			return false;
		model_heap_release(h, rec->thread, ev->addr, ev->time);
		break;
	}
	case MS_EV_REALLOC: {
		NEED(struct ms_ev_realloc);
		const struct ms_ev_realloc *ev = (const void *)rec;

		if (ev->old_addr == 0 || ev->status < MS_REALLOC_FAILED ||
		    ev->status > MS_REALLOC_MOVED)
			return false;
		if (ev->status == MS_REALLOC_FREED)
			model_heap_release(h, rec->thread, ev->old_addr, ev->time);
		else if (ev->status == MS_REALLOC_MOVED)
			model_heap_realloc_release(h, rec->thread, ev->old_addr,
			    ev->time);
		break;
	}
	case MS_EV_REALLOC_DONE: {
		NEED(struct ms_ev_realloc_done);
		const struct ms_ev_realloc_done *ev = (const void *)rec;

		if (ev->addr == 0)
			return false;
		struct heap_new_block nb = new_block(ev->addr, ev->size,
		    ev->stack, ev->time, MS_FN_REALLOC | ev->flags, ev->spare);

		model_heap_realloc_done(h, rec->thread, &nb);
		break;
	}
	case MS_EV_MMAP: {
		NEED(struct ms_ev_mmap);
		const struct ms_ev_mmap *ev = (const void *)rec;

		h->sum.mmaps++;
		model_mappings_mmap(&proc->own_maps, ev->addr, ev->len, ev->flags);
		break;
	}
	case MS_EV_MUNMAP: {
		NEED(struct ms_ev_munmap);
		const struct ms_ev_munmap *ev = (const void *)rec;

		if (!ev->failed) {
			h->sum.munmaps++;
			model_mappings_munmap(&proc->own_maps, ev->addr, ev->len);
		}
		break;
	}
	case MS_EV_MREMAP: {
		NEED(struct ms_ev_mremap);
		const struct ms_ev_mremap *ev = (const void *)rec;

		if (ev->new_addr != 0)
			model_mappings_mremap(&proc->own_maps, ev->old_addr,
			    ev->old_len, ev->new_addr, ev->new_len);
		break;
	}
	case MS_EV_BRK: {
		NEED(struct ms_ev_brk);
		const struct ms_ev_brk *ev = (const void *)rec;

		/* the data segment the program grew itself: roots, as its
		 * own mappings are */
		model_mappings_brk(&proc->own_maps, ev->old_brk, ev->new_brk);
		break;
	}
	case MS_EV_STACK: {
		NEED(struct ms_ev_stack);
		const struct ms_ev_stack *ev = (const void *)rec;

		if (ev->nframes > MS_MAX_DEPTH ||
		    len < sizeof(*ev) + 8 * (size_t)ev->nframes)
			return false;
		model_stacks_add(&session->stacks, ev->id,
		    (const uint64_t *)(const void *)(ev + 1), ev->nframes);
		break;
	}
	case MS_EV_MODULE:
		NEED(struct ms_ev_module);
		return apply_module(proc, (const void *)rec, len);
	case MS_EV_THREAD: {
		NEED(struct ms_ev_thread);
		const struct ms_ev_thread *ev = (const void *)rec;

		if (ev->op != MS_THREAD_STARTED && ev->op != MS_THREAD_ENDED)
			return false;
		if (ev->op == MS_THREAD_STARTED)
			proc->threads_started++;
		else if (ev->op == MS_THREAD_ENDED && ev->sp != 0) {
			proc->ended_sps = xgrow(proc->ended_sps, &proc->ended_cap,
			    proc->nended + 1, sizeof(*proc->ended_sps));
			proc->ended_sps[proc->nended++] = ev->sp;
		}
		break;
	}
	case MS_EV_FORK:
		NEED(struct ms_ev_fork);
		model_session_fork(session, proc,
		    ((const struct ms_ev_fork *)(const void *)rec)->token);
		break;
	case MS_EV_SKIP:
		break;
	case MS_EV_ALLOCATOR: {
		NEED(struct ms_ev_allocator);
		const struct ms_ev_allocator *ev = (const void *)rec;
		const struct ms_free_class *fc = (const void *)(ev + 1);
		struct heap_allocator *a = &h->allocator;

		if (ev->nclasses > HEAP_FREE_CLASSES_MAX ||
		    len < sizeof(*ev) + ev->nclasses * sizeof(*fc))
			return false;
		a->nclasses = ev->nclasses;
		for (uint32_t i = 0; i < ev->nclasses; i++)
			a->classes[i] = (struct heap_free_class){ fc[i].from, fc[i].to,
			    fc[i].count, fc[i].bytes };
		a->samples++;
		a->at_exit = ev->at_exit != 0;
		a->system_bytes = ev->system_bytes;
		a->in_use_bytes = ev->in_use_bytes;
		a->free_bytes = ev->free_bytes;
		a->top_bytes = ev->top_bytes;
		a->mmapped_bytes = ev->mmapped_bytes;
		a->mmapped_blocks = ev->mmapped_blocks;
		a->free_chunks = ev->free_chunks;
		a->fastbin_free_bytes = ev->fastbin_free_bytes;
		a->arenas = ev->arenas;
		break;
	}
	case MS_EV_EXIT: {
		NEED(struct ms_ev_exit);
		const struct ms_ev_exit *ev = (const void *)rec;

		if (ev->signal < 0 || ev->signal >= 128)
			return false;
		proc->exited = true;
		proc->exit_code = ev->signal != 0 ? 0 : ev->status & 0xff;
		proc->exit_signal = ev->signal;
		proc->end_tid = ev->tid;
		proc->end_sp = ev->sp;
		proc->end_held = (ev->flags & MS_EXIT_HOLD) != 0;
		break;
	}
	default:
		return false;
	}
#undef NEED
	return true;
}

bool
source_event_apply(struct process *proc, struct session *session,
    const struct ms_record *rec, uint32_t len)
{
	/*
	 * Counted before it is applied (the peak notes the event that made
	 * it), and taken back when refused: the run's figures stop before a
	 * record that makes no sense, as those of its trace, which never
	 * holds that record, do.
	 */
	proc->heap.sum.events++;
	if (apply_record(proc, session, rec, len))
		return true;
	proc->heap.sum.events--;
	return false;
}

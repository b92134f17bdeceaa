/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "model.h"
#include "model-leaks.h"
#include "xmalloc.h"

static void
inherit(struct process *child, struct fork_snapshot *f)
{
	model_heap_inherit(&child->heap, f->blocks, f->nblocks);
	model_mappings_free(&child->own_maps);
	child->own_maps = f->own_maps;
	memset(&f->own_maps, 0, sizeof(f->own_maps));
	child->awaiting_parent = false;
}

void
model_session_fork(struct session *s, const struct process *parent,
    uint64_t token)
{
	struct fork_snapshot f = { .parent = parent->pid, .token = token };

	if (!s->inherit_on_fork)
		return;
	f.nblocks = model_heap_live_sorted(&parent->heap, &f.blocks);
	model_mappings_copy(&f.own_maps, &parent->own_maps);
	for (size_t i = s->nprocs; i-- > 0;) {
		struct process *c = s->procs[i];

		if (c->awaiting_parent && c->ppid == f.parent && c->fork_token == token) {
			inherit(c, &f);
			free(f.blocks);
			model_mappings_free(&f.own_maps);
			return;
		}
	}
	s->forks = xgrow(s->forks, &s->forks_cap, s->nforks + 1, sizeof(*s->forks));
	s->forks[s->nforks++] = f;
}

void
model_session_adopt(struct session *s, struct process *child)
{
	for (size_t i = s->nforks; i-- > 0;) {
		struct fork_snapshot *f = &s->forks[i];

		if (f->parent != child->ppid || f->token != child->fork_token)
			continue;
		inherit(child, f);
		free(f->blocks);
		model_mappings_free(&f->own_maps);
		s->forks[i] = s->forks[--s->nforks];
		return;
	}
	child->awaiting_parent = child->fork_token != 0;
}

void
model_process_take_layout(struct process *p, struct process *snap)
{
	model_segments_free(&p->layout);
	free(p->objects);
	free(p->threads);
	p->layout = snap->layout;
	p->objects = snap->objects;
	p->nobjects = snap->nobjects;
	p->threads = snap->threads;
	p->nthreads = snap->nthreads;
	p->threads_located = snap->threads_located;
	p->totals = snap->totals;
	p->totals_from_rollup = snap->totals_from_rollup;
	p->vsz = snap->vsz;
	p->markers = snap->markers;
	memset(&snap->layout, 0, sizeof(snap->layout));
	snap->objects = NULL;
	snap->nobjects = 0;
	snap->threads = NULL;
	snap->nthreads = 0;
}

void
model_process_replaced(struct process *p)
{
	p->replaced = true;
	free(p->heap.inherited);
	p->heap.inherited = NULL;
	p->heap.ninherited = 0;
}

void
model_process_exited(struct process *p, int status)
{
	p->exited = true;
	p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	p->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

void
model_process_free(struct process *p)
{
	free(p->exe);
	free(p->threads);
	free(p->objects);
	free(p->ended_sps);
	model_segments_free(&p->layout);
	if (p->argv != NULL)
		for (char **a = p->argv; *a != NULL; a++)
			free(*a);
	free(p->argv);
	if (p->heap.blocks != NULL)
		model_heap_free(&p->heap);
	model_modules_free(&p->modules);
	model_mappings_free(&p->own_maps);
	model_leaks_free(p->leaks);
	memset(p, 0, sizeof(*p));
}

void
model_session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	model_stacks_init(&s->stacks);
}

struct process *
model_session_add(struct session *s, pid_t pid)
{
	struct process *p = xcalloc(1, sizeof(*p));

	p->pid = pid;
	model_heap_init(&p->heap);
	model_heap_set_clock(&p->heap, s->ns_per_tick);
	s->procs = xgrow(s->procs, &s->cap, s->nprocs + 1, sizeof(*s->procs));
	s->procs[s->nprocs++] = p;
	return p;
}

static void
free_strings(char **v)
{
	if (v == NULL)
		return;
	for (char **a = v; *a != NULL; a++)
		free(*a);
	free(v);
}

void
model_session_set_run(struct session *s, pid_t pid, const char *path,
    char *const argv[])
{
	size_t n = 0;

	free(s->run.path);
	free_strings(s->run.argv);
	s->run.main_pid = pid;
	s->run.path = path != NULL ? xstrdup(path) : NULL;
	s->run.argv = NULL;
	if (argv == NULL)
		return;
	while (argv[n] != NULL)
		n++;
	s->run.argv = xreallocarray(NULL, n + 1, sizeof(*s->run.argv));
	for (size_t i = 0; i < n; i++)
		s->run.argv[i] = xstrdup(argv[i]);
	s->run.argv[n] = NULL;
}

void
model_session_free(struct session *s)
{
	free(s->run.path);
	free_strings(s->run.argv);
	for (size_t i = 0; i < s->nprocs; i++) {
		model_process_free(s->procs[i]);
		free(s->procs[i]);
	}
	free(s->procs);
	model_stacks_free(&s->stacks);
	for (size_t i = 0; i < s->nforks; i++) {
		free(s->forks[i].blocks);
		model_mappings_free(&s->forks[i].own_maps);
	}
	free(s->forks);
	memset(s, 0, sizeof(*s));
}

const struct process_object *
model_process_object(const struct process *p, const char *path)
{
	for (size_t i = 0; i < p->nobjects; i++)
		if (p->objects[i].path == path || strcmp(p->objects[i].path, path) == 0)
			return &p->objects[i];
	return NULL;
}

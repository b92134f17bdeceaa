#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model-leaks.h"
#include "xmalloc.h"

void
model_process_free(struct process *p)
{
	free(p->exe);
	free(p->threads);
	free(p->objects);
	model_segments_free(&p->layout);
	if (p->argv != NULL)
		for (char **a = p->argv; *a != NULL; a++)
			free(*a);
	free(p->argv);
	if (p->heap.blocks != NULL)
		model_heap_free(&p->heap);
	model_modules_free(&p->modules);
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
	s->procs = xgrow(s->procs, &s->cap, s->nprocs + 1, sizeof(*s->procs));
	s->procs[s->nprocs++] = p;
	return p;
}

void
model_session_free(struct session *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		model_process_free(s->procs[i]);
		free(s->procs[i]);
	}
	free(s->procs);
	model_stacks_free(&s->stacks);
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

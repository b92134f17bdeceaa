#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"

void
model_process_free(struct process *p)
{
	free(p->exe);
	free(p->threads);
	free(p->objects);
	model_segments_free(&p->layout);
	memset(p, 0, sizeof(*p));
}

const struct process_object *
model_process_object(const struct process *p, const char *path)
{
	for (size_t i = 0; i < p->nobjects; i++)
		if (p->objects[i].path == path || strcmp(p->objects[i].path, path) == 0)
			return &p->objects[i];
	return NULL;
}

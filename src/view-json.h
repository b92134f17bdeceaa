/* JSON views of the process model; the schema is in memscope-json(5). */
#ifndef MEMSCOPE_VIEW_JSON_H
#define MEMSCOPE_VIEW_JSON_H

#include <stdio.h>

#include "model.h"

/* JSON_SCHEMA_VERSION changes when a key is renamed or removed. */
#define VIEW_JSON_SCHEMA_VERSION 1

/* The layout of p as one JSON object (memscope map --json). */
void	view_json_map(FILE *f, const struct process *p);

#endif

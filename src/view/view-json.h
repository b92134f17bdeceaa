/* SPDX-License-Identifier: ISC */
/* JSON views of the process model; the schema is in memscope-json(5). */
#ifndef MEMSCOPE_VIEW_JSON_H
#define MEMSCOPE_VIEW_JSON_H

#include <stdio.h>

#include "model.h"

/*
 * Bump VIEW_JSON_SCHEMA_VERSION when a key is renamed or removed, or changes
 * its type or meaning; adding a key does not bump it.
 */
#define VIEW_JSON_SCHEMA_VERSION 1

/* The layout of p as one JSON object (memscope map --json). */
void	view_json_map(FILE *f, const struct process *p);

struct json;
/* Its totals, by_kind and segments keys, inside an object being written. */
void	view_json_layout(struct json *j, const struct process *p);

#endif

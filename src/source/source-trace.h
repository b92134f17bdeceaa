/* SPDX-License-Identifier: ISC */
/* The trace source: a recorded run (.msc) back into the model of a run. */
#ifndef MEMSCOPE_SOURCE_TRACE_H
#define MEMSCOPE_SOURCE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model.h"

/*
 * Read the trace at path into s (initialised by the caller), the run as a
 * whole into s->run. False with a one-line reason in why (naming the byte
 * offset of a corrupt or truncated part).
 */
bool	source_trace_load(const char *path, struct session *s, char *why,
	    size_t whylen);

#endif

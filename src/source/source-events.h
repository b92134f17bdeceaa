/* SPDX-License-Identifier: ISC */
/* Applying one wire record (src/wire/protocol.h) to the process model. */
#ifndef MEMSCOPE_SOURCE_EVENTS_H
#define MEMSCOPE_SOURCE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "protocol.h"

/*
 * Apply the record rec of len bytes (whole, aligned) to proc, its stacks to
 * session. False when the record makes no sense (bad type or length): the
 * stream is corrupt.
 */
bool	source_event_apply(struct process *proc, struct session *session,
	    const struct ms_record *rec, uint32_t len);

#endif

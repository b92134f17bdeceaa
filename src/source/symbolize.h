/* SPDX-License-Identifier: ISC */
/*
 * Symbolization with libdw: a frame (module file + offset of a return
 * address) becomes function, file:line, with a frame for each call inlined
 * there, C++ names demangled. Separate debug info is found by build-id
 * (/usr/lib/debug/.build-id) when installed. Lookups are cached.
 */
#ifndef MEMSCOPE_SYMBOLIZE_H
#define MEMSCOPE_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct symbolizer;

struct symbolizer *symbolizer_new(void);
void	symbolizer_free(struct symbolizer *s);

/*
 * The source-level frames of the return address at offset in the module
 * file path: *v points to n of them (valid until symbolizer_free), the
 * inlined ones first. 0 when the module has no symbol there.
 */
uint32_t symbolizer_lookup(struct symbolizer *s, const char *path,
	    uint64_t offset, const struct frame_symbol **v);

/* Symbolize the frames of stack id of process p (once). */
void	symbolize_stack(struct symbolizer *s, struct session *session,
	    const struct process *p, uint64_t id);
/* Symbolize the frames of the top sites (as the views list them) of every process. */
void	symbolize_session_sites(struct symbolizer *s, struct session *session,
	    size_t top, int sort);
/* Symbolize the stacks of every loss record of every process. */
void	symbolize_session_leaks(struct symbolizer *s, struct session *session);
/* The symbolizer the session keeps (its stacks' symbols point into it). */
struct symbolizer *symbolize_session_symbolizer(struct session *session);
/* Both (sites and loss records) with the session's symbolizer. */
void	symbolize_sites(struct session *session, size_t top, int sort);

#endif

/* SPDX-License-Identifier: ISC */
/* The pprof profile, gzip-compressed (see view-pprof.c). */
#ifndef MEMSCOPE_VIEW_PPROF_H
#define MEMSCOPE_VIEW_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/*
 * The profile of every process of s, written to f; false if it could not
 * be (why says what went wrong, in whylen bytes at most).
 */
bool	view_pprof(FILE *f, const struct session *s, char *why, size_t whylen);

#endif

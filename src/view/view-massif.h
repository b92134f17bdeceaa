/* SPDX-License-Identifier: ISC */
/* massif's output format (see view-massif.c). */
#ifndef MEMSCOPE_VIEW_MASSIF_H
#define MEMSCOPE_VIEW_MASSIF_H

#include <stdio.h>

#include "model.h"

/* The massif.out file of process p of s, its command line argv. */
void	view_massif(FILE *f, const struct session *s, const struct process *p,
	    char *const *argv);

#endif

/* SPDX-License-Identifier: ISC */
/* Parsers of /proc/PID/smaps and /proc/PID/smaps_rollup. */
#ifndef MEMSCOPE_PROC_SMAPS_H
#define MEMSCOPE_PROC_SMAPS_H

#include <stddef.h>

#include "memcounts.h"
#include "proc-maps.h"

/*
 * Parse a whole smaps file in place (buf[len] must be writable); *maps is
 * allocated and its strings point into buf. Returns 0, or -1 with the
 * 1-based number of the first malformed line in *bad_line.
 */
int	proc_smaps_parse(char *buf, size_t len, struct proc_mapping **maps,
	    size_t *nmaps, size_t *bad_line);

/* Parse smaps_rollup into *out (bytes). Returns 0 or -1. */
int	proc_smaps_rollup_parse(char *buf, size_t len, struct mem_counts *out);

#endif

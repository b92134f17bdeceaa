/* SPDX-License-Identifier: ISC */
/* Parser of /proc/PID/maps lines, which also head each smaps entry. */
#ifndef MEMSCOPE_PROC_MAPS_H
#define MEMSCOPE_PROC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memcounts.h"

struct proc_mapping {
	uint64_t	 start;
	uint64_t	 end;
	uint64_t	 offset;
	uint64_t	 inode;
	unsigned int	 dev_major;
	unsigned int	 dev_minor;
	char		 perms[5];	/* "r-xp" */
	bool		 deleted;	/* path ended in " (deleted)" */
	/*
	 * Points into the parsed buffer (NUL-terminated in place), without
	 * the " (deleted)" suffix; NULL for an anonymous mapping. Labels such
	 * as "[heap]" are kept as they are.
	 */
	const char	*path;
	/* From smaps only; zero when parsed from maps. */
	struct mem_counts mem;
	uint64_t	 kernel_page_size;
	const char	*vmflags;	/* "rd wr mr mw me ac", into the buffer */
};

/*
 * Parse one line, without its newline, NUL-terminated:
 *   55851f5ad000-55851f5af000 r--p 00000000 fe:00 248056     /usr/bin/sleep
 * The line is modified in place. Returns 0, or -1 if it is malformed.
 */
int	proc_maps_parse_line(char *line, struct proc_mapping *m);

/* True when the line starts like a maps line ("<hex>-"). */
bool	proc_maps_is_header(const char *line);

/* Parse a whole maps file in place; *maps is allocated. 0 or -1. */
int	proc_maps_parse(char *buf, size_t len, struct proc_mapping **maps,
	    size_t *nmaps, size_t *bad_line);

#endif

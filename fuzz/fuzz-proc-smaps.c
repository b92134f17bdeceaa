/* SPDX-License-Identifier: ISC */
/*
 * The parsers of /proc/PID/smaps and smaps_rollup (src/proc/proc-smaps.c), each
 * fed the same text: a rollup is a maps line and smaps fields.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc-smaps.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_mapping *maps;
	struct mem_counts mc;
	size_t n, bad;
	char *buf = xmalloc(size + 1);

	/* parsed in place: a fresh copy for each parser */
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (proc_smaps_parse(buf, size, &maps, &n, &bad) == 0)
		free(maps);
	memcpy(buf, data, size);
	buf[size] = '\0';
	proc_smaps_rollup_parse(buf, size, &mc);
	free(buf);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* The /proc/PID/maps parser (src/proc/proc-maps.c), fed any text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc-maps.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_mapping *maps;
	size_t n, bad;
	/* as a struct buf holds a file: NUL-terminated, written in place */
	char *buf = xmalloc(size + 1);

	memcpy(buf, data, size);
	buf[size] = '\0';
	if (proc_maps_parse(buf, size, &maps, &n, &bad) == 0)
		free(maps);
	free(buf);
	return 0;
}

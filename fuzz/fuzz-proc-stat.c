/* SPDX-License-Identifier: ISC */
/*
 * The parsers of /proc/PID/stat, /proc/PID/status,
 * /proc/PID/task/TID/syscall and /proc/uptime (src/proc/proc-stat.c), each
 * fed the same text.
 * They take a length and must not read past it: the copy is exactly the
 * input's size, unterminated, so AddressSanitizer sees any overread.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc-stat.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	struct proc_status status;
	struct proc_syscall sc;
	double up;
	char *buf = xmalloc(size);

	memcpy(buf, data, size);
	proc_stat_parse(buf, size, &st);
	proc_status_parse(buf, size, &status);
	proc_syscall_parse(buf, size, &sc);
	proc_uptime_parse(buf, size, &up);
	free(buf);
	return 0;
}

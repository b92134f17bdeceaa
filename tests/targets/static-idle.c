/* SPDX-License-Identifier: ISC */
/*
 * A statically linked process: no page of it is shared with another
 * process, so its Pss does not depend on who else runs (an observer mapping
 * libc changes a dynamic program's Pss). It touches some heap and bss,
 * then waits.
 */
#include <string.h>

#include "target.h"

static char bss[1 << 20];

int
main(int argc, char **argv)
{
	char *heap;

	target_open(argc, argv);
	if ((heap = malloc(256 * 1024)) == NULL)
		target_die("malloc");
	memset(heap, 1, 256 * 1024);
	memset(bss, 1, sizeof(bss) / 2);
	target_fact("pid %ld", (long)getpid());
	target_fact("bss %p", (void *)bss);
	target_ready_and_wait();
	free(heap);
	return 0;
}

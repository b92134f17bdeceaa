/* SPDX-License-Identifier: ISC */
/*
 * A block held only by a local variable of main, for run-leaks.test:
 *
 *	leak-main-local return|exit
 *
 * "return": main returns, its frame is dead, the block is definitely lost;
 * "exit": main calls exit(), its frame is still on the stack, the block is
 * still reachable. valgrind memcheck says so, and memscope must too.
 */
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	char *volatile local = malloc(100);

	memset(local, 1, 100);
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		exit(0);
	return 0;
}

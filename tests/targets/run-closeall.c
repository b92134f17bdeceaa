/* SPDX-License-Identifier: ISC */
/*
 * A program that closes every descriptor above stderr first, as daemons
 * and ssh do, then leaks: 3 blocks of 1000 bytes (their pointers dropped),
 * keeps 1 of 500 (a global), and exits 0. Whatever descriptors memscope
 * may have had in it are gone: the leak must still be found.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *kept;

static __attribute__((noinline)) void
lose(void)
{
	for (int i = 0; i < 3; i++) {
		char *p = malloc(1000);

		memset(p, 1, 1000);
		__asm__ __volatile__("" : : "r"(p) : "memory");
	}
}

int
main(void)
{
	close_range(3, ~0U, 0);
	lose();
	kept = malloc(500);
	return 0;
}

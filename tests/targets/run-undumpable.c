/* SPDX-License-Identifier: ISC */
/*
 * A program that makes itself undumpable (as ssh does, against
 * debuggers), loses 1234 bytes and exits 0. Run by a user other than
 * root, memscope could not stop it for the leak check; the shim makes it
 * dumpable for the check only. It prints whether it is still undumpable
 * at its end, as it made itself.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static __attribute__((noinline)) void
lose(void)
{
	char *p = malloc(1234);

	memset(p, 1, 1234);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static void
say_dumpable(void)
{
	const char *s = prctl(PR_GET_DUMPABLE) == 0 ? "undumpable\n" : "dumpable\n";

	(void)!write(STDOUT_FILENO, s, strlen(s));
}

int
main(void)
{
	prctl(PR_SET_DUMPABLE, 0);
	lose();
	atexit(say_dumpable);
	return 0;
}

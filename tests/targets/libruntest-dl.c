/* SPDX-License-Identifier: ISC */
/*
 * A library that run-dlopen loads with dlopen, calls, and unloads with
 * dlclose. Each call of runtest_dl_work() makes a block of 256 bytes for
 * the caller, who frees it (or not) after dlclose, and a calloc'd block of
 * 8 * 16 bytes that it frees itself: two allocations from this library's
 * code, one free.
 */
#include <stdlib.h>

void *runtest_dl_work(void);

void *
runtest_dl_work(void)
{
	void *kept, *scratch;

	if ((kept = malloc(256)) == NULL)
		return NULL;
	if ((scratch = calloc(8, 16)) == NULL) {
		free(kept);
		return NULL;
	}
	/* keep the compiler from eliding the pair */
	__asm__ volatile("" : : "r"(scratch) : "memory");
	free(scratch);
	return kept;
}

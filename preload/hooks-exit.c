/*
 * _exit and _Exit end a process without its exit handlers, so the shim's
 * on_exit handler would not say how it ended: they say it here. (A fork
 * child's status goes to its parent, not to memscope.)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "shim.h"

SHIM_EXPORT void
_exit(int status)
{
	if (unlikely(shim.real._exit == NULL))
		shim_resolve();
	shim_exiting(status);
	shim.real._exit(status);
}

SHIM_EXPORT void
_Exit(int status)
{
	if (unlikely(shim.real._Exit == NULL))
		shim_resolve();
	shim_exiting(status);
	shim.real._Exit(status);
}

/* SPDX-License-Identifier: ISC */
/*
 * dlopen and dlclose of a process joined by memscope attach: after them,
 * the GOT slots of the objects loaded are hooked, and those of objects
 * gone forgotten. These are not exported: under memscope run, where the
 * shim is preloaded, dlopen is the program's own business (modules.c
 * learns of new objects from the loader's counts), and only the slots
 * that memscope attach patches lead here.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>

#include "shim.h"

void *
got_dlopen(const char *file, int mode)
{
	void *h;
	int saved_errno;

	if (unlikely(shim.real.dlopen == NULL))
		shim_resolve();
	h = shim.real.dlopen(file, mode);
	if (h != NULL && shim_enter()) {
		saved_errno = errno;
		modules_scan();
		if (shim.attached)
			got_hook_all();
		errno = saved_errno;
		shim_leave();
	}
	return h;
}

int
got_dlclose(void *handle)
{
	int rc, saved_errno;

	if (unlikely(shim.real.dlclose == NULL))
		shim_resolve();
	rc = shim.real.dlclose(handle);
	if (rc == 0 && shim_enter()) {
		saved_errno = errno;
		modules_scan();
		if (shim.attached)
			got_forget_unloaded();
		errno = saved_errno;
		shim_leave();
	}
	return rc;
}

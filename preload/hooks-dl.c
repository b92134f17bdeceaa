/* dlopen and dlclose: the module list is sent again after each. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>

#include "shim.h"

SHIM_EXPORT void *
dlopen(const char *file, int mode)
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

SHIM_EXPORT int
dlclose(void *handle)
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

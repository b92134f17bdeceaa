/*
 * memscope attach: the shim loaded into a running process (dlopen, called
 * by memscope through ptrace), then told where the analyzer is. It makes a
 * ring and says hello as a launched shim does, then hooks the allocation
 * calls of every loaded object by their GOT slots (got.c). Detach puts the
 * slots back and lets go of the analyzer; the shim stays loaded, inert
 * (a thread may still be running its code), and can be attached again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "producer.h"
#include "shim.h"

static bool forks_hooked;

/*
 * Called by memscope in a thread it borrowed. Returns 0, or an errno:
 * EBUSY when a launched shim is already recording (memscope run), EIO when
 * the analyzer cannot be reached or the hooks cannot be set.
 */
SHIM_EXPORT int
memscope_attach(const char *socket_path, const char *options)
{
	int st = atomic_load(&shim.state);

	/* the last memscope attached died without detaching: its place is free */
	if (st == SHIM_ACTIVE && shim.attached && producer_analyzer_gone()) {
		shim_passthrough();
		st = SHIM_PASSTHROUGH;
	}
	if (st == SHIM_ACTIVE || st == SHIM_INITIALIZING)
		return EBUSY;
	if (socket_path == NULL || strlen(socket_path) >= sizeof(shim.socket_path))
		return EINVAL;
	shim_seal();
	if (shim.real.malloc == NULL)
		shim_resolve_global();
	if (shim.real.malloc == NULL || !got_init()) {
		shim_unseal();
		return EIO;
	}
	strcpy(shim.socket_path, socket_path);
	shim_parse_options(options);
	/* its children are not followed: they would have no analyzer */
	shim.opts.follow = false;
	shim.attached = true;
	if (!forks_hooked) {
		fork_install();
		forks_hooked = true;
	}
	modules_find_self();
	modules_forget();
	stack_forget();
	/* a new ring: its threads are numbered anew */
	atomic_store(&shim.next_thread, 0);
	atomic_fetch_add(&shim.generation, 1);
	if (!shim_connect(getppid(), MS_HELLO_ATTACHED)) {
		shim_unseal();
		return EIO;
	}
	atomic_store(&shim.state, SHIM_ACTIVE);
	modules_scan();
	allocator_init();
	got_hook_all();
	shim_unseal();
	return 0;
}

/* Called by memscope to detach: the program's own calls back in place. */
SHIM_EXPORT int
memscope_detach(void)
{
	if (!shim.attached || atomic_load(&shim.state) != SHIM_ACTIVE)
		return EINVAL;
	shim_seal();
	got_unhook_all();
	/* the allocator's figures as memscope leaves */
	allocator_sample_last();
	shim_passthrough();
	shim_unseal();
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * memscope attach: the shim loaded into a running process (dlopen, called
 * by memscope through ptrace), then told where the analyzer is. It makes a
 * ring and says hello as a launched shim does, then hooks the allocation
 * calls of every loaded object by their GOT slots (got.c), and lists the
 * allocator's function entries for memscope to patch (detour.c), so that
 * calls that do not go through a GOT slot are seen too. Detach puts the
 * slots back and lets go of the analyzer; then, once memscope has seen
 * every thread out of the shim's work (stopped, none in the shim's code
 * nor with its guard up), it has the ring unmapped. The shim stays loaded,
 * inert (a thread may still be running its code), and can be attached
 * again, with a ring of its own.
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
 * The rings of memscopes that died attached, left mapped until a detach
 * finds every thread out of the shim's work: a thread could still be
 * writing into one when the next attach comes.
 */
#define STALE_RINGS	4

static struct {
	void	*base;
	size_t	 len;
} stale[STALE_RINGS];

static void
stale_keep(void *base, size_t len)
{
	for (size_t i = 0; i < STALE_RINGS; i++)
		if (stale[i].base == NULL) {
			stale[i].base = base;
			stale[i].len = len;
			return;
		}
	/* more dead memscopes than places: that one stays mapped */
}

static void
stale_unmap(void)
{
	for (size_t i = 0; i < STALE_RINGS; i++)
		if (stale[i].base != NULL) {
			shim.real.munmap(stale[i].base, stale[i].len);
			stale[i].base = NULL;
		}
}

/*
 * Where each thread's guard (shim_self.in_hook) is, from its thread
 * pointer (fs): the same for every thread. memscope reads the guards of
 * the stopped threads before it has the ring unmapped.
 */
SHIM_EXPORT long memscope_guard_offset;

/*
 * Called by memscope in a thread it borrowed. Leaves the shim armed, its
 * hooks in place but forwarding only, until memscope has patched the
 * entries and starts the recording. Returns 0, or an errno:
 * EBUSY when a launched shim is already recording (memscope run), EIO when
 * the analyzer cannot be reached or the hooks cannot be set; the same in
 * *status (memscope's call returns through rt_sigreturn, which takes the
 * return value's register).
 */
static int
attach(const char *socket_path, const char *options)
{
	int st = atomic_load(&shim.state);

	/* the last memscope attached died without detaching: its place is free */
	if ((st == SHIM_ACTIVE || st == SHIM_ARMED) && shim.attached &&
	    producer_analyzer_gone()) {
		shim_passthrough();
		st = SHIM_PASSTHROUGH;
	}
	if (st == SHIM_ACTIVE || st == SHIM_INITIALIZING || st == SHIM_ARMED)
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
	memscope_guard_offset = (long)((char *)&shim_self.in_hook -
	    (char *)__builtin_thread_pointer());
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
	if (shim.ring_base != NULL) {
		stale_keep(shim.ring_base, shim.ring_len);
		shim.ring_base = NULL;
	}
	/* a new ring: its threads are numbered anew */
	atomic_store(&shim.next_thread, 0);
	atomic_fetch_add(&shim.generation, 1);
	if (!shim_connect(getppid(), MS_HELLO_ATTACHED)) {
		shim_unseal();
		return EIO;
	}
	/* memscope starts the recording (memscope_state) once it has
	 * patched the entries, with the process stopped */
	atomic_store(&shim.state, SHIM_ARMED);
	modules_scan();
	allocator_init();
	got_hook_all();
	detours_prepare();
	shim_unseal();
	return 0;
}

/* Where memscope writes MS_STATE_RECORDING (wire/detour-table.h). */
SHIM_EXPORT _Atomic int *const memscope_state = &shim.state;

/* Where memscope_attach's result is left for memscope to read. */
SHIM_EXPORT int memscope_attach_status = -1;

SHIM_EXPORT int
memscope_attach(const char *socket_path, const char *options, int *status)
{
	int rc = attach(socket_path, options);

	/* last: memscope takes its being written as the call's end */
	if (status != NULL)
		__atomic_store_n(status, rc, __ATOMIC_RELEASE);
	return rc;
}

/* Called by memscope to detach: the program's own calls back in place. */
SHIM_EXPORT int
memscope_detach(void)
{
	int st = atomic_load(&shim.state);

	if (!shim.attached || (st != SHIM_ACTIVE && st != SHIM_ARMED))
		return EINVAL;
	shim_seal();
	got_unhook_all();
	/* the allocator's figures as memscope leaves */
	allocator_sample_last();
	shim_passthrough();
	shim_unseal();
	return 0;
}

/*
 * Called by memscope after memscope_detach, every other thread stopped
 * out of the shim's work: nothing can write into the ring any more, which
 * is unmapped, nor into the rings of memscopes that died attached, nor
 * ring the doorbell. The next attach makes its own.
 */
SHIM_EXPORT int
memscope_release(void)
{
	void *base = shim.ring_base;
	size_t len = shim.ring_len;

	if (!shim.attached || atomic_load(&shim.state) != SHIM_PASSTHROUGH ||
	    base == NULL)
		return EINVAL;
	shim_seal();
	memset(&shim.ring, 0, sizeof(shim.ring));
	shim.ring_base = NULL;
	shim.ring_len = 0;
	shim.real.munmap(base, len);
	stale_unmap();
	/* the doorbell was that memscope's; the next maps its own */
	if (shim.doorbell != NULL) {
		shim.real.munmap(shim.doorbell, MS_DOORBELL_SIZE);
		shim.doorbell = NULL;
	}
	shim_unseal();
	return 0;
}

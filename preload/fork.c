/* SPDX-License-Identifier: ISC */
/*
 * fork: the child must never write into its parent's ring (the mapping is
 * shared). It drops it and, when the run follows children, makes its own
 * ring and says hello as a forked child; otherwise it only forwards.
 * Only the forking thread exists in the child, and only system calls run
 * here, which is what is safe after fork in a threaded program. A child
 * made without the C library's fork (a raw system call, clone without
 * CLONE_VM) runs none of this: shim_enter finds it by its zeroed
 * shim.ring_here and turns the shim off in it (shim_forked).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "producer.h"
#include "shim.h"

/* Mark the point in the ring whose live blocks the child inherits. */
static void
fork_prepare(void)
{
	struct ms_ev_fork ev = { .hdr.type = MS_EV_FORK };

	shim_self.fork_token = 0;
	shim_self.in_fork = true;
	if (!shim_enter())
		return;
	ev.token = shim_self.fork_token = atomic_fetch_add(&shim.forks, 1) + 1;
	producer_emit(&ev, sizeof(ev));
	shim_leave();
}

static void
fork_parent(void)
{
	shim_self.in_fork = false;
}

static void
fork_child(void)
{
	shim_self.in_fork = false;
	/* attached but not recording yet: the child never will */
	if (atomic_load(&shim.state) == SHIM_ARMED)
		atomic_store(&shim.state, SHIM_PASSTHROUGH);
	if (atomic_load(&shim.state) != SHIM_ACTIVE)
		return;
	shim_seal();
	shim.fork_token = shim_self.fork_token;
	atomic_store(&shim.forks, 0);
	shim.real.munmap(shim.ring_base, shim.ring_len);
	shim.ring_base = NULL;
	atomic_store(&shim.next_thread, 0);
	atomic_fetch_add(&shim.generation, 1);
	modules_forget();
	if (!shim.opts.follow || !shim_connect(getppid(), MS_HELLO_FORKED)) {
		shim_unseal();
		atomic_store(&shim.state, SHIM_PASSTHROUGH);
		return;
	}
	modules_scan();
	stack_publish_table();
	shim_unseal();
}

void
fork_install(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

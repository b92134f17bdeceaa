/* SPDX-License-Identifier: ISC */
/*
 * Fatal signals under the leak check. A signal whose action is the default
 * and kills the process (SIGSEGV, SIGABRT, SIGTERM, ...) would end it with
 * no code of the shim's running, so nothing would hold it for the scan.
 * For those signals only, and only while the program leaves them at the
 * default, the shim installs a handler of its own: it says how the process
 * ends, waits while the analyzer scans, puts the default action back and
 * lets the signal kill the process as it would have (same signal, same
 * core dump). A handler the program installs replaces the shim's at once,
 * and the program never sees the shim's: sigaction and signal report the
 * disposition the program set, SIG_DFL where it set none.
 *
 * Not seen: a disposition changed by the raw rt_sigaction system call,
 * and SIGKILL, which no handler catches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "producer.h"
#include "shim.h"

/* Signals whose default action ends the process (signal(7)). */
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT,
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS,
};

#define NSIG_TRACKED	65

/* 1: the shim's handler stands where the program has the default. */
static _Atomic int held[NSIG_TRACKED];
static _Atomic int installed;

static bool
is_fatal(int sig)
{
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		return true;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (fatal_signals[i] == sig)
			return true;
	return false;
}

static int
real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (unlikely(shim.real.sigaction == NULL))
		shim_resolve();
	return shim.real.sigaction(sig, act, old);
}

static void
set_default(int sig)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	atomic_store(&held[sig], 0);
	real_sigaction(sig, &dfl, NULL);
}

/*
 * The process is dying of sig. Hold it for the scan (a fork child that is
 * not followed, or a vfork child, is not held), then die of the signal as
 * without memscope: a fault raised by the kernel comes back when the
 * instruction runs again (refault), any other signal is queued again, with
 * its own siginfo, and comes in as soon as it is unblocked.
 */
static void
die_of(int sig, siginfo_t *info, bool refault, const void *floor)
{
	shim_exiting(0, sig, floor);
	set_default(sig);
	if (!refault)
		syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, info);
}

/* A signal that came while the thread was reserving a ring slot. */
static siginfo_t deferred_info;

static void
fatal_handler(int sig, siginfo_t *info, void *uctx)
{
	int saved_errno = errno;

	(void)uctx;
	/*
	 * The thread was reserving a slot in the ring: whether it has one,
	 * and where, is known a few instructions later. The signal waits
	 * until then (producer_reserve calls signals_deferred); it can only
	 * be one sent to the process, which no instruction here raised.
	 */
	if (atomic_load_explicit(&shim_self.outer_pos, memory_order_relaxed) ==
	    OUTER_UNKNOWN) {
		deferred_info = *info;
		shim_self.fatal_pending = sig;
		errno = saved_errno;
		return;
	}
	die_of(sig, info, info->si_code > 0 && (sig == SIGSEGV ||
	    sig == SIGBUS || sig == SIGILL || sig == SIGFPE),
	    __builtin_frame_address(0));
	errno = saved_errno;
}

void
signals_deferred(void)
{
	int sig = shim_self.fatal_pending;

	shim_self.fatal_pending = 0;
	/* never returns: the signal comes in as the queueing returns */
	die_of(sig, &deferred_info, false, __builtin_frame_address(0));
}

/*
 * Stand in for the default action of sig: if that is what it has, or
 * always (the program is setting the default).
 */
static void
hold(int sig, bool always)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fatal_handler;
	/* every other signal waits while the process is scanned */
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO;
	if (!always && (real_sigaction(sig, NULL, &old) != 0 ||
	    old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)))
		return;
	atomic_store(&held[sig], 1);
	if (real_sigaction(sig, &sa, NULL) != 0) {
		atomic_store(&held[sig], 0);
		/* the program asked for the default: it has it, without us */
		if (always)
			set_default(sig);
	}
}

void
signals_install(void)
{
	atomic_store(&installed, 1);
	for (int sig = 1; sig < NSIG_TRACKED && sig < NSIG; sig++)
		if (is_fatal(sig))
			hold(sig, false);
}

/* What the program sees of a held signal: the default, as it left it. */
static void
as_default(struct sigaction *old)
{
	memset(old, 0, sizeof(*old));
	old->sa_handler = SIG_DFL;
}

SHIM_EXPORT int
sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	bool was_held;
	int rc;

	if (sig <= 0 || sig >= NSIG_TRACKED || !atomic_load(&installed))
		return real_sigaction(sig, act, old);
	was_held = atomic_load(&held[sig]) != 0;
	if (act == NULL || (act->sa_handler == SIG_DFL &&
	    !(act->sa_flags & SA_SIGINFO) && is_fatal(sig))) {
		/* a look, or the default again: the shim's handler stands
		 * for it (the mask and flags matter to no one then) */
		rc = real_sigaction(sig, NULL, old);
		if (rc == 0 && act != NULL && !was_held)
			hold(sig, true);
		if (rc == 0 && old != NULL && was_held)
			as_default(old);
		return rc;
	}
	atomic_store(&held[sig], 0);
	rc = real_sigaction(sig, act, old);
	if (rc != 0)
		atomic_store(&held[sig], was_held);
	else if (old != NULL && was_held)
		as_default(old);
	return rc;
}

/*
 * glibc's signal() calls its sigaction internally, past the shim: the same
 * BSD semantics here (the handler stays, interrupted calls restart, the
 * signal is blocked in its handler), through the sigaction above. (What
 * siginterrupt() changes of it is not known here: calls restart.)
 */
SHIM_EXPORT __sighandler_t
signal(int sig, __sighandler_t handler)
{
	struct sigaction act, old;

	if (sig <= 0 || sig >= NSIG || handler == SIG_ERR) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig);
	act.sa_flags = SA_RESTART;
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

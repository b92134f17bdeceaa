/* SPDX-License-Identifier: ISC */
/*
 * ptrace for a moment (see tracer.h): every thread seized and interrupted,
 * read, then detached. A thread that ends meanwhile is simply not there;
 * one made meanwhile is found by listing the threads again until no new
 * one appears; one that cannot be stopped is tried again on each list,
 * and unseen while it refuses.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "tracer.h"
#include "xmalloc.h"

/* A thread's registers as words, and its stack pointer. */
struct regs {
	uint64_t	 gp[TRACER_MAX_REGS];
	size_t		 ngp;
	uint64_t	 sp;
};

#if defined(__x86_64__) || defined(__aarch64__)
#define TRACER_SUPPORTED	true
#else
#define TRACER_SUPPORTED	false
#endif

bool
tracer_supported(void)
{
	return TRACER_SUPPORTED;
}

#if defined(__x86_64__)
static bool
read_regs(pid_t tid, struct regs *r)
{
	struct user_regs_struct u;
	struct iovec iov = { &u, sizeof(u) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) != 0)
		return false;
	/* the integer registers, as memcheck scans them (not rip or flags) */
	const unsigned long long v[] = { u.rax, u.rbx, u.rcx, u.rdx, u.rsi,
	    u.rdi, u.rbp, u.rsp, u.r8, u.r9, u.r10, u.r11, u.r12, u.r13, u.r14,
	    u.r15 };

	r->ngp = sizeof(v) / sizeof(v[0]);
	for (size_t i = 0; i < r->ngp; i++)
		r->gp[i] = v[i];
	r->sp = u.rsp;
	return true;
}
#elif defined(__aarch64__)
static bool
read_regs(pid_t tid, struct regs *r)
{
	struct user_regs_struct u;
	struct iovec iov = { &u, sizeof(u) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) != 0)
		return false;
	r->ngp = 0;
	for (size_t i = 0; i < 31 && r->ngp < TRACER_MAX_REGS; i++)
		r->gp[r->ngp++] = u.regs[i];
	r->gp[r->ngp++] = u.sp;
	r->sp = u.sp;
	return true;
}
#else
static bool
read_regs(pid_t tid, struct regs *r)
{
	(void)tid;
	(void)r;
	return false;
}
#endif

static bool
has_tid(const pid_t *v, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == tid)
			return true;
	return false;
}

/* A thread that runs on, or was not read (few: grown one at a time). */
static void
add_unseen(struct tracer_hold *h, pid_t tid)
{
	if (has_tid(h->unseen, h->nunseen, tid))
		return;
	h->unseen = xreallocarray(h->unseen, h->nunseen + 1,
	    sizeof(*h->unseen));
	h->unseen[h->nunseen++] = tid;
}

/* A thread unseen on an earlier pass, stopped since. */
static void
drop_unseen(struct tracer_hold *h, pid_t tid)
{
	for (size_t i = 0; i < h->nunseen; i++)
		if (h->unseen[i] == tid) {
			h->unseen[i] = h->unseen[--h->nunseen];
			return;
		}
}

/* Is tid still a thread of pid? */
static bool
thread_there(pid_t pid, pid_t tid)
{
	struct proc p;
	char name[64];
	int fd = -1;
	bool there;

	snprintf(name, sizeof(name), "task/%d", (int)tid);
	there = proc_open(&p, PROC_ROOT, pid) == PROC_OK &&
	    proc_openat(&p, name, O_RDONLY | O_DIRECTORY, &fd) == PROC_OK;
	if (fd != -1)
		close(fd);
	proc_close(&p);
	return there;
}

/*
 * Seize and interrupt tid. False if it is gone or refuses: *err is the
 * errno of the call that failed (ESRCH: it ended).
 */
static bool
stop_thread(pid_t tid, int *err)
{
	int status;

	*err = 0;
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0) {
		*err = errno;
		return false;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0)
		goto fail;
	for (;;) {
		if (waitpid(tid, &status, __WALL) != tid)
			goto fail;
		if (!WIFSTOPPED(status)) {
			*err = ESRCH;	/* it ended: nothing to detach */
			return false;
		}
		if (status >> 16 == PTRACE_EVENT_STOP)
			return true;
		/* a signal on its way in: deliver it when let go, stop now */
		if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0 ||
		    ptrace(PTRACE_CONT, tid, NULL,
		    (void *)(long)WSTOPSIG(status)) != 0)
			goto fail;
	}
fail:
	*err = errno;
	ptrace(PTRACE_DETACH, tid, NULL, NULL);
	return false;
}

bool
tracer_stop(struct tracer_hold *h, pid_t pid, char *why, size_t whylen)
{
	size_t cap = 0;
	bool more = true;
	int refused = 0;

	memset(h, 0, sizeof(*h));
	h->pid = pid;
	while (more) {
		pid_t *tids;
		size_t n;

		more = false;
		if (!proc_threads(pid, &tids, &n))
			break;
		for (size_t i = 0; i < n; i++) {
			int err;

			if (has_tid(h->tids, h->ntids, tids[i]))
				continue;
			if (!stop_thread(tids[i], &err)) {
				if (err == EPERM)
					refused = err;
				/* it runs on, unless it ended meanwhile */
				if (err != ESRCH && thread_there(pid, tids[i]))
					add_unseen(h, tids[i]);
				continue;
			}
			drop_unseen(h, tids[i]);
			h->tids = xgrow(h->tids, &cap, h->ntids + 1, sizeof(*h->tids));
			h->tids[h->ntids++] = tids[i];
			more = true;
		}
		free(tids);
	}
	if (h->ntids == 0) {
		snprintf(why, whylen, "cannot stop process %d%s%s", (int)pid,
		    refused ? ": " : "", refused ? strerror(refused) : "");
		tracer_release(h);
		h->pid = pid;
		return false;
	}
	return true;
}

/*
 * The stack pointers and registers of the threads stopped; one that
 * cannot be read is unseen.
 */
static void
read_threads(struct tracer_hold *h, pid_t quiet_tid)
{
	size_t stacks_cap = 0, regs_cap = 0;

	for (size_t i = 0; i < h->ntids; i++) {
		struct regs r;

		if (!read_regs(h->tids[i], &r)) {
			add_unseen(h, h->tids[i]);
			continue;
		}
		h->stacks = xgrow(h->stacks, &stacks_cap, h->nstacks + 1,
		    sizeof(*h->stacks));
		h->stacks[h->nstacks++] = (struct tracer_stack){ .sp = r.sp,
		    .alive = true, .tid = h->tids[i] };
		if (h->tids[i] == quiet_tid)
			continue;
		h->regs = xgrow(h->regs, &regs_cap, h->nregs + r.ngp,
		    sizeof(*h->regs));
		memcpy(h->regs + h->nregs, r.gp, r.ngp * sizeof(*r.gp));
		h->nregs += r.ngp;
	}
}

bool
tracer_hold(struct tracer_hold *h, pid_t pid, pid_t quiet_tid, char *why,
    size_t whylen)
{
	if (!TRACER_SUPPORTED) {
		memset(h, 0, sizeof(*h));
		h->pid = pid;
		snprintf(why, whylen, "memscope cannot read the registers of "
		    "this machine's processes");
		return false;
	}
	if (!tracer_stop(h, pid, why, whylen))
		return false;
	read_threads(h, quiet_tid);
	return true;
}

void
tracer_release(struct tracer_hold *h)
{
	for (size_t i = 0; i < h->ntids; i++)
		ptrace(PTRACE_DETACH, h->tids[i], NULL, NULL);
	free(h->tids);
	free(h->unseen);
	free(h->stacks);
	free(h->regs);
	memset(h, 0, sizeof(*h));
}

/*
 * ptrace bookkeeping for `memscope run` (see tracer.h). Each traced thread
 * belongs to a process (thread group); a process ends when its last thread
 * reaches its exit stop (PTRACE_EVENT_EXIT), which the kernel reports
 * before the address space is torn down. Threads that end earlier (the
 * exit system call, or killed by another thread's exit_group or exec) are
 * resumed at once: they leave their last stack pointer behind, which says
 * how much of their stack is still live.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "buf.h"
#include "proc.h"
#include "tracer.h"
#include "xmalloc.h"

struct tracer_thread {
	pid_t		 tid;
	pid_t		 tgid;
	bool		 exiting;	/* at or past its exit stop */
};

struct tracer_process {
	pid_t		 tgid;
	size_t		 live;		/* threads not at their exit stop */
	bool		 ending;	/* exit_group or a fatal signal began */
	bool		 ended;		/* on_end was called */
	struct tracer_stack *stacks;
	size_t		 nstacks;
	size_t		 stacks_cap;
	uint64_t	 regs[TRACER_MAX_REGS];
	size_t		 nregs;
	bool		 regs_from_exit_group;
};

/* A thread's registers as words, its stack pointer and system call. */
struct regs {
	uint64_t	 gp[TRACER_MAX_REGS];
	size_t		 ngp;
	uint64_t	 sp;
	long		 syscall;
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
	r->syscall = (long)u.orig_rax;
	return true;
}
#elif defined(__aarch64__)
static bool
read_regs(pid_t tid, struct regs *r)
{
	struct user_regs_struct u;
	struct iovec iov = { &u, sizeof(u) };
	int nr = -1;
	struct iovec sys = { &nr, sizeof(nr) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) != 0)
		return false;
	r->ngp = 0;
	for (size_t i = 0; i < 31 && r->ngp < TRACER_MAX_REGS; i++)
		r->gp[r->ngp++] = u.regs[i];
	r->gp[r->ngp++] = u.sp;
	r->sp = u.sp;
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &sys) != 0)
		nr = -1;
	r->syscall = nr;
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

static struct tracer_process *
find_process(struct tracer *t, pid_t tgid, bool create)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].tgid == tgid)
			return &t->procs[i];
	if (!create)
		return NULL;
	t->procs = xgrow(t->procs, &t->procs_cap, t->nprocs + 1, sizeof(*t->procs));
	memset(&t->procs[t->nprocs], 0, sizeof(t->procs[0]));
	t->procs[t->nprocs].tgid = tgid;
	return &t->procs[t->nprocs++];
}

static void
forget_process(struct tracer *t, struct tracer_process *p)
{
	free(p->stacks);
	*p = t->procs[--t->nprocs];
}

/* The thread group of tid, from /proc (a new thread may stop before its
 * creator's clone event is seen). */
static pid_t
read_tgid(pid_t tid)
{
	struct proc proc;
	struct buf b = { 0 };
	pid_t tgid = tid;

	if (proc_open(&proc, "/proc", tid) == PROC_OK &&
	    proc_read(&proc, "status", &b) == PROC_OK) {
		const char *s = strstr(b.data, "\nTgid:");

		if (s != NULL)
			tgid = (pid_t)strtol(s + 6, NULL, 10);
	}
	buf_free(&b);
	proc_close(&proc);
	return tgid;
}

static struct tracer_thread *
find_thread(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid)
			return &t->threads[i];
	return NULL;
}

/* A thread seen for the first time, by its clone event or its first stop. */
static struct tracer_thread *
add_thread(struct tracer *t, pid_t tid, pid_t tgid)
{
	struct tracer_thread *th = find_thread(t, tid);

	if (th != NULL)
		return th;
	if (tgid <= 0)
		tgid = read_tgid(tid);
	t->threads = xgrow(t->threads, &t->threads_cap, t->nthreads + 1,
	    sizeof(*t->threads));
	th = &t->threads[t->nthreads++];
	*th = (struct tracer_thread){ .tid = tid, .tgid = tgid };
	find_process(t, tgid, true)->live++;
	return th;
}

static void
remove_thread(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid) {
			t->threads[i] = t->threads[--t->nthreads];
			return;
		}
}

bool
tracer_seize(struct tracer *t, pid_t pid, bool follow)
{
	long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
	    PTRACE_O_TRACEEXIT;

	if (!tracer_supported()) {
		errno = ENOSYS;
		return false;
	}
	if (follow)
		opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)opts) != 0)
		return false;
	add_thread(t, pid, pid);
	return true;
}

static void
resume(pid_t tid, int sig)
{
	ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
}

static void
add_stack(struct tracer_process *p, uint64_t sp, bool alive)
{
	p->stacks = xgrow(p->stacks, &p->stacks_cap, p->nstacks + 1,
	    sizeof(*p->stacks));
	p->stacks[p->nstacks++] = (struct tracer_stack){ .sp = sp, .alive = alive };
}

/* Is the thread at its exit stop ending its process (exit_group, or a
 * fatal signal other than SIGKILL, by its exit status)? */
static bool
group_end(pid_t tid, long syscall)
{
	unsigned long status;

	if (syscall == SYS_exit_group)
		return true;
	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &status) != 0)
		return false;
	return (status & 0x7f) != 0 && (status & 0x7f) != SIGKILL;
}

/*
 * A thread at its exit stop. The exit system call ends one thread; any
 * other way in is the end of the process (exit_group, a fatal signal, or
 * the threads an exec kills, whose process goes on in the exec'ing one).
 */
static void
thread_exit_stop(struct tracer *t, struct tracer_thread *th)
{
	struct tracer_process *p = find_process(t, th->tgid, true);
	struct regs r;
	bool got = read_regs(th->tid, &r);
	bool alone = got && r.syscall == SYS_exit;

	if (!th->exiting) {
		th->exiting = true;
		if (p->live > 0)
			p->live--;
	}
	if (got) {
		add_stack(p, r.sp, !alone);
		if (!alone && (!p->ending || (!p->regs_from_exit_group &&
		    r.syscall == SYS_exit_group))) {
			memcpy(p->regs, r.gp, r.ngp * sizeof(r.gp[0]));
			p->nregs = r.ngp;
			p->regs_from_exit_group = r.syscall == SYS_exit_group;
		}
	}
	if (!alone)
		p->ending = true;
	/*
	 * The end of the process: its last thread at its exit stop, or the
	 * thread that called exit_group or took a fatal signal at its own.
	 * The kernel kills the other threads with SIGKILL then, and a thread
	 * with SIGKILL pending makes no exit stop on recent kernels (seen on
	 * Linux 6.18): waiting for theirs would wait for ever. (The exit
	 * status of a thread an exec or an exit_group killed is SIGKILL.)
	 */
	if ((p->live == 0 || group_end(th->tid, got ? r.syscall : -1)) &&
	    !p->ended && t->on_end != NULL) {
		struct tracer_end end = { .pid = p->tgid, .tid = th->tid,
		    .stacks = p->stacks,
		    .nstacks = p->nstacks, .regs = p->regs, .nregs = p->nregs };

		p->ended = true;
		t->on_end(t->ctx, &end);
	}
	resume(th->tid, 0);
}

bool
tracer_event(struct tracer *t, pid_t pid, int status)
{
	struct tracer_thread *th;
	int event = status >> 16, sig;
	unsigned long msg = 0;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		bool leader;

		th = find_thread(t, pid);
		leader = th == NULL || th->tid == th->tgid;
		remove_thread(t, pid);
		/* the leader's end is the process's: its status is the exit status */
		if (leader) {
			struct tracer_process *p = find_process(t, pid, false);

			if (p != NULL)
				forget_process(t, p);
		}
		return leader;
	}
	if (!WIFSTOPPED(status))
		return false;
	th = add_thread(t, pid, 0);
	sig = WSTOPSIG(status);
	switch (event) {
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg) == 0 && msg > 0)
			add_thread(t, (pid_t)msg, event == PTRACE_EVENT_CLONE ?
			    0 : (pid_t)msg);
		resume(pid, 0);
		break;
	case PTRACE_EVENT_EXEC: {
		/* one thread is left, with the process id as its id */
		struct tracer_process *p = find_process(t, th->tgid, true);

		if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg) == 0 &&
		    (pid_t)msg != pid)
			remove_thread(t, (pid_t)msg);
		for (size_t i = t->nthreads; i-- > 0;)
			if (t->threads[i].tgid == p->tgid && t->threads[i].tid != pid)
				t->threads[i] = t->threads[--t->nthreads];
		p->live = 1;
		p->ending = false;
		p->ended = false;
		p->nstacks = 0;
		p->nregs = 0;
		th = find_thread(t, pid);
		th->exiting = false;
		resume(pid, 0);
		break;
	}
	case PTRACE_EVENT_EXIT:
		thread_exit_stop(t, th);
		break;
	case PTRACE_EVENT_STOP:
		/* a group-stop (job control) must stay stopped until SIGCONT */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU)
			ptrace(PTRACE_LISTEN, pid, NULL, NULL);
		else
			resume(pid, 0);
		break;
	default:
		/* a signal on its way: deliver it as it was */
		resume(pid, sig);
		break;
	}
	return false;
}

void
tracer_free(struct tracer *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		free(t->procs[i].stacks);
	free(t->procs);
	free(t->threads);
	memset(t, 0, sizeof(*t));
}

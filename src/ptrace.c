#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include "ptrace.h"

static uint64_t
regs_sp(const struct user_regs_struct *r)
{
#if defined(__x86_64__)
	return r->rsp;
#elif defined(__i386__)
	return r->esp;
#elif defined(__aarch64__)
	return r->sp;
#else
#error "ptrace_thread_sp: stack pointer register unknown on this architecture"
#endif
}

/* Wait up to ~200 ms for tid to report its stop. */
static int
wait_stop(pid_t tid)
{
	struct timespec ts = { 0, 1000000 };
	int status;

	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(tid, &status, __WALL | WNOHANG);

		if (r == tid)
			return WIFSTOPPED(status) ? 0 : -1;
		if (r == -1 && errno != EINTR)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

int
ptrace_thread_sp(pid_t tid, uint64_t *sp)
{
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };
	int rc = -1;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0)
		return -1;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0 || wait_stop(tid) != 0)
		goto detach;
	memset(&regs, 0, sizeof(regs));
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) == 0) {
		*sp = regs_sp(&regs);
		rc = 0;
	}
detach:
	/* Fails harmlessly if tid is gone; the kernel detaches us at exit anyway. */
	ptrace(PTRACE_DETACH, tid, NULL, NULL);
	return rc;
}

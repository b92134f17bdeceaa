/* SPDX-License-Identifier: ISC */
/*
 * Runs a command as a child subreaper, so that the exit status of every
 * process it leaves behind (an orphan is given to the nearest subreaper)
 * can be known: the tests kill memscope and need the status of the program
 * it was running, which then belongs to nobody else.
 *
 * usage: run-reaper FACTS-FILE [--kill-after=MS] COMMAND ARGS...
 * Facts: "child PID" as soon as COMMAND is started; for each process
 * reaped, "exit PID CODE" or "signal PID SIGNAL"; "done" when none is left.
 * With --kill-after=MS, COMMAND is sent SIGKILL MS milliseconds after it
 * was started, and "killed PID" is written first, unless it has ended by
 * then (it is not reaped before, so that its pid cannot be another
 * process's). "time PID MS" says when COMMAND ended, in milliseconds after
 * its start.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "run-target.h"

static long
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits until COMMAND ends (unreaped) or MS milliseconds after t0 have
 * passed: the milliseconds at its end, or -1 if it still runs. */
static long
wait_end(pid_t child, const struct timespec *t0, unsigned long ms, const sigset_t *chld)
{
	struct timespec left;
	siginfo_t si;
	long now;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
			run_die("waitid");
		now = since(t0);
		if (si.si_pid == child)
			return now;
		if (now >= (long)ms)
			return -1;
		left.tv_sec = ((long)ms - now) / 1000;
		left.tv_nsec = ((long)ms - now) % 1000 * 1000000L;
		if (sigtimedwait(chld, NULL, &left) == -1 && errno != EAGAIN && errno != EINTR)
			run_die("sigtimedwait");
	}
}

static void
report(int fd, const char *what, pid_t pid, int v)
{
	char buf[64];
	int n;

	if ((n = snprintf(buf, sizeof(buf), "%s %ld %d\n", what, (long)pid, v)) < 0 ||
	    (size_t)n >= sizeof(buf))
		run_die("snprintf");
	facts_write(fd, buf, (size_t)n);
}

int
main(int argc, char **argv)
{
	struct timespec t0;
	unsigned long kill_ms = 0;
	sigset_t chld, old;
	pid_t pid, child;
	long ended = -1;
	int fd, status, cmd = 2, kill_after = 0;

	fd = facts_open(argc, argv);
	if (argc > 2 && strncmp(argv[2], "--kill-after=", 13) == 0) {
		kill_ms = arg_ulong(argv[2] + 13);
		kill_after = 1;
		cmd = 3;
	}
	if (argc <= cmd)
		run_die("usage: run-reaper FACTS-FILE [--kill-after=MS] COMMAND ARGS...");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		run_die("prctl(PR_SET_CHILD_SUBREAPER)");
	/* SIGCHLD is waited for, not handled */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((child = fork()) == -1)
		run_die("fork");
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[cmd], argv + cmd);
		run_die("execvp");
	}
	pid = child;
	facts_u64(fd, "", "child", (uint64_t)pid);
	if (kill_after && (ended = wait_end(child, &t0, kill_ms, &chld)) == -1) {
		if (kill(child, SIGKILL) != 0)
			run_die("kill");
		facts_u64(fd, "", "killed", (uint64_t)child);
	}
	while ((pid = wait(&status)) != -1) {
		if (WIFEXITED(status))
			report(fd, "exit", pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			report(fd, "signal", pid, WTERMSIG(status));
		if (pid == child)
			report(fd, "time", pid, (int)(ended != -1 ? ended : since(&t0)));
	}
	if (errno != ECHILD)
		run_die("wait");
	facts_write(fd, "done\n", 5);
	return 0;
}

/*
 * Runs a command as a child subreaper, so that the exit status of every
 * process it leaves behind (an orphan is given to the nearest subreaper)
 * can be known: the tests kill memscope and need the status of the program
 * it was running, which then belongs to nobody else.
 *
 * usage: run-reaper FACTS-FILE COMMAND ARGS...
 * Facts: "child PID" as soon as COMMAND is started; for each process
 * reaped, "exit PID CODE" or "signal PID SIGNAL"; "done" when none is left.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/wait.h>

#include "run-target.h"

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
	pid_t pid;
	int fd, status;

	fd = facts_open(argc, argv);
	if (argc < 3)
		run_die("usage: run-reaper FACTS-FILE COMMAND ARGS...");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		run_die("prctl(PR_SET_CHILD_SUBREAPER)");
	if ((pid = fork()) == -1)
		run_die("fork");
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		run_die("execvp");
	}
	facts_u64(fd, "", "child", (uint64_t)pid);
	while ((pid = wait(&status)) != -1) {
		if (WIFEXITED(status))
			report(fd, "exit", pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			report(fd, "signal", pid, WTERMSIG(status));
	}
	if (errno != ECHILD)
		run_die("wait");
	facts_write(fd, "done\n", 5);
	return 0;
}

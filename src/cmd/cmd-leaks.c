/* SPDX-License-Identifier: ISC */
/* memscope leaks PID: the live leak check of a process memscope attach tracks. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach-leaks.h"
#include "cmd.h"
#include "proc.h"
#include "source-proc.h"

static int leaks_exec(const struct cmd *, int, char **);

const struct cmd cmd_leaks = {
	.name = "leaks",
	.args = "PID",
	.summary = "Check a process that memscope attach tracks for leaks, now.",
	.help =
	    "Asks the `memscope attach PID` tracking process PID to stop it, scan\n"
	    "its memory as at the end of a run, and resume it; prints the leak\n"
	    "report of the blocks allocated since the attach (definitely,\n"
	    "indirectly and possibly lost; the summary) and how long the process\n"
	    "was stopped. Memory the allocator holds from before the attach is\n"
	    "scanned for pointers too: a block it reaches is never called lost.\n\n"
	    "Options:\n"
	    "  -h, --help           this help\n",
	.exec = leaks_exec,
};

static const struct option leaks_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
leaks_exec(const struct cmd *self, int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char buf[65536];
	size_t n, total = 0;
	ssize_t got;
	bool failed = false;
	int opt, pid, fd;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", leaks_options, NULL)) != -1) {
		if (opt == 'h') {
			cmd_print_help(self, stdout);
			return cmd_finish_output();
		}
		cmd_bad_option(self, opt, argv);
	}
	pid = cmd_pid_argument(self, argc, argv);
	if (kill(pid, 0) != 0 && errno == ESRCH) {
		log_warnx("no process %d", pid);
		return EXIT_RUNTIME;
	}
	n = attach_leaks_address(pid, addr.sun_path, sizeof(addr.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(fd, (struct sockaddr *)&addr,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) != 0) {
		struct source_proc_error err;
		struct process probe;

		close(fd);
		/* a process memscope could not attach to is not told to be */
		if (source_proc_snapshot(PROC_ROOT, pid, &probe, &err) !=
		    SOURCE_PROC_OK) {
			cmd_proc_failure("leaks", PROC_ROOT, pid, &err);
			return EXIT_RUNTIME;
		}
		model_process_free(&probe);
		log_warnx("process %d is not attached: start `memscope attach %d` "
		    "first (it tracks what the check classifies)", pid, pid);
		return EXIT_RUNTIME;
	}
	/* the name is anyone's to take: only a memscope of ours, or root's */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		log_warnx("the leak checks' socket of process %d is held by uid %u, "
		    "not by a memscope of this user", pid, (unsigned)cred.uid);
		close(fd);
		return EXIT_RUNTIME;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		/* a refusal or a failure is one line "memscope: ...", for stderr */
		if (total == 0 && strncmp(buf, "memscope: ", 10) == 0)
			failed = true;
		total += (size_t)got;
		if (fwrite(buf, 1, (size_t)got, failed ? stderr : stdout) != (size_t)got)
			break;
	}
	close(fd);
	if (total == 0) {
		log_warnx("the memscope attached to process %d gave no report", pid);
		return EXIT_RUNTIME;
	}
	return failed ? EXIT_RUNTIME : cmd_finish_output();
}

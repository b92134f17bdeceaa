/* SPDX-License-Identifier: ISC */
/*
 * A program that lives by signals, for run-signals.test: memscope holds
 * it with ptrace, and every signal must still reach it as without memscope.
 *
 *	run-signals COUNT
 *
 * Sends itself COUNT SIGUSR1 (a handler that allocates and frees counts
 * them), blocks SIGUSR2 and checks it stays pending, ignores SIGPIPE and
 * checks write() to a closed pipe fails with EPIPE, then stops itself with
 * SIGSTOP (the test sends SIGCONT; "stopping" on stderr first) and prints
 * "usr1 N pending 1 epipe 1 continued 1". Exits with 3.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, continued;

static void
on_usr1(int sig)
{
	void *volatile p = malloc(32);

	(void)sig;
	free(p);
	usr1++;
}

static void
on_cont(int sig)
{
	(void)sig;
	continued = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t block, pending;
	int count = argc > 1 ? atoi(argv[1]) : 100, fds[2], epipe;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < count; i++)
		kill(getpid(), SIGUSR1);

	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR2);
	sigpending(&pending);

	if (pipe(fds) != 0)
		return 1;
	close(fds[0]);
	epipe = write(fds[1], "x", 1) == -1 && errno == EPIPE;

	/* for the test: from here the only stop is this one */
	(void)!write(STDERR_FILENO, "stopping\n", 9);
	raise(SIGSTOP);
	printf("usr1 %d pending %d epipe %d continued %d\n", (int)usr1,
	    sigismember(&pending, SIGUSR2), epipe, (int)continued);
	return 3;
}

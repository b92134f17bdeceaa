/* SPDX-License-Identifier: ISC */
/*
 * What a program sees of its signal dispositions, and how it dies of one.
 * It prints, for SIGSEGV, SIGTERM and SIGPIPE, whether their action is
 * the default; installs a handler for SIGUSR1 and raises it; puts the
 * default back with signal() and looks again; then loses 100 bytes and
 * raises SIGTERM, whose action is the default: it dies of it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void
on_usr1(int sig)
{
	got = sig;
}

/* 100 bytes, their only pointer dropped */
static __attribute__((noinline)) void
lose(void)
{
	char *p = malloc(100);

	memset(p, 1, 100);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static const char *
action(int sig)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) != 0)
		return "error";
	if (old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
		return "default";
	if (old.sa_handler == SIG_IGN)
		return "ignore";
	return old.sa_handler == on_usr1 ? "mine" : "other";
}

int
main(void)
{
	struct sigaction sa;
	char line[256];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	snprintf(line, sizeof(line), "segv %s term %s pipe %s",
	    action(SIGSEGV), action(SIGTERM), action(SIGPIPE));
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	snprintf(line + strlen(line), sizeof(line) - strlen(line),
	    " usr1 %s got %d", action(SIGUSR1), (int)got);
	if (signal(SIGUSR1, SIG_DFL) != on_usr1)
		return 98;
	snprintf(line + strlen(line), sizeof(line) - strlen(line),
	    " then %s\n", action(SIGUSR1));
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		return 97;
	lose();
	raise(SIGTERM);
	return 99;
}

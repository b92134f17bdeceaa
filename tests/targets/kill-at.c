/* SPDX-License-Identifier: ISC */
/*
 * kill-at: runs a command and kills it (SIGKILL) at its Nth system call
 * among those that act on another process (ptrace, process_vm_readv,
 * process_vm_writev, wait4, and pwrite64, with which memscope writes
 * into the process's code through /proc/PID/mem), for
 * tests/run-attach-kill.test: memscope attach killed at each step of
 * joining a process and leaving it.
 *
 * usage: kill-at [-r REQUEST] N CMD ARGS...
 *   The command runs traced by kill-at (PTRACE_TRACEME), stopped at the
 *   entry of each of its system calls. At the entry of the Nth counted
 *   one (with -r, of the Nth ptrace call with that request), it is killed
 *   before that call is made; kill-at prints
 *   "killed at N ptrace REQUEST" (or the call's name) on stdout and exits
 *   0. A command that ends first: "ended after M" (M counted calls), its
 *   exit status passed on (128 + signal when killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n, seen = 0, request = -1;
	pid_t child;
	int status;

	if (argc > 2 && strcmp(argv[1], "-r") == 0) {
		request = strtol(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: kill-at [-r REQUEST] N CMD ARGS...\n");
		return 2;
	}
	if ((child = fork()) == -1)
		return 2;
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status))
		return 2;
	ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)(PTRACE_O_TRACESYSGOOD |
	    PTRACE_O_EXITKILL));
	ptrace(PTRACE_SYSCALL, child, NULL, NULL);
	for (;;) {
		struct user_regs_struct r;
		struct __ptrace_syscall_info info;
		int sig = 0;

		if (waitpid(child, &status, 0) != child) {
			if (errno == EINTR)
				continue;
			return 2;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			printf("ended after %ld\n", seen);
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
		}
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			/* its own signal (exec's SIGTRAP is not one) */
			if (WSTOPSIG(status) != SIGTRAP)
				sig = WSTOPSIG(status);
			ptrace(PTRACE_SYSCALL, child, NULL, (void *)(long)sig);
			continue;
		}
		if (ptrace(PTRACE_GET_SYSCALL_INFO, child, (void *)sizeof(info),
		    &info) > 0 && info.op == PTRACE_SYSCALL_INFO_ENTRY &&
		    ptrace(PTRACE_GETREGS, child, NULL, &r) == 0 &&
		    (request >= 0 ? r.orig_rax == SYS_ptrace &&
		    (long)r.rdi == request : r.orig_rax == SYS_ptrace ||
		    r.orig_rax == SYS_process_vm_readv ||
		    r.orig_rax == SYS_process_vm_writev || r.orig_rax == SYS_wait4 ||
		    r.orig_rax == SYS_pwrite64) &&
		    ++seen == n) {
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			if (r.orig_rax == SYS_ptrace)
				printf("killed at %ld ptrace %llu\n", n, r.rdi);
			else
				printf("killed at %ld %s\n", n,
				    r.orig_rax == SYS_wait4 ? "wait4" :
				    r.orig_rax == SYS_pwrite64 ? "pwrite64" :
				    r.orig_rax == SYS_process_vm_readv ?
				    "process_vm_readv" : "process_vm_writev");
			return 0;
		}
		ptrace(PTRACE_SYSCALL, child, NULL, NULL);
	}
}

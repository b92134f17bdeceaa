/* SPDX-License-Identifier: ISC */
/* Starting the program under the shim: checks first, then fork and exec. */
#ifndef MEMSCOPE_LAUNCH_H
#define MEMSCOPE_LAUNCH_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * Find prog as execvp would and check that the shim can reach it: it
 * exists, is executable, is dynamically linked (or a #! script), and is
 * not setuid or setgid (the loader ignores LD_PRELOAD for those). Returns
 * true with its path in path; false with a one-line reason in why.
 */
bool	launch_check(const char *prog, char *path, size_t pathlen, char *why,
	    size_t whylen);

/*
 * Can shim be preloaded: a shared object of this machine's? False with a
 * one-line reason naming the path in why.
 */
bool	launch_check_shim(const char *shim, char *why, size_t whylen);

/* The shim to preload: $MEMSCOPE_SHIM, the build tree's, or the installed one. */
const char *launch_shim_path(void);

/*
 * Ctrl-C and Ctrl-\ reach the whole foreground group: the program should
 * get them, memscope should live to report; and a closed pipe on stderr
 * must not kill it before it writes its report file. Ignores SIGINT,
 * SIGQUIT and SIGPIPE in memscope, remembering them for the program.
 */
void	launch_ignore_interrupts(void);

/*
 * Start path with argv, the shim first in LD_PRELOAD (before the user's)
 * and the socket and options in the environment. The child gets the
 * signal dispositions and mask memscope had at start. Returns the pid, or
 * -1 with errno. With stdio, the child's fds 0 to 2 become those not -1
 * in it.
 */
pid_t	launch_start(const char *path, char *const argv[], const char *shim,
	    const char *socket_path, const char *options, const int stdio[3]);

#endif

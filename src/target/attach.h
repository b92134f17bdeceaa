/* SPDX-License-Identifier: ISC */
/*
 * Joining a running process (memscope attach): the checks first, then the
 * shim loaded and started in it through inject.c, and put to sleep again
 * on detach; and the live leak check of an attached process, which
 * `memscope leaks PID` asks for over a socket named after the process.
 */
#ifndef MEMSCOPE_ATTACH_H
#define MEMSCOPE_ATTACH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "collect.h"
#include "model.h"

struct attachment {
	pid_t		 pid;
	char		 shim[PATH_MAX];	/* its real path */
	int		 leaks_fd;		/* the leak checks' socket, or -1 */
};

/* Can memscope attach to pid? False: why. */
bool	attach_check(pid_t pid, char *why, size_t len);
/*
 * Does pid run glibc's dynamic loader, which the shim needs? 1 yes; 0 no,
 * why says so; -1 it ended meanwhile, why says so.
 */
int	attach_supported(pid_t pid, char *why, size_t len);

/*
 * Load the shim into pid and start it with the socket and options;
 * wait(ctx) is called while the process runs the shim's start (its hello
 * must be answered); when it returns false memscope gives up waiting, the
 * process goes on by itself. False, with why, when it could not.
 */
bool	attach_join(struct attachment *at, pid_t pid, const char *shim,
	    const char *socket_path, const char *options,
	    bool (*wait)(void *ctx), void *ctx, char *why, size_t len);
/*
 * Put the process's calls back and let go of it; wait(ctx) as for
 * attach_join (false: memscope goes, the process finishes on its own).
 */
bool	attach_leave(struct attachment *at, bool (*wait)(void *ctx), void *ctx,
	    char *why, size_t len);

/*
 * The socket `memscope leaks PID` connects to: its fd, or -1 with errno
 * (EADDRINUSE: another process holds the name).
 */
int	attach_listen_leaks(struct attachment *at);
/* A leak check was asked for: do it, answer with the report. */
void	attach_serve_leaks(struct attachment *at, struct collector *c);
void	attach_close_leaks(struct attachment *at);
/* A leak check now, its summary in a line (the dashboard's L). */
bool	attach_leak_line(struct attachment *at, struct collector *c, char *out,
	    size_t len);

/* The abstract socket name of pid's leak checks, in out (sun_path). */
size_t	attach_leaks_address(pid_t pid, char *out, size_t len);

#endif

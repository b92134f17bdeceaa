/* SPDX-License-Identifier: ISC */
/*
 * Joining a running process (memscope attach): the checks first, then the
 * shim loaded and started in it through inject.c, the allocator's entries
 * hooked, and all put back and the shim put to sleep again on detach.
 */
#ifndef MEMSCOPE_ATTACH_H
#define MEMSCOPE_ATTACH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct attachment {
	pid_t		 pid;
	char		 shim[PATH_MAX];	/* its real path */
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

#endif

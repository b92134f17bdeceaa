/* SPDX-License-Identifier: ISC */
/*
 * The live leak checks of a process memscope attach tracks: its threads
 * held by the tracer, its memory scanned by the leak source against what
 * its ring recorded, and let go. Asked for by `memscope leaks PID` over an
 * abstract socket named after the process (answered with the report), or
 * by the dashboard's L (a line).
 */
#ifndef MEMSCOPE_ATTACH_LEAKS_H
#define MEMSCOPE_ATTACH_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "attach.h"
#include "collect.h"

struct attach_leaks {
	const struct attachment	*at;
	struct collector	*col;	/* its first source: the process's ring */
	int			 fd;	/* the socket, or -1 */
};

/* The checks of at's process, whose ring c reads; no socket yet. */
void	attach_leaks_init(struct attach_leaks *l, const struct attachment *at,
	    struct collector *c);
/*
 * The socket `memscope leaks PID` connects to: its fd, or -1 with errno
 * (EADDRINUSE: another process holds the name).
 */
int	attach_leaks_listen(struct attach_leaks *l);
/* A check was asked for on the socket: do it, answer with the report. */
void	attach_leaks_serve(struct attach_leaks *l);
void	attach_leaks_close(struct attach_leaks *l);
/* A check now, its summary in a line (the dashboard's L). */
bool	attach_leaks_line(struct attach_leaks *l, char *out, size_t len);

/* The abstract socket name of pid's checks, in out (sun_path). */
size_t	attach_leaks_address(pid_t pid, char *out, size_t len);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Collecting what the shims send: the control socket that accepts them,
 * one ring source per process, the growth series' clock, the trace. One
 * turn of the consumer loop at a time; shared by memscope run and memscope
 * attach, which decide how processes start and when collecting ends.
 */
#ifndef MEMSCOPE_COLLECT_H
#define MEMSCOPE_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "control.h"
#include "model.h"
#include "source-ring.h"
#include "tracefile.h"

/* epoll tags below this are the collector's; a command's own start here */
#define COLLECT_TAG_LISTEN	((void *)1)
#define COLLECT_TAG_WAKE	((void *)2)
#define COLLECT_TAG_FIRST_FREE	3

struct collector {
	struct session	 session;
	struct control	 control;
	struct ring_source **sources;
	size_t		 nsources;
	size_t		 cap;
	int		 epfd;
	bool		 follow;	/* every process, or only the first */
	size_t		 accepted;
	char		 protocol_error[256];
	struct tracefile *trace;	/* -o, or NULL */
	long		 start_ms;	/* the growth series' clock starts here */
	long		 next_tick_ms;
	/* the process whose end its command learns itself (wait) */
	pid_t		 main_pid;
	/*
	 * A process at its end, its shim waiting (end_held): the command's
	 * leak check, after which the shim is let go. NULL: let go at once.
	 */
	void		(*on_end)(void *ctx, struct ring_source *src);
	void		*end_ctx;
};

/* The session, the socket and the epoll set; fatal when they cannot be made. */
void	collector_open(struct collector *c, bool follow);
/* Release everything but the session. */
void	collector_close(struct collector *c);
/* Wake the loop for fd, with tag (COLLECT_TAG_FIRST_FREE and up). */
void	collector_watch(struct collector *c, int fd, void *tag);
/* Milliseconds of CLOCK_MONOTONIC. */
long	collector_now_ms(void);

/*
 * One turn: read every ring, tick the growth series when due, then wait
 * for records, a shim, or an fd of the command's, which on_tag is given.
 */
void	collector_turn(struct collector *c, void (*on_tag)(void *ctx, void *tag),
	    void *ctx);
/* Take the shims waiting on the socket. */
void	collector_accept(struct collector *c);
/* Read what is left of source i and close it (still_running: the command
 * is done with a process that runs on). */
void	collector_close_source(struct collector *c, size_t i, bool still_running);
/* The growth series of src's process, now (end: its last tick). */
void	collector_tick(struct collector *c, struct ring_source *src, long now,
	    bool end);

/* The trace's first entry: the run of path argv (or the process joined). */
void	collector_trace_run(struct collector *c, pid_t pid, const char *path,
	    char *const argv[]);
/* The same for the process pid joined by memscope attach, as /proc says. */
void	collector_trace_attached(struct collector *c, pid_t pid);
/* How each process and the run ended (the session's), then close.
 * False: it failed. */
bool	collector_trace_finish(struct collector *c, const char *trace_path);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The analyzer's end of the transport: a Unix socket in a private
 * directory that each shim connects to, the hello it sends with its ring's
 * memfd, and the doorbell handed back (struct ms_doorbell): shared memory,
 * so that the shim keeps no descriptor in the program. A thread of the
 * analyzer's waits on the doorbell, keeps its heartbeat, and turns each
 * ring into a read of wake_fd for the collector's epoll.
 */
#ifndef MEMSCOPE_CONTROL_H
#define MEMSCOPE_CONTROL_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

struct control {
	int	 listen_fd;
	int	 wake_fd;	/* eventfd: readable when a shim rang */
	int	 doorbell_fd;	/* memfd of the doorbell, sent with each reply */
	struct ms_doorbell *doorbell;
	pthread_t bell_thread;
	bool	 bell_running;
	_Atomic bool bell_stop;
	char	 dir[64];
	char	 path[96];
};

/* Make the socket; false with errno on failure. */
bool	control_open(struct control *c);
void	control_close(struct control *c);

/* A shim that connected: its socket (until the reply), hello and ring. */
struct control_peer {
	int		 sock;
	int		 memfd;
	struct ms_hello	*hello;		/* allocated */
};

enum control_result {
	CONTROL_NONE,		/* no connection waiting */
	CONTROL_HELLO,		/* peer filled; it waits for control_reply() */
	CONTROL_INVALID,	/* not a shim, or another protocol version */
};

/*
 * Accept one connection and read its hello. The shim waits for the reply,
 * so the caller can look at the process (its command line) before it goes
 * on. On CONTROL_INVALID, why holds a message (version mismatch) or is
 * empty.
 */
enum control_result control_accept(struct control *c,
	    struct control_peer *peer, char *why, size_t whylen);
/*
 * The checks of a hello, apart from the socket (fuzz/fuzz-hello.c): the
 * len bytes of the message as received, and the size of the memfd that
 * came with it (-1 if none, or not a file). CONTROL_HELLO when it is a
 * whole hello of this protocol version from a process (pid > 0), with
 * flags of this version only, whose ring_size is the memfd's size; h then
 * holds it, exe terminated. Otherwise CONTROL_INVALID, and why holds a
 * message if it is a shim of another version, which waits for an answer.
 */
enum control_result control_hello_parse(const void *msg, size_t len,
	    int64_t memfd_size, struct ms_hello *h, char *why, size_t whylen);
/*
 * Answer the hello: track (the doorbell goes with it) or only forward
 * (--no-follow), in which case the memfd is closed and the hello freed.
 * The connection is closed either way: the shim has nothing more to say.
 * False when the shim is gone.
 */
bool	control_reply(struct control *c, struct control_peer *peer, bool track);

#endif

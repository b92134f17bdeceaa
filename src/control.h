/*
 * The analyzer's end of the transport: a Unix socket in a private
 * directory that each shim connects to, the hello it sends with its ring's
 * memfd, and the eventfd handed back that wakes the analyzer.
 */
#ifndef MEMSCOPE_CONTROL_H
#define MEMSCOPE_CONTROL_H

#include <limits.h>
#include <stdbool.h>

#include "wire/protocol.h"

struct control {
	int	 listen_fd;
	int	 wake_fd;	/* eventfd, shared by every shim */
	char	 dir[64];
	char	 path[96];
};

/* Make the socket; false with errno on failure. */
bool	control_open(struct control *c);
void	control_close(struct control *c);

/* A shim that connected: its socket, hello and ring. */
struct control_peer {
	int		 sock;
	int		 memfd;
	struct ms_hello	*hello;		/* allocated */
};

enum control_result {
	CONTROL_NONE,		/* no connection waiting */
	CONTROL_ACCEPTED,	/* peer filled: a shim to read */
	CONTROL_DECLINED,	/* told to only forward; nothing kept */
	CONTROL_INVALID,	/* not a shim, or another protocol version */
};

/*
 * Accept one connection and read its hello; decide() says whether to track
 * it (--no-follow declines all but the first). On CONTROL_INVALID, *why
 * holds a message (version mismatch) or is empty.
 */
enum control_result control_accept(struct control *c,
	    struct control_peer *peer,
	    bool (*decide)(const struct ms_hello *, void *), void *arg,
	    char *why, size_t whylen);

#endif

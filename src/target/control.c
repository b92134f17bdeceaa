/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "event-clock.h"
#include "futex.h"
#include "xmalloc.h"

/*
 * The doorbell's thread: sleeps on the futex word the shims bump, passes
 * each ring on to the collector's epoll, and beats while memscope lives.
 */
static void *
bell_main(void *arg)
{
	struct control *c = arg;
	struct ms_doorbell *db = c->doorbell;
	uint32_t seen = atomic_load(&db->ring);
	uint64_t one = 1;

	while (!atomic_load(&c->bell_stop)) {
		uint32_t now;

		atomic_store(&db->heartbeat_ms, ms_clock_ms());
		ms_futex_wait(&db->ring, seen, MS_HEARTBEAT_MS * 1000000L);
		if ((now = atomic_load(&db->ring)) != seen) {
			seen = now;
			(void)!write(c->wake_fd, &one, sizeof(one));
		}
	}
	return NULL;
}

static bool
doorbell_open(struct control *c)
{
	sigset_t all, old;
	int rc;

	if ((c->doorbell_fd = memfd_create("memscope-doorbell", MFD_CLOEXEC)) == -1 ||
	    ftruncate(c->doorbell_fd, MS_DOORBELL_SIZE) != 0)
		return false;
	c->doorbell = mmap(NULL, MS_DOORBELL_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, c->doorbell_fd, 0);
	if (c->doorbell == MAP_FAILED) {
		c->doorbell = NULL;
		return false;
	}
	c->doorbell->magic = MS_DOORBELL_MAGIC;
	c->doorbell->analyzer_pid = (int32_t)getpid();
	atomic_store(&c->doorbell->heartbeat_ms, ms_clock_ms());
	/* the thread takes no signal: they are the main thread's business */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->bell_thread, NULL, bell_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return false;
	}
	c->bell_running = true;
	return true;
}

bool
control_open(struct control *c)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *tmp = getenv("TMPDIR");
	int saved;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->wake_fd = c->doorbell_fd = -1;
	if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 32)
		tmp = "/tmp";
	/* a private directory: only this user can reach the socket */
	snprintf(c->dir, sizeof(c->dir), "%s/memscope.XXXXXX", tmp);
	if (mkdtemp(c->dir) == NULL)
		return false;
	snprintf(c->path, sizeof(c->path), "%s/sock", c->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", c->path);
	c->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd == -1 ||
	    bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(c->listen_fd, 64) != 0)
		goto fail;
	if ((c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    !doorbell_open(c))
		goto fail;
	return true;
fail:
	saved = errno;
	control_close(c);
	errno = saved;
	return false;
}

void
control_close(struct control *c)
{
	if (c->bell_running) {
		atomic_store(&c->bell_stop, true);
		ms_futex_wake_all(&c->doorbell->ring);
		pthread_join(c->bell_thread, NULL);
		c->bell_running = false;
	}
	if (c->doorbell != NULL)
		munmap(c->doorbell, MS_DOORBELL_SIZE);
	c->doorbell = NULL;
	if (c->doorbell_fd != -1)
		close(c->doorbell_fd);
	c->doorbell_fd = -1;
	if (c->listen_fd != -1)
		close(c->listen_fd);
	if (c->wake_fd != -1)
		close(c->wake_fd);
	c->listen_fd = c->wake_fd = -1;
	if (c->path[0] != '\0')
		unlink(c->path);
	if (c->dir[0] != '\0')
		rmdir(c->dir);
	c->path[0] = c->dir[0] = '\0';
}

static bool
send_reply(int sock, bool accepted, int doorbell_fd)
{
	struct ms_hello_reply reply = { .magic = MS_HELLO_MAGIC,
	    .version = MS_PROTOCOL_VERSION, .accepted = accepted };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { &reply, sizeof(reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (accepted) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &doorbell_fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(reply);
}

/*
 * The hello's head, the same in every protocol version, so that a shim of
 * another version is told apart from a stranger whatever its hello's size.
 */
#define HELLO_HEAD	(offsetof(struct ms_hello, version) + sizeof(uint32_t))

enum control_result
control_hello_parse(const void *msg, size_t len, int64_t memfd_size,
    struct ms_hello *h, char *why, size_t whylen)
{
	uint64_t magic;
	uint32_t version;
	int32_t pid;

	why[0] = '\0';
	if (len < HELLO_HEAD)
		return CONTROL_INVALID;
	memcpy(&magic, msg, sizeof(magic));
	memcpy(&version, (const char *)msg + offsetof(struct ms_hello, version),
	    sizeof(version));
	if (magic != MS_HELLO_MAGIC)
		return CONTROL_INVALID;
	if (version != MS_PROTOCOL_VERSION) {
		pid = 0;
		if (len >= offsetof(struct ms_hello, pid) + sizeof(pid))
			memcpy(&pid, (const char *)msg +
			    offsetof(struct ms_hello, pid), sizeof(pid));
		snprintf(why, whylen, "process %d runs a memscope shim of protocol "
		    "version %u; this memscope speaks version %u", (int)pid,
		    version, MS_PROTOCOL_VERSION);
		return CONTROL_INVALID;
	}
	if (len != sizeof(*h))
		return CONTROL_INVALID;
	memcpy(h, msg, sizeof(*h));
	h->exe[sizeof(h->exe) - 1] = '\0';
	/*
	 * The collector maps ring_size bytes of the memfd (source_ring_open),
	 * and a read past the memfd's end is a SIGBUS: the shim makes the
	 * memfd that size, and anything else is no shim of ours.
	 */
	if (h->pid <= 0 || (h->flags & ~MS_HELLO_FLAGS) != 0 ||
	    memfd_size < 0 || h->ring_size != (uint64_t)memfd_size)
		return CONTROL_INVALID;
	return CONTROL_HELLO;
}

enum control_result
control_accept(struct control *c, struct control_peer *peer, char *why,
    size_t whylen)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	/* one byte more than a hello, so that a longer message is seen */
	char *buf = xmalloc(sizeof(struct ms_hello) + 1);
	struct iovec iov = { buf, sizeof(struct ms_hello) + 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct ms_hello *h = NULL;
	struct cmsghdr *cm;
	struct stat st;
	int64_t memfd_size = -1;
	ssize_t n;
	int sock, memfd = -1;

	why[0] = '\0';
	memset(peer, 0, sizeof(*peer));
	peer->sock = peer->memfd = -1;
	if ((sock = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		free(buf);
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ?
		    CONTROL_NONE : CONTROL_INVALID;
	}
	/* the hello follows the connect at once: a blocking read is fine */
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	cm = CMSG_FIRSTHDR(&msg);
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&memfd, CMSG_DATA(cm), sizeof(int));
	if (memfd != -1 && fstat(memfd, &st) == 0 && S_ISREG(st.st_mode))
		memfd_size = st.st_size;
	if (n < 0)
		goto invalid;
	h = xmalloc(sizeof(*h));
	if (control_hello_parse(buf, (size_t)n, memfd_size, h, why,
	    whylen) != CONTROL_HELLO) {
		/* a shim of another version waits for its answer */
		if (why[0] != '\0')
			send_reply(sock, false, -1);
		goto invalid;
	}
	free(buf);
	peer->sock = sock;
	peer->memfd = memfd;
	peer->hello = h;
	return CONTROL_HELLO;
invalid:
	if (memfd != -1)
		close(memfd);
	close(sock);
	free(h);
	free(buf);
	return CONTROL_INVALID;
}

bool
control_reply(struct control *c, struct control_peer *peer, bool track)
{
	bool sent = send_reply(peer->sock, track, c->doorbell_fd);

	close(peer->sock);
	peer->sock = -1;
	if (!track || !sent) {
		close(peer->memfd);
		free(peer->hello);
		peer->memfd = -1;
		peer->hello = NULL;
	}
	return sent;
}

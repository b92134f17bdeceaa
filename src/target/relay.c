/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "relay.h"

void
relay_none(struct relay *r)
{
	memset(r, 0, sizeof(*r));
	r->rfd = r->dest = -1;
	for (int i = 0; i < 3; i++)
		r->child_fds[i] = -1;
}

bool
relay_start(struct relay *r)
{
	int p[2];

	relay_none(r);
	if (isatty(STDIN_FILENO) &&
	    (r->child_fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	if (!isatty(STDOUT_FILENO) && !isatty(STDERR_FILENO))
		return true;
	if (pipe2(p, O_CLOEXEC) != 0 || (r->held = tmpfile()) == NULL)
		return false;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r->rfd = p[0];
	r->dest = isatty(STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO;
	/* both on the one pipe when both are the terminal: their order kept */
	if (isatty(STDOUT_FILENO))
		r->child_fds[1] = p[1];
	if (isatty(STDERR_FILENO))
		r->child_fds[2] = p[1];
	r->holding = true;
	return true;
}

void
relay_started(struct relay *r)
{
	int closed = -1;

	for (int i = 0; i < 3; i++) {
		if (r->child_fds[i] != -1 && r->child_fds[i] != closed) {
			closed = r->child_fds[i];
			close(closed);
		}
		r->child_fds[i] = -1;
	}
}

/* All of len bytes to fd (the terminal). */
static void
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

void
relay_pump(struct relay *r)
{
	char buf[65536];
	ssize_t n;

	if (r->rfd == -1)
		return;
	while ((n = read(r->rfd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (r->holding && r->held != NULL &&
		    fwrite(buf, 1, (size_t)n, r->held) == (size_t)n)
			r->held_bytes += (uint64_t)n;
		else
			write_all(r->dest, buf, (size_t)n);
	}
	if (n == 0) {
		/* every writer is gone */
		close(r->rfd);
		r->rfd = -1;
	}
}

void
relay_release(struct relay *r)
{
	char buf[65536];
	size_t n;

	if (!r->holding)
		return;
	relay_pump(r);
	r->holding = false;
	if (r->held == NULL)
		return;
	rewind(r->held);
	while ((n = fread(buf, 1, sizeof(buf), r->held)) > 0)
		write_all(r->dest, buf, n);
	fclose(r->held);
	r->held = NULL;
}

void
relay_finish(struct relay *r)
{
	relay_release(r);
	relay_pump(r);
	if (r->rfd != -1)
		close(r->rfd);
	r->rfd = -1;
	relay_started(r);
}

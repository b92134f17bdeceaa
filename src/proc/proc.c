/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "xmalloc.h"

enum proc_rc
proc_rc_from_errno(int err)
{
	switch (err) {
	case ENOENT:
	case ESRCH:
		/* The directory was open, so the PID existed: it has gone. */
		return PROC_GONE;
	case EACCES:
	case EPERM:
		return PROC_DENIED;
	default:
		return PROC_IOERR;
	}
}

enum proc_rc
proc_open(struct proc *p, const char *root, pid_t pid)
{
	char path[4096];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->dirfd = -1;
	p->root = xstrdup(root);
	p->live = strcmp(root, PROC_ROOT) == 0;
	snprintf(path, sizeof(path), "%s/%d", root, (int)pid);
	p->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dirfd == -1) {
		if (errno == ENOENT || errno == ESRCH)
			return PROC_NO_PROCESS;
		return proc_rc_from_errno(errno);
	}
	return PROC_OK;
}

void
proc_close(struct proc *p)
{
	if (p->dirfd != -1)
		close(p->dirfd);
	p->dirfd = -1;
	free(p->root);
	p->root = NULL;
}

enum proc_rc
proc_openat(struct proc *p, const char *name, int flags, int *fd)
{
	*fd = openat(p->dirfd, name, flags | O_CLOEXEC | O_NOCTTY);
	if (*fd == -1)
		return proc_rc_from_errno(errno);
	return PROC_OK;
}

enum proc_rc
proc_readlink(struct proc *p, const char *name, char *out, size_t len)
{
	ssize_t n;

	if (len == 0)
		return PROC_IOERR;
	if ((n = readlinkat(p->dirfd, name, out, len - 1)) < 0) {
		out[0] = '\0';
		return proc_rc_from_errno(errno);
	}
	out[n] = '\0';
	return PROC_OK;
}

/* Read fd to its end into b (emptied first), and close it. */
static enum proc_rc
read_all(int fd, struct buf *b)
{
	enum proc_rc st;
	ssize_t n;

	/*
	 * seq_file fills as much of the user buffer as it can per read, so
	 * large reads keep the syscall count low for a big smaps (10,000
	 * mappings make ~11 MB of text).
	 */
	for (;;) {
		if (b->cap - b->len < 65536)
			buf_reserve(b, b->cap < 65536 ? 65536 : b->cap);
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			st = proc_rc_from_errno(errno);
			close(fd);
			return st;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	b->data[b->len] = '\0';
	close(fd);
	return PROC_OK;
}

enum proc_rc
proc_read(struct proc *p, const char *name, struct buf *b)
{
	enum proc_rc st;
	int fd;

	buf_clear(b);
	if ((st = proc_openat(p, name, O_RDONLY, &fd)) != PROC_OK)
		return st;
	return read_all(fd, b);
}

enum proc_rc
proc_read_root(const char *root, const char *name, struct buf *b)
{
	char path[4096];
	int fd;

	buf_clear(b);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return proc_rc_from_errno(errno);
	return read_all(fd, b);
}

bool
proc_threads(pid_t pid, pid_t **tids, size_t *n)
{
	struct proc p;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	*tids = NULL;
	*n = 0;
	if (proc_open(&p, PROC_ROOT, pid) != PROC_OK ||
	    proc_openat(&p, "task", O_RDONLY | O_DIRECTORY, &fd) != PROC_OK) {
		proc_close(&p);
		return false;
	}
	proc_close(&p);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		*tids = xgrow(*tids, &cap, *n + 1, sizeof(**tids));
		(*tids)[(*n)++] = tid;
	}
	closedir(d);
	return true;
}

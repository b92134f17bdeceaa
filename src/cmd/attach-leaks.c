/* SPDX-License-Identifier: ISC */
/* The live leak checks of an attached process (see attach-leaks.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach-leaks.h"
#include "clock.h"
#include "fmt.h"
#include "leak-scan.h"
#include "model-leaks.h"
#include "source-leaks.h"
#include "symbolize.h"
#include "tracer.h"
#include "view-run.h"
#include "xmalloc.h"

void
attach_leaks_init(struct attach_leaks *l, const struct attachment *at,
    struct collector *c)
{
	l->at = at;
	l->col = c;
	l->fd = -1;
}

size_t
attach_leaks_address(pid_t pid, char *out, size_t len)
{
	/* abstract: out[0] is NUL, and nothing is left in the file system */
	int n = snprintf(out, len, "%cmemscope-leaks-%d", '\0', (int)pid);

	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

int
attach_leaks_listen(struct attach_leaks *l)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t n = attach_leaks_address(l->at->pid, addr.sun_path,
	    sizeof(addr.sun_path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) != 0 ||
	    listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	l->fd = fd;
	return fd;
}

void
attach_leaks_close(struct attach_leaks *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

/* The held threads' stack pointers, as the scan takes them. */
static struct leak_stack *
held_stacks(const struct tracer_hold *h)
{
	struct leak_stack *v = xreallocarray(NULL, h->nstacks + 1, sizeof(*v));

	for (size_t i = 0; i < h->nstacks; i++)
		v[i] = (struct leak_stack){ .sp = h->stacks[i].sp,
		    .alive = h->stacks[i].alive, .tid = h->stacks[i].tid };
	return v;
}

/*
 * The check: hold, read what the ring holds, scan, let go. What can be
 * done with the process running is done before it is held: most of the
 * ring read, and its layout (see source_leaks_layout_read).
 */
static bool
check(struct attach_leaks *l, uint64_t *stopped_us, char *why, size_t len)
{
	struct collector *c = l->col;
	pid_t pid = l->at->pid;
	struct ring_source *src = c->nsources > 0 ? c->sources[0] : NULL;
	struct leak_check_opts opts = { .heuristics = LEAK_HEURISTICS_ALL,
	    .shim_path = l->at->shim, .partial = true };
	struct leak_layout layout;
	struct tracer_hold h;
	struct leak_stack *stacks;
	struct leak_range own;
	uint64_t t0;

	if (src == NULL) {
		snprintf(why, len, "process %d is no longer attached", (int)pid);
		return false;
	}
	source_ring_drain(src, 0);
	if (!source_leaks_layout_read(&layout, pid, why, len))
		return false;
	t0 = clock_monotonic_ns() / 1000;
	if (!tracer_hold(&h, pid, 0, why, len)) {
		snprintf(why, len, "process %d could not be stopped", (int)pid);
		source_leaks_layout_free(&layout);
		return false;
	}
	if (!source_leaks_layout_recheck(&layout, pid, h.tids[0], why, len)) {
		tracer_release(&h);
		return false;
	}
	opts.unseen_threads = h.nunseen;
	source_ring_drain(src, 0);
	own.start = atomic_load(&src->ring.hdr->private_start);
	own.end = own.start + atomic_load(&src->ring.hdr->private_len);
	stacks = held_stacks(&h);
	source_leaks_scan_layout(src->proc, &(struct leak_target){ .pid = pid,
	    .tid = h.tids[0], .stacks = stacks, .nstacks = h.nstacks,
	    .regs = h.regs, .nregs = h.nregs }, &opts, &own, 1,
	    &layout.snapshot);
	free(stacks);
	tracer_release(&h);
	source_leaks_layout_free(&layout);
	*stopped_us = clock_monotonic_ns() / 1000 - t0;
	return true;
}

/* Write all of p to fd (a client that went away is its own business). */
static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

bool
attach_leaks_line(struct attach_leaks *l, char *out, size_t len)
{
	char why[512], a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], d[FMT_SIZE_LEN];
	const struct leak_report *r;
	uint64_t stopped = 0;

	if (!check(l, &stopped, why, sizeof(why))) {
		snprintf(out, len, "leak check: %s", why);
		return false;
	}
	r = l->col->sources[0]->proc->leaks;
	snprintf(out, len, "leak check: %s bytes in %s blocks definitely lost, "
	    "%s indirectly; stopped %.1f ms", fmt_count(a,
	    r->kinds[LEAK_DEFINITELY].bytes), fmt_count(b,
	    r->kinds[LEAK_DEFINITELY].blocks), fmt_count(d,
	    r->kinds[LEAK_INDIRECTLY].bytes), (double)stopped / 1000);
	return true;
}

/* The report of a check made, stopped_us its stop, into f. */
static void
write_report(FILE *f, struct attach_leaks *l, uint64_t stopped_us)
{
	struct collector *c = l->col;
	struct process *p = c->sources[0]->proc;
	int pid = (int)l->at->pid;
	struct view_run_opts o = { .leak_check = VIEW_LEAKS_FULL };
	size_t unseen = p->leaks != NULL ? p->leaks->unseen_threads : 0;

	symbolize_session_leaks(symbolize_session_symbolizer(&c->session),
	    &c->session);
	fprintf(f, "==%d== memscope: the blocks allocated since memscope "
	    "attached, %.1f s ago; the process was stopped for %.1f ms\n",
	    pid, (double)(collector_now_ms() - c->start_ms) / 1000,
	    (double)stopped_us / 1000);
	if (unseen > 0)
		fprintf(f, "==%d== memscope: %zu thread%s could not be stopped "
		    "(traced by another process?) and ran on, %s registers "
		    "unread: no block is called definitely or indirectly lost, "
		    "as %s could reach any\n", pid, unseen,
		    unseen == 1 ? "" : "s", unseen == 1 ? "its" : "their",
		    unseen == 1 ? "it" : "they");
	view_text_leaks(f, pid, &c->session, p, &o);
}

void
attach_leaks_serve(struct attach_leaks *l)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char why[512], *text = NULL;
	size_t tlen = 0;
	uint64_t stopped = 0;
	FILE *f;
	int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd == -1)
		return;
	/* the report shows the process's memory: only to its tracer's user */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		snprintf(why, sizeof(why), "memscope: not permitted: the memscope "
		    "attached to process %d runs as uid %u\n", (int)l->at->pid,
		    (unsigned)geteuid());
		send_all(fd, why, strlen(why));
		close(fd);
		return;
	}
	if ((f = open_memstream(&text, &tlen)) == NULL) {
		close(fd);
		return;
	}
	/* a failure is one line starting "memscope: ", which the client
	 * tells from a report */
	if (!check(l, &stopped, why, sizeof(why)))
		fprintf(f, "memscope: %s\n", why);
	else
		write_report(f, l, stopped);
	fclose(f);
	send_all(fd, text, tlen);
	free(text);
	close(fd);
}

/* SPDX-License-Identifier: ISC */
/* Collecting what the shims send (see collect.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "collect.h"
#include "log.h"
#include "proc.h"
#include "proc-stat.h"
#include "trace-run.h"
#include "xmalloc.h"

/* How often the live heap joins the growth series. */
#define TICK_MS		100

/*
 * A busy program pauses between bursts for microseconds: wait that long
 * for more before saying we sleep, which would cost every producer a
 * wake-up system call (the shim's fast path has none).
 */
#define SPIN_BEFORE_SLEEP_US	200
/* Fewer records than this in a round: wait a moment for a batch. */
#define BATCH_MIN		512
#define BATCH_WAIT_NS		20000

/* The ring's records go into the trace as the model took them. */
static void
trace_record(void *ctx, const struct ring_source *src, const void *rec,
    uint32_t len)
{
	struct collector *c = ctx;

	/* (closed: a source read after the trace's end) */
	if (c->trace != NULL)
		tracefile_write_record(c->trace, src->stream, rec, len);
}

long
collector_now_ms(void)
{
	return (long)(clock_monotonic_ns() / 1000000);
}

static void
free_argv(char **argv)
{
	if (argv == NULL)
		return;
	for (char **a = argv; *a != NULL; a++)
		free(*a);
	free(argv);
}

/* The command line of a process, as /proc shows it: a NULL-terminated argv. */
static char **
read_argv(pid_t pid)
{
	struct proc proc;
	struct buf b = { 0 };
	char **argv = NULL;
	size_t n = 0, cap = 0;

	if (proc_open(&proc, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&proc, "cmdline", &b) == PROC_OK && b.len > 0) {
		for (size_t off = 0; off < b.len; off += strlen(b.data + off) + 1) {
			argv = xgrow(argv, &cap, n + 2, sizeof(*argv));
			argv[n++] = xstrdup(b.data + off);
		}
		argv[n] = NULL;
	}
	buf_free(&b);
	proc_close(&proc);
	return argv;
}

void
collector_watch(struct collector *c, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		fatal("epoll_ctl");
}

/* Shims said hello: new processes (or new images of them after exec). */
void
collector_accept(struct collector *c)
{
	for (;;) {
		struct control_peer peer;
		struct ring_source *src;
		struct process *p;
		char why[256], **argv;
		enum control_result res = control_accept(&c->control, &peer,
		    why, sizeof(why));

		if (res == CONTROL_NONE)
			return;
		if (res == CONTROL_INVALID) {
			if (why[0] != '\0' && c->protocol_error[0] == '\0') {
				snprintf(c->protocol_error, sizeof(c->protocol_error),
				    "%s", why);
				log_warnx("%s", why);
			}
			continue;
		}
		/* an image replaced by exec: its successor says hello */
		for (size_t i = c->nsources; i-- > 0;)
			if (c->sources[i]->proc->pid == peer.hello->pid) {
				collector_close_source(c, i, false);
				break;
			}
		for (size_t i = c->session.nprocs; i-- > 0;)
			if (c->session.procs[i]->pid == peer.hello->pid &&
			    !c->session.procs[i]->exited) {
				model_process_replaced(c->session.procs[i]);
				break;
			}
		/* --no-follow: only the first process is tracked */
		if (!c->follow && c->accepted > 0) {
			control_reply(&c->control, &peer, false);
			continue;
		}
		/* the shim waits for our reply: its command line is still there */
		argv = read_argv(peer.hello->pid);
		if (!control_reply(&c->control, &peer, true)) {
			free_argv(argv);
			continue;
		}
		p = model_session_add(&c->session, peer.hello->pid);
		p->argv = argv;
		p->ppid = peer.hello->ppid;
		p->exe = xstrdup(peer.hello->exe);
		p->forked = (peer.hello->flags & MS_HELLO_FORKED) != 0;
		p->heap.inherits = p->forked;
		p->heap.attached = (peer.hello->flags & MS_HELLO_ATTACHED) != 0;
		if (p->forked) {
			p->fork_token = peer.hello->fork_token;
			model_session_adopt(&c->session, p);
		}
		src = xcalloc(1, sizeof(*src));
		if (!source_ring_open(src, peer.memfd, peer.hello->ring_size, p,
		    &c->session)) {
			log_warn("cannot map the ring of process %d", (int)p->pid);
			close(peer.memfd);
			free(peer.hello);
			free(src);
			continue;
		}
		close(peer.memfd);
		free(peer.hello);
		/* without pidfds (Linux < 5.3), collector_turn looks now and then */
		src->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
		src->stream = (uint32_t)(c->session.nprocs - 1);
		if (c->trace != NULL) {
			src->on_record = trace_record;
			src->record_ctx = c;
			trace_process_write(c->trace, src->stream, p);
		}
		c->accepted++;
		c->sources = xgrow(c->sources, &c->cap, c->nsources + 1,
		    sizeof(*c->sources));
		c->sources[c->nsources++] = src;
		if (src->pidfd != -1)
			collector_watch(c, src->pidfd, src);
	}
}

/* Has process pid ended (gone, or a zombie)? */
static bool
process_gone(pid_t pid)
{
	struct proc proc;
	struct buf b = { 0 };
	struct proc_stat st;
	bool gone = true;

	if (proc_open(&proc, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&proc, "stat", &b) == PROC_OK &&
	    proc_stat_parse(b.data, b.len, &st) == 0)
		gone = st.state == 'Z' || st.state == 'X';
	buf_free(&b);
	proc_close(&proc);
	return gone;
}

/* The exit status of a process that is not our child, if still a zombie. */
static void
peek_exit_status(struct process *p)
{
	struct proc proc;
	struct buf b = { 0 };
	struct proc_stat st;

	if (proc_open(&proc, PROC_ROOT, p->pid) != PROC_OK) {
		proc_close(&proc);
		return;
	}
	if (proc_read(&proc, "stat", &b) == PROC_OK &&
	    proc_stat_parse(b.data, b.len, &st) == 0 && st.state == 'Z') {
		model_process_exited(p, st.exit_code);
	}
	buf_free(&b);
	proc_close(&proc);
}

/*
 * A process at its end, its shim waiting: the command's leak check, then
 * the shim goes on.
 */
static void
settle_end(struct collector *c, struct ring_source *src)
{
	if (!src->proc->end_held)
		return;
	if (c->on_end != NULL)
		c->on_end(c->end_ctx, src);
	source_ring_release_end(src);
}

/*
 * Its process exited or exec'd; or the run is over and it still runs
 * (still_running). Read the rest.
 */
void
collector_close_source(struct collector *c, size_t i, bool still_running)
{
	struct ring_source *src = c->sources[i];

	if (src->pidfd != -1)
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, src->pidfd, NULL);
	source_ring_drain(src, 0);
	settle_end(c, src);
	collector_tick(c, src, collector_now_ms(), true);
	src->proc->still_running = still_running && !src->proc->exited;
	if (src->corrupt)
		log_warnx("the ring of process %d held a record that made no sense "
		    "after %llu events: its figures stop there", (int)src->proc->pid,
		    (unsigned long long)src->proc->heap.sum.events);
	if (src->proc->pid != c->main_pid && !src->proc->replaced &&
	    !src->proc->exited)
		peek_exit_status(src->proc);
	source_ring_close(src);
	free(src);
	c->sources[i] = c->sources[--c->nsources];
}

/* The growth series: the live heap of src's process, now. */
void
collector_tick(struct collector *c, struct ring_source *src, long now, bool end)
{
	uint64_t ms = (uint64_t)(now - c->start_ms);

	model_heap_tick(&src->proc->heap, ms, end);
	if (c->trace != NULL)
		trace_tick_write(c->trace, src->stream, ms, end);
}

static bool
spin_for_records(struct collector *c)
{
	uint64_t t0 = clock_monotonic_ns();

	for (;;) {
		for (int k = 0; k < 64; k++) {
			for (size_t i = 0; i < c->nsources; i++)
				if (source_ring_ready(c->sources[i]))
					return true;
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
		}
		if (clock_monotonic_ns() - t0 >= SPIN_BEFORE_SLEEP_US * 1000ull)
			return false;
	}
}

void
collector_trace_run(struct collector *c, pid_t pid, const char *path,
    char *const argv[])
{
	if (c->trace != NULL)
		trace_run_write(c->trace, pid, path, argv, c->session.ns_per_tick);
}

void
collector_trace_attached(struct collector *c, pid_t pid)
{
	char exe[PATH_MAX], **argv = read_argv(pid);
	struct proc proc;

	/* a process gone, or its link unreadable: no path */
	exe[0] = '\0';
	if (proc_open(&proc, PROC_ROOT, pid) == PROC_OK)
		proc_readlink(&proc, "exe", exe, sizeof(exe));
	proc_close(&proc);
	collector_trace_run(c, pid, exe, argv);
	free_argv(argv);
}

bool
collector_trace_finish(struct collector *c, const char *trace_path)
{
	trace_run_end_write(c->trace, &c->session);
	if (!tracefile_close(c->trace)) {
		log_warn("writing the trace %s", trace_path);
		c->trace = NULL;
		return false;
	}
	c->trace = NULL;
	return true;
}

void
collector_open(struct collector *c, bool follow)
{
	memset(c, 0, sizeof(*c));
	c->follow = follow;
	c->epfd = -1;
	model_session_init(&c->session);
	if (!control_open(&c->control))
		fatal("cannot make the socket for the shim");
	if ((c->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	collector_watch(c, c->control.listen_fd, COLLECT_TAG_LISTEN);
	collector_watch(c, c->control.wake_fd, COLLECT_TAG_WAKE);
	c->start_ms = collector_now_ms();
}

void
collector_close(struct collector *c)
{
	while (c->nsources > 0)
		collector_close_source(c, c->nsources - 1, true);
	control_close(&c->control);
	if (c->epfd != -1)
		close(c->epfd);
	c->epfd = -1;
	free(c->sources);
	c->sources = NULL;
}

/*
 * The consumer loop's turn: read every ring while there is anything to
 * read, else tell the shims it sleeps and wait for a wake-up, a new shim,
 * a closed one or the command's own business.
 */
void
collector_turn(struct collector *c, void (*on_tag)(void *ctx, void *tag),
    void *ctx)
{
	struct epoll_event evs[32];
	size_t n = 0;
	bool may_sleep = true;
	int nev, timeout;

	for (size_t i = 0; i < c->nsources; i++) {
		n += source_ring_drain(c->sources[i], 4096);
		settle_end(c, c->sources[i]);
	}
	if (collector_now_ms() >= c->next_tick_ms) {
		long now = collector_now_ms();

		for (size_t i = 0; i < c->nsources; i++)
			collector_tick(c, c->sources[i], now, false);
		c->next_tick_ms = now + TICK_MS;
		for (size_t i = c->nsources; i-- > 0;)
			if (c->sources[i]->pidfd == -1 &&
			    process_gone(c->sources[i]->proc->pid))
				collector_close_source(c, i, false);
	}
	if (n > 0 && n < BATCH_MIN) {
		/*
		 * Reading right behind a busy producer pulls every cache line
		 * it writes back and forth between the two cores: let a batch
		 * build up first.
		 */
		struct timespec ts = { 0, BATCH_WAIT_NS };

		nanosleep(&ts, NULL);
		timeout = 0;
	} else if (n > 0 || (c->nsources > 0 && spin_for_records(c))) {
		timeout = 0;
	} else {
		for (size_t i = 0; i < c->nsources && may_sleep; i++)
			may_sleep = source_ring_may_sleep(c->sources[i]);
		/* a wake-up can be lost (see ring.h): never sleep long */
		timeout = !may_sleep ? 0 : c->nsources > 0 ? MS_RING_MAX_SLEEP_MS : 100;
	}
	nev = epoll_wait(c->epfd, evs, 32, timeout);
	for (size_t i = 0; i < c->nsources; i++)
		source_ring_awake(c->sources[i]);
	for (int k = 0; k < nev; k++) {
		void *tag = evs[k].data.ptr;
		uint64_t v;
		bool source = false;

		if (tag == COLLECT_TAG_LISTEN) {
			collector_accept(c);
			continue;
		}
		if (tag == COLLECT_TAG_WAKE) {
			while (read(c->control.wake_fd, &v, sizeof(v)) > 0)
				;
			continue;
		}
		/* a source's pidfd: its process is gone */
		for (size_t i = 0; i < c->nsources; i++) {
			if (c->sources[i] != tag)
				continue;
			source = true;
			collector_close_source(c, i, false);
			break;
		}
		if (!source && on_tag != NULL)
			on_tag(ctx, tag);
	}
}

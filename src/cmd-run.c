/* memscope run PROGRAM: every allocation of a program, reported at its end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "cmd-leaks.h"
#include "cmd-profile.h"
#include "cmd-top.h"
#include "cmd-views.h"
#include "control.h"
#include "launch.h"
#include "model.h"
#include "leak-scan.h"
#include "model-leaks.h"
#include "proc.h"
#include "proc-stat.h"
#include "run-tui.h"
#include "source-leaks.h"
#include "source-ring.h"
#include "trace-layout.h"
#include "trace-leaks.h"
#include "tracefile.h"
#include "tracer.h"
#include "view-json.h"
#include "view-run.h"
#include "view-text.h"
#include "xmalloc.h"

static int run_exec(const struct cmd *, int, char **);

const struct cmd cmd_run = {
	.name = "run",
	.args = "[OPTIONS] [--] PROGRAM [ARGS...]",
	.summary = "Run a program and report every allocation it made.",
	.help =
	    "Starts PROGRAM with memscope's shim preloaded, follows the processes it\n"
	    "forks and execs, and when it ends prints on stderr how it ended, its\n"
	    "allocation counts, peak and live memory, and the sites that allocated\n"
	    "most. The program's input, output and exit status are its own; memscope\n"
	    "exits with the program's status (128+N if signal N killed it).\n\n"
	    "Options:\n"
	    "  --json FILE          also write the report as JSON (memscope-json(5))\n"
	    "  -o FILE              record the run as a trace (memscope report FILE)\n"
	    "  --depth N            frames kept per stack, 1 to 256 (default 64)\n"
	    "  --no-stacks          capture no stacks (faster; one site)\n"
	    "  --no-heap-stats      measure only the calls: no usable sizes\n"
	    "                       (the bins' waste), allocator figures or\n"
	    "                       lifetimes\n"
	    "  --no-follow          track only the first process\n"
	    "  --ring-size BYTES    ring per process, a power of two from 16K\n"
	    "                       to 1024M (K and M suffixes; default 8M)\n"
	    CMD_VIEW_HELP
	    CMD_LEAK_HELP
	    CMD_PROFILE_HELP
	    "  --error-exitcode N   exit N if any block is definitely or\n"
	    "                       indirectly lost\n"
	    "  --log-file FILE      write the report to FILE, not stderr\n"
	    "  --tui                a live dashboard while it runs (as memscope\n"
	    "                       top, with the heap); its terminal output is\n"
	    "                       held until the dashboard closes (q)\n"
	    "  -d, --delay SECONDS  between the dashboard's refreshes (default 1)\n"
	    "  -h, --help           this help\n",
	.exec = run_exec,
};

enum {
	OPT_JSON = 256,
	OPT_DEPTH,
	OPT_NO_STACKS,
	OPT_NO_HEAP_STATS,
	OPT_NO_FOLLOW,
	OPT_RING_SIZE,
	OPT_ERROR_EXITCODE,
	OPT_LOG_FILE,
	OPT_TUI,
};

static const struct option run_options[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
	{ "no-heap-stats", no_argument, NULL, OPT_NO_HEAP_STATS },
	{ "no-follow", no_argument, NULL, OPT_NO_FOLLOW },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	CMD_VIEW_OPTIONS,
	CMD_LEAK_OPTIONS,
	CMD_PROFILE_OPTIONS,
	{ "error-exitcode", required_argument, NULL, OPT_ERROR_EXITCODE },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "tui", no_argument, NULL, OPT_TUI },
	{ "delay", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* How long processes other than the first may outlive it. */
#define GRACE_MS	1000
/* How often the live heap joins the growth series. */
#define TICK_MS		100

/* epoll tags that are not ring sources */
#define TAG_LISTEN	((void *)1)
#define TAG_WAKE	((void *)2)
#define TAG_SIGNAL	((void *)3)
#define TAG_DASHBOARD	((void *)4)

struct run {
	struct session	 session;
	struct control	 control;
	struct ring_source **sources;
	size_t		 nsources;
	size_t		 cap;
	int		 epfd;
	int		 sigfd;
	pid_t		 main_pid;
	bool		 main_exited;
	int		 main_status;
	bool		 follow;
	size_t		 accepted;
	char		 protocol_error[256];
	struct tracefile *trace;	/* -o, or NULL */
	long		 start_ms;	/* the growth series' clock starts here */
	long		 next_tick_ms;
	bool		 traced;	/* held with ptrace for the leak check */
	struct tracer	 tracer;
	struct leak_check_opts leak_opts;
	struct run_tui	*dash;		/* --tui, or NULL */
};

static void trace_process(struct tracefile *, uint32_t, const struct process *);
static long now_ms(void);
static void tick(struct run *, struct ring_source *, long, bool);

/* "8M", "16384", "64K" → bytes; a power of two the ring accepts. */
static uint64_t
parse_ring_size(const struct cmd *self, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == 0 && end != s && (*end == 'K' || *end == 'k') && end[1] == '\0')
		v <<= 10;
	else if (errno == 0 && end != s && (*end == 'M' || *end == 'm') && end[1] == '\0')
		v <<= 20;
	else if (errno != 0 || end == s || *end != '\0')
		v = 0;
	if (!ms_ring_capacity_ok(v))
		cmd_usage_error(self, "--ring-size must be a power of two from 16K "
		    "to 1024M, not '%s'", s);
	return v;
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

	if (proc_open(&proc, "/proc", pid) == PROC_OK &&
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

static void
watch(struct run *r, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		fatal("epoll_ctl");
}

/* A shim said hello: a new process (or a new image of one after exec). */
static void
accept_shims(struct run *r)
{
	for (;;) {
		struct control_peer peer;
		struct ring_source *src;
		struct process *p;
		char why[256], **argv;
		enum control_result res = control_accept(&r->control, &peer,
		    why, sizeof(why));

		if (res == CONTROL_NONE)
			return;
		if (res == CONTROL_INVALID) {
			if (why[0] != '\0' && r->protocol_error[0] == '\0') {
				snprintf(r->protocol_error, sizeof(r->protocol_error),
				    "%s", why);
				log_warnx("%s", why);
			}
			continue;
		}
		/* an image replaced by exec says goodbye before its successor */
		for (size_t i = r->session.nprocs; i-- > 0;)
			if (r->session.procs[i]->pid == peer.hello->pid &&
			    !r->session.procs[i]->exited) {
				model_process_replaced(r->session.procs[i]);
				break;
			}
		/* --no-follow: only the first process is tracked */
		if (!r->follow && r->accepted > 0) {
			control_reply(&r->control, &peer, false);
			continue;
		}
		/* the shim waits for our reply: its command line is still there */
		argv = read_argv(peer.hello->pid);
		if (!control_reply(&r->control, &peer, true)) {
			free_argv(argv);
			continue;
		}
		p = model_session_add(&r->session, peer.hello->pid);
		p->argv = argv;
		p->ppid = peer.hello->ppid;
		p->exe = xstrdup(peer.hello->exe);
		p->forked = (peer.hello->flags & MS_HELLO_FORKED) != 0;
		p->heap.inherits = p->forked;
		if (p->forked) {
			p->fork_token = peer.hello->fork_token;
			model_session_adopt(&r->session, p);
		}
		src = xcalloc(1, sizeof(*src));
		if (!source_ring_open(src, peer.memfd, peer.hello->ring_size, p,
		    &r->session)) {
			log_warn("cannot map the ring of process %d", (int)p->pid);
			close(peer.sock);
			close(peer.memfd);
			free(peer.hello);
			free(src);
			continue;
		}
		close(peer.memfd);
		free(peer.hello);
		src->sock = peer.sock;
		if (r->trace != NULL) {
			src->trace = r->trace;
			src->stream = (uint32_t)(r->session.nprocs - 1);
			trace_process(r->trace, src->stream, p);
		}
		r->accepted++;
		r->sources = xgrow(r->sources, &r->cap, r->nsources + 1,
		    sizeof(*r->sources));
		r->sources[r->nsources++] = src;
		watch(r, src->sock, src);
	}
}

/* The exit status of a process that is not our child, if still a zombie. */
static void
peek_exit_status(struct process *p)
{
	struct proc proc;
	struct buf b = { 0 };
	struct proc_stat st;

	if (proc_open(&proc, "/proc", p->pid) != PROC_OK) {
		proc_close(&proc);
		return;
	}
	if (proc_read(&proc, "stat", &b) == PROC_OK &&
	    proc_stat_parse(b.data, b.len, &st) == 0 && st.state == 'Z') {
		p->exited = true;
		p->exit_code = WIFEXITED(st.exit_code) ? WEXITSTATUS(st.exit_code) : 0;
		p->exit_signal = WIFSIGNALED(st.exit_code) ? WTERMSIG(st.exit_code) : 0;
	}
	buf_free(&b);
	proc_close(&proc);
}

/*
 * The shim's socket closed: its process exited or exec'd; or the run is
 * over and it still runs (still_running). Read the rest.
 */
static void
close_source(struct run *r, size_t i, bool still_running)
{
	struct ring_source *src = r->sources[i];

	epoll_ctl(r->epfd, EPOLL_CTL_DEL, src->sock, NULL);
	source_ring_drain(src, 0);
	tick(r, src, now_ms(), true);
	src->proc->still_running = still_running && !src->proc->exited;
	if (src->corrupt)
		log_warnx("the ring of process %d held a record that made no sense "
		    "after %llu events: its figures stop there", (int)src->proc->pid,
		    (unsigned long long)src->proc->heap.sum.events);
	if (src->proc->pid != r->main_pid && !src->proc->replaced &&
	    !src->proc->exited)
		peek_exit_status(src->proc);
	source_ring_close(src);
	free(src);
	r->sources[i] = r->sources[--r->nsources];
}

/* A traced process other than the first ended: its status is known here. */
static void
note_exit(struct run *r, pid_t pid, int status)
{
	for (size_t i = r->session.nprocs; i-- > 0;) {
		struct process *p = r->session.procs[i];

		if (p->pid != pid || p->replaced)
			continue;
		p->exited = true;
		p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
		p->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		return;
	}
}

/* The growth series: the live heap of src's process, now. */
static void
tick(struct run *r, struct ring_source *src, long now, bool end)
{
	struct trace_tick tk = { .stream = src->stream, .end = end,
	    .ms = (uint64_t)(now - r->start_ms) };

	model_heap_tick(&src->proc->heap, tk.ms, end);
	if (r->trace != NULL)
		tracefile_write(r->trace, TRACE_TICK, &tk, sizeof(tk), NULL, 0);
}

/*
 * The tracer holds a process at its end: read the rest of its ring, then
 * scan it. Processes that never said hello (not followed) are let go.
 */
static void
process_end(void *ctx, const struct tracer_end *end)
{
	struct run *r = ctx;
	char why[512];

	for (size_t i = 0; i < r->nsources; i++) {
		struct ring_source *src = r->sources[i];

		if (src->proc->pid != end->pid || src->proc->replaced)
			continue;
		struct leak_range shim_own = {
			atomic_load(&src->ring.hdr->private_start), 0 };

		shim_own.end = shim_own.start + atomic_load(&src->ring.hdr->private_len);
		source_ring_drain(src, 0);
		tick(r, src, now_ms(), true);
		if (!source_leaks_scan(src->proc, end, &r->leak_opts, &shim_own, 1,
		    why, sizeof(why)))
			log_warnx("%s", why);
		else if (r->trace != NULL) {
			trace_leaks_write(r->trace, src->stream, src->proc->leaks);
			trace_layout_write(r->trace, src->stream, src->proc);
		}
		return;
	}
}

static void
reap(struct run *r)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	while ((pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0) {
		/* a stop of a traced thread, handled and resumed there */
		if (r->traced && !tracer_event(&r->tracer, pid, status))
			continue;
		if (pid == r->main_pid) {
			r->main_exited = true;
			r->main_status = status;
		} else
			note_exit(r, pid, status);
	}
}

/* Record the first process's end on its last image. */
static void
settle_main(struct run *r)
{
	for (size_t i = r->session.nprocs; i-- > 0;) {
		struct process *p = r->session.procs[i];

		if (p->pid != r->main_pid || p->replaced)
			continue;
		p->exited = true;
		p->exit_code = WIFEXITED(r->main_status) ? WEXITSTATUS(r->main_status) : 0;
		p->exit_signal = WIFSIGNALED(r->main_status) ? WTERMSIG(r->main_status) : 0;
		return;
	}
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * A busy program pauses between bursts for microseconds: wait that long
 * for more before saying we sleep, which would cost every producer a
 * wake-up system call (the shim's fast path has none).
 */
#define SPIN_BEFORE_SLEEP_US	200
/* Fewer records than this in a round: wait a moment for a batch. */
#define BATCH_MIN		512
#define BATCH_WAIT_NS		20000

static bool
spin_for_records(struct run *r)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (int k = 0; k < 64; k++) {
			for (size_t i = 0; i < r->nsources; i++)
				if (source_ring_ready(r->sources[i]))
					return true;
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000L +
		    (t.tv_nsec - t0.tv_nsec) / 1000 >= SPIN_BEFORE_SLEEP_US)
			return false;
	}
}

/*
 * The consumer loop: read every ring while there is anything to read,
 * else tell the shims it sleeps and wait for a wake-up, a new shim, a
 * closed one or the child's end.
 */
static void
consume(struct run *r)
{
	struct epoll_event evs[32];
	long deadline = -1;

	for (;;) {
		size_t n = 0;
		bool may_sleep = true;
		int nev, timeout;

		for (size_t i = 0; i < r->nsources; i++)
			n += source_ring_drain(r->sources[i], 4096);
		if (r->dash != NULL)
			run_tui_turn(r->dash, &r->session, NULL);
		if (now_ms() >= r->next_tick_ms) {
			long now = now_ms();

			for (size_t i = 0; i < r->nsources; i++)
				tick(r, r->sources[i], now, false);
			r->next_tick_ms = now + TICK_MS;
		}
		if (r->main_exited && deadline < 0)
			deadline = now_ms() + GRACE_MS;
		if (r->main_exited && (r->nsources == 0 || now_ms() >= deadline))
			return;
		if (n > 0 && n < BATCH_MIN) {
			/*
			 * Reading right behind a busy producer pulls every cache
			 * line it writes back and forth between the two cores:
			 * let a batch build up first.
			 */
			struct timespec ts = { 0, BATCH_WAIT_NS };

			nanosleep(&ts, NULL);
			timeout = 0;
		} else if (n > 0 || (r->nsources > 0 && spin_for_records(r))) {
			timeout = 0;
		} else {
			for (size_t i = 0; i < r->nsources && may_sleep; i++)
				may_sleep = source_ring_may_sleep(r->sources[i]);
			/* a wake-up can be lost (see ring.h): never sleep long */
			timeout = !may_sleep ? 0 : r->nsources > 0 ?
			    MS_RING_MAX_SLEEP_MS : 100;
		}
		nev = epoll_wait(r->epfd, evs, 32, timeout);
		for (size_t i = 0; i < r->nsources; i++)
			source_ring_awake(r->sources[i]);
		for (int k = 0; k < nev; k++) {
			void *tag = evs[k].data.ptr;
			uint64_t v;

			if (tag == TAG_LISTEN)
				accept_shims(r);
			else if (tag == TAG_WAKE)
				while (read(r->control.wake_fd, &v, sizeof(v)) > 0)
					;
			else if (tag == TAG_SIGNAL)
				reap(r);
			else if (tag == TAG_DASHBOARD)
				;	/* the next turn's run_tui_turn reads it */
			else {
				char c;

				for (size_t i = 0; i < r->nsources; i++) {
					ssize_t got;

					if (r->sources[i] != tag)
						continue;
					/* a shim sends nothing after its hello */
					got = recv(r->sources[i]->sock, &c, 1, MSG_DONTWAIT);
					if (got == 0 || (got < 0 && errno != EAGAIN &&
					    errno != EINTR))
						close_source(r, i, false);
					break;
				}
			}
		}
	}
}

/* prefix, then each of argv with its NUL, in one new buffer; *argc counts. */
static char *
pack_strings(const char *prefix, char *const argv[], size_t *len, uint32_t *argc)
{
	size_t plen = strlen(prefix), n = plen;
	char *blob;

	*argc = 0;
	for (char *const *a = argv; a != NULL && *a != NULL; a++, (*argc)++)
		n += strlen(*a) + 1;
	blob = xmalloc(n ? n : 1);
	memcpy(blob, prefix, plen);
	*len = plen;
	for (char *const *a = argv; a != NULL && *a != NULL; a++) {
		memcpy(blob + *len, *a, strlen(*a) + 1);
		*len += strlen(*a) + 1;
	}
	return blob;
}

static void
trace_run(struct tracefile *t, pid_t pid, const char *path, char *const argv[],
    double ns_per_tick)
{
	struct trace_run run = { .main_pid = pid, .protocol = MS_PROTOCOL_VERSION,
	    .path_len = (uint32_t)strlen(path), .ns_per_tick = ns_per_tick };
	size_t len;
	char *blob = pack_strings(path, argv, &len, &run.argc);

	tracefile_write(t, TRACE_RUN, &run, sizeof(run), blob, len);
	free(blob);
}

static void
trace_process(struct tracefile *t, uint32_t stream, const struct process *p)
{
	struct trace_process tp = { .stream = stream, .pid = p->pid,
	    .ppid = p->ppid, .forked = p->forked, .fork_token = p->fork_token,
	    .exe_len = (uint32_t)strlen(p->exe) };
	size_t len;
	char *blob = pack_strings(p->exe, p->argv, &len, &tp.argc);

	tracefile_write(t, TRACE_PROCESS, &tp, sizeof(tp), blob, len);
	free(blob);
}

/* How each process and the run ended; then close. False: it failed. */
static bool
trace_finish(struct run *r, const char *trace_path)
{
	struct trace_run_end re = { .exited = r->main_exited,
	    .status = r->main_status };

	for (size_t i = 0; i < r->session.nprocs; i++) {
		const struct process *p = r->session.procs[i];
		struct trace_process_end pe = { .stream = (uint32_t)i,
		    .replaced = p->replaced, .exited = p->exited,
		    .exit_code = p->exit_code, .exit_signal = p->exit_signal,
		    .ring_waits = p->heap.sum.ring_waits };

		tracefile_write(r->trace, TRACE_PROCESS_END, &pe, sizeof(pe), NULL, 0);
	}
	tracefile_write(r->trace, TRACE_RUN_END, &re, sizeof(re), NULL, 0);
	if (!tracefile_close(r->trace)) {
		log_warn("writing the trace %s", trace_path);
		r->trace = NULL;
		return false;
	}
	r->trace = NULL;
	return true;
}

/* Did any process lose a block (definitely or indirectly)? */
static bool
lost_any(const struct session *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct leak_report *l = s->procs[i]->leaks;

		if (l != NULL && (l->kinds[LEAK_DEFINITELY].blocks > 0 ||
		    l->kinds[LEAK_INDIRECTLY].blocks > 0))
			return true;
	}
	return false;
}

static int
exit_status_of(const struct run *r)
{
	if (!r->main_exited)
		return EXIT_RUNTIME;
	if (WIFSIGNALED(r->main_status))
		return 128 + WTERMSIG(r->main_status);
	return WEXITSTATUS(r->main_status);
}

/*
 * A fatal error must not leave the socket's directory behind, nor the
 * terminal in the dashboard's modes.
 */
static struct control *run_control;
static struct run_tui *run_dash;

static void
remove_socket(void)
{
	if (run_control != NULL)
		control_close(run_control);
	if (run_dash != NULL)
		run_tui_close(run_dash);
	run_dash = NULL;
}

/* How the program ended, for the dashboard's last screen. */
static void
describe_main_end(const struct run *r, char *buf, size_t len)
{
	if (!r->main_exited)
		snprintf(buf, len, "the program's end is unknown");
	else if (WIFSIGNALED(r->main_status))
		snprintf(buf, len, "the program was killed by signal %d (%s)",
		    WTERMSIG(r->main_status), strsignal(WTERMSIG(r->main_status)));
	else
		snprintf(buf, len, "the program exited with status %d",
		    WEXITSTATUS(r->main_status));
}

static int
run_exec(const struct cmd *self, int argc, char **argv)
{
	struct view_run_opts vopts = { .sites = 10, .sort = -1,
	    .leak_check = VIEW_LEAKS_FULL };
	const char *json_path = NULL, *trace_path = NULL, *log_path = NULL;
	char path[PATH_MAX], why[PATH_MAX + 128], options[160];
	int depth = 64, opt, status, status_override = 0, error_exitcode = 0;
	int hold = -1;
	bool stats = true, tui = false;
	double delay = 1;
	uint64_t ring = 8u << 20;
	struct run r = { .follow = true, .epfd = -1, .sigfd = -1 };
	FILE *json = NULL, *log = stderr;
	struct leak_options lopts;
	struct profile_options popts = { 0 };
	sigset_t chld;

	leak_options_init(&lopts);
	optind = 1;
	opterr = 0;
	/* "+": options end at PROGRAM (its own are its own); ":": missing values */
	while ((opt = getopt_long(argc, argv, "+:ho:d:", run_options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			/* stdout is the program's: the report must not mix with it */
			if (strcmp(optarg, "-") == 0)
				cmd_usage_error(self, "--json needs a file: the "
				    "program's output is on stdout");
			json_path = optarg;
			break;
		case 'o':
			trace_path = optarg;
			break;
		case OPT_DEPTH:
			depth = (int)cmd_parse_number(self, "--depth", optarg, 1,
			    MS_MAX_DEPTH);
			break;
		case OPT_NO_STACKS:
			depth = 0;
			break;
		case OPT_NO_HEAP_STATS:
			stats = false;
			break;
		case OPT_NO_FOLLOW:
			r.follow = false;
			break;
		case OPT_RING_SIZE:
			ring = parse_ring_size(self, optarg);
			break;
		case OPT_ERROR_EXITCODE:
			error_exitcode = (int)cmd_parse_number(self,
			    "--error-exitcode", optarg, 1, 255);
			break;
		case OPT_LOG_FILE:
			log_path = optarg;
			break;
		case OPT_TUI:
			tui = true;
			break;
		case 'd':
			delay = top_parse_delay(self, optarg);
			break;
		case 'h':
			cmd_print_help(self, stdout);
			return cmd_finish_output();
		default:
			if (!report_option_parse(self, opt, optarg, &vopts, &lopts,
			    &popts))
				cmd_bad_option(self, opt, argv);
		}
	}
	if (optind >= argc)
		cmd_usage_error(self, "no PROGRAM given");
	if (!launch_check(argv[optind], path, sizeof(path), why, sizeof(why)))
		fatalx("%s", why);
	/* open the report file now: a bad path must not cost a whole run */
	if (json_path != NULL && (json = fopen(json_path, "w")) == NULL)
		fatal("%s", json_path);
	if (log_path != NULL && (log = fopen(log_path, "w")) == NULL)
		fatal("%s", log_path);
	profile_options_open(&popts);
	/*
	 * stderr is unbuffered: a long report would be a write per line. A
	 * buffered copy, close-on-exec: the program must not inherit it.
	 */
	if (log == stderr &&
	    (log = fdopen(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3), "w")) == NULL)
		log = stderr;
	if (trace_path != NULL && (r.trace = tracefile_create(trace_path)) == NULL)
		fatal("%s", trace_path);
	if (!control_open(&r.control))
		fatal("cannot make the socket for the shim");
	run_control = &r.control;
	log_set_cleanup(remove_socket);
	snprintf(options, sizeof(options),
	    "depth=%d,follow=%d,ring=%llu,leaks=%d,stats=%d", depth,
	    r.follow ? 1 : 0, (unsigned long long)ring,
	    vopts.leak_check != VIEW_LEAKS_NO, stats);

	model_session_init(&r.session);
	if (stats)
		r.session.ns_per_tick = clock_ns_per_tick();
	r.session.inherit_on_fork = vopts.leak_check != VIEW_LEAKS_NO;
	if ((r.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	launch_ignore_interrupts();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((r.sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	watch(&r, r.control.listen_fd, TAG_LISTEN);
	watch(&r, r.control.wake_fd, TAG_WAKE);
	watch(&r, r.sigfd, TAG_SIGNAL);

	if (tui) {
		int fds[2], n;

		r.dash = run_dash = run_tui_open(delay);
		n = run_tui_fds(r.dash, fds);
		for (int i = 0; i < n; i++)
			watch(&r, fds[i], TAG_DASHBOARD);
	}
	r.main_pid = launch_start(path, argv + optind, launch_shim_path(),
	    r.control.path, options, vopts.leak_check != VIEW_LEAKS_NO ? &hold : NULL,
	    r.dash != NULL ? run_tui_stdio(r.dash) : NULL);
	if (r.main_pid == -1)
		fatal("fork");
	if (r.dash != NULL)
		run_tui_started(r.dash, r.main_pid);
	r.start_ms = now_ms();
	if (hold != -1) {
		r.tracer.on_end = process_end;
		r.tracer.ctx = &r;
		r.leak_opts.heuristics = LEAK_HEURISTICS_ALL;
		r.leak_opts.shim_path = realpath(launch_shim_path(), NULL);
		r.traced = tracer_seize(&r.tracer, r.main_pid, r.follow);
		if (!r.traced)
			log_warn("no leak check: cannot trace the program");
		launch_release(hold);
	}
	if (r.trace != NULL)
		trace_run(r.trace, r.main_pid, path, argv + optind,
		    r.session.ns_per_tick);
	consume(&r);
	settle_main(&r);
	if (r.dash != NULL) {
		char ended[160];

		describe_main_end(&r, ended, sizeof(ended));
		run_tui_linger(r.dash, &r.session, ended);
		run_tui_close(r.dash);
		r.dash = run_dash = NULL;
	}
	while (r.nsources > 0)
		close_source(&r, r.nsources - 1, true);
	if (r.trace != NULL && !trace_finish(&r, trace_path))
		status_override = EXIT_RUNTIME;

	report_prepare(&r.session, &vopts, &lopts, &popts);
	vopts.main_pid = r.main_pid;
	vopts.main_argv = argv + optind;
	vopts.main_path = path;
	vopts.main_exited = r.main_exited;
	vopts.main_status = r.main_status;
	status = status_override != 0 ? status_override : exit_status_of(&r);
	if (error_exitcode != 0 && status_override == 0 && lost_any(&r.session))
		status = error_exitcode;
	if (json != NULL) {
		view_json_run(json, &r.session, &vopts);
		if (fflush(json) != 0 || ferror(json) || fclose(json) != 0) {
			log_warn("writing %s", json_path);
			status = EXIT_RUNTIME;
		}
	}
	if (!profile_options_write(&popts, &r.session, argv + optind))
		status = EXIT_RUNTIME;
	view_text_run(log, &r.session, &vopts);
	if (log != stderr && (fflush(log) != 0 || ferror(log) || fclose(log) != 0) &&
	    log_path != NULL) {
		log_warn("writing %s", log_path);
		status = EXIT_RUNTIME;
	}
	control_close(&r.control);
	log_set_cleanup(NULL);
	run_control = NULL;
	close(r.epfd);
	close(r.sigfd);
	free(r.sources);
	tracer_free(&r.tracer);
	leak_options_free(&lopts);
	free((char *)r.leak_opts.shim_path);
	model_session_free(&r.session);
	return status;
}

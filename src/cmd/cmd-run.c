/* SPDX-License-Identifier: ISC */
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
#include "leak-options.h"
#include "profile-options.h"
#include "report.h"
#include "collect.h"
#include "launch.h"
#include "model.h"
#include "leak-scan.h"
#include "model-leaks.h"
#include "proc.h"
#include "proc-stat.h"
#include "dashboard.h"
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
	OPT_NO_FOLLOW,
	OPT_ERROR_EXITCODE,
	OPT_LOG_FILE,
	OPT_TUI,
};

static const struct option run_options[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	CMD_SHIM_OPTIONS,
	{ "no-follow", no_argument, NULL, OPT_NO_FOLLOW },
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

/* epoll tags of run's own */
#define TAG_SIGNAL	((void *)COLLECT_TAG_FIRST_FREE)
#define TAG_DASHBOARD	((void *)(COLLECT_TAG_FIRST_FREE + 1))

struct run {
	struct collector col;
	int		 sigfd;
	/* the program's pid and end: the session's run */
	struct run_identity *main;
	bool		 leak_check;
	struct leak_check_opts leak_opts;
	struct dashboard	*dash;		/* --tui, or NULL */
	const char	*name;		/* the program, as given */
};

/* Process pid ended with status: on its last image. */
static void
note_exit(struct run *r, pid_t pid, int status)
{
	for (size_t i = r->col.session.nprocs; i-- > 0;) {
		struct process *p = r->col.session.procs[i];

		if (p->pid != pid || p->replaced)
			continue;
		model_process_exited(p, status);
		return;
	}
}


/*
 * The stacks of src's process at its end: every thread held, the one
 * ending it from where its shim said the program's frames begin, and the
 * threads that ended before, from their last stack pointer.
 */
static struct leak_stack *
end_stacks(const struct process *p, const struct tracer_hold *h, size_t *n)
{
	struct leak_stack *v = xreallocarray(NULL, h->nstacks + p->nended + 1,
	    sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < h->nstacks; i++)
		if (h->stacks[i].tid != p->end_tid)
			v[k++] = (struct leak_stack){ .sp = h->stacks[i].sp,
			    .alive = h->stacks[i].alive, .tid = h->stacks[i].tid };
	if (p->end_sp != 0)
		v[k++] = (struct leak_stack){ .sp = p->end_sp, .alive = true,
		    .tid = p->end_tid };
	for (size_t i = 0; i < p->nended; i++)
		v[k++] = (struct leak_stack){ .sp = p->ended_sps[i] };
	*n = k;
	return v;
}

/*
 * A process at its end, its shim waiting: stop every thread, read the rest
 * of its ring, scan it, and let it go on to its end.
 */
static void
process_end(void *ctx, struct ring_source *src)
{
	struct run *r = ctx;
	struct process *p = src->proc;
	struct tracer_hold hold;
	struct leak_stack *stacks;
	size_t nstacks;
	char why[512];
	struct leak_range shim_own = {
		atomic_load(&src->ring.hdr->private_start), 0 };

	if (!r->leak_check)
		return;
	shim_own.end = shim_own.start + atomic_load(&src->ring.hdr->private_len);
	p->alloc_maps = atomic_load(&src->ring.hdr->alloc_maps);
	if (!tracer_hold(&hold, p->pid, p->end_tid, why, sizeof(why))) {
		log_warnx("no leak check of process %d: %s", (int)p->pid, why);
		return;
	}
	source_ring_drain(src, 0);
	collector_tick(&r->col, src, collector_now_ms(), true);
	xmalloc_activity("checking process %d for leaks", (int)p->pid);
	stacks = end_stacks(p, &hold, &nstacks);
	if (!source_leaks_scan(p, &(struct leak_target){ .pid = p->pid,
	    .tid = hold.tids[0], .stacks = stacks, .nstacks = nstacks,
	    .regs = hold.regs, .nregs = hold.nregs }, &r->leak_opts,
	    &shim_own, 1, why, sizeof(why)))
		log_warnx("%s", why);
	else if (r->col.trace != NULL) {
		trace_leaks_write(r->col.trace, src->stream, p->leaks);
		trace_layout_write(r->col.trace, src->stream, p);
	}
	free(stacks);
	tracer_release(&hold);
	xmalloc_activity("tracking %s", r->name);
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
		if (pid == r->main->main_pid) {
			r->main->exited = true;
			r->main->status = status;
		} else
			note_exit(r, pid, status);
	}
}

static void
on_tag(void *ctx, void *tag)
{
	struct run *r = ctx;

	if (tag == TAG_SIGNAL)
		reap(r);
	/* TAG_DASHBOARD: the next turn's dashboard_turn reads it */
}

/*
 * Collect until the program has ended and its children have too, or had
 * their grace.
 */
static void
consume(struct run *r)
{
	long deadline = -1;

	for (;;) {
		if (r->dash != NULL)
			dashboard_turn(r->dash, &r->col.session, NULL);
		if (r->main->exited && deadline < 0)
			deadline = collector_now_ms() + GRACE_MS;
		if (r->main->exited && (r->col.nsources == 0 ||
		    collector_now_ms() >= deadline))
			return;
		collector_turn(&r->col, on_tag, r);
	}
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
	if (!r->main->exited)
		return EXIT_RUNTIME;
	if (WIFSIGNALED(r->main->status))
		return 128 + WTERMSIG(r->main->status);
	return WEXITSTATUS(r->main->status);
}

/*
 * A fatal error must not leave the socket's directory behind, nor the
 * terminal in the dashboard's modes.
 */
static struct control *run_control;
static struct dashboard *run_dash;

static void
remove_socket(void)
{
	if (run_control != NULL)
		control_close(run_control);
	if (run_dash != NULL)
		dashboard_close(run_dash);
	run_dash = NULL;
}

/* How the program ended, for the dashboard's last screen. */
static void
describe_main_end(const struct run *r, char *buf, size_t len)
{
	if (!r->main->exited)
		snprintf(buf, len, "the program's end is unknown");
	else if (WIFSIGNALED(r->main->status))
		snprintf(buf, len, "the program was killed by signal %d (%s)",
		    WTERMSIG(r->main->status), strsignal(WTERMSIG(r->main->status)));
	else
		snprintf(buf, len, "the program exited with status %d",
		    WEXITSTATUS(r->main->status));
}

/* What the command line asks, and the files opened for it. */
struct run_args {
	struct view_run_opts vopts;
	struct leak_options lopts;
	struct profile_options popts;
	struct shim_choice shim;
	const char	*json_path;
	const char	*trace_path;
	const char	*log_path;
	int		 error_exitcode;
	bool		 follow;
	bool		 tui;
	double		 delay;
	char *const	*prog;		/* PROGRAM and its arguments */
	char		 path[PATH_MAX]; /* PROGRAM found */
	FILE		*json;
	FILE		*log;
};

/* The options into a; false when the help was asked (and printed). */
static bool
parse_args(const struct cmd *self, int argc, char **argv, struct run_args *a)
{
	int opt;

	optind = 1;
	opterr = 0;
	/* "+": options end at PROGRAM (its own are its own); ":": missing values */
	while ((opt = getopt_long(argc, argv, "+:ho:d:", run_options, NULL)) != -1) {
		/* "--json -- ./prog": the value was forgotten, not named "--" */
		if (optind >= 2 && optarg == argv[optind - 1] &&
		    strcmp(argv[optind - 1], "--") == 0)
			cmd_usage_error(self, "%s needs a value", argv[optind - 2]);
		switch (opt) {
		case OPT_JSON:
			/* stdout is the program's: the report must not mix with it */
			if (strcmp(optarg, "-") == 0)
				cmd_usage_error(self, "--json needs a file: the "
				    "program's output is on stdout");
			a->json_path = optarg;
			break;
		case 'o':
			a->trace_path = optarg;
			break;
		case OPT_NO_FOLLOW:
			a->follow = false;
			break;
		case OPT_ERROR_EXITCODE:
			a->error_exitcode = (int)cmd_parse_number(self,
			    "--error-exitcode", optarg, 1, 255);
			break;
		case OPT_LOG_FILE:
			a->log_path = optarg;
			break;
		case OPT_TUI:
			a->tui = true;
			break;
		case 'd':
			a->delay = cmd_parse_seconds(self, "-d", optarg);
			break;
		case 'h':
			cmd_print_help(self, stdout);
			return false;
		default:
			if (!cmd_shim_option(self, opt, optarg, &a->shim) &&
			    !report_option_parse(self, opt, optarg, &a->vopts,
			    &a->lopts, &a->popts))
				cmd_bad_option(self, opt, argv);
		}
	}
	if (optind >= argc)
		cmd_usage_error(self, "no PROGRAM given");
	a->prog = argv + optind;
	return true;
}

/*
 * PROGRAM and the shim found, the report's files opened: a bad path must
 * not cost a whole run.
 */
static void
open_outputs(struct run_args *a)
{
	char why[PATH_MAX + 128];

	if (!launch_check(a->prog[0], a->path, sizeof(a->path), why,
	    sizeof(why)) || !launch_check_shim(launch_shim_path(), why, sizeof(why)))
		fatalx("%s", why);
	if (a->json_path != NULL && (a->json = fopen(a->json_path, "we")) == NULL)
		fatal("%s", a->json_path);
	a->log = stderr;
	if (a->log_path != NULL && (a->log = fopen(a->log_path, "we")) == NULL)
		fatal("%s", a->log_path);
	profile_options_open(&a->popts);
	/*
	 * stderr is unbuffered: a long report would be a write per line. A
	 * buffered copy, close-on-exec: the program must not inherit it.
	 */
	if (a->log == stderr &&
	    (a->log = fdopen(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3), "w")) == NULL)
		a->log = stderr;
}

/*
 * The collector, the trace, SIGCHLD as a descriptor, the dashboard and the
 * leak check at each process's end: all ready before the program starts.
 */
static void
open_collector(struct run *r, const struct run_args *a)
{
	sigset_t chld;

	collector_open(&r->col, a->follow);
	run_control = &r->col.control;
	log_set_cleanup(remove_socket);
	if (a->trace_path != NULL &&
	    (r->col.trace = tracefile_create(a->trace_path)) == NULL)
		fatal("%s", a->trace_path);
	if (a->shim.stats)
		r->col.session.ns_per_tick = clock_ns_per_tick();
	r->col.session.inherit_on_fork = a->vopts.leak_check != VIEW_LEAKS_NO;
	launch_ignore_interrupts();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((r->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	collector_watch(&r->col, r->sigfd, TAG_SIGNAL);
	if (a->tui) {
		int fds[2], n;

		r->dash = run_dash = dashboard_open(a->delay, "memscope run",
		    true);
		n = dashboard_fds(r->dash, fds);
		for (int i = 0; i < n; i++)
			collector_watch(&r->col, fds[i], TAG_DASHBOARD);
	}
	r->leak_check = a->vopts.leak_check != VIEW_LEAKS_NO;
	if (r->leak_check) {
		r->leak_opts.heuristics = LEAK_HEURISTICS_ALL;
		r->leak_opts.shim_path = realpath(launch_shim_path(), NULL);
		if (!tracer_supported())
			log_warnx("no leak check: memscope cannot read the "
			    "registers of this machine's processes");
	}
	r->col.on_end = process_end;
	r->col.end_ctx = r;
}

/* Start the program under the shim; it is the session's run. */
static void
start_program(struct run *r, const struct run_args *a)
{
	char options[160];
	pid_t pid;

	cmd_shim_options_string(&a->shim, a->follow,
	    a->vopts.leak_check != VIEW_LEAKS_NO, options, sizeof(options));
	pid = launch_start(a->path, a->prog, launch_shim_path(),
	    r->col.control.path, options,
	    r->dash != NULL ? dashboard_stdio(r->dash) : NULL);
	if (pid == -1)
		fatal("fork");
	model_session_set_run(&r->col.session, pid, a->path, a->prog);
	r->main = &r->col.session.run;
	if (r->dash != NULL)
		dashboard_started(r->dash, pid);
	r->col.main_pid = pid;
	r->col.start_ms = collector_now_ms();
	r->name = a->prog[0];
	xmalloc_activity("tracking %s", r->name);
	collector_trace_run(&r->col, pid, a->path, a->prog);
}

/*
 * The program and its children ended (or had their grace): the
 * dashboard's last screen, the rest of the rings, the trace's end. False
 * when the trace could not be written.
 */
static bool
end_collecting(struct run *r, const struct run_args *a)
{
	bool ok = true;

	/* the first process's end, on its last image */
	note_exit(r, r->main->main_pid, r->main->status);
	if (r->dash != NULL) {
		char ended[160];

		describe_main_end(r, ended, sizeof(ended));
		dashboard_linger(r->dash, &r->col.session, ended);
		dashboard_close(r->dash);
		r->dash = run_dash = NULL;
	}
	while (r->col.nsources > 0)
		collector_close_source(&r->col, r->col.nsources - 1, true);
	if (r->col.trace != NULL &&
	    !collector_trace_finish(&r->col, a->trace_path))
		ok = false;
	/* the loader would not preload it: nothing here is a measurement */
	if (r->col.session.nprocs == 0) {
		log_warnx("the shim %s did not start in %s: nothing was tracked",
		    launch_shim_path(), r->name);
		ok = false;
	}
	return ok;
}

/* The report, and the status memscope exits with. */
static int
report_run(struct run *r, struct run_args *a, bool collected)
{
	int status = collected ? exit_status_of(r) : EXIT_RUNTIME;

	xmalloc_activity("making the report");
	report_prepare(&r->col.session, &a->vopts, &a->lopts, &a->popts);
	if (a->error_exitcode != 0 && collected && lost_any(&r->col.session))
		status = a->error_exitcode;
	if (!report_write(&r->col.session, &a->vopts, &a->popts, a->json,
	    a->json_path, a->log, a->log_path))
		status = EXIT_RUNTIME;
	return status;
}

static int
run_exec(const struct cmd *self, int argc, char **argv)
{
	struct run_args a = { .vopts = { .sites = 10, .sort = -1,
	    .leak_check = VIEW_LEAKS_FULL }, .shim = SHIM_CHOICE_DEFAULT,
	    .follow = true, .delay = 1 };
	struct run r = { .sigfd = -1 };
	int status;

	a.popts.run = &a.vopts;
	leak_options_init(&a.lopts);
	if (!parse_args(self, argc, argv, &a))
		return cmd_finish_output();
	open_outputs(&a);
	open_collector(&r, &a);
	start_program(&r, &a);
	consume(&r);
	status = report_run(&r, &a, end_collecting(&r, &a));
	collector_close(&r.col);
	log_set_cleanup(NULL);
	run_control = NULL;
	close(r.sigfd);
	leak_options_free(&a.lopts);
	free((char *)r.leak_opts.shim_path);
	model_session_free(&r.col.session);
	xmalloc_activity(NULL);
	return status;
}

/* SPDX-License-Identifier: ISC */
/*
 * memscope attach PID: track a process that is already running. The shim
 * is loaded into it (dlopen called through ptrace), told where memscope
 * listens, and hooks its allocation calls; on detach the calls are put
 * back and the report of the tracked period printed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "attach-leaks.h"
#include "clock.h"
#include "cmd.h"
#include "leak-options.h"
#include "profile-options.h"
#include "report.h"
#include "collect.h"
#include "launch.h"
#include "proc.h"
#include "dashboard.h"
#include "source-proc.h"
#include "view-run.h"
#include "view-text.h"
#include "xmalloc.h"

static int attach_exec(const struct cmd *, int, char **);

const struct cmd cmd_attach = {
	.name = "attach",
	.args = "[OPTIONS] PID",
	.summary = "Track the allocations of a running process, then detach.",
	.help =
	    "Loads memscope's shim into process PID (through ptrace, for a moment),\n"
	    "tracks its allocations until Ctrl-C, --duration or the dashboard's q,\n"
	    "then puts its calls back as they were and prints the report of the\n"
	    "tracked period: what was allocated and is still live, by site. While\n"
	    "attached, `memscope leaks PID` checks it for leaks. The process runs\n"
	    "on unharmed. Needs the right to ptrace PID; x86-64 and glibc only.\n\n"
	    "Options:\n"
	    "  --duration SECONDS   detach after SECONDS (default: at Ctrl-C)\n"
	    "  --json FILE          also write the report as JSON (memscope-json(5))\n"
	    "  -o FILE              record the tracked period as a trace\n"
	    "  --depth N            frames kept per stack, 1 to 256 (default 64)\n"
	    "  --no-stacks          capture no stacks (faster; one site)\n"
	    "  --no-heap-stats      measure only the calls (see memscope run)\n"
	    "  --ring-size BYTES    the ring, a power of two from 16K to 1024M\n"
	    CMD_VIEW_HELP
	    "  --collapsed FILE, --collapsed-metric M, --pprof FILE, --massif FILE,\n"
	    "  --html FILE          profiles and the HTML report of the tracked\n"
	    "                       period (as memscope run)\n"
	    "  --tui                the live dashboard while attached; q detaches\n"
	    "  -d, --delay SECONDS  between the dashboard's refreshes (default 1)\n"
	    "  --log-file FILE      write the report to FILE, not stderr\n"
	    "  -h, --help           this help\n",
	.exec = attach_exec,
};

enum {
	OPT_JSON = 256,
	OPT_DURATION,
	OPT_TUI,
	OPT_LOG_FILE,
};

static const struct option attach_options[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	CMD_SHIM_OPTIONS,
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "tui", no_argument, NULL, OPT_TUI },
	{ "delay", required_argument, NULL, 'd' },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	CMD_VIEW_OPTIONS,
	CMD_PROFILE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* How long the detach may take (a process stopped meanwhile), and the
 * join with --duration at least. */
#define LEAVE_MS	5000

#define TAG_SIGNAL	((void *)COLLECT_TAG_FIRST_FREE)
#define TAG_DASHBOARD	((void *)(COLLECT_TAG_FIRST_FREE + 1))
#define TAG_LEAKS	((void *)(COLLECT_TAG_FIRST_FREE + 2))

struct attach_run {
	struct collector col;
	struct attachment at;
	struct attach_leaks leaks;
	int		 sigfd;
	bool		 stop;		/* Ctrl-C, or the dashboard's q */
	long		 call_deadline;	/* of a call into the process, or -1 */
	struct dashboard	*dash;
	FILE		*json;		/* --json's file, or NULL */
	FILE		*log;		/* the report's: stderr, or --log-file's */
};

/* A fatal error must not leave the socket behind, nor the terminal raw. */
static struct attach_run *fatal_run;

static void
cleanup(void)
{
	if (fatal_run == NULL)
		return;
	if (fatal_run->dash != NULL)
		dashboard_close(fatal_run->dash);
	fatal_run->dash = NULL;
	control_close(&fatal_run->col.control);
}

static void
on_tag(void *ctx, void *tag)
{
	struct attach_run *a = ctx;
	struct signalfd_siginfo si;

	if (tag == TAG_SIGNAL) {
		while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			a->stop = true;
	} else if (tag == TAG_LEAKS)
		attach_leaks_serve(&a->leaks);
}

/*
 * A process of another user (memscope running as root) cannot reach
 * root's private socket: the socket and its directory become that user's
 * (root reaches them anyway), not everyone's.
 */
static void
share_socket(struct collector *c, pid_t pid)
{
	struct stat st;
	char path[64];

	snprintf(path, sizeof(path), PROC_ROOT "/%d", (int)pid);
	if (geteuid() != 0 || stat(path, &st) != 0 || st.st_uid == 0)
		return;
	if (chown(c->control.dir, st.st_uid, st.st_gid) != 0 ||
	    chown(c->control.path, st.st_uid, st.st_gid) != 0)
		log_warn("giving the socket to uid %u", (unsigned)st.st_uid);
}

/* Let go of everything (files not NULL: a run that never began). */
static void
finish(struct attach_run *a, FILE *json, FILE *log)
{
	if (a->dash != NULL)
		dashboard_close(a->dash);
	a->dash = NULL;
	if (json != NULL)
		fclose(json);
	if (log != NULL && log != stderr)
		fclose(log);
	if (a->col.trace != NULL)
		collector_trace_finish(&a->col, "");
	collector_close(&a->col);
	log_set_cleanup(NULL);
	fatal_run = NULL;
	if (a->sigfd != -1)
		close(a->sigfd);
	model_session_free(&a->col.session);
}

/* The dashboard's L. */
static bool
leak_line(void *ctx, char *out, size_t len)
{
	struct attach_run *a = ctx;

	return attach_leaks_line(&a->leaks, out, len);
}

/*
 * While the process runs a call of memscope's: answer the shim's hello,
 * and read the ring, where the call itself may write (the detach's last
 * sample of the allocator) and whose writers must never wait on a full
 * ring for memscope, which waits for the call; false (give up waiting)
 * at Ctrl-C or past the deadline, the call then finishing on its own.
 */
static bool
wait_call(void *ctx)
{
	struct attach_run *a = ctx;
	struct pollfd p[2] = { { .fd = a->sigfd, .events = POLLIN },
	    { .fd = a->col.control.listen_fd, .events = POLLIN } };
	struct signalfd_siginfo si;

	for (size_t i = 0; i < a->col.nsources; i++)
		source_ring_drain(a->col.sources[i], 0);

	if (poll(p, 2, 2) > 0) {
		while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			a->stop = true;
		if (p[1].revents & POLLIN)
			collector_accept(&a->col);
	}
	return !a->stop && (a->call_deadline < 0 ||
	    collector_now_ms() < a->call_deadline);
}

/* The process, as the shim's hello made it in the session. */
static struct process *
attached_process(struct attach_run *a)
{
	return a->col.session.nprocs > 0 ? a->col.session.procs[0] : NULL;
}

/* What the command line asks for. */
struct attach_args {
	struct view_run_opts vopts;
	struct profile_options popts;
	struct shim_choice shim;
	const char	*json_path;
	const char	*trace_path;
	const char	*log_path;
	bool		 tui;
	double		 delay;
	double		 duration;
	int		 pid;
};

/* The options and the PID into o: -1, or the status to exit with (--help). */
static int
parse_args(const struct cmd *self, int argc, char **argv,
    struct attach_args *o)
{
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:d:", attach_options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			o->json_path = optarg;
			break;
		case 'o':
			o->trace_path = optarg;
			break;
		case OPT_DURATION:
			o->duration = cmd_parse_seconds(self, "--duration", optarg);
			break;
		case OPT_TUI:
			o->tui = true;
			break;
		case 'd':
			o->delay = cmd_parse_seconds(self, "-d", optarg);
			break;
		case OPT_LOG_FILE:
			o->log_path = optarg;
			break;
		case 'h':
			cmd_print_help(self, stdout);
			return cmd_finish_output();
		default:
			if (!cmd_shim_option(self, opt, optarg, &o->shim) &&
			    !report_options_parse(self, opt, optarg, &o->vopts) &&
			    !profile_options_parse(self, opt, optarg, &o->popts))
				cmd_bad_option(self, opt, argv);
		}
	}
	o->pid = cmd_pid_argument(self, argc, argv);
	if (o->pid == getpid())
		cmd_usage_error(self, "memscope cannot attach to itself");
	return -1;
}

/*
 * Can pid be joined? What cannot be done is said before anything is done
 * to the process; when the shim cannot be loaded into it, what memscope
 * can show without it: its layout.
 */
static bool
joinable(int pid)
{
	struct view_map_opts mopts = { .by = VIEW_MAP_BY_KIND, .width = 80 };
	struct source_proc_error err;
	struct process probe;
	char why[PATH_MAX + 256];
	int supported = -1;

	if (source_proc_snapshot(PROC_ROOT, pid, &probe, &err) !=
	    SOURCE_PROC_OK) {
		cmd_proc_failure("attach", PROC_ROOT, pid, &err);
		return false;
	}
	if (attach_check(pid, why, sizeof(why)))
		supported = attach_supported(pid, why, sizeof(why));
	if (supported < 0)
		log_warnx("%s", why);
	else if (supported == 0) {
		log_warnx("%s; its layout only:", why);
		view_text_map(stdout, &probe, &mopts);
		cmd_finish_output();
	}
	model_process_free(&probe);
	return supported == 1;
}

/*
 * All that memscope needs before it does anything to the process: its
 * files, the collector, the signals, the trace's first entry, the screen
 * (or the refusal without a terminal).
 */
static void
open_run(struct attach_run *a, struct attach_args *o)
{
	sigset_t sigs;

	if (o->json_path != NULL &&
	    (a->json = fopen(o->json_path, "we")) == NULL)
		fatal("%s", o->json_path);
	if (o->log_path != NULL && (a->log = fopen(o->log_path, "we")) == NULL)
		fatal("%s", o->log_path);
	profile_options_open(&o->popts);

	collector_open(&a->col, false);
	fatal_run = a;
	log_set_cleanup(cleanup);
	a->col.main_pid = o->pid;
	if (o->shim.stats)
		a->col.session.ns_per_tick = clock_ns_per_tick();
	if (o->trace_path != NULL &&
	    (a->col.trace = tracefile_create(o->trace_path)) == NULL)
		fatal("%s", o->trace_path);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if ((a->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	collector_watch(&a->col, a->sigfd, TAG_SIGNAL);

	xmalloc_activity("tracking process %d", o->pid);
	if (a->col.trace != NULL)
		collector_trace_attached(&a->col, o->pid);
	if (o->tui)
		a->dash = dashboard_open(o->delay, "memscope attach", false);
	share_socket(&a->col, o->pid);
}

/*
 * The live leak checks offered (memscope leaks PID, the dashboard's L),
 * and the attach said, on the dashboard or in a line.
 */
static void
show_attached(struct attach_run *a, long t0)
{
	int fds[2], n;

	attach_leaks_init(&a->leaks, &a->at, &a->col);
	if (attach_leaks_listen(&a->leaks) != -1)
		collector_watch(&a->col, a->leaks.fd, TAG_LEAKS);
	else
		log_warn("no live leak checks (memscope leaks %d): their socket",
		    (int)a->at.pid);
	if (a->dash == NULL) {
		fprintf(stderr, "memscope: attached to process %d in %ld ms; Ctrl-C "
		    "detaches\n", (int)a->at.pid, a->col.start_ms - t0);
		return;
	}
	dashboard_started(a->dash, a->at.pid);
	dashboard_on_leaks(a->dash, leak_line, a);
	n = dashboard_fds(a->dash, fds);
	for (int i = 0; i < n; i++)
		collector_watch(&a->col, fds[i], TAG_DASHBOARD);
}

/*
 * Load and start the shim in the process: false, said, when it could not.
 * --duration bounds the join too (a process stopped meanwhile), not below
 * the time a slow join may take.
 */
static bool
join(struct attach_run *a, const struct attach_args *o)
{
	char why[PATH_MAX + 256], options[160];
	long t0 = collector_now_ms();

	cmd_shim_options_string(&o->shim, false, false, options, sizeof(options));
	if (o->duration > 0)
		a->call_deadline = t0 + (o->duration * 1000 > LEAVE_MS ?
		    (long)(o->duration * 1000) : LEAVE_MS);
	if (!attach_join(&a->at, o->pid, launch_shim_path(), a->col.control.path,
	    options, wait_call, a, why, sizeof(why)) ||
	    attached_process(a) == NULL) {
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "the shim in process %d did not "
			    "reach memscope", o->pid);
		log_warnx("%s", why);
		return false;
	}
	a->col.start_ms = collector_now_ms();
	show_attached(a, t0);
	return true;
}

/* Track until Ctrl-C, --duration, the dashboard's q or the process's end. */
static void
track(struct attach_run *a, double duration)
{
	long deadline = -1;

	if (duration > 0)
		deadline = a->col.start_ms + (long)(duration * 1000);
	while (!a->stop && a->col.nsources > 0 &&
	    (deadline < 0 || collector_now_ms() < deadline)) {
		if (a->dash != NULL && !dashboard_turn_alive(a->dash, &a->col.session))
			break;
		collector_turn(&a->col, on_tag, a);
	}
}

/*
 * Let go of the process, which runs on: its calls back, the rest of its
 * ring read; what the report says of the attach, in the session's run.
 */
static void
leave(struct attach_run *a)
{
	char why[PATH_MAX + 256];

	if (a->dash != NULL) {
		dashboard_close(a->dash);
		a->dash = NULL;
	}
	attach_leaks_close(&a->leaks);
	if (a->col.nsources > 0) {
		a->stop = false;
		a->call_deadline = collector_now_ms() + LEAVE_MS;
		if (!attach_leave(&a->at, wait_call, a, why, sizeof(why))) {
			log_warnx("%s", why);
			a->col.session.run.left_hooked = true;
		}
		collector_close_source(&a->col, 0, true);
	} else
		log_warnx("process %d exited while memscope was attached",
		    (int)a->at.pid);
	a->col.session.run.attached = true;
	a->col.session.run.attached_ms =
	    (uint64_t)(collector_now_ms() - a->col.start_ms);
}

/* The trace finished and the report of the tracked period written. */
static bool
write_report(struct attach_run *a, struct attach_args *o)
{
	struct view_run_opts *vopts = &o->vopts;
	struct process *p = attached_process(a);
	struct leak_options lopts;
	bool ok = true;

	if (a->col.trace != NULL && !collector_trace_finish(&a->col,
	    o->trace_path))
		ok = false;

	/* the suppressions apply to the last live check's records */
	xmalloc_activity("making the report");
	leak_options_init(&lopts);
	report_prepare(&a->col.session, vopts, &lopts, &o->popts);
	model_session_set_run(&a->col.session, o->pid, p->exe, p->argv);
	if (!report_write(&a->col.session, vopts, &o->popts, a->json,
	    o->json_path, a->log, o->log_path))
		ok = false;
	leak_options_free(&lopts);
	return ok;
}

static int
attach_exec(const struct cmd *self, int argc, char **argv)
{
	struct attach_args o = { .vopts = { .sites = 10, .sort = -1,
	    .leak_check = VIEW_LEAKS_NO }, .shim = SHIM_CHOICE_DEFAULT,
	    .delay = 1 };
	struct attach_run a = { .sigfd = -1, .call_deadline = -1, .log = stderr };
	int status;

	o.popts.run = &o.vopts;
	if ((status = parse_args(self, argc, argv, &o)) != -1)
		return status;
	if (!joinable(o.pid))
		return EXIT_RUNTIME;
	open_run(&a, &o);
	if (!join(&a, &o)) {
		finish(&a, a.json, a.log);
		return EXIT_RUNTIME;
	}
	track(&a, o.duration);
	leave(&a);
	status = write_report(&a, &o) ? EXIT_SUCCESS : EXIT_RUNTIME;
	finish(&a, NULL, NULL);
	xmalloc_activity(NULL);
	return status;
}

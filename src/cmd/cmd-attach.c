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
	    "  --collapsed FILE, --collapsed-metric M, --pprof FILE, --massif FILE\n"
	    "                       profiles of the tracked period (as memscope run)\n"
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

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
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
		collector_trace_finish(&a->col, "", false, 0, 0);
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

static int
attach_exec(const struct cmd *self, int argc, char **argv)
{
	struct view_run_opts vopts = { .sites = 10, .sort = -1,
	    .leak_check = VIEW_LEAKS_NO };
	struct leak_options lopts;
	struct profile_options popts = { 0 };
	const char *json_path = NULL, *trace_path = NULL, *log_path = NULL;
	struct attach_run a = { .sigfd = -1, .call_deadline = -1 };
	struct source_proc_error err;
	struct process probe;
	char why[PATH_MAX + 256], options[160];
	int opt, pid, supported, status = EXIT_SUCCESS;
	struct shim_choice shim = SHIM_CHOICE_DEFAULT;
	bool tui = false;
	double delay = 1, duration = 0;
	long deadline = -1, t0;
	FILE *json = NULL, *log = stderr;
	sigset_t sigs;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:d:", attach_options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json_path = optarg;
			break;
		case 'o':
			trace_path = optarg;
			break;
		case OPT_DURATION:
			duration = cmd_parse_seconds(self, "--duration", optarg);
			break;
		case OPT_TUI:
			tui = true;
			break;
		case 'd':
			delay = cmd_parse_seconds(self, "-d", optarg);
			break;
		case OPT_LOG_FILE:
			log_path = optarg;
			break;
		case 'h':
			cmd_print_help(self, stdout);
			return cmd_finish_output();
		default:
			if (!cmd_shim_option(self, opt, optarg, &shim) &&
			    !report_options_parse(self, opt, optarg, &vopts) &&
			    !profile_options_parse(self, opt, optarg, &popts))
				cmd_bad_option(self, opt, argv);
		}
	}
	pid = cmd_pid_argument(self, argc, argv);
	if (pid == getpid())
		cmd_usage_error(self, "memscope cannot attach to itself");

	/* what cannot be done is said before anything is done to the process */
	if (source_proc_snapshot("/proc", pid, &probe, &err) != SOURCE_PROC_OK) {
		cmd_proc_failure("attach", "/proc", pid, &err);
		return EXIT_RUNTIME;
	}
	if (!attach_check(pid, why, sizeof(why))) {
		log_warnx("%s", why);
		model_process_free(&probe);
		return EXIT_RUNTIME;
	}
	if ((supported = attach_supported(pid, why, sizeof(why))) < 0) {
		log_warnx("%s", why);
		model_process_free(&probe);
		return EXIT_RUNTIME;
	}
	if (supported == 0) {
		/* what memscope can show without the shim: the layout */
		struct view_map_opts mopts = { .by = VIEW_MAP_BY_KIND, .width = 80 };

		log_warnx("%s; its layout only:", why);
		view_text_map(stdout, &probe, &mopts);
		model_process_free(&probe);
		cmd_finish_output();
		return EXIT_RUNTIME;
	}
	model_process_free(&probe);
	if (json_path != NULL && (json = fopen(json_path, "we")) == NULL)
		fatal("%s", json_path);
	if (log_path != NULL && (log = fopen(log_path, "we")) == NULL)
		fatal("%s", log_path);
	profile_options_open(&popts);

	collector_open(&a.col, false);
	fatal_run = &a;
	log_set_cleanup(cleanup);
	a.col.main_pid = pid;
	if (shim.stats)
		a.col.session.ns_per_tick = clock_ns_per_tick();
	if (trace_path != NULL && (a.col.trace = tracefile_create(trace_path)) == NULL)
		fatal("%s", trace_path);
	cmd_shim_options_string(&shim, false, false, options, sizeof(options));
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if ((a.sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	collector_watch(&a.col, a.sigfd, TAG_SIGNAL);

	/* before anything is done to the process: the trace's first entry,
	 * the screen (or the refusal without a terminal) */
	xmalloc_activity("tracking process %d", (int)pid);
	if (a.col.trace != NULL)
		collector_trace_attached(&a.col, pid);
	if (tui)
		a.dash = dashboard_open(delay, "memscope attach", false);
	share_socket(&a.col, pid);
	t0 = collector_now_ms();
	/* --duration bounds the join too (a process stopped meanwhile),
	 * not below the time a slow join may take */
	if (duration > 0)
		a.call_deadline = t0 + (duration * 1000 > LEAVE_MS ?
		    (long)(duration * 1000) : LEAVE_MS);
	if (!attach_join(&a.at, pid, launch_shim_path(), a.col.control.path,
	    options, wait_call, &a, why, sizeof(why)) ||
	    attached_process(&a) == NULL) {
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "the shim in process %d did not "
			    "reach memscope", pid);
		log_warnx("%s", why);
		finish(&a, json, log);
		return EXIT_RUNTIME;
	}
	a.col.start_ms = collector_now_ms();
	attach_leaks_init(&a.leaks, &a.at, &a.col);
	if (attach_leaks_listen(&a.leaks) != -1)
		collector_watch(&a.col, a.leaks.fd, TAG_LEAKS);
	else
		log_warn("no live leak checks (memscope leaks %d): their socket", pid);
	if (a.dash != NULL) {
		int fds[2], n;

		dashboard_started(a.dash, pid);
		dashboard_on_leaks(a.dash, leak_line, &a);
		n = dashboard_fds(a.dash, fds);
		for (int i = 0; i < n; i++)
			collector_watch(&a.col, fds[i], TAG_DASHBOARD);
	} else
		fprintf(stderr, "memscope: attached to process %d in %ld ms; Ctrl-C "
		    "detaches\n", pid, a.col.start_ms - t0);
	if (duration > 0)
		deadline = a.col.start_ms + (long)(duration * 1000);

	while (!a.stop && a.col.nsources > 0 &&
	    (deadline < 0 || collector_now_ms() < deadline)) {
		if (a.dash != NULL && !dashboard_turn_alive(a.dash, &a.col.session))
			break;
		collector_turn(&a.col, on_tag, &a);
	}
	if (a.dash != NULL) {
		dashboard_close(a.dash);
		a.dash = NULL;
	}
	attach_leaks_close(&a.leaks);
	if (a.col.nsources > 0) {
		/* the process runs on: its calls back, the rest of its ring read */
		a.stop = false;
		a.call_deadline = collector_now_ms() + LEAVE_MS;
		if (!attach_leave(&a.at, wait_call, &a, why, sizeof(why))) {
			log_warnx("%s", why);
			vopts.left_hooked = true;
		}
		collector_close_source(&a.col, 0, true);
	} else
		log_warnx("process %d exited while memscope was attached", pid);
	vopts.attached = true;
	vopts.attached_ms = (uint64_t)(collector_now_ms() - a.col.start_ms);
	if (a.col.trace != NULL && !collector_trace_finish(&a.col, trace_path,
	    false, 0, vopts.attached_ms > 0 ? vopts.attached_ms : 1))
		status = EXIT_RUNTIME;

	/* the suppressions apply to the last live check's records */
	xmalloc_activity("making the report");
	leak_options_init(&lopts);
	report_prepare(&a.col.session, &vopts, &lopts, &popts);
	vopts.main_pid = pid;
	vopts.main_argv = attached_process(&a)->argv;
	vopts.main_path = attached_process(&a)->exe;
	if (!report_write(&a.col.session, &vopts, &popts, vopts.main_argv, json,
	    json_path, log, log_path))
		status = EXIT_RUNTIME;
	leak_options_free(&lopts);
	finish(&a, NULL, NULL);
	xmalloc_activity(NULL);
	return status;
}

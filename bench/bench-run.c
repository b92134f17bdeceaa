/* SPDX-License-Identifier: ISC */
/*
 * bench-run: time several commands side by side and print ratios.
 *
 *	bench-run [-f] [-n ROUNDS] [-w WARMUP] [-k SECONDS]
 *	    [-l LABEL [-t RATIO]]... -- CMD ARGS... [::: CMD ARGS...]...
 *
 * The commands run alternated (A B C A B C ...) so that a slow spell of the
 * machine (frequency scaling, a noisy neighbour, a cold page cache) hits
 * every command alike; only the ratios of medians taken in the same run mean
 * anything, which is why this prints ratios and never passes or fails on an
 * absolute time. The first command is the baseline.
 *
 * A failed run ends the benchmark, unless -f: then the command is marked
 * failed, its row says why, and the others go on without it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Fewer rounds than this and a median says little; the verdict says so. */
#define MIN_ROUNDS_FOR_VERDICT	5

struct command {
	const char	 *label;
	char		**argv;
	double		  target;	/* max ratio to the baseline; 0: none */
	double		 *wall;		/* seconds, one per measured round */
	double		 *cpu;		/* user + sys seconds */
	char		 *failed;	/* why it failed (-f); NULL: it did not */
};

static const char *progname = "bench-run";

/* -f: record a failed command and go on, rather than stop. */
static int keep_going;

/* -f: the process group of the run under way, to pass a signal on to. */
static volatile sig_atomic_t running_pgid;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-f] [-n ROUNDS] [-w WARMUP] [-k SECONDS] "
	    "[-l LABEL [-t RATIO]]...\n"
	    "           -- CMD ARGS... [::: CMD ARGS...]...\n"
	    "  -f          a command that fails is shown as failed and the\n"
	    "              others go on (default: the first failure stops)\n"
	    "  -n ROUNDS   measured rounds (default 11)\n"
	    "  -w WARMUP   unmeasured rounds first (default 2)\n"
	    "  -k SECONDS  kill a run that takes longer and stop (default 120)\n"
	    "  -l LABEL    name the next command (default: its words)\n"
	    "  -t RATIO    the last named command's median must be at most\n"
	    "              RATIO times the first command's\n", progname);
	exit(2);
}

static long
parse_long(const char *s, const char *what, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min)
		die("%s: '%s' is not an integer >= %ld", what, s, min);
	return v;
}

static double
parse_ratio(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0))
		die("-t: '%s' is not a positive number", s);
	return v;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("calloc: allocating %zu bytes", n * size);
	return p;
}

/* The words of argv joined by spaces, for labels and error messages. */
static char *
join_words(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a != NULL; a++)
		len += strlen(*a) + 1;
	s = xcalloc(1, len);
	for (char **a = argv; *a != NULL; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

static double
ts_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static double
tv_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/*
 * SIGCHLD is blocked and awaited with sigtimedwait(), which has no race
 * between "is the child done?" and "start waiting" as alarm() + wait4()
 * would. A handler is installed because a blocked signal whose action is
 * SIG_DFL-ignore may be discarded rather than left pending (POSIX leaves it
 * unspecified).
 */
static void
on_sigchld(int sig)
{
	(void)sig;
}

/*
 * With -f each run has a process group of its own, so that a timeout kills
 * all it started (a tracer's target with the tracer); the terminal no
 * longer signals that group, so an interrupt is passed on to it here.
 */
static void
on_fatal_signal(int sig)
{
	if (running_pgid > 0)
		kill(-(pid_t)running_pgid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A run failed: without -f, stop with the reason and the command; with -f,
 * mark the command failed (it runs no more) and return -1.
 */
static int __attribute__((format(printf, 2, 3)))
run_failed(struct command *c, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!keep_going)
		die("%s: %s; command: %s", c->label, why, join_words(c->argv));
	if ((c->failed = strdup(why)) == NULL)
		die("strdup: out of memory");
	return -1;
}

/*
 * Run one command to completion with stdin, stdout and stderr on /dev/null,
 * and return its wall and CPU time. A run that did not do its work has no
 * time worth reporting: any failure ends the benchmark, or with -f marks the
 * command failed and returns -1.
 */
static int
run_once(struct command *c, int devnull, long timeout, int round,
    double *wall, double *cpu)
{
	struct timespec t0, t1, limit = { timeout, 0 };
	struct rusage ru;
	sigset_t chld, old;
	int pfd[2], status, err, sig;
	ssize_t n;
	pid_t pid;

	/*
	 * The child reports a failed exec through a close-on-exec pipe: its
	 * stderr is /dev/null, and exit status 127 could also be the
	 * command's own.
	 */
	if (pipe2(pfd, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* The signal mask survives execve: give the command ours. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (keep_going) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			setpgid(0, 0);
		}
		if (dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1 ||
		    dup2(devnull, 2) == -1)
			err = errno;
		else {
			execvp(c->argv[0], c->argv);
			err = errno;
		}
		if (write(pfd[1], &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(127);
	}
	if (keep_going) {
		setpgid(pid, pid);	/* either side may be first */
		running_pgid = pid;
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	close(pfd[0]);

	do
		sig = sigtimedwait(&chld, NULL, &limit);
	while (sig == -1 && errno == EINTR);
	if (sig == -1) {
		kill(keep_going ? -pid : pid, SIGKILL);
		waitpid(pid, NULL, 0);
		running_pgid = 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (!keep_going)
			die("%s: still running after %ld s (round %d); killed",
			    c->label, timeout, round);
		return run_failed(c, "still running after %ld s in round %d; "
		    "killed", timeout, round);
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	running_pgid = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (n == (ssize_t)sizeof(err)) {
		if (!keep_going)
			die("%s: cannot run '%s': %s", c->label, c->argv[0],
			    strerror(err));
		return run_failed(c, "cannot run '%s': %s", c->argv[0],
		    strerror(err));
	}
	if (WIFSIGNALED(status))
		return run_failed(c, "killed by signal %d (%s) in round %d",
		    WTERMSIG(status), strsignal(WTERMSIG(status)), round);
	if (WEXITSTATUS(status) != 0)
		return run_failed(c, "exit status %d in round %d",
		    WEXITSTATUS(status), round);

	*wall = ts_seconds(&t0, &t1);
	*cpu = tv_seconds(&ru.ru_utime) + tv_seconds(&ru.ru_stime);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v in place. */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
report(struct command *cmds, int ncmds, int rounds, int warmup)
{
	double base = 0;
	int width = 7;

	for (int i = 0; i < ncmds; i++) {
		int len = (int)strlen(cmds[i].label);

		if (len > width)
			width = len;
	}
	printf("%d rounds alternated after %d warm-up; wall time per run, "
	    "CPU = user + sys\n", rounds, warmup);
	printf("%-*s  %10s %10s %10s %10s  %s\n", width, "command",
	    "median", "min", "max", "CPU med", "ratio");
	for (int i = 0; i < ncmds; i++) {
		struct command *c = &cmds[i];
		double med, cpu;

		if (c->failed != NULL) {
			printf("%-*s  failed: %s\n", width, c->label,
			    c->failed);
			continue;
		}
		med = median(c->wall, rounds);
		cpu = median(c->cpu, rounds);
		if (i == 0)
			base = med;
		printf("%-*s  %7.2f ms %7.2f ms %7.2f ms %7.2f ms  ",
		    width, c->label, med * 1e3, c->wall[0] * 1e3,
		    c->wall[rounds - 1] * 1e3, cpu * 1e3);
		if (base > 0)
			printf("%.2f\u00d7\n", med / base);
		else
			printf("n/a\n");
	}
	for (int i = 1; i < ncmds; i++) {
		struct command *c = &cmds[i];
		double ratio;
		const char *verdict;

		if (c->target == 0)
			continue;
		if (c->failed != NULL || base == 0) {
			printf("%s: %s, target \u2264 %g\u00d7: NOT met\n",
			    c->label, c->failed != NULL ? "failed" :
			    "no baseline", c->target);
			continue;
		}
		ratio = median(c->wall, rounds) / base;
		if (rounds < MIN_ROUNDS_FOR_VERDICT)
			verdict = "inconclusive (fewer than 5 rounds)";
		else
			verdict = ratio <= c->target ? "met" : "NOT met";
		printf("%s: %.2f\u00d7 %s, target \u2264 %g\u00d7: %s\n",
		    c->label, ratio, cmds[0].label, c->target, verdict);
	}
}

int
main(int argc, char **argv)
{
	struct command *cmds;
	struct sigaction sa;
	const char **labels;
	double *targets;
	long rounds = 11, warmup = 2, timeout = 120;
	int nlabels = 0, ncmds, opt, devnull, i;

	labels = xcalloc((size_t)argc, sizeof(*labels));
	targets = xcalloc((size_t)argc, sizeof(*targets));
	while ((opt = getopt(argc, argv, "+fhk:l:n:t:w:")) != -1) {
		switch (opt) {
		case 'f':
			keep_going = 1;
			break;
		case 'k':
			timeout = parse_long(optarg, "-k", 1);
			break;
		case 'l':
			labels[nlabels++] = optarg;
			break;
		case 'n':
			rounds = parse_long(optarg, "-n", 1);
			break;
		case 't':
			if (nlabels == 0)
				die("-t applies to the command named by the "
				    "-l before it");
			targets[nlabels - 1] = parse_ratio(optarg);
			break;
		case 'w':
			warmup = parse_long(optarg, "-w", 0);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if (rounds > INT_MAX || warmup > INT_MAX)
		die("too many rounds");

	/* Split the remaining words at ":::" in place. */
	cmds = xcalloc((size_t)argc, sizeof(*cmds));
	ncmds = 0;
	for (i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], ":::") != 0) {
			if (cmds[ncmds].argv == NULL)
				cmds[ncmds].argv = &argv[i];
			continue;
		}
		if (cmds[ncmds].argv == NULL)
			die("empty command (two ':::' in a row, or one at an "
			    "end)");
		if (i < argc)
			argv[i] = NULL;
		ncmds++;
	}
	if (nlabels > ncmds)
		die("%d labels for %d commands", nlabels, ncmds);
	for (i = 0; i < ncmds; i++) {
		struct command *c = &cmds[i];

		c->label = i < nlabels ? labels[i] : join_words(c->argv);
		c->target = targets[i];
		c->wall = xcalloc((size_t)rounds, sizeof(*c->wall));
		c->cpu = xcalloc((size_t)rounds, sizeof(*c->cpu));
	}
	if (targets[0] != 0)
		die("-t on the first command: it is the baseline");

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die("/dev/null: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	if (keep_going) {
		sa.sa_handler = on_fatal_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}

	for (long r = 0; r < warmup + rounds; r++) {
		for (i = 0; i < ncmds; i++) {
			double wall = 0, cpu = 0;

			if (cmds[i].failed != NULL)
				continue;
			if (run_once(&cmds[i], devnull, timeout, (int)r + 1,
			    &wall, &cpu) == -1)
				continue;
			if (r >= warmup) {
				cmds[i].wall[r - warmup] = wall;
				cmds[i].cpu[r - warmup] = cpu;
			}
		}
	}
	close(devnull);

	report(cmds, ncmds, (int)rounds, (int)warmup);
	return fflush(stdout) == 0 ? 0 : 1;
}

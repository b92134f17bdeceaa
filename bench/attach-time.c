/* SPDX-License-Identifier: ISC */
/*
 * attach-time: the timings of bench/attach.sh, which a shell cannot take to
 * the millisecond, nor alternate cleanly.
 *
 *	attach-time attach [-n ROUNDS] [-w WARMUP] [-k SECONDS] -d DIR
 *	    [-H HEAPTRACK] MEMSCOPE -- TARGET ARGS...
 *	attach-time leaks [-n ROUNDS] [-c CHECKS] [-k SECONDS] -d DIR
 *	    MEMSCOPE -- TARGET ARGS...
 *	attach-time slowdown [-n ROUNDS] [-w WARMUP] [-k SECONDS] -d DIR
 *	    MEMSCOPE -- WORKLOAD ARGS...
 *
 * Every target is a workload of bench/workloads started with BENCH_GO
 * naming a fifo in DIR (workload.h): it opens the fifo and idles until it
 * reads one byte from it. The driver's open of the fifo's write end
 * succeeds once the target has opened it: the target is ready. The target
 * keeps the fifo open until it exits, so the driver's write end reports
 * POLLERR (no reader left) the moment the target is gone, whoever its
 * parent is (under `memscope run` it is memscope's child, not ours).
 *
 * attach: the time to attach, from starting the tool (fork) until its line
 * appears on its stdout or stderr (a pipe): "attached to process" for
 * `memscope attach PID`, "injection finished" for `heaptrack -p PID`,
 * against a fresh idle TARGET each time, the tools alternated. Then the
 * tool is ended the way each ends cleanly: SIGINT to memscope attach,
 * which detaches and prints its report, awaited; for heaptrack -p the
 * target is ended (SIGTERM) and heaptrack, which then finds no process to
 * remove its injection from, prints its statistics and exits, awaited.
 * That ending is timed too (column "end"). When the line came, the
 * tool's library must be mapped in the target (libmemscope,
 * libheaptrack_inject: a line is not an attach); after memscope detached,
 * the target must still be alive (the process runs on unharmed).
 *
 * leaks: per round, TARGET started with BENCH_GO and BENCH_HOLD (it builds
 * its heap after go, prints "ready" and idles), `memscope attach` on it,
 * go, "ready", then CHECKS times `memscope leaks PID` with its output in
 * DIR/leaks.ROUND.CHECK; prints one line per check for the script to read:
 *
 *	check ROUND CHECK WALL_MS EXIT FILE
 *
 * then SIGINT to memscope attach, awaited, and the target killed.
 *
 * slowdown: WORKLOAD natively, under `memscope run --leak-check=no`, and
 * attached (started, `memscope attach PID` until its line, then go),
 * alternated; each timed from the go byte until the workload is gone
 * (POLLERR on the fifo), so the tool's start, its attach and its report
 * at the end are all outside the time. A table of medians and their ratio
 * to native, as bench-run prints.
 *
 * A run that fails (a tool that exits before its line, a non-zero exit, a
 * timeout of -k SECONDS on any step) marks its command failed, with the
 * reason, and the others go on, as bench-run -f. Each process runs in a
 * process group of its own, killed at the end of its run, so that nothing
 * a tool starts (heaptrack's gdb and interpreter) outlives the run; an
 * interrupt kills them all.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEMSCOPE_MARKER		"attached to process"
#define HEAPTRACK_MARKER	"injection finished"
#define READY_MARKER		"ready\n"

/* What a process wrote: kept to find a line in, and to quote on failure. */
#define OUT_KEEP		(256 * 1024)

enum out_mode { OUT_NULL, OUT_PIPE, OUT_FD };

struct proc {
	pid_t	 pid;		/* 0: none; also its process group */
	int	 out;		/* read end of its stdout and stderr; -1 */
	char	*buf;		/* the last OUT_KEEP bytes it wrote */
	size_t	 len;
	int	 status;
	bool	 reaped;
};

struct command {
	const char	*label;
	double		*v;		/* the measured times, seconds */
	double		*end;		/* attach: the time to end the tool */
	double		*says;		/* attach: memscope's own "in M ms" */
	int		 n;
	char		*failed;	/* why; NULL: it did not fail */
};

static const char *progname = "attach-time";
static const char *dir;
static char fifo_path[PATH_MAX];
static long timeout = 120;
static int devnull = -1;

/* The process groups alive, for an interrupt to kill. */
#define MAX_GROUPS 16
static volatile sig_atomic_t groups[MAX_GROUPS];

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (int i = 0; i < MAX_GROUPS; i++)
		if (groups[i] > 0)
			kill(-(pid_t)groups[i], SIGKILL);
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: %s attach [-n ROUNDS] [-w WARMUP] [-k SECONDS] -d DIR\n"
	    "           [-H HEAPTRACK] MEMSCOPE -- TARGET ARGS...\n"
	    "       %s leaks [-n ROUNDS] [-c CHECKS] [-k SECONDS] -d DIR\n"
	    "           MEMSCOPE -- TARGET ARGS...\n"
	    "       %s slowdown [-n ROUNDS] [-w WARMUP] [-k SECONDS] -d DIR\n"
	    "           MEMSCOPE -- WORKLOAD ARGS...\n", progname, progname,
	    progname);
	exit(2);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("out of memory");
	return p;
}

static long
parse_long(const char *s, const char *what, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > INT_MAX)
		die("%s: '%s' is not an integer >= %ld", what, s, min);
	return v;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
group_add(pid_t pid)
{
	for (int i = 0; i < MAX_GROUPS; i++)
		if (groups[i] == 0) {
			groups[i] = pid;
			return;
		}
	die("too many processes at once");
}

static void
group_remove(pid_t pid)
{
	for (int i = 0; i < MAX_GROUPS; i++)
		if (groups[i] == pid)
			groups[i] = 0;
}

static void
on_fatal_signal(int sig)
{
	for (int i = 0; i < MAX_GROUPS; i++)
		if (groups[i] > 0)
			kill(-(pid_t)groups[i], SIGKILL);
	if (fifo_path[0] != '\0')
		unlink(fifo_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Start argv in a process group of its own, stdin on /dev/null, stdout and
 * stderr on a pipe (OUT_PIPE), /dev/null or fd; with go, BENCH_GO=go in its
 * environment, with hold BENCH_HOLD=1. Returns 0, or -1 with why filled
 * when it could not be exec'd.
 */
static int
spawn(struct proc *p, char **argv, const char *go, bool hold,
    enum out_mode mode, int fd, char *why, size_t len)
{
	int epipe[2], opipe[2] = { -1, -1 }, err, out;
	ssize_t n;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->out = -1;
	if (pipe2(epipe, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	if (mode == OUT_PIPE && pipe2(opipe, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	out = mode == OUT_PIPE ? opipe[1] : mode == OUT_FD ? fd : devnull;
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		if (go != NULL)
			setenv("BENCH_GO", go, 1);
		else
			unsetenv("BENCH_GO");
		if (hold)
			setenv("BENCH_HOLD", "1", 1);
		else
			unsetenv("BENCH_HOLD");
		if (dup2(devnull, 0) == -1 || dup2(out, 1) == -1 ||
		    dup2(out, 2) == -1)
			err = errno;
		else {
			execvp(argv[0], argv);
			err = errno;
		}
		if (write(epipe[1], &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid);	/* either side may be first */
	group_add(pid);
	p->pid = pid;
	close(epipe[1]);
	if (mode == OUT_PIPE) {
		close(opipe[1]);
		p->out = opipe[0];
		p->buf = xcalloc(1, OUT_KEEP + 1);
	}
	do
		n = read(epipe[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	close(epipe[0]);
	if (n == (ssize_t)sizeof(err)) {
		snprintf(why, len, "cannot run '%s': %s", argv[0],
		    strerror(err));
		return -1;
	}
	return 0;
}

/* Read what p wrote, if anything; false at EOF. */
static bool
take_output(struct proc *p)
{
	char chunk[8192];
	ssize_t n;

	if (p->out == -1)
		return false;
	n = read(p->out, chunk, sizeof(chunk));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		close(p->out);
		p->out = -1;
		return false;
	}
	if (p->len + (size_t)n > OUT_KEEP) {
		size_t drop = p->len + (size_t)n - OUT_KEEP;

		if (drop > p->len)
			drop = p->len;
		memmove(p->buf, p->buf + drop, p->len - drop);
		p->len -= drop;
	}
	if ((size_t)n > OUT_KEEP)
		n = OUT_KEEP;
	memcpy(p->buf + p->len, chunk, (size_t)n);
	p->len += (size_t)n;
	p->buf[p->len] = '\0';
	return true;
}

/* Milliseconds until deadline, at least 0. */
static int
ms_left(double deadline)
{
	double left = deadline - now();

	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

/*
 * Wait up to ms for output of any of ps (NULL entries skipped) and take it;
 * with wfd >= 0, also for POLLERR on it. Returns true if wfd reported it.
 */
static bool
pump(struct proc **ps, int nps, int wfd, int ms)
{
	struct pollfd pfd[8];
	struct proc *who[8];
	int n = 0, werr = -1;

	if (wfd >= 0) {
		pfd[n] = (struct pollfd){ .fd = wfd, .events = 0 };
		who[n] = NULL;
		werr = n++;
	}
	for (int i = 0; i < nps && n < 8; i++)
		if (ps[i] != NULL && ps[i]->out != -1) {
			pfd[n] = (struct pollfd){ .fd = ps[i]->out,
			    .events = POLLIN };
			who[n++] = ps[i];
		}
	if (n == 0) {
		if (ms > 0)
			usleep((useconds_t)(ms > 20 ? 20 : ms) * 1000);
		return false;
	}
	if (poll(pfd, (nfds_t)n, ms) <= 0)
		return false;
	for (int i = 0; i < n; i++)
		if (who[i] != NULL && pfd[i].revents != 0)
			take_output(who[i]);
	return werr >= 0 && (pfd[werr].revents & (POLLERR | POLLHUP)) != 0;
}

/*
 * Has p exited? If so its group is killed (whatever it left running:
 * heaptrack's interpreter, memscope run's workload) while p is a zombie,
 * whose pid no other process can have, so the kill reaches no stranger;
 * then p is reaped.
 */
static bool
exited(struct proc *p)
{
	siginfo_t si;

	if (p->pid == 0 || p->reaped)
		return true;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)p->pid, &si,
	    WEXITED | WNOHANG | WNOWAIT) == -1)
		if (errno != EINTR)
			die("waitid %d: %s", (int)p->pid, strerror(errno));
	if (si.si_pid == 0)
		return false;
	kill(-p->pid, SIGKILL);
	group_remove(p->pid);
	while (waitpid(p->pid, &p->status, 0) == -1)
		if (errno != EINTR)
			die("waitpid %d: %s", (int)p->pid, strerror(errno));
	p->reaped = true;
	return true;
}

/* Send sig to p, unless it is reaped (its pid may be another's now). */
static void
signal_proc(struct proc *p, int sig)
{
	if (p->pid != 0 && !p->reaped)
		kill(p->pid, sig);
}

/*
 * Wait until p exits, taking its output, at most until deadline; then its
 * group is killed. Its pipe is closed after what is left in it is taken.
 * Returns true if it exited by itself in time.
 */
static bool
reap(struct proc *p, double deadline)
{
	bool in_time = true;

	if (p->pid == 0)
		return true;
	while (!exited(p)) {
		if (now() >= deadline && in_time) {
			kill(-p->pid, SIGKILL);
			in_time = false;
		}
		/* 1 ms: the end of an attach is timed by this loop */
		pump((struct proc *[]){ p }, 1, -1, 1);
	}
	if (p->out != -1) {
		int fl = fcntl(p->out, F_GETFL);

		fcntl(p->out, F_SETFL, fl | O_NONBLOCK);
		while (p->out != -1 && take_output(p)) {
			struct pollfd pfd = { .fd = p->out, .events = POLLIN };

			if (poll(&pfd, 1, 0) <= 0)
				break;
		}
		if (p->out != -1)
			close(p->out);
		p->out = -1;
	}
	return in_time;
}

/* Kill p's group and reap it, unless it is reaped. */
static void
end(struct proc *p)
{
	if (p->pid == 0)
		return;
	if (!p->reaped)
		kill(-p->pid, SIGKILL);
	reap(p, now() + timeout);
}

static void
release(struct proc *p)
{
	end(p);
	free(p->buf);
	p->buf = NULL;
	p->pid = 0;
}

/* "exit status N", "killed by signal N (NAME)" */
static void
describe_status(int status, char *out, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(out, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(out, len, "exit status %d", WEXITSTATUS(status));
}

/* The last non-empty line p wrote, for a failure's reason. */
static const char *
last_line(struct proc *p, char *out, size_t len)
{
	char *s, *e;

	out[0] = '\0';
	if (p->buf == NULL || p->len == 0)
		return out;
	e = p->buf + p->len;
	while (e > p->buf && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	s = e;
	while (s > p->buf && s[-1] != '\n')
		s--;
	snprintf(out, len, ": \"%.*s\"", (int)(e - s > 200 ? 200 : e - s), s);
	return out;
}

/*
 * Wait until p has written marker, at most until deadline. Returns 0, or
 * -1 with why filled (it exited first, or the time ran out).
 */
static int
await_marker(struct proc *p, const char *marker, double deadline, char *why,
    size_t len)
{
	char st[64], line[256];

	while (p->buf == NULL || strstr(p->buf, marker) == NULL) {
		if (p->out == -1 || exited(p)) {
			/* what it wrote last, before its exit */
			while (p->out != -1 && take_output(p))
				if (strstr(p->buf, marker) != NULL)
					return 0;
			exited(p);
			if (!p->reaped) {
				snprintf(why, len, "closed its output before "
				    "\"%s\"%s", marker, last_line(p, line,
				    sizeof(line)));
				return -1;
			}
			describe_status(p->status, st, sizeof(st));
			snprintf(why, len, "%s before \"%s\"%s", st, marker,
			    last_line(p, line, sizeof(line)));
			return -1;
		}
		if (now() >= deadline) {
			snprintf(why, len, "no \"%s\" after %ld s%s", marker,
			    timeout, last_line(p, line, sizeof(line)));
			return -1;
		}
		pump((struct proc *[]){ p }, 1, -1, ms_left(deadline));
	}
	return 0;
}

/* A fresh fifo at fifo_path. */
static void
make_fifo(void)
{
	if (unlink(fifo_path) == -1 && errno != ENOENT)
		die("%s: %s", fifo_path, strerror(errno));
	if (mkfifo(fifo_path, 0600) == -1)
		die("mkfifo %s: %s", fifo_path, strerror(errno));
}

/*
 * The write end of the fifo, once the process that opens its read end (p
 * or a descendant of it) has: it idles, ready for go. -1 with why filled
 * if p exits first or the time runs out.
 */
static int
open_go(struct proc *p, double deadline, char *why, size_t len)
{
	char st[64], line[256];
	int fd;

	for (;;) {
		fd = open(fifo_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != ENXIO && errno != EINTR)
			die("%s: %s", fifo_path, strerror(errno));
		if (exited(p)) {
			describe_status(p->status, st, sizeof(st));
			snprintf(why, len, "%s before it was ready%s", st,
			    last_line(p, line, sizeof(line)));
			return -1;
		}
		if (now() >= deadline) {
			snprintf(why, len, "not ready after %ld s", timeout);
			return -1;
		}
		pump((struct proc *[]){ p }, 1, -1, 1);
	}
}

static void
send_go(int wfd)
{
	if (write(wfd, "g", 1) != 1)
		die("%s: cannot write the go byte: %s", fifo_path,
		    strerror(errno));
}

static void __attribute__((format(printf, 2, 3)))
fail(struct command *c, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	c->failed = xstrdup(why);
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
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *
fmt_pid(pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d", (int)pid);
	return xstrdup(s);
}

/* Does process pid map a file whose path holds lib? */
static bool
maps_library(pid_t pid, const char *lib)
{
	char path[64], line[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, lib) != NULL;
	fclose(f);
	return found;
}

/* --- attach ------------------------------------------------------------ */

/*
 * One attach of tool (0 memscope, 1 heaptrack) to a fresh target: records
 * the times in c, or marks it failed.
 */
static void
attach_once(struct command *c, int tool, const char *memscope,
    const char *heaptrack, char **target, bool record)
{
	struct proc t, a;
	char why[1024], st[64], line[256], ht_out[PATH_MAX];
	char *argv[8], *pid_s;
	double t0, t1, e0, e1, says = -1;
	int wfd;

	make_fifo();
	if (spawn(&t, target, fifo_path, false, OUT_PIPE, -1, why,
	    sizeof(why)) == -1) {
		fail(c, "target: %s", why);
		release(&t);
		return;
	}
	if ((wfd = open_go(&t, now() + timeout, why, sizeof(why))) == -1) {
		fail(c, "target: %s", why);
		release(&t);
		return;
	}
	pid_s = fmt_pid(t.pid);
	if (tool == 0) {
		argv[0] = (char *)memscope;
		argv[1] = "attach";
		argv[2] = pid_s;
		argv[3] = NULL;
	} else {
		snprintf(ht_out, sizeof(ht_out), "%s/heaptrack", dir);
		argv[0] = (char *)heaptrack;
		argv[1] = "-o";
		argv[2] = ht_out;
		argv[3] = "-p";
		argv[4] = pid_s;
		argv[5] = NULL;
	}

	t0 = now();
	if (spawn(&a, argv, NULL, false, OUT_PIPE, -1, why,
	    sizeof(why)) == -1) {
		fail(c, "%s", why);
		goto out;
	}
	if (await_marker(&a, tool == 0 ? MEMSCOPE_MARKER : HEAPTRACK_MARKER,
	    t0 + timeout, why, sizeof(why)) == -1) {
		fail(c, "%s", why);
		goto out;
	}
	t1 = now();
	/* a line is not a library: the tool's must be in the target now */
	if (!maps_library(t.pid, tool == 0 ? "libmemscope" :
	    "libheaptrack_inject")) {
		fail(c, "its line came, but %s is not mapped in the target",
		    tool == 0 ? "libmemscope" : "libheaptrack_inject");
		goto out;
	}
	if (tool == 0) {
		char *m = strstr(a.buf, MEMSCOPE_MARKER);
		double v;

		if (m != NULL && (m = strstr(m, " in ")) != NULL &&
		    sscanf(m, " in %lf ms", &v) == 1)
			says = v / 1000;
	}

	/* End it the way it ends cleanly, and time that. */
	e0 = now();
	if (tool == 0) {
		signal_proc(&a, SIGINT);
		if (!reap(&a, e0 + timeout)) {
			fail(c, "still running %ld s after SIGINT%s", timeout,
			    last_line(&a, line, sizeof(line)));
			goto out;
		}
		e1 = now();
		if (!WIFEXITED(a.status) || WEXITSTATUS(a.status) != 0) {
			describe_status(a.status, st, sizeof(st));
			fail(c, "%s after SIGINT%s", st, last_line(&a, line,
			    sizeof(line)));
			goto out;
		}
		if (exited(&t)) {
			describe_status(t.status, st, sizeof(st));
			fail(c, "the target died (%s) while attached or at "
			    "the detach", st);
			goto out;
		}
	} else {
		signal_proc(&t, SIGTERM);
		reap(&t, e0 + timeout);
		if (!reap(&a, e0 + timeout)) {
			fail(c, "still running %ld s after its target "
			    "ended%s", timeout, last_line(&a, line,
			    sizeof(line)));
			goto out;
		}
		e1 = now();
	}
	if (record) {
		c->v[c->n] = t1 - t0;
		c->end[c->n] = e1 - e0;
		c->says[c->n] = says;
		c->n++;
	}
out:
	close(wfd);
	release(&a);
	release(&t);
	free(pid_s);
	if (tool == 1) {
		char f[PATH_MAX + 16];

		snprintf(f, sizeof(f), "%s.zst", ht_out);
		unlink(f);
		snprintf(f, sizeof(f), "%s.gz", ht_out);
		unlink(f);
	}
}

static int
mode_attach(int rounds, int warmup, const char *memscope,
    const char *heaptrack, char **target)
{
	struct command c[2] = { { .label = "memscope" },
	    { .label = "heaptrack" } };
	int ntools = heaptrack != NULL ? 2 : 1;
	double base = 0;

	for (int i = 0; i < ntools; i++) {
		c[i].v = xcalloc((size_t)rounds, sizeof(double));
		c[i].end = xcalloc((size_t)rounds, sizeof(double));
		c[i].says = xcalloc((size_t)rounds, sizeof(double));
	}
	for (int r = 0; r < warmup + rounds; r++)
		for (int i = 0; i < ntools; i++)
			if (c[i].failed == NULL)
				attach_once(&c[i], i, memscope, heaptrack,
				    target, r >= warmup);

	printf("%d rounds alternated after %d warm-up, a fresh target each;"
	    " attach = from starting the tool\nto its line, end = from"
	    " SIGINT (memscope) or SIGTERM to the target (heaptrack)\nuntil"
	    " the tool exited\n", rounds, warmup);
	printf("%-10s  %10s %10s %10s  %6s  %10s  %s\n", "tool", "median",
	    "min", "max", "ratio", "end med", "says (med)");
	for (int i = 0; i < ntools; i++) {
		double med, endm;

		if (c[i].failed != NULL) {
			printf("%-10s  failed: %s\n", c[i].label, c[i].failed);
			continue;
		}
		med = median(c[i].v, c[i].n);
		endm = median(c[i].end, c[i].n);
		if (i == 0)
			base = med;
		printf("%-10s  %7.1f ms %7.1f ms %7.1f ms  ", c[i].label,
		    med * 1e3, c[i].v[0] * 1e3, c[i].v[c[i].n - 1] * 1e3);
		if (base > 0)
			printf("%5.2f\u00d7", med / base);
		else
			printf("%6s", "n/a");
		printf("  %7.1f ms", endm * 1e3);
		if (i == 0 && median(c[i].says, c[i].n) >= 0)
			printf("  %.0f ms", median(c[i].says, c[i].n) * 1e3);
		printf("\n");
	}
	return 0;
}

/* --- leaks ------------------------------------------------------------- */

static int
mode_leaks(int rounds, int checks, const char *memscope, char **target)
{
	for (int r = 1; r <= rounds; r++) {
		struct proc t, a, l;
		char why[1024], st[64], line[256], file[PATH_MAX];
		char *argv[4], *pid_s;
		double g0, g1;
		int wfd;

		make_fifo();
		if (spawn(&t, target, fifo_path, true, OUT_PIPE, -1, why,
		    sizeof(why)) == -1 ||
		    (wfd = open_go(&t, now() + timeout, why,
		    sizeof(why))) == -1) {
			printf("failed %d target: %s\n", r, why);
			release(&t);
			continue;
		}
		pid_s = fmt_pid(t.pid);
		argv[0] = (char *)memscope;
		argv[1] = "attach";
		argv[2] = pid_s;
		argv[3] = NULL;
		if (spawn(&a, argv, NULL, false, OUT_PIPE, -1, why,
		    sizeof(why)) == -1 ||
		    await_marker(&a, MEMSCOPE_MARKER, now() + timeout, why,
		    sizeof(why)) == -1) {
			printf("failed %d memscope attach: %s\n", r, why);
			goto next;
		}
		g0 = now();
		send_go(wfd);
		if (await_marker(&t, READY_MARKER, g0 + timeout, why,
		    sizeof(why)) == -1) {
			printf("failed %d target: %s\n", r, why);
			goto next;
		}
		g1 = now();
		printf("built %d %.1f\n", r, (g1 - g0) * 1e3);
		argv[1] = "leaks";
		for (int k = 1; k <= checks; k++) {
			double c0, c1;
			int fd;

			snprintf(file, sizeof(file), "%s/leaks.%d.%d", dir, r,
			    k);
			fd = open(file, O_WRONLY | O_CREAT | O_TRUNC |
			    O_CLOEXEC, 0644);
			if (fd == -1)
				die("%s: %s", file, strerror(errno));
			c0 = now();
			if (spawn(&l, argv, NULL, false, OUT_FD, fd, why,
			    sizeof(why)) == -1) {
				close(fd);
				printf("failed %d memscope leaks: %s\n", r,
				    why);
				release(&l);
				goto next;
			}
			close(fd);
			if (!reap(&l, c0 + timeout)) {
				printf("failed %d memscope leaks: still "
				    "running after %ld s\n", r, timeout);
				release(&l);
				goto next;
			}
			c1 = now();
			printf("check %d %d %.1f %d %s\n", r, k,
			    (c1 - c0) * 1e3, WIFEXITED(l.status) ?
			    WEXITSTATUS(l.status) : 128 + WTERMSIG(l.status),
			    file);
			release(&l);
		}
		signal_proc(&a, SIGINT);
		if (!reap(&a, now() + timeout))
			printf("failed %d memscope attach: still running %ld s"
			    " after SIGINT\n", r, timeout);
		else if (!WIFEXITED(a.status) || WEXITSTATUS(a.status) != 0) {
			describe_status(a.status, st, sizeof(st));
			printf("failed %d memscope attach: %s after SIGINT%s\n",
			    r, st, last_line(&a, line, sizeof(line)));
		} else if (exited(&t)) {
			describe_status(t.status, st, sizeof(st));
			printf("failed %d the target died (%s) while attached"
			    " or at the detach\n", r, st);
		}
next:
		fflush(stdout);
		close(wfd);
		release(&a);
		release(&t);
		free(pid_s);
	}
	return 0;
}

/* --- slowdown ---------------------------------------------------------- */

/* One timed run of workload in mode m (0 native, 1 run, 2 attached). */
static void
slowdown_once(struct command *c, int m, const char *memscope,
    char **workload, int nwords, bool record)
{
	struct proc w = { 0 }, a = { 0 };
	struct proc *ps[2];
	char why[1024], st[64], line[256];
	char **argv, *pid_s = NULL;
	double t0, t1, deadline;
	bool gone = false;
	int wfd = -1;

	make_fifo();
	argv = workload;
	if (m == 1) {
		argv = xcalloc((size_t)nwords + 5, sizeof(*argv));
		argv[0] = (char *)memscope;
		argv[1] = "run";
		argv[2] = "--leak-check=no";
		argv[3] = "--";
		memcpy(argv + 4, workload, (size_t)nwords * sizeof(*argv));
	}
	/* w: the workload, or memscope run over it */
	if (spawn(&w, argv, fifo_path, false, OUT_PIPE, -1, why,
	    sizeof(why)) == -1) {
		fail(c, "%s", why);
		goto out;
	}
	if ((wfd = open_go(&w, now() + timeout, why, sizeof(why))) == -1) {
		fail(c, "%s", why);
		goto out;
	}
	if (m == 2) {
		char *aargv[4];

		pid_s = fmt_pid(w.pid);
		aargv[0] = (char *)memscope;
		aargv[1] = "attach";
		aargv[2] = pid_s;
		aargv[3] = NULL;
		if (spawn(&a, aargv, NULL, false, OUT_PIPE, -1, why,
		    sizeof(why)) == -1 ||
		    await_marker(&a, MEMSCOPE_MARKER, now() + timeout, why,
		    sizeof(why)) == -1) {
			fail(c, "memscope attach: %s", why);
			goto out;
		}
	}
	ps[0] = &w;
	ps[1] = m == 2 ? &a : NULL;

	t0 = now();
	send_go(wfd);
	deadline = t0 + timeout;
	while (!(gone = pump(ps, 2, wfd, ms_left(deadline))) &&
	    now() < deadline)
		;
	t1 = now();
	if (!gone) {
		fail(c, "still running %ld s after go", timeout);
		goto out;
	}

	/* the exit statuses: the workload's, memscope's */
	if (!reap(&w, now() + timeout)) {
		fail(c, "%s still running %ld s after the workload ended",
		    m == 1 ? "memscope run" : "the workload", timeout);
		goto out;
	}
	if (!WIFEXITED(w.status) || WEXITSTATUS(w.status) != 0) {
		describe_status(w.status, st, sizeof(st));
		fail(c, "%s%s", st, last_line(&w, line, sizeof(line)));
		goto out;
	}
	if (m == 2) {
		/* it notices the exit and reports; SIGINT if it does not */
		if (!reap(&a, now() + 10)) {
			fail(c, "memscope attach still running 10 s after its"
			    " target exited");
			goto out;
		}
		if (!WIFEXITED(a.status) || WEXITSTATUS(a.status) != 0) {
			describe_status(a.status, st, sizeof(st));
			fail(c, "memscope attach: %s%s", st, last_line(&a,
			    line, sizeof(line)));
			goto out;
		}
	}
	if (record)
		c->v[c->n++] = t1 - t0;
out:
	if (wfd != -1)
		close(wfd);
	release(&a);
	release(&w);
	free(pid_s);
	if (argv != workload)
		free(argv);
}

static int
mode_slowdown(int rounds, int warmup, const char *memscope, char **workload,
    int nwords)
{
	struct command c[3] = { { .label = "native" }, { .label = "run" },
	    { .label = "attached" } };
	double base = 0;

	for (int i = 0; i < 3; i++)
		c[i].v = xcalloc((size_t)rounds, sizeof(double));
	for (int r = 0; r < warmup + rounds; r++)
		for (int i = 0; i < 3; i++)
			if (c[i].failed == NULL)
				slowdown_once(&c[i], i, memscope, workload,
				    nwords, r >= warmup);

	printf("%d rounds alternated after %d warm-up; from the go byte until"
	    " the workload is gone\n", rounds, warmup);
	printf("%-9s  %10s %10s %10s  %s\n", "command", "median", "min", "max",
	    "ratio");
	for (int i = 0; i < 3; i++) {
		double med;

		if (c[i].failed != NULL) {
			printf("%-9s  failed: %s\n", c[i].label, c[i].failed);
			continue;
		}
		med = median(c[i].v, c[i].n);
		if (i == 0)
			base = med;
		printf("%-9s  %7.1f ms %7.1f ms %7.1f ms  ", c[i].label,
		    med * 1e3, c[i].v[0] * 1e3, c[i].v[c[i].n - 1] * 1e3);
		if (base > 0)
			printf("%.2f\u00d7\n", med / base);
		else
			printf("n/a\n");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode, *memscope, *heaptrack = NULL;
	struct sigaction sa;
	long rounds = 5, warmup = 1, checks = 1;
	int opt, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "attach") != 0 && strcmp(mode, "leaks") != 0 &&
	    strcmp(mode, "slowdown") != 0)
		usage();
	argc--;
	argv++;
	while ((opt = getopt(argc, argv, "+c:d:hH:k:n:w:")) != -1) {
		switch (opt) {
		case 'c':
			checks = parse_long(optarg, "-c", 1);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'H':
			heaptrack = optarg;
			break;
		case 'k':
			timeout = parse_long(optarg, "-k", 1);
			break;
		case 'n':
			rounds = parse_long(optarg, "-n", 1);
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
	/* MEMSCOPE -- CMD ARGS... */
	if (dir == NULL || argc < 3 || strcmp(argv[1], "--") != 0)
		usage();
	memscope = argv[0];
	argv += 2;
	argc -= 2;
	if ((size_t)snprintf(fifo_path, sizeof(fifo_path), "%s/go", dir) >=
	    sizeof(fifo_path))
		die("%s: path too long", dir);

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die("/dev/null: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (strcmp(mode, "attach") == 0)
		rc = mode_attach((int)rounds, (int)warmup, memscope, heaptrack,
		    argv);
	else if (strcmp(mode, "leaks") == 0)
		rc = mode_leaks((int)rounds, (int)checks, memscope, argv);
	else
		rc = mode_slowdown((int)rounds, (int)warmup, memscope, argv,
		    argc);
	unlink(fifo_path);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "proc.h"
#include "source-proc.h"
#include "protocol.h"
#include "ring.h"

/* Append src to the NUL-terminated dst of size bytes, truncating. */
static void
strlcat_(char *dst, const char *src, size_t size)
{
	size_t len = strlen(dst);

	if (len + 1 < size)
		snprintf(dst + len, size - len, "%s", src);
}

void
cmd_print_help(const struct cmd *c, FILE *f)
{
	fprintf(f, "usage: memscope %s %s\n\n%s\n", c->name, c->args, c->summary);
	if (c->help != NULL && c->help[0] != '\0')
		fprintf(f, "\n%s", c->help);
}

void
cmd_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memscope %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: memscope %s %s\nTry 'memscope help %s'.\n",
	    c->name, c->args, c->name);
	exit(EXIT_USAGE);
}

int
cmd_choice(const struct cmd *c, const char *option, const char *value,
    const char *const *choices)
{
	char list[256] = "";
	size_t n = 0;

	for (int i = 0; choices[i] != NULL; i++)
		if (strcmp(choices[i], value) == 0)
			return i;
	while (choices[n] != NULL)
		n++;
	for (size_t i = 0; i < n; i++) {
		strlcat_(list, choices[i], sizeof(list));
		if (i + 2 < n)
			strlcat_(list, ", ", sizeof(list));
		else if (i + 2 == n)
			strlcat_(list, " or ", sizeof(list));
	}
	cmd_usage_error(c, "%s must be %s, not '%s'", option, list, value);
}

long
cmd_parse_number(const struct cmd *c, const char *opt, const char *s, long min,
    long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		cmd_usage_error(c, "%s must be a number from %ld to %ld, not '%s'",
		    opt, min, max, s);
	return v;
}

void
cmd_bad_option(const struct cmd *c, int opt, char **argv)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		cmd_usage_error(c, "option '%s' needs a value", arg);
	if (optopt != 0 && optopt < 256)
		cmd_usage_error(c, "unknown option '-%c'", optopt);
	cmd_usage_error(c, "unknown option '%s'", arg);
}

int
cmd_parse_pid(const char *s, int *pid)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*pid = (int)v;
	return 0;
}

int
cmd_finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("writing output");
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Has memscope CAP_SYS_PTRACE in its effective set (/proc/self/status)? */
static bool
can_ptrace_any(void)
{
	char line[256];
	bool has = false;
	FILE *f = fopen(PROC_ROOT "/self/status", "re");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "CapEff:", 7) == 0) {
			/* CAP_SYS_PTRACE is capability 19 */
			has = (strtoull(line + 7, NULL, 16) >> 19) & 1;
			break;
		}
	fclose(f);
	return has;
}

/* One line saying why the snapshot failed. */
void
cmd_proc_failure(const char *cmd, const char *root, int pid,
    const struct source_proc_error *e)
{
	switch (e->result) {
	case SOURCE_PROC_NO_PROCESS:
		log_warnx("no process %d", pid);
		break;
	case SOURCE_PROC_GONE:
		log_warnx("process %d exited while it was being read", pid);
		break;
	case SOURCE_PROC_DENIED:
		if (can_ptrace_any())
			log_warnx("permission denied reading %s/%d/%s: the kernel "
			    "refused although memscope has CAP_SYS_PTRACE (process "
			    "%d (%s, uid %u) may be in a user namespace above "
			    "memscope's, or a security module forbids it)", root, pid,
			    e->file, pid, e->comm, e->uid);
		else if (geteuid() == 0)
			log_warnx("permission denied reading %s/%d/%s: process %d "
			    "(%s) belongs to uid %u and memscope lacks "
			    "CAP_SYS_PTRACE (in a container, grant it that "
			    "capability)", root, pid, e->file, pid, e->comm, e->uid);
		else
			log_warnx("permission denied reading %s/%d/%s: process %d "
			    "(%s) belongs to uid %u; run memscope as that user "
			    "or as root (reading another user's memory map needs "
			    "CAP_SYS_PTRACE)", root, pid, e->file, pid, e->comm,
			    e->uid);
		break;
	case SOURCE_PROC_THREAD:
		log_warnx("%d is a thread of process %d, whose memory it shares: "
		    "run memscope %s %d", pid, e->tgid, cmd, e->tgid);
		break;
	case SOURCE_PROC_KTHREAD:
		log_warnx("process %d (%s) is a kernel thread: it has no user "
		    "address space", pid, e->comm);
		break;
	case SOURCE_PROC_ZOMBIE:
		log_warnx("process %d (%s) has exited and not been reaped (zombie): "
		    "its address space is gone", pid, e->comm);
		break;
	case SOURCE_PROC_MALFORMED:
		if (e->line != 0)
			log_warnx("%s/%d/%s: line %zu is not in the expected format",
			    root, pid, e->file, e->line);
		else
			log_warnx("%s/%d/%s is not in the expected format", root,
			    pid, e->file);
		break;
	case SOURCE_PROC_IOERR:
	default:
		errno = e->err;
		log_warn("reading %s/%d/%s", root, pid, e->file);
		break;
	}
}

/* "8M", "16384", "64K" → bytes; a power of two the ring accepts. */
uint64_t
cmd_parse_ring_size(const struct cmd *self, const char *s)
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

double
cmd_parse_seconds(const struct cmd *c, const char *opt, const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(d) ||
	    d < 0.1 || d > 3600)
		cmd_usage_error(c, "%s must be a number of seconds from 0.1 to "
		    "3600, not '%s'", opt, s);
	return d;
}

bool
cmd_shim_option(const struct cmd *c, int opt, const char *arg,
    struct shim_choice *s)
{
	switch (opt) {
	case OPT_SHIM_DEPTH:
		s->depth = (int)cmd_parse_number(c, "--depth", arg, 1, MS_MAX_DEPTH);
		return true;
	case OPT_SHIM_NO_STACKS:
		s->depth = 0;
		return true;
	case OPT_SHIM_NO_HEAP_STATS:
		s->stats = false;
		return true;
	case OPT_SHIM_RING_SIZE:
		s->ring = cmd_parse_ring_size(c, arg);
		return true;
	}
	return false;
}

void
cmd_shim_options_string(const struct shim_choice *s, bool follow, bool leaks,
    char *buf, size_t len)
{
	snprintf(buf, len, "depth=%d,follow=%d,ring=%llu,leaks=%d,stats=%d",
	    s->depth, follow, (unsigned long long)s->ring, leaks, s->stats);
}

int
cmd_pid_argument(const struct cmd *c, int argc, char **argv)
{
	int pid;

	if (optind >= argc)
		cmd_usage_error(c, "no PID given");
	if (optind + 1 < argc)
		cmd_usage_error(c, "one PID at a time ('%s' is extra)", argv[optind + 1]);
	if (cmd_parse_pid(argv[optind], &pid) != 0)
		cmd_usage_error(c, "'%s' is not a process id", argv[optind]);
	return pid;
}

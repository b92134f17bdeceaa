#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

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

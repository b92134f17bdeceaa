/* The commands of memscope, dispatched from main through a table. */
#ifndef MEMSCOPE_CMD_H
#define MEMSCOPE_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "log.h"

struct cmd {
	const char	*name;
	const char	*args;		/* "[OPTIONS] PID" */
	const char	*summary;	/* one line, no newline, for --help */
	const char	*help;		/* what it does and its options */
	int		(*exec)(const struct cmd *self, int argc, char **argv);
};

extern const struct cmd cmd_map;
extern const struct cmd cmd_run;
extern const struct cmd cmd_report;
extern const struct cmd cmd_top;
extern const struct cmd cmd_attach;
extern const struct cmd cmd_leaks;

/* The full help of a command. */
void	cmd_print_help(const struct cmd *c, FILE *f);
/* "memscope NAME: MSG", the usage line, and exit 2. */
void	cmd_usage_error(const struct cmd *c, const char *fmt, ...)
	    MS_PRINTF(2, 3) __attribute__((noreturn));
/*
 * The index of value in the NULL-terminated choices, or a usage error
 * "OPTION must be a, b or c, not 'value'".
 */
int	cmd_choice(const struct cmd *c, const char *option, const char *value,
	    const char *const *choices);
/* A whole number from min to max for option opt, or a usage error. */
long	cmd_parse_number(const struct cmd *c, const char *opt, const char *s,
	    long min, long max);
/*
 * The usage error for what getopt_long returned (optstring starting with
 * "+:" or ":"): an unknown option, or one missing its value.
 */
void	cmd_bad_option(const struct cmd *c, int opt, char **argv)
	    __attribute__((noreturn));
/* Parse a PID argument: digits only, 1 .. INT_MAX. Returns 0 or -1. */
int	cmd_parse_pid(const char *s, int *pid);
struct source_proc_error;
/* The one-line error of a failed snapshot of pid under root (/proc), for
 * command cmd ("map"). */
void	cmd_proc_failure(const char *cmd, const char *root, int pid,
	    const struct source_proc_error *e);
/* --ring-size: "8M", "16384", "64K"; a power of two the ring accepts. */
uint64_t cmd_parse_ring_size(const struct cmd *c, const char *s);
/* A number of seconds for option opt, from 0.1 to 3600, or a usage error. */
double	cmd_parse_seconds(const struct cmd *c, const char *opt, const char *s);
/* Flush and check stdout: a full disk is an error, not silence. */
int	cmd_finish_output(void);

#endif

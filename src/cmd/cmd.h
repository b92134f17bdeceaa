/* SPDX-License-Identifier: ISC */
/* The commands of memscope, dispatched from main through a table. */
#ifndef MEMSCOPE_CMD_H
#define MEMSCOPE_CMD_H

#include <stdbool.h>
#include <stddef.h>
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
/*
 * What the shim records, chosen the same way by memscope run and memscope
 * attach: --depth, --no-stacks, --no-heap-stats, --ring-size.
 */
enum {
	OPT_SHIM_DEPTH = 1400,
	OPT_SHIM_NO_STACKS,
	OPT_SHIM_NO_HEAP_STATS,
	OPT_SHIM_RING_SIZE,
};

#define CMD_SHIM_OPTIONS \
	{ "depth", required_argument, NULL, OPT_SHIM_DEPTH }, \
	{ "no-stacks", no_argument, NULL, OPT_SHIM_NO_STACKS }, \
	{ "no-heap-stats", no_argument, NULL, OPT_SHIM_NO_HEAP_STATS }, \
	{ "ring-size", required_argument, NULL, OPT_SHIM_RING_SIZE }

struct shim_choice {
	int		 depth;		/* frames per stack, 0: none */
	bool		 stats;		/* not --no-heap-stats */
	uint64_t	 ring;		/* bytes of the ring's data area */
};

#define SHIM_CHOICE_DEFAULT	{ .depth = 64, .stats = true, .ring = 8u << 20 }

/* Handle opt if it is one of CMD_SHIM_OPTIONS. */
bool	cmd_shim_option(const struct cmd *c, int opt, const char *arg,
	    struct shim_choice *s);
/* The shim's MEMSCOPE_OPTIONS for s, in buf. */
void	cmd_shim_options_string(const struct shim_choice *s, bool follow,
	    bool leaks, char *buf, size_t len);
/* The one PID argument at argv[optind], or a usage error. */
int	cmd_pid_argument(const struct cmd *c, int argc, char **argv);

/* --ring-size: "8M", "16384", "64K"; a power of two the ring accepts. */
uint64_t cmd_parse_ring_size(const struct cmd *c, const char *s);
/* A number of seconds for option opt, from 0.1 to 3600, or a usage error. */
double	cmd_parse_seconds(const struct cmd *c, const char *opt, const char *s);
/* Flush and check stdout: a full disk is an error, not silence. */
int	cmd_finish_output(void);

#endif

/* SPDX-License-Identifier: ISC */
/* memscope: where a Linux process's memory goes. main() and dispatch. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

static const struct cmd *const commands[] = {
	&cmd_map,
	&cmd_run,
	&cmd_report,
	&cmd_top,
	&cmd_attach,
	&cmd_leaks,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cmd *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: memscope [--help | --version] COMMAND [ARGS]\n\n"
	    "Memory introspection for Linux processes.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "  %-8s %s\n", "help", "Show the options of a command.");
	fprintf(f, "\nRun 'memscope help COMMAND' for a command's options; "
	    "see memscope(1).\n");
}

static int
help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2) {
		fprintf(stderr, "memscope help: one command at a time ('%s' is extra)\n",
		    argv[2]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return cmd_finish_output();
	}
	if ((c = find_command(argv[1])) == NULL) {
		fprintf(stderr, "memscope help: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd_print_help(c, stdout);
	return cmd_finish_output();
}

int
main(int argc, char **argv)
{
	const struct cmd *c;
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return cmd_finish_output();
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("memscope %s\n", PACKAGE_VERSION);
		return cmd_finish_output();
	}
	if (strcmp(name, "help") == 0)
		return help(argc - 1, argv + 1);
	if (name[0] == '-') {
		fprintf(stderr, "memscope: unknown option '%s'\n", name);
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((c = find_command(name)) == NULL) {
		fprintf(stderr, "memscope: unknown command '%s'\n", name);
		usage(stderr);
		return EXIT_USAGE;
	}
	return c->exec(c, argc - 1, argv + 1);
}

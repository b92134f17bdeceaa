/* SPDX-License-Identifier: ISC */
/*
 * Shared by the test targets: each writes "key value..." facts to the file
 * named by argv[1], then "ready", then waits until its stdin is closed.
 */
#ifndef MEMSCOPE_TARGET_H
#define MEMSCOPE_TARGET_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static FILE *target_facts;

static void
target_open(int argc, char **argv)
{
	if (argc < 2 || (target_facts = fopen(argv[1], "w")) == NULL) {
		fprintf(stderr, "usage: %s FACTS-FILE\n", argv[0]);
		exit(99);
	}
}

static void __attribute__((format(printf, 1, 2)))
target_fact(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(target_facts, fmt, ap);
	va_end(ap);
	fputc('\n', target_facts);
}

static void
target_ready_and_wait(void)
{
	char c;

	fputs("ready\n", target_facts);
	fclose(target_facts);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
}

static void __attribute__((noreturn))
target_die(const char *what)
{
	perror(what);
	exit(99);
}

#endif

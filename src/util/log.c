/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void (*log_cleanup)(void);
static FILE *held;		/* log_hold: the messages meanwhile */
static char *held_text;
static size_t held_len;
/*
 * The message of a fatal exit, printed after the held ones: in a buffer
 * of its own, for a held stream cannot grow when memory has run out.
 */
static char fatal_line[1024];

void
log_set_cleanup(void (*cleanup)(void))
{
	log_cleanup = cleanup;
}

void
log_hold(int hold)
{
	if (hold && held == NULL) {
		held = open_memstream(&held_text, &held_len);
		return;
	}
	if (hold || held == NULL)
		return;
	fclose(held);
	held = NULL;
	if (held_len > 0)
		fwrite(held_text, 1, held_len, stderr);
	free(held_text);
	held_text = NULL;
	held_len = 0;
}

static void
log_vprint(int with_errno, int saved_errno, const char *fmt, va_list ap)
{
	FILE *f = held != NULL ? held : stderr;

	fflush(stdout);
	fputs("memscope: ", f);
	vfprintf(f, fmt, ap);
	if (with_errno)
		fprintf(f, ": %s", strerror(saved_errno));
	fputc('\n', f);
}

/* Keep the fatal message (with strerror(saved_errno) when with_errno). */
static void
log_vfatal(int with_errno, int saved_errno, const char *fmt, va_list ap)
{
	size_t n;

	n = (size_t)snprintf(fatal_line, sizeof(fatal_line), "memscope: ");
	vsnprintf(fatal_line + n, sizeof(fatal_line) - n, fmt, ap);
	n = strlen(fatal_line);
	if (with_errno)
		snprintf(fatal_line + n, sizeof(fatal_line) - n, ": %s",
		    strerror(saved_errno));
}

static void __attribute__((noreturn))
log_die(void)
{
	int later = held != NULL;	/* once the dashboard is gone */

	fflush(stdout);
	if (!later)
		fprintf(stderr, "%s\n", fatal_line);
	if (log_cleanup != NULL) {
		void (*cleanup)(void) = log_cleanup;

		log_cleanup = NULL;	/* a failure inside cleanup must not loop */
		cleanup();
	}
	log_hold(0);
	if (later)
		fprintf(stderr, "%s\n", fatal_line);
	exit(EXIT_RUNTIME);
}

void
fatal(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vfatal(1, saved_errno, fmt, ap);
	va_end(ap);
	log_die();
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfatal(0, 0, fmt, ap);
	va_end(ap);
	log_die();
}

void
log_warn(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vprint(1, saved_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(0, 0, fmt, ap);
	va_end(ap);
}

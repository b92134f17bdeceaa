#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void (*log_cleanup)(void);

void
log_set_cleanup(void (*cleanup)(void))
{
	log_cleanup = cleanup;
}

static void
log_vprint(int with_errno, int saved_errno, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("memscope: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved_errno));
	fputc('\n', stderr);
}

static void __attribute__((noreturn))
log_die(void)
{
	if (log_cleanup != NULL) {
		void (*cleanup)(void) = log_cleanup;

		log_cleanup = NULL;	/* a failure inside cleanup must not loop */
		cleanup();
	}
	exit(EXIT_RUNTIME);
}

void
fatal(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vprint(1, saved_errno, fmt, ap);
	va_end(ap);
	log_die();
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(0, 0, fmt, ap);
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

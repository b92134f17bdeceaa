/* SPDX-License-Identifier: ISC */
/* Diagnostics of the analyzer: one line on stderr, prefixed "memscope: ". */
#ifndef MEMSCOPE_LOG_H
#define MEMSCOPE_LOG_H

#define MS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Exit statuses shared by every command. */
enum {
	EXIT_RUNTIME = 1,	/* the job could not be done (bad PID, I/O) */
	EXIT_USAGE = 2,		/* bad command line */
};

/* Called before a fatal exit, to restore the terminal when a dashboard is up. */
void	log_set_cleanup(void (*cleanup)(void));
/*
 * While a dashboard has the screen, messages are held (they would tear
 * it, and vanish with it); released, they come out on stderr in order.
 */
void	log_hold(int hold);

/* Print "memscope: MSG: strerror(errno)" and exit 1. */
void	fatal(const char *fmt, ...) MS_PRINTF(1, 2) __attribute__((noreturn));
/* Print "memscope: MSG" and exit 1. */
void	fatalx(const char *fmt, ...) MS_PRINTF(1, 2) __attribute__((noreturn));
/* Print "memscope: MSG: strerror(errno)" and go on. */
void	log_warn(const char *fmt, ...) MS_PRINTF(1, 2);
/* Print "memscope: MSG" and go on. */
void	log_warnx(const char *fmt, ...) MS_PRINTF(1, 2);

#endif

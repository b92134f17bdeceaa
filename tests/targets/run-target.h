/* SPDX-License-Identifier: ISC */
/*
 * Shared by the targets of the `memscope run` tests. Each keeps by hand the
 * figures memscope must report (struct book, the counting rules of the
 * JSON summary) and writes them at the end as "key value" lines to the file
 * named by argv[1], for the .test script to compare.
 *
 * No stdio before the end, and none at all for the figures: stdio's first
 * use mallocs a buffer that stays live. The figures are formatted with
 * snprintf into a stack buffer (glibc's does not allocate for these simple
 * formats) and written with write(2).
 */
#ifndef MEMSCOPE_RUN_TARGET_H
#define MEMSCOPE_RUN_TARGET_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What memscope counts for one process (see the summary in the JSON). */
struct book {
	uint64_t	allocations;
	uint64_t	frees;
	uint64_t	reallocs;
	uint64_t	bytes_allocated;
	uint64_t	peak_live_bytes;
	uint64_t	peak_live_blocks;
	uint64_t	live_bytes;
	uint64_t	live_blocks;
	uint64_t	mmaps;
	uint64_t	munmaps;
};

static inline void
book_peak(struct book *b)
{
	if (b->live_bytes > b->peak_live_bytes)
		b->peak_live_bytes = b->live_bytes;
	if (b->live_blocks > b->peak_live_blocks)
		b->peak_live_blocks = b->live_blocks;
}

/* A block of n requested bytes was made. */
static inline void
book_alloc(struct book *b, size_t n)
{
	b->allocations++;
	b->bytes_allocated += n;
	b->live_bytes += n;
	b->live_blocks++;
	book_peak(b);
}

/* A block of n requested bytes was freed. */
static inline void
book_free(struct book *b, size_t n)
{
	b->frees++;
	b->live_bytes -= n;
	b->live_blocks--;
}

/* A live block of old_n bytes was resized to new_n (> 0) bytes. */
static inline void
book_realloc(struct book *b, size_t old_n, size_t new_n)
{
	b->reallocs++;
	b->bytes_allocated += new_n;
	b->live_bytes = b->live_bytes - old_n + new_n;
	book_peak(b);
}

/* Add what another thread counted; the peaks are the caller's business. */
static inline void
book_add(struct book *to, const struct book *from)
{
	to->allocations += from->allocations;
	to->frees += from->frees;
	to->reallocs += from->reallocs;
	to->bytes_allocated += from->bytes_allocated;
	to->live_bytes += from->live_bytes;
	to->live_blocks += from->live_blocks;
	to->mmaps += from->mmaps;
	to->munmaps += from->munmaps;
}

/*
 * Keeps the compiler from proving a block unused: GCC may delete a
 * malloc/free pair whose pointer does not escape, or fold malloc + memset
 * into calloc. The empty asm takes the pointer and clobbers memory.
 */
static inline void *
keep(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

/*
 * The same pointer, but the compiler no longer knows it: for calls meant
 * to fail (realloc(p, SIZE_MAX)), after which p is still live, so that
 * -Wuse-after-free does not take p for freed.
 */
static inline void *
launder(void *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

/* "what: errno N" on stderr, exit 99 (the harness's hard error). */
static void __attribute__((noreturn, unused))
run_die(const char *what)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "run target: %s: errno %d\n", what, errno);
	if (n > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	_exit(99);
}

/* Opens the facts file named on the command line (argv[1]). */
static int __attribute__((unused))
facts_open(int argc, char **argv)
{
	int fd;

	if (argc < 2) {
		static const char usage[] = "usage: run-target FACTS-FILE [ARGS...]\n";

		(void)!write(STDERR_FILENO, usage, sizeof(usage) - 1);
		_exit(99);
	}
	if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		run_die(argv[1]);
	return fd;
}

/* Writes all of buf, or dies. */
static void __attribute__((unused))
facts_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			run_die("write");
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* One fact: "PREFIXkey value\n". */
static void __attribute__((unused))
facts_u64(int fd, const char *prefix, const char *key, uint64_t v)
{
	char buf[160];
	int n;

	n = snprintf(buf, sizeof(buf), "%s%s %llu\n", prefix, key, (unsigned long long)v);
	if (n < 0 || (size_t)n >= sizeof(buf))
		run_die("snprintf");
	facts_write(fd, buf, (size_t)n);
}

/* One fact with a string value: "PREFIXkey value\n". */
static void __attribute__((unused))
facts_str(int fd, const char *prefix, const char *key, const char *v)
{
	facts_write(fd, prefix, strlen(prefix));
	facts_write(fd, key, strlen(key));
	facts_write(fd, " ", 1);
	facts_write(fd, v, strlen(v));
	facts_write(fd, "\n", 1);
}

/* The ten summary figures, under the JSON's names. */
static void __attribute__((unused))
facts_book(int fd, const char *prefix, const struct book *b)
{
	facts_u64(fd, prefix, "allocations", b->allocations);
	facts_u64(fd, prefix, "frees", b->frees);
	facts_u64(fd, prefix, "reallocs", b->reallocs);
	facts_u64(fd, prefix, "bytes_allocated", b->bytes_allocated);
	facts_u64(fd, prefix, "peak_live_bytes", b->peak_live_bytes);
	facts_u64(fd, prefix, "peak_live_blocks", b->peak_live_blocks);
	facts_u64(fd, prefix, "live_bytes_at_exit", b->live_bytes);
	facts_u64(fd, prefix, "live_blocks_at_exit", b->live_blocks);
	facts_u64(fd, prefix, "mmaps", b->mmaps);
	facts_u64(fd, prefix, "munmaps", b->munmaps);
}

/* A decimal argument, or die. */
static unsigned long __attribute__((unused))
arg_ulong(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		run_die("not a number");
	return v;
}

#endif

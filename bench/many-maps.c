/* SPDX-License-Identifier: ISC */
/*
 * many-maps: a process with a very large address space map, to time
 * `memscope map` against `pmap -X` where the per-mapping cost dominates.
 *
 *	many-maps [COUNT]
 *
 * Creates COUNT (default 10000) extra mappings, all resident, prints "ready"
 * and waits until its stdin is closed or a signal ends it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "many-maps: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long
count_maps(void)
{
	FILE *f;
	long n = 0;
	int ch;

	if ((f = fopen("/proc/self/maps", "re")) == NULL)
		die("/proc/self/maps");
	while ((ch = getc(f)) != EOF)
		if (ch == '\n')
			n++;
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	long count = 10000, npages, page, before, after;
	char buf[256], *end, *base;

	if (argc > 2) {
		fprintf(stderr, "usage: many-maps [COUNT]\n");
		return 2;
	}
	if (argc == 2) {
		errno = 0;
		count = strtol(argv[1], &end, 10);
		if (errno != 0 || end == argv[1] || *end != '\0' ||
		    count < 1 || count > 1000000) {
			fprintf(stderr, "many-maps: bad COUNT '%s'\n", argv[1]);
			return 2;
		}
	}
	/* Never outlive the benchmark that started us, however it ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	/*
	 * Adjacent anonymous VMAs merge when their flags match, so every other
	 * page gets a different protection: N pages make N VMAs. Two spare
	 * pages cover the ends merging with neighbouring mappings.
	 */
	page = sysconf(_SC_PAGESIZE);
	npages = count + 2;
	before = count_maps();
	base = mmap(NULL, (size_t)(npages * page), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		die("mmap");
	/* Dirty every page first: read-only pages could not be touched. */
	memset(base, 0xa5, (size_t)(npages * page));
	for (long i = 1; i < npages; i += 2)
		if (mprotect(base + i * page, (size_t)page, PROT_READ) == -1)
			die("mprotect (is vm.max_map_count too low?)");
	after = count_maps();
	if (after - before < count) {
		fprintf(stderr, "many-maps: only %ld new mappings, wanted %ld\n",
		    after - before, count);
		return 1;
	}

	printf("ready\n");
	if (fflush(stdout) != 0)
		die("stdout");
	/* Wait for EOF on stdin: the driver closes it to stop us. */
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));

		if (n == 0 || (n == -1 && errno != EINTR))
			return 0;
	}
}

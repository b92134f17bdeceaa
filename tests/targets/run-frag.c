/* SPDX-License-Identifier: ISC */
/*
 * A fragmenting program, for run-bins.test: many small blocks, every other
 * one freed, then large blocks that cannot use the holes. It writes what
 * glibc's mallinfo2() says at its end to the file argv[1] ("key value"
 * lines), and memscope's sample of the allocator at the process's end
 * must say the same.
 */
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NSMALL	20000
#define NLARGE	100

static void *small[NSMALL], *large[NLARGE];

static int
fact(int fd, const char *key, size_t value)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s %zu\n", key, value);

	return write(fd, line, (size_t)n) == n ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct mallinfo2 mi;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return 2;
	for (int i = 0; i < NSMALL; i++)
		if ((small[i] = malloc(100)) == NULL)
			return 2;
	for (int i = 0; i < NSMALL; i += 2)
		free(small[i]);
	for (int i = 0; i < NLARGE; i++)
		if ((large[i] = malloc(10000)) == NULL)
			return 2;
	mi = mallinfo2();
	if (fact(fd, "system_bytes", mi.arena + mi.hblkhd) != 0 ||
	    fact(fd, "in_use_bytes", mi.uordblks + mi.hblkhd) != 0 ||
	    fact(fd, "free_bytes", mi.fordblks) != 0 ||
	    fact(fd, "top_bytes", mi.keepcost) != 0 ||
	    fact(fd, "free_chunks", mi.ordblks) != 0 ||
	    fact(fd, "mmapped_bytes", mi.hblkhd) != 0)
		return 2;
	close(fd);
	return 0;
}

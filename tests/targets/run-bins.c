/* SPDX-License-Identifier: ISC */
/*
 * A known size distribution, for run-bins.test: blocks of a few sizes,
 * some freed, two large enough that glibc maps them on their own. It
 * writes, per size bin, what memscope must report, to the file argv[1]:
 * "bin MIN allocations frees live_blocks live_bytes usable_bytes" lines
 * (MIN "mmap" for the mmap'd bin, told by glibc's chunk header), usable
 * bytes from malloc_usable_size.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#define NBINS	8
#define MMAP	(~0ul)

struct bin {
	unsigned long	 min;
	unsigned long	 allocations, frees, live, live_bytes, usable;
};

/* glibc: the chunk was mapped on its own (IS_MMAPPED in its header) */
static int
mapped(void *p)
{
	/* the compiler cannot know glibc's header sits before the block */
	const char *volatile at = (const char *)p - sizeof(size_t);
	size_t head;

	memcpy(&head, at, sizeof(head));
	return (head & 2) != 0;
}

static struct bin bins[NBINS];

static struct bin *
bin_of(unsigned long min)
{
	for (int i = 0; i < NBINS; i++)
		if (bins[i].min == min || bins[i].allocations == 0) {
			bins[i].min = min;
			return &bins[i];
		}
	abort();
}

/* the lowest size of the bin of n, as memscope's bins cut sizes */
static unsigned long
bin_min(size_t n)
{
	unsigned long p = 2048;

	if (n <= 8)
		return 0;
	if (n <= 128)
		return (n - 1) / 8 * 8 + 1;
	if (n <= 1024)
		return (n - 129) / 16 * 16 + 129;
	while (p < n)
		p *= 2;
	return p / 2 + 1;
}

static void *blocks[256];
static size_t sizes[256];
static int nblocks;

static void
take(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		abort();
	blocks[nblocks] = p;
	sizes[nblocks++] = n;
	bin_of(mapped(p) ? MMAP : bin_min(n))->allocations++;
}

static void
drop(int i)
{
	struct bin *b = bin_of(mapped(blocks[i]) ? MMAP : bin_min(sizes[i]));

	b->frees++;
	free(blocks[i]);
	blocks[i] = NULL;
}

int
main(int argc, char **argv)
{
	static const size_t mix[][2] = { { 8, 100 }, { 24, 50 }, { 100, 20 },
	    { 200, 10 }, { 3000, 5 }, { 1 << 20, 2 } };
	char line[160];
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return 2;
	for (size_t k = 0; k < sizeof(mix) / sizeof(mix[0]); k++)
		for (size_t i = 0; i < mix[k][1]; i++)
			take(mix[k][0]);
	/* every other 8-byte block, ten of the 24-byte ones, one mapped one */
	for (int i = 0; i < 100; i += 2)
		drop(i);
	for (int i = 100; i < 110; i++)
		drop(i);
	drop(nblocks - 1);
	for (int i = 0; i < nblocks; i++) {
		struct bin *b;

		if (blocks[i] == NULL)
			continue;
		b = bin_of(mapped(blocks[i]) ? MMAP : bin_min(sizes[i]));
		b->live++;
		b->live_bytes += sizes[i];
		b->usable += malloc_usable_size(blocks[i]);
	}
	for (int i = 0; i < NBINS && bins[i].allocations > 0; i++) {
		char min[24];
		int n;

		if (bins[i].min == MMAP)
			snprintf(min, sizeof(min), "mmap");
		else
			snprintf(min, sizeof(min), "%lu", bins[i].min);
		n = snprintf(line, sizeof(line), "bin %s %lu %lu %lu %lu %lu\n",
		    min, bins[i].allocations, bins[i].frees, bins[i].live,
		    bins[i].live_bytes, bins[i].usable);

		if (write(fd, line, (size_t)n) != n)
			return 2;
	}
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * A known amount of allocation work with a checksum of what the program
 * wrote into its blocks: its output must be the same whatever happens to
 * memscope (killed, out of memory, writing to a full disk), and the same
 * as without memscope.
 *
 * usage: run-work FACTS-FILE ROUNDS SLOTS [keep] [wait]
 *   Writes "pid PID" to FACTS-FILE at once; with "wait", then reads its
 *   standard input until it ends (for the test to act first). Then ROUNDS
 *   times: a slot out
 *   of SLOTS chosen by a fixed pseudo-random sequence; the block in it, if
 *   any, is summed into the checksum and freed; a block of 1 to 512 bytes
 *   (every 64th grown by realloc) is made, filled with bytes of the
 *   sequence and put in the slot. Ten times along the way, and at the end,
 *   prints "round N checksum X" on stdout (write(2), no stdio). At the end
 *   frees every block still in a slot, after summing it, unless "keep"
 *   (then the blocks are live at exit), writes its summary figures to
 *   FACTS-FILE and exits with status 7. The slot array itself is one more
 *   block (malloc'd first, freed last, or kept with "keep").
 */
#define _GNU_SOURCE

#include "run-target.h"

static struct book bk;
static uint64_t sum = 1469598103934665603ull;	/* FNV-1a's offset basis */

static uint32_t
next(uint32_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 17;
	*rng ^= *rng << 5;
	return *rng;
}

/* Sums a block (its size, its first and its last byte: cheap, and the
 * bytes are the program's to keep). */
static void
add(const unsigned char *p, size_t n)
{
	sum = (sum ^ n) * 1099511628211ull;
	sum = (sum ^ p[0]) * 1099511628211ull;
	sum = (sum ^ p[n - 1]) * 1099511628211ull;
}

static void
say(unsigned long round)
{
	char buf[96];
	int n;

	n = snprintf(buf, sizeof(buf), "round %lu checksum %016llx\n", round,
	    (unsigned long long)sum);
	if (n < 0 || (size_t)n >= sizeof(buf))
		run_die("snprintf");
	facts_write(STDOUT_FILENO, buf, (size_t)n);
}

int
main(int argc, char **argv)
{
	unsigned long rounds, nslots, r, s;
	uint32_t rng = 88172645u;
	unsigned char **slot;
	size_t *len, n;
	int fd, keep_blocks = 0, wait_eof = 0, i;
	char c;

	fd = facts_open(argc, argv);
	if (argc < 4)
		run_die("usage: run-work FACTS-FILE ROUNDS SLOTS [keep] [wait]");
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "keep") == 0)
			keep_blocks = 1;
		else if (strcmp(argv[i], "wait") == 0)
			wait_eof = 1;
		else
			run_die("usage: run-work FACTS-FILE ROUNDS SLOTS [keep] [wait]");
	}
	facts_u64(fd, "", "pid", (uint64_t)getpid());
	rounds = arg_ulong(argv[2]);
	nslots = arg_ulong(argv[3]);
	if (nslots == 0)
		run_die("SLOTS must be at least 1");
	while (wait_eof) {
		ssize_t got = read(STDIN_FILENO, &c, 1);

		if (got == 0 || (got == -1 && errno != EINTR))
			break;
	}

	/* the slots, and their sizes, in one block */
	n = nslots * (sizeof(*slot) + sizeof(*len));
	if ((slot = keep(calloc(1, n))) == NULL)
		run_die("calloc");
	book_alloc(&bk, n);
	len = (size_t *)(slot + nslots);

	for (r = 0; r < rounds; r++) {
		s = next(&rng) % nslots;
		if (slot[s] != NULL) {
			add(slot[s], len[s]);
			free(slot[s]);
			book_free(&bk, len[s]);
		}
		n = 1 + next(&rng) % 512;
		if ((slot[s] = keep(malloc(n))) == NULL)
			run_die("malloc");
		book_alloc(&bk, n);
		if (r % 64 == 63) {
			size_t m = n + 1 + next(&rng) % 1024;
			unsigned char *p = keep(realloc(slot[s], m));

			if (p == NULL)
				run_die("realloc");
			book_realloc(&bk, n, m);
			slot[s] = p;
			n = m;
		}
		len[s] = n;
		memset(slot[s], (int)(next(&rng) & 0xff), n);
		slot[s][n - 1] = (unsigned char)(r & 0xff);
		if (rounds >= 10 && (r + 1) % (rounds / 10) == 0)
			say(r + 1);
	}
	for (s = 0; s < nslots; s++)
		if (slot[s] != NULL) {
			add(slot[s], len[s]);
			if (!keep_blocks) {
				free(slot[s]);
				book_free(&bk, len[s]);
			}
		}
	if (!keep_blocks) {
		free(slot);
		book_free(&bk, nslots * (sizeof(*slot) + sizeof(*len)));
	}
	say(rounds);
	facts_book(fd, "", &bk);
	facts_write(fd, "done\n", 5);
	close(fd);
	return 7;
}

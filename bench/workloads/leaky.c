/* SPDX-License-Identifier: ISC */
/*
 * leaky: a heap for a leak checker to classify, with its leak figures
 * known exactly.
 *
 *	leaky [BLOCKS [MIB [FIGURES]]]
 *
 * BLOCKS (default 1,000,000) small blocks of 32 B to 1 KiB (mostly under
 * 64 B), linked into structures and left live at exit, built interleaved
 * so that reachable and lost blocks sit side by side in the heap:
 *
 *   - ~50 % complete binary trees (left, right in the first two words)
 *     whose roots are in a malloc'd array a global points to; a node
 *     now and then holds an interior pointer (16 bytes in) to another
 *     reachable node. One tree in four has a subtree cut off (its
 *     parent's pointer nulled): a lost subtree;
 *   - ~15 % 256 singly linked lists from global heads, some nodes with an
 *     interior pointer to a reachable node;
 *   - ~5 % chains of a hash table (a reachable block of bucket pointers);
 *   - ~5 % intrusive lists: each node is linked only through a pointer
 *     16 bytes into it, never to its start, so memcheck's rules make every
 *     node possibly lost (no heuristic accepts an offset of 16 with these
 *     contents);
 *   - ~25 % lost: trees (the root definitely lost, the rest indirectly),
 *     cycles and doubly linked lists whose back pointers are interior
 *     (one block definitely lost, the one of lowest address, and the others
 *     indirectly: all blocks of one such structure have one size, so the
 *     figures do not depend on where malloc put them), and single blocks.
 *
 * The small blocks average 141 bytes: 135 MiB for a million. Then MIB
 * (default 384) MiB of large reachable blocks (1 to 8 MiB each, kept by a
 * global array), filled like program data: zeros, small integers, text,
 * doubles, random bits with the top bit set, and one word in 64 a pointer
 * (to the start of a reachable block, or 16 bytes in). No word of data
 * can be taken for a pointer: every filled word is below 65,536 or has one
 * of its top 16 bits set. A leak checker reads every live block, so the
 * defaults give it about 520 MiB to scan.
 *
 * Nothing is freed, so no allocator state points into the heap, and when
 * the building is over a stretch of stack below main and the caller-saved
 * registers are zeroed, so that no stale copy of a lost block's address
 * survives. The process prints nothing. With FIGURES it writes there what a
 * leak checker with memcheck's rules (valgrind --leak-check=full, memscope
 * run) must report for its blocks:
 *
 *	definitely BYTES BLOCKS
 *	indirectly BYTES BLOCKS
 *	possibly BYTES BLOCKS
 *	reachable BYTES BLOCKS
 *	blocks BLOCKS		(all live blocks, the large ones included)
 *	bytes BYTES
 *
 * Fixed seed: every run builds the same heap (the same sizes, in the same
 * order). Exit status 0; 1 if out of memory, 2 on a bad argument.
 *
 * For bench/attach.sh (workload.h): with BENCH_GO it waits for the go byte
 * before building anything, so that every block is allocated after a tool
 * attached; with BENCH_HOLD, the figures written, it prints "ready" and
 * idles until killed, its heap live for `memscope leaks` to check.
 *
 * Under valgrind a lost block is now and then (one in 250,000 blocks
 * built, at some sizes) counted still reachable: valgrind puts the heap at
 * low addresses (0x4a00000 up), where the ELF hashes of symbol version
 * names that ld.so keeps in its data (0x0696919x...) can equal a block's
 * address. That is valgrind's layout, not a stale pointer of leaky's: with
 * BLOCKS 100,000 and MIB 64, as `make bench-leaks` runs it, valgrind's
 * figures are these exactly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

/* its figures must not depend on stale pointers in dead frames: the leak
 * test targets' scrub, over more stack */
#define LEAK_SCRUB_BYTES	(64 * 1024)
#include "leak-target.h"

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define NOINLINE	__attribute__((noipa))
#else
#define NOINLINE	__attribute__((noinline))
#endif

#define DEF_BLOCKS	1000000L
#define DEF_MIB		384L
#define NLISTS		256
#define NINTRUSIVE	16
#define RESERVOIR	4096
#define MAX_LARGE	8192
#define INTERIOR	16	/* offset of the interior pointers */

enum fate { DEF, IND, POSS, REACH, NFATES };

static const char *const fate_name[NFATES] = {
	"definitely", "indirectly", "possibly", "reachable"
};

/* What the leak checker must find: bytes and blocks of each kind. */
static uint64_t fig_bytes[NFATES], fig_blocks[NFATES];

/*
 * The roots, all in .bss; none ever points to a lost block. Volatile: the
 * program never reads some of them, and the compiler would drop the
 * stores, losing what they keep.
 */
static uint64_t *volatile *volatile tree_roots;	/* malloc'd */
static size_t n_trees;
static uint64_t *volatile list_head[NLISTS];
static uint64_t *list_tail[NLISTS];
static uint64_t *volatile *volatile table;	/* hash table of chains */
static size_t table_size;
static char *volatile intrusive_head[NINTRUSIVE];	/* a node + INTERIOR */
static uint64_t *reservoir[RESERVOIR];	/* reachable small blocks */
static size_t n_reservoir;
static uint64_t *volatile large[MAX_LARGE];

static struct rng r = { 0x1eaf };

static void
count(enum fate f, size_t size)
{
	fig_bytes[f] += size;
	fig_blocks[f]++;
}

static void *
alloc(size_t size)
{
	return workload_alloc(size, "leaky");
}

/* 32 B to 1 KiB, mostly small. */
static size_t
small_size(void)
{
	uint64_t p = rng_below(&r, 100);

	if (p < 60)
		return 32 + (size_t)rng_below(&r, 33);		/* 32-64 */
	if (p < 90)
		return 65 + (size_t)rng_below(&r, 192);	/* 65-256 */
	return 257 + (size_t)rng_below(&r, 768);		/* 257-1024 */
}

/*
 * A word of program data that is no address: zero, an integer below
 * 65,536 (no mapping is that low), eight letters of text, a double
 * between 1 and 10^6, or random bits with the top bit set (compressed or
 * hashed data). The last three have a top byte that no user-space address
 * has.
 */
static uint64_t
data_word(void)
{
	uint64_t x = rng_next(&r), p = x % 100, w;
	double d;

	if (p < 25)
		return 0;
	if (p < 50)
		return (x >> 8) & 0xffff;
	if (p < 75) {
		w = 0;
		for (int i = 0; i < 8; i++)
			w |= (uint64_t)('a' + ((x >> (8 + 5 * i)) % 26)) << (8 * i);
		return w;
	}
	if (p < 90) {
		d = 1.0 + (double)((x >> 8) % 1000000000) / 1000.0;
		memcpy(&w, &d, sizeof(w));
		return w;
	}
	return x | 0x8000000000000000ULL;
}

/* Fill words [from, size / 8) of a block with data; tail bytes too. */
static void
fill(uint64_t *b, size_t size, size_t from)
{
	size_t n = size / 8;

	for (size_t i = from; i < n; i++)
		b[i] = data_word();
	memset((char *)b + n * 8, 0xa5, size - n * 8);
}

static void
remember(uint64_t *b)
{
	if (n_reservoir < RESERVOIR)
		reservoir[n_reservoir++] = b;
	else
		reservoir[rng_below(&r, RESERVOIR)] = b;
}

/* A reachable block to point to, to its start or 16 bytes in; or data. */
static uint64_t
some_pointer(void)
{
	uint64_t *b;

	if (n_reservoir == 0)
		return data_word();
	b = reservoir[rng_below(&r, n_reservoir)];
	if (rng_below(&r, 2) == 0)
		return (uint64_t)(uintptr_t)b;
	return (uint64_t)(uintptr_t)((char *)b + INTERIOR);
}


/*
 * A complete binary tree of depth d (2^d - 1 nodes): its root of fate
 * root_fate, the other nodes of fate f. Each node is allocated before its
 * children or after them, at random, so that a root is not always the
 * lowest address of its tree. A node's third word is now and then a
 * pointer to a reachable block.
 */
static NOINLINE uint64_t *
tree(int d, enum fate f, enum fate root_fate)
{
	size_t size = small_size();
	int before = rng_below(&r, 2) == 0;
	uint64_t *n = NULL, *left = NULL, *right = NULL;

	if (before)
		n = alloc(size);
	if (d > 1) {
		left = tree(d - 1, f, f);
		right = tree(d - 1, f, f);
	}
	if (!before)
		n = alloc(size);
	n[0] = (uint64_t)(uintptr_t)left;
	n[1] = (uint64_t)(uintptr_t)right;
	n[2] = rng_below(&r, 8) == 0 ? some_pointer() : data_word();
	fill(n, size, 3);
	count(root_fate, size);
	if (root_fate == REACH)
		remember(n);
	return n;
}

/* The depth of the largest complete tree of at most budget nodes, <= d. */
static int
fit_depth(int d, long budget)
{
	while (d > 1 && (1L << d) - 1 > budget)
		d--;
	return d;
}

/*
 * A reachable tree of depth 6 to 11 (fewer at the end of the budget). One
 * in four, of depth 3 or more, then loses a subtree: the pointer from its
 * root's right child to that child's left subtree is nulled, leaving the
 * subtree's root definitely lost and the rest of it indirectly. Returns
 * the nodes made.
 */
static NOINLINE long
unit_tree(long budget)
{
	int d = fit_depth(6 + (int)rng_below(&r, 6), budget);
	size_t root_size, right_size;
	uint64_t *root, *right;

	if (d < 3 || rng_below(&r, 4) != 0) {
		tree_roots[n_trees++] = tree(d, REACH, REACH);
		return (1L << d) - 1;
	}
	root_size = small_size();
	root = alloc(root_size);
	root[0] = (uint64_t)(uintptr_t)tree(d - 1, REACH, REACH);
	right_size = small_size();
	right = alloc(right_size);
	right[0] = (uint64_t)(uintptr_t)tree(d - 2, IND, DEF);
	right[1] = (uint64_t)(uintptr_t)tree(d - 2, REACH, REACH);
	right[2] = data_word();
	fill(right, right_size, 3);
	count(REACH, right_size);
	remember(right);
	root[1] = (uint64_t)(uintptr_t)right;
	root[2] = data_word();
	fill(root, root_size, 3);
	count(REACH, root_size);
	remember(root);
	tree_roots[n_trees++] = root;
	right[0] = 0;		/* the subtree is lost */
	return (1L << d) - 1;
}

/* 1 to 64 nodes, at most budget. */
static long
run_length(long budget)
{
	long k = 1 + (long)rng_below(&r, 64);

	return k < budget ? k : budget;
}

/* Nodes appended to one of the global lists; some point to others. */
static NOINLINE long
unit_list(long budget)
{
	long k = run_length(budget);
	size_t l = (size_t)rng_below(&r, NLISTS);

	for (long i = 0; i < k; i++) {
		size_t size = small_size();
		uint64_t *n = alloc(size);

		n[0] = 0;
		n[1] = rng_below(&r, 65536);
		n[2] = rng_below(&r, 4) == 0 ? some_pointer() : data_word();
		fill(n, size, 3);
		if (list_tail[l] != NULL)
			list_tail[l][0] = (uint64_t)(uintptr_t)n;
		else
			list_head[l] = n;
		list_tail[l] = n;
		count(REACH, size);
		remember(n);
	}
	return k;
}

/* Nodes pushed on the chains of random buckets of the hash table. */
static NOINLINE long
unit_hash(long budget)
{
	long k = run_length(budget);

	for (long i = 0; i < k; i++) {
		size_t size = small_size();
		size_t h = (size_t)rng_below(&r, table_size);
		uint64_t *n = alloc(size);

		n[0] = (uint64_t)(uintptr_t)table[h];
		n[1] = rng_below(&r, 65536);
		fill(n, size, 2);
		table[h] = n;
		count(REACH, size);
		remember(n);
	}
	return k;
}

/*
 * Nodes pushed on an intrusive list: the head and each node's link point
 * 16 bytes into the next node, never to its start. The first word is odd
 * and below 65,536, the second too: no heuristic of memcheck's accepts
 * the interior pointer (new[] and length64 want 8 bytes in, std::string 24,
 * multiple inheritance a vtable pointer in the first word).
 */
static NOINLINE long
unit_intrusive(long budget)
{
	long k = run_length(budget);
	size_t l = (size_t)rng_below(&r, NINTRUSIVE);

	for (long i = 0; i < k; i++) {
		size_t size = small_size();
		uint64_t *n = alloc(size);

		n[0] = 2 * rng_below(&r, 32768) + 1;
		n[1] = rng_below(&r, 65536);
		n[2] = (uint64_t)(uintptr_t)intrusive_head[l];
		fill(n, size, 3);
		intrusive_head[l] = (char *)n + INTERIOR;
		count(POSS, size);
	}
	return k;
}

/* Takes a pointer and does nothing with it: the compiler cannot see
 * through it, so the allocation it drops stays. */
static NOINLINE void
lose(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/*
 * k blocks of one size linked into a ring (each to the next's start) or,
 * doubly, into a list (next to the start, previous 16 bytes in): either
 * way each block reaches all others, so the one of lowest address is
 * definitely lost and the others indirectly, whichever it is.
 */
static NOINLINE void
lost_ring(long k, int doubly)
{
	size_t size = small_size();
	uint64_t *first = alloc(size), *prev = first;

	first[0] = 0;
	first[1] = data_word();
	first[2] = 0;
	fill(first, size, 3);
	for (long i = 1; i < k; i++) {
		uint64_t *n = alloc(size);

		n[0] = 0;
		n[1] = data_word();
		n[2] = doubly ? (uint64_t)(uintptr_t)((char *)prev + INTERIOR) :
		    some_pointer();
		fill(n, size, 3);
		prev[0] = (uint64_t)(uintptr_t)n;
		prev = n;
	}
	if (!doubly)
		prev[0] = (uint64_t)(uintptr_t)first;
	count(DEF, size);
	fig_bytes[IND] += (uint64_t)(k - 1) * size;
	fig_blocks[IND] += (uint64_t)(k - 1);
	lose(first);
}

/* A lost structure: a tree, a ring, a doubly linked list or one block. */
static NOINLINE long
unit_lost(long budget)
{
	uint64_t kind = rng_below(&r, 8);
	long k;
	int d;

	if (kind < 3) {
		d = fit_depth(1 + (int)rng_below(&r, 8), budget);
		lose(tree(d, IND, DEF));
		return (1L << d) - 1;
	}
	if (kind < 7 && budget >= 2) {
		k = run_length(budget);
		if (k < 2)
			k = 2;
		lost_ring(k, kind >= 5);
		return k;
	}
	lose(tree(1, IND, DEF));
	return 1;
}

/*
 * blocks small blocks, built a few at a time in an order picked at random
 * in proportion to what each kind has left to build, so that the kinds
 * mix in the heap.
 */
static NOINLINE void
build_small(long blocks)
{
	long left[5];
	long (*const unit[5])(long) = { unit_tree, unit_list, unit_hash,
	    unit_intrusive, unit_lost };
	size_t cap;

	left[0] = blocks / 2;
	left[1] = blocks * 15 / 100;
	left[2] = blocks / 20;
	left[3] = blocks / 20;
	left[4] = blocks - left[0] - left[1] - left[2] - left[3];

	/* trees of 63 nodes or more, then at most 6 smaller ones */
	cap = (size_t)left[0] / 63 + 8;
	tree_roots = alloc(cap * sizeof(*tree_roots));
	memset((void *)tree_roots, 0, cap * sizeof(*tree_roots));
	count(REACH, cap * sizeof(*tree_roots));
	for (table_size = 64; table_size < (size_t)left[2] / 2; table_size *= 2)
		;
	table = alloc(table_size * sizeof(*table));
	memset((void *)table, 0, table_size * sizeof(*table));
	count(REACH, table_size * sizeof(*table));

	for (;;) {
		long total = 0, x;
		int i;

		for (i = 0; i < 5; i++)
			total += left[i];
		if (total == 0)
			break;
		x = (long)rng_below(&r, (uint64_t)total);
		for (i = 0; x >= left[i]; i++)
			x -= left[i];
		left[i] -= unit[i](left[i]);
	}
}

/*
 * mib MiB of large reachable blocks of 1 to 8 MiB (the last one what is
 * left), filled with data and, one word in 64, a pointer.
 */
static NOINLINE size_t
build_large(long mib)
{
	uint64_t left = (uint64_t)mib << 20;
	size_t n = 0;

	while (left > 0) {
		size_t size = ((1u << 20) + (size_t)rng_below(&r, 7u << 20)) & ~(size_t)7;
		uint64_t *b;

		if (size > left)
			size = (size_t)left;
		b = alloc(size);
		for (size_t i = 0; i < size / 8; i++)
			b[i] = i % 64 == 0 ? some_pointer() : data_word();
		large[n++] = b;
		count(REACH, size);
		left -= size;
	}
	return n;
}

/* The figures, with write(2): stdio would leave a live buffer. */
static void
write_figures(const char *path)
{
	char buf[512];
	uint64_t blocks = 0, bytes = 0;
	size_t len = 0;
	int fd, n;

	for (int f = 0; f < NFATES; f++) {
		n = snprintf(buf + len, sizeof(buf) - len, "%s %llu %llu\n",
		    fate_name[f], (unsigned long long)fig_bytes[f],
		    (unsigned long long)fig_blocks[f]);
		len += (size_t)n;
		blocks += fig_blocks[f];
		bytes += fig_bytes[f];
	}
	n = snprintf(buf + len, sizeof(buf) - len, "blocks %llu\nbytes %llu\n",
	    (unsigned long long)blocks, (unsigned long long)bytes);
	len += (size_t)n;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, buf, len) != (ssize_t)len || close(fd) == -1) {
		fprintf(stderr, "leaky: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	long blocks = workload_count(argc, argv, 1, DEF_BLOCKS, "leaky");
	long mib = DEF_MIB;
	char *end;

	if (argc > 4) {
		fprintf(stderr, "usage: leaky [BLOCKS [MIB [FIGURES]]]\n");
		return 2;
	}
	if (argc > 2) {
		errno = 0;
		mib = strtol(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' || mib < 0 ||
		    mib > MAX_LARGE) {
			fprintf(stderr, "leaky: '%s' is not a size in MiB from 0"
			    " to %d\n", argv[2], MAX_LARGE);
			return 2;
		}
	}
	workload_wait_go("leaky");
	build_small(blocks);
	build_large(mib);
	r.state = 0;		/* no stray value that could pass for an address */
	leak_scrub();
	if (argc > 3)
		write_figures(argv[3]);
	workload_hold();
	return 0;
}

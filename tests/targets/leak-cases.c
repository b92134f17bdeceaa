/* SPDX-License-Identifier: ISC */
/*
 * Leak scenarios whose leak figures are known exactly: each scenario loses
 * or keeps blocks of known sizes in one of the ways memcheck tells apart
 * (definitely lost, indirectly lost, possibly lost, still reachable), then
 * the process ends in a known way. tests/leak-cases.expected has the
 * figures of each, tests/run-leaks.test compares them with memscope's and
 * valgrind's. leak-target.h says how the figures are kept exact.
 *
 * usage: leak-cases SCENARIO
 *
 * The process exits with status 0 unless the scenario says otherwise; 99
 * if something failed (a message on stderr). Its only output is the line
 * "dtv BYTES" on stdout of the scenarios that leave a thread alive at exit
 * (see report_dtv()).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "leak-target.h"

/* tests/targets/libleaktest.c: keeps a pointer in a static of its own. */
void leaktest_stash(void *p);

/* The roots of the reachable blocks. */
static void *volatile keep1;
static volatile uintptr_t hidden;
static __thread void *volatile tls_keep;

/* No address: what the hidden pointer is xor'ed with. */
#define HIDE_KEY ((uintptr_t)0x5a5a5a5a5a5a5a5aULL)

/* A block of n bytes, filled. */
static LEAK_NOINLINE void *
block(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		leak_die("malloc");
	leak_fill(p, n);
	return p;
}

/* p, a block of old bytes, grown or shrunk to n by realloc, filled. */
static LEAK_NOINLINE void *
resize(void *p, size_t old, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		leak_die("realloc");
	if (n > old)
		leak_fill((char *)p + old, n - old);
	return p;
}

/* A block of n bytes whose first word points to next. */
static LEAK_NOINLINE void *
node(size_t n, void *next)
{
	void **p = block(n);

	p[0] = next;
	return p;
}

/* No core file when the process dies of a signal on purpose. */
static void
no_core(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		leak_die("setrlimit");
}

static int
max_tls_modid(struct dl_phdr_info *info, size_t size, void *data)
{
	size_t *max = data;

	(void)size;
	if (info->dlpi_tls_modid > *max)
		*max = info->dlpi_tls_modid;
	return 0;
}

/*
 * Writes "dtv BYTES" on stdout: the size of the block glibc's
 * pthread_create callocs for a new thread's dynamic thread vector
 * (allocate_dtv in elf/dl-tls.c): the highest TLS module id, plus
 * DTV_SURPLUS (14), plus 2, entries of two words. A thread alive at exit
 * leaves it possibly lost (tests/leak-cases.expected says why), and its
 * size depends on the modules with TLS in the process, which a tool may
 * add to: memscope's preloaded library and libunwind have TLS, valgrind's
 * preloaded libraries none. The program does the sum for the test.
 * dl_iterate_phdr does not allocate.
 */
static void
report_dtv(void)
{
	size_t max = 0;
	char buf[64];
	int n;

	dl_iterate_phdr(max_tls_modid, &max);
	n = snprintf(buf, sizeof(buf), "dtv %zu\n", (max + 14 + 2) * 2 * sizeof(void *));
	if (n <= 0 || (size_t)n >= sizeof(buf) || write(STDOUT_FILENO, buf, (size_t)n) != n)
		leak_die("write");
}

/* --- scenarios: each returns the exit status, or does not return --- */

/* none: blocks made by each allocator call, all freed. Nothing left. */
static int
sc_none(void)
{
	void *a = block(100), *b, *c;
	char *s;

	if ((b = calloc(10, 20)) == NULL)
		leak_die("calloc");
	c = resize(block(30), 30, 300);
	if ((s = strdup("freed")) == NULL)
		leak_die("strdup");
	leak_lose(b);
	leak_lose(s);
	free(s);
	free(c);
	free(b);
	free(a);
	return 0;
}

/* one-lost: 48 bytes definitely lost. */
static int
sc_one_lost(void)
{
	leak_lose(block(48));
	return 0;
}

/*
 * many-lost: three sites of 10 blocks each (24, 40 and 72 bytes), four
 * frames below the scenario: 30 blocks, 1360 bytes definitely lost.
 */
static LEAK_NOINLINE void site_a(void) { leak_lose(block(24)); }
static LEAK_NOINLINE void site_b(void) { leak_lose(block(40)); }
static LEAK_NOINLINE void site_c(void) { leak_lose(block(72)); }

static LEAK_NOINLINE void
many_3(int which)
{
	int i;

	for (i = 0; i < 10; i++) {
		if (which == 0)
			site_a();
		else if (which == 1)
			site_b();
		else
			site_c();
	}
}

static LEAK_NOINLINE void many_2(int which) { many_3(which); }
static LEAK_NOINLINE void many_1(int which) { many_2(which); }

static int
sc_many_lost(void)
{
	int which;

	for (which = 0; which < 3; which++)
		many_1(which);
	return 0;
}

/*
 * A binary tree of depth 3: a root of 48 bytes, two children of 32, four
 * grandchildren of 16. Each inner node's first two words point to its
 * children.
 */
static LEAK_NOINLINE void *
tree(void)
{
	void **root = block(48);
	int i, j;

	for (i = 0; i < 2; i++) {
		void **child = block(32);

		for (j = 0; j < 2; j++)
			child[j] = block(16);
		root[i] = child;
	}
	return root;
}

/* lost-tree: the root definitely lost (48), the six others indirectly (128). */
static int
sc_lost_tree(void)
{
	leak_lose(tree());
	return 0;
}

/* A cycle of three blocks of 48 bytes, each pointing to the next. */
static LEAK_NOINLINE void *
cycle(void)
{
	void **a = node(48, NULL);
	void *c = node(48, node(48, a));

	a[0] = c;
	return a;
}

/*
 * lost-cycle: nothing points into the cycle from outside. memcheck takes
 * one block (the first it meets) for the definitely lost one, the others
 * for indirectly lost through it: the blocks are the same size, so which
 * one does not change the figures: 48 definitely, 96 indirectly.
 */
static int
sc_lost_cycle(void)
{
	leak_lose(cycle());
	return 0;
}

/* reachable-cycle: the same cycle, a global points to it: 144 reachable. */
static int
sc_reachable_cycle(void)
{
	keep1 = cycle();
	return 0;
}

/* reachable-global: a global to a block of 64, which points to one of 32. */
static int
sc_reachable_global(void)
{
	keep1 = node(64, block(32));
	return 0;
}

/* reachable-lib-static: 80 bytes kept by a static in libleaktest.so. */
static int
sc_reachable_lib_static(void)
{
	leaktest_stash(block(80));
	return 0;
}

/* reachable-tls: 112 bytes kept by a __thread variable of the main thread. */
static int
sc_reachable_tls(void)
{
	tls_keep = block(112);
	return 0;
}

/*
 * other-thread-stack: a thread keeps 120 bytes in a local, tells the main
 * thread, and blocks for good; the main thread returns from main (exit)
 * meanwhile. The thread's stack is a root: 120 bytes still reachable.
 */
static int handshake[2];

static void *
holder(void *arg)
{
	void *volatile held = block(120);
	char c = 'h';

	(void)arg;
	if (write(handshake[1], &c, 1) != 1)
		leak_die("write");
	for (;;)
		pause();
	return (void *)held;
}

static int
sc_other_thread_stack(void)
{
	pthread_t t;
	char c;

	if (pipe(handshake) == -1)
		leak_die("pipe");
	if (pthread_create(&t, NULL, holder, NULL) != 0)
		leak_die("pthread_create");
	report_dtv();
	while (read(handshake[0], &c, 1) != 1)
		if (errno != EINTR)
			leak_die("read");
	return 0;
}

/* interior-only: only a pointer to the middle of 64 bytes: possibly lost. */
static int
sc_interior_only(void)
{
	keep1 = (char *)block(64) + 32;
	return 0;
}

/* hidden-xor: the only copy of the pointer is xor'ed: 56 bytes definitely lost. */
static int
sc_hidden_xor(void)
{
	hidden = (uintptr_t)block(56) ^ HIDE_KEY;
	return 0;
}

/* hidden-tag: the only copy has its low bit set: 72 bytes possibly lost. */
static int
sc_hidden_tag(void)
{
	hidden = (uintptr_t)block(72) | 1;
	return 0;
}

/*
 * realloc-chain: a block grown from 16 to 64, 256, 1024 bytes then shrunk
 * to 700, lost; another grown from 8 to 40, 160, 500, kept by a global:
 * 700 definitely lost, 500 reachable, one block each.
 */
static LEAK_NOINLINE void *
chain_lost(void)
{
	void *p = block(16);

	p = resize(p, 16, 64);
	p = resize(p, 64, 256);
	p = resize(p, 256, 1024);
	return resize(p, 1024, 700);
}

static LEAK_NOINLINE void *
chain_kept(void)
{
	void *p = block(8);

	p = resize(p, 8, 40);
	p = resize(p, 40, 160);
	return resize(p, 160, 500);
}

static int
sc_realloc_chain(void)
{
	leak_lose(chain_lost());
	keep1 = chain_kept();
	return 0;
}

/*
 * aligned: memalign(64, 100), posix_memalign(128, 200) and
 * aligned_alloc(256, 512), all lost: 812 bytes in 3 blocks.
 */
static LEAK_NOINLINE void *
aligned_block(int how)
{
	void *p = NULL;
	size_t n;

	switch (how) {
	case 0:
		n = 100;
		p = memalign(64, n);
		break;
	case 1:
		n = 200;
		if (posix_memalign(&p, 128, n) != 0)
			p = NULL;
		break;
	default:
		n = 512;
		p = aligned_alloc(256, n);
		break;
	}
	if (p == NULL)
		leak_die("aligned allocation");
	leak_fill(p, n);
	return p;
}

static int
sc_aligned(void)
{
	int how;

	for (how = 0; how < 3; how++)
		leak_lose(aligned_block(how));
	return 0;
}

/*
 * libc-allocs: blocks libc makes for the program, lost: strdup of a
 * 27-character string (28 bytes), asprintf of "asprintf 123456" (16 bytes:
 * glibc's vasprintf ends with a block of exactly the string's size) and
 * the line buffer of getline with *lineptr NULL (120 bytes: glibc's
 * first size, enough for a short line). 164 bytes in 3 blocks.
 * The stream getline reads is fmemopen's over a constant, closed before:
 * its FILE, cookie and buffer are freed.
 */
static LEAK_NOINLINE char *
libc_strdup(void)
{
	char *s = strdup("memscope leak-cases: strdup");

	if (s == NULL)
		leak_die("strdup");
	return s;
}

static LEAK_NOINLINE char *
libc_asprintf(void)
{
	char *s;

	if (asprintf(&s, "%s %d", "asprintf", 123456) != 15)
		leak_die("asprintf");
	return s;
}

static LEAK_NOINLINE char *
libc_getline(void)
{
	static const char text[] = "a short line\nanother\n";
	char *line = NULL;
	size_t n = 0;
	FILE *f;

	if ((f = fmemopen((void *)text, sizeof(text) - 1, "r")) == NULL)
		leak_die("fmemopen");
	if (getline(&line, &n, f) != 13)
		leak_die("getline");
	if (fclose(f) != 0)
		leak_die("fclose");
	return line;
}

static int
sc_libc_allocs(void)
{
	leak_lose(libc_strdup());
	leak_lose(libc_asprintf());
	leak_lose(libc_getline());
	return 0;
}

/*
 * fork-child: the parent forks with nothing live; the child loses 77 bytes,
 * keeps 33 by a global and exits with 7; the parent waits for it, exits
 * with 0 if it did so, and leaks nothing.
 */
static LEAK_NOINLINE void
child_leaks(void)
{
	leak_lose(block(77));
	keep1 = block(33);
}

/* Fork a child that runs work and exits with 7; 0 if it did so. */
static int
fork_and_wait(void (*work)(void))
{
	pid_t pid;
	int status;

	if ((pid = fork()) == -1)
		leak_die("fork");
	if (pid == 0) {
		work();
		leak_scrub();
		exit(7);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			leak_die("waitpid");
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : 1;
}

static int
sc_fork_child(void)
{
	return fork_and_wait(child_leaks);
}

/*
 * fork-inherit: the parent keeps a 64-byte node by a global and loses 24
 * bytes, then forks. The child hangs a 48-byte block on the node it
 * inherited (reachable only through a block the child never allocated)
 * and loses 32; it exits with 7, the parent with 0.
 */
static LEAK_NOINLINE void
child_extends(void)
{
	((void **)keep1)[0] = block(48);
	leak_lose(block(32));
}

static int
sc_fork_inherit(void)
{
	keep1 = block(64);
	((void **)keep1)[0] = NULL;
	leak_lose(block(24));
	return fork_and_wait(child_extends);
}

/*
 * thread-leak: a second thread loses 96 bytes and keeps 40 by a global,
 * and is joined.
 */
static LEAK_NOINLINE void
thread_leaks(void)
{
	leak_lose(block(96));
	keep1 = block(40);
}

static void *
leaker(void *arg)
{
	(void)arg;
	thread_leaks();
	leak_scrub();
	return NULL;
}

static int
sc_thread_leak(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, leaker, NULL) != 0)
		leak_die("pthread_create");
	if (pthread_join(t, NULL) != 0)
		leak_die("pthread_join");
	return 0;
}

/*
 * exit-*: the same leaks, 100 bytes definitely lost and 200 reachable by
 * a global, then the process ends in one way each.
 */
static LEAK_NOINLINE void
exit_leaks(void)
{
	leak_lose(block(100));
	keep1 = block(200);
}

/* exit-return: main returns 3. */
static int
sc_exit_return(void)
{
	exit_leaks();
	return 3;
}

/* exit-exit: exit(4) three calls down. */
static LEAK_NOINLINE void nest_3(void) { exit(4); }
static LEAK_NOINLINE void nest_2(void) { nest_3(); }
static LEAK_NOINLINE void nest_1(void) { nest_2(); }

static int
sc_exit_exit(void)
{
	exit_leaks();
	leak_scrub();
	nest_1();
	return 98;
}

/* exit-_exit: _exit(5), no atexit handler. */
static int
sc_exit__exit(void)
{
	exit_leaks();
	leak_scrub();
	_exit(5);
}

/* exit-segv: a store through a null pointer: SIGSEGV (status 139). */
static int *volatile null_pointer;

static int
sc_exit_segv(void)
{
	exit_leaks();
	no_core();
	leak_scrub();
	*null_pointer = 1;
	return 98;
}

/* exit-abort: abort(): SIGABRT (status 134). */
static int
sc_exit_abort(void)
{
	exit_leaks();
	no_core();
	leak_scrub();
	abort();
}

/*
 * exit-pthread: the main thread starts a thread and ends with
 * pthread_exit; the thread joins the main thread and returns, the last
 * thread to end: the process exits with status 0.
 */
static pthread_t main_thread;

static void *
finisher(void *arg)
{
	(void)arg;
	if (pthread_join(main_thread, NULL) != 0)
		leak_die("pthread_join of the main thread");
	return NULL;
}

static int
sc_exit_pthread(void)
{
	pthread_t t;

	exit_leaks();
	main_thread = pthread_self();
	if (pthread_create(&t, NULL, finisher, NULL) != 0)
		leak_die("pthread_create");
	report_dtv();
	leak_scrub();
	pthread_exit(NULL);
}

/*
 * [*start, *end) of the line of /proc/self/maps holding addr (read with
 * read(2) into a static buffer: no allocation).
 */
static void
maps_line_of(uintptr_t addr, uintptr_t *start, uintptr_t *end)
{
	static char buf[1 << 20];
	size_t have = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		leak_die("open /proc/self/maps");
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	close(fd);
	buf[have] = '\0';
	for (char *line = buf; *line != '\0';) {
		char *nl = strchr(line, '\n'), *p;

		*start = (uintptr_t)strtoull(line, &p, 16);
		*end = (uintptr_t)strtoull(p + 1, NULL, 16);
		if (addr >= *start && addr < *end)
			return;
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	leak_die("no maps line holds the block");
}

/*
 * Whether the line of /proc/self/smaps starting at start says MAP_NORESERVE
 * ("nr" in its VmFlags): jemalloc and mimalloc map so, and the kernel
 * merges only mappings of the same flags.
 */
static int
line_noreserve(uintptr_t start)
{
	static char buf[1 << 20];
	char head[32], *at, *flags, *eol;
	size_t have = 0;
	ssize_t n;
	int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		leak_die("open /proc/self/smaps");
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	close(fd);
	buf[have] = '\0';
	/* the kernel writes at least 8 digits */
	snprintf(head, sizeof(head), "%08lx-", (unsigned long)start);
	for (at = buf; at != NULL; at = strchr(at, '\n')) {
		at += at == buf ? 0 : 1;
		if (strncmp(at, head, strlen(head)) == 0)
			break;
	}
	if (at == NULL || (flags = strstr(at, "\nVmFlags:")) == NULL)
		leak_die("no VmFlags for the line of the block");
	if ((eol = strchr(flags + 1, '\n')) != NULL)
		*eol = '\0';
	return strstr(flags, " nr") != NULL;
}

/*
 * merged-mmap: a block of 1 MiB, which glibc serves with a mapping of its
 * own, kept by a global; then a mapping of the program's own put right
 * next to the maps line holding it (below, else above; 1 MiB, or less
 * where there is less room), which the kernel merges into that line,
 * holding the only pointer to 4000 bytes: 1052576 bytes in 2 blocks still
 * reachable. Under another allocator (tests/run-leaks-allocators.test)
 * the line is that allocator's (its brk heap, or a mapping it made with
 * MAP_NORESERVE, which the program's own mapping then says too). The
 * program writes "merged" on stdout if its mapping and the block are in
 * one maps line then, else "apart".
 */
static int
sc_merged_mmap(void)
{
	const uintptr_t page = 4096, size = 1 << 20;
	uintptr_t big = (uintptr_t)block(size), low, high, own_low, own_high;
	void **own = MAP_FAILED;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	const char *said;

	keep1 = (void *)big;
	maps_line_of(big, &low, &high);
	if (line_noreserve(low))
		flags |= MAP_NORESERVE;
	for (uintptr_t len = 1 << 20; len >= page && own == MAP_FAILED; len /= 2) {
		own = mmap((void *)(low - len), len, PROT_READ | PROT_WRITE,
		    flags, -1, 0);
		if (own == MAP_FAILED)
			own = mmap((void *)high, len, PROT_READ | PROT_WRITE,
			    flags, -1, 0);
	}
	if (own == MAP_FAILED)
		leak_die("mmap next to a block");
	own[10] = block(4000);
	maps_line_of((uintptr_t)own, &own_low, &own_high);
	said = own_low <= big && big < own_high ? "merged\n" : "apart\n";
	if (write(STDOUT_FILENO, said, strlen(said)) != (ssize_t)strlen(said))
		leak_die("write");
	return 0;
}

/* Nothing: what a child does that only inherits. */
static LEAK_NOINLINE void
child_nothing(void)
{
}

/*
 * merged-mmap-fork: merged-mmap, then a fork; the child inherits the
 * blocks and the mapping holding the pointer, and exits with 7: 1052576
 * bytes in 2 blocks still reachable in both processes.
 */
static int
sc_merged_mmap_fork(void)
{
	sc_merged_mmap();
	leak_scrub();
	return fork_and_wait(child_nothing);
}

/*
 * shared-mmap: a shared anonymous mapping holds the only pointer to 200
 * bytes: still reachable.
 */
static int
sc_shared_mmap(void)
{
	void **shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (shared == MAP_FAILED)
		leak_die("mmap");
	shared[7] = block(200);
	return 0;
}

/*
 * own-brk: the program grows its data segment itself (sbrk) by two pages,
 * keeps the only pointers to 100 and 200 bytes in the first and to 300
 * bytes in the second, and gives the second back. memcheck scans the
 * first as the program's memory, not malloc's, and not the second: 300
 * bytes in 2 blocks still reachable, 300 bytes in 1 definitely lost. The
 * blocks come first: malloc must not grow the segment past the program's.
 */
static LEAK_NOINLINE void
own_brk(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *a = block(100), *b = block(200), *c = block(300);
	void **own = sbrk((intptr_t)(2 * page));

	if (own == (void *)-1)
		leak_die("sbrk");
	own[0] = a;
	own[1] = b;
	own[page / sizeof(*own)] = c;
	if (sbrk(-(intptr_t)page) == (void *)-1)
		leak_die("sbrk");
}

static int
sc_own_brk(void)
{
	own_brk();
	leak_scrub();
	return 0;
}

/*
 * dlerror-text: a dlopen that fails leaves its error for dlerror in
 * blocks of glibc's, which glibc's freeres frees at exit: nothing left.
 */
static int
sc_dlerror_text(void)
{
	if (dlopen("libmemscope-no-such-library.so", RTLD_NOW) != NULL)
		leak_die("dlopen of a library that does not exist");
	return 0;
}

static const struct scenario {
	const char	*name;
	int		(*run)(void);
} scenarios[] = {
	{ "none", sc_none },
	{ "one-lost", sc_one_lost },
	{ "many-lost", sc_many_lost },
	{ "lost-tree", sc_lost_tree },
	{ "lost-cycle", sc_lost_cycle },
	{ "reachable-cycle", sc_reachable_cycle },
	{ "reachable-global", sc_reachable_global },
	{ "reachable-lib-static", sc_reachable_lib_static },
	{ "reachable-tls", sc_reachable_tls },
	{ "other-thread-stack", sc_other_thread_stack },
	{ "interior-only", sc_interior_only },
	{ "hidden-xor", sc_hidden_xor },
	{ "hidden-tag", sc_hidden_tag },
	{ "realloc-chain", sc_realloc_chain },
	{ "aligned", sc_aligned },
	{ "libc-allocs", sc_libc_allocs },
	{ "fork-child", sc_fork_child },
	{ "fork-inherit", sc_fork_inherit },
	{ "thread-leak", sc_thread_leak },
	{ "exit-return", sc_exit_return },
	{ "exit-exit", sc_exit_exit },
	{ "exit-_exit", sc_exit__exit },
	{ "exit-segv", sc_exit_segv },
	{ "exit-abort", sc_exit_abort },
	{ "exit-pthread", sc_exit_pthread },
	{ "merged-mmap", sc_merged_mmap },
	{ "merged-mmap-fork", sc_merged_mmap_fork },
	{ "shared-mmap", sc_shared_mmap },
	{ "own-brk", sc_own_brk },
	{ "dlerror-text", sc_dlerror_text },
};

int
main(int argc, char **argv)
{
	size_t i;
	int status;

	if (argc != 2)
		leak_die("usage: leak-cases SCENARIO");
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[1], scenarios[i].name) == 0) {
			status = scenarios[i].run();
			leak_scrub();
			return status;
		}
	}
	leak_die("no such scenario");
}

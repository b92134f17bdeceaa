/* SPDX-License-Identifier: ISC */
/*
 * A process with a known address space, for memscope map's tests:
 *   - a 64 MiB array in .bss, its first 1 MiB touched;
 *   - a 256 KiB initialised array in .data, a 128 KiB one in .rodata;
 *   - three threads with 1 MiB stacks, one of them spinning in user space
 *     (its stack pointer must be read by stopping it);
 *   - a 32 MiB malloc block (served by mmap), its first 2 MiB touched;
 *   - a 16 MiB anonymous mapping, 4 MiB of it touched;
 *   - a 1 MiB private file mapping, read through; a deleted file mapping;
 *   - a 256 KiB shared memfd mapping; a 64 KiB PROT_NONE reservation;
 *   - small malloc blocks on the brk heap.
 * Each fact is written as "name address size ..." (hex address, bytes).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "target.h"

#define MiB (1024 * 1024)
#define PAGE 4096

static char bss_array[64 * MiB];
static int data_array[64 * 1024] = { 1, [64 * 1024 - 1] = 2 };
static const char rodata_array[128 * 1024] = { 'm', 's', [128 * 1024 - 1] = 1 };

static pthread_barrier_t started;
static atomic_int stop_spinning;

static void
thread_fact(void)
{
	pthread_attr_t attr;
	size_t size, guard;
	void *addr;

	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		target_die("pthread_getattr_np");
	pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_getguardsize(&attr, &guard);
	pthread_attr_destroy(&attr);
	/* thread TID LOWEST-USABLE-ADDRESS SIZE GUARD */
	target_fact("thread %ld %p %zu %zu", (long)syscall(SYS_gettid), addr,
	    size, guard);
}

static void *
sleeper(void *arg)
{
	int fd = *(int *)arg;
	char c;

	thread_fact();
	pthread_barrier_wait(&started);
	/* blocks in read(2): the kernel shows its stack pointer */
	while (read(fd, &c, 1) > 0)
		;
	return NULL;
}

static void *
spinner(void *arg)
{
	(void)arg;
	thread_fact();
	target_fact("spinner %ld", (long)syscall(SYS_gettid));
	pthread_barrier_wait(&started);
	/* never enters the kernel: task/TID/syscall says "running" */
	while (!atomic_load_explicit(&stop_spinning, memory_order_relaxed))
		;
	return NULL;
}

static void
touch(volatile char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		p[off] = 1;
}

/* A file of len bytes in dir, mapped privately and read through. */
static char *
map_file(const char *dir, const char *name, size_t len, char *path, size_t pathlen)
{
	volatile char sum = 0;
	char *p;
	int fd;

	snprintf(path, pathlen, "%s/%s", dir, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		target_die(path);
	for (size_t off = 0; off < len; off += PAGE) {
		char page[PAGE];

		memset(page, 'x', sizeof(page));
		if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
			target_die("write");
	}
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		target_die("mmap file");
	close(fd);
	for (size_t off = 0; off < len; off += PAGE)
		sum += p[off];
	(void)sum;
	return p;
}

/*
 * Anonymous mappings are placed far from everything else (a hint address)
 * so the kernel cannot merge them with a neighbour of the same flags.
 */
static void *
map_anon(uintptr_t hint, size_t len, int prot, int flags)
{
	void *p = mmap((void *)hint, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags,
	    -1, 0);

	if (p == MAP_FAILED)
		target_die("mmap anon");
	return p;
}

int
main(int argc, char **argv)
{
	pthread_t threads[3];
	pthread_attr_t attr;
	int pipefd[2], local = 0;
	const char *dir;
	char path[4096], dpath[4096];
	char *block, *anon, *file, *deleted, *shm, *guard, *small[64];
	int memfd;

	target_open(argc, argv);
	dir = argc > 2 ? argv[2] : "/tmp";
	target_fact("pid %ld", (long)getpid());

	/* threads first: their stacks are mmapped below everything else */
	if (pipe(pipefd) != 0)
		target_die("pipe");
	pthread_barrier_init(&started, NULL, 4);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 * MiB);
	for (int i = 0; i < 3; i++)
		if (pthread_create(&threads[i], &attr, i == 2 ? spinner : sleeper,
		    &pipefd[0]) != 0)
			target_die("pthread_create");
	pthread_barrier_wait(&started);

	touch(bss_array, 1 * MiB);
	target_fact("bss_array %p %zu %d", (void *)bss_array, sizeof(bss_array), 1 * MiB);
	target_fact("data_array %p %zu", (void *)data_array, sizeof(data_array));
	target_fact("rodata_array %p %zu", (void *)rodata_array, sizeof(rodata_array));
	target_fact("text %p", (void *)main);
	target_fact("libc_text %p", dlsym(RTLD_DEFAULT, "printf"));
	target_fact("main_stack %p", (void *)&local);
	target_fact("argv0 %p", (void *)argv[0]);
	target_fact("environ0 %p", (void *)(environ[0]));

	block = malloc(32 * MiB);
	if (block == NULL)
		target_die("malloc");
	touch(block, 2 * MiB);
	target_fact("malloc_block %p %d %d", (void *)block, 32 * MiB, 2 * MiB);
	for (int i = 0; i < 64; i++)
		if ((small[i] = malloc(100)) == NULL)
			target_die("malloc");
	target_fact("heap_block %p", (void *)small[0]);

	anon = map_anon(0x100000000000, 16 * MiB, PROT_READ | PROT_WRITE, 0);
	/* no huge pages: exactly the touched 4 KiB pages are resident */
	madvise(anon, 16 * MiB, MADV_NOHUGEPAGE);
	touch(anon, 4 * MiB);
	target_fact("anon_map %p %d %d", (void *)anon, 16 * MiB, 4 * MiB);

	guard = map_anon(0x110000000000, 64 * 1024, PROT_NONE, MAP_NORESERVE);
	target_fact("guard_map %p %d", (void *)guard, 64 * 1024);

	file = map_file(dir, "memscope-layout-file", 1 * MiB, path, sizeof(path));
	target_fact("file_map %p %d %s", (void *)file, 1 * MiB, path);
	deleted = map_file(dir, "memscope-layout-deleted", 64 * 1024, dpath,
	    sizeof(dpath));
	unlink(dpath);
	target_fact("deleted_map %p %d %s", (void *)deleted, 64 * 1024, dpath);

	if ((memfd = memfd_create("memscope-layout-shm", 0)) == -1 ||
	    ftruncate(memfd, 256 * 1024) != 0)
		target_die("memfd_create");
	shm = mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (shm == MAP_FAILED)
		target_die("mmap memfd");
	touch(shm, 256 * 1024);
	target_fact("shm_map %p %d", (void *)shm, 256 * 1024);

	target_ready_and_wait();

	atomic_store(&stop_spinning, 1);
	close(pipefd[1]);
	for (int i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	unlink(path);
	return data_array[0] + rodata_array[0] == 1 + 'm' ? 0 : 1;
}

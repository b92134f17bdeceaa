/* SPDX-License-Identifier: ISC */
/*
 * Two threads whose stacks the program carves from one mmap of its own
 * (pthread_attr_setstack), as thread pools and coroutine libraries do: the
 * lower one works on its stack, checking what it wrote there, while the
 * upper one calls exit(7). Its status must be 7, every time: an exit that
 * touched the lower thread's stack would crash it first.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK_SIZE	(256 * 1024)

static volatile int working;

static __attribute__((noinline)) uint64_t
work(int depth)
{
	volatile uint64_t frame[64];
	uint64_t sum = 0;

	for (int i = 0; i < 64; i++)
		frame[i] = (uint64_t)(uintptr_t)&frame[i] ^ (uint64_t)depth;
	if (depth > 0)
		sum = work(depth - 1);
	for (int i = 0; i < 64; i++)
		if (frame[i] != ((uint64_t)(uintptr_t)&frame[i] ^ (uint64_t)depth))
			abort();	/* someone else wrote on this stack */
	return sum + frame[depth % 64];
}

static void *
lower(void *arg)
{
	(void)arg;
	working = 1;
	for (;;)
		(void)work(200);
	return NULL;
}

static void *
upper(void *arg)
{
	(void)arg;
	while (!working)
		usleep(100);
	usleep(20000);
	free(malloc(64));
	exit(7);
}

int
main(void)
{
	char *block = mmap(NULL, 2 * STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_attr_t a;
	pthread_t t[2];

	if (block == MAP_FAILED)
		return 99;
	pthread_attr_init(&a);
	pthread_attr_setstack(&a, block, STACK_SIZE);
	pthread_create(&t[0], &a, lower, NULL);
	pthread_attr_setstack(&a, block + STACK_SIZE, STACK_SIZE);
	pthread_create(&t[1], &a, upper, NULL);
	pthread_join(t[1], NULL);
	return 99;
}

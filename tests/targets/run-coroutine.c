/* SPDX-License-Identifier: ISC */
/*
 * exit() called on a stack the program made itself, for
 * run-coroutine.test: a coroutine whose stack is a heap block, below
 * which lie other blocks. The shim zeroes the dead part of a thread's
 * stack at exit; it must know this one is not a thread's stack, or it
 * would zero the blocks below. An exit handler checks them and frees them;
 * prints "clean" and exits with 0 if they are intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define NBLOCKS	8
#define STACK	(64 * 1024)

static ucontext_t main_ctx, co_ctx;
static char *blocks[NBLOCKS];
static void *stack;

static void
check(void)
{
	for (int i = 0; i < NBLOCKS; i++) {
		for (int k = 0; k < 100; k++)
			if (blocks[i][k] != 'x') {
				(void)!write(STDOUT_FILENO, "corrupt\n", 8);
				_exit(9);
			}
		free(blocks[i]);
	}
	free(stack);
	(void)!write(STDOUT_FILENO, "clean\n", 6);
}

static void
coroutine(void)
{
	exit(0);
}

int
main(void)
{
	for (int i = 0; i < NBLOCKS; i++) {
		if ((blocks[i] = malloc(100)) == NULL)
			return 2;
		memset(blocks[i], 'x', 100);
	}
	if ((stack = malloc(STACK)) == NULL || atexit(check) != 0 ||
	    getcontext(&co_ctx) != 0)
		return 2;
	co_ctx.uc_stack.ss_sp = stack;
	co_ctx.uc_stack.ss_size = STACK;
	co_ctx.uc_link = &main_ctx;
	makecontext(&co_ctx, coroutine, 0);
	swapcontext(&main_ctx, &co_ctx);
	return 1;
}

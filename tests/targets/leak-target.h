/* SPDX-License-Identifier: ISC */
/*
 * Shared by the leak targets (leak-cases.c, leak-cxx.cc): what keeps their
 * leak figures exact whatever the compiler does.
 *
 * A leak checker (memcheck, memscope) takes a block for reachable when any
 * word of its roots holds a pointer to it: globals, thread stacks above the
 * stack pointer, registers. So a block meant to be lost must leave no copy
 * of its address behind, and a block meant to be reachable must have one
 * in memory, never only in a register:
 *
 *   - every block is made by a function that is never inlined and filled
 *     (leak_fill) with a byte pattern that is no address, so that no stale
 *     pointer of the allocator's is left in it for a scan to find;
 *   - a pointer kept goes to a volatile global (or a volatile local of a
 *     thread that stays blocked), a pointer dropped goes through
 *     leak_lose(), which the compiler cannot see through;
 *   - after the pointers are dealt with, leak_scrub() zeroes a stretch of
 *     stack below the caller and the caller-saved registers, so that no
 *     stale copy survives in a dead frame or a scratch register.
 *
 * Output, if any, is write(2): stdio would leave a live buffer.
 */
#ifndef MEMSCOPE_LEAK_TARGET_H
#define MEMSCOPE_LEAK_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Never inlined, cloned, or called with knowledge of its register use. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define LEAK_NOINLINE __attribute__((noipa))
#else
#define LEAK_NOINLINE __attribute__((noinline))
#endif

/* Fill byte of every block: 0xa5a5... is no user-space address. */
#define LEAK_FILL_BYTE 0xa5

/* How much stack below its caller leak_scrub() zeroes (a program may say). */
#ifndef LEAK_SCRUB_BYTES
#define LEAK_SCRUB_BYTES (32 * 1024)
#endif

/* "leak target: WHAT" on stderr, exit 99 (the harness's hard error). */
static void __attribute__((noreturn, unused))
leak_die(const char *what)
{
	static const char pre[] = "leak target: ";

	(void)!write(STDERR_FILENO, pre, sizeof(pre) - 1);
	(void)!write(STDERR_FILENO, what, strlen(what));
	(void)!write(STDERR_FILENO, "\n", 1);
	_exit(99);
}

/* Fills n bytes at p with the fill byte. */
static LEAK_NOINLINE void __attribute__((unused))
leak_fill(void *p, size_t n)
{
	memset(p, LEAK_FILL_BYTE, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

/*
 * Takes a pointer and does nothing with it: a block passed here and not
 * stored elsewhere is lost, and the compiler cannot delete its allocation.
 */
static LEAK_NOINLINE void __attribute__((unused))
leak_lose(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/*
 * Zeroes LEAK_SCRUB_BYTES of stack below the caller's frame, where dead
 * frames of the calls made so far may hold copies of pointers, then the
 * caller-saved registers (the callee-saved ones belong to the caller, who
 * holds no block pointer when calling this).
 */
static LEAK_NOINLINE void __attribute__((unused))
leak_scrub(void)
{
	unsigned char pad[LEAK_SCRUB_BYTES];

	explicit_bzero(pad, sizeof(pad));
	__asm__ volatile("" : : "r"(pad) : "memory");
#if defined(__x86_64__)
	__asm__ volatile(
		"xorl %%eax, %%eax\n\t"
		"xorl %%ecx, %%ecx\n\t"
		"xorl %%edx, %%edx\n\t"
		"xorl %%esi, %%esi\n\t"
		"xorl %%edi, %%edi\n\t"
		"xorl %%r8d, %%r8d\n\t"
		"xorl %%r9d, %%r9d\n\t"
		"xorl %%r10d, %%r10d\n\t"
		"xorl %%r11d, %%r11d\n\t"
		: : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		"cc", "memory");
#elif defined(__aarch64__)
	__asm__ volatile(
		"mov x0, xzr\n\tmov x1, xzr\n\tmov x2, xzr\n\tmov x3, xzr\n\t"
		"mov x4, xzr\n\tmov x5, xzr\n\tmov x6, xzr\n\tmov x7, xzr\n\t"
		"mov x8, xzr\n\tmov x9, xzr\n\tmov x10, xzr\n\tmov x11, xzr\n\t"
		"mov x12, xzr\n\tmov x13, xzr\n\tmov x14, xzr\n\tmov x15, xzr\n\t"
		"mov x16, xzr\n\tmov x17, xzr\n\t"
		: : : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
		"x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
#endif
}

#endif

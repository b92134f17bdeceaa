/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the entry patches of memscope attach (src/target/detour.c): each
 * plan is applied here, to small functions written into executable memory
 * of the test's own, and run: the patched entry must lead to the hook,
 * the trampoline must do what the function did, and what cannot be moved
 * safely must be refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "detour.h"

#define PAGE	4096

typedef long (*fn1)(long);

static int hook_calls;

static long
hook(long x)
{
	(void)x;
	hook_calls++;
	return 7;
}

/* Two pages: the function at the start of the first, the area the second. */
struct code {
	uint8_t		*mem;
	uint64_t	 entry;
	uint64_t	 area;
};

static void
code_new(struct code *c, const uint8_t *fn, size_t len)
{
	c->mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->mem != MAP_FAILED);
	memcpy(c->mem, fn, len);
	c->entry = (uint64_t)(uintptr_t)c->mem;
	c->area = c->entry + PAGE;
}

static void
code_free(struct code *c)
{
	munmap(c->mem, 2 * PAGE);
}

/* Plan the patch of the function in c (len bytes) and write it in. */
static void
apply(struct code *c, size_t len, struct detour_plan *p)
{
	char why[256] = "";

	if (!detour_plan(p, c->entry, c->mem, len, (uint64_t)(uintptr_t)hook,
	    c->area, why, sizeof(why)))
		fail_msg("not planned: %s", why);
	assert_false(detour_is_patched(c->entry, c->mem, len, c->area));
	memcpy((void *)(uintptr_t)c->area, p->code, p->ncode);
	memcpy(c->mem, p->patch, p->nreplaced);
	assert_true(detour_is_patched(c->entry, c->mem, len, c->area));
}

static long
call(uint64_t addr, long x)
{
	fn1 f;

	memcpy(&f, &addr, sizeof(f));
	return f(x);
}

/* push rbx; mov rbx, rdi; lea rax, [rbx + 1]; pop rbx; ret: x + 1 */
static void
test_prologue(void **state)
{
	static const uint8_t fn[] = { 0x53, 0x48, 0x89, 0xfb, 0x48, 0x8d, 0x43,
	    0x01, 0x5b, 0xc3 };
	struct detour_plan p;
	struct code c;

	(void)state;
	code_new(&c, fn, sizeof(fn));
	assert_int_equal(call(c.entry, 41), 42);
	apply(&c, sizeof(fn), &p);
	/* whole instructions, five bytes at least: push, mov, lea */
	assert_int_equal(p.nreplaced, 8);
	assert_memory_equal(p.saved, fn, 8);
	hook_calls = 0;
	assert_int_equal(call(c.entry, 41), 7);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(call(detour_trampoline(c.area), 41), 42);
	assert_int_equal(hook_calls, 1);
	code_free(&c);
}

/* mov rax, [rip + 9]; ret; then, at 16, the word it reads */
static void
test_rip_relative(void **state)
{
	uint8_t fn[24] = { 0x48, 0x8b, 0x05, 0x09, 0x00, 0x00, 0x00, 0xc3 };
	const uint64_t word = 0x1234567890abcdefull;
	struct detour_plan p;
	struct code c;

	(void)state;
	memcpy(fn + 16, &word, sizeof(word));
	code_new(&c, fn, sizeof(fn));
	assert_int_equal(call(c.entry, 0), (long)word);
	apply(&c, 8, &p);
	assert_int_equal(p.nreplaced, 7);
	/* moved: the displacement changed, the address read did not */
	assert_memory_not_equal(p.code + MS_DETOUR_TRAMPOLINE, fn, 7);
	assert_int_equal(call(detour_trampoline(c.area), 0), (long)word);
	code_free(&c);
}

/*
 * test rdi, rdi; je L; mov eax, 1; ret; L: xor eax, eax; ret: a short
 * conditional jump among the bytes replaced, made a near one.
 */
static void
test_short_jump(void **state)
{
	static const uint8_t fn[] = { 0x48, 0x85, 0xff, 0x74, 0x06, 0xb8, 0x01,
	    0x00, 0x00, 0x00, 0xc3, 0x31, 0xc0, 0xc3 };
	struct detour_plan p;
	struct code c;

	(void)state;
	code_new(&c, fn, sizeof(fn));
	apply(&c, sizeof(fn), &p);
	assert_int_equal(p.nreplaced, 5);
	assert_int_equal(call(detour_trampoline(c.area), 0), 0);
	assert_int_equal(call(detour_trampoline(c.area), 5), 1);
	assert_int_equal(call(c.entry, 5), 7);
	code_free(&c);
}

/* Refused, with a reason, and nothing planned to write. */
static void
refused(const uint8_t *fn, size_t len, uint64_t area_offset, const char *reason)
{
	struct detour_plan p;
	struct code c;
	char why[256] = "";

	code_new(&c, fn, len);
	assert_false(detour_plan(&p, c.entry, c.mem, len,
	    (uint64_t)(uintptr_t)hook, c.entry + area_offset, why, sizeof(why)));
	if (strstr(why, reason) == NULL)
		fail_msg("refused for \"%s\", not \"%s\"", why, reason);
	code_free(&c);
}

static void
test_refusals(void **state)
{
	/* push rbx; push rbp; mov rbx, rdi; ...; jmp back to the second byte */
	static const uint8_t into[] = { 0x53, 0x55, 0x48, 0x89, 0xfb, 0x5d,
	    0x5b, 0xeb, 0xf8, 0xc3 };
	/* another tool's breakpoint */
	static const uint8_t bp[] = { 0xcc, 0x48, 0x89, 0xfb, 0x90, 0x90, 0xc3 };
	/* loop L: not to be moved */
	static const uint8_t loop[] = { 0xe2, 0x04, 0x90, 0x90, 0x90, 0x90, 0xc3 };
	static const uint8_t fine[] = { 0x53, 0x48, 0x89, 0xfb, 0x48, 0x8d, 0x43,
	    0x01, 0x5b, 0xc3 };

	(void)state;
	refused(into, sizeof(into), PAGE, "lands in the bytes");
	refused(bp, sizeof(bp), PAGE, "breakpoint");
	refused(loop, sizeof(loop), PAGE, "cannot be moved");
	/* an area beyond a rel32 jump */
	refused(fine, sizeof(fine), 3ull << 30, "within reach");
	/* the function ends before five bytes */
	refused(fine + 8, 2, PAGE, "disassemble");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prologue),
		cmocka_unit_test(test_rip_relative),
		cmocka_unit_test(test_short_jump),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

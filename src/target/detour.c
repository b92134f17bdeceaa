/* SPDX-License-Identifier: ISC */
/*
 * The patch of a function's entry (see detour.h), decided with capstone.
 *
 * The entry's first instructions, five bytes' worth at least, give way to
 * a rel32 jump to the patch area; the area starts with an absolute jump
 * to the hook (the shim may be loaded anywhere) and holds, at
 * MS_DETOUR_TRAMPOLINE, the instructions replaced, moved, then an
 * absolute jump back behind them. Moving an instruction keeps what it
 * does: a rip-relative operand gets the displacement that reaches the
 * same address from the new place, a relative jump or call the same
 * target (a short jump becomes a near one). What cannot be moved so
 * (loop, jrcxz, xbegin, a breakpoint of another tool's) refuses the
 * patch, and so does a jump anywhere in the function into the middle of
 * the bytes replaced, where a thread would find the patch's tail.
 */
#include "config.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "detour.h"

#define JMP_REL32_LEN	5	/* e9 rel32 */
#define JMP_ABS_LEN	14	/* ff 25 00000000, then the address */
#define INT3		0xcc

/* Append an absolute jump to target at out; its length. */
static size_t
put_jmp_abs(uint8_t *out, uint64_t target)
{
	static const uint8_t jmp_rip[6] = { 0xff, 0x25, 0, 0, 0, 0 };

	memcpy(out, jmp_rip, sizeof(jmp_rip));
	memcpy(out + sizeof(jmp_rip), &target, sizeof(target));
	return JMP_ABS_LEN;
}

/* The rel32 from the end of an instruction at from (len bytes) to target. */
static bool
rel32(uint64_t from, size_t len, uint64_t target, int32_t *out)
{
	int64_t d = (int64_t)(target - (from + len));

	if (d < INT32_MIN || d > INT32_MAX)
		return false;
	*out = (int32_t)d;
	return true;
}

/* Is insn in capstone's group g (CS_GRP_JUMP, ...)? */
static bool
in_group(const cs_insn *insn, uint8_t g)
{
	const cs_detail *d = insn->detail;

	for (uint8_t i = 0; i < d->groups_count; i++)
		if (d->groups[i] == g)
			return true;
	return false;
}

static bool
is_branch(const cs_insn *insn)
{
	return in_group(insn, CS_GRP_JUMP) || in_group(insn, CS_GRP_CALL);
}

/* The target of a direct jump or call, or 0. */
static uint64_t
branch_target(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	if (!is_branch(insn) || x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return 0;
	return (uint64_t)x->operands[0].imm;
}

/*
 * The condition code of a conditional jump (its opcode's low nibble), from
 * its short (7x) or near (0f 8x) form; -1 for any other encoding.
 */
static int
condition(const cs_insn *insn)
{
	const uint8_t *b = insn->bytes;

	if (insn->size == 2 && (b[0] & 0xf0) == 0x70)
		return b[0] & 0x0f;
	if (insn->size == 6 && b[0] == 0x0f && (b[1] & 0xf0) == 0x80)
		return b[1] & 0x0f;
	return -1;
}

/* Move insn to at (out): its bytes there, *n their length. */
static bool
relocate(const cs_insn *insn, uint64_t at, uint8_t *out, size_t *n,
    char *why, size_t whylen)
{
	const cs_x86 *x = &insn->detail->x86;
	uint64_t target;
	int32_t d;
	int cc;

	if (insn->bytes[0] == INT3) {
		snprintf(why, whylen, "a breakpoint at its entry (another tool's)");
		return false;
	}
	if (in_group(insn, CS_GRP_BRANCH_RELATIVE)) {
		if ((target = branch_target(insn)) == 0)
			goto unmovable;
		if (insn->id == X86_INS_JMP || insn->id == X86_INS_CALL) {
			out[0] = insn->id == X86_INS_JMP ? 0xe9 : 0xe8;
			*n = 5;
		} else if ((cc = condition(insn)) >= 0) {
			out[0] = 0x0f;
			out[1] = (uint8_t)(0x80 | cc);
			*n = 6;
		} else
			goto unmovable;
		if (!rel32(at, *n, target, &d)) {
			snprintf(why, whylen, "a jump at its entry cannot reach its "
			    "target from the patch area");
			return false;
		}
		memcpy(out + *n - 4, &d, 4);
		return true;
	}
	memcpy(out, insn->bytes, insn->size);
	*n = insn->size;
	for (uint8_t i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type != X86_OP_MEM || op->mem.base != X86_REG_RIP)
			continue;
		/* the same address, from the moved instruction's end */
		target = insn->address + insn->size + (uint64_t)op->mem.disp;
		if (x->encoding.disp_size != 4 || x->encoding.disp_offset == 0 ||
		    x->encoding.disp_offset + 4u > insn->size ||
		    !rel32(at, insn->size, target, &d)) {
			snprintf(why, whylen, "an operand at its entry cannot be "
			    "reached from the patch area");
			return false;
		}
		memcpy(out + x->encoding.disp_offset, &d, 4);
	}
	return true;
unmovable:
	snprintf(why, whylen, "an instruction at its entry cannot be moved (%s %s)",
	    insn->mnemonic, insn->op_str);
	return false;
}

/* Does a jump or call in fn land strictly inside (entry, entry + n)? */
static bool
jumps_into(csh h, uint64_t entry, const uint8_t *fn, size_t len, size_t n)
{
	cs_insn *insn = cs_malloc(h);
	const uint8_t *code = fn;
	uint64_t addr = entry;
	size_t left = len;
	bool into = false;

	while (!into && left > 0) {
		uint64_t t;

		if (!cs_disasm_iter(h, &code, &left, &addr, insn)) {
			/* data or padding: on to the next byte */
			code++;
			left--;
			addr++;
			continue;
		}
		t = branch_target(insn);
		into = t > entry && t < entry + n;
	}
	cs_free(insn, 1);
	return into;
}

bool
detour_plan(struct detour_plan *p, uint64_t entry, const uint8_t *fn,
    size_t len, uint64_t hook, uint64_t area, char *why, size_t whylen)
{
	uint64_t tramp = detour_trampoline(area), addr = entry;
	const uint8_t *code = fn;
	size_t left = len, out = MS_DETOUR_TRAMPOLINE;
	cs_insn *insn;
	bool ok = true;
	int32_t d;
	csh h;

	memset(p, 0, sizeof(*p));
	p->entry = entry;
	p->area = area;
	if (!rel32(entry, JMP_REL32_LEN, area, &d)) {
		snprintf(why, whylen, "no patch area within reach of its entry");
		return false;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
		snprintf(why, whylen, "the disassembler cannot start");
		return false;
	}
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(h);
	while (ok && addr - entry < JMP_REL32_LEN) {
		size_t n;

		if (!cs_disasm_iter(h, &code, &left, &addr, insn)) {
			snprintf(why, whylen, "its entry does not disassemble");
			ok = false;
		} else if (addr - entry > MS_DETOUR_SAVED ||
		    out + 16 + JMP_ABS_LEN > MS_DETOUR_AREA) {
			snprintf(why, whylen, "its entry's instructions are too long");
			ok = false;
		} else
			ok = relocate(insn, tramp + (out - MS_DETOUR_TRAMPOLINE),
			    p->code + out, &n, why, whylen) && (out += n, true);
	}
	cs_free(insn, 1);
	p->nreplaced = (size_t)(addr - entry);
	if (ok && jumps_into(h, entry, fn, len, p->nreplaced)) {
		snprintf(why, whylen, "a jump inside it lands in the bytes the patch "
		    "would replace");
		ok = false;
	}
	cs_close(&h);
	if (!ok)
		return false;
	/* the trampoline goes on behind the bytes replaced */
	out += put_jmp_abs(p->code + out, entry + p->nreplaced);
	/* the area begins with the jump to the hook */
	put_jmp_abs(p->code, hook);
	memset(p->code + JMP_ABS_LEN, INT3, MS_DETOUR_TRAMPOLINE - JMP_ABS_LEN);
	p->ncode = out;
	memcpy(p->saved, fn, p->nreplaced);
	p->patch[0] = 0xe9;
	memcpy(p->patch + 1, &d, 4);
	memset(p->patch + JMP_REL32_LEN, INT3, p->nreplaced - JMP_REL32_LEN);
	return true;
}

bool
detour_is_patched(uint64_t entry, const uint8_t *text, size_t len,
    uint64_t area)
{
	int32_t d;

	if (len < JMP_REL32_LEN || text[0] != 0xe9)
		return false;
	memcpy(&d, text + 1, 4);
	return entry + JMP_REL32_LEN + (uint64_t)(int64_t)d == area;
}

/* SPDX-License-Identifier: ISC */
/* Unit tests of the stat, status and syscall parsers (src/proc/proc-stat.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proc-stat.h"

#define KB(n) ((uint64_t)(n) * 1024)

/*
 * Everything after the command of a real /proc/self/stat (Linux 6.18, 52
 * fields), with distinct figures in the fault and time fields so that an
 * off-by-one field shows.
 */
static const char stat_tail[] =
    "S 8695 8695 6296 0 -1 4194304 101 7 3 2 45 12 0 0 20 0 3 0 69716 "
    "3133440 388 18446744073709551615 94687096836096 94687096855977 "
    "140726734868240 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94687096871984 "
    "94687096873600 94687490756608 140726734875069 140726734875089 "
    "140726734875089 140726734876651 0\n";

static int
parse_stat(const char *head, struct proc_stat *st)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "%s %s", head, stat_tail);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	return proc_stat_parse(buf, (size_t)n, st);
}

static void
assert_stat_tail(const struct proc_stat *st)
{
	assert_int_equal(st->state, 'S');
	assert_int_equal(st->ppid, 8695);
	assert_int_equal(st->flags, 4194304);
	assert_false(st->flags & PROC_PF_KTHREAD);
	assert_int_equal(st->minflt, 101);
	assert_int_equal(st->majflt, 3);
	assert_int_equal(st->utime, 45);
	assert_int_equal(st->stime, 12);
	assert_int_equal(st->num_threads, 3);
	assert_int_equal(st->starttime, 69716);
	assert_int_equal(st->vsize, 3133440);
	assert_int_equal(st->rss_pages, 388);
	assert_int_equal(st->start_code, 94687096836096);
	assert_int_equal(st->end_code, 94687096855977);
	assert_int_equal(st->start_stack, 140726734868240);
	assert_int_equal(st->start_data, 94687096871984);
	assert_int_equal(st->end_data, 94687096873600);
	assert_int_equal(st->start_brk, 94687490756608);
	assert_int_equal(st->arg_start, 140726734875069);
	assert_int_equal(st->arg_end, 140726734875089);
	assert_int_equal(st->env_start, 140726734875089);
	assert_int_equal(st->env_end, 140726734876651);
}

static void
test_stat(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(parse_stat("8704 (cat)", &st), 0);
	assert_int_equal(st.pid, 8704);
	assert_string_equal(st.comm, "cat");
	assert_stat_tail(&st);
}

/* prctl(PR_SET_NAME) allows any bytes: the command ends at the last ')'. */
static void
test_stat_comm(void **state)
{
	static const struct {
		const char	*head;
		const char	*comm;
	} cases[] = {
		{ "1234 (a) b) c)", "a) b) c" },
		{ "1234 (my prog)", "my prog" },
		{ "1234 ((sd-pam))", "(sd-pam)" },
		{ "1234 (x))", "x)" },
		{ "1234 ()", "" },
		{ "1234 (kworker/u8:2-events_unbound)",
		    "kworker/u8:2-events_unbound" },
		/* a command made to look like the fields that follow it */
		{ "1234 (evil) R 1 2 3)", "evil) R 1 2 3" },
	};
	struct proc_stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_stat(cases[i].head, &st), 0);
		assert_int_equal(st.pid, 1234);
		assert_string_equal(st.comm, cases[i].comm);
		assert_stat_tail(&st);
	}
}

/* A command too long for comm[] is cut, not overflowed. */
static void
test_stat_long_comm(void **state)
{
	char head[128], comm[100];
	struct proc_stat st;

	(void)state;
	memset(comm, 'x', 80);
	comm[80] = '\0';
	snprintf(head, sizeof(head), "7 (%s)", comm);
	assert_int_equal(parse_stat(head, &st), 0);
	assert_int_equal(strlen(st.comm), sizeof(st.comm) - 1);
	assert_memory_equal(st.comm, comm, sizeof(st.comm) - 1);
	assert_stat_tail(&st);
}

static void
test_stat_kthread(void **state)
{
	static const char line[] =
	    "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 8 0 0 "
	    "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 "
	    "0 0 0 0 0 0 0 0 0\n";
	struct proc_stat st;

	(void)state;
	assert_int_equal(proc_stat_parse(line, sizeof(line) - 1, &st), 0);
	assert_int_equal(st.pid, 2);
	assert_string_equal(st.comm, "kthreadd");
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.flags, 2129984);
	assert_true(st.flags & PROC_PF_KTHREAD);
	assert_int_equal(st.num_threads, 1);
	assert_int_equal(st.starttime, 8);
	assert_int_equal(st.vsize, 0);
	assert_int_equal(st.start_brk, 0);
}

/* Older kernels stop after cguest_time (field 44): the rest stays zero. */
static void
test_stat_old_kernel(void **state)
{
	static const char line[] =
	    "8704 (cat) R 8695 8695 6296 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 "
	    "0 69716 3133440 388 18446744073709551615 94687096836096 "
	    "94687096855977 140726734868240 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
	struct proc_stat st;

	(void)state;
	assert_int_equal(proc_stat_parse(line, sizeof(line) - 1, &st), 0);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.vsize, 3133440);
	assert_int_equal(st.start_stack, 140726734868240);
	assert_int_equal(st.start_data, 0);
	assert_int_equal(st.arg_start, 0);
	assert_int_equal(st.env_end, 0);
}

static void
test_stat_bad(void **state)
{
	static const char *const lines[] = {
		"",
		"8704 cat R 8695",
		"8704 (cat R 8695 8695 6296 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 "
		"69716 3133440 388",
		"8704 (cat)",
		"8704 (cat) ",
		/* nineteen numbers: vsize (field 23) is missing */
		"8704 (cat) R 8695 8695 6296 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 "
		"0 69716",
		/* a number that is not one */
		"8704 (cat) R 8695 8695 6296 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 "
		"1x 0 69716 3133440 388",
	};
	struct proc_stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (proc_stat_parse(lines[i], strlen(lines[i]), &st) != -1)
			fail_msg("accepted \"%s\"", lines[i]);
}

static void
test_status(void **state)
{
	static const char text[] =
	    "Name:\tcat\n"
	    "Umask:\t0022\n"
	    "State:\tS (sleeping)\n"
	    "Tgid:\t8705\n"
	    "Ngid:\t0\n"
	    "Pid:\t8706\n"
	    "PPid:\t8695\n"
	    "TracerPid:\t8690\n"
	    "Uid:\t1000\t1001\t1002\t1003\n"
	    "Gid:\t2000\t2001\t2002\t2003\n"
	    "FDSize:\t256\n"
	    "Groups:\t \n"
	    "NStgid:\t8705\n"
	    "NSpid:\t8706\n"
	    "NSpgid:\t8695\n"
	    "NSsid:\t6296\n"
	    "Kthread:\t0\n"
	    "VmPeak:\t    3160 kB\n"
	    "VmSize:\t    3060 kB\n"
	    "VmLck:\t       4 kB\n"
	    "VmPin:\t       8 kB\n"
	    "VmHWM:\t    1768 kB\n"
	    "VmRSS:\t    1700 kB\n"
	    "RssAnon:\t     116 kB\n"
	    "RssFile:\t    1652 kB\n"
	    "RssShmem:\t       0 kB\n"
	    "VmData:\t     360 kB\n"
	    "VmStk:\t     132 kB\n"
	    "VmExe:\t      20 kB\n"
	    "VmLib:\t    1528 kB\n"
	    "VmPTE:\t      44 kB\n"
	    "VmSwap:\t      12 kB\n"
	    "HugetlbPages:\t       0 kB\n"
	    "CoreDumping:\t0\n"
	    "THP_enabled:\t1\n"
	    "untag_mask:\t0xffffffffffffffff\n"
	    "Threads:\t3\n"
	    "SigQ:\t0/96365\n"
	    "SigPnd:\t0000000000000000\n"
	    "ShdPnd:\t0000000000000000\n"
	    "SigBlk:\tfffffffe7ffbfeff\n"
	    "SigIgn:\t0000000000001000\n"
	    "Cpus_allowed_list:\t0-1\n"
	    "voluntary_ctxt_switches:\t0\n"
	    "nonvoluntary_ctxt_switches:\t0\n";
	struct proc_status st;

	(void)state;
	assert_int_equal(proc_status_parse(text, sizeof(text) - 1, &st), 0);
	assert_string_equal(st.name, "cat");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.tgid, 8705);
	assert_int_equal(st.ppid, 8695);
	assert_int_equal(st.tracer_pid, 8690);
	assert_int_equal(st.uid[0], 1000);
	assert_int_equal(st.uid[1], 1001);
	assert_int_equal(st.uid[2], 1002);
	assert_int_equal(st.uid[3], 1003);
	assert_int_equal(st.threads, 3);
	assert_true(st.has_vm);
	assert_int_equal(st.vm_peak, KB(3160));
	assert_int_equal(st.vm_size, KB(3060));
	assert_int_equal(st.vm_lck, KB(4));
	assert_int_equal(st.vm_hwm, KB(1768));
	assert_int_equal(st.vm_rss, KB(1700));
	assert_int_equal(st.vm_swap, KB(12));
	assert_true(st.has_sig_blocked);
	assert_true(st.sig_blocked == 0xfffffffe7ffbfeffull);
}

/* A kernel thread has no address space, hence no Vm lines. */
static void
test_status_kthread(void **state)
{
	static const char text[] =
	    "Name:\tkthreadd\n"
	    "Umask:\t0022\n"
	    "State:\tS (sleeping)\n"
	    "Tgid:\t2\n"
	    "Ngid:\t0\n"
	    "Pid:\t2\n"
	    "PPid:\t0\n"
	    "TracerPid:\t0\n"
	    "Uid:\t0\t0\t0\t0\n"
	    "Gid:\t0\t0\t0\t0\n"
	    "FDSize:\t64\n"
	    "Groups:\t \n"
	    "Kthread:\t1\n"
	    "Threads:\t1\n"
	    "SigQ:\t0/96365\n"
	    "voluntary_ctxt_switches:\t61\n"
	    "nonvoluntary_ctxt_switches:\t0\n";
	struct proc_status st;

	(void)state;
	assert_int_equal(proc_status_parse(text, sizeof(text) - 1, &st), 0);
	assert_string_equal(st.name, "kthreadd");
	assert_int_equal(st.tgid, 2);
	assert_int_equal(st.threads, 1);
	assert_false(st.has_vm);
	assert_int_equal(st.vm_size, 0);
	assert_int_equal(st.vm_rss, 0);
}

static void
test_status_name(void **state)
{
	static const char text[] =
	    "Name:\tmy prog: two\n"
	    "State:\tZ (zombie)\n";
	struct proc_status st;

	(void)state;
	/* no final newline: the last line still counts */
	assert_int_equal(proc_status_parse(text, sizeof(text) - 2, &st), 0);
	assert_string_equal(st.name, "my prog: two");
	assert_int_equal(st.state, 'Z');
	assert_false(st.has_vm);
}

static void
test_status_bad(void **state)
{
	static const char *const texts[] = {
		"",
		"garbage\n",
		"State:\tS (sleeping)\nVmSize:\t 3060 kB\n",
	};
	struct proc_status st;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (proc_status_parse(texts[i], strlen(texts[i]), &st) != -1)
			fail_msg("case %zu accepted", i);
}

static void
test_syscall_running(void **state)
{
	static const char text[] = "running\n";
	struct proc_syscall sc;

	(void)state;
	memset(&sc, 0xff, sizeof(sc));
	assert_int_equal(proc_syscall_parse(text, sizeof(text) - 1, &sc), 0);
	assert_int_equal(sc.state, PROC_SYSCALL_RUNNING);
	assert_int_equal(sc.nr, -1);
	assert_int_equal(sc.sp, 0);
	assert_int_equal(sc.pc, 0);
}

/* Stopped outside a system call: the number is -1, then sp and pc. */
static void
test_syscall_outside(void **state)
{
	static const char text[] = "-1 0x7ffd468b07a8 0x7f417c7292ad\n";
	struct proc_syscall sc;

	(void)state;
	assert_int_equal(proc_syscall_parse(text, sizeof(text) - 1, &sc), 0);
	assert_int_equal(sc.state, PROC_SYSCALL_BLOCKED);
	assert_int_equal(sc.nr, -1);
	assert_int_equal(sc.sp, 0x7ffd468b07a8);
	assert_int_equal(sc.pc, 0x7f417c7292ad);

	/* the short form the brief gives, without a newline */
	assert_int_equal(proc_syscall_parse("-1 0x7ffd 0x7f00", 16, &sc), 0);
	assert_int_equal(sc.nr, -1);
	assert_int_equal(sc.sp, 0x7ffd);
	assert_int_equal(sc.pc, 0x7f00);
}

static void
test_syscall_full(void **state)
{
	/* sleep(1) in clock_nanosleep */
	static const char nanosleep[] = "230 0x0 0x0 0x7ffc659c01d0 "
	    "0x7ffc659c0210 0x0 0x0 0x7ffc659c01b8 0x7ff364bef503\n";
	/* cat in read(0, ...): number 0 is a system call too */
	static const char readcall[] = "0 0x3 0x7f417c5af000 0x20000 "
	    "0x7f417c640b60 0xffffffff 0x0 0x7ffd468b07a8 0x7f417c7292ad\n";
	/* openat(AT_FDCWD, ...): an argument above INT64_MAX */
	static const char openat[] = "257 0xffffffffffffff9c 0x55d0c0de1000 "
	    "0x80000 0x0 0x0 0x0 0x7ffe2a3b4c58 0x7f1e2d3c4b5a\n";
	struct proc_syscall sc;

	(void)state;
	assert_int_equal(proc_syscall_parse(nanosleep, sizeof(nanosleep) - 1,
	    &sc), 0);
	assert_int_equal(sc.state, PROC_SYSCALL_BLOCKED);
	assert_int_equal(sc.nr, 230);
	assert_int_equal(sc.sp, 0x7ffc659c01b8);
	assert_int_equal(sc.pc, 0x7ff364bef503);

	assert_int_equal(proc_syscall_parse(readcall, sizeof(readcall) - 1,
	    &sc), 0);
	assert_int_equal(sc.state, PROC_SYSCALL_BLOCKED);
	assert_int_equal(sc.nr, 0);
	assert_int_equal(sc.sp, 0x7ffd468b07a8);
	assert_int_equal(sc.pc, 0x7f417c7292ad);

	assert_int_equal(proc_syscall_parse(openat, sizeof(openat) - 1, &sc),
	    0);
	assert_int_equal(sc.nr, 257);
	assert_int_equal(sc.sp, 0x7ffe2a3b4c58);
	assert_int_equal(sc.pc, 0x7f1e2d3c4b5a);
}

static void
test_syscall_bad(void **state)
{
	static const char *const texts[] = {
		"",
		"\n",
		"garbage\n",
		"230\n",
		"230 0x0\n",
		"-1 0x7ffd\n",
		/* three numbers are only valid outside a system call */
		"5 0x7ffd 0x7f00\n",
		"-1 0x7ffd 0x7f00 0x1\n",
		"230 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffc\n",
		"230 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffc 0x7f00 0x1\n",
		"230 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffc 0x7f00 junk\n",
		"-1 0xzz 0x7f00\n",
	};
	struct proc_syscall sc;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (proc_syscall_parse(texts[i], strlen(texts[i]), &sc) != -1)
			fail_msg("accepted \"%s\"", texts[i]);
}

/* The seconds since boot: the first field; the idle seconds are not used. */
static void
test_uptime(void **state)
{
	const char text[] = "350735.47 234388.90\n";
	double up = -1;

	(void)state;
	assert_int_equal(proc_uptime_parse(text, strlen(text), &up), 0);
	assert_true(up == 350735.47);
	/* the length bounds it: "35" alone */
	assert_int_equal(proc_uptime_parse(text, 2, &up), 0);
	assert_true(up == 35.0);
	assert_int_equal(proc_uptime_parse("0.00 0.00", 9, &up), 0);
	assert_true(up == 0.0);
}

static void
test_uptime_bad(void **state)
{
	static const char *const texts[] = {
		"", " ", "abc 1.0", "12.5x 1.0", "-3.0 1.0", "nan 1.0",
		"inf 1.0", "1e300 1.0",
		"1234567890123456789012345678901234567890123456789012345678901234.0",
	};
	double up;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (proc_uptime_parse(texts[i], strlen(texts[i]), &up) == 0)
			fail_msg("accepted \"%s\"", texts[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_stat_comm),
		cmocka_unit_test(test_stat_long_comm),
		cmocka_unit_test(test_stat_kthread),
		cmocka_unit_test(test_stat_old_kernel),
		cmocka_unit_test(test_stat_bad),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_kthread),
		cmocka_unit_test(test_status_name),
		cmocka_unit_test(test_status_bad),
		cmocka_unit_test(test_syscall_running),
		cmocka_unit_test(test_syscall_outside),
		cmocka_unit_test(test_syscall_full),
		cmocka_unit_test(test_syscall_bad),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_uptime_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

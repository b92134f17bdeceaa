# SPDX-License-Identifier: ISC
# Integration tests of `memscope run`: the programs of tests/targets/run-*
# under the shim, their figures compared exactly with the JSON summary.
RUN_TESTS = \
	tests/run-counts.test \
	tests/run-threads.test \
	tests/run-race.test \
	tests/run-fork.test \
	tests/run-dlopen.test \
	tests/run-cxx.test \
	tests/run-allocators.test \
	tests/run-kill-analyzer.test \
	tests/run-kill-target.test \
	tests/run-ring.test \
	tests/run-refuse.test \
	tests/run-io.test \
	tests/run-report.test \
	tests/run-programs.test \
	tests/run-leaks.test \
	tests/run-leaks-report.test \
	tests/run-leaks-allocators.test \
	tests/run-signals.test \
	tests/run-coroutine.test \
	tests/run-collapsed.test \
	tests/run-massif.test \
	tests/run-pprof.test \
	tests/run-html.test \
	tests/run-bins.test \
	tests/run-lifetimes.test \
	tests/run-symbols.test \
	tests/run-attach.test \
	tests/run-harmless.test \
	tests/run-attach-leaks.test \
	tests/run-attach-kill.test \
	tests/run-attach-stopped.test \
	tests/run-attach-ring.test \
	tests/run-attach-hooks.test \
	tests/run-attach-python.test \
	tests/run-attach-busy.test \
	tests/run-attach-signals.test \
	tests/run-attach-redis.test \
	tests/run-attach-fork.test \
	tests/run-attach-replay.test

TESTS += $(RUN_TESTS)
EXTRA_DIST += $(RUN_TESTS) tests/run-lib.sh tests/attach-lib.sh
# the page tests/run-html.test opens in the browser, and its screenshot
EXTRA_DIST += tests/html-check.js
CLEANFILES += tests/run-html.png

# Real programs of the distribution, each under memscope run and under
# valgrind memcheck, their definitely and indirectly lost figures the same
# (tests/real-lib.sh); skipped where valgrind or the program is missing.
REAL_TESTS = \
	tests/real-python.test \
	tests/real-python-threads.test \
	tests/real-python-mp.test \
	tests/real-cc1plus.test \
	tests/real-perl.test \
	tests/real-ruby.test \
	tests/real-sqlite3.test \
	tests/real-git.test \
	tests/real-bash.test \
	tests/real-ssh-keygen.test

TESTS += $(REAL_TESTS)
EXTRA_DIST += $(REAL_TESTS) tests/real-lib.sh

check-real: all
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(REAL_TESTS)'
.PHONY: check-real

# Stress and fault injection (issue 8), each with an exact assertion of what
# survives; sized for two cores (the longest, run-churn, churns for 10 s).
# run-kill-analyzer and run-kill-target above kill memscope and the program
# at random moments.
STRESS_TESTS = \
	tests/run-churn.test \
	tests/run-fork-storm.test \
	tests/run-full-disk.test \
	tests/run-trace-damage.test \
	tests/run-oom.test \
	tests/run-sigalloc.test

TESTS += $(STRESS_TESTS)
EXTRA_DIST += $(STRESS_TESTS)

# Known bugs, each asserted by a test that fails until it is fixed (then it
# passes, which counts as a failure: take it out of this list).
# real-ruby: ruby unmaps the lower half of its object pages at its end;
# natively those are its newest pages, under valgrind (which maps from the
# bottom up) its oldest, so it leaves different objects behind, and memcheck
# calls lost what memscope finds reachable through them (memscope(1),
# DIFFERENCES FROM VALGRIND MEMCHECK, "Programs that keep their own heap").
XFAIL_TESTS = tests/real-ruby.test

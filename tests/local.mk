# SPDX-License-Identifier: ISC
# The test suite: cmocka unit tests (tests/unit/) and integration tests,
# shell scripts (tests/*.test) that run memscope on the programs in
# tests/targets/ and compare with oracles (smaps_rollup, pmap, status).

TEST_EXTENSIONS = .test
LOG_COMPILER = $(top_builddir)/tests/run.sh
TEST_LOG_COMPILER = $(top_builddir)/tests/run.sh $(SHELL)

TESTS =
EXTRA_DIST += tests/init.sh tests/summary.sh tests/run.sh.in

include tests/targets/local.mk
include tests/targets/run.mk
include tests/unit/local.mk
include tests/integration.mk
include tests/run.mk

# `make check` ends with one line: "N passed, N failed". automake's own
# check-TESTS is replaced (automake lets a Makefile.am override it) by the
# same two steps, removing stale logs then making the suite log with the
# parallel harness, plus the count, printed whether tests failed or not.
check-TESTS: $(check_PROGRAMS)
	@rm -f $(TEST_SUITE_LOG) $(RECHECK_LOGS) $(RECHECK_LOGS:.log=.trs)
	@$(MAKE) $(AM_MAKEFLAGS) $(TEST_SUITE_LOG); rc=$$?; \
	$(SHELL) $(srcdir)/tests/summary.sh $(TEST_LOGS:.log=.trs); \
	exit $$rc

# make check-valgrind: the integration tests again, with the analyzer under
# valgrind memcheck; its logs in tests/valgrind-logs/. Slow (7 to 15 minutes
# on 2 cores, make check about one), so not part of make check; CI runs it.
EXTRA_DIST += tests/valgrind.sh tests/valgrind-check.sh tests/valgrind.supp
# Under valgrind their errors count, their verdicts do not:
# run-kill-analyzer's kills land by a clock set on an undisturbed run;
# tui reads the screen from tmux, and ncurses sends a frame in a write per
# line or so: under valgrind the rest of a frame can come late enough for
# two captures in a row to agree on half of one (tests/README.md).
VALGRIND_TIMED = tests/run-kill-analyzer.test tests/tui.test
check-valgrind: all
	@if test -n '$(SANITIZER_CFLAGS)'; then \
	    echo 'check-valgrind: valgrind cannot run a memscope built with' \
	        'sanitizers: use a build configured without them' >&2; \
	    exit 1; fi
	$(AM_V_at)$(MAKE) $(AM_MAKEFLAGS) $(check_PROGRAMS) $(check_LIBRARIES) \
	    $(check_LTLIBRARIES)
	$(AM_V_at)VALGRIND_TIMED='$(VALGRIND_TIMED)' \
	    XFAIL_TESTS='$(XFAIL_TESTS)' $(SHELL) \
	    $(srcdir)/tests/valgrind-check.sh $(srcdir) $(filter %.test,$(TESTS))
.PHONY: check-valgrind

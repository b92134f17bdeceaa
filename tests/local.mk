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

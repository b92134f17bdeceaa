# Integration tests: memscope on real processes, checked against oracles.
INTEGRATION_TESTS = \
	tests/cli.test \
	tests/map-layout.test \
	tests/map-oracles.test \
	tests/map-errors.test \
	tests/map-fixtures.test

TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS)

# SPDX-License-Identifier: ISC
# Integration tests: memscope on real processes, checked against oracles.
# tui.test drives the dashboard (memscope top, run --tui) through tmux.
INTEGRATION_TESTS = \
	tests/cli.test \
	tests/layers.test \
	tests/map-layout.test \
	tests/map-oracles.test \
	tests/map-errors.test \
	tests/map-fixtures.test \
	tests/tui.test

TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) tests/fixtures

#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what memscope's tests, benchmarks and static analysis use (the
# oracles: valgrind, heaptrack, pmap, tmux, strace, gdb, a headless
# browser, ...; cmocka for the unit tests), with what it needs to build.
# Tests whose oracle is missing skip.
exec "$(dirname "$0")/install-deps.sh" --tests

# SPDX-License-Identifier: ISC
# Programs with a known behaviour, run under memscope by the .test scripts.
# Built as shipped: no sanitizers, ordinary flags.
check_PROGRAMS += tests/targets/layout
tests_targets_layout_SOURCES = tests/targets/layout.c tests/targets/target.h
tests_targets_layout_CFLAGS = $(AM_CFLAGS) -O1 -g -pthread
tests_targets_layout_LDADD = -lpthread

check_PROGRAMS += tests/targets/static-idle
tests_targets_static_idle_SOURCES = tests/targets/static-idle.c tests/targets/target.h
# libtool drops a plain -static; -all-static reaches the compiler
tests_targets_static_idle_LDFLAGS = -all-static

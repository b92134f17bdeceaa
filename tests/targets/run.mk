# SPDX-License-Identifier: ISC
# Programs that the `memscope run` tests (tests/run-*.test) run under the
# shim. Each keeps by hand the figures memscope must report and writes them
# with write(2), never stdio (its buffer would be one more live block).
# Built as shipped: no sanitizers, ordinary flags.
run_target_cflags = $(AM_CFLAGS) -O1 -g
run_target_headers = tests/targets/run-target.h

check_PROGRAMS += tests/targets/run-counts
tests_targets_run_counts_SOURCES = tests/targets/run-counts.c $(run_target_headers)
tests_targets_run_counts_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-threads
tests_targets_run_threads_SOURCES = tests/targets/run-threads.c $(run_target_headers)
tests_targets_run_threads_CFLAGS = $(run_target_cflags) -pthread
tests_targets_run_threads_LDADD = -lpthread

check_PROGRAMS += tests/targets/run-race
tests_targets_run_race_SOURCES = tests/targets/run-race.c $(run_target_headers)
tests_targets_run_race_CFLAGS = $(run_target_cflags) -pthread
tests_targets_run_race_LDADD = -lpthread

check_PROGRAMS += tests/targets/run-fork
tests_targets_run_fork_SOURCES = tests/targets/run-fork.c $(run_target_headers)
tests_targets_run_fork_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-exec
tests_targets_run_exec_SOURCES = tests/targets/run-exec.c $(run_target_headers)
tests_targets_run_exec_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-dlopen
tests_targets_run_dlopen_SOURCES = tests/targets/run-dlopen.c $(run_target_headers)
tests_targets_run_dlopen_CFLAGS = $(run_target_cflags)
tests_targets_run_dlopen_LDADD = -ldl

# The library run-dlopen loads: a libtool module that is never installed
# (-rpath only makes libtool build a shared object), found by the test in
# tests/targets/.libs/.
check_LTLIBRARIES = tests/targets/libruntest-dl.la
tests_targets_libruntest_dl_la_SOURCES = tests/targets/libruntest-dl.c
tests_targets_libruntest_dl_la_CFLAGS = $(run_target_cflags)
tests_targets_libruntest_dl_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere

# C++: libstdc++'s allocations through operator new. The warnings are the
# C ones that apply to C++.
check_PROGRAMS += tests/targets/run-cxx
tests_targets_run_cxx_SOURCES = tests/targets/run-cxx.cc $(run_target_headers)
tests_targets_run_cxx_CXXFLAGS = -std=gnu++17 -Wall -Wextra -Wshadow -Wformat=2 \
	-Wno-format-nonliteral -Wpointer-arith -Wvla $(DEBUG_CFLAGS) -O1 -g

check_PROGRAMS += tests/targets/run-ticker
tests_targets_run_ticker_SOURCES = tests/targets/run-ticker.c $(run_target_headers)
tests_targets_run_ticker_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-pairs
tests_targets_run_pairs_SOURCES = tests/targets/run-pairs.c $(run_target_headers)
tests_targets_run_pairs_CFLAGS = $(run_target_cflags)

# Not a target: runs a command as a child subreaper, to collect the exit
# status of a program whose memscope was killed.
check_PROGRAMS += tests/targets/run-reaper
tests_targets_run_reaper_SOURCES = tests/targets/run-reaper.c $(run_target_headers)
tests_targets_run_reaper_CFLAGS = $(run_target_cflags)

# Not a target: prints where the zstd frames of a trace are, for
# tests/run-trace-damage.test.
check_PROGRAMS += tests/targets/trace-frames
tests_targets_trace_frames_SOURCES = tests/targets/trace-frames.c
tests_targets_trace_frames_CFLAGS = $(run_target_cflags) $(ZSTD_CFLAGS)
tests_targets_trace_frames_LDADD = $(ZSTD_LIBS)

# Leak scenarios whose memcheck LEAK SUMMARY is known exactly, for
# tests/run-leaks.test (the figures: tests/leak-cases.expected). leak-cases
# links with libleaktest.so, built here and never installed: -no-install
# links leak-cases with a run path to it, without a libtool wrapper script
# (the test runs the program itself under memscope and valgrind).
check_PROGRAMS += tests/targets/leak-cases
tests_targets_leak_cases_SOURCES = tests/targets/leak-cases.c tests/targets/leak-target.h
tests_targets_leak_cases_CFLAGS = $(run_target_cflags) -pthread
tests_targets_leak_cases_LDFLAGS = -no-install
tests_targets_leak_cases_LDADD = tests/targets/libleaktest.la -lpthread

check_LTLIBRARIES += tests/targets/libleaktest.la
tests_targets_libleaktest_la_SOURCES = tests/targets/libleaktest.c
tests_targets_libleaktest_la_CFLAGS = $(run_target_cflags)
tests_targets_libleaktest_la_LDFLAGS = -avoid-version -shared -rpath /nowhere

check_PROGRAMS += tests/targets/leak-cxx
tests_targets_leak_cxx_SOURCES = tests/targets/leak-cxx.cc tests/targets/leak-target.h
tests_targets_leak_cxx_CXXFLAGS = -std=gnu++17 -Wall -Wextra -Wshadow -Wformat=2 \
	-Wno-format-nonliteral -Wpointer-arith -Wvla $(DEBUG_CFLAGS) -O1 -g

EXTRA_DIST += tests/leak-cases.expected

check_PROGRAMS += tests/targets/run-signals
tests_targets_run_signals_SOURCES = tests/targets/run-signals.c
tests_targets_run_signals_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/leak-main-local
tests_targets_leak_main_local_SOURCES = tests/targets/leak-main-local.c
tests_targets_leak_main_local_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-bins
tests_targets_run_bins_SOURCES = tests/targets/run-bins.c
tests_targets_run_bins_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-frag
tests_targets_run_frag_SOURCES = tests/targets/run-frag.c
tests_targets_run_frag_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-coroutine
tests_targets_run_coroutine_SOURCES = tests/targets/run-coroutine.c
tests_targets_run_coroutine_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-lifetimes
tests_targets_run_lifetimes_SOURCES = tests/targets/run-lifetimes.c $(run_target_headers)
tests_targets_run_lifetimes_CFLAGS = $(run_target_cflags)

# The dashboard's test (tests/tui.test): a known heap, three threads, a site
# that only grows, until a file appears.
check_PROGRAMS += tests/targets/tui-heap
tests_targets_tui_heap_SOURCES = tests/targets/tui-heap.c $(run_target_headers)
tests_targets_tui_heap_CFLAGS = $(run_target_cflags) -pthread
tests_targets_tui_heap_LDADD = -lpthread

# `memscope attach` and `memscope leaks` (tests/run-attach.test): a program
# that waits for commands on a fifo and does exactly what it is told, with
# its own counters on stdout.
check_PROGRAMS += tests/targets/attach-server
tests_targets_attach_server_SOURCES = tests/targets/attach-server.c \
	$(run_target_headers) tests/targets/leak-target.h
tests_targets_attach_server_CFLAGS = $(run_target_cflags)
# A Python program of the same protocol (tests/run-attach-python.test).
EXTRA_DIST += tests/targets/attach-python.py
# The same, built without PIE: its references to malloc & co. are its own
# PLT entries, which a lookup of the global definitions returns too.
check_PROGRAMS += tests/targets/attach-server-nopie
tests_targets_attach_server_nopie_SOURCES = $(tests_targets_attach_server_SOURCES)
tests_targets_attach_server_nopie_CFLAGS = $(run_target_cflags) -fno-pie
tests_targets_attach_server_nopie_LDFLAGS = -no-pie

# Threads allocating without a pause (tests/run-attach-busy.test).
check_PROGRAMS += tests/targets/attach-busy
tests_targets_attach_busy_SOURCES = tests/targets/attach-busy.c \
	$(run_target_headers)
tests_targets_attach_busy_CFLAGS = $(run_target_cflags) -pthread
tests_targets_attach_busy_LDADD = -lpthread

# Real-time signals counted while memscope attach stops the process again
# and again (tests/run-attach-signals.test).
check_PROGRAMS += tests/targets/attach-signals
tests_targets_attach_signals_SOURCES = tests/targets/attach-signals.c \
	$(run_target_headers)
tests_targets_attach_signals_CFLAGS = $(run_target_cflags) -pthread
tests_targets_attach_signals_LDADD = -lpthread

# memscope leaks on blocks from before the attach that hold the only
# pointers to blocks allocated after it (tests/run-attach-leaks.test).
check_PROGRAMS += tests/targets/attach-list
tests_targets_attach_list_SOURCES = tests/targets/attach-list.c \
	tests/targets/leak-target.h
tests_targets_attach_list_CFLAGS = $(run_target_cflags)
tests_targets_attach_list_LDADD = -lpthread

# Kills a command at its Nth call of ptrace & co. (tests/run-attach-kill.test).
check_PROGRAMS += tests/targets/kill-at
tests_targets_kill_at_SOURCES = tests/targets/kill-at.c
tests_targets_kill_at_CFLAGS = $(run_target_cflags)

# The stress and fault tests (issue 8): a known amount of allocation work
# with a checksum of what the program wrote, for a run whose memscope is
# killed, runs out of memory or writes its trace to a full disk.
check_PROGRAMS += tests/targets/run-work
tests_targets_run_work_SOURCES = tests/targets/run-work.c $(run_target_headers)
tests_targets_run_work_CFLAGS = $(run_target_cflags)

# Killed at a random moment while it allocates: its figures, kept in a
# shared file mapping, outlive it (tests/run-kill-target.test).
check_PROGRAMS += tests/targets/run-doomed
tests_targets_run_doomed_SOURCES = tests/targets/run-doomed.c $(run_target_headers)
tests_targets_run_doomed_CFLAGS = $(run_target_cflags)

# A timer signal at 10 kHz whose handler allocates, while the program
# allocates (tests/run-sigalloc.test).
check_PROGRAMS += tests/targets/run-sigalloc
tests_targets_run_sigalloc_SOURCES = tests/targets/run-sigalloc.c $(run_target_headers)
tests_targets_run_sigalloc_CFLAGS = $(run_target_cflags)

# Programs of tests/run-harmless.test: what memscope run must leave as it
# found it (descriptors, thread stacks, signal dispositions).
check_PROGRAMS += tests/targets/run-closeall
tests_targets_run_closeall_SOURCES = tests/targets/run-closeall.c
tests_targets_run_closeall_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-carved-stacks
tests_targets_run_carved_stacks_SOURCES = tests/targets/run-carved-stacks.c
tests_targets_run_carved_stacks_CFLAGS = $(run_target_cflags) -pthread
tests_targets_run_carved_stacks_LDADD = -lpthread

check_PROGRAMS += tests/targets/run-dispositions
tests_targets_run_dispositions_SOURCES = tests/targets/run-dispositions.c
tests_targets_run_dispositions_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-undumpable
tests_targets_run_undumpable_SOURCES = tests/targets/run-undumpable.c
tests_targets_run_undumpable_CFLAGS = $(run_target_cflags)

check_PROGRAMS += tests/targets/run-sites
tests_targets_run_sites_SOURCES = tests/targets/run-sites.c
tests_targets_run_sites_CFLAGS = $(run_target_cflags)

# SPDX-License-Identifier: ISC
# Benchmarks: `make bench` prints ratios measured side by side in one run,
# never a timed pass/fail, so nothing here is part of `make check`. The
# programs are EXTRA_PROGRAMS: built only when `bench` asks for them.
#
#	make bench [BENCH_ROUNDS=11] [BENCH_WARMUP=2] [BENCH_MAPS=10000]
#	    [BENCH_RUN_ROUNDS=3] [BENCH_RUN_WARMUP=1] [BENCH_RUN_ONLY='churn deep']
#	    [BENCH_LEAK_ROUNDS=5] [BENCH_LEAK_WARMUP=1] [BENCH_LEAK_SCANS=3]
#	    [BENCH_LEAK_BLOCKS=1000000] [BENCH_LEAK_MIB=384]
#	    [BENCH_LEAK_SMALL_BLOCKS=100000] [BENCH_LEAK_SMALL_MIB=64]
#	    [BENCH_ATTACH_ROUNDS=5] [BENCH_ATTACH_WARMUP=1]
#	    [BENCH_ATTACH_LEAK_BLOCKS=100000] [BENCH_ATTACH_LEAK_MIB=64]
#	    [BENCH_ATTACH_WORKLOADS='churn mt-churn-4 deep']
#	    [BENCH_ATTACH_SERVER_SECONDS=2] [BENCH_ATTACH_SERVER_CONNECTIONS=4]
#	make bench-map		# only `memscope map` against pmap -X
#	make bench-alloc	# only `memscope run` against native and heaptrack
#	make bench-leaks	# only the leak check: its scan rate and time on
#				# bench/workloads/leaky, and `memscope run`
#				# against native, heaptrack -r and valgrind
#				# --leak-check=full on leak targets
#	make bench-attach	# only memscope attach: its time against
#				# heaptrack -p, the stop of `memscope leaks`,
#				# the slowdown while attached against
#				# memscope run
#	make bench-signals	# only a storm of signals under memscope run,
#				# with the leak check and without
BENCH_WORKLOADS = bench/workloads/churn bench/workloads/mt-churn \
	bench/workloads/deep bench/workloads/realloc-grow \
	bench/workloads/cxx-containers bench/workloads/signal-storm
BENCH_LEAK_WORKLOADS = bench/workloads/leaky
BENCH_SERVER_WORKLOADS = bench/workloads/server
EXTRA_PROGRAMS = bench/bench-run bench/attach-time bench/many-maps \
	$(BENCH_WORKLOADS) $(BENCH_LEAK_WORKLOADS) $(BENCH_SERVER_WORKLOADS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/lib.sh bench/map.sh bench/run.sh bench/leaks.sh bench/attach.sh \
	bench/signals.sh \
	bench/RESULTS.md \
	bench/README.md \
	bench/workloads/churn.py bench/workloads/insert-rows.awk \
	bench/workloads/many-functions.awk

bench_bench_run_SOURCES = bench/bench-run.c
bench_attach_time_SOURCES = bench/attach-time.c
bench_many_maps_SOURCES = bench/many-maps.c

# The workloads are built as a user's program would be: with CFLAGS, never
# with the sanitizers memscope may be built with.
bench_workloads_churn_SOURCES = bench/workloads/churn.c \
	bench/workloads/workload.h
bench_workloads_mt_churn_SOURCES = bench/workloads/mt-churn.c \
	bench/workloads/workload.h
bench_workloads_mt_churn_CFLAGS = $(AM_CFLAGS) -pthread
bench_workloads_mt_churn_LDADD = -lpthread
bench_workloads_deep_SOURCES = bench/workloads/deep.c \
	bench/workloads/workload.h
bench_workloads_realloc_grow_SOURCES = bench/workloads/realloc-grow.c \
	bench/workloads/workload.h
bench_workloads_leaky_SOURCES = bench/workloads/leaky.c \
	bench/workloads/workload.h tests/targets/leak-target.h
# the stack scrub of the leak test targets (tests/targets/leak-target.h)
bench_workloads_leaky_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/targets
bench_workloads_signal_storm_SOURCES = bench/workloads/signal-storm.c \
	bench/workloads/workload.h
bench_workloads_signal_storm_CFLAGS = $(AM_CFLAGS) -pthread
bench_workloads_signal_storm_LDADD = -lpthread
bench_workloads_server_SOURCES = bench/workloads/server.c \
	bench/workloads/workload.h
bench_workloads_server_CFLAGS = $(AM_CFLAGS) -pthread
bench_workloads_server_LDADD = -lpthread
# C++: needs AC_PROG_CXX in configure.ac.
bench_workloads_cxx_containers_SOURCES = bench/workloads/cxx-containers.cc

BENCH_ROUNDS = 11
BENCH_WARMUP = 2
BENCH_MAPS = 10000
BENCH_RUN_ROUNDS = 3
BENCH_RUN_WARMUP = 1
BENCH_RUN_ONLY =
BENCH_LEAK_ROUNDS = 5
BENCH_LEAK_WARMUP = 1
BENCH_LEAK_SCANS = 3
BENCH_LEAK_BLOCKS = 1000000
BENCH_LEAK_MIB = 384
BENCH_LEAK_SMALL_BLOCKS = 100000
BENCH_LEAK_SMALL_MIB = 64
BENCH_ATTACH_ROUNDS = 5
BENCH_ATTACH_WARMUP = 1
BENCH_ATTACH_LEAK_BLOCKS = 100000
BENCH_ATTACH_LEAK_MIB = 64
BENCH_ATTACH_WORKLOADS = churn mt-churn-4 deep
BENCH_SIGNAL_ROUNDS = 5
BENCH_SIGNAL_WARMUP = 1
BENCH_ATTACH_SERVER_SECONDS = 2
BENCH_ATTACH_SERVER_CONNECTIONS = 4

bench_build_flags = $(CFLAGS) $(DEBUG_CFLAGS) $(SANITIZER_CFLAGS)

bench_map = BENCH_ROUNDS='$(BENCH_ROUNDS)' BENCH_WARMUP='$(BENCH_WARMUP)' \
	BENCH_MAPS='$(BENCH_MAPS)' MEMSCOPE_BUILD_FLAGS='$(bench_build_flags)' \
	$(SHELL) $(srcdir)/bench/map.sh src/memscope$(EXEEXT) \
	    bench/bench-run$(EXEEXT) bench/many-maps$(EXEEXT)

bench_alloc = BENCH_RUN_ROUNDS='$(BENCH_RUN_ROUNDS)' \
	BENCH_RUN_WARMUP='$(BENCH_RUN_WARMUP)' BENCH_RUN_ONLY='$(BENCH_RUN_ONLY)' \
	MEMSCOPE_BUILD_FLAGS='$(bench_build_flags)' \
	$(SHELL) $(srcdir)/bench/run.sh src/memscope$(EXEEXT) \
	    bench/bench-run$(EXEEXT) bench/workloads $(srcdir)/bench/workloads

# The leak targets of the side-by-side part are those of `make check`:
# tests/targets/leak-cases and its figures, tests/leak-cases.expected.
bench_leaks = BENCH_LEAK_ROUNDS='$(BENCH_LEAK_ROUNDS)' \
	BENCH_LEAK_WARMUP='$(BENCH_LEAK_WARMUP)' \
	BENCH_LEAK_SCANS='$(BENCH_LEAK_SCANS)' \
	BENCH_LEAK_BLOCKS='$(BENCH_LEAK_BLOCKS)' \
	BENCH_LEAK_MIB='$(BENCH_LEAK_MIB)' \
	BENCH_LEAK_SMALL_BLOCKS='$(BENCH_LEAK_SMALL_BLOCKS)' \
	BENCH_LEAK_SMALL_MIB='$(BENCH_LEAK_SMALL_MIB)' \
	MEMSCOPE_BUILD_FLAGS='$(bench_build_flags)' \
	$(SHELL) $(srcdir)/bench/leaks.sh src/memscope$(EXEEXT) \
	    bench/bench-run$(EXEEXT) bench/workloads/leaky$(EXEEXT) \
	    tests/targets/leak-cases$(EXEEXT) $(srcdir)/tests/leak-cases.expected

# memscope attach and heaptrack -p ptrace a process that is not their child
# (attach-time starts both): Yama's ptrace_scope 0, or root. memscope
# attach loads the shim, the library in pkglib.
bench_attach = BENCH_ATTACH_ROUNDS='$(BENCH_ATTACH_ROUNDS)' \
	BENCH_ATTACH_WARMUP='$(BENCH_ATTACH_WARMUP)' \
	BENCH_ATTACH_LEAK_BLOCKS='$(BENCH_ATTACH_LEAK_BLOCKS)' \
	BENCH_ATTACH_LEAK_MIB='$(BENCH_ATTACH_LEAK_MIB)' \
	BENCH_ATTACH_WORKLOADS='$(BENCH_ATTACH_WORKLOADS)' \
	BENCH_ATTACH_SERVER_SECONDS='$(BENCH_ATTACH_SERVER_SECONDS)' \
	BENCH_ATTACH_SERVER_CONNECTIONS='$(BENCH_ATTACH_SERVER_CONNECTIONS)' \
	MEMSCOPE_BUILD_FLAGS='$(bench_build_flags)' \
	$(SHELL) $(srcdir)/bench/attach.sh src/memscope$(EXEEXT) \
	    bench/attach-time$(EXEEXT) bench/workloads

bench_signals = BENCH_SIGNAL_ROUNDS='$(BENCH_SIGNAL_ROUNDS)' \
	BENCH_SIGNAL_WARMUP='$(BENCH_SIGNAL_WARMUP)' \
	MEMSCOPE_BUILD_FLAGS='$(bench_build_flags)' \
	$(SHELL) $(srcdir)/bench/signals.sh src/memscope$(EXEEXT) \
	    bench/bench-run$(EXEEXT) bench/workloads/signal-storm$(EXEEXT)

# One recipe, not prerequisites: under make -j the benchmarks would run at
# the same time and time each other. `memscope run` needs its shim, the
# library in pkglib.
bench: src/memscope$(EXEEXT) $(pkglib_LTLIBRARIES) $(EXTRA_PROGRAMS) \
    tests/targets/leak-cases$(EXEEXT)
	@$(bench_map)
	@echo
	@$(bench_alloc)
	@echo
	@$(bench_leaks)
	@echo
	@$(bench_attach)
	@echo
	@$(bench_signals)

bench-map: src/memscope$(EXEEXT) bench/bench-run$(EXEEXT) \
    bench/many-maps$(EXEEXT)
	@$(bench_map)

bench-alloc: src/memscope$(EXEEXT) $(pkglib_LTLIBRARIES) \
    bench/bench-run$(EXEEXT) $(BENCH_WORKLOADS:=$(EXEEXT))
	@$(bench_alloc)

bench-leaks: src/memscope$(EXEEXT) $(pkglib_LTLIBRARIES) \
    bench/bench-run$(EXEEXT) $(BENCH_LEAK_WORKLOADS:=$(EXEEXT)) \
    tests/targets/leak-cases$(EXEEXT)
	@$(bench_leaks)

bench-attach: src/memscope$(EXEEXT) $(pkglib_LTLIBRARIES) \
    bench/attach-time$(EXEEXT) $(BENCH_WORKLOADS:=$(EXEEXT)) \
    $(BENCH_LEAK_WORKLOADS:=$(EXEEXT)) $(BENCH_SERVER_WORKLOADS:=$(EXEEXT))
	@$(bench_attach)

.PHONY: bench bench-map bench-alloc bench-leaks bench-attach bench-signals

bench-signals: src/memscope$(EXEEXT) $(pkglib_LTLIBRARIES) \
    bench/bench-run$(EXEEXT) bench/workloads/signal-storm$(EXEEXT)
	@$(bench_signals)

# Benchmarks: `make bench` prints ratios measured side by side in one run,
# never a timed pass/fail, so nothing here is part of `make check`. The
# programs are EXTRA_PROGRAMS: built only when `bench` asks for them.
#
#	make bench [BENCH_ROUNDS=11] [BENCH_WARMUP=2] [BENCH_MAPS=10000]
EXTRA_PROGRAMS = bench/bench-run bench/many-maps
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/map.sh bench/RESULTS.md bench/README.md

bench_bench_run_SOURCES = bench/bench-run.c
bench_many_maps_SOURCES = bench/many-maps.c

BENCH_ROUNDS = 11
BENCH_WARMUP = 2
BENCH_MAPS = 10000

bench: src/memscope$(EXEEXT) $(EXTRA_PROGRAMS)
	@BENCH_ROUNDS='$(BENCH_ROUNDS)' BENCH_WARMUP='$(BENCH_WARMUP)' \
	BENCH_MAPS='$(BENCH_MAPS)' \
	MEMSCOPE_BUILD_FLAGS='$(CFLAGS) $(DEBUG_CFLAGS) $(SANITIZER_CFLAGS)' \
	$(SHELL) $(srcdir)/bench/map.sh src/memscope$(EXEEXT) \
	    bench/bench-run$(EXEEXT) bench/many-maps$(EXEEXT)

.PHONY: bench

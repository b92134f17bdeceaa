# SPDX-License-Identifier: ISC
# libFuzzer harnesses of every parser of outside input, one per
# fuzz/fuzz-NAME.c; seed corpora in tests/fuzz/NAME/, inputs that once
# crashed a parser in tests/fuzz/regressions/NAME/ (see tests/fuzz/README.md).
#
#	make fuzz [FUZZ_SECONDS=60] [FUZZ_HARNESSES='trace elf'] [CLANG=clang-14]
#	make fuzz-smoke		# 10 s each, for CI
#
# The harnesses are built only by these targets, with clang and the
# analyzer's modules compiled again (libFuzzer, ASan, UBSan), in
# fuzz/build/. make check builds them with the analyzer's compiler and
# flags and fuzz/replay.c instead of libFuzzer, as fuzz/replay-NAME, and
# tests/fuzz-replay.test replays every seed and regression input.
FUZZ_HARNESSES = trace proc-maps proc-smaps proc-stat suppress elf ring hello
FUZZ_SECONDS = 60
CLANG = clang

# What the parsers need of src/, and nothing that draws or attaches.
FUZZ_MODULES = util/apportion util/buf util/log util/strtab util/xmalloc \
	proc/elf-object proc/proc-maps proc/proc-smaps proc/proc-stat \
	model/default-supp model/model model/model-heap model/model-leaks \
	model/model-mappings model/model-segments model/model-stacks \
	model/suppress trace/trace-layout trace/trace-leaks trace/trace-run \
	trace/tracefile \
	source/source-events source/source-ring source/source-trace \
	target/control

# UBSan aborts (-fno-sanitize-recover), so that libFuzzer sees a crash.
FUZZ_COMPILE_FLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LINK_FLAGS = -fsanitize=fuzzer,address,undefined
fuzz_cppflags = $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	-I$(top_srcdir)/fuzz $(LIBELF_CFLAGS) $(ZSTD_CFLAGS)
fuzz_compile = $(CLANG) $(fuzz_cppflags) $(FUZZ_COMPILE_FLAGS) -MMD -MP
fuzz_programs = $(FUZZ_HARNESSES:%=fuzz/build/fuzz-%)

fuzz/build/src/%.o: src/%.c
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(fuzz_compile) -c -o $@ $<
fuzz/build/obj/%.o: fuzz/%.c
	@$(MKDIR_P) fuzz/build/obj
	$(AM_V_CC)$(fuzz_compile) -c -o $@ $<
fuzz/build/libparsers.a: $(FUZZ_MODULES:%=fuzz/build/src/%.o)
	$(AM_V_AR)rm -f $@ && $(AR) cr $@ $^ && $(RANLIB) $@
fuzz/build/fuzz-%: fuzz/build/obj/fuzz-%.o fuzz/build/obj/fuzz-util.o \
    fuzz/build/libparsers.a
	$(AM_V_CCLD)$(CLANG) $(FUZZ_LINK_FLAGS) -o $@ $^ $(LIBELF_LIBS) \
	    $(ZSTD_LIBS) -lm
# kept, not deleted as intermediates of the pattern rules
.SECONDARY: $(FUZZ_HARNESSES:%=fuzz/build/obj/fuzz-%.o) \
	fuzz/build/obj/fuzz-util.o
-include $(wildcard fuzz/build/obj/*.d fuzz/build/src/*/*.d)

fuzz-build:
	@command -v $(CLANG) > /dev/null 2>&1 || { \
	    echo "make fuzz: '$(CLANG)' not found: the harnesses need clang" \
	        "with libFuzzer (apt-get install clang, or make fuzz" \
	        "CLANG=clang-NN)" >&2; exit 1; }
	@$(MAKE) $(AM_MAKEFLAGS) fuzz-programs
fuzz-programs: $(fuzz_programs)

fuzz: fuzz-build
	@$(SHELL) $(srcdir)/fuzz/run.sh $(srcdir) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-smoke: fuzz-build
	@$(SHELL) $(srcdir)/fuzz/run.sh $(srcdir) 10 $(FUZZ_HARNESSES)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-programs

# The same harnesses under make check: each seed and each regression
# input, replayed once.
check_LIBRARIES = fuzz/libreplay.a
fuzz_libreplay_a_SOURCES = fuzz/replay.c fuzz/fuzz-util.c fuzz/fuzz.h
fuzz_libreplay_a_CFLAGS = $(AM_CFLAGS) $(SANITIZER_CFLAGS)

# (listed: automake cannot see programs through a substitution)
FUZZ_REPLAY = fuzz/replay-trace fuzz/replay-proc-maps fuzz/replay-proc-smaps \
	fuzz/replay-proc-stat fuzz/replay-suppress fuzz/replay-elf \
	fuzz/replay-ring fuzz/replay-hello
check_PROGRAMS += $(FUZZ_REPLAY)
fuzz_replay_cflags = $(AM_CFLAGS) $(SANITIZER_CFLAGS) $(LIBELF_CFLAGS) \
	$(ZSTD_CFLAGS)
fuzz_replay_libs = fuzz/libreplay.a $(MEMSCOPE_LIBS)

fuzz_replay_trace_SOURCES = fuzz/fuzz-trace.c
fuzz_replay_trace_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_trace_LDADD = $(fuzz_replay_libs)
fuzz_replay_trace_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_proc_maps_SOURCES = fuzz/fuzz-proc-maps.c
fuzz_replay_proc_maps_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_proc_maps_LDADD = $(fuzz_replay_libs)
fuzz_replay_proc_maps_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_proc_smaps_SOURCES = fuzz/fuzz-proc-smaps.c
fuzz_replay_proc_smaps_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_proc_smaps_LDADD = $(fuzz_replay_libs)
fuzz_replay_proc_smaps_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_proc_stat_SOURCES = fuzz/fuzz-proc-stat.c
fuzz_replay_proc_stat_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_proc_stat_LDADD = $(fuzz_replay_libs)
fuzz_replay_proc_stat_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_suppress_SOURCES = fuzz/fuzz-suppress.c
fuzz_replay_suppress_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_suppress_LDADD = $(fuzz_replay_libs)
fuzz_replay_suppress_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_elf_SOURCES = fuzz/fuzz-elf.c
fuzz_replay_elf_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_elf_LDADD = $(fuzz_replay_libs)
fuzz_replay_elf_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_ring_SOURCES = fuzz/fuzz-ring.c
fuzz_replay_ring_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_ring_LDADD = $(fuzz_replay_libs)
fuzz_replay_ring_LDFLAGS = $(SANITIZER_CFLAGS)

fuzz_replay_hello_SOURCES = fuzz/fuzz-hello.c
fuzz_replay_hello_CFLAGS = $(fuzz_replay_cflags)
fuzz_replay_hello_LDADD = $(fuzz_replay_libs)
fuzz_replay_hello_LDFLAGS = $(SANITIZER_CFLAGS)

TESTS += tests/fuzz-replay.test
EXTRA_DIST += tests/fuzz-replay.test fuzz/run.sh tests/fuzz
CLEANFILES += $(fuzz_programs) fuzz/build/obj/*.o fuzz/build/obj/*.d \
	fuzz/build/src/*.o fuzz/build/src/*.d fuzz/build/libparsers.a

# SPDX-License-Identifier: ISC
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = contrib/bash-completion/memscope
EXTRA_DIST += contrib/install-deps.sh contrib/install-test-deps.sh

# make lint: clang-tidy and cppcheck over the analyzer, the shim, the unit
# tests and the fuzz harnesses (with fuzz/replay.c, as make check builds
# them), each with the very flags and file lists it is built from; any
# finding fails. Configured by .clang-tidy, contrib/cppcheck.cfg and
# contrib/cppcheck-suppressions.xml. Not part of make check: CI runs it.
EXTRA_DIST += .clang-tidy tests/unit/.clang-tidy contrib/lint.sh \
	contrib/cppcheck.cfg contrib/cppcheck-suppressions.xml
lint: $(BUILT_SOURCES)
	$(AM_V_at)$(SHELL) $(srcdir)/contrib/lint.sh $(srcdir) \
	    :group src \
	    :flags $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) \
	        -I$(top_builddir)/src/pprof $(src_target_libtarget_a_CPPFLAGS) \
	        $(CPPFLAGS) $(ms_layer_cflags) $(CFLAGS) \
	    :files $(filter %.c,$(MEMSCOPE_LAYER_FILES) $(src_memscope_SOURCES)) \
	    :group preload \
	    :flags $(DEFS) $(DEFAULT_INCLUDES) $(preload_libmemscope_la_CPPFLAGS) \
	        $(CPPFLAGS) $(preload_libmemscope_la_CFLAGS) $(CFLAGS) \
	    :files $(filter %.c,$(preload_libmemscope_la_SOURCES)) \
	    :group unit \
	    :flags $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	        $(unit_cflags) $(CFLAGS) \
	    :files $(UNIT_TESTS:=.c) \
	    :group fuzz \
	    :flags $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	        $(fuzz_replay_cflags) $(CFLAGS) \
	    :files $(filter %.c,$(fuzz_libreplay_a_SOURCES)) \
	        $(FUZZ_HARNESSES:%=fuzz/fuzz-%.c)
.PHONY: lint

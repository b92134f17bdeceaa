# The analyzer: a library of modules plus a thin main, so the unit tests
# link the very objects that ship.
noinst_LIBRARIES += src/libmemscope.a
src_libmemscope_a_CFLAGS = $(AM_CFLAGS) $(SANITIZER_CFLAGS) $(LIBELF_CFLAGS) \
	$(LIBDW_CFLAGS) $(ZSTD_CFLAGS) $(PROTOBUFC_CFLAGS) $(ZLIB_CFLAGS) \
	$(NCURSESW_CFLAGS) $(CAPSTONE_CFLAGS)
# -I of the build's src/: the generated src/pprof/profile.pb-c.h
src_libmemscope_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/src \
	-DPKGLIBDIR='"$(pkglibdir)"'
src_libmemscope_a_SOURCES = \
	src/apportion.c src/apportion.h \
	src/attach.c src/attach.h \
	src/buf.c src/buf.h \
	src/clock.c src/clock.h \
	src/collect.c src/collect.h \
	src/cmd.c src/cmd.h \
	src/cmd-attach.c \
	src/cmd-leaks-live.c \
	src/cmd-leaks.c src/cmd-leaks.h \
	src/cmd-map.c \
	src/cmd-profile.c src/cmd-profile.h \
	src/cmd-views.c src/cmd-views.h \
	src/cmd-report.c \
	src/cmd-run.c \
	src/cmd-top.c \
	src/control.c src/control.h \
	src/detour.c src/detour.h \
	src/launch.c src/launch.h \
	src/leak-roots.c src/leak-roots.h \
	src/inject.c src/inject.h \
	src/leak-scan.c src/leak-scan.h \
	src/live.c src/live.h \
	src/elf-object.c src/elf-object.h \
	src/fmt.c src/fmt.h \
	src/json.c src/json.h \
	src/log.c src/log.h \
	src/memcounts.h \
	src/model.c src/model.h \
	src/model-heap.c src/model-heap.h \
	src/model-leaks.c src/model-leaks.h \
	src/model-mappings.c src/model-mappings.h \
	src/model-segments.c src/model-segments.h \
	src/model-stacks.c src/model-stacks.h \
	src/proc.c src/proc.h \
	src/relay.c src/relay.h \
	src/run-tui.c src/run-tui.h \
	src/proc-maps.c src/proc-maps.h \
	src/proc-smaps.c src/proc-smaps.h \
	src/proc-stat.c src/proc-stat.h \
	src/proc-mem.c src/proc-mem.h \
	src/source-proc.c src/source-proc.h \
	src/source-events.c src/source-events.h \
	src/source-leaks.c src/source-leaks.h \
	src/source-ring.c src/source-ring.h \
	src/source-trace.c src/source-trace.h \
	src/strtab.c src/strtab.h \
	src/suppress.c src/suppress.h \
	src/symbolize.c src/symbolize.h \
	src/trace-layout.c src/trace-layout.h \
	src/trace-leaks.c src/trace-leaks.h \
	src/tracefile.c src/tracefile.h \
	src/tracer.c src/tracer.h \
	src/tui.c src/tui.h src/tui-draw.h \
	src/tui-views.c \
	src/view-json.c src/view-json.h \
	src/view-json-run.c src/view-run.h \
	src/view-text.c src/view-text.h \
	src/view-text-run.c \
	src/view-text-leaks.c \
	src/view-text-bins.c \
	src/view-text-lifetimes.c \
	src/view-collapsed.c src/view-collapsed.h \
	src/view-massif.c src/view-massif.h \
	src/view-pprof.c src/view-pprof.h \
	src/wire/clock.h src/wire/detour.h src/wire/futex.h src/wire/protocol.h \
	src/wire/ring.h \
	src/xmalloc.c src/xmalloc.h

# The default leak suppressions: one file, installed for users to read and
# compiled into memscope as a string.
nodist_src_libmemscope_a_SOURCES = src/default-supp.c
dist_pkgdata_DATA = src/default.supp
CLEANFILES += src/default-supp.c
src/default-supp.c: src/default.supp
	$(AM_V_GEN)$(MKDIR_P) src && { \
	    echo '/* Made from src/default.supp by the build: do not edit. */'; \
	    echo 'extern const char memscope_default_supp[];'; \
	    echo 'const char memscope_default_supp[] ='; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	        $(srcdir)/src/default.supp; \
	    echo ';'; } > $@-t && mv $@-t $@

# The pprof output's messages: C made from Google's profile.proto by
# protoc-c, in the build tree (a VPATH build too), before anything compiles.
nodist_src_libmemscope_a_SOURCES += src/pprof/profile.pb-c.c src/pprof/profile.pb-c.h
BUILT_SOURCES = src/pprof/profile.pb-c.c src/pprof/profile.pb-c.h
EXTRA_DIST += src/pprof/profile.proto
CLEANFILES += src/pprof/profile.pb-c.c src/pprof/profile.pb-c.h
src/pprof/profile.pb-c.c: src/pprof/profile.proto
	$(AM_V_GEN)$(MKDIR_P) src/pprof && rm -f $@ src/pprof/profile.pb-c.h && \
	    $(PROTOC_C) --c_out=src/pprof -I$(srcdir)/src/pprof \
	    $(srcdir)/src/pprof/profile.proto
# made with the .c; if it went missing alone, made again
src/pprof/profile.pb-c.h: src/pprof/profile.pb-c.c
	@test -f $@ || { rm -f src/pprof/profile.pb-c.c; \
	    $(MAKE) $(AM_MAKEFLAGS) src/pprof/profile.pb-c.c; }

# libstdc++ for its C++ demangler (__cxa_demangle)
MEMSCOPE_LIBS = src/libmemscope.a $(LIBDW_LIBS) $(LIBELF_LIBS) $(ZSTD_LIBS) \
	$(PROTOBUFC_LIBS) $(ZLIB_LIBS) $(NCURSESW_LIBS) $(CAPSTONE_LIBS) -lm -lstdc++

bin_PROGRAMS += src/memscope
src_memscope_SOURCES = src/memscope.c
src_memscope_CFLAGS = $(AM_CFLAGS) $(SANITIZER_CFLAGS)
src_memscope_LDFLAGS = $(SANITIZER_CFLAGS)
src_memscope_LDADD = $(MEMSCOPE_LIBS)

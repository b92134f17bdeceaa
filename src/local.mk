# SPDX-License-Identifier: ISC
# The analyzer, one library per layer (doc/architecture.md). A layer sees
# the headers of the layers below it and no others: its include path lists
# them, so that an include crossing a layer the wrong way does not compile
# (and contrib/layers.sh refuses any include spelled with a path). The
# unit tests link the very objects that ship.
#
#	wire	<- util <- proc <- model <- trace <- source <- cmd
#	                     proc <- target <- cmd;   model <- view <- cmd

# What each layer sees: itself and the layers below it. This table is the
# layering: the include paths below are made from it, and tests/layers.test
# reads it. The words after "crossing:" are layers seen that must not be
# (being removed).
layer_sees_util   = util wire
layer_sees_proc   = proc util
layer_sees_model  = model proc util
layer_sees_trace  = trace model proc util wire
layer_sees_source = source trace model proc util wire
layer_sees_target = target proc util wire
layer_sees_view   = view model proc util
layer_sees_cmd    = cmd view target source trace model proc util wire
layer_path = $(patsubst %,-I$(top_srcdir)/src/%,$(filter-out crossing:,$(1)))

ms_layer_cflags = $(AM_CFLAGS) $(SANITIZER_CFLAGS) $(LIBELF_CFLAGS) \
	$(LIBDW_CFLAGS) $(ZSTD_CFLAGS) $(PROTOBUFC_CFLAGS) $(ZLIB_CFLAGS) \
	$(NCURSESW_CFLAGS) $(CAPSTONE_CFLAGS)

# util: memory, strings, buffers, the clock, figures and JSON
noinst_LIBRARIES += src/util/libutil.a
src_util_libutil_a_CFLAGS = $(ms_layer_cflags)
src_util_libutil_a_CPPFLAGS = $(call layer_path,$(layer_sees_util))
src_util_libutil_a_SOURCES = \
	src/util/apportion.c \
	src/util/apportion.h \
	src/util/buf.c \
	src/util/buf.h \
	src/util/clock.c \
	src/util/clock.h \
	src/util/fmt.c \
	src/util/fmt.h \
	src/util/json.c \
	src/util/json.h \
	src/util/log.c \
	src/util/log.h \
	src/util/strtab.c \
	src/util/strtab.h \
	src/util/xmalloc.c \
	src/util/xmalloc.h

# proc: /proc and ELF read and parsed: text in, structs out
noinst_LIBRARIES += src/proc/libproc.a
src_proc_libproc_a_CFLAGS = $(ms_layer_cflags)
src_proc_libproc_a_CPPFLAGS = $(call layer_path,$(layer_sees_proc))
src_proc_libproc_a_SOURCES = \
	src/proc/elf-object.c \
	src/proc/elf-object.h \
	src/proc/memcounts.h \
	src/proc/proc-maps.c \
	src/proc/proc-maps.h \
	src/proc/proc-mem.c \
	src/proc/proc-mem.h \
	src/proc/proc-smaps.c \
	src/proc/proc-smaps.h \
	src/proc/proc-stat.c \
	src/proc/proc-stat.h \
	src/proc/proc.c \
	src/proc/proc.h

# model: what is known of a process: layout, heap, stacks, leaks and their scan, suppressions, its history
noinst_LIBRARIES += src/model/libmodel.a
src_model_libmodel_a_CFLAGS = $(ms_layer_cflags)
src_model_libmodel_a_CPPFLAGS = $(call layer_path,$(layer_sees_model))
src_model_libmodel_a_SOURCES = \
	src/model/leak-roots.c \
	src/model/leak-roots.h \
	src/model/leak-scan.c \
	src/model/leak-scan.h \
	src/model/model-heap.c \
	src/model/model-heap.h \
	src/model/model-history.c \
	src/model/model-history.h \
	src/model/model-leaks.c \
	src/model/model-leaks.h \
	src/model/model-mappings.c \
	src/model/model-mappings.h \
	src/model/model-segments.c \
	src/model/model-segments.h \
	src/model/model-stacks.c \
	src/model/model-stacks.h \
	src/model/model.c \
	src/model/model.h \
	src/model/suppress.c \
	src/model/suppress.h

# trace: the .msc trace file: its format, and the model written to it and read back
noinst_LIBRARIES += src/trace/libtrace.a
src_trace_libtrace_a_CFLAGS = $(ms_layer_cflags)
src_trace_libtrace_a_CPPFLAGS = $(call layer_path,$(layer_sees_trace))
src_trace_libtrace_a_SOURCES = \
	src/trace/trace-layout.c \
	src/trace/trace-layout.h \
	src/trace/trace-leaks.c \
	src/trace/trace-leaks.h \
	src/trace/trace-run.c \
	src/trace/trace-run.h \
	src/trace/tracefile.c \
	src/trace/tracefile.h

# source: what fills the model: a shim's ring, a trace, /proc (once, or sampled), the leak check of a held process, symbols
noinst_LIBRARIES += src/source/libsource.a
src_source_libsource_a_CFLAGS = $(ms_layer_cflags)
src_source_libsource_a_CPPFLAGS = $(call layer_path,$(layer_sees_source))
src_source_libsource_a_SOURCES = \
	src/source/sampler.c \
	src/source/sampler.h \
	src/source/source-events.c \
	src/source/source-events.h \
	src/source/source-leaks.c \
	src/source/source-leaks.h \
	src/source/source-proc.c \
	src/source/source-proc.h \
	src/source/source-ring.c \
	src/source/source-ring.h \
	src/source/source-trace.c \
	src/source/source-trace.h \
	src/source/symbolize.c \
	src/source/symbolize.h

# target: the process itself: started, joined, left, traced, called into
noinst_LIBRARIES += src/target/libtarget.a
src_target_libtarget_a_CFLAGS = $(ms_layer_cflags)
src_target_libtarget_a_CPPFLAGS = $(call layer_path,$(layer_sees_target)) \
	-DPKGLIBDIR='"$(pkglibdir)"'
src_target_libtarget_a_SOURCES = \
	src/target/attach.c \
	src/target/attach.h \
	src/target/control.c \
	src/target/control.h \
	src/target/detour.c \
	src/target/detour.h \
	src/target/inject.c \
	src/target/inject.h \
	src/target/launch.c \
	src/target/launch.h \
	src/target/relay.c \
	src/target/relay.h \
	src/target/tracer.c \
	src/target/tracer.h

# view: the model drawn: text, JSON, the files of other tools, the dashboard
noinst_LIBRARIES += src/view/libview.a
src_view_libview_a_CFLAGS = $(ms_layer_cflags)
src_view_libview_a_CPPFLAGS = $(call layer_path,$(layer_sees_view)) \
	-I$(top_builddir)/src/pprof
src_view_libview_a_SOURCES = \
	src/view/tui-draw.h \
	src/view/tui-views.c \
	src/view/tui.c \
	src/view/tui.h \
	src/view/view-collapsed.c \
	src/view/view-collapsed.h \
	src/view/view-html.c \
	src/view/view-html.h \
	src/view/view-json-run.c \
	src/view/view-json.c \
	src/view/view-json.h \
	src/view/view-massif.c \
	src/view/view-massif.h \
	src/view/view-pprof.c \
	src/view/view-pprof.h \
	src/view/view-run.h \
	src/view/view-text-bins.c \
	src/view/view-text-leaks.c \
	src/view/view-text-lifetimes.c \
	src/view/view-text-run.c \
	src/view/view-text.c \
	src/view/view-text.h

# cmd: the commands: options, the collector loop, the dashboard's loop
noinst_LIBRARIES += src/cmd/libcmd.a
src_cmd_libcmd_a_CFLAGS = $(ms_layer_cflags)
src_cmd_libcmd_a_CPPFLAGS = $(call layer_path,$(layer_sees_cmd))
src_cmd_libcmd_a_SOURCES = \
	src/cmd/attach-leaks.c \
	src/cmd/attach-leaks.h \
	src/cmd/cmd-attach.c \
	src/cmd/cmd-leaks.c \
	src/cmd/cmd-map.c \
	src/cmd/cmd-report.c \
	src/cmd/cmd-run.c \
	src/cmd/cmd-top.c \
	src/cmd/cmd.c \
	src/cmd/cmd.h \
	src/cmd/collect.c \
	src/cmd/collect.h \
	src/cmd/dashboard.c \
	src/cmd/dashboard.h \
	src/cmd/leak-options.c \
	src/cmd/leak-options.h \
	src/cmd/profile-options.c \
	src/cmd/profile-options.h \
	src/cmd/report.c \
	src/cmd/report.h
# The default leak suppressions: one file, installed for users to read and
# compiled into memscope as a string.
nodist_src_model_libmodel_a_SOURCES = src/model/default-supp.c
dist_pkgdata_DATA = src/model/default.supp
CLEANFILES += src/model/default-supp.c
src/model/default-supp.c: src/model/default.supp
	$(AM_V_GEN)$(MKDIR_P) src/model && { \
	    echo '/* SPDX-License-Identifier: ISC */'; \
	    echo '/* Made from src/model/default.supp by the build: do not edit. */'; \
	    echo 'extern const char memscope_default_supp[];'; \
	    echo 'const char memscope_default_supp[] ='; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	        $(srcdir)/src/model/default.supp; \
	    echo ';'; } > $@-t && mv $@-t $@

# The pprof output's messages: C made from Google's profile.proto by
# protoc-c, in the build tree (a VPATH build too), before anything compiles.
nodist_src_view_libview_a_SOURCES = src/pprof/profile.pb-c.c \
	src/pprof/profile.pb-c.h
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

# The HTML report's script and style: files of their own, compiled into
# memscope as strings. Neither may hold "</" followed by "script" or
# "style", which would end its element in the page early.
nodist_src_view_libview_a_SOURCES += src/view/html-assets.c
EXTRA_DIST += src/view/html/report.js src/view/html/report.css
CLEANFILES += src/view/html-assets.c
src/view/html-assets.c: src/view/html/report.js src/view/html/report.css
	$(AM_V_GEN)$(MKDIR_P) src/view && \
	if grep -Eiq '</(script|style)' $(srcdir)/src/view/html/report.js \
	    $(srcdir)/src/view/html/report.css; then \
	    echo "src/view/html: an asset holds '</script' or '</style'" >&2; \
	    exit 1; fi && { \
	    echo '/* Made from src/view/html/ by the build: do not edit. */'; \
	    echo 'extern const char memscope_html_js[];'; \
	    echo 'extern const char memscope_html_css[];'; \
	    echo 'const char memscope_html_js[] ='; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	        $(srcdir)/src/view/html/report.js; \
	    echo ';'; \
	    echo 'const char memscope_html_css[] ='; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	        $(srcdir)/src/view/html/report.css; \
	    echo ';'; } > $@-t && mv $@-t $@

# Every source file of the analyzer's layers (make lint reads them all).
MEMSCOPE_LAYER_FILES = $(src_util_libutil_a_SOURCES) $(src_proc_libproc_a_SOURCES) \
	$(src_model_libmodel_a_SOURCES) $(src_trace_libtrace_a_SOURCES) \
	$(src_source_libsource_a_SOURCES) $(src_target_libtarget_a_SOURCES) \
	$(src_view_libview_a_SOURCES) $(src_cmd_libcmd_a_SOURCES)

# libstdc++ for its C++ demangler (__cxa_demangle). The layers from the top
# down, as a static library's symbols must come after their users.
MEMSCOPE_LAYERS = src/cmd/libcmd.a src/view/libview.a src/source/libsource.a \
	src/target/libtarget.a src/trace/libtrace.a src/model/libmodel.a \
	src/proc/libproc.a src/util/libutil.a
MEMSCOPE_LIBS = $(MEMSCOPE_LAYERS) $(LIBDW_LIBS) $(LIBELF_LIBS) $(ZSTD_LIBS) \
	$(PROTOBUFC_LIBS) $(ZLIB_LIBS) $(NCURSESW_LIBS) $(CAPSTONE_LIBS) -lm -lstdc++

bin_PROGRAMS += src/memscope
src_memscope_SOURCES = src/cmd/memscope.c
src_memscope_CFLAGS = $(AM_CFLAGS) $(SANITIZER_CFLAGS)
src_memscope_LDFLAGS = $(SANITIZER_CFLAGS)
src_memscope_LDADD = $(MEMSCOPE_LIBS)

# SPDX-License-Identifier: ISC
# The preload shim, loaded into the target. Its include path is src/wire/
# alone (the wire protocol), it exports only the interposed functions, and
# it is never built with sanitizers: it runs inside arbitrary programs.
pkglib_LTLIBRARIES = preload/libmemscope.la
preload_libmemscope_la_SOURCES = \
	preload/alloc-maps.c \
	preload/allocator.c \
	preload/attach.c \
	preload/bootstrap.c \
	preload/detour.c \
	preload/dynsym.c \
	preload/fork.c \
	preload/got.c \
	preload/hooks-dl.c \
	preload/hooks-exit.c \
	preload/hooks-malloc.c \
	preload/hooks-mmap.c \
	preload/hooks-signal.c \
	preload/modules.c \
	preload/producer.c preload/producer.h \
	preload/shim.c preload/shim.h \
	preload/stack.c \
	src/wire/event-clock.h src/wire/detour-table.h src/wire/futex.h src/wire/protocol.h \
	src/wire/ring.h
preload_libmemscope_la_CPPFLAGS = -I$(top_srcdir)/src/wire
preload_libmemscope_la_CFLAGS = -std=gnu11 $(WARN_CFLAGS) $(DEBUG_CFLAGS) \
	-fvisibility=hidden -ftls-model=initial-exec -pthread $(LIBUNWIND_CFLAGS)
preload_libmemscope_la_LDFLAGS = -module -avoid-version -no-undefined \
	-Wl,-z,now
preload_libmemscope_la_LIBADD = $(LIBUNWIND_LIBS) -ldl -lpthread

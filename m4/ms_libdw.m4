dnl SPDX-License-Identifier: ISC
dnl libdw (elfutils): symbols, DWARF file:line, inlined frames.
AC_DEFUN([MS_CHECK_LIBDW], [MS_REQUIRE_PKG([LIBDW], [libdw], [libdw-dev])])

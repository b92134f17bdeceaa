dnl SPDX-License-Identifier: ISC
dnl libelf (elfutils): ELF program and section headers of mapped objects.
AC_DEFUN([MS_CHECK_LIBELF], [MS_REQUIRE_PKG([LIBELF], [libelf], [libelf-dev])])

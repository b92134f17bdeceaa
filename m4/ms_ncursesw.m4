dnl SPDX-License-Identifier: ISC
dnl ncursesw: the live dashboard.
AC_DEFUN([MS_CHECK_NCURSESW], [MS_REQUIRE_PKG([NCURSESW], [ncursesw], [libncurses-dev])])

dnl SPDX-License-Identifier: ISC
dnl libunwind: stack capture inside the target (the preload shim).
AC_DEFUN([MS_CHECK_LIBUNWIND], [MS_REQUIRE_PKG([LIBUNWIND], [libunwind], [libunwind-dev])])

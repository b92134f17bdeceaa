dnl SPDX-License-Identifier: ISC
dnl zlib: gzip compression of the pprof output (--pprof).
AC_DEFUN([MS_CHECK_ZLIB], [MS_REQUIRE_PKG([ZLIB], [zlib], [zlib1g-dev])])

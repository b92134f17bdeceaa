dnl SPDX-License-Identifier: ISC
dnl libzstd: compression of recorded traces (memscope run -o).
AC_DEFUN([MS_CHECK_ZSTD], [MS_REQUIRE_PKG([ZSTD], [libzstd], [libzstd-dev])])

dnl SPDX-License-Identifier: ISC
dnl cmocka: unit tests. Optional: without it `make check` runs the
dnl integration tests only, and configure's summary says so.
AC_DEFUN([MS_CHECK_CMOCKA], [
	PKG_CHECK_MODULES([CMOCKA], [cmocka >= 1.1], [ms_have_cmocka=yes],
		[ms_have_cmocka=no; ms_cmocka_hint=" (apt-get install libcmocka-dev)"])
	AM_CONDITIONAL([HAVE_CMOCKA], [test "x$ms_have_cmocka" = xyes])
])

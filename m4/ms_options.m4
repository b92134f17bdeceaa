dnl SPDX-License-Identifier: ISC
dnl --enable-debug: no optimisation, full debug info, assertions kept.
AC_DEFUN([MS_ENABLE_DEBUG], [
	AC_ARG_ENABLE([debug],
		[AS_HELP_STRING([--enable-debug], [build for debugging (-O0 -g3)])],
		[], [enable_debug=no])
	AS_IF([test "x$enable_debug" = xyes],
		[DEBUG_CFLAGS="-O0 -g3"], [DEBUG_CFLAGS=""; AC_DEFINE([NDEBUG], [1], [Define to disable assertions.])])
	AC_SUBST([DEBUG_CFLAGS])
])

dnl --enable-sanitizers: ASan and UBSan for the analyzer and its tests, and
dnl float-cast-overflow, which -fsanitize=undefined leaves out: a double
dnl read from a trace file and turned into an integer is outside input.
dnl The preload shim and the test targets are never instrumented: the shim
dnl runs inside arbitrary programs, and the targets must behave as shipped.
AC_DEFUN([MS_ENABLE_SANITIZERS], [
	AC_ARG_ENABLE([sanitizers],
		[AS_HELP_STRING([--enable-sanitizers], [build the analyzer with AddressSanitizer and UndefinedBehaviorSanitizer])],
		[], [enable_sanitizers=no])
	SANITIZER_CFLAGS=""
	AS_IF([test "x$enable_sanitizers" = xyes], [
		SANITIZER_CFLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer"
		ms_save_CFLAGS=$CFLAGS; CFLAGS="$CFLAGS $SANITIZER_CFLAGS"
		ms_save_LDFLAGS=$LDFLAGS; LDFLAGS="$LDFLAGS $SANITIZER_CFLAGS"
		AC_MSG_CHECKING([whether $CC supports $SANITIZER_CFLAGS])
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])], [AC_MSG_RESULT([yes])],
			[AC_MSG_RESULT([no]); AC_MSG_ERROR([the compiler cannot build with sanitizers])])
		CFLAGS=$ms_save_CFLAGS; LDFLAGS=$ms_save_LDFLAGS
	])
	AC_SUBST([SANITIZER_CFLAGS])
	AM_CONDITIONAL([ENABLE_SANITIZERS], [test "x$enable_sanitizers" = xyes])
])

dnl Warnings go in WARN_CFLAGS, never in the user's CFLAGS.
AC_DEFUN([MS_WARN_CFLAGS], [
	WARN_CFLAGS="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wpointer-arith -Wvla"
	AC_SUBST([WARN_CFLAGS])
])

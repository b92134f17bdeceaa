dnl SPDX-License-Identifier: ISC
dnl MS_REQUIRE_PKG(VAR, MODULE, DEBIAN-PACKAGE)
dnl Find MODULE with pkg-config or stop, naming the Debian package to install.
dnl Sets VAR_CFLAGS, VAR_LIBS and VAR_VERSION.
AC_DEFUN([MS_REQUIRE_PKG], [
	PKG_CHECK_MODULES([$1], [$2], [
		$1_VERSION=`$PKG_CONFIG --modversion $2`
	], [
		AC_MSG_ERROR([$2 not found; on Debian or Ubuntu install it with: apt-get install $3])
	])
	AC_SUBST([$1_VERSION])
])

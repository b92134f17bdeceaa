dnl SPDX-License-Identifier: ISC
dnl protobuf-c: the pprof output (--pprof), Google's profile.proto packed
dnl with the code protoc-c makes from src/pprof/profile.proto.
AC_DEFUN([MS_CHECK_PROTOBUFC], [MS_REQUIRE_PKG([PROTOBUFC], [libprotobuf-c], [libprotobuf-c-dev])])

dnl protoc-c: the build turns src/pprof/profile.proto into C with it.
AC_DEFUN([MS_PROG_PROTOC_C], [
	AC_ARG_VAR([PROTOC_C], [the protobuf-c compiler (protoc-c)])
	AC_PATH_PROG([PROTOC_C], [protoc-c])
	AS_IF([test -z "$PROTOC_C"],
		[AC_MSG_ERROR([protoc-c not found; on Debian or Ubuntu install it with: apt-get install protobuf-c-compiler])])
])

dnl SPDX-License-Identifier: ISC
dnl capstone: the disassembler that decides how memscope attach patches the
dnl entries of the allocator's functions (src/target/detour.c).
AC_DEFUN([MS_CHECK_CAPSTONE], [MS_REQUIRE_PKG([CAPSTONE], [capstone], [libcapstone-dev])])

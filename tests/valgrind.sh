#!/bin/sh
# SPDX-License-Identifier: ISC
# memscope under valgrind memcheck, for make check-valgrind: tests/init.sh
# runs this in place of src/memscope when MEMSCOPE_WRAPPER names it. Only
# the analyzer is checked: its children (the targets, with the shim in
# them) run as they are. An error (an invalid read or write, a use of an
# uninitialised value, a block definitely lost) makes memscope exit 99; the
# log goes to tests/valgrind-logs/TEST.PID.log, not to the test's stderr,
# which the tests compare.
: "${abs_top_builddir:?run through make check-valgrind}"
: "${abs_top_srcdir:?run through make check-valgrind}"
logs=${MEMSCOPE_VALGRIND_LOGS:-$abs_top_builddir/tests/valgrind-logs}
exec valgrind --tool=memcheck --trace-children=no --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --num-callers=40 \
    --suppressions="$abs_top_srcdir/tests/valgrind.supp" \
    --log-file="$logs/${MEMSCOPE_TEST:-memscope}.%p.log" \
    "$abs_top_builddir/src/memscope" "$@"

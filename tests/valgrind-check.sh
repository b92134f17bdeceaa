#!/bin/sh
# SPDX-License-Identifier: ISC
# make check-valgrind: the integration tests with the analyzer under
# valgrind memcheck (tests/valgrind.sh), each test's output and valgrind's
# logs in tests/valgrind-logs/, apart from make check's own logs. A test
# passes when it passes as it does in make check and no run of memscope in
# it had a valgrind error (an invalid read or write, a jump on an
# uninitialised value, a bad free, a block definitely lost).
#
# usage: valgrind-check.sh SRCDIR TEST...  (from the top of the build tree)
# VALGRIND_JOBS tests at once (default 2); MEMSCOPE_TEST_TIMEOUT seconds
# each (default 1800: valgrind makes memscope 10 to 50 times slower).
# VALGRIND_TIMED: tests whose verdict rests on memscope's speed (where a
# random kill lands): their valgrind logs count, their status does not.
# XFAIL_TESTS: expected to fail, as in make check.
set -u

srcdir=$1
shift
command -v valgrind > /dev/null 2>&1 || {
	echo "check-valgrind: valgrind is not installed" >&2
	exit 77
}
case $srcdir in
/*) abs_srcdir=$srcdir ;;
*) abs_srcdir=$(cd "$srcdir" && pwd) ;;
esac
logs=tests/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs" || exit 99
# world-writable: a test runs memscope as nobody too (run-attach)
chmod 1777 "$logs"

MEMSCOPE_WRAPPER=$abs_srcdir/tests/valgrind.sh
MEMSCOPE_VALGRIND_LOGS=$(cd "$logs" && pwd)
MEMSCOPE_TEST_TIMEOUT=${MEMSCOPE_TEST_TIMEOUT:-1800}
SHELL=${SHELL:-/bin/sh}
export MEMSCOPE_WRAPPER MEMSCOPE_VALGRIND_LOGS MEMSCOPE_TEST_TIMEOUT SHELL

start=$(date +%s)
for t in "$@"; do
	echo "$t"
done | xargs -P "${VALGRIND_JOBS:-2}" -I{} sh -c '
	t=$1 logs=$2 srcdir=$3
	name=$(basename "$t" .test)
	tests/run.sh "$SHELL" "$srcdir/$t" > "$logs/$name.out" 2>&1
	echo $? > "$logs/$name.status"' sh {} "$logs" "$srcdir"

# A child forked by memscope run logs valgrind's banner (6 lines), then
# execs the program, which runs without valgrind: such a log says nothing.
for f in "$logs"/*.*.log; do
	[ -f "$f" ] && [ "$(wc -l < "$f")" -le 6 ] && rm -f "$f"
done
# An error is in the summary, or, for a memscope killed on purpose (which
# writes no summary), in the lines before.
errors='ERROR SUMMARY: [1-9]|^==[0-9]+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Mismatched free|Syscall param|Source and destination overlap)'

# in_ WORD LIST: whether WORD is one of the words of LIST
in_() {
	case " $2 " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

clean=0 dirty=0 failed=0 skipped=0 timed=0
for t in "$@"; do
	name=$(basename "$t" .test)
	status=$(cat "$logs/$name.status" 2>/dev/null || echo 99)
	runs=$(ls "$logs/$name".*.log 2>/dev/null | wc -l)
	bad=$(grep -lE "$errors" "$logs/$name".*.log 2>/dev/null)
	if [ -n "$bad" ]; then
		result=VALGRIND dirty=$((dirty + 1))
	elif in_ "$t" "${XFAIL_TESTS:-}" && [ "$status" -eq 1 ]; then
		result=XFAIL clean=$((clean + 1))
	elif in_ "$t" "${XFAIL_TESTS:-}" && [ "$status" -eq 0 ]; then
		result=XPASS failed=$((failed + 1))
	elif [ "$status" -eq 0 ]; then
		result=CLEAN clean=$((clean + 1))
	elif [ "$status" -eq 77 ]; then
		result=SKIP skipped=$((skipped + 1))
	elif in_ "$t" "${VALGRIND_TIMED:-}"; then
		result=TIMED timed=$((timed + 1))
	else
		result=FAIL failed=$((failed + 1))
	fi
	printf '%-8s %s (status %s, %s runs of memscope)\n' "$result:" "$t" \
	    "$status" "$runs"
	for f in $bad; do
		echo "  $f:"
		grep -E 'ERROR SUMMARY|definitely lost:|^==[0-9]+== (Invalid|Conditional|Use of|Mismatched|Syscall|Source and|[0-9,]+ bytes in)' \
		    "$f" | sed 's/^/    /' | head -20
	done
	case $result in
	FAIL|TIMED) grep -E '^(FAIL|ERROR)' "$logs/$name.out" |
		sed 's/^/    /' | head -5 ;;
	esac
done
echo "check-valgrind: $clean clean, $dirty with valgrind errors, $failed failed," \
    "$timed clean but off their timing, $skipped skipped" \
    "in $(( $(date +%s) - start )) s (logs in $logs/)"
[ "$dirty" -eq 0 ] && [ "$failed" -eq 0 ]

# SPDX-License-Identifier: ISC
# Sourced by every tests/*.test: paths, temporary directory, assertions and
# the handshake with the programs in tests/targets/.
#
# Exit statuses follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

: "${abs_top_builddir:?run the tests through make check}"
: "${abs_top_srcdir:?run the tests through make check}"

MEMSCOPE="$abs_top_builddir/src/memscope"
TARGETS="$abs_top_builddir/tests/targets"
FIXTURES="$abs_top_srcdir/tests/fixtures"
me=$(basename "$0" .test)
# make check-valgrind: memscope under valgrind memcheck (tests/valgrind.sh),
# its logs named after the test
if [ -n "${MEMSCOPE_WRAPPER:-}" ]; then
	MEMSCOPE=$MEMSCOPE_WRAPPER
	MEMSCOPE_TEST=$me
	export MEMSCOPE_TEST
fi

fail_() { printf 'FAIL: %s: %s\n' "$me" "$*" >&2; exit 1; }
skip_() { printf 'SKIP: %s: %s\n' "$me" "$*" >&2; exit 77; }
framework_failure_() { printf 'ERROR: %s: %s\n' "$me" "$*" >&2; exit 99; }
require_prog_() {
	command -v "$1" >/dev/null 2>&1 || skip_ "$1 is not installed"
}

TESTDIR=$(mktemp -d "${TMPDIR:-/tmp}/memscope-$me.XXXXXX") ||
	framework_failure_ "mktemp failed"
TARGET_PID=
cleanup_() {
	if [ -n "$TARGET_PID" ]; then
		kill "$TARGET_PID" 2>/dev/null
		wait "$TARGET_PID" 2>/dev/null
	fi
	rm -rf "$TESTDIR"
}
trap cleanup_ EXIT
trap 'exit 99' INT TERM

# assert_eq_ ACTUAL EXPECTED WHAT
assert_eq_() {
	[ "$1" = "$2" ] || fail_ "$3: expected '$2', got '$1'"
}

# assert_range_ VALUE MIN MAX WHAT  (integers)
assert_range_() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ] ||
		fail_ "$4: expected $2..$3, got $1"
}

# target_start NAME [ARGS...]: start tests/targets/NAME, which writes
# "key value..." facts to $TARGET_INFO, then "ready", then waits until its
# stdin closes. Sets TARGET_PID.
target_start() {
	name=$1
	shift
	TARGET_INFO="$TESTDIR/$name.info"
	mkfifo "$TESTDIR/$name.fifo" || framework_failure_ "mkfifo"
	"$TARGETS/$name" "$TARGET_INFO" "$@" < "$TESTDIR/$name.fifo" &
	TARGET_PID=$!
	exec 9> "$TESTDIR/$name.fifo"
	i=0
	while ! grep -qx ready "$TARGET_INFO" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 200 ] || framework_failure_ "$name did not get ready"
		kill -0 "$TARGET_PID" 2>/dev/null ||
			framework_failure_ "$name died before it was ready"
		sleep 0.05
	done
}

# target_stop: close the target's stdin and collect its exit status.
target_stop() {
	exec 9>&-
	wait "$TARGET_PID"
	status=$?
	TARGET_PID=
	[ "$status" -eq 0 ] || fail_ "target exited with status $status"
}

# fact KEY [FIELD]: field FIELD (default 2) of the target's line "KEY ...".
fact() {
	awk -v k="$1" -v f="${2:-2}" '$1 == k { print $f; exit }' "$TARGET_INFO"
}

# JSON helpers (jq). Hex strings "0x..." become numbers: user-space
# addresses are below 2^47, exact in jq's doubles.
JQ_DEFS='def hex: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 +
  (if $c >= 97 then $c - 87 elif $c >= 65 then $c - 55 else $c - 48 end));
def seg_at($a): [.segments[] | select((.start | hex) <= $a and $a < (.end | hex))][0];'

# jqf FILE FILTER [jq args...]: run FILTER (with JQ_DEFS) on FILE, raw output.
jqf() {
	file=$1 filter=$2
	shift 2
	jq -r "$@" "$JQ_DEFS $filter" "$file"
}

# seg_field JSON ADDR FIELD: FIELD of the segment holding address ADDR (hex).
seg_field() {
	jqf "$1" "seg_at(\$a) | .$3" --argjson a "$(( $2 ))"
}

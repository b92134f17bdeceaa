#!/bin/sh
# SPDX-License-Identifier: ISC
# map.sh: time `memscope map` against `pmap -X` on a process with 10,000
# mappings, where the per-mapping cost dominates. Run by `make bench`.
#
#	map.sh MEMSCOPE BENCH-RUN MANY-MAPS
#
# Tunables from the environment: BENCH_ROUNDS (11), BENCH_WARMUP (2),
# BENCH_MAPS (10000), BENCH_TARGET (1.5, the issue's ratio to pmap -X).
set -u

me=map.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 3 ]; then
	echo "usage: $me MEMSCOPE BENCH-RUN MANY-MAPS" >&2
	exit 2
fi
memscope=$1
bench_run=$2
many_maps=$3
rounds=${BENCH_ROUNDS:-11}
warmup=${BENCH_WARMUP:-2}
maps=${BENCH_MAPS:-10000}
target=${BENCH_TARGET:-1.5}

command -v pmap >/dev/null 2>&1 || fail "pmap not found (Debian: procps)"
for p in "$memscope" "$bench_run" "$many_maps"; do
	[ -x "$p" ] || fail "$p: not built"
done

# The target must not outlive this script, however it ends: a stray process
# with 10,000 mappings would skew the next run and everything else.
pid=
tmp=
cleanup()
{
	exec 3>&-
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'echo "$me: interrupted" >&2; exit 1' HUP INT TERM

# A zombie still answers kill -0, so look at the state the kernel reports.
alive()
{
	state=$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)
	case $state in
	''|Z|X|x) return 1 ;;
	esac
	return 0
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscope-bench.XXXXXX") ||
	fail "cannot create a temporary directory"
mkfifo "$tmp/stdin" || fail "mkfifo failed in $tmp"

# The target's stdin is a FIFO held open on fd 3: closing it (or this shell
# dying) gives the target EOF, its cue to exit. Opening it read-write does
# not block on Linux, so a target that dies at once cannot hang us here.
"$many_maps" "$maps" <"$tmp/stdin" >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!
exec 3<>"$tmp/stdin"

i=0
until grep -qx ready "$tmp/stdout" 2>/dev/null; do
	alive "$pid" || fail "many-maps died before it was ready:" \
	    "$(cat "$tmp/stderr")"
	i=$((i + 1))
	[ $i -le 600 ] || fail "many-maps not ready after 60 s"
	sleep 0.1
done

nmaps=$(wc -l <"/proc/$pid/maps") || fail "cannot read /proc/$pid/maps"
[ "$nmaps" -ge "$maps" ] ||
	fail "many-maps has $nmaps mappings, wanted at least $maps"

flags=$(printf '%s\n' "${MEMSCOPE_BUILD_FLAGS:-unknown flags}" |
    sed 's/  */ /g; s/^ //; s/ $//')
echo "== map: memscope map vs pmap -X, process with $nmaps mappings" \
    "(many-maps $maps, pid $pid)"
echo "   $(pmap -V 2>&1 | head -n 1); memscope built with: $flags"

"$bench_run" -n "$rounds" -w "$warmup" \
    -l 'pmap -X' \
    -l 'memscope map' -t "$target" \
    -l 'memscope map --json' \
    -- pmap -X "$pid" \
    ::: "$memscope" map "$pid" \
    ::: "$memscope" map --json "$pid"
rc=$?
[ $rc -eq 0 ] || exit $rc

# Timings of a process that died or changed midway compare nothing.
alive "$pid" || fail "many-maps died during the benchmark; results invalid"
now=$(wc -l <"/proc/$pid/maps")
[ "$now" -eq "$nmaps" ] ||
	fail "many-maps went from $nmaps to $now mappings; results invalid"
exit 0

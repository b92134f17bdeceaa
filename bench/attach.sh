#!/bin/sh
# SPDX-License-Identifier: ISC
# attach.sh: what `memscope attach` costs: the time to attach, next to
# heaptrack -p; how long `memscope leaks` stops the process it checks; and
# the slowdown of a process while attached, next to `memscope run`. Run by
# `make bench`, after leaks.sh, and by `make bench-attach`.
#
#	attach.sh MEMSCOPE ATTACH-TIME WORKLOAD-BUILDDIR
#
# The targets are workloads of bench/workloads started with BENCH_GO
# (workload.h): each idles until it reads a go byte from a fifo, so a tool
# attaches to an idle process, and the work starts after the attach.
# ATTACH-TIME (bench/attach-time.c) starts, times and ends the processes.
#
# 1. Attach. `memscope attach PID` and `heaptrack -p PID`, alternated, each
#    against a fresh churn idling before its go, timed from starting the
#    tool until its line ("attached to process", "injection finished")
#    with its library mapped in the target; then ended (SIGINT to memscope
#    attach, which detaches and reports; SIGTERM to heaptrack's target),
#    also timed. Targets: memscope attach under 0.5 s in every round
#    (Must), and faster than heaptrack -p (medians).
#
# 2. The live leak check. leaky BLOCKS MIB started with BENCH_GO and
#    BENCH_HOLD, `memscope attach` on it, go: leaky builds its heap (every
#    block allocated after the attach), writes its figures, prints "ready"
#    and idles; then `memscope leaks PID`, BENCH_ATTACH_LEAK_CHECKS times
#    per round. From the report: how long the process was stopped (its
#    first line), and the LEAK SUMMARY, compared with leaky's figures.
#    Target: stopped at most 50 ms + the heap scanned at 1 GB/s, the heap
#    being the bytes of the live blocks leaky allocated (its figures'
#    "bytes"), all of which the check reads. The roots it also reads
#    (globals, stacks, the allocator's memory from before the attach) are
#    not counted, so the bound is, if anything, stricter.
#
# 3. Slowdown. Each workload natively, under `memscope run
#    --leak-check=no` and attached (`memscope attach` until its line, then
#    go), alternated, timed from the go byte until the workload is gone.
#    Target: the attached slowdown within 10% of run's (the ratio of the
#    medians between 0.90 and 1.10).
#
# 4. A server's throughput. bench/workloads/server serving a client of
#    BENCH_ATTACH_SERVER_CONNECTIONS (4) connections over a Unix socket,
#    requests/s measured for BENCH_ATTACH_SERVER_SECONDS (2) natively, then
#    while memscope attach is attached, then after it detached; and whether
#    the ring is gone after the detach. Target: after the detach, 95% of the
#    native throughput or more (medians); the attached one is reported.
#
# Nothing here fails the build: each target prints met or NOT met.
#
# Tunables from the environment: BENCH_ATTACH_ROUNDS (5),
# BENCH_ATTACH_WARMUP (1), BENCH_ATTACH_LEAK_BLOCKS (100000),
# BENCH_ATTACH_LEAK_MIB (64), BENCH_ATTACH_LEAK_CHECKS (2),
# BENCH_ATTACH_WORKLOADS ('churn mt-churn-4 deep'; also mt-churn-N,
# realloc-grow; empty: no part 3), BENCH_ATTACH_TIMEOUT (300, seconds per
# step).
set -u

me=attach.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 3 ]; then
	echo "usage: $me MEMSCOPE ATTACH-TIME WORKLOAD-BUILDDIR" >&2
	exit 2
fi

memscope=$(absolute "$1")
attach_time=$(absolute "$2")
wl_bin=$(cd "$3" 2>/dev/null && pwd) || fail "$3: no such directory"
rounds=${BENCH_ATTACH_ROUNDS:-5}
warmup=${BENCH_ATTACH_WARMUP:-1}
leak_blocks=${BENCH_ATTACH_LEAK_BLOCKS:-100000}
leak_mib=${BENCH_ATTACH_LEAK_MIB:-64}
leak_checks=${BENCH_ATTACH_LEAK_CHECKS:-2}
workloads=${BENCH_ATTACH_WORKLOADS-churn mt-churn-4 deep}
timeout=${BENCH_ATTACH_TIMEOUT:-300}

for p in "$memscope" "$attach_time" "$wl_bin/churn" "$wl_bin/leaky"; do
	[ -x "$p" ] || fail "$p: not built"
done
for v in "$rounds" "$leak_blocks" "$leak_checks" "$timeout"; do
	case $v in
	''|*[!0-9]*|0) fail "'$v' is not a positive count" ;;
	esac
done
for v in "$warmup" "$leak_mib"; do
	case $v in
	''|*[!0-9]*) fail "'$v' is not a count" ;;
	esac
done

tmp=
cleanup()
{
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'echo "$me: interrupted" >&2; exit 1' HUP INT TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscope-bench-attach.XXXXXX") ||
	fail "cannot create a temporary directory"
cd "$tmp" || fail "cannot enter $tmp"

flags=$(printf '%s\n' "${MEMSCOPE_BUILD_FLAGS:-unknown flags}" |
    sed 's/  */ /g; s/^ //; s/ $//')
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
started=$(date +%s)

echo "== attach: memscope attach vs heaptrack -p, the live leak check's" \
    "stop, the slowdown while attached"
echo "   $(uname -sr), $ncpu CPUs; memscope built with: $flags"
if ! "$memscope" attach --help >/dev/null 2>&1; then
	echo "   memscope attach: n/a (\`$memscope attach --help\` fails)"
	echo "Must: memscope attach < 0.5 s: n/a"
	echo "Target: memscope attach faster than heaptrack -p: n/a"
	echo "Target: memscope leaks stops the process ≤ 50 ms + scan at" \
	    "1 GB/s: n/a"
	echo "Target: slowdown attached within 10% of memscope run's: n/a"
	exit 0
fi
heaptrack=$(command -v heaptrack 2>/dev/null)
if [ -n "$heaptrack" ]; then
	gdbv=$(gdb --version 2>/dev/null | head -n 1)
	echo "   $("$heaptrack" --version 2>&1 | head -n 1) (-p: injects" \
	    "through ${gdbv:-gdb, not found})"
else
	echo "   heaptrack: n/a (not installed; Debian: heaptrack)"
fi
if [ -r /proc/sys/kernel/yama/ptrace_scope ]; then
	echo "   Yama ptrace_scope: $(cat /proc/sys/kernel/yama/ptrace_scope)" \
	    "(the tools ptrace a process that is not their child)"
fi

# --- 1. attach -----------------------------------------------------------

echo
echo "-- 1. attach: from starting the tool until it tracks; target: churn" \
    "idling before its go, a fresh process each time"
if [ -n "$heaptrack" ]; then
	"$attach_time" attach -n "$rounds" -w "$warmup" -k "$timeout" \
	    -d "$tmp" -H "$heaptrack" "$memscope" -- "$wl_bin/churn" \
	    >"$tmp/attach.out" 2>&1
else
	"$attach_time" attach -n "$rounds" -w "$warmup" -k "$timeout" \
	    -d "$tmp" "$memscope" -- "$wl_bin/churn" >"$tmp/attach.out" 2>&1
fi
sed 's/^/   /' "$tmp/attach.out"
awk -v ht="${heaptrack:+yes}" '
function verdict(ok) {
	return ok ? "met" : "NOT met"
}
$1 == "memscope" && $2 != "failed:" { m = $2; mmax = $6 }
$1 == "memscope" && $2 == "failed:" { mfail = 1 }
$1 == "heaptrack" && $2 != "failed:" { h = $2 }
$1 == "heaptrack" && $2 == "failed:" { hfail = 1 }
END {
	if (m == "")
		print "Must: memscope attach < 0.5 s: NOT met (" \
		    (mfail ? "failed" : "no result") ")"
	else
		printf "Must: memscope attach < 0.5 s: %s (every round: at" \
		    " most %.1f ms, median %.1f ms)\n", verdict(mmax < 500),
		    mmax, m
	if (ht != "yes")
		print "Target: memscope attach faster than heaptrack -p: n/a" \
		    " (heaptrack not installed)"
	else if (m == "")
		print "Target: memscope attach faster than heaptrack -p: NOT" \
		    " met (memscope attach failed)"
	else if (h == "")
		print "Target: memscope attach faster than heaptrack -p: met" \
		    " (heaptrack -p " (hfail ? "failed" : "gave no result") ")"
	else
		printf "Target: memscope attach faster than heaptrack -p: %s" \
		    " (medians %.1f ms vs %.1f ms: %.1f× faster)\n",
		    verdict(m < h), m, h, h / m
}' "$tmp/attach.out"

# --- 2. the live leak check ----------------------------------------------

echo
echo "-- 2. memscope leaks PID on leaky $leak_blocks $leak_mib, attached:" \
    "$rounds rounds, $leak_checks checks each"
"$attach_time" leaks -n "$rounds" -c "$leak_checks" -k "$timeout" \
    -d "$tmp" "$memscope" -- "$wl_bin/leaky" "$leak_blocks" "$leak_mib" \
    "$tmp/figures" >"$tmp/leaks.out" 2>&1

# leaky's figures, as the LEAK SUMMARY prints them: 8 numbers.
want=$(awk '$1 ~ /^(definitely|indirectly|possibly|reachable)$/ {
	if (!($1 in v))
		n++
	v[$1] = $2 " " $3 }
    END { if (n == 4) print v["definitely"], v["indirectly"],
	v["possibly"], v["reachable"] }' "$tmp/figures" 2>/dev/null)
heap=$(awk '$1 == "bytes" { print $2 }' "$tmp/figures" 2>/dev/null)

# One line per check: round, check, stopped ms, wall ms, exit, verdicts.
: >"$tmp/checks"
while read -r kind r k wall rc file; do
	case $kind in
	check) ;;
	built)
		echo "   round $r: leaky built its heap in $k ms while attached"
		continue ;;
	*)
		# "failed ROUND WHY", or a message of attach-time's own
		echo "   $kind $r $k $wall $rc $file" | sed 's/ *$//'
		continue ;;
	esac
	stopped=$(sed -n '1s/.*the process was stopped for \([0-9.]*\) ms.*/\1/p' \
	    "$file")
	got=$(awk '
	function num(s) { gsub(/,/, "", s); return s }
	/definitely lost:/ { d = num($(NF - 4)) " " num($(NF - 1)) }
	/indirectly lost:/ { i = num($(NF - 4)) " " num($(NF - 1)) }
	/possibly lost:/ { p = num($(NF - 4)) " " num($(NF - 1)) }
	/still reachable:/ { s = num($(NF - 4)) " " num($(NF - 1)) }
	END { if (d != "" && i != "" && p != "" && s != "")
		print d, i, p, s }' "$file")
	if [ "$rc" != 0 ] || [ -z "$stopped" ]; then
		echo "   round $r, check $k: failed (exit $rc): $(head -n 1 \
		    "$file")"
		echo "$r $k failed $wall n/a" >>"$tmp/checks"
		continue
	fi
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		v=same
	else
		v=differ
		echo "   round $r, check $k: verdicts differ from leaky's" \
		    "figures: memscope ${got:-none}, leaky ${want:-none}"
	fi
	echo "$r $k $stopped $wall $v" >>"$tmp/checks"
done <"$tmp/leaks.out"

awk -v heap="${heap:-0}" -v checks="$leak_checks" "$awk_median"'
BEGIN {
	printf "   %-5s %-5s %10s %12s  %s\n", "round", "check", "stopped",
	    "leaks wall", "verdicts"
}
{
	if ($3 == "failed") {
		printf "   %-5d %-5d failed\n", $1, $2
		failed++
		next
	}
	printf "   %-5d %-5d %7.1f ms %9.1f ms  %s\n", $1, $2, $3, $4,
	    $5 == "same" ? "= leaky'\''s figures" : \
	    "DIFFER from leaky'\''s figures"
	all[++n] = $3
	if ($2 == 1)
		first[++nf] = $3
	else
		again[++na] = $3
	if ($3 > max)
		max = $3
	if ($5 != "same")
		wrong++
}
END {
	bound = 50 + heap / 1e6		# ms: 1 GB/s is 1 MB (10^6 B) a ms
	if (heap > 0)
		printf "heap scanned: %.1f MB (the %s bytes of the live blocks" \
		    " leaky allocated after the attach; roots not counted)\n",
		    heap / 1e6, heap
	else
		print "heap scanned: unknown (leaky wrote no figures)"
	if (n == 0) {
		print "Target: memscope leaks stops the process ≤ 50 ms + scan" \
		    " at 1 GB/s: NOT met (every check failed)"
		print "Verdicts equal leaky'\''s own figures in every check: NO"
		exit 0
	}
	m = median(all, n)
	line = sprintf("median stopped %.1f ms of %d checks", m, n)
	if (checks > 1 && nf > 0 && na > 0)
		line = line sprintf(" (first checks %.1f ms, repeated %.1f ms)",
		    median(first, nf), median(again, na))
	print line sprintf(", at most %.1f ms", max)
	if (heap == 0)
		print "Target: memscope leaks stops the process ≤ 50 ms + scan" \
		    " at 1 GB/s: n/a (heap unknown)"
	else {
		over = 0
		for (i = 1; i <= n; i++)
			if (all[i] > bound)
				over++
		printf "Target: memscope leaks stops the process ≤ 50 ms +" \
		    " scan at 1 GB/s: %s (median %.1f ms; bound 50 ms +" \
		    " %.1f MB / 1 GB/s = %.1f ms; %d of %d checks over it%s)\n",
		    (m <= bound && failed == 0) ? "met" : "NOT met", m,
		    heap / 1e6, bound, over, n,
		    failed ? sprintf("; %d failed", failed) : ""
	}
	print "Verdicts equal leaky'\''s own figures in every check: " \
	    (wrong + failed == 0 ? "yes" : "NO")
}' "$tmp/checks"

# --- 3. slowdown ---------------------------------------------------------

echo
if [ -n "$workloads" ]; then
	echo "-- 3. slowdown: native, memscope run --leak-check=no, attached;" \
	    "from the go byte until the workload is gone"
else
	echo "-- 3. slowdown: skipped (BENCH_ATTACH_WORKLOADS is empty)"
fi
results=$tmp/results
: >"$results"
for w in $workloads; do
	case $w in
	churn|deep|realloc-grow) set -- "$wl_bin/$w" ;;
	mt-churn-[0-9]*) set -- "$wl_bin/mt-churn" "${w#mt-churn-}" ;;
	*) fail "$w: no such workload (churn, mt-churn-N, deep," \
	    "realloc-grow)" ;;
	esac
	[ -x "$1" ] || fail "$1: not built"
	echo
	echo "-- $w: $*"
	"$attach_time" slowdown -n "$rounds" -w "$warmup" -k "$timeout" \
	    -d "$tmp" "$memscope" -- "$@" >"$tmp/$w.out" 2>&1
	sed 's/^/   /' "$tmp/$w.out"
	awk -v name="$w" '
	function cell(l) { return (l in med) ? med[l] : "failed" }
	$1 ~ /^(native|run|attached)$/ && $2 != "failed:" { med[$1] = $2 }
	END { printf "%s\t%s\t%s\t%s\n", name, cell("native"), cell("run"),
	    cell("attached") }' "$tmp/$w.out" >>"$results"
done

elapsed=$(($(date +%s) - started))
echo
echo "== attach: slowdown (median / native median), $rounds rounds" \
    "alternated after $warmup warm-up; ${elapsed} s for parts 1 to 3"
awk -F '\t' '
function num(s) {
	return s ~ /^[0-9.]+$/
}
function cell(t, n) {
	if (!num(n))
		return "n/a"
	if (num(t))
		return sprintf("%.2f×", t / n)
	return t
}
# Right-aligned in w columns: "×" is one column, two bytes to mawk.
function pad(s, w,  t, len) {
	t = s
	gsub(/×/, "x", t)
	len = length(t)
	while (len++ < w)
		s = " " s
	return s
}
function add(list, item) {
	return list (list != "" ? ", " : "") item
}
BEGIN {
	printf "%-13s %9s %13s %9s %15s\n", "workload", "native",
	    "memscope run", "attached", "attached / run"
}
{
	r = num($3) && num($4) ? sprintf("%.3f", $4 / $3) : "n/a"
	printf "%-13s %9s %13s %9s %15s\n", $1,
	    num($2) ? sprintf("%.2f s", $2 / 1000) : $2,
	    pad(cell($3, $2), 13), pad(cell($4, $2), 9), r
	n++
	if (r == "n/a")
		bad = add(bad, $1 " failed")
	else {
		list = add(list, $1 " " r)
		if (r < 0.9 || r > 1.1)
			bad = add(bad, $1 " " r)
	}
}
END {
	if (n == 0)
		print "Target: slowdown attached within 10% of memscope" \
		    " run'\''s: n/a (no workload)"
	else if (bad != "")
		print "Target: slowdown attached within 10% of memscope" \
		    " run'\''s: NOT met (" bad ")"
	else
		print "Target: slowdown attached within 10% of memscope" \
		    " run'\''s: met (attached / run: " list ")"
}' "$results"
# --- 4. a server's throughput ----------------------------------------------

server_secs=${BENCH_ATTACH_SERVER_SECONDS:-2}
server_conns=${BENCH_ATTACH_SERVER_CONNECTIONS:-4}
echo
echo "-- 4. a server under load (bench/workloads/server: $server_conns" \
    "connections over a Unix socket, a request at a time each): requests/s" \
    "for $server_secs s natively, $server_secs s attached, $server_secs s" \
    "after the detach; $rounds rounds, a fresh server each"
: >"$tmp/server"
if [ ! -x "$wl_bin/server" ]; then
	echo "   n/a ($wl_bin/server not built)"
fi
r=0
while [ -x "$wl_bin/server" ] && [ "$r" -lt "$rounds" ]; do
	r=$((r + 1))
	sock="$tmp/server.sock"
	"$wl_bin/server" serve "$sock" >"$tmp/server.out" 2>&1 &
	spid=$!
	i=0
	until grep -q '^ready$' "$tmp/server.out" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 200 ]; then
			echo "   round $r: the server did not start"
			break
		fi
		sleep 0.05
	done
	native=$("$wl_bin/server" load "$sock" "$server_secs" "$server_conns" |
	    sed -n 's/^rps //p')
	"$memscope" attach --log-file /dev/null "$spid" >/dev/null \
	    2>"$tmp/server-attach.err" &
	mpid=$!
	i=0
	until grep -q '^memscope: attached to process' "$tmp/server-attach.err"; do
		i=$((i + 1))
		if [ "$i" -gt 200 ] || ! kill -0 "$mpid" 2>/dev/null; then
			echo "   round $r: memscope attach did not attach:" \
			    "$(head -n 1 "$tmp/server-attach.err")"
			break
		fi
		sleep 0.05
	done
	attached=$("$wl_bin/server" load "$sock" "$server_secs" \
	    "$server_conns" | sed -n 's/^rps //p')
	kill -INT "$mpid" 2>/dev/null
	wait "$mpid"
	after=$("$wl_bin/server" load "$sock" "$server_secs" "$server_conns" |
	    sed -n 's/^rps //p')
	if [ -n "$(grep memscope-ring "/proc/$spid/maps" 2>/dev/null)" ]; then
		ring=left
	else
		ring=gone
	fi
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	echo "$r ${native:-n/a} ${attached:-n/a} ${after:-n/a} $ring" >>"$tmp/server"
done
awk "$awk_median"'
BEGIN {
	printf "   %-5s %12s %12s %12s  %s\n", "round", "native", "attached",
	    "detached", "ring after the detach"
}
{
	printf "   %-5d %12s %12s %12s  %s\n", $1, $2, $3, $4, $5
	if ($2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ || $4 !~ /^[0-9]+$/) {
		failed++
		next
	}
	nat[++n] = $2; att[n] = $3; det[n] = $4
	if ($5 != "gone")
		left++
}
END {
	if (n == 0) {
		print "Target: a server detached runs at 95% of its native" \
		    " throughput or more: n/a"
		exit
	}
	a = median(nat, n); b = median(att, n); c = median(det, n)
	printf "   median requests/s: native %d, attached %d (%.2f×), after" \
	    " the detach %d (%.2f×)\n", a, b, b / a, c, c / a
	ok = (c / a >= 0.95 && !left && !failed)
	printf "Target: a server detached runs at 95%% of its native" \
	    " throughput or more: %s (%.2f×%s)\n", (ok ? "met" : "NOT met"),
	    c / a, (left ? "; a ring left after the detach" : "")
}' "$tmp/server"
exit 0

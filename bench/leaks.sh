#!/bin/sh
# SPDX-License-Identifier: ISC
# leaks.sh: how fast the leak check of `memscope run` is, and what it costs
# a run next to valgrind's memcheck and heaptrack. Run by `make bench`,
# after run.sh, and by `make bench-leaks`.
#
#	leaks.sh MEMSCOPE BENCH-RUN LEAKY LEAK-CASES LEAK-CASES-EXPECTED
#
# 1. The scan. `memscope run --json` on LEAKY (bench/workloads/leaky:
#    BENCH_LEAK_BLOCKS small blocks in lists and trees, some lost, and
#    BENCH_LEAK_MIB MiB of large reachable blocks), BENCH_LEAK_SCANS times,
#    alternated with two runs that split the cost: the large blocks alone
#    (leaky 1 MIB) and the small blocks alone (leaky BLOCKS 0). From
#    .leaks.scan of each run: the bytes scanned (root_bytes + block_bytes),
#    stopped_us (how long the process was held: layout, block sort, mark
#    phase, classification), their rate, the live blocks, and whether the
#    verdicts (bytes and blocks definitely, indirectly, possibly lost and
#    still reachable) equal the figures leaky wrote itself. Then the
#    issue's targets on the medians: scan rate >= 1 GB/s, a heap of a
#    million live blocks classified in under 1 s.
#
# 2. Side by side. Each target runs natively, under `memscope run` (leak
#    check on, the default), `memscope run --leak-check=no`, `heaptrack -r`
#    (record only) and `valgrind --leak-check=full`, alternated by
#    bench-run -f: tests/targets/leak-cases many-lost and lost-tree, and
#    leaky with BENCH_LEAK_SMALL_BLOCKS blocks and BENCH_LEAK_SMALL_MIB MiB
#    (small enough for valgrind). One check run per target first compares
#    memscope's and valgrind's verdicts with the known figures
#    (LEAK-CASES-EXPECTED, leaky's own). Then a table of slowdowns (median
#    / native median) and the issue's targets per target: memscope run at
#    least 10x faster than valgrind, and no slower than heaptrack -r.
#
# Nothing here fails the build: each target prints met or NOT met.
#
# Tunables from the environment: BENCH_LEAK_ROUNDS (5), BENCH_LEAK_WARMUP
# (1), BENCH_LEAK_SCANS (3), BENCH_LEAK_BLOCKS (1000000), BENCH_LEAK_MIB
# (384), BENCH_LEAK_SMALL_BLOCKS (100000), BENCH_LEAK_SMALL_MIB (64),
# BENCH_LEAK_TIMEOUT (300, seconds per run before it counts as failed).
set -u

me=leaks.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 5 ]; then
	echo "usage: $me MEMSCOPE BENCH-RUN LEAKY LEAK-CASES" \
	    "LEAK-CASES-EXPECTED" >&2
	exit 2
fi

memscope=$(absolute "$1")
bench_run=$(absolute "$2")
leaky=$(absolute "$3")
leak_cases=$(absolute "$4")
cases_expected=$(absolute "$5")
rounds=${BENCH_LEAK_ROUNDS:-5}
warmup=${BENCH_LEAK_WARMUP:-1}
scans=${BENCH_LEAK_SCANS:-3}
blocks=${BENCH_LEAK_BLOCKS:-1000000}
mib=${BENCH_LEAK_MIB:-384}
small_blocks=${BENCH_LEAK_SMALL_BLOCKS:-100000}
small_mib=${BENCH_LEAK_SMALL_MIB:-64}
timeout=${BENCH_LEAK_TIMEOUT:-300}

for p in "$memscope" "$bench_run" "$leaky" "$leak_cases"; do
	[ -x "$p" ] || fail "$p: not built"
done
[ -r "$cases_expected" ] || fail "$cases_expected: missing"
for v in "$rounds" "$scans" "$blocks" "$small_blocks"; do
	case $v in
	''|*[!0-9]*|0) fail "'$v' is not a positive count" ;;
	esac
done
for v in "$warmup" "$mib" "$small_mib" "$timeout"; do
	case $v in
	''|*[!0-9]*) fail "'$v' is not a count" ;;
	esac
done
command -v jq >/dev/null 2>&1 || fail "jq not found (Debian: jq)"
command -v timeout >/dev/null 2>&1 || fail "timeout not found (coreutils)"
"$memscope" run --help 2>&1 | grep -q -e '--leak-check' ||
	fail "$memscope run has no leak check (--leak-check)"

heaptrack=$(command -v heaptrack 2>/dev/null)
valgrind=$(command -v valgrind 2>/dev/null)
have_heaptrack=no
[ -n "$heaptrack" ] && have_heaptrack=yes
have_valgrind=no
[ -n "$valgrind" ] && have_valgrind=yes

enter_tmpdir leaks

flags=$(printf '%s\n' "${MEMSCOPE_BUILD_FLAGS:-unknown flags}" |
    sed 's/  */ /g; s/^ //; s/ $//')
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
started=$(date +%s)

# The verdicts of memscope's JSON, one line: bytes and blocks definitely,
# indirectly, possibly lost, still reachable, suppressed; then root_bytes,
# block_bytes, stopped_us and the live blocks at exit. Empty if the run
# has no leak report.
json_leaks()
{
	jq -r '(.summary.live_blocks_at_exit) as $live | .leaks |
	    select(. != null) |
	    [.definitely.bytes, .definitely.blocks, .indirectly.bytes,
	     .indirectly.blocks, .possibly.bytes, .possibly.blocks,
	     .reachable.bytes, .reachable.blocks, .suppressed.bytes,
	     .suppressed.blocks, .scan.root_bytes, .scan.block_bytes,
	     .scan.stopped_us, $live] | map(tostring) | join(" ")' "$1" \
	    2>/dev/null
}

# leaky's figures file, as the first 8 fields of json_leaks, then 0 0
# (nothing suppressed).
leaky_figures()
{
	awk '$1 == "definitely" { d = $2 " " $3 }
	    $1 == "indirectly" { i = $2 " " $3 }
	    $1 == "possibly" { p = $2 " " $3 }
	    $1 == "reachable" { r = $2 " " $3 }
	    END { if (d != "" && i != "" && p != "" && r != "")
		print d, i, p, r, 0, 0 }' "$1" 2>/dev/null
}

# valgrind's LEAK SUMMARY from its log, as leaky_figures prints it.
valgrind_figures()
{
	awk '
	function put(k) {
		b = $(NF - 4); n = $(NF - 1)
		gsub(/,/, "", b); gsub(/,/, "", n)
		v[k] = b " " n
	}
	/definitely lost:/ { put("d") }
	/indirectly lost:/ { put("i") }
	/possibly lost:/ { put("p") }
	/still reachable:/ { put("r") }
	/suppressed:/ && /bytes in/ { put("s") }
	/All heap blocks were freed/ { freed = 1 }
	END {
		if (!("d" in v) && !freed)
			exit
		z = "0 0"
		printf "%s %s %s %s %s\n", ("d" in v) ? v["d"] : z,
		    ("i" in v) ? v["i"] : z, ("p" in v) ? v["p"] : z,
		    ("r" in v) ? v["r"] : z, ("s" in v) ? v["s"] : z
	}' "$1" 2>/dev/null
}

# The figures of a line of LEAK-CASES-EXPECTED: PROGRAM SCENARIO . EXIT
# then 8 figures, for the first process.
cases_figures()
{
	awk -v sc="$1" '$1 == "leak-cases" && $2 == sc && $3 == "." {
		print $5, $6, $7, $8, $9, $10, $11, $12, 0, 0; exit }' \
	    "$cases_expected"
}

# first10 LINE: the verdicts of a json_leaks line.
first10()
{
	printf '%s\n' "$1" | cut -d ' ' -f 1-10
}

# --- 1. the scan ---------------------------------------------------------

echo "== leaks: the scan of \`memscope run\`'s leak check on leaky" \
    "(GB = 10^9 bytes)"
echo "   $(uname -sr), $ncpu CPUs; memscope built with: $flags"
echo "   stopped = .leaks.scan.stopped_us, how long the process was held;" \
    "rate = (root_bytes + block_bytes) / stopped"

# scan_run KIND BLOCKS MIB: one `memscope run --json` on leaky; appends
# "KIND ok|failed|wrong JSON-LEAKS-FIELDS" to $tmp/scans.
scan_run()
{
	rm -f "$tmp/scan.json" "$tmp/figures"
	timeout "$timeout" "$memscope" run --json "$tmp/scan.json" \
	    --log-file "$tmp/scan.log" -- "$leaky" "$2" "$3" "$tmp/figures" \
	    </dev/null >/dev/null 2>&1
	rc=$?
	got=$(json_leaks "$tmp/scan.json")
	want=$(leaky_figures "$tmp/figures")
	if [ $rc -ne 0 ] || [ -z "$got" ] || [ -z "$want" ]; then
		echo "$1 failed exit=$rc" >>"$tmp/scans"
		return 0
	fi
	if [ "$(first10 "$got")" = "$want" ]; then
		echo "$1 ok $got" >>"$tmp/scans"
	else
		echo "$1 wrong $got" >>"$tmp/scans"
		echo "   run $i, $1: verdicts differ from leaky's figures:" \
		    "memscope $(first10 "$got"), leaky $want"
	fi
}

: >"$tmp/scans"
i=1
while [ $i -le "$scans" ]; do
	scan_run main "$blocks" "$mib"
	if [ "$mib" -gt 0 ]; then
		scan_run large 1 "$mib"
	fi
	scan_run small "$blocks" 0
	i=$((i + 1))
done

awk -v blocks="$blocks" -v mib="$mib" -v scans="$scans" "$awk_median"'
function verdict(ok) {
	return ok ? "met" : "NOT met"
}
BEGIN {
	label["main"] = sprintf("leaky %d %d", blocks, mib)
	label["large"] = sprintf("leaky 1 %d (large blocks only)", mib)
	label["small"] = sprintf("leaky %d 0 (small blocks only)", blocks)
	printf "%-5s %-6s %12s %11s %11s %10s  %s\n", "run", "kind",
	    "live blocks", "scanned", "stopped", "rate", "verdicts"
}
{
	kind = $1
	run[kind]++
	if ($2 == "failed") {
		printf "%-5d %-6s failed (%s)\n", run[kind], kind, $3
		failed[kind]++
		next
	}
	bytes = $13 + $14
	us = $15
	live = $16
	rate = us > 0 ? bytes / us / 1000 : 0
	printf "%-5d %-6s %12d %8.1f MB %8.1f ms %5.2f GB/s  %s\n", run[kind],
	    kind, live, bytes / 1e6, us / 1000, rate,
	    $2 == "ok" ? "= leaky'\''s figures" : "DIFFER from leaky'\''s figures"
	n[kind]++
	R[kind, n[kind]] = rate
	S[kind, n[kind]] = us
	B[kind, n[kind]] = bytes
	L[kind] = live
	if ($2 != "ok")
		wrong[kind]++
}
END {
	print ""
	for (k = 1; k <= 3; k++) {
		kind = k == 1 ? "main" : k == 2 ? "large" : "small"
		if (n[kind] == 0)
			continue
		for (j = 1; j <= n[kind]; j++) {
			r[j] = R[kind, j]; s[j] = S[kind, j]; b[j] = B[kind, j]
		}
		mr[kind] = median(r, n[kind])
		ms[kind] = median(s, n[kind])
		mb[kind] = median(b, n[kind])
		printf "median of %d, %s: %.1f MB in %.1f ms, %.2f GB/s," \
		    " %d live blocks", n[kind], label[kind], mb[kind] / 1e6,
		    ms[kind] / 1000, mr[kind], L[kind]
		if (kind == "small" && L[kind] > 0)
			printf ", %.2f µs a block", ms[kind] / L[kind]
		printf "\n"
	}
	all = 0
	for (kind in run)
		all += wrong[kind] + failed[kind]
	if (n["main"] == 0) {
		print "Target: scan rate ≥ 1 GB/s: NOT met (every run failed)"
		print "Target: 1M blocks classified < 1 s: NOT met (every run" \
		    " failed)"
		print "Verdicts equal leaky'\''s own figures in every run: NO" \
		    " (runs failed)"
		exit 0
	}
	why = sprintf("median %.2f GB/s over %d runs of %s", mr["main"],
	    n["main"], label["main"])
	if (failed["main"] + wrong["main"] > 0)
		why = why sprintf("; %d failed, %d wrong", failed["main"],
		    wrong["main"])
	print "Target: scan rate ≥ 1 GB/s: " verdict(mr["main"] >= 1 &&
	    failed["main"] + wrong["main"] == 0) " (" why ")"
	if (L["main"] < 1000000)
		print "Target: 1M blocks classified < 1 s: n/a (" L["main"] \
		    " live blocks, fewer than 1,000,000)"
	else
		print "Target: 1M blocks classified < 1 s: " \
		    verdict(ms["main"] < 1e6 && failed["main"] + \
		    wrong["main"] == 0) sprintf(" (median stopped %.0f ms" \
		    " for %d live blocks)", ms["main"] / 1000, L["main"])
	print "Verdicts equal leaky'\''s own figures in every run: " \
	    (all == 0 ? "yes" : "NO")
}' "$tmp/scans"

# --- 2. side by side -----------------------------------------------------

echo
echo "== leaks: memscope run vs heaptrack -r vs valgrind --leak-check=full," \
    "slowdown = median / native median"
if [ $have_heaptrack = yes ]; then
	echo "   $("$heaptrack" --version 2>&1 | head -n 1) (-r: record only," \
	    "no leak check)"
else
	echo "   heaptrack: n/a (not installed; Debian: heaptrack)"
fi
if [ $have_valgrind = yes ]; then
	echo "   $("$valgrind" --version 2>&1 | head -n 1)" \
	    "(--leak-check=full, its defaults otherwise)"
else
	echo "   valgrind: n/a (not installed; Debian: valgrind)"
fi

results=$tmp/results
: >"$results"

# check NAME WANT CMD ARGS...: one run of memscope and one of valgrind on
# CMD, their verdicts compared with WANT (the first 10 fields of
# json_leaks); prints one line.
check()
{
	name=$1
	want=$2
	shift 2
	timeout "$timeout" "$memscope" run --json "$tmp/check.json" \
	    --log-file "$tmp/check.log" -- "$@" </dev/null >/dev/null 2>&1
	got=$(json_leaks "$tmp/check.json")
	if [ -z "$got" ]; then
		m="memscope failed"
	elif [ "$(first10 "$got")" = "$want" ]; then
		m="memscope = expected"
	else
		m="memscope DIFFERS ($(first10 "$got"))"
	fi
	if [ $have_valgrind = yes ]; then
		timeout "$timeout" "$valgrind" --leak-check=full \
		    --log-file="$tmp/valgrind.log" "$@" </dev/null \
		    >/dev/null 2>&1
		got=$(valgrind_figures "$tmp/valgrind.log")
		if [ -z "$got" ]; then
			v="valgrind failed"
		elif [ "$got" = "$want" ]; then
			v="valgrind = expected"
		else
			v="valgrind DIFFERS ($got)"
		fi
	else
		v="valgrind n/a"
	fi
	echo "   verdicts: $m, $v"
	echo "   (expected: definitely, indirectly, possibly lost, still" \
	    "reachable, suppressed, bytes and blocks: $want)"
	rm -f "$tmp/check.json" "$tmp/check.log" "$tmp/valgrind.log"
}

# run_all BENCH-RUN-OPTIONS -- CMD ARGS...: bench-run on CMD natively and
# under the tools there are.
run_all()
{
	opts=
	while [ "$1" != -- ]; do
		opts="$opts $1"
		shift
	done
	shift
	# $opts holds only numbers and flags: word splitting is what we want.
	if [ $have_heaptrack = yes ] && [ $have_valgrind = yes ]; then
		"$bench_run" $opts -l native -l memscope -l no-leak-check \
		    -l heaptrack -l valgrind -- "$@" \
		    ::: "$memscope" run -- "$@" \
		    ::: "$memscope" run --leak-check=no -- "$@" \
		    ::: "$heaptrack" -r -o "$tmp/heaptrack" "$@" \
		    ::: "$valgrind" --leak-check=full "$@"
	elif [ $have_heaptrack = yes ]; then
		"$bench_run" $opts -l native -l memscope -l no-leak-check \
		    -l heaptrack -- "$@" \
		    ::: "$memscope" run -- "$@" \
		    ::: "$memscope" run --leak-check=no -- "$@" \
		    ::: "$heaptrack" -r -o "$tmp/heaptrack" "$@"
	elif [ $have_valgrind = yes ]; then
		"$bench_run" $opts -l native -l memscope -l no-leak-check \
		    -l valgrind -- "$@" \
		    ::: "$memscope" run -- "$@" \
		    ::: "$memscope" run --leak-check=no -- "$@" \
		    ::: "$valgrind" --leak-check=full "$@"
	else
		"$bench_run" $opts -l native -l memscope -l no-leak-check \
		    -- "$@" \
		    ::: "$memscope" run -- "$@" \
		    ::: "$memscope" run --leak-check=no -- "$@"
	fi
}

# bench NAME WANT CMD ARGS...: the check, then CMD timed natively and
# under each tool; adds a line to $results: the name and the native,
# memscope, --leak-check=no, heaptrack and valgrind medians in ms, or
# "failed", or "n/a" when the tool is missing.
bench()
{
	name=$1
	want=$2
	shift 2
	out=$tmp/$name.out
	echo
	echo "-- $name: $*"
	check "$name" "$want" "$@"
	set -- -f -n "$rounds" -w "$warmup" -k "$timeout" -- "$@"
	run_all "$@" >"$out" 2>&1
	rc=$?
	sed 's/^/   /' "$out"
	rm -f "$tmp"/heaptrack.*
	if [ $rc -ne 0 ]; then
		printf '%s\tfailed\tn/a\tn/a\tn/a\tn/a\n' "$name" >>"$results"
		return 0
	fi
	awk -v name="$name" -v ht=$have_heaptrack -v vg=$have_valgrind '
	function cell(label, have) {
		if (have != "yes")
			return "n/a"
		if (!(label in med))
			return "failed"
		return med[label]
	}
	$1 ~ /^(native|memscope|no-leak-check|heaptrack|valgrind)$/ &&
	    $2 != "failed:" {
		med[$1] = $2
	}
	END {
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", name, cell("native", "yes"),
		    cell("memscope", "yes"), cell("no-leak-check", "yes"),
		    cell("heaptrack", ht), cell("valgrind", vg)
	}' "$out" >>"$results"
}

want=$(cases_figures many-lost)
[ -n "$want" ] || fail "$cases_expected: no line for many-lost"
bench many-lost "$want" "$leak_cases" many-lost
want=$(cases_figures lost-tree)
[ -n "$want" ] || fail "$cases_expected: no line for lost-tree"
bench lost-tree "$want" "$leak_cases" lost-tree
"$leaky" "$small_blocks" "$small_mib" "$tmp/small.figures" ||
	fail "leaky $small_blocks $small_mib failed natively"
want=$(leaky_figures "$tmp/small.figures")
bench "leaky-$small_blocks-$small_mib" "$want" "$leaky" "$small_blocks" \
    "$small_mib"

elapsed=$(($(date +%s) - started))
echo
echo "== leaks: slowdown (median / native median), $rounds rounds" \
    "alternated after $warmup warm-up; ${elapsed} s in all (both parts)"
awk -F '\t' -v ht=$have_heaptrack -v vg=$have_valgrind '
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
function ms(s) {
	if (!num(s))
		return s
	if (s >= 1000)
		return sprintf("%.2f s", s / 1000)
	return sprintf(s >= 10 ? "%.1f ms" : "%.2f ms", s)
}
BEGIN {
	printf "%-20s %9s %13s %16s %13s %10s %11s\n", "target", "native",
	    "memscope run", "--leak-check=no", "heaptrack -r", "valgrind",
	    "check cost"
}
{
	name[NR] = $1
	m[NR] = $3
	h[NR] = $5
	v[NR] = $6
	cost = num($3) && num($4) ? sprintf("%+.1f ms", $3 - $4) : "n/a"
	printf "%-20s %9s %13s %16s %13s %10s %11s\n", $1, ms($2),
	    pad(cell($3, $2), 13), pad(cell($4, $2), 16), pad(cell($5, $2), 13),
	    pad(cell($6, $2), 10), cost
}
END {
	print "(check cost: memscope run minus memscope run --leak-check=no," \
	    " medians)"
	for (i = 1; i <= NR; i++) {
		if (vg != "yes")
			print "memscope vs valgrind on " name[i] ": n/a" \
			    " (valgrind not installed), target ≥ 10×: n/a"
		else if (!num(m[i]))
			print "memscope vs valgrind on " name[i] ": " \
			    (m[i] == "n/a" ? "not measured (native run" \
			    " failed)" : "memscope " m[i]) ", target ≥ 10×: NOT met"
		else if (!num(v[i]))
			print "memscope vs valgrind on " name[i] ": valgrind " \
			    v[i] ", target ≥ 10×: met"
		else
			printf "memscope vs valgrind on %s: %.2f× faster," \
			    " target ≥ 10×: %s\n", name[i], v[i] / m[i],
			    (v[i] / m[i] >= 10 ? "met" : "NOT met")
	}
	for (i = 1; i <= NR; i++) {
		if (ht != "yes")
			print "memscope vs heaptrack on " name[i] ": n/a" \
			    " (heaptrack not installed), target ≤ 1×: n/a"
		else if (!num(m[i]))
			print "memscope vs heaptrack on " name[i] ": " \
			    (m[i] == "n/a" ? "not measured (native run" \
			    " failed)" : "memscope " m[i]) ", target ≤ 1×: NOT met"
		else if (!num(h[i]))
			print "memscope vs heaptrack on " name[i] ": heaptrack " \
			    h[i] ", target ≤ 1×: met"
		else
			printf "memscope vs heaptrack on %s: %.2f×," \
			    " target ≤ 1×: %s\n", name[i], m[i] / h[i],
			    (m[i] / h[i] <= 1 ? "met" : "NOT met")
	}
}' "$results"
exit 0

#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh: what `memscope run` costs a program that allocates a lot, next to
# heaptrack on the same work. Run by `make bench`, after map.sh.
#
#	run.sh MEMSCOPE BENCH-RUN WORKLOAD-BUILDDIR WORKLOAD-SRCDIR
#
# Each workload runs natively, under `memscope run`, under `memscope run
# --no-heap-stats` (no usable sizes, allocator samples or timestamps: the
# calls alone), under `memscope run --no-stacks` and under `heaptrack -r`
# (record only), alternated by bench-run -f, so that a tool failing on one
# workload shows as "failed" in its cell rather than stopping the rest. One
# table of slowdowns (tool median / native median) follows, then what the
# heap analyses cost per workload (memscope median / --no-heap-stats
# median) and the issues' criteria, each met or NOT met; none of them
# fails the build. Until `memscope run` exists its columns read n/a and
# only native and heaptrack are timed.
#
# Tunables from the environment: BENCH_RUN_ROUNDS (3), BENCH_RUN_WARMUP (1),
# BENCH_RUN_ONLY (workload names, space-separated; default all),
# BENCH_RUN_TIMEOUT (300, seconds per run before it counts as failed).
set -u

me=run.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 4 ]; then
	echo "usage: $me MEMSCOPE BENCH-RUN WORKLOAD-BUILDDIR WORKLOAD-SRCDIR" >&2
	exit 2
fi

memscope=$(absolute "$1")
bench_run=$(absolute "$2")
wl_bin=$(cd "$3" 2>/dev/null && pwd) || fail "$3: no such directory"
wl_src=$(cd "$4" 2>/dev/null && pwd) || fail "$4: no such directory"
rounds=${BENCH_RUN_ROUNDS:-3}
warmup=${BENCH_RUN_WARMUP:-1}
only=${BENCH_RUN_ONLY:-}
timeout=${BENCH_RUN_TIMEOUT:-300}

for p in "$memscope" "$bench_run" "$wl_bin/churn" "$wl_bin/mt-churn" \
    "$wl_bin/deep" "$wl_bin/realloc-grow" "$wl_bin/cxx-containers"; do
	[ -x "$p" ] || fail "$p: not built"
done
for f in churn.py insert-rows.awk many-functions.awk; do
	[ -r "$wl_src/$f" ] || fail "$wl_src/$f: missing"
done

enter_tmpdir run

# The tools. `memscope run` is measured only once it answers --help.
have_memscope=no
if "$memscope" run --help >/dev/null 2>&1; then
	have_memscope=yes
fi
have_heaptrack=no
heaptrack=$(command -v heaptrack 2>/dev/null)
if [ -n "$heaptrack" ]; then
	have_heaptrack=yes
fi

# The real programs: Debian's own, not a wrapper in PATH (a pyenv shim is
# a shell script: the tools would trace bash).
python=
if [ -x /usr/bin/python3 ]; then
	python=/usr/bin/python3
else
	python=$(command -v python3 2>/dev/null)
fi
sqlite=$(command -v sqlite3 2>/dev/null)
# heaptrack follows no exec: under `heaptrack gcc` it records the driver
# and not cc1, where the allocations are. So the compiler proper is timed,
# with the options `gcc -O2 -c` gives it; the assembler is left out.
cc1=
if command -v gcc >/dev/null 2>&1; then
	cc1=$(gcc -print-prog-name=cc1 2>/dev/null)
	case $cc1 in
	/*) [ -x "$cc1" ] || cc1= ;;
	*) cc1= ;;
	esac
fi
# Same hashes, same dict layouts: the same work in every run.
PYTHONHASHSEED=0
export PYTHONHASHSEED

if [ -n "$sqlite" ]; then
	awk -v rows=200000 -f "$wl_src/insert-rows.awk" >"$tmp/insert.sql" ||
		fail "cannot generate $tmp/insert.sql"
fi
if [ -n "$cc1" ]; then
	awk -v functions=1000 -f "$wl_src/many-functions.awk" \
	    >"$tmp/many-functions.c" ||
		fail "cannot generate $tmp/many-functions.c"
fi

flags=$(printf '%s\n' "${MEMSCOPE_BUILD_FLAGS:-unknown flags}" |
    sed 's/  */ /g; s/^ //; s/ $//')
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
echo "== run: memscope run vs heaptrack -r, slowdown = tool median / native median"
echo "   $(uname -sr), $ncpu CPUs; memscope built with: $flags"
if [ $have_memscope = yes ]; then
	echo "   memscope run: $memscope"
else
	echo "   memscope run: n/a (\`$memscope run --help\` fails: not built yet)"
fi
if [ $have_heaptrack = yes ]; then
	echo "   $("$heaptrack" --version 2>&1 | head -n 1) (-r: record only," \
	    "raw trace compressed, no interpretation)"
else
	echo "   heaptrack: n/a (not installed; Debian: heaptrack)"
fi

results=$tmp/results
: >"$results"
started=$(date +%s)

# bench WORKLOAD CMD ARGS...: time CMD natively and under each tool found,
# print bench-run's table and add a line to $results: the workload and the
# native, memscope, --no-heap-stats, --no-stacks and heaptrack medians in
# ms, or "failed", or "n/a" when the tool is missing.
bench()
{
	name=$1
	shift
	if [ -n "$only" ]; then
		case " $only " in
		*" $name "*) ;;
		*) return 0 ;;
		esac
	fi
	out=$tmp/$name.out
	echo
	echo "-- $name: $*"
	set -- -f -n "$rounds" -w "$warmup" -k "$timeout" -- "$@"
	run_all "$@" >"$out" 2>&1
	rc=$?
	sed 's/^/   /' "$out"
	rm -f "$tmp"/heaptrack.*
	if [ $rc -ne 0 ]; then
		printf '%s\tfailed\tn/a\tn/a\tn/a\tn/a\n' "$name" >>"$results"
		return 0
	fi
	awk -v name="$name" -v ms=$have_memscope -v ht=$have_heaptrack '
	function cell(label, have) {
		if (have != "yes")
			return "n/a"
		if (!(label in med))
			return "failed"
		return med[label]
	}
	$1 ~ /^(native|memscope|no-stats|no-stacks|heaptrack)$/ &&
	    $2 != "failed:" {
		med[$1] = $2
	}
	END {
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", name,
		    cell("native", "yes"), cell("memscope", ms),
		    cell("no-stats", ms), cell("no-stacks", ms),
		    cell("heaptrack", ht)
	}' "$out" >>"$results"
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
	if [ $have_memscope = yes ] && [ $have_heaptrack = yes ]; then
		"$bench_run" $opts -l native -l memscope -l no-stats \
		    -l no-stacks -l heaptrack -- "$@" \
		    ::: "$memscope" run -- "$@" \
		    ::: "$memscope" run --no-heap-stats -- "$@" \
		    ::: "$memscope" run --no-stacks -- "$@" \
		    ::: "$heaptrack" -r -o "$tmp/heaptrack" "$@"
	elif [ $have_memscope = yes ]; then
		"$bench_run" $opts -l native -l memscope -l no-stats \
		    -l no-stacks -- "$@" \
		    ::: "$memscope" run -- "$@" \
		    ::: "$memscope" run --no-heap-stats -- "$@" \
		    ::: "$memscope" run --no-stacks -- "$@"
	elif [ $have_heaptrack = yes ]; then
		"$bench_run" $opts -l native -l heaptrack -- "$@" \
		    ::: "$heaptrack" -r -o "$tmp/heaptrack" "$@"
	else
		"$bench_run" $opts -l native -- "$@"
	fi
}

bench churn "$wl_bin/churn"
bench mt-churn-1 "$wl_bin/mt-churn" 1
bench mt-churn-2 "$wl_bin/mt-churn" 2
bench mt-churn-4 "$wl_bin/mt-churn" 4
bench deep "$wl_bin/deep"
bench realloc-grow "$wl_bin/realloc-grow"
bench cxx-containers "$wl_bin/cxx-containers"
if [ -n "$python" ]; then
	bench python3 "$python" "$wl_src/churn.py"
else
	echo "$me: python3 not found (Debian: python3); workload skipped" >&2
fi
if [ -n "$sqlite" ]; then
	bench sqlite3 "$sqlite" -bail -batch :memory: ".read $tmp/insert.sql"
else
	echo "$me: sqlite3 not found (Debian: sqlite3); workload skipped" >&2
fi
if [ -n "$cc1" ]; then
	bench gcc "$cc1" -quiet -O2 "$tmp/many-functions.c" \
	    -o "$tmp/many-functions.s"
else
	echo "$me: gcc's cc1 not found (Debian: gcc); workload skipped" >&2
fi

elapsed=$(($(date +%s) - started))
echo
echo "== run: slowdown (tool median / native median), $rounds rounds" \
    "alternated after $warmup warm-up, ${elapsed} s in all"
awk -F '\t' -v ms=$have_memscope -v ht=$have_heaptrack '
function num(s) {
	return s ~ /^[0-9.]+$/
}
# The cell of a tool on a workload: its slowdown, "failed" or "n/a".
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
function verdict(ok, why) {
	return (ok ? "met" : "NOT met") (why != "" ? " (" why ")" : "")
}
function add(list, item) {
	return list (list != "" ? ", " : "") item
}
# What the heap analyses cost on row i: memscope median / --no-heap-stats
# median, or "failed", or "n/a".
function cost(i) {
	if (!num(nat[i]) || ms != "yes")
		return "n/a"
	if (num(m[i]) && num(q[i]))
		return m[i] / q[i]
	return "failed"
}
function analyses_criterion(  i, c, over, ran, worst, at) {
	printf "bins, allocator samples and lifetimes cost nothing" \
	    " measurable: memscope / memscope --no-heap-stats <= 1.05 on" \
	    " every workload: "
	if (ms != "yes") {
		print "n/a (memscope run not built yet)"
		return
	}
	over = ""
	ran = 0
	worst = 0
	for (i = 1; i <= n; i++) {
		c = cost(i)
		if (c == "n/a")
			continue
		ran++
		# Three decimals: 1.054 fails, and must not read "1.05×".
		if (c == "failed")
			over = add(over, name[i] " failed")
		else {
			if (c > 1.05)
				over = add(over, sprintf("%s %.3f×", name[i], c))
			if (c > worst) {
				worst = c
				at = name[i]
			}
		}
	}
	if (ran == 0)
		print "n/a (none run)"
	else if (over != "")
		print verdict(0, over)
	else
		print verdict(1, sprintf("at most %.3f×, %s", worst, at))
}
BEGIN {
	printf "%-15s %9s %13s %9s %12s %13s\n", "workload", "native",
	    "memscope run", "no-stats", "--no-stacks", "heaptrack -r"
}
{
	name[NR] = $1
	nat[NR] = $2
	m[NR] = $3
	q[NR] = $4
	s[NR] = $5
	h[NR] = $6
	row[$1] = NR
	native = num($2) ? sprintf("%.2f s", $2 / 1000) : $2
	printf "%-15s %9s %13s %9s %12s %13s\n", $1, native,
	    pad(cell($3, $2), 13), pad(cell($4, $2), 9),
	    pad(cell($5, $2), 12), pad(cell($6, $2), 13)
	if (!num($2))
		native_failed = add(native_failed, $1)
}
END {
	n = NR
	if (native_failed != "")
		print "native run failed on " native_failed \
		    ": no slowdown there; the workload is broken"

	# The heap analyses (usable sizes, allocator samples, timestamps):
	# memscope run against memscope run --no-heap-stats, per workload.
	line = ""
	for (i = 1; i <= n; i++) {
		c = cost(i)
		line = add(line, name[i] " " \
		    (c == "failed" || c == "n/a" ? c : sprintf("%.2f×", c)))
	}
	if (ms != "yes")
		line = "n/a (memscope run not built yet)"
	print "analyses cost (memscope run / --no-heap-stats, medians): " line

	if (ms != "yes") {
		print "Must: memscope run fails on no workload: n/a" \
		    " (memscope run not built yet)"
		print "Must: memscope run slowdown below heaptrack'\''s on" \
		    " every workload: n/a (memscope run not built yet)"
		print "Must: memscope run slowdown with 4 threads no larger" \
		    " than with 1: n/a (memscope run not built yet)"
		print "Goal: memscope run overhead at most half of" \
		    " heaptrack'\''s on the churn workloads: n/a" \
		    " (memscope run not built yet)"
		analyses_criterion()
		exit 0
	}

	# Must: no failure, with or without stacks or heap analyses.
	failed = ""
	for (i = 1; i <= n; i++) {
		if (m[i] == "failed")
			failed = add(failed, name[i])
		if (q[i] == "failed")
			failed = add(failed, name[i] " --no-heap-stats")
		if (s[i] == "failed")
			failed = add(failed, name[i] " --no-stacks")
	}
	print "Must: memscope run fails on no workload: " \
	    verdict(failed == "", failed != "" ? "failed: " failed : "")

	# Must: below heaptrack everywhere; a heaptrack failure counts as
	# infinitely slow, a memscope failure as not below.
	if (ht != "yes")
		print "Must: memscope run slowdown below heaptrack'\''s on" \
		    " every workload: n/a (heaptrack not installed)"
	else {
		worse = ""
		for (i = 1; i <= n; i++) {
			if (!num(nat[i]))
				continue
			if (!num(m[i]))
				worse = add(worse, name[i] " failed")
			else if (num(h[i]) && m[i] >= h[i])
				worse = add(worse, sprintf("%s %.2f× vs" \
				    " %.2f×", name[i], m[i] / nat[i],
				    h[i] / nat[i]))
		}
		print "Must: memscope run slowdown below heaptrack'\''s on" \
		    " every workload: " verdict(worse == "", worse)
	}

	# Must: threads cost no more than one thread.
	a = row["mt-churn-1"]
	b = row["mt-churn-4"]
	if (a == "" || b == "" || !num(nat[a]) || !num(nat[b]))
		print "Must: memscope run slowdown with 4 threads no larger" \
		    " than with 1: n/a (mt-churn-1 or mt-churn-4 not run)"
	else if (!num(m[a]) || !num(m[b]))
		print "Must: memscope run slowdown with 4 threads no larger" \
		    " than with 1: NOT met (memscope run failed)"
	else {
		x1 = m[a] / nat[a]
		x4 = m[b] / nat[b]
		print "Must: memscope run slowdown with 4 threads no larger" \
		    " than with 1: " verdict(x4 <= x1, sprintf("%.2f×" \
		    " with 4, %.2f× with 1", x4, x1))
	}

	# Goal: overhead (slowdown - 1) at most half of heaptrack'\''s.
	if (ht != "yes") {
		print "Goal: memscope run overhead at most half of" \
		    " heaptrack'\''s on the churn workloads: n/a" \
		    " (heaptrack not installed)"
		analyses_criterion()
		exit 0
	}
	ran = 0
	missed = ""
	for (i = 1; i <= n; i++) {
		if (name[i] !~ /^(mt-)?churn/ || !num(nat[i]))
			continue
		ran++
		if (!num(m[i])) {
			missed = add(missed, name[i] " failed")
			continue
		}
		if (!num(h[i]))
			continue	# heaptrack failed: any overhead is less
		om = m[i] / nat[i] - 1
		oh = h[i] / nat[i] - 1
		if (om > oh / 2)
			missed = add(missed, sprintf("%s %.2f vs %.2f", name[i],
			    om, oh))
	}
	if (ran == 0)
		print "Goal: memscope run overhead at most half of" \
		    " heaptrack'\''s on the churn workloads: n/a (none run)"
	else
		print "Goal: memscope run overhead at most half of" \
		    " heaptrack'\''s on the churn workloads: " \
		    verdict(missed == "", missed)
	analyses_criterion()
}' "$results"
exit 0

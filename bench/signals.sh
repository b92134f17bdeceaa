#!/bin/sh
# SPDX-License-Identifier: ISC
# signals.sh: what a storm of signals costs a program under `memscope run`,
# with the leak check and without. Run by `make bench`, after attach.sh.
#
#	signals.sh MEMSCOPE BENCH-RUN SIGNAL-STORM
#
# bench/workloads/signal-storm: four threads churn malloc and free while an
# interval timer sends SIGALRM every 100 microseconds. Timed natively,
# under `memscope run` (the leak check on, as by default), under `memscope
# run --leak-check=no` and under `heaptrack -r`, alternated by bench-run.
# The criterion: with the leak check, the run costs no more than without
# (ratio of the two at most 1.10): nothing may stop the program at a
# signal. Tunables: BENCH_SIGNAL_ROUNDS (5), BENCH_SIGNAL_WARMUP (1).
set -u

me=signals.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 3 ]; then
	echo "usage: $me MEMSCOPE BENCH-RUN SIGNAL-STORM" >&2
	exit 2
fi
memscope=$(absolute "$1")
bench_run=$(absolute "$2")
storm=$(absolute "$3")
rounds=${BENCH_SIGNAL_ROUNDS:-5}
warmup=${BENCH_SIGNAL_WARMUP:-1}
for p in "$memscope" "$bench_run" "$storm"; do
	[ -x "$p" ] || fail "$p: not built"
done

enter_tmpdir signals

echo "== signals: $storm (SIGALRM every 100 us to 4 allocating threads)"
echo "   $(uname -sr), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs;" \
    "memscope built with: ${MEMSCOPE_BUILD_FLAGS:-unknown flags}"
heaptrack=$(command -v heaptrack 2>/dev/null)
if [ -n "$heaptrack" ]; then
	"$bench_run" -f -n "$rounds" -w "$warmup" -l native -l memscope \
	    -l no-leak-check -l heaptrack -- "$storm" \
	    ::: "$memscope" run -- "$storm" \
	    ::: "$memscope" run --leak-check=no -- "$storm" \
	    ::: "$heaptrack" -r -o "$tmp/heaptrack" "$storm" > "$tmp/out" 2>&1
else
	echo "   heaptrack: n/a (not installed; Debian: heaptrack)"
	"$bench_run" -f -n "$rounds" -w "$warmup" -l native -l memscope \
	    -l no-leak-check -- "$storm" \
	    ::: "$memscope" run -- "$storm" \
	    ::: "$memscope" run --leak-check=no -- "$storm" > "$tmp/out" 2>&1
fi
rc=$?
sed 's/^/   /' "$tmp/out"
[ $rc -eq 0 ] || fail "bench-run failed"
awk '
$1 == "memscope" && $2 ~ /^[0-9.]+$/ { with = $2 }
$1 == "no-leak-check" && $2 ~ /^[0-9.]+$/ { without = $2 }
END {
	if (with == "" || without == "") {
		print "   leak check against none: n/a (a run failed)"
		exit
	}
	r = with / without
	printf "   with the leak check / without: %.2fx (target <= 1.10): %s\n",
	    r, r <= 1.10 ? "met" : "NOT met"
}' "$tmp/out"

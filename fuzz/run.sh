#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs each libFuzzer harness in turn (never two at once: one per core
# would slow the others' executions and the machine), for SECONDS each,
# on its working corpus: fuzz/work/NAME/corpus, seeded from the inputs in
# tests/fuzz/NAME/ and kept between runs so that each run starts where the
# last stopped. Prints per harness the executions and whether it crashed.
#
# usage: fuzz/run.sh SRCDIR SECONDS NAME...   (from the build directory)
# Exit status: 0 if no harness crashed, 1 otherwise.
set -u

srcdir=$1 seconds=$2
shift 2
failed=

for name in "$@"; do
	work=fuzz/work/$name
	mkdir -p "$work/corpus" "$work/artifacts"
	cp "$srcdir/tests/fuzz/$name"/* "$work/corpus/"
	log=$work/fuzz.log
	# -timeout: an input running 10 s is a hang; -rss_limit_mb: 2 GiB,
	# half of a 2-CPU CI machine's memory
	"fuzz/build/fuzz-$name" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/artifacts/" "$work/corpus" \
	    > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	corpus=$(ls "$work/corpus" | wc -l)
	if [ "$rc" -eq 0 ]; then
		printf 'fuzz-%-12s %12s executions in %s s, no crash (corpus: %s inputs)\n' \
		    "$name" "${runs:-?}" "$seconds" "$corpus"
		continue
	fi
	failed="$failed $name"
	input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	printf 'fuzz-%-12s %12s executions, then CRASHED (exit %s)\n' \
	    "$name" "${runs:-?}" "$rc"
	grep -m 1 -E '^==[0-9]+==ERROR|runtime error|ERROR: libFuzzer' "$log" |
	    sed 's/^/    /'
	grep -m 1 '^SUMMARY' "$log" | sed 's/^/    /'
	printf '    input: %s\n    log:   %s\n' "${input:-none written}" "$log"
	printf '    replay: fuzz/build/fuzz-%s %s\n' "$name" "${input:-INPUT}"
done

if [ -n "$failed" ]; then
	echo "fuzz: crashed:$failed (put each input in tests/fuzz/regressions/NAME/)"
	exit 1
fi
exit 0

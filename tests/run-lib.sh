# SPDX-License-Identifier: ISC
# Sourced by tests/run-*.test after init.sh: running a program under
# `memscope run` and comparing what memscope reports with the figures the
# program kept by hand (tests/targets/run-target.h writes them as
# "key value" lines).

require_prog_ jq

# The summary figures every target books, under the JSON's names.
SUMMARY_KEYS="allocations frees reallocs bytes_allocated peak_live_bytes
	peak_live_blocks live_bytes_at_exit live_blocks_at_exit mmaps munmaps"

# ms_run NAME ARGS...: memscope run --json $TESTDIR/NAME.json ARGS..., stdin
# from /dev/null, stdout and stderr to NAME.out and NAME.err; the exit
# status in ms_status.
ms_run() {
	ms_name=$1
	shift
	"$MEMSCOPE" run --json "$TESTDIR/$ms_name.json" "$@" < /dev/null \
		> "$TESTDIR/$ms_name.out" 2> "$TESTDIR/$ms_name.err"
	ms_status=$?
}

# ms_expect_status_ NAME STATUS: memscope's exit status was STATUS; if not,
# say so with the end of its stderr.
ms_expect_status_() {
	[ "$ms_status" = "$2" ] ||
		fail_ "$1: memscope exited with $ms_status, not $2; stderr ends:
$(tail -n 5 "$TESTDIR/$1.err")"
}

# json_ok_ NAME: NAME.json is one JSON object written by memscope.
json_ok_() {
	[ -s "$TESTDIR/$1.json" ] || fail_ "$1: no JSON report; stderr ends:
$(tail -n 5 "$TESTDIR/$1.err")"
	jq -e 'type == "object" and .tool == "memscope"' "$TESTDIR/$1.json" \
		> /dev/null 2>&1 || fail_ "$1: the JSON report is not a memscope object"
}

# fact_ FILE KEY: the value of the line "KEY value" of a facts file.
fact_() {
	awk -v k="$2" '$1 == k { print $2; found = 1; exit } END { exit !found }' "$1" ||
		framework_failure_ "no fact '$2' in $(basename "$1")"
}

# jv_ NAME FILTER [jq args...]: FILTER on NAME.json, raw output.
jv_() {
	jv_file="$TESTDIR/$1.json"
	shift
	jqf "$jv_file" "$@"
}

# summary_ NAME PROC KEY: summary figure KEY of process PROC (a jq filter:
# "." for the first process, ".children[0]" ...).
summary_() {
	jv_ "$1" "$2 | .summary.$3"
}

# check_summary_ NAME PROC FACTS [PREFIX]: every summary figure of PROC is
# the target's (fact PREFIXkey), and there was no anomaly and no event lost.
check_summary_() {
	for key in $SUMMARY_KEYS; do
		cs_want=$(fact_ "$3" "$4$key") || exit
		assert_eq_ "$(summary_ "$1" "$2" "$key")" "$cs_want" "$1: $key of process $2"
	done
	assert_eq_ "$(summary_ "$1" "$2" anomalies)" 0 "$1: anomalies of process $2"
	assert_eq_ "$(summary_ "$1" "$2" dropped_events)" 0 "$1: events the shim could not record, process $2"
}

# check_summary_plus_ NAME PROC FACTS BASE BASE_PROC KEYS...: each summary
# figure KEY of PROC in NAME is the target's plus BASE_PROC's in run BASE
# (what the process allocates beyond the target's own calls: glibc's, for
# example, measured on a run that does the same less the target's work).
check_summary_plus_() {
	csp_name=$1 csp_proc=$2 csp_facts=$3 csp_base=$4 csp_base_proc=$5
	shift 5
	for key in "$@"; do
		csp_want=$(fact_ "$csp_facts" "$key") || exit
		csp_base_v=$(summary_ "$csp_base" "$csp_base_proc" "$key")
		case $csp_base_v in
		''|*[!0-9]*) fail_ "$csp_base: $key of process $csp_base_proc is '$csp_base_v'" ;;
		esac
		assert_eq_ "$(summary_ "$csp_name" "$csp_proc" "$key")" \
			"$((csp_want + csp_base_v))" \
			"$csp_name: $key of process $csp_proc (the target's $csp_want + $csp_base_v of $csp_base)"
	done
	assert_eq_ "$(summary_ "$csp_name" "$csp_proc" anomalies)" 0 "$csp_name: anomalies"
	assert_eq_ "$(summary_ "$csp_name" "$csp_proc" dropped_events)" 0 "$csp_name: events the shim could not record"
}

# fmt_size_ BYTES: the human form of src/util/fmt.c's fmt_size ("512B", "4.0K",
# "132K", "1.5M").
fmt_size_() {
	awk -v b="$1" 'BEGIN {
		if (b < 1024) { if (b == 0) print "0"; else printf "%dB\n", b; exit }
		u = "KMGTPE"; v = b; i = 0
		while (v >= 1024 && i < 6) { v /= 1024; i++ }
		if (v < 9.95) printf "%.1f%s\n", v, substr(u, i, 1)
		else if (v < 1023.5 || i == 6) printf "%.0f%s\n", v, substr(u, i, 1)
		else printf "1.0%s\n", substr(u, i + 1, 1)
	}'
}

# report_ NAME: the text report of run NAME, the lines of NAME.err
# prefixed "==PID== " with PID the first process's, prefix removed, into
# NAME.report. There must be some.
report_() {
	rp_pid=$(jv_ "$1" .pid)
	sed -n "s/^==$rp_pid== \{0,1\}//p" "$TESTDIR/$1.err" > "$TESTDIR/$1.report"
	[ -s "$TESTDIR/$1.report" ] ||
		fail_ "$1: no text report (no line starts with '==$rp_pid== ' on stderr)"
}

# report_any_ NAME: like report_, but the lines of any "==PID== " prefix (a
# report on several processes, whatever the prefix of each section).
report_any_() {
	sed -n 's/^==[0-9][0-9]*== \{0,1\}//p' "$TESTDIR/$1.err" > "$TESTDIR/$1.report"
	[ -s "$TESTDIR/$1.report" ] || fail_ "$1: no text report (no line starts with '==PID== ')"
}

# report_prefix_ NAME: every line of the report is prefixed "==PID==" with
# the pid of a process the run tracked (each process's section carries its
# own pid, as valgrind does with --trace-children), and the report starts
# with the first process's.
report_prefix_() {
	rx_pids=$(jv_ "$1" '[.pid, .children[].pid] | map(tostring) | join(" ")')
	rx_first=$(grep -E -m 1 '^==[0-9]+==' "$TESTDIR/$1.err" | sed 's/^==\([0-9]*\)==.*/\1/')
	assert_eq_ "$rx_first" "$(jv_ "$1" .pid)" "$1: the first report line's pid"
	grep -E '^==[0-9]+==( |$)' "$TESTDIR/$1.err" | sed 's/^==\([0-9]*\)==.*/\1/' |
	    sort -u > "$TESTDIR/$1.prefixes"
	while read -r rx_p; do
		case " $rx_pids " in
		*" $rx_p "*) ;;
		*) fail_ "$1: a report line is prefixed with pid $rx_p, which the run did not track" ;;
		esac
	done < "$TESTDIR/$1.prefixes"
}

# report_has_ NAME N WHAT [bytes]: the text report of NAME shows the number
# N, as a whole number (digits grouped with commas or not) or, for a byte
# count, in the human form of fmt_size.
report_has_() {
	sed -e ':a' -e 's/\([0-9]\),\([0-9][0-9][0-9]\)/\1\2/g' -e 'ta' \
		"$TESTDIR/$1.report" | tr -c '0-9\n' ' ' | tr ' ' '\n' |
		grep -qx "$2" && return 0
	if [ "${4-}" = bytes ]; then
		rh_h=$(fmt_size_ "$2" | sed 's/\./\\./')
		grep -Eq "(^|[^0-9.])$rh_h([^0-9A-Za-z]|$)" "$TESTDIR/$1.report" && return 0
	fi
	fail_ "$1: the text report does not show $3 ($2)"
}

# check_report_ NAME PROC: the text report shows PROC's summary figures.
check_report_() {
	[ -s "$TESTDIR/$1.report" ] || report_ "$1"
	for key in allocations frees live_blocks_at_exit; do
		report_has_ "$1" "$(summary_ "$1" "$2" "$key")" "$key of $2"
	done
	for key in bytes_allocated peak_live_bytes live_bytes_at_exit; do
		report_has_ "$1" "$(summary_ "$1" "$2" "$key")" "$key of $2" bytes
	done
}

# wait_gone_ PID TENTHS: wait until process PID has ended (it must be a
# child of this shell, which then collects its status with wait), at most
# TENTHS tenths of a second; false if it is still running.
wait_gone_() {
	wg_i=0
	while kill -0 "$1" 2>/dev/null; do
		# a zombie is gone for our purposes: only wait can reap it
		case $(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) in
		Z|'') return 0 ;;
		esac
		wg_i=$((wg_i + 1))
		[ "$wg_i" -le "$2" ] || return 1
		sleep 0.1
	done
	return 0
}

# wait_for_line_ FILE REGEX TENTHS: wait until a line of FILE matches REGEX,
# at most TENTHS tenths of a second; false if none does by then.
wait_for_line_() {
	wf_i=0
	until grep -Eq "$2" "$1" 2>/dev/null; do
		wf_i=$((wf_i + 1))
		[ "$wf_i" -le "$3" ] || return 1
		sleep 0.1
	done
}

# test_seed_: the seed of a test's random choices, $MEMSCOPE_TEST_SEED if
# set, else a fresh one; printed, so that a failing run can be replayed with
# MEMSCOPE_TEST_SEED=N.
test_seed_() {
	ts_seed=${MEMSCOPE_TEST_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	echo "seed $ts_seed (replay with MEMSCOPE_TEST_SEED=$ts_seed)" >&2
	echo "$ts_seed"
}

# randoms_ SEED N MAX: N pseudo-random whole numbers from 0 to MAX - 1, one a
# line, the same for the same SEED: the minimal standard generator (Park and
# Miller), exact in awk's doubles (mawk's rand() is poor with large seeds).
randoms_() {
	awk -v s="$1" -v n="$2" -v m="$3" 'BEGIN {
		x = s % 2147483646 + 1
		for (i = 0; i < n; i++) {
			x = (x * 16807) % 2147483647
			print int(x / 2147483647 * m)
		}
	}'
}

# now_ms_: a clock in milliseconds.
now_ms_() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# find_lib_ SONAME: the path of an installed shared library, or nothing.
find_lib_() {
	for d in /usr/lib/"$(gcc -print-multiarch 2>/dev/null)" /usr/lib64 /usr/lib \
	    /usr/local/lib /lib/"$(gcc -print-multiarch 2>/dev/null)"; do
		[ -f "$d/$1" ] && { echo "$d/$1"; return; }
	done
	{ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null |
		awk -v s="$1" '$1 == s { print $NF; exit }'
}

# The eight figures of a valgrind log: "DB DN IB IN PB PN RB RN" from its
# LEAK SUMMARY, all 0 if it says all heap blocks were freed (no summary
# then), "none" if it has neither.
VG_SUMMARY_AWK='
{ sub(/^==[0-9]+== */, ""); gsub(/,/, "") }
/^All heap blocks were freed/ { freed = 1 }
/^LEAK SUMMARY:/ { in_summary = 1; next }
in_summary && /^ *definitely lost: [0-9]+ bytes in [0-9]+ blocks/ { d = $3 " " $6 }
in_summary && /^ *indirectly lost: [0-9]+ bytes in [0-9]+ blocks/ { i = $3 " " $6 }
in_summary && /^ *possibly lost: [0-9]+ bytes in [0-9]+ blocks/ { p = $3 " " $6 }
in_summary && /^ *still reachable: [0-9]+ bytes in [0-9]+ blocks/ { r = $3 " " $6 }
END {
	if (d != "" && i != "" && p != "" && r != "") print d, i, p, r
	else if (freed) print "0 0 0 0 0 0 0 0"
	else print "none"
}'

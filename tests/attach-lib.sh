# SPDX-License-Identifier: ISC
# The helpers of the memscope attach tests (tests/run-attach*.test) on
# tests/targets/attach-server; sourced after init.sh and run-lib.sh. The
# test starts the program it attaches to (srv) and its twin that runs
# without memscope (ref) with twins_start_.

[ "$(uname -m)" = x86_64 ] || skip_ "memscope attach works on x86-64 only"
scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null) || scope=0
[ "$scope" != 3 ] || skip_ "ptrace is disabled (kernel.yama.ptrace_scope = 3)"
[ "$scope" = 0 ] || [ "$(id -u)" = 0 ] ||
	skip_ "Yama lets only an ancestor ptrace (kernel.yama.ptrace_scope = $scope)"

prog="$TARGETS/attach-server"
[ -x "$prog" ] || framework_failure_ "$prog is not built"

# attach-server's figures (tests/targets/attach-server.c)
PAIRS=3
CHURN_BYTES=$((24 + 333 + 4000))
CHURN_MAX=4000
LEAK=200
KEEP=120

# memscope's control socket directory goes with the test, even when
# memscope is killed (its name must stay short: 32 characters at most)
TMPDIR=$TESTDIR
export TMPDIR

# Every process started here goes at the end, however the test ends.
PIDS=
attach_cleanup_() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null && { wait "$p"; } 2>/dev/null
	done
	cleanup_
}
trap attach_cleanup_ EXIT

# forget_ PID: PID has been waited for: not to be killed at the end.
forget_() {
	PIDS=$(printf '%s\n' $PIDS | grep -vx "$1" | tr '\n' ' ')
}

# alive_ PID: process PID runs (a zombie does not).
alive_() {
	kill -0 "$1" 2>/dev/null || return 1
	case $(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) in
	Z|'') return 1 ;;
	esac
}

# tracer_ PID: the TracerPid of process PID.
tracer_() {
	awk '$1 == "TracerPid:" { print $2 }' "/proc/$1/status"
}

# server_start_ NAME: attach-server reading NAME.cmd, its stdout in
# NAME.out; its pid in SRV_PID, once it is ready.
server_start_() {
	mkfifo "$TESTDIR/$1.cmd" || framework_failure_ "mkfifo"
	"$prog" "$TESTDIR/$1.cmd" > "$TESTDIR/$1.out" 2> "$TESTDIR/$1.err" < /dev/null &
	SRV_PID=$!
	PIDS="$PIDS $SRV_PID"
	wait_for_line_ "$TESTDIR/$1.out" '^ready$' 100 ||
		framework_failure_ "$1: attach-server did not get ready: $(cat "$TESTDIR/$1.err")"
}

# twins_start_: the program memscope attaches to (srv, pid in SRV), and its
# twin that runs without memscope (ref, pid in REF): the same commands go
# to both (send_), through fds 7 and 8.
twins_start_() {
	server_start_ srv
	SRV=$SRV_PID
	server_start_ ref
	REF=$SRV_PID
	exec 7<> "$TESTDIR/srv.cmd" 8<> "$TESTDIR/ref.cmd"
	NLINES=1	# lines each has written
	ITERATIONS=0	# iterations each has done
	RELEASED=0	# kept blocks each has freed
}


# wait_lines_ NAME WHAT: wait (10 s at most) until NAME.out has NLINES lines.
wait_lines_() {
	wl_i=0
	until [ "$(wc -l < "$TESTDIR/$1.out")" -ge "$NLINES" ]; do
		wl_i=$((wl_i + 1))
		[ "$wl_i" -le 200 ] || fail_ "$1: no answer to '$2' after 10 s; its output ends:
$(tail -n 3 "$TESTDIR/$1.out") $(cat "$TESTDIR/$1.err")"
		sleep 0.05
	done
}

# send_ COMMAND: COMMAND to both programs; wait until both have answered.
send_() {
	printf '%s\n' "$1" >&7
	printf '%s\n' "$1" >&8
	NLINES=$((NLINES + 1))
	case $1 in
	release\ *) RELEASED=$((RELEASED + ${1#release })) ;;
	forks\ *|saved\ *) ;;
	''|*[!0-9]*) framework_failure_ "send_: not a command of attach-server: '$1'" ;;
	*) ITERATIONS=$((ITERATIONS + $1)) ;;
	esac
	wait_lines_ srv "$1"
	wait_lines_ ref "$1"
}

# count_ KEY: the program's counter KEY, from its last line.
count_() {
	tail -n 1 "$TESTDIR/srv.out" |
		awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# attach_ NAME [OPTIONS]: memscope attach --json NAME.json OPTIONS $SRV in
# the background, its stderr in NAME.err; returns once it has said it is
# attached (ATTACH_MS: in how many ms). Its pid in MS_PID.
ATTACH_TIMES=
attach_() {
	at_name=$1
	shift
	: > "$TESTDIR/$at_name.err"
	"$MEMSCOPE" attach --json "$TESTDIR/$at_name.json" "$@" "$SRV" \
		> "$TESTDIR/$at_name.out" 2> "$TESTDIR/$at_name.err" < /dev/null &
	MS_PID=$!
	PIDS="$PIDS $MS_PID"
	at_i=0
	until grep -Eq "^memscope: attached to process $SRV in [0-9]+ ms; Ctrl-C detaches\$" \
	    "$TESTDIR/$at_name.err"; do
		if ! alive_ "$MS_PID"; then
			wait "$MS_PID"
			at_status=$?
			if grep -q 'not permitted' "$TESTDIR/$at_name.err" && [ -z "$ATTACH_TIMES" ]; then
				skip_ "ptrace is not permitted here: $(cat "$TESTDIR/$at_name.err")"
			fi
			fail_ "$at_name: memscope attach exited with $at_status before attaching:
$(cat "$TESTDIR/$at_name.err")"
		fi
		at_i=$((at_i + 1))
		[ "$at_i" -le 500 ] || fail_ "$at_name: memscope attach did not attach in 10 s"
		sleep 0.02
	done
	ATTACH_MS=$(sed -n "s/^memscope: attached to process $SRV in \([0-9]*\) ms.*/\1/p" \
		"$TESTDIR/$at_name.err")
	ATTACH_TIMES="$ATTACH_TIMES $ATTACH_MS"
	assert_range_ "$ATTACH_MS" 0 5000 "$at_name: the attach time (ms)"
	# ptrace was for the attach only
	assert_eq_ "$(tracer_ "$SRV")" 0 "$at_name: TracerPid of the process while attached"
}

# detach_ NAME SIGNAL: SIGNAL to memscope attach; wait (10 s at most) until
# it has reported and exited, with status 0 and its JSON.
detach_() {
	kill -s "$2" "$MS_PID"
	wait_gone_ "$MS_PID" 100 || fail_ "$1: memscope attach still runs 10 s after SIG$2"
	wait "$MS_PID"
	ms_status=$?
	forget_ "$MS_PID"
	ms_expect_status_ "$1" 0
	json_ok_ "$1"
	grep -q "^==$SRV== [^ ]* runs on: memscope put its calls back and detached\$" \
		"$TESTDIR/$1.err" || fail_ "$1: the report does not say the process runs on"
	alive_ "$SRV" || fail_ "$1: the process is gone after the detach"
	assert_eq_ "$(tracer_ "$SRV")" 0 "$1: TracerPid of the process after the detach"
}

# check_period_ NAME ITERATIONS RELEASED: the summary of NAME is that of
# ITERATIONS iterations, after which RELEASED kept blocks from before the
# attach were freed; the top sites are leak_one's and keep_one's.
check_period_() {
	cp_n=$2
	assert_eq_ "$(summary_ "$1" . allocations)" $((cp_n * (PAIRS + 2))) "$1: allocations"
	assert_eq_ "$(summary_ "$1" . frees)" $((cp_n * PAIRS)) "$1: frees"
	assert_eq_ "$(jv_ "$1" .frees_before_attach)" "$3" "$1: frees_before_attach"
	assert_eq_ "$(summary_ "$1" . reallocs)" 0 "$1: reallocs"
	assert_eq_ "$(summary_ "$1" . bytes_allocated)" $((cp_n * (CHURN_BYTES + LEAK + KEEP))) \
		"$1: bytes_allocated"
	assert_eq_ "$(summary_ "$1" . live_bytes_at_exit)" $((cp_n * (LEAK + KEEP))) \
		"$1: live_bytes_at_exit"
	assert_eq_ "$(summary_ "$1" . live_blocks_at_exit)" $((cp_n * 2)) "$1: live_blocks_at_exit"
	# the heap was largest in the last iteration's biggest churn block
	assert_eq_ "$(summary_ "$1" . peak_live_bytes)" \
		$(((cp_n - 1) * (LEAK + KEEP) + CHURN_MAX)) "$1: peak_live_bytes"
	assert_eq_ "$(summary_ "$1" . peak_live_blocks)" $((cp_n * 2)) "$1: peak_live_blocks"
	assert_eq_ "$(summary_ "$1" . mmaps)" 0 "$1: mmaps"
	assert_eq_ "$(summary_ "$1" . anomalies)" 0 "$1: anomalies"
	assert_eq_ "$(jv_ "$1" .still_running)" true "$1: still_running"
	assert_eq_ "$(jv_ "$1" .pid)" "$SRV" "$1: pid"
	assert_eq_ "$(jv_ "$1" .exe)" "$(readlink -f "$prog")" "$1: exe"
	# the sites: leak_one's, then keep_one's, n blocks each
	assert_eq_ "$(jv_ "$1" '[.sites[0,1].frames[0].function] | join(" ")')" \
		"leak_one keep_one" "$1: the first frames of the top two sites"
	assert_eq_ "$(jv_ "$1" '.sites[0] | "\(.live_blocks) \(.live_bytes)"')" \
		"$cp_n $((cp_n * LEAK))" "$1: leak_one's live blocks and bytes"
	assert_eq_ "$(jv_ "$1" '.sites[1] | "\(.live_blocks) \(.live_bytes)"')" \
		"$cp_n $((cp_n * KEEP))" "$1: keep_one's live blocks and bytes"
	assert_eq_ "$(jv_ "$1" '[.sites[] | select(.frames[0].function == "churn_one") |
		.allocations] | add')" $((cp_n * PAIRS)) "$1: churn_one's allocations"
	report_ "$1"
	check_report_ "$1" .
}

# one_line_ NAME STATUS REGEX: a refusal: NAME.err is one line matching
# REGEX (grep -E), the status not 0 and no crash.
one_line_() {
	[ "$2" -ne 0 ] || fail_ "$1: exit status 0; stderr: $(cat "$TESTDIR/$1.err")"
	[ "$2" -lt 128 ] || fail_ "$1: memscope was killed by signal $(($2 - 128))"
	assert_eq_ "$(wc -l < "$TESTDIR/$1.err")" 1 "$1: lines on stderr ($(cat "$TESTDIR/$1.err"))"
	grep -Eq -- "$3" "$TESTDIR/$1.err" ||
		fail_ "$1: stderr does not match /$3/: $(cat "$TESTDIR/$1.err")"
}

# leaks_ NAME: memscope leaks $SRV, stdout NAME.out, stderr NAME.err, status 0.
leaks_() {
	"$MEMSCOPE" leaks "$SRV" > "$TESTDIR/$1.out" 2> "$TESTDIR/$1.err" < /dev/null
	lk_status=$?
	assert_eq_ "$lk_status" 0 "$1: memscope leaks' exit status ($(cat "$TESTDIR/$1.err"))"
}

# leak_line_ NAME KIND: "BYTES BLOCKS" of the LEAK SUMMARY line KIND.
leak_line_() {
	sed -n "s/^==$SRV== *$2: \([0-9,]*\) bytes in \([0-9,]*\) blocks\$/\1 \2/p" \
		"$TESTDIR/$1.out" | tr -d ,
}

# check_leaks_ NAME N: the check NAME found leak_one's N blocks definitely
# lost, keep_one's N still reachable, nothing else; the process was
# stopped for less than a second (STOPPED_MS).
STOPPED_TIMES=
check_leaks_() {
	STOPPED_MS=$(sed -n "1s/^==$SRV== memscope: the blocks allocated since memscope attached, [0-9.]* s ago; the process was stopped for \([0-9.]*\) ms\$/\1/p" \
		"$TESTDIR/$1.out")
	[ -n "$STOPPED_MS" ] || fail_ "$1: the first line does not say how long the process was stopped:
$(head -n 1 "$TESTDIR/$1.out")"
	STOPPED_TIMES="$STOPPED_TIMES $STOPPED_MS"
	awk -v t="$STOPPED_MS" 'BEGIN { exit !(t < 1000) }' ||
		fail_ "$1: the process was stopped for $STOPPED_MS ms"
	assert_eq_ "$(leak_line_ "$1" 'definitely lost')" "$(($2 * LEAK)) $2" \
		"$1: definitely lost (bytes blocks)"
	assert_eq_ "$(leak_line_ "$1" 'indirectly lost')" "0 0" "$1: indirectly lost"
	assert_eq_ "$(leak_line_ "$1" 'possibly lost')" "0 0" "$1: possibly lost"
	assert_eq_ "$(leak_line_ "$1" 'still reachable')" "$(($2 * KEEP)) $2" \
		"$1: still reachable (bytes blocks)"
	# the one loss record, at leak_one
	tr -d , < "$TESTDIR/$1.out" |
		grep -A 1 "^==$SRV== $(($2 * LEAK)) bytes in $2 blocks are definitely lost (loss record 1 of 1)\$" |
		grep -q "^==$SRV==     at leak_one (attach-server.c:[0-9]*) in attach-server\$" ||
		fail_ "$1: no loss record of $2 blocks at leak_one:
$(cat "$TESTDIR/$1.out")"
}

# SPDX-License-Identifier: ISC
# Sourced by tests/real-*.test after init.sh and run-lib.sh: a real
# program of the distribution under `memscope run --json` and under
# valgrind memcheck (the oracle) in the same test, their figures of
# definitely and indirectly lost memory compared exactly, process by
# process.
#
# The processes of a run are compared as a set: each process's four
# figures (definitely lost bytes and blocks, indirectly lost bytes and
# blocks) on a line, the lines sorted, both sides the same. valgrind
# names a process by its pid, memscope by its place in the tree; the
# figures of the processes of one program are what tells them apart.
#
# Skipped (77) when valgrind or the program is not installed, and under
# make check-valgrind (memscope itself under valgrind): the program would
# run under two valgrinds' worth of slowdown, and what that target checks,
# memscope's own memory, the rest of the suite covers.

require_prog_ valgrind
[ -z "${MEMSCOPE_WRAPPER:-}" ] ||
	skip_ "a real program under memscope under valgrind is too slow"

# real_require_ PATH: the program at PATH, or skip.
real_require_() {
	[ -x "$1" ] || skip_ "$1 is not installed"
}

# real_figures_valgrind_ LOG: "DB DN IB IN" per process of valgrind's log,
# sorted. A process without a LEAK SUMMARY (all freed) has zeros.
real_figures_valgrind_() {
	awk '
	match($0, /^==[0-9]+==/) {
		pid = substr($0, 3, RLENGTH - 4)
		if (!(pid in seen)) { seen[pid] = 1; order[++n] = pid }
	}
	/definitely lost: / { d = $0; sub(/.*definitely lost: /, "", d); split(d, a, " "); db[pid] = a[1]; dn[pid] = a[4] }
	/indirectly lost: / { d = $0; sub(/.*indirectly lost: /, "", d); split(d, a, " "); ib[pid] = a[1]; in_[pid] = a[4] }
	/HEAP SUMMARY:/ { heap[pid] = 1 }
	END {
		for (i = 1; i <= n; i++) {
			p = order[i]
			if (!(p in heap))
				continue
			x = db[p] ""; y = dn[p] ""; z = ib[p] ""; w = in_[p] ""
			gsub(/,/, "", x); gsub(/,/, "", y); gsub(/,/, "", z); gsub(/,/, "", w)
			printf "%d %d %d %d\n", x + 0, y + 0, z + 0, w + 0
		}
	}' "$1" | sort
}

# real_figures_memscope_ JSON: the same of memscope's report, or a line
# "not checked" for a process memscope did not check.
real_figures_memscope_() {
	jq -r '.. | objects | select(has("pid") and has("leaks")) | .leaks |
		if . == null then "not checked" else
		"\(.definitely.bytes) \(.definitely.blocks) \(.indirectly.bytes) \(.indirectly.blocks)"
		end' "$1" | sort
}

# real_valgrind_ NAME RUN PROGRAM ARGS...: the program under valgrind, its
# figures in NAME.want (the RUNth run's kept in NAME.want.RUN).
real_valgrind_() {
	rv_name=$1
	rv_run=$2
	shift 2
	rm -f "$TESTDIR/$rv_name".vg.[0-9]*
	(cd "$TESTDIR" && valgrind --tool=memcheck --leak-check=full \
		--trace-children=yes --child-silent-after-fork=no \
		--log-file="$TESTDIR/$rv_name.vg.%p" "$@" < /dev/null \
		> "$TESTDIR/$rv_name.vg.out" 2>&1) ||
		framework_failure_ "$rv_name failed under valgrind: $(tail -3 "$TESTDIR/$rv_name.vg.out")"
	cat "$TESTDIR/$rv_name".vg.[0-9]* > "$TESTDIR/$rv_name.vg"
	real_figures_valgrind_ "$TESTDIR/$rv_name.vg" > "$TESTDIR/$rv_name.want"
	[ -s "$TESTDIR/$rv_name.want" ] ||
		framework_failure_ "no LEAK SUMMARY in valgrind's log of $rv_name"
	cp "$TESTDIR/$rv_name.want" "$TESTDIR/$rv_name.want.$rv_run"
}

# real_between_runs_: what a test undoes between two runs (real_between_).
real_between_runs_() {
	if command -v real_between_ > /dev/null 2>&1; then
		real_between_
	fi
}

# real_compare_ NAME PROGRAM ARGS...: both runs, in the test's directory,
# stdin from /dev/null; the program must succeed under both; then the
# figures compared. A test may define real_between_, run between two runs
# (to undo what the one before made).
#
# valgrind's own figures can move from one of its runs to another: a stale
# copy of a pointer that survives in one run (in a register, on a stack)
# keeps a block reachable there and not in the next (seen once in a
# hundred runs of perl, under load). So when the figures differ, valgrind
# runs again, twice at most, and memscope's figures must be those of one
# of its runs; memscope runs once.
real_compare_() {
	rc_name=$1
	shift
	real_valgrind_ "$rc_name" 1 "$@"
	real_between_runs_
	(cd "$TESTDIR" && "$MEMSCOPE" run --json "$TESTDIR/$rc_name.json" "$@" \
		< /dev/null > "$TESTDIR/$rc_name.out" 2> "$TESTDIR/$rc_name.err") ||
		fail_ "$rc_name failed under memscope: $(tail -3 "$TESTDIR/$rc_name.err")"
	real_figures_memscope_ "$TESTDIR/$rc_name.json" > "$TESTDIR/$rc_name.got"
	for rc_run in 2 3; do
		! cmp -s "$TESTDIR/$rc_name.want" "$TESTDIR/$rc_name.got" || return 0
		real_between_runs_
		real_valgrind_ "$rc_name" $rc_run "$@"
	done
	cmp -s "$TESTDIR/$rc_name.want" "$TESTDIR/$rc_name.got" && return 0
	printf '%s: definitely bytes, blocks, indirectly bytes, blocks per process\n' "$rc_name" >&2
	for rc_run in 1 2 3; do
		printf 'valgrind, run %d:\n' $rc_run >&2
		cat "$TESTDIR/$rc_name.want.$rc_run" >&2
	done
	printf 'memscope:\n' >&2
	cat "$TESTDIR/$rc_name.got" >&2
	fail_ "$rc_name: memscope's leak figures differ from valgrind's in each of its 3 runs"
}

#!/bin/sh
# SPDX-License-Identifier: ISC
# The last line of `make check`: "N passed, N failed[, N skipped]", counted
# from the automake harness's .trs files given as arguments.
pass=0 fail=0 skip=0
for trs in "$@"; do
	[ -f "$trs" ] || continue
	while IFS= read -r line; do
		case $line in
		":test-result: PASS"*|":test-result: XFAIL"*) pass=$((pass + 1)) ;;
		":test-result: SKIP"*) skip=$((skip + 1)) ;;
		":test-result: "*) fail=$((fail + 1)) ;;
		esac
	done < "$trs"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi

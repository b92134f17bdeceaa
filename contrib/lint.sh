#!/bin/sh
# SPDX-License-Identifier: ISC
# make lint: clang-tidy and cppcheck over the analyzer (src/), the shim
# (preload/), the unit tests (tests/unit/) and the fuzz harnesses (fuzz/),
# each group with the flags its objects are compiled with. Any finding
# fails. What is checked, and each exception with its reason, is in
# .clang-tidy (and tests/unit/.clang-tidy), contrib/cppcheck.cfg and
# contrib/cppcheck-suppressions.xml.
#
# usage: lint.sh SRCDIR [:group NAME :flags FLAGS... :files FILES...]...
#   FILES are relative to SRCDIR; the Makefile passes its own lists.
# LINT_JOBS (default: the number of CPUs) clang-tidy processes at once;
# LINT_TOOLS="clang-tidy cppcheck" (default both) to run one of them.
set -eu

srcdir=$1
shift
jobs=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
tools=${LINT_TOOLS:-clang-tidy cppcheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscope-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

# Each group's flags and files, one per line, in $tmp/NAME.flags and .files.
groups= group= into=
for a in "$@"; do
	case $a in
	:group) into=name ;;
	:flags) into=flags; : > "$tmp/$group.flags" ;;
	:files) into=files; : > "$tmp/$group.files" ;;
	*)
		case $into in
		name) group=$a groups="$groups $a" ;;
		flags) printf '%s\n' "$a" >> "$tmp/$group.flags" ;;
		files) printf '%s\n' "$a" >> "$tmp/$group.files" ;;
		*) echo "lint.sh: $a: expected :group" >&2; exit 2 ;;
		esac ;;
	esac
done
[ -n "$groups" ] || { echo "lint.sh: no :group given" >&2; exit 2; }

for t in $tools; do
	command -v "$t" > /dev/null 2>&1 || {
		echo "lint: $t is not installed (contrib/install-deps.sh)" >&2
		exit 2
	}
done

# clang-tidy, one process per file: given several files at once,
# clang-tidy 14's analyzer carries state from one to the next (a va_list
# initialized by va_start was then reported "uninitialized"). The build's
# warning flags come along, so clang's own warnings count too; one a newer
# gcc knows and clang does not is no finding.
tidy() {
	name=$1
	set --
	while IFS= read -r a; do
		set -- "$@" "$a"
	done < "$tmp/$name.flags"
	sed "s|^|$srcdir/|" "$tmp/$name.files" |
	    xargs -P "$jobs" -I{} sh -c '
		f=$1 out=$2
		shift 2
		clang-tidy --quiet "$f" -- "$@" -Wno-unknown-warning-option \
		    > "$out/tidy-$(echo "$f" | tr / _)" 2>&1 ||
		    echo "$f: clang-tidy exited with status $?" \
		    >> "$out/tidy-$(echo "$f" | tr / _)"' \
	    sh {} "$tmp" "$@" || true
}

# cppcheck, with the group's -D, -U and the project's own -I (not the
# system's: cppcheck knows libc and POSIX from its libraries, and reading
# every system header makes it slow and no better). The shim's headers put
# __attribute__ after a function pointer, which cppcheck 2.10 cannot parse.
# One process: with -j, cppcheck 2.10 drops the suppressions that name a
# symbol (and it takes seconds anyway).
cppcheck_group() {
	name=$1
	set --
	while IFS= read -r a; do
		case $a in
		-I/usr/*|-I/opt/*) ;;
		-I*|-D*|-U*) set -- "$@" "$a" ;;
		esac
	done < "$tmp/$name.flags"
	[ "$name" != preload ] || set -- "$@" '-D__attribute__(x)='
	sed "s|^|$srcdir/|" "$tmp/$name.files" > "$tmp/$name.cppcheck-files"
	cppcheck --quiet --std=c11 \
	    --library=posix --library="$srcdir/contrib/cppcheck.cfg" \
	    --enable=warning,style,performance,portability \
	    --suppress-xml="$srcdir/contrib/cppcheck-suppressions.xml" \
	    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	    "$@" --file-list="$tmp/$name.cppcheck-files" \
	    > "$tmp/$name.cppcheck" 2>&1 || true
}

for t in $tools; do
	for g in $groups; do
		[ -s "$tmp/$g.files" ] || continue
		case $t in
		clang-tidy) tidy "$g" ;;
		cppcheck) cppcheck_group "$g" ;;
		esac
	done
done

# A header's finding comes once per file that includes it: said once.
cat "$tmp"/tidy-* "$tmp"/*.cppcheck 2>/dev/null |
    grep -v '^[0-9]* warnings\? generated\.$' > "$tmp/all" || true
grep -E ': (warning|error|style|performance|portability|information): |exited with status' \
    "$tmp/all" | sort -u > "$tmp/findings" || true
if [ -s "$tmp/findings" ]; then
	cat "$tmp/all"
	echo "lint: $(wc -l < "$tmp/findings") findings:" >&2
	cat "$tmp/findings" >&2
	exit 1
fi
echo "lint: no findings ($tools over$groups)"

# SPDX-License-Identifier: ISC
# What every bench script shares; sourced, after it has set $me.

fail()
{
	echo "$me: $*" >&2
	exit 1
}

# Everything runs from a temporary directory, so that no tool can leave a
# file in the tree: paths given relative to here are made absolute first.
absolute()
{
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}

# enter_tmpdir NAME: make a temporary directory memscope-bench-NAME.*, removed
# when the script ends, and work in it ($tmp).
tmp=
remove_tmpdir()
{
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}
enter_tmpdir()
{
	trap remove_tmpdir EXIT
	trap 'echo "$me: interrupted" >&2; exit 1' HUP INT TERM
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscope-bench-$1.XXXXXX") ||
		fail "cannot create a temporary directory"
	cd "$tmp" || fail "cannot enter $tmp"
}

# The median of v[1..n] (sorted in place), for the scripts' awk programs:
# awk "$awk_median"'...'.
awk_median='
function median(v, n,  i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
'

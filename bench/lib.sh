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

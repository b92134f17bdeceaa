#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what memscope needs to build and run, on Debian or Ubuntu, with
# apt-get; with --tests, also what its tests, benchmarks and static
# analysis use as oracles and tools (contrib/install-test-deps.sh). Quiet
# and quick when everything is already there.
set -eu

packages="
	build-essential autoconf automake libtool pkg-config
	libelf-dev libdw-dev libunwind-dev libncurses-dev libzstd-dev
	libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libcapstone-dev
"
# The tests' oracles and programs: each test that needs one skips (77)
# without it.
test_packages="
	libcmocka-dev
	procps jq protobuf-compiler util-linux binutils valgrind heaptrack tmux
	strace gdb clang
	python3 sqlite3 libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0
	redis-server redis-tools
	perl ruby git openssh-client g++
	cppcheck clang-tidy
	chromium
"

case ${1:-} in
--tests) packages="$packages $test_packages" ;;
'') ;;
*)
	echo "usage: install-deps.sh [--tests]" >&2
	exit 2
	;;
esac

missing=
for p in $packages; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo > /dev/null 2>&1 || {
		echo "install-deps: run as root, or install sudo, to install:$missing" >&2
		exit 1
	}
	sudo=sudo
fi
echo "install-deps: installing$missing" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends $missing > /dev/null

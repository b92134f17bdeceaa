#!/bin/sh
# Install what memscope needs to build, test and benchmark, on Debian or
# Ubuntu, with apt-get. Quiet and quick when everything is already there.
set -eu

packages="
	build-essential autoconf automake libtool pkg-config
	libelf-dev libdw-dev libunwind-dev libncurses-dev libzstd-dev
	libprotobuf-c-dev protobuf-c-compiler zlib1g-dev
	libcmocka-dev
	procps jq protobuf-compiler util-linux binutils valgrind heaptrack tmux
	strace clang
	python3 sqlite3 libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0
	perl ruby git openssh-client g++
	cppcheck clang-tidy
"

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

#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what memscope's tests, benchmarks and static analysis use (the
# oracles: valgrind, heaptrack, pmap, tmux, strace, gdb, ...; cmocka for
# the unit tests), with what it needs to build. Tests whose oracle is
# missing skip.
set -eu
"$(dirname "$0")/install-deps.sh" --tests

# A web browser, for the tests only: tests/run-html.test opens the HTML
# report in headless Chromium.
browser_packages="chromium"
missing=
for p in $browser_packages; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo > /dev/null 2>&1 || {
		echo "install-test-deps: run as root, or install sudo, to install:$missing" >&2
		exit 1
	}
	sudo=sudo
fi
echo "install-test-deps: installing$missing" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends $missing > /dev/null

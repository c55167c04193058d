#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unpack Debian's linux-source-VERSION into the cache (once) and print
# the source directory.  Usage: kernel-source.sh 6.12
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: kernel-source.sh VERSION}
"$TA_ROOT/scripts/install-deps.sh" "linux-source-$ver" xz-utils
src=$TA_CACHE/src/linux-source-$ver
if [ ! -f "$src/.unpacked" ]; then
	note "unpacking linux-source-$ver into $TA_CACHE/src"
	mkdir -p "$TA_CACHE/src"
	rm -rf "$src"
	tar -C "$TA_CACHE/src" -xf "/usr/src/linux-source-$ver.tar.xz"
	touch "$src/.unpacked"
fi
echo "$src"

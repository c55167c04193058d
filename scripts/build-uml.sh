#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) a UML kernel from Debian's linux-source-VERSION with a
# config fragment, modules included so that Module.symvers exists for the
# out-of-tree ones.  The build lives in the cache, keyed by the kernel
# version and a hash of the fragment, so a rerun is instant.
# Usage: build-uml.sh VERSION FRAGMENT   -> prints the build directory
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: build-uml.sh VERSION FRAGMENT}
frag=${2:?usage: build-uml.sh VERSION FRAGMENT}
"$TA_ROOT/scripts/install-deps.sh"
src=$("$TA_ROOT/scripts/kernel-source.sh" "$ver")
key=$(sha256sum <"$frag" | cut -c1-12)
out=$TA_CACHE/build/uml-$ver-$(basename "$frag" .config)-$key

if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi

note "building UML $ver kernel in $out (a few minutes, cached afterwards)"
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
{
	make -C "$src" O="$out" ARCH=um defconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag"
	make -C "$src" O="$out" ARCH=um olddefconfig
} >"$log" 2>&1 || die "UML config failed, see $log"

# Every option the fragment asks for must survive olddefconfig.
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qx "$line" "$out/.config" ||
		die "UML $ver config lost '$line' (see $out/.config)" ;;
	esac
done <"$frag"

make -C "$src" O="$out" ARCH=um -j"$TA_JOBS" all \
	>>"$log" 2>&1 || die "UML build failed, see $log"
touch "$out/.built"
echo "$out"

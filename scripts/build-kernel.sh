#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) a kernel from Debian's linux-source-VERSION with a
# config fragment, modules included so that Module.symvers exists for the
# out-of-tree ones.  The build lives in the cache, keyed by the arch, the
# kernel version and a hash of the fragment, so a rerun is instant.
#   um:     defconfig + fragment, the 'linux' binary
#   x86_64: alldefconfig + fragment (a small kernel), bzImage
# Later fragments override earlier ones.
# Usage: build-kernel.sh ARCH VERSION FRAGMENT...   -> prints the build dir
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: build-kernel.sh um|x86_64 VERSION FRAGMENT..."
arch=${1:?$usage}
ver=${2:?$usage}
frag=${3:?$usage}
shift 2
frags=("$@")
case "$arch" in
um)	base=defconfig name=uml ;;
x86_64)	base=alldefconfig name=x86_64 ;;
*)	die "$usage" ;;
esac
"$TA_ROOT/scripts/install-deps.sh"
src=$("$TA_ROOT/scripts/kernel-source.sh" "$ver")
key=$(cat "${frags[@]}" | sha256sum | cut -c1-12)
out=$TA_CACHE/build/$name-$ver-$(basename "$frag" .config)-$key

if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi

note "building $arch $ver kernel in $out (a few minutes, cached afterwards)"
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
{
	make -C "$src" O="$out" ARCH="$arch" "$base"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"${frags[@]}"
	make -C "$src" O="$out" ARCH="$arch" olddefconfig
} >"$log" 2>&1 || die "$arch config failed, see $log"

# Every option the fragments ask for (the last word wins) must survive
# olddefconfig.
declare -A want=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) want[${line%%=*}]=$line ;;
	"# CONFIG_"*" is not set") name=${line#\# }; want[${name%% *}]='' ;;
	esac
done < <(cat "${frags[@]}")
for name in "${!want[@]}"; do
	line=${want[$name]}
	[ -z "$line" ] || grep -qx "$line" "$out/.config" ||
		die "$arch $ver config lost '$line' (see $out/.config)"
done

make -C "$src" O="$out" ARCH="$arch" -j"$TA_JOBS" all \
	>>"$log" 2>&1 || die "$arch build failed, see $log"
touch "$out/.built"
echo "$out"

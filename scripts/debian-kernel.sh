#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch one of Debian's own x86_64 kernels, as users run them, with its
# matching headers: the image, linux-headers-*, its -common part and
# linux-kbuild-*, unpacked into the cache (not installed: no initramfs is
# made, /boot and /usr/src are not touched).  Prints the cache directory,
# which holds "vmlinuz" and "kdir" (the headers, to build modules against).
#
# Usage: debian-kernel.sh 6.1|6.12|6.12-rt
#   The newest kernel of that series the archive has, through the
#   meta-packages linux-image-amd64 (6.1 in bookworm), linux-image-6.12-amd64
#   and linux-image-6.12-rt-amd64.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
6.1) meta=linux-image-amd64 ;;
6.12) meta=linux-image-6.12-amd64 ;;
6.12-rt) meta=linux-image-6.12-rt-amd64 ;;
*) die "usage: debian-kernel.sh 6.1|6.12|6.12-rt" ;;
esac
"$TA_ROOT/scripts/install-deps.sh" dwarves gcc-12

# The package a meta-package points at, e.g. linux-image-6.1.0-56-amd64.
target()
{
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1
}

image=$(target "$meta")
if [ -z "$image" ]; then
	note "refreshing the package lists"
	apt-get update -qq >/dev/null
	image=$(target "$meta")
fi
[ -n "$image" ] || die "no package behind $meta in the archive"
release=${image#linux-image-}
dir=$TA_CACHE/debian/$release
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

headers=linux-headers-$release
# The headers' -common part and kbuild, from their Depends line.
deps=$(apt-cache show "$headers" | sed -n 's/^Depends: //p' | head -n 1 |
	tr ',' '\n' | sed -n 's/^ *\(linux-\(headers-[^ ]*-common[^ ]*\|kbuild-[^ ]*\)\).*/\1/p')
[ -n "$deps" ] || die "cannot read what $headers depends on"

note "fetching Debian's $release: $image $headers $(echo $deps)"
rm -rf "$dir"
mkdir -p "$dir/debs"
# shellcheck disable=SC2086 # one word per package
(cd "$dir/debs" && apt-get download -qq "$image" "$headers" $deps 2>/dev/null) ||
	die "apt-get download of $release failed"
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
rm -rf "$dir/debs"
# The headers' Makefile includes the -common one by absolute path.
kdir=$dir/root/usr/src/$headers
sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$kdir/Makefile"
ln -s "root/usr/src/$headers" "$dir/kdir"
ln -s "root/boot/vmlinuz-$release" "$dir/vmlinuz"
# Only the image and the headers are needed: drop the modules tree.
rm -rf "$dir/root/lib/modules" "$dir/root/usr/lib/modules"
[ -f "$dir/vmlinuz" ] && [ -f "$dir/kdir/Makefile" ] ||
	die "unpacked $release lacks vmlinuz or headers"
touch "$dir/.done"
echo "$dir"

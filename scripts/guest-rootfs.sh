#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Create (or refresh) a minimal root filesystem directory for the test
# guests: UML boots it over hostfs, qemu as an initramfs.  The only thing taken from
# the host is the statically linked busybox (no shared libraries needed),
# plus one symlink per applet so that scripts can call insmod, poweroff...
# by name, the checks the guest scripts share (/common.sh, /trace.sh,
# /memcg.sh and /stat-table.sh, from scripts/guest/) and the stat viewer (/bin/tinyalloc-stat).
# /dev is left empty: the kernel mounts devtmpfs there itself
# (CONFIG_DEVTMPFS_MOUNT) or /init does.
# Usage: guest-rootfs.sh DIR
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir=${1:?usage: guest-rootfs.sh DIR}
[ $# -eq 1 ] || die "usage: guest-rootfs.sh DIR"

"$TA_ROOT/scripts/install-deps.sh" busybox-static
bb=
for c in /usr/bin/busybox /bin/busybox; do
	[ -x "$c" ] && { bb=$c; break; }
done
[ -n "$bb" ] || die "busybox not found (package busybox-static)"
# A dynamically linked busybox would need the host's libc inside the root.
if command -v file >/dev/null 2>&1; then
	file -L "$bb" | grep -q 'statically linked' ||
		die "$bb is not statically linked; install busybox-static"
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# Guard against wiping a real system directory by mistake.
case "$dir" in
/ | /bin | /usr | /etc | "$HOME") die "refusing to use $dir as a UML root" ;;
esac

# Rebuild bin/ from scratch so a refresh drops stale applets.
rm -rf "${dir:?}/bin" "${dir:?}/sbin"
mkdir -p "$dir/bin"
cp "$bb" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"
# Every applet this busybox has; the list is what the binary itself reports,
# so it can never name an applet that is missing.  One python3 process
# makes the ~300 links in a fraction of the time 300 ln processes take.
if command -v python3 >/dev/null 2>&1; then
	"$bb" --list | python3 -c '
import os, sys
for a in sys.stdin.read().split():
	if a != "busybox":
		os.symlink("busybox", os.path.join(sys.argv[1], a))
' "$dir/bin"
else
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
	done
fi
for a in sh mount umount insmod rmmod lsmod cat grep echo poweroff halt \
	 reboot sleep dmesg ls mkdir sync; do
	[ -e "$dir/bin/$a" ] || die "busybox lacks the '$a' applet"
done
# Scripts written for a normal system may use /sbin/poweroff and friends.
ln -s bin "$dir/sbin"

mkdir -p "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/modules" \
	 "$dir/root" "$dir/etc"
chmod 1777 "$dir/tmp"
cp "$TA_ROOT/scripts/guest/common.sh" "$dir/common.sh"
cp "$TA_ROOT/scripts/guest/trace.sh" "$dir/trace.sh"
cp "$TA_ROOT/scripts/guest/stat-table.sh" "$dir/stat-table.sh"
cp "$TA_ROOT/scripts/guest/memcg.sh" "$dir/memcg.sh"
# The stat viewer, for the demo and its checks.
cp "$TA_ROOT/scripts/tinyalloc-stat" "$dir/bin/tinyalloc-stat"
chmod 0755 "$dir/bin/tinyalloc-stat"

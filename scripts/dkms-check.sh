#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Does dkms.conf build tinyalloc.ko?  Runs Debian's own dkms ("dkms
# build") against Debian's kernel headers, as a user's machine would after
# "dkms install", and prints a PASS or FAIL line per kernel.  Everything
# dkms writes stays in build/dkms (its --dkmstree and --sourcetree): not
# /var/lib/dkms, /usr/src or /lib/modules.
# Usage: dkms-check.sh [6.1|6.12|6.12-rt ...]   (default: 6.1 6.12)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- 6.1 6.12
"$TA_ROOT/scripts/install-deps.sh" dkms kmod
work=$TA_ROOT/build/dkms
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TA_ROOT/dkms.conf")
[ -n "$conf_version" ] || die "no PACKAGE_VERSION in dkms.conf"

# What "dkms add" would find in /usr/src: the sources dkms.conf builds,
# without objects of an in-tree build.
rm -rf "$work"
src=$work/source/tinyalloc-$conf_version
mkdir -p "$src" "$work/tree"
cp -r "$TA_ROOT/dkms.conf" "$TA_ROOT/Kbuild" "$TA_ROOT/Makefile" \
	"$TA_ROOT/tinyalloc" "$src/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
	-name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' -o \
	-name 'Module.symvers' \) -delete

for v in "$@"; do
	d=$("$TA_ROOT/scripts/debian-kernel.sh" "$v")
	release=$(basename "$d")
	log=$work/dkms-$v.log
	note "dkms build of tinyalloc/$conf_version for Debian's $release"
	dkms build -m tinyalloc -v "$conf_version" -k "$release" -j 2 \
		--dkmstree "$work/tree" --sourcetree "$work/source" \
		--kernelsourcedir "$(readlink -f "$d/kdir")" >"$log" 2>&1 || true
	built=$work/tree/tinyalloc/$conf_version/$release/$(uname -m)
	ko=$built/module/tinyalloc.ko
	# The module must be there, built for that kernel without a warning.
	if [ -f "$ko" ] &&
		modinfo -F vermagic "$ko" | grep -q "^$release " &&
		[ "$(modinfo -F version "$ko")" = "$conf_version" ] &&
		! grep -E 'warning:|error:' "$built/log/make.log"; then
		ta_verdict pass "dkms build against Debian's $v headers ($release): tinyalloc.ko $conf_version"
	else
		tail -n 20 "$log"
		ta_verdict fail "dkms build against Debian's $v headers ($release) (see $log)"
	fi
done
exit "$ta_failed"

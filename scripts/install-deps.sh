#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages tinyalloc's build and tests need, only those
# that are missing.  Usage: install-deps.sh [package...]
set -euo pipefail

want=(linux-source-6.12 linux-source-6.1 busybox-static sparse bc flex bison libelf-dev
      libssl-dev xz-utils python3 gcc make perl qemu-system-x86 cpio
      gdb)
[ $# -gt 0 ] && want=("$@")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> installing: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "tinyalloc: missing packages (${missing[*]}); run as root or install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

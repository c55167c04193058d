#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, build a UML kernel (cached) and the
# modules, boot, run a client workload and print tinyalloc's stats.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TA_ROOT/scripts/install-deps.sh"
kdir=$("$TA_ROOT/scripts/build-kernel.sh" um 6.12 "$TA_ROOT/scripts/configs/uml-test.config")
note "building tinyalloc against $kdir"
make -s -C "$kdir" M="$TA_ROOT" ARCH=um modules >/dev/null
mkdir -p "$TA_ROOT/build"
log=$TA_ROOT/build/demo.log
note "booting UML (log: $log)"
"$TA_ROOT/scripts/run-uml.sh" -k "$kdir" -o "$log" -t 300 -- \
	"$TA_ROOT/scripts/guest/demo.sh" "$TA_ROOT/tinyalloc/tinyalloc.ko" \
	"$TA_ROOT/tests/tinyalloc_demo.ko"
grep -o 'DEMO: .*' "$log" | cut -c7-

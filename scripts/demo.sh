#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, build a UML kernel (cached) and the
# modules, boot, let the sample client load code.json's short strings and a
# few thousand stacks, and show tinyalloc-stat before, during and after.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TA_ROOT/scripts/install-deps.sh"
"$TA_ROOT/scripts/install-deps.sh" golang-1.19-src
out=$TA_ROOT/build/demo
mkdir -p "$out"
note "the string lengths of Go's code.json"
python3 "$TA_ROOT/scripts/bench-seq.py" codejson \
	/usr/share/go-1.19/src/encoding/json/testdata/code.json.gz \
	"$out/codejson.seq" >&2
kdir=$("$TA_ROOT/scripts/build-kernel.sh" um 6.12 "$TA_ROOT/scripts/configs/uml-test.config")
note "building tinyalloc against $kdir"
make -s -C "$kdir" M="$TA_ROOT" ARCH=um modules >/dev/null
log=$out/demo.log
note "booting UML (log: $log)"
"$TA_ROOT/scripts/run-uml.sh" -k "$kdir" -o "$log" -t 300 -- \
	"$TA_ROOT/scripts/guest/demo.sh" "$TA_ROOT/tinyalloc/tinyalloc.ko" \
	"$TA_ROOT/tests/tinyalloc_demo.ko" "$out/codejson.seq"
grep -o 'DEMO: .*' "$log" | cut -c7-

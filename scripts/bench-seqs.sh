#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The size sequences of the memory benchmarks, into DIR: codejson.seq
# (code.json's short strings, from golang-1.19-src) and boot.seq (the
# kmalloc sizes under 16 of a boot of Debian's 6.12, traced under qemu
# once and cached).  make bench runs them for real; make check gives them
# to every guest so that the benchmark module's quick pass runs the
# memory cases too.
# Usage: bench-seqs.sh DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: bench-seqs.sh DIR"
out=$1
mkdir -p "$out"
"$TA_ROOT/scripts/install-deps.sh" golang-1.19-src
codejson=/usr/share/go-1.19/src/encoding/json/testdata/code.json.gz
python3 "$TA_ROOT/scripts/bench-seq.py" codejson "$codejson" "$out/codejson.seq"
deb=$("$TA_ROOT/scripts/debian-kernel.sh" 6.12)
boot=$TA_CACHE/bench/boot-$(basename "$deb").seq
if [ ! -s "$boot" ]; then
	mkdir -p "$TA_CACHE/bench"
	"$TA_ROOT/scripts/run-qemu.sh" -k "$deb/vmlinuz" -o "$out/boot-trace.log" \
		-t 600 -c "trace_event=kmem:kmalloc trace_buf_size=64M" -- \
		"$TA_ROOT/scripts/guest/boot-trace.sh"
	python3 "$TA_ROOT/scripts/bench-seq.py" boot "$out/boot-trace.log" "$boot.tmp"
	mv "$boot.tmp" "$boot"
fi
cp "$boot" "$out/boot.seq"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: tinyalloc against kmalloc, kmem_cache, page_frag, alloc_pages
# and vmalloc, measured in the same boot (Documentation/benchmarks.rst).
#
#   1. the size sequences: code.json's short strings (golang-1.19-src) and
#      the kmalloc requests under 16 bytes of a Debian 6.12 boot, traced
#      with trace_event=kmem:kmalloc (cached per kernel release);
#   2. single-CPU cases (tiny, mem, stack) on a UML 6.12 kernel without
#      debug options (scripts/configs/uml-bench.config, cached);
#   3. multi-CPU cases (smp) on Debian's 6.12 under qemu -smp 4 (TCG:
#      ratios only);
#   4. build/bench/results.{md,csv,png} by scripts/bench-report.py and gnuplot.
#
# Env: BENCH_REPS (default 5) repetitions per timed case, median reported;
#      BENCH_GROUPS (default tiny,mem,stack) the single-CPU groups to run;
#      BENCH_SMP=0 skips the multi-CPU run (for a quicker edit-measure loop).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$TA_ROOT/build/bench
reps=${BENCH_REPS:-5}
groups=${BENCH_GROUPS:-tiny,mem,stack}
mkdir -p "$out"
"$TA_ROOT/scripts/install-deps.sh"
"$TA_ROOT/scripts/install-deps.sh" gnuplot-nox

note "bench: size sequences"
"$TA_ROOT/scripts/bench-seqs.sh" "$out"
deb=$("$TA_ROOT/scripts/debian-kernel.sh" 6.12)

note "bench: single-CPU cases on UML 6.12 without debug options"
# UML maps each page vmalloc gives its guest on its own: 10k stacks of
# 64K from vmalloc need more host mappings than the default 65530.
if [ "$(sysctl -n vm.max_map_count)" -lt 1048576 ]; then
	sysctl -qw vm.max_map_count=1048576 ||
		die "vm.max_map_count is too low for UML's vmalloc cases; run as root"
fi
kdir=$("$TA_ROOT/scripts/build-kernel.sh" um 6.12 \
	"$TA_ROOT/scripts/configs/uml-bench.config")
ta_build_modules um "$kdir" "$out/uml" || die "module build failed, see $out/uml-build.log"
echo "groups=$groups reps=$reps" >"$out/uml/bench.args"
"$TA_ROOT/scripts/run-uml.sh" -k "$kdir" -o "$out/uml.log" -m 3G -t 3600 -- \
	"$TA_ROOT/scripts/guest/bench.sh" "$out/uml/tinyalloc/tinyalloc.ko" \
	"$out/uml/tests/tinyalloc_bench.ko" "$out/uml/bench.args" \
	"$out/codejson.seq" "$out/boot.seq"

rm -f "$out/smp.log"
if [ "${BENCH_SMP:-1}" != 0 ]; then
	note "bench: multi-CPU cases on Debian's 6.12 under qemu -smp 4"
	ta_build_modules x86_64 "$deb/kdir" "$out/smp" ||
		die "module build failed, see $out/smp-build.log"
	echo "groups=smp reps=$reps" >"$out/smp/bench.args"
	"$TA_ROOT/scripts/run-qemu.sh" -k "$deb/vmlinuz" -o "$out/smp.log" -s 4 -m 2G -p \
		-t 3600 -- "$TA_ROOT/scripts/guest/bench.sh" \
		"$out/smp/tinyalloc/tinyalloc.ko" "$out/smp/tests/tinyalloc_bench.ko" \
		"$out/smp/bench.args"
fi

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
header="$(date -u '+%Y-%m-%d %H:%M UTC'): single-CPU cases on UML 6.12 \
(uml-bench.config, no KASAN/lockdep), multi-CPU on Debian $(basename "$deb") \
under qemu -smp 4 TCG; host: $cpu, $(nproc) cores; median of $reps."
rm -f "$out/results.gp" "$out/results.png"
# shellcheck disable=SC2046 # the logs there are
python3 "$TA_ROOT/scripts/bench-report.py" "$out" "$header" \
	$(ls "$out/uml.log" "$out/smp.log" 2>/dev/null) >/dev/null
[ ! -f "$out/results.gp" ] || gnuplot "$out/results.gp"
cat "$out/results.md"
note "bench: results in $out/results.md, results.csv and results.png"

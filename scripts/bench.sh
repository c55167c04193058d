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
#   3. instructions per operation (tiny, stack) on Debian's own 6.12
#      under qemu -icount shift=0, one vCPU, twice;
#   4. multi-CPU cases (smp) on Debian's 6.12 under qemu -smp 2 (TCG:
#      ratios only, kmalloc's the reference);
#   5. build/bench/results.{csv,md,rst,png} by scripts/bench-report.py and
#      gnuplot; exits 1 if a check of the run itself failed.
#
# Env: BENCH_REPS (default 5) repetitions per timed case, median reported;
#      BENCH_GROUPS (default tiny,mem,stack) the single-CPU groups to run;
#      BENCH_ICOUNT=0 and BENCH_SMP=0 skip the qemu runs (for a quicker
#      edit-measure loop); BENCH_RECORD=1 copies the results into
#      Documentation/bench/, the run the documentation shows.
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

# Debian's own 6.12 (init_on_alloc on, as users run it) under qemu, for
# the instruction counts and the multi-CPU ratios.
ta_build_modules x86_64 "$deb/kdir" "$out/x86" ||
	die "module build failed, see $out/x86-build.log"
rm -f "$out"/icount*.log "$out/smp.log"
logs=(uml="$out/uml.log")
if [ "${BENCH_ICOUNT:-1}" != 0 ]; then
	note "bench: instructions per operation, Debian's 6.12 under qemu -icount shift=0"
	# One vCPU on one TCG thread: the guest clock advances 1 ns per
	# instruction, so the ns the module reports are instructions.  The
	# count repeats but for what interrupts add: a tenth of the tiny
	# loops, the least of 5 repetitions, and two boots to show it.
	# nokaslr: with the kernel's layout random, where spans land moves
	# the stack index's xarray walks by up to 6% from boot to boot.
	echo "groups=tiny,stack reps=5 min=1 ops_div=10" >"$out/x86/bench.args"
	for run in 1 2; do
		"$TA_ROOT/scripts/run-qemu.sh" -k "$deb/vmlinuz" -o "$out/icount$run.log" \
			-s 1 -m 2G -a "-icount shift=0" -c nokaslr -t 3600 -- \
			"$TA_ROOT/scripts/guest/bench.sh" "$out/x86/tinyalloc/tinyalloc.ko" \
			"$out/x86/tests/tinyalloc_bench.ko" "$out/x86/bench.args"
	done
	logs+=(icount="$out/icount1.log" icount2="$out/icount2.log")
fi
if [ "${BENCH_SMP:-1}" != 0 ]; then
	note "bench: multi-CPU cases on Debian's 6.12 under qemu -smp 2"
	# As many vCPUs as host cores at most: more would measure the host.
	[ "$(nproc)" -ge 2 ] || die "the multi-CPU cases need 2 host cores (BENCH_SMP=0 skips them)"
	echo "groups=smp reps=$reps" >"$out/x86/bench.args"
	"$TA_ROOT/scripts/run-qemu.sh" -k "$deb/vmlinuz" -o "$out/smp.log" -s 2 -m 2G -p \
		-t 3600 -- "$TA_ROOT/scripts/guest/bench.sh" \
		"$out/x86/tinyalloc/tinyalloc.ko" "$out/x86/tests/tinyalloc_bench.ko" \
		"$out/x86/bench.args"
	logs+=(smp="$out/smp.log")
fi

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
header="$(date -u '+%Y-%m-%d %H:%M UTC'), tinyalloc \
$(git -C "$TA_ROOT" describe --always --dirty 2>/dev/null || echo '?'): \
$groups on UML 6.12 (uml-bench.config, no KASAN/lockdep; median of $reps, \
memory of at least 3)"
[ "${BENCH_ICOUNT:-1}" = 0 ] || header+="; instructions on Debian \
$(basename "$deb") under qemu -icount shift=0, nokaslr (least of 5, two boots)"
[ "${BENCH_SMP:-1}" = 0 ] || header+="; multi-CPU on Debian $(basename "$deb") \
under qemu -smp 2 TCG"
header+="; host: $cpu, $(nproc) cores."
rm -f "$out/results.gp" "$out/results.png"
python3 "$TA_ROOT/scripts/bench-report.py" collect "$out/results.csv" "$header" "${logs[@]}"
ok=1
python3 "$TA_ROOT/scripts/bench-report.py" render "$out/results.csv" "$out" || ok=0
[ ! -f "$out/results.gp" ] || gnuplot "$out/results.gp"
cat "$out/results.md"
if [ "${BENCH_RECORD:-0}" = 1 ] && [ "$ok" = 1 ]; then
	# The run Documentation/benchmarks.rst shows (only one whose own
	# checks passed).
	mkdir -p "$TA_ROOT/Documentation/bench"
	cp "$out/results.csv" "$out/results.rst" "$out/tuning.rst" \
		"$TA_ROOT/Documentation/bench/"
	[ ! -f "$out/results.png" ] || cp "$out/results.png" "$TA_ROOT/Documentation/bench/"
	note "bench: recorded in Documentation/bench/"
fi
note "bench: results in $out/results.md, results.csv and results.png"
[ "$ok" = 1 ] || die "a check of the run failed: its figures are not to be trusted"

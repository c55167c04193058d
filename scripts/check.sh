#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test tinyalloc has, stage by stage.
# make check-quick: the UML 6.12 stages only, for the edit-test loop.
#
#   static        W=1 + sparse build, an outside client, checkpatch, kernel-doc,
#                 the documentation (Sphinx, the API page, the messages), modinfo,
#                 tinyalloc-stat on captured debugfs files
#   uml-6.12      KUnit under UML with KASAN, lockdep, PREEMPT
#   uml-6.1       the KUnit suites on the other LTS kernel (no PREEMPT there;
#                 no module unload, which hangs its kernel: testing.rst)
#   x86_64-smp    KUnit on an x86_64 SMP kernel under qemu -smp 4 (TCG)
#   x86_64-leaks  the same kernel with kmemleak=on: kmemleak and /proc/allocinfo
#   debian-6.1, debian-6.12, debian-6.12-rt
#                 Debian's own kernels and headers under qemu -smp 4: the
#                 plain stress module (no KUnit there), debugfs, unload
#   dkms          dkms build of dkms.conf against Debian's 6.1 and 6.12 headers
#   numa-6.12     Debian's 6.12 as 2 NUMA nodes of 2 CPUs: node locality
#
# Each stage prints what it checked; the run ends with one line
# "N passed, N failed" summing KUnit cases and the script-level checks,
# and exits non-zero if anything failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-full}
out=$TA_ROOT/build/check
mkdir -p "$out"
passed=0
failed=0
skipped=0
stage=static
summary=()
failed_stages=()
stage_start=$(date +%s)
stage_passed=0
stage_failed=0

# Close the current stage's line of the summary and start stage $1.
next_stage()
{
	summary+=("$(printf '%-16s %4d passed %3d failed %5ds' "$stage" \
		$((passed - stage_passed)) $((failed - stage_failed)) \
		$(($(date +%s) - stage_start)))")
	[ "$failed" -eq "$stage_failed" ] || failed_stages+=("$stage")
	stage=$1
	stage_start=$(date +%s)
	stage_passed=$passed
	stage_failed=$failed
}
suites=(tinyalloc_tiny tinyalloc_invalid_free tinyalloc_stress
	tinyalloc_debugfs tinyalloc_stack tinyalloc_smp tinyalloc_fuzz
	tinyalloc_kasan)

result()
{
	if [ "$1" = pass ]; then
		passed=$((passed + 1))
		echo "PASS: [$stage] $2"
	else
		failed=$((failed + 1))
		echo "FAIL: [$stage] $2"
	fi
}

# Count a static check: pass if its log has nothing that matches.
static_check()
{
	local name=$1 log=$out/$2 pattern=$3

	if grep -Eq "$pattern" "$log"; then
		grep -E "$pattern" "$log" | head -n 40
		result fail "$name (see $log)"
	else
		result pass "$name"
	fi
}

# Count a check script: pass if it exits 0, else show the end of its log.
# Usage: script_check NAME LOG COMMAND...
script_check()
{
	local name=$1 log=$out/$2
	shift 2

	if "$@" >"$log" 2>&1; then
		result pass "$name"
	else
		tail -n 20 "$log"
		result fail "$name (see $log)"
	fi
}

# Count a script's own "PASS: what" and "FAIL: what" lines; a script that
# fails without saying what fails too.
# Usage: script_results LOG COMMAND...
script_results()
{
	local log=$out/$1 rc=0 verdict what
	shift

	"$@" >"$log" 2>&1 || rc=$?
	while read -r verdict what; do
		case "$verdict" in
		PASS:) result pass "$what" ;;
		FAIL:) result fail "$what" ;;
		esac
	done <"$log"
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' "$log"; then
		tail -n 20 "$log"
		result fail "$1 (see $log)"
	fi
}

# The "TA-CHECK PASS|FAIL: what" lines of a console log.  The kernel's
# messages can land in the middle of a line the guest script writes:
# split wherever a verdict starts, and cut a spliced-in kernel line (its
# timestamp and what follows) off the end of a name, so no verdict is lost.
check_lines()
{
	grep -ao 'TA-CHECK [A-Z]*: .*' "$1" |
		sed 's/\(.\)\(TA-CHECK [A-Z]*: \)/\1\n\2/g' |
		sed 's/\[ *[0-9]*\.[0-9]*\].*//' |
		grep -o '^TA-CHECK [A-Z]*: .*' | cut -d' ' -f2-
}

# The guest skips the tracepoint checks on a kernel without tracefs: only
# UML 6.1's config turns tracing off; everywhere else they must have run,
# but in the kmemleak stage, whose script runs only its own checks.
trace_ran()
{
	[ "$stage" = uml-6.1 ] || [ "$stage" = x86_64-leaks ] ||
		grep -q 'TA-CHECK PASS: trace: the tinyalloc events are in tracefs' "$1" ||
		result fail "the tracepoint checks ran (see $1)"
}

# Count the "TA-CHECK PASS|FAIL: what" lines of a log.
tally_checks()
{
	local verdict what

	while read -r verdict what; do
		case "$verdict" in
		PASS:) result pass "$what" ;;
		FAIL:) result fail "$what" ;;
		esac
	done < <(check_lines "$1")
}

# Tally a guest's console log: its own "TA-CHECK PASS|FAIL: what" lines,
# then the KUnit results and the splat scan of check-kunit-log.sh, or
# only the splat scan on kernels without KUnit (suites=()).
guest_results()
{
	local log=$1 rc=0 kunit line kfailed

	tally_checks "$log"
	trace_ran "$log"
	if [ ${#suites[@]} -eq 0 ]; then
		if "$TA_ROOT/scripts/check-splat.sh" "$log"; then
			result pass "no kernel splat in the log"
		else
			result fail "kernel splat (see $log)"
		fi
		return
	fi
	kunit=$("$TA_ROOT/scripts/check-kunit-log.sh" "$log" "${suites[@]}") || rc=$?
	line=$(echo "$kunit" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1 || true)
	echo "KUnit [$stage]: ${line:-no results}"
	line=${line:-0 passed, 0 failed}
	kfailed=$(echo "$line" | cut -d' ' -f3)
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + kfailed))
	case "$line" in
	*skipped*) skipped=$((skipped + $(echo "$line" | cut -d' ' -f5))) ;;
	esac
	# A splat or a missing suite fails the run even when every case passed.
	[ "$rc" -eq 0 ] || [ "$kfailed" -gt 0 ] ||
		result fail "KUnit log: splat or missing suite (see $log)"
}

# The modules every guest gets, from a build directory: those built for
# its kernel (tinyalloc_kunit.ko only where there is KUnit); and the
# benchmark sequences, for the benchmark module's memory cases.
guest_modules()
{
	echo "$1/tinyalloc/tinyalloc.ko" "$1"/tests/*.ko "$out/codejson.seq" \
		"$out/boot.seq"
}

# A stage on another kernel: build the modules in a copy, boot them with
# RUNNER (run-uml.sh or run-qemu.sh and its options) and the guest
# SCRIPT, tally the results.
# Usage: guest_stage ARCH KDIR SCRIPT RUNNER [RUNNER OPTIONS...]
guest_stage()
{
	local arch=$1 kdir=$2 script=$3 dest=$out/$stage log=$out/$stage.log
	shift 3

	rm -f "$log"
	if ! ta_build_modules "$arch" "$kdir" "$dest"; then
		tail -n 20 "$dest-build.log"
		result fail "modules build (see $dest-build.log)"
		return
	fi
	result pass "modules build"
	static_check "no warnings" "$stage-build.log" 'warning:|error:'
	# shellcheck disable=SC2046 # one word per module
	"$@" -o "$log" -- "$script" $(guest_modules "$dest") ||
		result fail "boot and run (see $log)"
	guest_results "$log"
}

# A stage on one of Debian's kernels (debian-kernel.sh 6.1|6.12|6.12-rt),
# under qemu with the stress script, booted with CMDLINE; MEMINIT is what
# the meminit checks must report on (init_on_alloc, init_on_free or both).
# Usage: debian_stage VERSION SMP QEMU_ARGS CMDLINE MEMINIT
debian_stage()
{
	local d n

	note "stage: $stage (Debian's kernel and headers, qemu -smp 4, $4)"
	d=$("$TA_ROOT/scripts/debian-kernel.sh" "$1")
	guest_stage x86_64 "$d/kdir" "$TA_ROOT/scripts/guest/stress.sh" \
		"$TA_ROOT/scripts/run-qemu.sh" -k "$d/vmlinuz" -s "$2" -m 2G \
		-t 900 -a "$3" -c "$4"
	# 6 object sizes and 3 stack sizes.
	n=$(grep -c "TA-CHECK PASS: meminit: $5: " "$out/$stage.log" || true)
	if [ "$n" = 9 ]; then
		result pass "meminit checks ran with $5 (9 of 9)"
	else
		result fail "meminit checks ran with $5 ($n of 9)"
	fi
}

"$TA_ROOT/scripts/install-deps.sh"
"$TA_ROOT/scripts/bench-seqs.sh" "$out" >"$out/bench-seqs.log" 2>&1 ||
	{ tail -n 20 "$out/bench-seqs.log"; die "no benchmark sequences"; }
ksrc=$("$TA_ROOT/scripts/kernel-source.sh" 6.12)
kdir=$("$TA_ROOT/scripts/build-kernel.sh" um 6.12 "$TA_ROOT/scripts/configs/uml-test.config")

note "stage: build against UML 6.12 with W=1 and sparse (C=2)"
make -s -C "$kdir" M="$TA_ROOT" ARCH=um clean >/dev/null
if make -C "$kdir" M="$TA_ROOT" ARCH=um W=1 C=2 modules >"$out/build.log" 2>&1; then
	result pass "modules build"
else
	tail -n 40 "$out/build.log"
	result fail "modules build (see $out/build.log)"
fi
static_check "W=1 and sparse: no warnings" build.log 'warning:|error:'

# A client outside the repo builds against the public header and symbols.
client=$out/client
rm -rf "$client"
mkdir -p "$client"
cp "$TA_ROOT/tests/tinyalloc_demo.c" "$client/client.c"
printf 'obj-m += client.o\nccflags-y += -I%s/tinyalloc\n' "$TA_ROOT" >"$client/Kbuild"
if make -C "$kdir" M="$client" ARCH=um \
	KBUILD_EXTRA_SYMBOLS="$TA_ROOT/Module.symvers" modules \
	>"$out/client.log" 2>&1 && [ -f "$client/client.ko" ]; then
	result pass "an outside client builds with -I<repo>/tinyalloc and KBUILD_EXTRA_SYMBOLS"
else
	tail -n 20 "$out/client.log"
	result fail "outside client build (see $out/client.log)"
fi
static_check "outside client: no undefined symbols" client.log 'undefined|WARNING'

# The splat scan lets through only a report a test framed as expected.
splat=$out/splat-selftest.log
printf '%s\n' 'TA-EXPECTED-SPLAT-BEGIN' 'BUG: KASAN: slab-use-after-free in x' \
	'Call Trace:' 'TA-EXPECTED-SPLAT-END' 'ok 1 test' >"$splat"
if "$TA_ROOT/scripts/check-splat.sh" "$splat" >/dev/null 2>&1; then
	result pass "check-splat.sh: a framed, expected report passes"
else
	result fail "check-splat.sh: a framed, expected report passes"
fi
for bad in 'BUG: KASAN: slab-use-after-free in x' \
	'TA-EXPECTED-SPLAT-BEGIN|WARNING: CPU: 1 PID: 2 at x|TA-EXPECTED-SPLAT-END' \
	'TA-EXPECTED-SPLAT-BEGIN|BUG: KASAN: slab-use-after-free in x'; do
	{ cat "$splat"; echo "$bad" | tr '|' '\n'; } >"$splat.bad"
	if ! "$TA_ROOT/scripts/check-splat.sh" "$splat.bad" >/dev/null 2>&1; then
		result pass "check-splat.sh: fails on '$bad'"
	else
		result fail "check-splat.sh: fails on '$bad'"
	fi
done

note "stage: checkpatch --strict and kernel-doc"
# Pass only if the tool exits 0 and prints nothing at all: a tool that
# fails to run prints something too.
# Usage: lint_check NAME LOG COMMAND...
lint_check()
{
	local name=$1 log=$out/$2 rc=0
	shift 2

	(cd "$TA_ROOT" && "$@") >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$log" ]; then
		result pass "$name"
	else
		head -n 40 "$log"
		result fail "$name (exit $rc, see $log)"
	fi
}
# And each tool must find the faults of a sample made to have them.
sample=$out/lint-sample.c
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0' '/**' ' * f() - a function' \
	' *' ' * Return: 0.' ' */' 'int f(int x);' 'int g(void) ' '{' \
	'	return 0;' '}' >"$sample"
# (Output first: checkpatch exits 1 on the faults, which pipefail keeps.)
found=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet --no-summary \
	-f "$sample" 2>&1 || true)
if grep -q '^ERROR: trailing whitespace' <<<"$found"; then
	result pass "checkpatch finds the trailing space of a sample"
else
	result fail "checkpatch finds the trailing space of a sample"
fi
found=$("$ksrc/scripts/kernel-doc" -none -Wall "$sample" 2>&1 || true)
if grep -q "member 'x' not described in 'f'" <<<"$found"; then
	result pass "kernel-doc finds the undescribed parameter of a sample"
else
	result fail "kernel-doc finds the undescribed parameter of a sample"
fi
files=$(cd "$TA_ROOT" && ls tinyalloc/*.[ch] tests/*.[ch] | grep -v '\.mod\.c$')
# shellcheck disable=SC2086 # one word per file
lint_check "checkpatch --strict clean" checkpatch.log \
	"$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet --no-summary -f $files
# shellcheck disable=SC2086 # one word per file
lint_check "kernel-doc clean" kernel-doc.log "$ksrc/scripts/kernel-doc" -none -Wall $files

note "stage: documentation and modinfo"
script_check "htmldocs: Sphinx renders with no warning" htmldocs.log \
	"$TA_ROOT/scripts/htmldocs.sh"
script_check "API page matches tinyalloc.h" api-doc.log \
	"$TA_ROOT/scripts/api-doc.sh" --check
script_check "benchmark tables match the recorded run's figures" bench-doc.log \
	"$TA_ROOT/scripts/bench-doc.sh" --check
script_check "troubleshooting page explains every message the module prints" \
	messages.log python3 "$TA_ROOT/scripts/check-messages.py"
script_results modinfo.log "$TA_ROOT/scripts/check-modinfo.sh" \
	"$TA_ROOT/tinyalloc/tinyalloc.ko"

note "stage: tinyalloc-stat on captured debugfs files, under every sh and awk"
"$TA_ROOT/scripts/check-stat.sh" >"$out/stat.log" 2>&1 ||
	result fail "tinyalloc-stat host checks ran (see $out/stat.log)"
tally_checks "$out/stat.log"
grep -q 'TA-CHECK PASS' "$out/stat.log" ||
	result fail "tinyalloc-stat host checks printed results (see $out/stat.log)"

next_stage uml-6.12
note "stage: $stage (KUnit, KASAN, lockdep)"
log=$out/$stage.log
rm -f "$log"
# shellcheck disable=SC2046 # one word per module
"$TA_ROOT/scripts/run-uml.sh" -k "$kdir" -o "$log" -m 1024M -t 600 -- \
	"$TA_ROOT/scripts/guest/kunit.sh" $(guest_modules "$TA_ROOT") ||
	result fail "boot and run (see $log)"
guest_results "$log"

if [ "$mode" != quick ]; then
	next_stage dkms
	note "stage: $stage (Debian's dkms against Debian's headers)"
	script_results dkms.log "$TA_ROOT/scripts/dkms-check.sh" 6.1 6.12

	next_stage uml-6.1
	note "stage: $stage (KUnit, KASAN)"
	# Its kernel has no tracepoints: the KASAN suite, which counts
	# reports on one, is not loaded there (kunit.sh).
	all_suites=("${suites[@]}")
	suites=()
	for suite in "${all_suites[@]}"; do
		[ "$suite" = tinyalloc_kasan ] || suites+=("$suite")
	done
	kdir61=$("$TA_ROOT/scripts/build-kernel.sh" um 6.1 \
		"$TA_ROOT/scripts/configs/uml-test.config" \
		"$TA_ROOT/scripts/configs/uml-6.1.config")
	guest_stage um "$kdir61" "$TA_ROOT/scripts/guest/kunit.sh" \
		"$TA_ROOT/scripts/run-uml.sh" -k "$kdir61" -m 1024M -t 600

	suites=("${all_suites[@]}")
	next_stage x86_64-smp
	note "stage: $stage 6.12 under qemu -smp 4 (KUnit, KASAN, lockdep)"
	xdir=$("$TA_ROOT/scripts/build-kernel.sh" x86_64 6.12 \
		"$TA_ROOT/scripts/configs/x86_64-smp-test.config" \
		"$TA_ROOT/scripts/configs/x86_64-mm-debug.config")
	# Memory in three zones: 1 GiB below 4 GiB (ZONE_DMA32), 1 GiB above
	# (ZONE_NORMAL) of which 600 MiB is ZONE_MOVABLE, so that the zone
	# tests can tell where each request landed.  The top 256 MiB hold
	# KASAN's shadow, taken at boot: the rest of ZONE_MOVABLE is free.
	# kasan_multi_shot: every expected report of tinyalloc_kasan shows.
	guest_stage x86_64 "$xdir" "$TA_ROOT/scripts/guest/kunit.sh" \
		"$TA_ROOT/scripts/run-qemu.sh" \
		-k "$xdir/arch/x86/boot/bzImage" -s 4 -m 2G -t 1800 \
		-a "-machine pc,max-ram-below-4g=1G" \
		-c "movablecore=600M kasan_multi_shot"
	if grep -Eq 'ok [0-9]+ test_movable_zone[[:space:]]*$' "$out/$stage.log"; then
		result pass "test_movable_zone ran with ZONE_MOVABLE memory"
	else
		result fail "test_movable_zone ran with ZONE_MOVABLE memory"
	fi

	# The same kernel with kmemleak on (it is off unless booted so):
	# kmemleak and allocation profiling see tinyalloc's objects.
	suites=()
	next_stage x86_64-leaks
	note "stage: $stage 6.12 under qemu, kmemleak=on (kmemleak, allocation profiling)"
	guest_stage x86_64 "$xdir" "$TA_ROOT/scripts/guest/leaks.sh" \
		"$TA_ROOT/scripts/run-qemu.sh" \
		-k "$xdir/arch/x86/boot/bzImage" -s 2 -m 1G -t 600 -c "kmemleak=on"
	grep -q 'TA-CHECK PASS: allocinfo: 64 kmalloc-backed' "$out/$stage.log" ||
		result fail "the allocation profiling checks ran (see $out/$stage.log)"

	# Debian's kernels have init_on_alloc on by default: 6.12 runs as
	# Debian ships it, 6.1 with init_on_free alone, 6.12-rt with both.
	next_stage debian-6.1
	debian_stage 6.1 4 "" "init_on_alloc=0 init_on_free=1" init_on_free
	next_stage debian-6.12
	debian_stage 6.12 4 "" "" init_on_alloc
	next_stage debian-6.12-rt
	debian_stage 6.12-rt 4 "" "init_on_alloc=1 init_on_free=1" \
		init_on_alloc+init_on_free
	# Two sockets, one per node: a socket split across nodes makes the
	# kernel warn about its topology.
	next_stage numa-6.12
	debian_stage 6.12 4,sockets=2,cores=2,threads=1 "-object memory-backend-ram,id=m0,size=1G
		-object memory-backend-ram,id=m1,size=1G
		-numa node,nodeid=0,cpus=0-1,memdev=m0
		-numa node,nodeid=1,cpus=2-3,memdev=m1" "" init_on_alloc
	# The locality checks run only where there are 2 nodes: make sure they did.
	grep -q 'TA-CHECK PASS: numa: holder on node 1 loads' "$out/$stage.log" ||
		result fail "the guest saw 2 NUMA nodes and ran the locality checks"
fi

next_stage done
printf '%s\n' "${summary[@]}"
# A rare failure must be diagnosable from CI's output alone: the first
# lines of each failed stage's splat, if it had one.
for st in "${failed_stages[@]}"; do
	[ -f "$out/$st.log" ] || continue
	if ! splat=$("$TA_ROOT/scripts/check-splat.sh" "$out/$st.log" 2>&1); then
		echo "== $st: the first lines of its splat"
		echo "$splat" | head -n 30
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

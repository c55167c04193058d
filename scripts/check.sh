#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test tinyalloc has.  make check-quick: the UML 6.12
# stage only (today the two are the same; the SMP and Debian-kernel
# stages join 'check' as they land).
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

result()
{
	if [ "$1" = pass ]; then
		passed=$((passed + 1))
		echo "PASS: $2"
	else
		failed=$((failed + 1))
		echo "FAIL: $2"
	fi
}

# Count a static check: pass if the command prints nothing that matches.
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

"$TA_ROOT/scripts/install-deps.sh"
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

note "stage: checkpatch --strict and kernel-doc"
files=$(cd "$TA_ROOT" && ls tinyalloc/*.[ch] tests/*.[ch] | grep -v '\.mod\.c$')
(cd "$TA_ROOT" && "$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet \
	--no-summary -f $files) >"$out/checkpatch.log" 2>&1 || true
static_check "checkpatch --strict clean" checkpatch.log '^(WARNING|ERROR|CHECK)'
(cd "$TA_ROOT" && "$ksrc/scripts/kernel-doc" -none -Wall $files) \
	>"$out/kernel-doc.log" 2>&1 || true
static_check "kernel-doc clean" kernel-doc.log 'warning|error'

note "stage: UML 6.12 (KUnit, KASAN, lockdep)"
log=$out/uml-6.12.log
rm -f "$log"
"$TA_ROOT/scripts/run-uml.sh" -k "$kdir" -o "$log" -m 1024M -t 600 -- \
	"$TA_ROOT/scripts/guest/kunit.sh" \
	"$TA_ROOT/tinyalloc/tinyalloc.ko" "$TA_ROOT/tests/tinyalloc_kunit.ko" ||
	result fail "UML 6.12 boot and run (see $log)"
# The guest's own checks: "TA-CHECK PASS: what" / "TA-CHECK FAIL: what".
while read -r verdict what; do
	case "$verdict" in
	PASS:) result pass "$what" ;;
	FAIL:) result fail "$what" ;;
	esac
done < <(grep -o 'TA-CHECK [A-Z]*: .*' "$log" | cut -d' ' -f2-)
rc=0
kunit=$("$TA_ROOT/scripts/check-kunit-log.sh" "$log" tinyalloc_tiny \
	tinyalloc_invalid_free tinyalloc_stress tinyalloc_debugfs \
	tinyalloc_stack tinyalloc_smp) || rc=$?
line=$(echo "$kunit" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1 || true)
echo "KUnit: ${line:-no results}"
kfailed=$(echo "${line:-0 passed, 0 failed}" | cut -d' ' -f3)
passed=$((passed + $(echo "${line:-0}" | cut -d' ' -f1)))
failed=$((failed + kfailed))
# A splat or a missing suite fails the run even when every case passed.
[ "$rc" -eq 0 ] || [ "$kfailed" -gt 0 ] ||
	result fail "KUnit log: splat or missing suite (see $log)"

[ "$mode" = quick ] || true

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make profile: where the instructions of one operation go, on Debian's
# own 6.12 kernel (its real x86_64 arch hooks), for tinyalloc and the
# kernel's allocators side by side.  qemu (TCG, one vCPU, nokaslr) runs
# the guest with its gdb stub; gdb single-steps each case of
# tests/tinyalloc_profile.c (scripts/profile-gdb.py), and
# scripts/profile-report.py counts the instructions by function into
# build/profile/report.txt.  The counts are the ones make bench's -icount
# runs measure in bulk (Documentation/benchmarks.rst).
#
# Usage: profile.sh               trace every case, print the report
#        profile.sh --annotate N  list case N (0: the first in the report)
#                                 of the last trace instruction by
#                                 instruction, with the modules' code
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$TA_ROOT/build/profile
port=${PROFILE_PORT:-1234}
ko=$out/x86/tinyalloc/tinyalloc.ko
prof=$out/x86/tests/tinyalloc_profile.ko
log=$out/guest.log
if [ "${1:-}" = --annotate ]; then
	[ -s "$out/trace.txt" ] || die "no trace yet: run make profile first"
	exec python3 "$TA_ROOT/scripts/profile-report.py" "$out/trace.txt" \
		"$log" --annotate "${2:?case index}" "$ko" "$prof"
fi
"$TA_ROOT/scripts/install-deps.sh"
mkdir -p "$out"
deb=$("$TA_ROOT/scripts/debian-kernel.sh" 6.12)
note "profile: building the modules against $(basename "$deb")"
ta_build_modules x86_64 "$deb/kdir" "$out/x86" ||
	die "module build failed, see $out/x86-build.log"
rm -f "$log" "$out/trace.txt"
"$TA_ROOT/scripts/run-qemu.sh" -k "$deb/vmlinuz" -o "$log" -s 1 -m 1G \
	-a "-gdb tcp::$port" -c nokaslr -t 1800 -- \
	"$TA_ROOT/scripts/guest/profile.sh" "$ko" "$prof" >"$out/qemu.out" 2>&1 &
qemu=$!
for _ in $(seq 600); do
	grep -q TA-PROFILE-READY "$log" 2>/dev/null && break
	kill -0 "$qemu" 2>/dev/null || break
	sleep 0.5
done
grep -q TA-PROFILE-READY "$log" 2>/dev/null ||
	die "the guest did not get ready, see $log"
cases=$(sed -n '/^static const struct profile_case cases/,/^};/p' \
	"$TA_ROOT/tests/tinyalloc_profile.c" | grep -o 'PROFILE_[A-Z_]*' | wc -l)
note "profile: stepping $cases cases"
PROFILE_LOG=$log PROFILE_TRACE=$out/trace.txt PROFILE_CASES=$cases \
PROFILE_PORT=$port gdb -batch -nx -x "$TA_ROOT/scripts/profile-gdb.py" \
	>"$out/gdb.log" 2>&1 || die "gdb failed, see $out/gdb.log"
[ "$(grep -c '^CASE' "$out/trace.txt" 2>/dev/null)" = "$cases" ] ||
	die "gdb traced no or not all cases, see $out/gdb.log"
wait "$qemu" || die "the guest failed, see $log"
python3 "$TA_ROOT/scripts/profile-report.py" "$out/trace.txt" "$log" \
	>"$out/report.txt"
cat "$out/report.txt"

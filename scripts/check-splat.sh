#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fail if a guest's console log shows a kernel splat anywhere: WARNING,
# BUG, KASAN, lockdep, RCU stalls, hung tasks...  A splat outside any test
# (module init/exit, a later rmmod, RCU callbacks) is still a bug in what
# was loaded; only one framed by a test that expects it (below) is not.
# Prints the first splat in context.
#
# Usage: check-splat.sh LOGFILE
# Env:   TA_SPLAT_IGNORE  extended regex; log lines matching it are not
#                         counted as splats (for tests that warn on purpose)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: check-splat.sh LOGFILE"
log=$1
[ -f "$log" ] || die "no such log: $log"
work=$(mktemp)
trap 'rm -f "$work" "$work.kept"' EXIT

splat_re='WARNING:|\bBUG[: ]|kernel BUG|\bKASAN\b|KFENCE|UBSAN:|Oops|'
splat_re+='general protection|Call Trace|Kernel panic|Unable to handle kernel|'
splat_re+='refcount_t:|ODEBUG:|list_(add|del) corruption|'
splat_re+='possible recursive locking|inconsistent lock state|'
splat_re+='circular locking dependency|suspicious RCU usage|'
splat_re+='possible irq lock inversion|bad unlock balance|'
splat_re+='held when returning to user space|DEBUG_LOCKS_WARN_ON|'
splat_re+='sleeping function called from invalid context|'
splat_re+='scheduling while atomic|blocked for more than|soft lockup|'
splat_re+='hard LOCKUP|rcu.*detected stalls|unreferenced object|'
splat_re+='stack-protector|stack is corrupted|cut here'
# A test that expects a KASAN report frames it with TA-EXPECTED-SPLAT-BEGIN
# and -END lines, and checks it came itself: inside a frame only a KASAN
# report's own lines are let through; any other splat there counts, and
# so does a frame never closed (the test died inside it).
awk '/TA-EXPECTED-SPLAT-BEGIN/ { open = NR; next }
     /TA-EXPECTED-SPLAT-END/ { open = 0; next }
     open && /BUG: KASAN: |Call Trace:/ { next }
     { print NR ":" $0 }
     END { if (open) print open ":BUG: TA-EXPECTED-SPLAT-BEGIN never ended" }' "$log" |
	grep -aE "^[0-9]+:.*($splat_re)" >"$work" || true
if [ -n "${TA_SPLAT_IGNORE:-}" ]; then
	grep -vE "$TA_SPLAT_IGNORE" "$work" >"$work.kept" || true
	mv "$work.kept" "$work"
fi
if [ -s "$work" ]; then
	n=$(wc -l <"$work")
	echo "==== kernel splat in $log ($n matching lines); first ones in context:"
	first=$(head -n 1 "$work" | cut -d: -f1)
	# The splat's header and a good part of its stack trace.
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$log"
	echo "==== all matching lines (line:text):"
	head -n 50 "$work"
	[ "$n" -le 50 ] || echo "... $((n - 50)) more"
	die "kernel splat in $log ($n matching lines, first at line $first)"
fi


#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check's host-side checks of scripts/tinyalloc-stat, on debugfs files
# captured from a UML guest (tests/stat-capture: tinyalloc_demo loaded with
# 1000 stacks, unloaded, loaded again with 10 copies of code.json's strings
# and 600 stacks).  Every shell and awk it must run under gives the same
# screen, its figures are the files', rates and errors are right.  The
# guest checks (scripts/guest/common.sh, stat_checks) run it on the live
# module.  Prints "TA-CHECK PASS|FAIL: what" lines, like the guests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$TA_ROOT/scripts/guest/stat-table.sh"

"$TA_ROOT/scripts/install-deps.sh" gawk mawk busybox-static dash
cd "$TA_ROOT"
stat=scripts/tinyalloc-stat
cap=tests/stat-capture
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "TA-CHECK PASS: stat-host: $*"; }
fail() { echo "TA-CHECK FAIL: stat-host: $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# A value of the captured stats file.
capstat() { sed -n "s/^$1 //p" "$cap/stats"; }

# The same screen from every shell and awk.
shells=(dash "busybox sh" bash)
awks=(mawk "busybox awk" gawk)
"$stat" -d "$cap" -1 >"$tmp/ref"
for sh in "${shells[@]}"; do
	for awk in "${awks[@]}"; do
		for opt in -1 "-s -1"; do
			# shellcheck disable=SC2086 # $sh and $opt are words
			AWK=$awk $sh "$stat" -d "$cap" $opt >"$tmp/out" 2>&1 || true
			# shellcheck disable=SC2086
			AWK=mawk dash "$stat" -d "$cap" $opt >"$tmp/want"
			check "$sh, $awk: $opt as under dash and mawk" cmp -s "$tmp/out" "$tmp/want"
		done
	done
done

# Figures against the files, and against the workload: 19020 tiny
# strings, 600 stacks of 2 KiB << (i % 6) (100 of each size).
s=$tmp/ref
check "tiny live is tiny_objects_live" same "$(stat_cell kind tiny 5 "$s")" "$(capstat tiny_objects_live)"
check "tiny live is the workload's" same "$(stat_cell kind tiny 5 "$s")" 19020
check "tiny allocs, frees are the counters" \
	same "$(stat_cell kind tiny 2 "$s") $(stat_cell kind tiny 3 "$s")" \
	"$(capstat tiny_allocs) $(capstat tiny_frees)"
check "comb% is tiny_combined / tiny_allocs" \
	same "$(stat_cell kind tiny 4 "$s")" \
	"$(awk -v c="$(capstat tiny_combined)" -v a="$(capstat tiny_allocs)" 'BEGIN { printf "%.1f", 100 * c / a }')"
check "tiny waste is pages less live blocks, in KiB" \
	same "$(stat_cell kind tiny 7 "$s")" \
	"$((($(capstat tiny_pages) * 4096 - $(capstat tiny_blocks_live) * 16 + 512) / 1024))"
check "stacks live is stack_live and the workload's" \
	same "$(stat_cell kind stacks 5 "$s") $(capstat stack_live)" "600 600"
for o in 0 1 2 3; do
	check "order $o live, spans, pool, cached are the stacks file's" \
		same "$(stat_cell order $o 4 "$s") $(stat_cell order $o 3 "$s") $(stat_cell order $o 5 "$s") $(stat_cell order $o 6 "$s")" \
		"$(awk -v o=$o 'NR > 1 && $1 == o { print $6, $3, $4, $5; exit }' "$cap/stacks")"
done
check "large live is stack_large_live and the workload's" \
	same "$(stat_cell order large 4 "$s") $(capstat stack_large_live)" "200 200"
# The stack pages held less the live stacks: 100 of each size.
live=$((100 * (2 + 4 + 8 + 16 + 32 + 64) * 1024))
check "stack waste is stack pages less live stacks" \
	same "$(stat_cell kind stacks 7 "$s")" "$((($(capstat stack_pages) * 4096 - live) / 1024))"
check "large allocs are stack_allocs less the orders'" \
	same "$(stat_cell order large 7 "$s")" "$(($(capstat stack_allocs) - 4 * 267))"
check "one CPU row, its allocs the CPU's" same "$(stat_cell cpu 0 3 "$s") $(stat_cell cpu 1 3 "$s")" "57060 "
check "one node: no node table" sh -c "! grep -q '^NODE' '$s'"

# Two nodes (a second row made up here): the node table, stack spans summed.
cp -r "$cap" "$tmp/two"
echo "1 3 1 2 3 4" >>"$tmp/two/nodes"
"$stat" -d "$tmp/two" -1 >"$tmp/two.out"
check "two nodes: node rows with tiny and stack spans" \
	same "$(stat_cell node 0 2 "$tmp/two.out") $(stat_cell node 0 3 "$tmp/two.out") $(stat_cell node 1 3 "$tmp/two.out")" "7 95 10"

# Interval mode: counters that do not move give 0/s; 10000 more tiny
# allocations, 2500 combined, in a 2 s interval give 10000 / interval.
cp -r "$cap" "$tmp/live"
"$stat" -d "$tmp/live" -s 1 2 >"$tmp/idle"
check "-s 1 2: a header and 2 lines" same "$(wc -l <"$tmp/idle")" 3
check "-s 1 2: 0 allocs/s, live as the file" \
	same "$(awk 'NR > 1 { print $1, $3 }' "$tmp/idle" | sort -u)" "0 19020"
check "-s 1 1 ends after its report, with stdin left open" \
	timeout 10 "$stat" -d "$tmp/live" -s 1 1 > /dev/null < <(sleep 30)
"$stat" -d "$tmp/live" 2 1 >"$tmp/rate" &
viewer=$!
sleep 1
sed -i 's/^tiny_allocs .*/tiny_allocs 67060/; s/^tiny_combined .*/tiny_combined 18250/' \
	"$tmp/live/stats"
wait $viewer
check "2 1: allocs/s x the interval it reports is 10000" \
	awk '/rates per second over/ { dt = $6 } $1 == "tiny" { r = $2; c = $4 }
	     END { d = r * dt - 10000; if (d < 0) d = -d
		   exit !(dt > 1.9 && d <= dt && c == "25.0") }' "$tmp/rate"
# A counter that went down: tinyalloc was reloaded, count from zero.
"$stat" -d "$tmp/live" -s 1 1 >"$tmp/reload" &
viewer=$!
sleep 0.5
sed -i 's/^tiny_allocs .*/tiny_allocs 100/' "$tmp/live/stats"
wait $viewer
check "a counter that went down counts from 0 (reload)" \
	awk 'NR == 2 { exit !($1 > 0 && $1 <= 100) }' "$tmp/reload"
# The directory goes mid-run: exit 1, and why.
"$stat" -d "$tmp/live" 1 3 >/dev/null 2>"$tmp/gone.err" &
viewer=$!
sleep 0.5
rm -rf "$tmp/live"
rc=0
wait $viewer || rc=$?
check "directory gone mid-run: exit 1, 'unloaded?'" \
	sh -c "[ $rc = 1 ] && grep -q 'was tinyalloc unloaded' '$tmp/gone.err'"

# Errors: exit 1, a message on stderr, nothing on stdout; -h exits 0.
for args in "-d /nonexistent -1" "-d $cap 0" "-d $cap x" "-d $cap 1 0" \
	"-d $cap -1 5" "-d $cap 1 2 3" "-z"; do
	rc=0
	# shellcheck disable=SC2086 # the arguments are words
	"$stat" $args >"$tmp/out" 2>"$tmp/err" || rc=$?
	check "tinyalloc-stat $args: exit 1, stderr only" \
		sh -c "[ $rc = 1 ] && [ ! -s '$tmp/out' ] && [ -s '$tmp/err' ]"
done
check "-h: usage on stdout, exit 0" sh -c "'$stat' -h | grep -q '^usage: tinyalloc-stat'"

# SPDX-License-Identifier: GPL-2.0
# Shared by the guest scripts (busybox sh), at /common.sh in every guest:
# how checks report, and the checks every kernel gets.  Each check prints
# "TA-CHECK PASS: what" or "TA-CHECK FAIL: what"; make check counts them.

pass() { echo "TA-CHECK PASS: $*"; }
fail() { echo "TA-CHECK FAIL: $*"; }
check() { what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

M=/modules
D=/sys/kernel/debug/tinyalloc

. /stat-table.sh

# A value of the stats file.
stat() { sed -n "s/^$1 //p" $D/stats; }

# UML 6.1 hangs in module unload, in its kernel: free_module() ->
# vfree() -> _vm_unmap_aliases() -> flush_tlb_kernel_range(), which
# remaps the range page by page on the host (gdb on the stuck guest, three
# times; UML's TLB code was rewritten by 6.12).  About 1 run in 7 hung
# there with a dozen unloads a run; refused loads hung it too.  There no
# module is unloaded: what needs unloads runs on Debian's own 6.1.
uml_61() { grep -q 'User Mode Linux' /proc/cpuinfo && uname -r | grep -q '^6\.1\.'; }

# Bad parameters refuse to load with a clear message; every supported
# value loads, shows itself and unloads.
param_checks()
{
	if uml_61; then
		echo "param_checks: skipped on UML 6.1 (its module load and unload paths hang; Debian's 6.1 runs them)"
		return
	fi
	for bad in 0 12 64; do
		check "tiny_block=$bad refused" sh -c "! insmod $M/tinyalloc.ko tiny_block=$bad"
		check "tiny_block=$bad message" sh -c "dmesg | grep -q 'tinyalloc: tiny_block=$bad is not supported'"
	done

	check "tiny_policy=worst refused" sh -c "! insmod $M/tinyalloc.ko tiny_policy=worst"
	check "tiny_policy=worst message" sh -c "dmesg | grep -q 'tinyalloc: tiny_policy=worst is not supported'"

	for bad in 512 1000 65536; do
		check "fixed_stack=$bad refused" sh -c "! insmod $M/tinyalloc.ko fixed_stack=$bad"
		check "fixed_stack=$bad message" sh -c "dmesg | grep -q 'tinyalloc: fixed_stack=$bad is not supported'"
	done
	param_loads
}

# Every supported parameter value loads, shows itself and unloads.
param_loads()
{
	check "tiny_policy=bestfit loads" insmod $M/tinyalloc.ko tiny_policy=bestfit
	check "tiny_policy=bestfit in stats" grep -qx "tiny_policy bestfit" $D/stats
	check "tiny_policy=bestfit unloads" rmmod tinyalloc

	# Each supported block size loads, shows itself, and unloads cleanly.
	for bs in 8 32; do
		check "tiny_block=$bs loads" insmod $M/tinyalloc.ko tiny_block=$bs
		check "tiny_block=$bs in stats" grep -qx "tiny_block_size $bs" $D/stats
		check "tiny_block=$bs unloads" rmmod tinyalloc
	done

	for fs in 1024 4096; do
		check "fixed_stack=$fs loads" insmod $M/tinyalloc.ko fixed_stack=$fs
		check "fixed_stack=$fs in stats" grep -qx "stack_fixed $fs" $D/stats
		check "fixed_stack=$fs unloads" rmmod tinyalloc
	done

	check "load with tiny_debug and stack_debug" insmod $M/tinyalloc.ko tiny_debug=1 stack_debug=1
	check "unload with the debug modes" rmmod tinyalloc
}

# Every debugfs file is there, with its header.
debugfs_checks()
{
	check "stats readable" grep -q '^tiny_allocs ' $D/stats
	check "cpus has a header" sh -c "head -n 1 $D/cpus | grep -q '^cpu allocs'"
	check "stacks has a header" sh -c "head -n 1 $D/stacks | grep -q '^order size spans'"
	check "nodes has a header" sh -c "head -n 1 $D/nodes | grep -q '^node tiny_spans stack_spans_'"
}

# Unload tinyalloc when nothing is live: its directory goes, no leak report.
unload_tinyalloc()
{
	check "tinyalloc unloads" rmmod tinyalloc
	check "debugfs directory removed" sh -c "[ ! -e $D ]"
	check "nothing reported live at exit" sh -c "! dmesg | grep -q 'still live at exit'"
}

# The benchmarks cannot rot: one short iteration of every case (make
# bench runs them for real).
bench_quick_checks()
{
	check "benchmarks run once (quick=1)" insmod $M/tinyalloc_bench.ko quick=1
	check "benchmarks printed figures" sh -c "dmesg | grep -q 'TA-BENCH tiny size=mixed tinyalloc pair_ns'"
	check "benchmarks reached the end" sh -c "dmesg | grep -q 'TA-BENCH-DONE'"
	check "benchmarks: the memory cases had their sequences" sh -c "! dmesg | grep -q 'no sequence at'"
	check "benchmarks: code.json and boot memory figures printed" sh -c \
		"dmesg | grep -q 'TA-BENCH mem seq=codejson' && dmesg | grep -q 'TA-BENCH mem seq=boot'"
	check "benchmark module unloads" rmmod tinyalloc_bench
}

# Nothing left live: objects, kmalloc-backed objects, stacks.
live_checks()
{
	check "no object left live $1" grep -qx 'tiny_objects_live 0' $D/stats
	check "no kmalloc object left live $1" grep -qx 'kmalloc_live 0' $D/stats
	check "no stack left live $1" grep -qx 'stack_live 0' $D/stats
}

# Pages tinyalloc holds, tiny spans and stacks.
held() { echo $(($(stat tiny_pages) + $(stat stack_pages))); }

# Pages a node keeps idle: 2 tiny spans of 8 pages, and a stack span per
# order, 32 KiB or 4 stacks up to 64 KiB (stack.h), for the loaded
# instance's FIXED_STACK.
keep_pages()
{
	awk -v f="$(stat stack_fixed)" 'BEGIN {
		p = 16
		for (b = 4 * f; b <= 32 * f; b *= 2)
			p += (b < 32768 ? 32768 : b > 65536 ? 65536 : b) / 4096
		print p }'
}

# Idle memory goes back (scavenge.c): after a client took 200,000 tiny
# objects and 600 stacks of 2 to 64 KiB and freed them, tinyalloc holds at
# most the per-node keep (2 empty tiny spans of 8 pages and one empty span
# per stack order, keep_pages: 56 pages a node with fixed_stack 2048) once
# its CPUs were idle for two scavenger periods, and at once after
# "echo 2 > drop_caches" without the scavenger.
idle_checks()
{
	check "idle: tinyalloc loads with scavenge_ms=500" insmod $M/tinyalloc.ko scavenge_ms=500
	nodes=$(($(wc -l < $D/nodes) - 1))
	keep=$(($(keep_pages) * nodes))
	# The scavenger may run while the client frees (a period is short):
	# what was held is measured while the client holds it.
	check "idle: client takes" insmod $M/tinyalloc_hold.ko objs=200000 stacks=600 stack_size=0
	busy=$(held)
	check "idle: client frees" rmmod tinyalloc_hold
	sleep 2
	idle=$(held)
	echo "idle: while the client held its memory: $busy pages held; 2 s after its free: $idle (keep: $keep)"
	check "idle: the client's memory was held while it lived ($busy pages)" [ "$busy" -gt "$keep" ]
	check "idle: 2 s after its free at most the per-node keep is held ($idle pages)" [ "$idle" -le "$keep" ]
	check "idle: tinyalloc unloads" rmmod tinyalloc

	check "pressure: tinyalloc loads with scavenge_ms=0" insmod $M/tinyalloc.ko scavenge_ms=0
	check "pressure: client takes and frees" sh -c \
		"insmod $M/tinyalloc_hold.ko objs=200000 stacks=600 stack_size=0 && rmmod tinyalloc_hold"
	busy=$(held)
	echo 2 > /proc/sys/vm/drop_caches
	after=$(held)
	echo "pressure: after the client freed all: $busy pages held; after drop_caches: $after (keep: $keep)"
	check "pressure: the client's memory was held after its free ($busy pages)" [ "$busy" -gt "$keep" ]
	check "pressure: after drop_caches at most the per-node keep is held ($after pages)" [ "$after" -le "$keep" ]
	check "pressure: tinyalloc unloads" rmmod tinyalloc
}

# Free memory in kB after dropping the page cache: MemFree plus the pages
# parked on the per-CPU lists, which MemFree misses and which can hold
# tens of megabytes right after a client freed its memory.
memfree()
{
	sync
	echo 3 > /proc/sys/vm/drop_caches
	free=$(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo)
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	echo $((free + pcp * 4))	# 4 KiB pages on x86_64 and UML
}

# Unload returns every page, and a client that leaks is reported.
unload_checks()
{
	# Unload returns every page: MemFree before loading and after unloading
	# tinyalloc with a client that held tens of megabytes.  Free memory
	# moves a little by itself (slab caches, RCU), so the tolerance is 2 MiB
	# plus 2 MiB per CPU; a lost span or stack is far more.
	ncpu=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
	slack=$((2048 + 2048 * ncpu))
	before=$(memfree)
	cat /proc/meminfo > /tmp/meminfo.before
	insmod $M/tinyalloc.ko && insmod $M/tinyalloc_demo.ko
	during=$(memfree)
	rmmod tinyalloc_demo && rmmod tinyalloc
	after=$(memfree)
	echo "MemFree kB: before $before, with the client $during, after unload $after (slack $slack)"
	check "the client's memory shows in MemFree" [ $((before - during)) -gt $((2 * slack)) ]
	check "unload gives the pages back (MemFree within the slack)" [ $((before - after)) -lt $slack ]
	if [ $((before - after)) -ge $slack ]; then
		echo "meminfo lines that moved by more than 1 MiB:"
		cat /proc/meminfo | paste /tmp/meminfo.before - |
			awk '{ d = $5 - $2; if (d > 1024 || d < -1024) print "  " $1, $2, "->", $5 }'
		grep -E '^(Node|  pages free| +count:)' /proc/zoneinfo | head -n 40
	fi

	# A client that leaks is reported by count when tinyalloc unloads: with
	# leak=7 the demo keeps strings 0..6 (string 0 is kmalloc-backed) and 7
	# stacks.  With allocation profiling on, a module that unloads with
	# memory on its lines makes the kernel warn, as for kmalloc: the
	# leaking client runs with profiling off.
	prof=$(cat /proc/sys/vm/mem_profiling 2>/dev/null || true)
	if [ -n "$prof" ] && ! echo 0 > /proc/sys/vm/mem_profiling; then
		fail "allocation profiling turns off for the leaking client"
		return
	fi
	insmod $M/tinyalloc.ko && insmod $M/tinyalloc_demo.ko leak=7
	rmmod tinyalloc_demo && rmmod tinyalloc
	[ -z "$prof" ] || echo "$prof" > /proc/sys/vm/mem_profiling
	check "leaked tiny strings reported by count" sh -c "dmesg | grep -q 'tinyalloc: 6 tiny objects in [0-9]* blocks still live at exit'"
	check "leaked kmalloc-backed string reported" sh -c "dmesg | grep -q 'tinyalloc: 1 kmalloc-backed objects still live at exit'"
	# Where profiling is built in, a leak charged to the client's line
	# stays allocated: freeing it would write to the client's counters,
	# gone with the client.
	if [ -n "$prof" ]; then
		check "profiling kernel: the leaked kmalloc-backed string is left allocated" \
			sh -c "dmesg | grep -q 'kmalloc-backed objects still live at exit; left allocated'"
	else
		check "no profiling: the leaked kmalloc-backed string is freed" \
			sh -c "dmesg | grep -q 'kmalloc-backed objects still live at exit; freed'"
	fi
	check "leaked stacks reported by count" sh -c "dmesg | grep -q 'tinyalloc: 7 stacks still live at exit'"
}

# tinyalloc-stat (/bin/tinyalloc-stat) against the live module and a known
# workload: the demo's made-up strings (every 50th is kmalloc-backed) and
# stacks (2, 4, ... 64 KiB in turn).  Its figures must be the debugfs
# files' and the workload's.  Call with tinyalloc not loaded.
stat_checks()
{
	tinyalloc-stat -1 >/tmp/stat.out 2>/tmp/stat.err
	check "stat: without tinyalloc, exit status 1" [ $? = 1 ]
	check "stat: without tinyalloc, a message on stderr only" \
		sh -c "[ ! -s /tmp/stat.out ] && grep -q 'is tinyalloc loaded' /tmp/stat.err"
	check "stat: -d of a missing directory fails" \
		sh -c "! tinyalloc-stat -d /nonexistent -1 2>/dev/null"
	check "stat: a bad interval is refused" sh -c "! tinyalloc-stat 1x 2>/dev/null"
	check "stat: -h prints the usage" sh -c "tinyalloc-stat -h | grep -q '^usage: tinyalloc-stat'"

	# No scavenger: these checks compare two reads of the same state.
	insmod $M/tinyalloc.ko scavenge_ms=0 || { fail "stat: tinyalloc loads"; return; }
	# timeout: a viewer that does not end must fail, not hang the guest.
	timeout 20 tinyalloc-stat -s 1 2 >/tmp/stat.idle
	check "stat: -s 1 2 prints a header and 2 lines" [ "$(wc -l </tmp/stat.idle)" = 3 ]
	check "stat: idle, 0 allocs/s" \
		awk 'NR > 1 && $1 != "0" { exit 1 } END { exit NR != 3 }' /tmp/stat.idle

	# One report of 6 s around the client's load, which takes well under
	# 5 s: allocs/s times the interval it reports is the client's count.
	timeout 20 tinyalloc-stat 6 1 >/tmp/stat.rate &
	viewer=$!
	sleep 1
	insmod $M/tinyalloc_demo.ko
	wait $viewer
	echo "--- tinyalloc-stat 6 1 around the client's load"
	cat /tmp/stat.rate
	strings=$(dmesg | sed -n 's/.*tinyalloc_demo: stored \([0-9]*\) strings.*/\1/p' | tail -n 1)
	tiny=$(dmesg | sed -n 's/.*tinyalloc_demo: stored [0-9]* strings (\([0-9]*\) tiny).*/\1/p' | tail -n 1)
	nstacks=$(dmesg | sed -n 's/.*tinyalloc_demo: holding \([0-9]*\) stacks.*/\1/p' | tail -n 1)
	check "stat: the client stored tiny strings and stacks" \
		sh -c "[ '${tiny:-0}' -gt 0 ] && [ '${nstacks:-0}' -gt 0 ]"
	check "stat: rate x interval is the client's tiny strings" \
		awk -v n="$tiny" '/rates per second over/ { dt = $6 }
			$1 == "tiny" { r = $2 }
			END { d = r * dt - n; if (d < 0) d = -d
			      exit !(dt > 5 && n > 0 && d <= n / 100 + dt) }' /tmp/stat.rate
	check "stat: the interval report shows the CPU and stack tables" \
		sh -c "grep -q '^ *CPU NODE' /tmp/stat.rate && grep -q '^ORDER' /tmp/stat.rate"

	tinyalloc-stat -1 >/tmp/stat.one
	echo "--- tinyalloc-stat -1 with the client loaded"
	cat /tmp/stat.one
	stat_one_checks "with the client" "$tiny" "$((strings - tiny))" "$nstacks"
	tinyalloc-stat -s -1 >/tmp/stat.sum
	check "stat: -s -1 live is tiny_objects_live" \
		same "$(awk 'NR == 2 { print $3 }' /tmp/stat.sum)" "$(stat tiny_objects_live)"

	rmmod tinyalloc_demo
	tinyalloc-stat -1 >/tmp/stat.one
	stat_one_checks "after the client" 0 0 0
	check "stat: after the client, tiny frees = allocs" \
		same "$(stat_row kind tiny 3)" "$(stat_row kind tiny 2)"
	rmmod tinyalloc
}

# Column $3 of the row whose first column is $2 in table $1 of /tmp/stat.one.
stat_row() { stat_cell "$1" "$2" "$3" /tmp/stat.one; }

# Column $1 of the stacks file's row of order $2.
stacks_col() { awk -v o="$2" -v c="$1" 'NR > 1 && $1 == o { print $c; exit }' $D/stacks; }

# tinyalloc-stat -1's figures against the files and the workload: $2 tiny
# objects, $3 kmalloc-backed, $4 stacks of 2 KiB << (i % 6).
stat_one_checks()
{
	when=$1 tiny=$2 big=$3 nst=$4
	check "stat: $when, tiny live is the client's" same "$(stat_row kind tiny 5)" "$tiny"
	check "stat: $when, tiny live is tiny_objects_live" \
		same "$(stat_row kind tiny 5)" "$(stat tiny_objects_live)"
	check "stat: $when, tiny allocs is tiny_allocs" \
		same "$(stat_row kind tiny 2)" "$(stat tiny_allocs)"
	check "stat: $when, tiny pages is tiny_pages" \
		same "$(stat_row kind tiny 6)" "$(stat tiny_pages)"
	# Pages held less the blocks holding objects, in KiB to 0.5 KiB.
	check "stat: $when, tiny waste is pages less live blocks" \
		awk -v w="$(stat_row kind tiny 7)" -v p="$(stat tiny_pages)" \
			-v b="$(stat tiny_blocks_live)" -v s="$(stat tiny_block_size)" \
			'BEGIN { d = w * 1024 - (p * 4096 - b * s); if (d < 0) d = -d
				 exit !(w != "" && d <= 512) }'
	check "stat: $when, comb% is tiny_combined / tiny_allocs" \
		awk -v c="$(stat_row kind tiny 4)" -v n="$(stat tiny_combined)" \
			-v a="$(stat tiny_allocs)" \
			'BEGIN { if (!a) exit c != "-"; d = c * a / 100 - n
				 if (d < 0) d = -d; exit !(d <= a / 1000 + 1) }'
	check "stat: $when, kmalloc live is the client's" same "$(stat_row kind kmalloc 5)" "$big"
	check "stat: $when, stacks live is the client's" same "$(stat_row kind stacks 5)" "$nst"
	check "stat: $when, stacks live is stack_live" \
		same "$(stat_row kind stacks 5)" "$(stat stack_live)"
	sum=0
	for o in 0 1 2 3; do
		check "stat: $when, order $o live is the stacks file's" \
			same "$(stat_row order $o 4)" "$(stacks_col 6 $o)"
		check "stat: $when, order $o live is the client's" \
			same "$(stat_row order $o 4)" "$(((nst - o + 5) / 6))"
		check "stat: $when, order $o spans is the stacks file's" \
			same "$(stat_row order $o 3)" "$(stacks_col 3 $o)"
		sum=$((sum + (nst - o + 5) / 6 * (2048 << o)))
	done
	# Stack i is 2 KiB << (i % 6): i % 6 = 4 and 5 are the large ones.
	big32=$(((nst + 1) / 6)) big64=$((nst / 6))
	check "stat: $when, large live is the client's" \
		same "$(stat_row order large 4)" "$((big32 + big64))"
	# Stack waste is the pages held less the client's live stacks.
	sum=$((sum + big32 * 32768 + big64 * 65536))
	check "stat: $when, stack waste is pages less live stacks" \
		awk -v w="$(stat_row kind stacks 7)" -v p="$(stat stack_pages)" \
			-v l="$sum" \
			'BEGIN { d = w * 1024 - (p * 4096 - l); if (d < 0) d = -d
				 exit !(w != "" && d <= 512) }'
	check "stat: $when, one CPU row per possible CPU, allocs sum to tiny_allocs" \
		awk -v n="$(($(wc -l <$D/cpus) - 1))" -v a="$(stat tiny_allocs)" '
			$1 == "CPU" { s = 1; next } $1 == "ORDER" { s = 0 }
			s && NF { rows++; sum += $3 }
			END { exit !(rows == n && sum == a) }' /tmp/stat.one
}

# SPDX-License-Identifier: GPL-2.0
# Shared by the guest scripts (busybox sh), at /common.sh in every guest:
# how checks report, and the checks every kernel gets.  Each check prints
# "TA-CHECK PASS: what" or "TA-CHECK FAIL: what"; make check counts them.

pass() { echo "TA-CHECK PASS: $*"; }
fail() { echo "TA-CHECK FAIL: $*"; }
check() { what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

M=/modules
D=/sys/kernel/debug/tinyalloc

# A value of the stats file.
stat() { sed -n "s/^$1 //p" $D/stats; }

# Bad parameters refuse to load with a clear message; every supported
# value loads, shows itself and unloads.
param_checks()
{
	for bad in 0 12 64; do
		check "tiny_block=$bad refused" sh -c "! insmod $M/tinyalloc.ko tiny_block=$bad"
		check "tiny_block=$bad message" sh -c "dmesg | grep -q 'tinyalloc: tiny_block=$bad is not supported'"
	done

	check "tiny_policy=worst refused" sh -c "! insmod $M/tinyalloc.ko tiny_policy=worst"
	check "tiny_policy=worst message" sh -c "dmesg | grep -q 'tinyalloc: tiny_policy=worst is not supported'"
	check "tiny_policy=bestfit loads" insmod $M/tinyalloc.ko tiny_policy=bestfit
	check "tiny_policy=bestfit in stats" grep -qx "tiny_policy bestfit" $D/stats
	check "tiny_policy=bestfit unloads" rmmod tinyalloc

	for bad in 512 1000 65536; do
		check "fixed_stack=$bad refused" sh -c "! insmod $M/tinyalloc.ko fixed_stack=$bad"
		check "fixed_stack=$bad message" sh -c "dmesg | grep -q 'tinyalloc: fixed_stack=$bad is not supported'"
	done

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
	check "benchmark module unloads" rmmod tinyalloc_bench
}

# Nothing left live: objects, kmalloc-backed objects, stacks.
live_checks()
{
	check "no object left live $1" grep -qx 'tiny_objects_live 0' $D/stats
	check "no kmalloc object left live $1" grep -qx 'kmalloc_live 0' $D/stats
	check "no stack left live $1" grep -qx 'stack_live 0' $D/stats
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
	# stacks.
	insmod $M/tinyalloc.ko && insmod $M/tinyalloc_demo.ko leak=7
	rmmod tinyalloc_demo && rmmod tinyalloc
	check "leaked tiny strings reported by count" sh -c "dmesg | grep -q 'tinyalloc: 6 tiny objects in [0-9]* blocks still live at exit'"
	check "leaked kmalloc-backed string reported" sh -c "dmesg | grep -q 'tinyalloc: 1 kmalloc-backed objects still live at exit'"
	check "leaked stacks reported by count" sh -c "dmesg | grep -q 'tinyalloc: 7 stacks still live at exit'"
}

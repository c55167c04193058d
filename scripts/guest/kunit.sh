# SPDX-License-Identifier: GPL-2.0
# Runs inside the UML and x86_64 test guests (busybox sh): the module's
# load-time checks, the KUnit suites, page-allocator failure, unload, the
# tracepoints (trace.sh) on a fresh load, and last the KASAN suite.
# KUnit prints KTAP; the rest prints TA-CHECK lines (see common.sh).
. /common.sh
. /trace.sh

param_checks
# The suites check the exact per-CPU state of the module's instance: no
# scavenger drains an idle CPU under them (idle_checks below runs it).
check "tinyalloc loads" insmod $M/tinyalloc.ko scavenge_ms=0
debugfs_checks
check "KUnit module loads" insmod $M/tinyalloc_kunit.ko
echo "--- $D/stats after the suites"
cat $D/stats
live_checks "after the suites"
echo "--- $D/stacks after the suites"
cat $D/stacks
if uml_61; then
	echo "UML 6.1: the rest unloads modules, which hangs its kernel (common.sh): not run there"
	exit 0
fi
check "KUnit module unloads" rmmod tinyalloc_kunit
# The suites' private instances report the leaks they made on purpose
# (the fuzz suite's tainted blocks): what the module says at its own
# unload is checked from here on.
dmesg -c >/dev/null
bench_quick_checks
live_checks "after the benchmarks"

# Page-allocator failure: in the insmod task only (task-filter and
# make-it-fail: a KASAN kernel's own stacks are order 3 too), every
# allocation of order 3 or more (spans, large stacks) fails while
# tinyalloc_faults loads; it checks the errors and counters itself, and
# recovery when it unloads.
F=/sys/kernel/debug/fail_page_alloc
if [ -d $F ]; then
	echo 0 > $F/verbose
	echo 3 > $F/min-order
	echo N > $F/ignore-gfp-wait
	echo Y > $F/task-filter
	echo -1 > $F/times
	echo 100 > $F/probability
	check "fault module loads under failure" \
		sh -c "echo 1 > /proc/self/make-it-fail && exec insmod $M/tinyalloc_faults.ko"
	echo 0 > $F/probability
	check "fault module unloads" rmmod tinyalloc_faults
	# Order 4 and up only: 64 KiB stack spans fail, 32 KiB ones do not.
	echo 4 > $F/min-order
	echo 100 > $F/probability
	check "fault module loads with order 4 failing" \
		sh -c "echo 1 > /proc/self/make-it-fail && exec insmod $M/tinyalloc_faults.ko min_order=4"
	echo 0 > $F/probability
	check "fault module unloads after order 4 failed" rmmod tinyalloc_faults
else
	fail "no $F: the kernel lacks CONFIG_FAIL_PAGE_ALLOC"
fi
unload_tinyalloc
idle_checks
trace_checks
unload_checks
stat_checks

# Last: the KASAN suite's expected reports taint the kernel, and a tainted
# kernel runs without lockdep from then on.  It counts reports on a
# tracepoint: a kernel without tracing (UML 6.1's) cannot run it.
if [ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ]; then
	check "kasan: tinyalloc loads" insmod $M/tinyalloc.ko scavenge_ms=0
	check "kasan: KUnit module loads" insmod $M/tinyalloc_kasan_kunit.ko
	check "kasan: KUnit module unloads" rmmod tinyalloc_kasan_kunit
	check "kasan: tinyalloc unloads" rmmod tinyalloc
else
	echo "kasan: no tracepoints in this kernel: tinyalloc_kasan_kunit.ko is not loaded"
fi

# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest of one of Debian's own kernels (no KUnit): the
# module's load-time checks, the multi-CPU stress module, debugfs back to
# zero, and on a machine of 2 or more NUMA nodes the locality checks; then
# unload, and the tracepoints (trace.sh) on a fresh load.  Prints TA-CHECK
# lines (see common.sh).
. /common.sh
. /trace.sh
. /memcg.sh

# A column of a node's row in the nodes file (1 node, 2 tiny_spans,
# 3-6 the stack orders' spans).
node_col() { awk -v n="$1" -v c="$2" 'NR > 1 && $1 == n { print $c }' $D/nodes; }
stack_spans() { awk -v n="$1" 'NR > 1 && $1 == n { print $3 + $4 + $5 + $6 }' $D/nodes; }

# Spans of every kind that node $1 holds, as "tiny stack".
spans() { echo "$(node_col "$1" 2) $(stack_spans "$1")"; }

# Objects and stacks allocated on node $1's CPUs are on node $1, freed
# from node $2's CPUs; node $2 gains no span meanwhile.
numa_checks()
{
	n=$1 other=$2
	tiny_before=$(node_col "$n" 2)
	other_before=$(spans "$other")
	check "numa: holder on node $n loads" insmod $M/tinyalloc_numa.ko node="$n"
	echo "--- $D/nodes while node $n's CPUs hold objects and stacks"
	cat $D/nodes
	check "numa: node $n holds more tiny spans" [ "$(node_col "$n" 2)" -gt "$tiny_before" ]
	for c in 3 4 5 6; do
		check "numa: node $n holds spans of stack column $c" [ "$(node_col "$n" $c)" -gt 0 ]
	done
	check "numa: node $other gained no span" [ "$(spans "$other")" = "$other_before" ]
	remote=$(stat tiny_remote_frees)
	check "numa: holder unloads (frees on node $other)" rmmod tinyalloc_numa
	check "numa: remote tiny frees in stats" [ "$(stat tiny_remote_frees)" -gt "$remote" ]
	live_checks "after node $n's objects were freed on node $other"
}

# The cpus file's node column agrees with sysfs.
cpus_node_checks()
{
	for dir in /sys/devices/system/cpu/cpu[0-9]*; do
		cpu=${dir##*cpu}
		sysnode=$(ls -d "$dir"/node[0-9]* 2>/dev/null | head -n 1)
		sysnode=${sysnode##*node}
		shown=$(awk -v c="$cpu" 'NR > 1 && $1 == c { print $NF }' $D/cpus)
		check "cpus: CPU $cpu on node ${sysnode:-?}" [ "$shown" = "${sysnode:-0}" ]
	done
}

param_checks
check "tinyalloc loads" insmod $M/tinyalloc.ko
debugfs_checks
check "stress module loads" insmod $M/tinyalloc_stress.ko
dmesg | grep 'tinyalloc_stress: [hs]' | grep -v TA-CHECK
echo "--- $D/stats after the stress"
cat $D/stats
echo "--- $D/nodes after the stress"
cat $D/nodes
live_checks "after the stress"
check "no block left live after the stress" grep -qx 'tiny_blocks_live 0' $D/stats
# Every page back but the empty spans kept for reuse: 2 tiny spans and
# one per stack pool (4 orders) per node.
nodes=$(($(wc -l < $D/nodes) - 1))
check "tiny spans back but the kept ones" [ "$(stat tiny_spans)" -le $((2 * nodes)) ]
check "stack spans back but the kept ones" [ "$(stat stack_spans)" -le $((4 * nodes)) ]
check "no large stack left" grep -qx 'stack_large_live 0' $D/stats
check "stress module unloads" rmmod tinyalloc_stress
# init_on_alloc and init_on_free, for those the kernel has on (its module
# says which; make check requires the lines the stage's options promise).
if insmod $M/tinyalloc_meminit.ko; then
	check "meminit module unloads" rmmod tinyalloc_meminit
else
	echo "meminit: neither init_on_alloc nor init_on_free is on"
fi
memcg_checks
bench_quick_checks
live_checks "after the benchmarks"
cpus_node_checks

if [ "$nodes" -ge 2 ]; then
	numa_checks 0 1
	numa_checks 1 0
	check "stack frees sent home counted" [ "$(stat stack_remote_frees)" -gt 0 ]
fi

unload_tinyalloc
idle_checks

# The same stress with the best-fit policy (4 open blocks per CPU).
check "tinyalloc loads with tiny_policy=bestfit" insmod $M/tinyalloc.ko tiny_policy=bestfit
check "bestfit: stress module loads" insmod $M/tinyalloc_stress.ko
live_checks "after the bestfit stress"
check "bestfit: no block left live" grep -qx 'tiny_blocks_live 0' $D/stats
check "bestfit: stress module unloads" rmmod tinyalloc_stress
unload_tinyalloc
trace_checks
unload_checks

# SPDX-License-Identifier: GPL-2.0
# Memory cgroup checks (busybox sh), at /memcg.sh in every guest.  A
# client (tests/tinyalloc_hold.c) loaded from a task in a cgroup v2 group
# allocates tiny objects and stacks: with __GFP_ACCOUNT they are charged to
# the group per object and grow its memory.current by about their size,
# without it they are not charged, and at memory.max the allocations fail
# instead of exceeding it.

CG=/sys/fs/cgroup/tinyalloc

# memory.current of the group, in KiB.
cg_kib() { echo $(($(cat $CG/memory.current) / 1024)); }

# Load the client from a shell that moved itself into the group.
cg_load() { sh -c "echo \$\$ > $CG/cgroup.procs && exec insmod $M/tinyalloc_hold.ko $*"; }

# What the client got: "objs N stacks N".
cg_got() { dmesg | grep 'TA-HOLD' | tail -n 1 | sed 's/.*TA-HOLD //'; }

# Load the client with $1 (objects or stacks), $2 = 1 or 0 for accounted,
# and expect the group to grow by $3 to $4 KiB; then unload it.
cg_case()
{
	args=$1 account=$2 lo=$3 hi=$4 before=$(cg_kib)
	# (check sets $what: these names are the case's own)
	check "memcg: client loads ($args, account=$account)" cg_load "$args" account="$account"
	grown=$(($(cg_kib) - before))
	echo "memcg: $args account=$account: got $(cg_got), memory.current grew by $grown KiB"
	check "memcg: $args account=$account: charged $lo..$hi KiB" \
		[ "$grown" -ge "$lo" -a "$grown" -le "$hi" ]
	check "memcg: client unloads ($args, account=$account)" rmmod tinyalloc_hold
}

memcg_checks()
{
	mkdir -p /sys/fs/cgroup
	mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
	if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		fail "memcg: the kernel has cgroup v2's memory controller"
		return
	fi
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $CG
	# 100000 objects of 8 bytes: 781 KiB asked, 3125 KiB in kmalloc-cg-32
	# (behind the 16-byte header), with slab pages and the per-CPU charge
	# stocks (up to 256 KiB a CPU) on top: 4096 KiB seen on Debian 6.12.
	# Charged per object, that is at least 2500 KiB: spans charged to the
	# task that refilled them would be about 800.
	cg_case "objs=100000 size=8" 1 2500 5000
	cg_case "objs=100000 size=8" 0 -1024 600
	# 200 stacks of 16 KiB: 3200 KiB, on pages of their own when accounted
	# (3072 to 3328 KiB seen: the charge stocks again).
	cg_case "stacks=200 stack_size=16384" 1 2500 4300
	cg_case "stacks=200 stack_size=16384" 0 -1024 600

	# At the limit: 2 MiB more than the group holds.
	echo $(($(cat $CG/memory.current) + 2097152)) > $CG/memory.max
	for args in "objs=1000000 size=8" "stacks=1000 stack_size=16384"; do
		events=$(sed -n 's/^max //p' $CG/memory.events)
		check "memcg: client loads at the limit ($args)" cg_load "$args" account=1
		echo "memcg: at the limit, $args: got $(cg_got)"
		check "memcg: at the limit ($args) allocations failed" \
			sh -c "! dmesg | grep TA-HOLD | tail -n 1 | grep -Eq 'objs 1000000|stacks 1000$'"
		check "memcg: at the limit ($args) the group stayed within memory.max" \
			[ "$(cat $CG/memory.current)" -le "$(cat $CG/memory.max)" ]
		check "memcg: at the limit ($args) memory.events counted it" \
			[ "$(sed -n 's/^max //p' $CG/memory.events)" -gt "$events" ]
		check "memcg: client unloads ($args)" rmmod tinyalloc_hold
	done
	echo max > $CG/memory.max
	rmdir $CG
}

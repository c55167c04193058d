# SPDX-License-Identifier: GPL-2.0
# Runs inside the x86_64 test guest booted with kmemleak=on (busybox sh):
# kmemleak and allocation profiling see tinyalloc's objects and stacks as
# they see kmalloc's and alloc_pages' (tests/tinyalloc_leaks.c says what
# the client allocates).  Prints TA-CHECK lines (see common.sh).
. /common.sh

K=/sys/kernel/debug/kmemleak
LEAKS=/tmp/kmemleak.txt

# The address the client printed for WHAT.
addr() { dmesg | sed -n "s/.*leaks: $1 \([0-9a-f]*\)\$/\1/p" | tail -n 1; }

# kmemleak's records as lines "address size frame...", from records like
#   unreferenced object 0xffff888004a1b2c8 (size 7):
#     comm "insmod", pid 60, jiffies 4294912345
#     backtrace (crc 5c1a9e2b):
#       __ta_tiny_alloc+0x613/0xc10 [tinyalloc]
#       leak_objects+0x7b/0x2f0 [tinyalloc_leaks]
# with frames as "leak_objects+0x2f/0x120[tinyalloc_leaks]".
leak_table()
{
	awk '
	/^unreferenced object 0x/ {
		if (rec != "")
			print rec
		size = $5
		gsub(/[^0-9]/, "", size)
		rec = substr($3, 3) " " size
		next
	}
	rec != "" && $1 ~ /\+0x[0-9a-f]+\/0x[0-9a-f]+$/ { rec = rec " " $1 $2 }
	END { if (rec != "") print rec }' "$LEAKS"
}

# The record (as leak_table prints it) that covers address $1 (hex,
# without 0x), or nothing.  Addresses are compared as a high part
# (string) and their low 48 bits, which awk's doubles hold exactly.
leak_record()
{
	leak_table | awk -v want="$1" '
	function hexval(s,   i, v) {
		v = 0
		s = tolower(s)
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function lo(s) { return hexval(substr(s, length(s) - 11)) }
	function hi(s) { return substr(s, 1, length(s) - 12) }
	hi($1) == hi(want) && lo($1) <= lo(want) && lo(want) < lo($1) + $2'
}

# Is address $1 reported, with the client's function $2 in the backtrace?
reported_by() { leak_record "$1" | grep -q " $2+0x[0-9a-f]*/0x[0-9a-f]*\[tinyalloc_leaks\]"; }

# "bytes calls" held by the client's function $1 (allocinfo lines are
# "bytes calls file:line [module] func:function").
held_by()
{
	grep " \[$2\] func:$1 *\$" /proc/allocinfo |
		awk '{ b += $1; c += $2 } END { print b + 0, c + 0 }'
}

if [ ! -e $K ]; then
	fail "kmemleak: $K exists (a kernel with CONFIG_DEBUG_KMEMLEAK, booted with kmemleak=on)"
	exit 0
fi
# What the kernel itself may have leaked while booting is reported and
# cleared first: the checks count only what comes after.
echo scan > $K
echo scan > $K
echo clear > $K
check "leaks: tinyalloc loads" insmod $M/tinyalloc.ko
check "leaks: client loads" insmod $M/tinyalloc_leaks.ko
tiny=$(addr tiny)
large=$(addr large)
control=$(addr control)
referenced=$(addr stack-referenced)
check "leaks: the client printed its four addresses" \
	test -n "$tiny" -a -n "$large" -a -n "$control" -a -n "$referenced"

# A CPU's open tiny block points at its first object: the shrinker's
# drain lets go of it.  kmemleak reports only objects older than 5 s, and
# an object only once its bytes stayed the same over two scans.
echo 2 > /proc/sys/vm/drop_caches
sleep 6
echo scan > $K
echo scan > $K
cat $K > $LEAKS
# One line per record: the raw report would look like a splat in the log.
echo "--- kmemleak's records: address size frames"
leak_table
check "kmemleak: the kmalloc control leak is reported" \
	reported_by "$control" leak_objects
check "kmemleak: the leaked tiny object is reported with the client's function" \
	reported_by "$tiny" leak_objects
set -- $(leak_record "$tiny")
check "kmemleak: the tiny record is the object's 7 bytes (size ${2:-none})" \
	test "$1" = "$tiny" -a "$2" = 7
check "kmemleak: the leaked kmalloc-backed object is reported with the client's function" \
	reported_by "$large" leak_objects
check "kmemleak: an object only a tinyalloc stack points to is not reported" \
	test -z "$(leak_record "$referenced")"
n=$(leak_table | grep -c 'tinyalloc')
check "kmemleak: only the three leaks name tinyalloc or its client ($n records)" \
	test "$n" = 3

if [ -r /proc/allocinfo ]; then
	echo "--- /proc/allocinfo lines of the client and of tinyalloc"
	grep -E '\[tinyalloc(_leaks)?\]' /proc/allocinfo | awk '$1 > 0 || /leaks/'
	set -- $(held_by hold_kmalloc_backed tinyalloc_leaks)
	check "allocinfo: 64 kmalloc-backed objects of 1000 bytes on the client's line ($1 bytes, $2 calls)" \
		test "$2" = 64 -a "$1" -ge 64000 -a "$1" -le $((64 * 4096))
	set -- $(held_by hold_own_stack tinyalloc_leaks)
	check "allocinfo: the 16 KiB stack of its own on the client's line ($1 bytes, $2 calls)" \
		test "$2" = 1 -a "$1" = 16384
	set -- $(held_by hold_tiny tinyalloc_leaks)
	check "allocinfo: tiny objects hold nothing on the client's line ($1 bytes, $2 calls)" \
		test "$1" = 0
	set -- $(held_by ta_span_alloc tinyalloc)
	check "allocinfo: tiny spans are on tinyalloc's line ($1 bytes, $2 calls)" \
		test "$1" -ge 32768
else
	echo "allocinfo: no /proc/allocinfo in this kernel: profiling checks skipped"
fi

check "leaks: client unloads" rmmod tinyalloc_leaks
check "leaks: tinyalloc unloads" rmmod tinyalloc
check "leaks: tinyalloc reports the leaked tiny object at unload" \
	sh -c "dmesg | grep -q 'tinyalloc: 1 tiny objects in 1 blocks still live at exit'"
# tinyalloc told kmemleak the object went with its pages: its record is
# gone from the list, and kmemleak found nothing wrong with its own.
cat $K > $LEAKS
check "kmemleak: the leaked tiny object's record went with tinyalloc" \
	test -z "$(leak_record "$tiny")"
check "kmemleak: no complaint of its own in the log" \
	sh -c "! dmesg | grep -Eq 'kmemleak: (Cannot insert|Found object by alias|Kernel memory leak detector disabled|Trying to color unknown)'"
# The leaks' records went with tinyalloc's pages: a new scan finds none
# of them.
echo clear > $K
sleep 6
check "kmemleak: scans after tinyalloc's unload" sh -c "echo scan > $K && echo scan > $K"
cat $K > $LEAKS
n=$(leak_table | grep -c 'tinyalloc')
check "kmemleak: after tinyalloc's unload, no new record names it ($n records)" \
	test "$n" = 0

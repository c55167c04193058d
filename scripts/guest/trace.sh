# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest scripts (busybox sh), at /trace.sh in every guest,
# after /common.sh: the tracepoint checks.  trace_checks loads a fresh
# tinyalloc, records the events of tests/tinyalloc_trace_client.c's known
# workload through tracefs, checks them against that workload and the
# debugfs counters, and unloads it again.

T=/sys/kernel/tracing
TRACE_PAIRS=8
TRACE_EVENTS="tiny_alloc tiny_free stack_alloc stack_free"

# Sum up a trace file of the client's workload as "name value" lines:
# counts, and how many events broke each rule (0 when all is well).
# Lines look like "insmod-42 [001] ..... 12.3: tiny_alloc:
# call_site=trace_client_run+0x5c/0x1f0 [tinyalloc_trace_client] ptr=...
# bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL node=0 accounted=false
# cpu=1 combined=0",
# kmem:kmalloc's fields first.
trace_summary()
{
	awk -v bs="$1" -v pairs="$2" -v fixed="$3" -v ncpu="$4" -v nnode="$5" '
	function hexval(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
		return v
	}
	BEGIN { for (o = 0; o < 5; o++) shl[o] = o ? 2 * shl[o - 1] : 1 }
	{
		ev = ""
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(tiny|stack)_(alloc|free):$/) {
				ev = substr($i, 1, length($i) - 1)
				break
			}
		if (ev == "")
			next
		split("", f)
		for (j = i + 1; j <= NF; j++) {
			k = index($j, "=")
			if (k)
				f[substr($j, 1, k - 1)] = substr($j, k + 1)
		}
		match($0, /\[[0-9]+\]/)
		bufcpu = substr($0, RSTART + 1, RLENGTH - 2) + 0
		if (f["cpu"] == "" || f["cpu"] + 0 != bufcpu || f["cpu"] + 0 >= ncpu)
			bad_cpu++
		# The fields of kmem:kmalloc: the client function, its flags.
		if (f["call_site"] !~ /^trace_client_run\+0x[0-9a-f]+\/0x[0-9a-f]+$/)
			bad_call_site++
		if (ev ~ /_alloc$/ && (f["accounted"] != "false" ||
		    f["node"] == "" || f["node"] + 0 >= nnode))
			bad_gfp_node++
		n[ev]++
		if (ev == "tiny_alloc") {
			size = f["bytes_req"] + 0
			sizes[size]++
			if (f["bytes_alloc"] != f["bytes_req"])
				bad_bytes_alloc++
			if (f["ptr"] in tiny)
				dup_ptr++
			tiny[f["ptr"]] = 1
			combined = f["combined"] + 0
			ncomb += combined
			# Only the first object of a block is not combined: it
			# alone is at the start of its block.
			off = hexval(substr(f["ptr"], length(f["ptr"]) - 1)) % bs
			if (combined != (off != 0))
				bad_combined++
			# Half-block objects: block, combined, block, ... per CPU.
			if (size == bs / 2 && combined != (halves[bufcpu]++ % 2))
				bad_pairs++
		} else if (ev == "tiny_free") {
			if (!(f["ptr"] in tiny) || (f["ptr"] in tfreed))
				bad_free++
			tfreed[f["ptr"]] = 1
		} else if (ev == "stack_alloc") {
			# The client asks (fixed << o) - o bytes, o = 0..4, once each.
			size = f["bytes_req"] + 0
			for (o = 0; o < 5; o++)
				if (size == fixed * shl[o] - o && !(o in sgot) &&
				    f["bytes_alloc"] + 0 == fixed * shl[o])
					break
			if (o == 5 || (f["ptr"] in stacks))
				bad_stack++
			sgot[o] = 1
			stacks[f["ptr"]] = f["bytes_alloc"]
		} else if (ev == "stack_free") {
			if (!(f["ptr"] in stacks) || stacks[f["ptr"]] != f["bytes"] ||
			    (f["ptr"] in sfreed))
				bad_stack_free++
			sfreed[f["ptr"]] = 1
		}
	}
	END {
		for (s = 1; s < bs; s++)
			if (sizes[s] != (s == bs / 2 ? 2 * pairs : 1))
				bad_sizes++
		for (p in tiny)
			if (!(p in tfreed))
				unfreed++
		for (p in stacks)
			if (!(p in sfreed))
				unfreed_stacks++
		print "tiny_alloc", n["tiny_alloc"] + 0
		print "tiny_combined", ncomb + 0
		print "tiny_free", n["tiny_free"] + 0
		print "stack_alloc", n["stack_alloc"] + 0
		print "stack_free", n["stack_free"] + 0
		print "bad_cpu", bad_cpu + 0
		print "bad_call_site", bad_call_site + 0
		print "bad_gfp_node", bad_gfp_node + 0
		print "bad_bytes_alloc", bad_bytes_alloc + 0
		print "bad_sizes", bad_sizes + 0
		print "dup_ptr", dup_ptr + 0
		print "bad_combined", bad_combined + 0
		print "bad_pairs", bad_pairs + 0
		print "bad_free", bad_free + 0
		print "unfreed", unfreed + 0
		print "bad_stack", bad_stack + 0
		print "bad_stack_free", bad_stack_free + 0
		print "unfreed_stacks", unfreed_stacks + 0
	}' "$6"
}

# A value of the summary.
tsum() { sed -n "s/^$1 //p" /tmp/trace.sum; }

trace_checks()
{
	if [ ! -d $T/events ]; then
		echo "trace: no tracefs events in this kernel (CONFIG_TRACING is off): trace checks skipped"
		return
	fi
	# Go's packing, which the checks follow, also on KASAN kernels (where
	# objects would otherwise start at KASAN's granules).
	check "trace: tinyalloc loads" insmod $M/tinyalloc.ko tiny_kasan=0
	ok=true
	for e in $TRACE_EVENTS; do
		[ -f $T/events/tinyalloc/$e/enable ] || ok=false
	done
	check "trace: the tinyalloc events are in tracefs" $ok
	bs=$(stat tiny_block_size)
	fixed=$(stat stack_fixed)
	ncpu=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
	allocs=$(stat tiny_allocs) combined=$(stat tiny_combined)
	frees=$(stat tiny_frees) sallocs=$(stat stack_allocs)
	sfrees=$(stat stack_frees)

	# Raw pointers, so that an object's place in its block shows.
	hash=$T/options/hash-ptr
	[ ! -f $hash ] || echo 0 > $hash
	echo 0 > $T/tracing_on
	echo > $T/set_event
	echo > $T/trace
	echo 1 > $T/events/tinyalloc/enable
	echo 1 > $T/tracing_on
	check "trace: the client's workload runs" \
		insmod $M/tinyalloc_trace_client.ko pairs=$TRACE_PAIRS
	echo 0 > $T/tracing_on
	echo 0 > $T/events/tinyalloc/enable
	cat $T/trace > /tmp/trace.txt
	[ ! -f $hash ] || echo 1 > $hash
	# Read again with pointers hashed: 6.1 prints a %s field after a raw
	# %p as an empty string (kmem:kmalloc's gfp_flags too), not 6.12.
	cat $T/trace > /tmp/trace-hashed.txt
	echo 1 > $T/tracing_on
	check "trace: client unloads" rmmod tinyalloc_trace_client
	lost=$(cat $T/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
	check "trace: no event lost ($lost overruns)" [ "$lost" = 0 ]
	echo "--- the first tinyalloc events"
	grep -E ' (tiny|stack)_(alloc|free): ' /tmp/trace.txt | head -n 8

	nnode=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
	[ "$nnode" -gt 0 ] || nnode=1
	trace_summary "$bs" $TRACE_PAIRS "$fixed" "$ncpu" "$nnode" /tmp/trace.txt > /tmp/trace.sum
	echo "--- trace summary"
	cat /tmp/trace.sum
	want=$((2 * TRACE_PAIRS + bs - 2))
	n=$(tsum tiny_alloc)
	check "trace: $n tiny_alloc events, as the client made ($want)" [ "$n" = $want ]
	check "trace: tiny_alloc events as tiny_allocs counted" \
		[ "$n" = $(($(stat tiny_allocs) - allocs)) ]
	check "trace: tiny_alloc sizes are those requested" [ "$(tsum bad_sizes)" = 0 ]
	check "trace: tiny_alloc pointers all different" [ "$(tsum dup_ptr)" = 0 ]
	c=$(tsum tiny_combined)
	check "trace: $c combined, as tiny_combined counted" \
		[ "$c" = $(($(stat tiny_combined) - combined)) ]
	check "trace: combined for some objects, not for others" \
		[ "$c" -gt 0 -a "$c" -lt "$n" ]
	check "trace: combined false exactly for the first object of a block" \
		[ "$(tsum bad_combined)" = 0 ]
	check "trace: half-block objects alternate new block, combined on each CPU" \
		[ "$(tsum bad_pairs)" = 0 ]
	check "trace: $(tsum tiny_free) tiny_free events, as tiny_frees counted" \
		[ "$(tsum tiny_free)" = $(($(stat tiny_frees) - frees)) ]
	check "trace: each tiny_free matches a tiny_alloc's pointer, once" \
		[ "$(tsum bad_free)" = 0 -a "$(tsum unfreed)" = 0 ]
	check "trace: 5 stack_alloc events, as stack_allocs counted" \
		[ "$(tsum stack_alloc)" = 5 -a \
		  "$(tsum stack_alloc)" = $(($(stat stack_allocs) - sallocs)) ]
	check "trace: stack_alloc sizes as requested, bytes rounded up" \
		[ "$(tsum bad_stack)" = 0 ]
	check "trace: 5 stack_free events, as stack_frees counted" \
		[ "$(tsum stack_free)" = 5 -a \
		  "$(tsum stack_free)" = $(($(stat stack_frees) - sfrees)) ]
	check "trace: each stack_free matches a stack_alloc's lo and bytes, once" \
		[ "$(tsum bad_stack_free)" = 0 -a "$(tsum unfreed_stacks)" = 0 ]
	check "trace: every event's cpu is the CPU it was recorded on (of $ncpu)" \
		[ "$(tsum bad_cpu)" = 0 ]
	check "trace: every event's call_site is the client's function" \
		[ "$(tsum bad_call_site)" = 0 ]
	gfp_ok=$(grep -E ' (tiny|stack)_alloc: ' /tmp/trace-hashed.txt |
		grep -c ' gfp_flags=GFP_KERNEL ' || true)
	nalloc=$(($(tsum tiny_alloc) + $(tsum stack_alloc)))
	check "trace: all $nalloc allocations' gfp_flags=GFP_KERNEL ($gfp_ok)" [ "$gfp_ok" = "$nalloc" ]
	check "trace: allocations' accounted=false, node one of $nnode" \
		[ "$(tsum bad_gfp_node)" = 0 ]
	check "trace: tiny_alloc bytes_alloc is bytes_req" \
		[ "$(tsum bad_bytes_alloc)" = 0 ]
	live_checks "after the traced workload"
	check "trace: tinyalloc unloads" rmmod tinyalloc
}

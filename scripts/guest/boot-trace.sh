# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest booted with trace_event=kmem:kmalloc: prints the
# bytes_req of every traced kmalloc under 16 bytes, in order, 32 per
# "KMALLOC-SIZES ..." line, for scripts/bench-seq.py.
T=/sys/kernel/tracing
[ -r $T/trace ] || { echo "boot-trace: no $T/trace"; exit 1; }
echo 0 > $T/tracing_on
echo "boot-trace: $(grep -c 'kmalloc:' $T/trace) kmalloc events traced"
# Events lost to a full buffer would make the sequence a sample: say so.
echo "boot-trace: overruns $(cat $T/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')"
awk '/ kmalloc: / {
	for (i = 1; i <= NF; i++)
		if ($i ~ /^bytes_req=/) {
			v = substr($i, 11) + 0
			if (v > 0 && v < 16) {
				line = line " " v
				if (++n % 32 == 0) { print "KMALLOC-SIZES" line; line = "" }
			}
		}
}
END { if (line != "") print "KMALLOC-SIZES" line }' $T/trace

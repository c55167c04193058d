# SPDX-License-Identifier: GPL-2.0
# Runs inside the UML guest for 'make demo' (busybox sh): load tinyalloc,
# let the sample client load code.json's short strings and a few thousand
# stacks while tinyalloc-stat watches, and show the viewer before, during
# and after.  Lines for the reader start with "DEMO: "; demo.sh shows them.
D=/sys/kernel/debug/tinyalloc
SEQ=/modules/codejson.seq
DOCS=50
STACKS=3000
PAGE=4096	# UML's
IDLE_MS=2000	# the scavenger's period here (10 s by default)

say() { echo "DEMO: $*"; }
indent() { sed 's/^/DEMO:   /'; }
stat() { sed -n "s/^$1 //p" $D/stats; }
# A figure of the client's "stored ..." line in dmesg.
stored() { dmesg | sed -n "s/.*tinyalloc_demo: stored $1.*/\\1/p"; }

# Kernel messages go to dmesg only: on the console they would cut into
# the viewer's lines.
dmesg -n 1

# The demo boots the test kernel, which has KASAN: tiny_kasan=0 keeps Go's
# packing, as on the kernels users run, rather than KASAN's granules.
insmod /modules/tinyalloc.ko scavenge_ms=$IDLE_MS tiny_kasan=0 || exit 1
say "== 1. tinyalloc is loaded and no client uses it yet.  tinyalloc-stat -s -1:"
tinyalloc-stat -s -1 | indent

say ""
say "== 2. A client module stores the $(wc -c <$SEQ) short strings of Go's JSON"
say "   benchmark document (code.json) $DOCS times over, as tiny objects, and"
say "   takes $STACKS stacks of 2 to 64 KiB, over about 3 seconds."
say "   Meanwhile 'tinyalloc-stat -s 1 4' prints a line a second:"
tinyalloc-stat -s 1 4 | indent &
viewer=$!
insmod /modules/tinyalloc_demo.ko seq=$SEQ docs=$DOCS stacks=$STACKS \
	pace_ms=50 || exit 1
wait $viewer

say ""
say "== 3. The client holds it all.  tinyalloc-stat -1:"
tinyalloc-stat -1 | indent
say "   tiny: objects under 16 bytes, packed into shared blocks; kmalloc:"
say "   larger requests, passed on to kmalloc; stacks: per size order, and"
say "   'large' above 16 KiB.  COMB%: the share of tiny objects that went into"
say "   an already open block.  WASTE_KiB: memory held that holds nothing live."
n=$(stored '\([0-9]*\) strings')
bytes=$(stored '.*, \([0-9]*\) bytes;')
km=$(stored '.*charge \([0-9]*\) bytes')
pages=$(stat tiny_pages)
held=$((pages * PAGE))
say ""
say "== What the $n strings ($bytes bytes of text) cost:"
say "   kmalloc would charge  $km bytes (8 or 16 a string)"
say "   tinyalloc holds       $held bytes ($pages pages, headers and free blocks"
say "                         included): $((held * 100 / km))% of kmalloc's"

say ""
say "== 4. The client frees every string and stack and unloads.  tinyalloc-stat -1:"
rmmod tinyalloc_demo || exit 1
tinyalloc-stat -1 | indent
say "   Right after the frees, the CPU still holds its spans and cached stacks,"
say "   and freed large stacks wait on the free lists for reuse: that is the"
say "   waste now."

say ""
say "== 5. Nothing allocates for $((IDLE_MS * 5 / 2000)) seconds (the scavenger runs every"
say "   $((IDLE_MS / 1000)) s here, scavenge_ms=$IDLE_MS; 10 s by default).  tinyalloc-stat -1:"
sleep $((IDLE_MS * 5 / 2000))
tinyalloc-stat -1 | indent
say "   The idle CPU gave its spans and cached stacks back, and the large stacks"
say "   went back to the page allocator: what stays is the kept empty spans,"
say "   2 tiny ones and one per stack order (56 pages a node)."

say ""
rmmod tinyalloc || exit 1
if dmesg | grep -q 'still live at exit'; then
	say "== 6. tinyalloc unloaded, reporting leaks:"
	dmesg | grep 'still live at exit' | indent
else
	say "== 6. tinyalloc unloaded: nothing was live, every page went back."
fi
say "   tinyalloc-stat -1 now says:"
tinyalloc-stat -1 2>&1 | indent

# A kernel warning anywhere in the run fails the demo.
if dmesg | grep -Eq 'WARNING:|BUG:|Call Trace'; then
	say "The kernel reported a problem:"
	dmesg | grep -E -A5 'WARNING:|BUG:|Call Trace' | indent
	exit 1
fi

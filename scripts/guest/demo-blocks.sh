# SPDX-License-Identifier: GPL-2.0
# Runs inside the UML guest for scripts/demo-blocks.sh (busybox sh): for
# each block size and packing policy, load tinyalloc with it and the demo
# client with stacks=0 (its 100,000 made-up strings), and print what
# debugfs says as one "DEMO-BLOCKS block policy ..." line.
D=/sys/kernel/debug/tinyalloc

stat() { sed -n "s/^$1 //p" $D/stats; }

for block in 8 16 32; do
	for policy in go bestfit; do
		# The test kernel has KASAN: tiny_kasan=0 keeps Go's packing.
		insmod /modules/tinyalloc.ko tiny_block=$block \
			tiny_policy=$policy tiny_kasan=0 || exit 1
		insmod /modules/tinyalloc_demo.ko stacks=0 || exit 1
		echo "DEMO-BLOCKS $block $policy $(stat tiny_objects_live)" \
			"$(stat tiny_allocs) $(stat tiny_combined)" \
			"$(stat tiny_pages) $(stat kmalloc_allocs)"
		rmmod tinyalloc_demo && rmmod tinyalloc || exit 1
	done
done
# debugfs.rst's excerpts: the defaults, 2,000 stacks beside the strings;
# the stacks file once the client freed them.
insmod /modules/tinyalloc.ko tiny_kasan=0 || exit 1
insmod /modules/tinyalloc_demo.ko stacks=2000 || exit 1
sed 's/^/DEMO-STATS /' $D/stats
rmmod tinyalloc_demo || exit 1
sed 's/^/DEMO-STACKS /' $D/stacks
rmmod tinyalloc || exit 1
echo DEMO-BLOCKS-DONE

# SPDX-License-Identifier: GPL-2.0
# Runs inside the UML guest for 'make demo': load tinyalloc, let a client
# store 100,000 short strings, and show the debugfs stats at each step.
D=/sys/kernel/debug/tinyalloc

show()
{
	echo "DEMO: ---- $1"
	sed 's/^/DEMO:   /' "$D/stats"
}

insmod /modules/tinyalloc.ko || exit 1
show "tinyalloc loaded: $D/stats"
insmod /modules/tinyalloc_demo.ko || exit 1
dmesg | grep 'tinyalloc_demo:' | sed 's/^/DEMO: /'
show "a client holds 100000 strings of 1..63 bytes and 2000 stacks"
echo "DEMO: ---- $D/cpus"
sed 's/^/DEMO:   /' "$D/cpus"
echo "DEMO: ---- $D/stacks"
sed 's/^/DEMO:   /' "$D/stacks"
rmmod tinyalloc_demo || exit 1
show "the client freed its strings and unloaded"
dmesg | grep 'tinyalloc_demo: freed' | sed 's/^/DEMO: /'
rmmod tinyalloc || exit 1
if dmesg | grep -q 'still live at exit'; then
	echo "DEMO: ---- tinyalloc unloaded, reporting leaks:"
	dmesg | grep 'still live at exit' | sed 's/^/DEMO: /'
else
	echo "DEMO: ---- tinyalloc unloaded: nothing was live, every page went back"
fi

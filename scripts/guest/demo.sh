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
show "a client holds 100000 strings of 1..63 bytes"
echo "DEMO: ---- $D/cpus"
sed 's/^/DEMO:   /' "$D/cpus"
rmmod tinyalloc_demo || exit 1
show "the client freed its strings and unloaded"
rmmod tinyalloc || exit 1
echo "DEMO: ---- tinyalloc unloaded; every page went back"

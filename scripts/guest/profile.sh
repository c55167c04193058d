# SPDX-License-Identifier: GPL-2.0
# Runs inside the make profile guest (busybox sh): loads tinyalloc and the
# profile module, prints the symbols the host needs, then waits for the
# debugger (scripts/profile-gdb.py) to attach before running the cases.
. /common.sh

insmod $M/tinyalloc.ko || exit 1
insmod $M/tinyalloc_profile.ko || exit 1
# Module text and, for the kernel's functions, every text symbol (nokaslr:
# the addresses the trace holds).
awk '$2 == "t" || $2 == "T" { print "TA-SYM", $1, $3, ($4 ? $4 : "[vmlinux]") }' \
	/proc/kallsyms
echo "TA-PROFILE-READY"
# The host attaches within seconds; it then runs to profile_begin.
sleep 10
echo 1 >/sys/module/tinyalloc_profile/parameters/run || exit 1
dmesg | grep -q 'tinyalloc_profile: .* cases run'

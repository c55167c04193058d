# SPDX-License-Identifier: GPL-2.0
# Runs inside the benchmark guests (busybox sh): loads tinyalloc and the
# benchmark module with the parameters in /modules/bench.args (written by
# scripts/bench.sh), which print TA-BENCH lines on the console.
. /common.sh

args=$(cat $M/bench.args 2>/dev/null)
insmod $M/tinyalloc.ko || exit 1
echo "bench: insmod tinyalloc_bench.ko $args"
# shellcheck disable=SC2086 # one word per parameter
insmod $M/tinyalloc_bench.ko $args || exit 1
rmmod tinyalloc_bench && rmmod tinyalloc || exit 1
dmesg | grep -q 'TA-BENCH-DONE'

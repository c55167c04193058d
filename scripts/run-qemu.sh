#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot an x86_64 kernel under qemu (TCG: KVM is not to be relied on) from a
# throwaway busybox initramfs, run a caller's busybox-sh script in it, and
# power off.  The serial console (kernel log, KTAP, the script's output)
# lands in one log.
#
# Usage: run-qemu.sh -k BZIMAGE -o LOGFILE [-m MEM] [-s CPUS] [-t TIMEOUT]
#                    [-a 'EXTRA QEMU ARGS'] [-c 'EXTRA CMDLINE'] [-p]
#                    -- SCRIPT_FILE [KO_FILES...]
#   MEM default 2G, CPUS default 4, TIMEOUT default 900 seconds.
#   The vCPUs take turns on one host thread (TCG thread=single): with a
#   thread each, a vCPU can run stale code after another patched the
#   kernel's text (static keys, static calls), and the guest oopses on a
#   breakpoint that is gone ("Oops: int3", seen at boot and when trace
#   events were turned off).  -p gives each vCPU a thread, for timings
#   that need them to run at once (the multi-CPU benchmark).
# The kernel boots with no_timer_check: at boot the IO-APIC code checks
# that the timer interrupt comes through by timing a few ticks against
# the TSC, and under TCG on a busy host the vCPU's time runs unevenly;
# then the check fails, and the kernel reroutes the timer through the
# 8259A or a virtual wire (1 boot in 60 seen here): the point of the
# boot (line 124 of the log, about 1.3 s) where a make check's
# x86_64-smp stage once splatted.  qemu's timer is always connected; the
# check only adds a race with the host.
# Exits 0 only if the script ran to the end, exited 0, and the guest
# powered off in time (the shared /init prints "TINYALLOC-GUEST-DONE rc=N").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage()
{
	die "usage: run-qemu.sh -k BZIMAGE -o LOGFILE [-m MEM] [-s CPUS] [-t TIMEOUT] [-a QEMU_ARGS] [-c CMDLINE] [-p] -- SCRIPT_FILE [KO_FILES...]"
}

kernel='' log='' mem=2G cpus=4 tmo=900 qargs='' extra='' tcg=tcg,thread=single
while getopts "k:o:m:s:t:a:c:ph" opt; do
	case "$opt" in
	k) kernel=$OPTARG ;;
	o) log=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) cpus=$OPTARG ;;
	t) tmo=$OPTARG ;;
	a) qargs=$OPTARG ;;
	c) extra=$OPTARG ;;
	p) tcg=tcg,thread=multi ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kernel" ] && [ -n "$log" ] && [ $# -ge 1 ] || usage
script=$1
shift
[ -f "$kernel" ] || die "no kernel image at $kernel"
[ -f "$script" ] || die "no such script: $script"
"$TA_ROOT/scripts/install-deps.sh" qemu-system-x86 cpio busybox-static

mkdir -p "$TA_CACHE/tmp" "$(dirname "$log")"
work=$(mktemp -d "$TA_CACHE/tmp/qemu.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
"$TA_ROOT/scripts/guest-rootfs.sh" "$root"
[ $# -eq 0 ] || cp "$@" "$root/modules/"
cp "$script" "$root/run.sh"
cp "$TA_ROOT/scripts/guest/init" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

note "booting qemu x86_64 -smp $cpus (-accel $tcg, timeout ${tmo}s), console log: $log"
start=$(date +%s)
set +e
# shellcheck disable=SC2086 # qargs is a list of words on purpose
timeout -k 10 "$tmo" qemu-system-x86_64 -accel "$tcg" -cpu max -smp "$cpus" \
	-m "$mem" -nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kernel" -initrd "$work/initrd.gz" $qargs \
	-append "console=ttyS0 rdinit=/init panic=-1 printk.time=1 no_timer_check $extra" \
	</dev/null >"$log" 2>&1
qrc=$?
set -e
sed -i 's/\r$//' "$log"

fail()
{
	echo "---- last lines of $log ----" >&2
	tail -n 40 "$log" >&2
	die "$*"
}

[ "$qrc" -ne 124 ] && [ "$qrc" -ne 137 ] || fail "qemu timed out after ${tmo}s"
marker=$(grep -a '^TINYALLOC-GUEST-DONE rc=' "$log" | tail -n 1 || true)
[ -n "$marker" ] || fail "qemu exited (status $qrc) before the script ended: crash, panic or hang"
rc=${marker#TINYALLOC-GUEST-DONE rc=}
[ "$rc" = 0 ] || fail "guest script failed with status $rc"
note "qemu run ok in $(($(date +%s) - start))s"

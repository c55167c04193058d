#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a UML kernel on a throwaway busybox root (hostfs), run a caller's
# busybox-sh script in it, and end it.  Kernel messages (KUnit's KTAP
# included) and everything the script prints land in one console log.
#
# Usage: run-uml.sh -k BUILDDIR -o LOGFILE [-m MEM] [-t TIMEOUT_SECONDS]
#                   -- SCRIPT_FILE [KO_FILES...]
#   BUILDDIR  UML build directory holding the 'linux' binary
#   LOGFILE   where the whole console log goes (CRs stripped)
#   MEM       guest memory, default 512M
#   TIMEOUT   seconds before the guest is killed, default 300
#   SCRIPT    runs as 'sh /run.sh' inside the guest, cwd /
#   KO_FILES  copied to /modules/ inside the guest
#
# Exits 0 only if the guest ran SCRIPT to the end in time and SCRIPT
# exited 0.  The guest's /init prints "TINYALLOC-GUEST-DONE rc=N" when
# SCRIPT returns and waits; this script then ends UML (below).  A missing
# marker means the guest crashed, hung or SCRIPT powered off by itself.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage()
{
	die "usage: run-uml.sh -k BUILDDIR -o LOGFILE [-m MEM] [-t TIMEOUT] -- SCRIPT_FILE [KO_FILES...]"
}

builddir='' log='' mem=512M tmo=300
while getopts "k:o:m:t:h" opt; do
	case "$opt" in
	k) builddir=$OPTARG ;;
	o) log=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) tmo=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ -z "$builddir" ] || [ -z "$log" ] || [ $# -lt 1 ]; then
	usage
fi
case "$tmo" in '' | *[!0-9]*) die "timeout must be a number of seconds" ;; esac

script=$1
shift
linux=$builddir/linux
[ -x "$linux" ] || die "no UML kernel at $linux (run build-kernel.sh um ...)"
[ -f "$script" ] || die "no such script: $script"
for ko in "$@"; do
	[ -f "$ko" ] || die "no such module: $ko"
done
# hostfs needs an absolute path, and so does the log once we cd away.
linux=$(cd "$builddir" && pwd)/linux
mkdir -p "$(dirname "$log")"
log=$(cd "$(dirname "$log")" && pwd)/$(basename "$log")

mkdir -p "$TA_CACHE/tmp"
work=$(mktemp -d "$TA_CACHE/tmp/uml.XXXXXX")
root=$work/root
tmo_pid='' uml_pid=''

# Where UML's memory file goes: /dev/shm if it has room for the guest's
# memory and a quarter more, else the work directory.  On a disk file
# system the host writes guest memory back every 30 s or so and
# write-protects it meanwhile, so a guest store may fault on the host
# with a block allocation behind it: during the stack benchmarks a third
# of UML's samples (perf on the host) were the host kernel's, under 1%
# with the file in /dev/shm.  /dev/shm is often just 64M in containers.
memtmp()
{
	local want avail

	want=$(numfmt --from=iec "${mem%[bB]}" 2>/dev/null || echo 0)
	avail=$(df --output=avail -B1 /dev/shm 2>/dev/null | tail -1)
	if [ "$want" -gt 0 ] && [ -w /dev/shm ] &&
	   [ "${avail:-0}" -gt $((want + want / 4)) ]; then
		echo /dev/shm
	else
		echo "$work/memtmp"
	fi
}

# The processes of the guest: UML's main process calls setsid() and forks
# its helper and stub processes into that session, so they are out of
# reach of timeout(1)'s process-group signals; find them by session id.
guest_pids()
{
	if [ -n "$uml_pid" ]; then
		pgrep -s "$uml_pid" 2>/dev/null || true
	fi
}

# Kill whatever is left of the guest and drop the temp dir, also when we
# are interrupted.
cleanup()
{
	local left=()
	if [ -n "$tmo_pid" ]; then
		kill -TERM "$tmo_pid" 2>/dev/null || true
	fi
	if [ -n "$uml_pid" ] && kill -TERM "$uml_pid" 2>/dev/null; then
		sleep 2
	fi
	mapfile -t left < <(guest_pids)
	[ ${#left[@]} -eq 0 ] || kill -KILL "${left[@]}" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

"$TA_ROOT/scripts/guest-rootfs.sh" "$root"
if [ $# -gt 0 ]; then
	cp "$@" "$root/modules/"
fi
cp "$script" "$root/run.sh"

# The guest's init (shared with run-qemu.sh) runs the caller's script and
# always reaches the end marker and the power-off, whatever it did.
cp "$TA_ROOT/scripts/guest/init" "$root/init"
chmod 0755 "$root/init"

# con0=null,fd:1: console 0 reads nothing (stdin may be /dev/null or a
# terminal we must not touch) and writes to our stdout, i.e. the log.
# con=null ssl=null: the other consoles and serial lines default to host
# ptys; nobody reads them.  printk.time=1 prefixes kernel lines with a
# timestamp, which tells them apart from what the script prints (the KUnit
# log check relies on it).  uml_dir keeps UML's pid/mconsole files out of
# ~/.uml.  TMPDIR: UML backs guest memory with a file there (memtmp()).
# kasan_multi_shot: KASAN reports every bug, not only the first; the
# tests that expect reports (tests/kasan_kunit.c) need each (the test
# kernels all have KASAN).  log_buf_len: the guest scripts read dmesg
# back, and the benchmarks alone print more than UML's default 16 KiB.
# ta_guest=uml reaches /init as a variable: wait for the end from here.
# shellcheck disable=SC2054 # the commas belong to con0=null,fd:1
cmdline=(mem="$mem" root=/dev/root rootfstype=hostfs rootflags="$root" rw
	 init=/init con0=null,fd:1 con=null ssl=null printk.time=1
	 log_buf_len=1M kasan_multi_shot uml_dir="$work/uml" umid=tinyalloc
	 ta_guest=uml)
mkdir -p "$work/uml" "$work/memtmp"
memdir=$(memtmp)

note "booting UML (timeout ${tmo}s), console log: $log"
start=$(date +%s%N)
# A crashed UML would otherwise leave a core file of guest-memory size.
ulimit -c 0
# timeout(1) sends SIGTERM to UML's main process, on which UML shuts down
# its helpers and exits; SIGKILL 10s later if it is still alive.
stuck=
set +e
(cd "$work" && TMPDIR="$memdir" exec timeout -k 10 "$tmo" \
	"$linux" "${cmdline[@]}") </dev/null >"$log" 2>&1 &
tmo_pid=$!
# timeout's only child is UML's main process, whose pid is the session id.
while [ -z "$uml_pid" ] && kill -0 "$tmo_pid" 2>/dev/null; do
	uml_pid=$(pgrep -P "$tmo_pid" || true)
	[ -n "$uml_pid" ] || sleep 0.05
done
# A guest that hangs must say where: shortly before the timeout, gdb
# prints the stack of UML's kernel thread (the host's view: a kernel that
# spins answers nothing inside), so that a rare hang can be diagnosed from
# the output alone.  Output to stderr, not the console log, where a trace
# would read as a splat.
watch_pid=
if [ -n "$uml_pid" ] && [ "$tmo" -gt 60 ] && command -v gdb >/dev/null; then
	(
		# Poll, so that the watcher ends with the guest: a sleeping
		# child would hold the caller's pipe open.
		for _ in $(seq $((tmo - 30))); do
			kill -0 "$uml_pid" 2>/dev/null || exit 0
			sleep 1
		done
		echo "tinyalloc: guest still running ${tmo}s - 30s after boot; where UML's kernel is (gdb):" >&2
		timeout 30 gdb -nx -p "$uml_pid" -batch -ex "bt 30" 2>&1 |
			grep -E '^#|denied|not permitted|No such' >&2
	) &
	watch_pid=$!
fi
# The guest prints its end marker and waits (guest/init): UML's own halt
# crashes now and then on its way out.  End it from here instead, once
# the marker is in the log.
# (stderr aside meanwhile: bash would report the SIGKILL as "Killed".)
ended=
exec 3>&2 2>/dev/null
while kill -0 "$tmo_pid" 2>/dev/null; do
	if grep -aq '^TINYALLOC-GUEST-DONE rc=' "$log"; then
		sleep 0.5
		# A guest that already exited by itself did so on its own
		# account: its status counts (below).
		mapfile -t left < <(guest_pids)
		[ ${#left[@]} -eq 0 ] || ended=1
		for _ in $(seq 50); do
			[ ${#left[@]} -gt 0 ] || break
			kill -KILL "${left[@]}" 2>/dev/null || true
			sleep 0.1
			mapfile -t left < <(guest_pids)
		done
		break
	fi
	sleep 0.2
done
# timeout(1) ends when UML's main process does; if it has not within 5s
# of the kill, the end failed: say so rather than wait for the timeout.
for _ in $(seq 50); do
	[ -z "$ended" ] || ! kill -0 "$tmo_pid" 2>/dev/null || sleep 0.1
done
if [ -n "$ended" ] && kill -0 "$tmo_pid" 2>/dev/null; then
	kill -KILL "$tmo_pid" 2>/dev/null || true
	ended=
	stuck=1
fi
wait "$tmo_pid"
urc=$?
exec 2>&3 3>&-
[ -z "$watch_pid" ] || wait "$watch_pid" 2>/dev/null || true
set -e
tmo_pid=
ms=$((($(date +%s%N) - start) / 1000000))
elapsed=$((ms / 1000)).$(printf %03d $((ms % 1000)))

# Belt and braces: nothing of the guest may outlive it.
mapfile -t left < <(guest_pids)
if [ ${#left[@]} -gt 0 ]; then
	note "killing leftover UML processes: ${left[*]}"
	kill -KILL "${left[@]}" 2>/dev/null || true
fi
uml_pid=

# Userspace output goes through the tty layer and gets CRLF endings.
sed -i 's/\r$//' "$log"

fail()
{
	echo "---- last lines of $log ----" >&2
	tail -n 40 "$log" >&2
	echo "----" >&2
	die "$*"
}

[ -z "$stuck" ] || fail "UML did not end when killed after the script finished"
if [ -z "$ended" ] && { [ "$urc" -eq 124 ] || [ "$urc" -eq 137 ]; }; then
	fail "UML timed out after ${tmo}s"
fi
marker=$(grep -a '^TINYALLOC-GUEST-DONE rc=' "$log" | tail -n 1 || true)
[ -n "$marker" ] ||
	fail "UML exited (status $urc) without reaching the end of the script: crash, panic or early poweroff"
rc=${marker#TINYALLOC-GUEST-DONE rc=}
[ "$rc" = 0 ] || fail "guest script failed with status $rc"
[ -n "$ended" ] || [ "$urc" -eq 0 ] ||
	fail "UML exited with status $urc after the script finished"
note "UML run ok in ${elapsed}s"

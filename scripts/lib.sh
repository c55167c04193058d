# SPDX-License-Identifier: GPL-2.0
# Shared helpers for tinyalloc's scripts: where the kernel cache lives,
# and how to fail with a clear message.

TA_CACHE=${TINYALLOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tinyalloc}
TA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TA_JOBS=${TA_JOBS:-$(nproc)}

die()
{
	echo "tinyalloc: $*" >&2
	exit 1
}

note()
{
	echo "==> $*" >&2
}

# Build the modules of this checkout for a kernel, in a copy of the
# sources (DEST) so that builds for different kernels share no objects.
# The log goes to DEST-build.log.
# Usage: ta_build_modules ARCH KDIR DEST
ta_build_modules()
{
	local arch=$1 kdir=$2 dest=$3

	rm -rf "$dest"
	mkdir -p "$dest"
	cp -r "$TA_ROOT/Kbuild" "$TA_ROOT/tinyalloc" "$TA_ROOT/tests" "$dest/"
	# Objects of an in-tree build of the checkout must not come along.
	find "$dest" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
		-name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \) \
		-delete
	make -C "$kdir" M="$dest" ARCH="$arch" modules >"$dest-build.log" 2>&1
}

# For a check script's own result lines, which check.sh counts: print
# "PASS: what" or "FAIL: what"; a failure sets ta_failed, the script's
# exit status.
# Usage: ta_verdict pass|fail WHAT
ta_failed=0
ta_verdict()
{
	if [ "$1" = pass ]; then
		echo "PASS: $2"
	else
		echo "FAIL: $2"
		ta_failed=1
	fi
}

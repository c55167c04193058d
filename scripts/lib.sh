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

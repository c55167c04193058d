#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make htmldocs: render Documentation/ with Debian's Sphinx into
# build/htmldocs; any warning fails, after all of them are printed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TA_ROOT/scripts/install-deps.sh" python3-sphinx
rm -rf "$TA_ROOT/build/htmldocs" "$TA_ROOT/build/doctrees"
sphinx-build -b html -W --keep-going -q -d "$TA_ROOT/build/doctrees" \
	"$TA_ROOT/Documentation" "$TA_ROOT/build/htmldocs"
echo "tinyalloc: documentation in $TA_ROOT/build/htmldocs/index.html" >&2

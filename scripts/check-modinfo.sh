#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What "modinfo tinyalloc.ko" tells a user: a description, a version (the
# one dkms.conf packages), a license, and a description of every module
# parameter the sources define.  Prints a PASS or FAIL line per check.
# Usage: check-modinfo.sh TINYALLOC_KO
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ko=${1:?usage: check-modinfo.sh TINYALLOC_KO}
"$TA_ROOT/scripts/install-deps.sh" kmod
if [ ! -f "$ko" ]; then
	echo "FAIL: modinfo: no module at $ko"
	exit 1
fi

missing=
for tag in description version license; do
	[ -n "$(modinfo -F "$tag" "$ko" | tr -d '[:space:]')" ] ||
		missing="$missing $tag"
done
if [ -z "$missing" ]; then
	ta_verdict pass "modinfo: description, version and license"
else
	ta_verdict fail "modinfo: no$missing"
fi

# The first argument of module_param*() is the name users pass.
params=$(cd "$TA_ROOT" && grep -ho 'module_param[a-z_]*([[:space:]]*[a-z0-9_]*' \
	tinyalloc/*.c | sed 's/.*(//' | sort -u)
# "name:description (type)"; with no MODULE_PARM_DESC only the type is left.
described=$(modinfo -F parm "$ko" |
	sed -n 's/^\([a-z0-9_]*\):\(.*\)([a-z_ ]*)$/\1 \2/p' |
	awk 'NF > 1 { print $1 }' | sort -u)
undescribed=$(comm -23 <(echo "$params") <(echo "$described") | tr '\n' ' ')
if [ -z "$params" ]; then
	ta_verdict fail "modinfo: no module_param() found in tinyalloc/*.c"
elif [ -z "$undescribed" ]; then
	ta_verdict pass "modinfo: each of the $(echo "$params" | wc -l) parameters has a description"
else
	ta_verdict fail "modinfo: parameters without a description: $undescribed"
fi

version=$(modinfo -F version "$ko")
conf=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TA_ROOT/dkms.conf")
if [ -n "$version" ] && [ "$version" = "$conf" ]; then
	ta_verdict pass "dkms.conf PACKAGE_VERSION is the module's version ($version)"
else
	ta_verdict fail "dkms.conf PACKAGE_VERSION ($conf) is not the module's version ($version)"
fi
exit "$ta_failed"

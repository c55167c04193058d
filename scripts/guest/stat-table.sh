# SPDX-License-Identifier: GPL-2.0
# Reading a tinyalloc-stat screen, for its checks: on the host
# (check-stat.sh, on captured files) and in the guests (common.sh, at
# /stat-table.sh there).  POSIX sh and awk.

# Column $3 of the row whose first column is $2 in table $1 (kind, cpu,
# order or node) of the screen in file $4.
stat_cell()
{
	awk -v t="$1" -v k="$2" -v c="$3" '
		$1 == "KIND" { s = "kind"; next }
		$1 == "CPU" { s = "cpu"; next }
		$1 == "ORDER" { s = "order"; next }
		$1 == "NODE" { s = "node"; next }
		s == t && $1 == k { print $c; exit }' "$4"
}

# Both non-empty and equal: an empty figure never passes.
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

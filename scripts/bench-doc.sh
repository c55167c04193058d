#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Documentation/bench/ holds the recorded benchmark run the documentation
# shows: results.csv (every figure, as make bench collected it) and the
# tables made from it (results.rst, tuning.rst).  Make the tables again
# from the CSV, or with --check only say whether the committed ones match
# it (exit 1 if not).  BENCH_RECORD=1 make bench records a new run.
# Usage: bench-doc.sh [--check]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$TA_ROOT/Documentation/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A failed check of the recorded run fails here too.
python3 "$TA_ROOT/scripts/bench-report.py" render "$dir/results.csv" "$work" >/dev/null

case "${1:-}" in
--check)
	rc=0
	for f in results.rst tuning.rst; do
		if ! diff -u "$dir/$f" "$work/$f"; then
			echo "tinyalloc: $dir/$f does not match results.csv; run scripts/bench-doc.sh" >&2
			rc=1
		fi
	done
	exit "$rc"
	;;
'')
	cp "$work/results.rst" "$work/tuning.rst" "$dir/"
	;;
*)
	die "usage: bench-doc.sh [--check]"
	;;
esac

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Judge a UML console log (from run-uml.sh) that holds KUnit results.
# Fails if any test failed or crashed, if no test ran at all, if one of the
# named suites has no results (e.g. its module failed to load), or if the
# kernel splatted anywhere in the log (check-splat.sh).
# Prints the totals as "N passed, N failed[, N skipped]".
#
# Usage: check-kunit-log.sh LOGFILE SUITE...
# Env:   KSRC             kernel source with tools/testing/kunit
#                         (default $TA_CACHE/src/linux-source-6.12)
#        TA_SPLAT_IGNORE  see check-splat.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: check-kunit-log.sh LOGFILE SUITE..."
log=$1
shift
[ -f "$log" ] || die "no such log: $log"
ksrc=${KSRC:-$TA_CACHE/src/linux-source-6.12}
kunit=$ksrc/tools/testing/kunit/kunit.py
[ -f "$kunit" ] || die "no kunit.py at $kunit (set KSRC)"
command -v python3 >/dev/null || die "python3 is needed for kunit.py"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=()

# --- Kernel splats ---------------------------------------------------------
"$TA_ROOT/scripts/check-splat.sh" "$log" ||
	failures+=("kernel splat in the log")

# --- KUnit results --------------------------------------------------------
# kunit.py parses one KTAP document (header, plan, suites); a UML log has
# one per insmod-ed test module, plus the boot-time "1..0" for built-in
# suites.  Cut the log into documents and give each to kunit.py, keeping
# only kernel lines: run-uml.sh boots with printk.time=1, so they carry a
# "[    1.234567] " stamp, and what the guest script prints (e.g. a cat of
# /sys/kernel/debug/kunit/*/results) is not counted twice.
python3 - "$log" "$work" <<'EOF'
import re, sys
log, work = sys.argv[1], sys.argv[2]
stamp = re.compile(r'^\[\s*\d+\.\d+\] ?')
with open(log, errors='backslashreplace') as f:
	lines = [l.rstrip('\r\n') for l in f]
# (raw line, line without its timestamp)
if any(stamp.match(l) for l in lines):
	lines = [(l, stamp.sub('', l, count=1)) for l in lines if stamp.match(l)]
else:
	lines = [(l, l) for l in lines]
docs, cur = [], None
for raw, l in lines:
	if re.match(r'(K?TAP) version \d+$', l):
		cur = [(raw, l)]
		docs.append(cur)
	elif cur is not None:
		cur.append((raw, l))
n, seen = 0, set()
for d in docs:
	plan = next((l for _, l in d[1:] if re.match(r'\d+\.\.\d+', l)), None)
	if plan is not None and re.match(r'1\.\.0\b', plan):
		# 6.1 prints a module's suites under the boot-time "1..0" with
		# no header of their own: give them the plan they lack.
		top = [l for _, l in d if re.match(r'(not )?ok \d+ ', l)]
		if not top:
			continue	# no suites in this document
		i = next(i for i, (_, l) in enumerate(d) if l == plan)
		plan = '1..%d' % len(top)
		d[i] = (d[i][0], plan)
	# A guest script that prints dmesg repeats kernel lines, timestamps
	# and all; count each run of a suite once.
	# (from the header to the top-level result line closing the plan)
	end = len(d)
	if plan is not None:
		last = re.compile(r'(not )?ok %s\b' % plan.split('..')[1].split()[0])
		end = next((i + 1 for i, (_, l) in enumerate(d) if last.match(l)), end)
	key = tuple(raw for raw, _ in d[:end])
	if key in seen:
		continue
	seen.add(key)
	n += 1
	with open(f'{work}/doc{n:04d}.ktap', 'w') as f:
		f.write('\n'.join(l for _, l in d) + '\n')
EOF

passed=0 failed=0 skipped=0 crashed=0 perrors=0
: >"$work/suites"
docs=("$work"/doc*.ktap)
[ -e "${docs[0]}" ] || docs=()
for doc in "${docs[@]}"; do
	# kunit.py exits non-zero on failures; the counts below decide.
	python3 "$kunit" parse --json="$doc.json" "$doc" | tee "$doc.out" |
		grep -v 'Test results stored in' || true
	[ -s "$doc.json" ] || { failures+=("kunit.py could not parse $doc"); continue; }
	# Leaf test cases by status, suite names, and the parser's error count
	# (missing result lines, bad plans... i.e. truncated or broken KTAP).
	counts=$(python3 - "$doc.json" "$doc.out" "$work/suites" <<'EOF'
import json, re, sys
res, out, suites = sys.argv[1:]
tree = json.load(open(res))
cnt = {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'ERROR': 0}
def walk(g):
	for c in g['test_cases']:
		cnt[c['status']] = cnt.get(c['status'], 0) + 1
	for s in g['sub_groups']:
		walk(s)
walk(tree)
with open(suites, 'a') as f:
	for s in tree['sub_groups'] + tree['test_cases']:
		f.write(s['name'] + '\n')
errors = 0
for l in open(out):
	m = re.search(r'Testing complete\..*errors: (\d+)', l)
	if m:
		errors = int(m.group(1))
print(cnt['PASS'], cnt['FAIL'], cnt['SKIP'], cnt['ERROR'], errors)
EOF
	) || { failures+=("cannot read kunit.py's results for $doc"); continue; }
	read -r p f s c e <<<"$counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	crashed=$((crashed + c)) perrors=$((perrors + e))
done

[ ${#docs[@]} -gt 0 ] && [ $((passed + failed + skipped + crashed)) -gt 0 ] ||
	failures+=("no KUnit results in the log (did the test modules load?)")
[ "$failed" -eq 0 ] || failures+=("$failed test(s) failed")
[ "$crashed" -eq 0 ] || failures+=("$crashed test(s) crashed (no result line)")
[ "$perrors" -eq 0 ] ||
	failures+=("kunit.py reported $perrors parse error(s): truncated or malformed KTAP")
for suite in "$@"; do
	grep -qxF "$suite" "$work/suites" ||
		failures+=("suite '$suite' has no results (module not loaded, or it crashed early?)")
done

# Crashed tests count as failed in the totals line.
totals="$passed passed, $((failed + crashed)) failed"
[ "$skipped" -eq 0 ] || totals+=", $skipped skipped"
echo "$totals"
if [ ${#failures[@]} -gt 0 ]; then
	for f in "${failures[@]}"; do
		echo "FAIL: $f" >&2
	done
	exit 1
fi
echo "KUnit log OK: $log"

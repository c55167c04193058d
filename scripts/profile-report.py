#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make profile's report: instructions per case, by function.

Usage: profile-report.py TRACE LOG [--annotate N MODULE.ko...]

TRACE is scripts/profile-gdb.py's output, LOG the guest's console (its
TA-SYM lines name every text symbol).  For each case: the instructions
run, per operation for the bursts, and how many each function ran.
--annotate N lists case N instruction by instruction, with the
disassembly of the modules' own code (objdump of the .ko files given).
"""
import bisect
import collections
import re
import subprocess
import sys

# tests/tinyalloc_profile.c's enum profile_op: name, operations per case.
OPS = [
    ('tinyalloc pair', 1), ('kmalloc pair', 1), ('page_frag pair', 1),
    ('tinyalloc stack pair', 1), ('alloc_pages pair', 1),
    ('tinyalloc burst alloc', 64), ('tinyalloc burst free', 64),
    ('kmalloc burst alloc', 64), ('kfree burst', 64),
    ('tinyalloc stack burst alloc', 8), ('tinyalloc stack burst free', 8),
    ('alloc_pages burst', 8), ('free_pages burst', 8),
]


def symbols(log):
    syms = []
    for line in open(log, errors='replace'):
        f = line.split()
        if len(f) == 4 and f[0] == 'TA-SYM':
            syms.append((int(f[1], 16), f[2], f[3].strip('[]')))
    syms.sort()
    return syms


def cases(trace):
    out = []
    for line in open(trace):
        if line.startswith('CASE'):
            _, op, size = line.split()
            out.append((int(op), int(size), []))
        elif line.startswith('TRUNCATED'):
            out[-1][2].append(None)
        else:
            out[-1][2].append(int(line, 16))
    return out


def disassembly(kos):
    """(module, function) -> {offset: instruction} from objdump."""
    dis = {}
    for ko in kos:
        mod = re.sub(r'\.ko$', '', ko.rsplit('/', 1)[-1])
        cur = None
        text = subprocess.run(['objdump', '-d', '--no-show-raw-insn', ko],
                              capture_output=True, text=True).stdout
        for line in text.splitlines():
            m = re.match(r'^([0-9a-f]+) <(.*)>:', line)
            if m:
                cur, base = (mod, m.group(2)), int(m.group(1), 16)
                dis[cur] = {}
                continue
            m = re.match(r'^\s+([0-9a-f]+):\s+(.*)', line)
            if m and cur:
                dis[cur][int(m.group(1), 16) - base] = m.group(2)
    return dis


def main():
    args = sys.argv[1:]
    annotate, kos = None, []
    if '--annotate' in args:
        i = args.index('--annotate')
        annotate, kos = int(args[i + 1]), args[i + 2:]
        args = args[:i]
    trace, log = args
    syms = symbols(log)
    addrs = [s[0] for s in syms]

    def where(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i] if i >= 0 else (0, '?', '?')

    all_cases = cases(trace)
    if annotate is not None:
        dis = disassembly(kos)
        op, size, pcs = all_cases[annotate]
        print('%s %d: %d instructions' % (OPS[op][0], size, len(pcs)))
        for pc in pcs:
            if pc is None:
                print('(truncated)')
                continue
            base, name, mod = where(pc)
            insn = dis.get((mod, name), {}).get(pc - base, '')
            print('%-32s +%-5x %s' % (name[:32], pc - base, insn))
        return
    for op, size, pcs in all_cases:
        name, per = OPS[op]
        n = len(pcs)
        head = '%s %d: %d instructions' % (name, size, n)
        if per > 1:
            head = '%s, %.0f per operation' % (head, n / per)
        if None in pcs:
            head += ' (truncated)'
        print(head)
        counts = collections.Counter(where(pc)[1] for pc in pcs if pc)
        for func, k in counts.most_common():
            print('  %6d  %s' % (k, func))
    return


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn make bench's console logs into results.csv, results.md and the
gnuplot data and script for results.png.

Usage: bench-report.py OUTDIR HEADER LOG...
  HEADER  one line for the top of results.md (date, kernels, host CPU)
Each LOG holds "TA-BENCH group case allocator metric value" lines
(tests/bench_main.c); a figure seen twice (a log that repeats dmesg) counts
once.
"""
import csv
import re
import sys

TINY = ['kmalloc', 'kmem_cache', 'page_frag', 'tinyalloc', 'tinyalloc_bestfit']
STACK = ['alloc_pages', 'kmalloc', 'vmalloc', 'tinyalloc']
LINE = re.compile(r'TA-BENCH (\S+) (\S+) (\S+) (\S+) ([0-9.]+)\s*$')


def read(logs):
    figs = {}
    for log in logs:
        with open(log, errors='replace') as f:
            for line in f:
                m = LINE.search(line)
                if m:
                    g, c, a, metric, v = m.groups()
                    figs[(g, c, a, metric)] = float(v)
    return figs


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, digits=1):
    return '-' if v is None else '%.*f' % (digits, v)


def table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |',
           '|' + '|'.join('---:' if i else ':---' for i in range(len(head))) + '|']
    out += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(out) + '\n'


def tiny_sizes(figs):
    sizes = sorted({c for g, c, _, _ in figs if g == 'tiny'},
                   key=lambda c: (c == 'size=mixed', int(c[5:]) if c[5:].isdigit() else 0))
    return sizes


def tiny_table(figs, metric):
    rows = []
    for c in tiny_sizes(figs):
        v = [figs.get(('tiny', c, a, metric)) for a in TINY]
        rows.append([c[5:]] + [fmt(x) for x in v] +
                    [fmt(ratio(v[3], v[0]), 2), fmt(ratio(v[3], v[2]), 2)])
    return table(['size'] + ['%s ns' % a for a in TINY] +
                 ['tinyalloc / kmalloc', 'tinyalloc / page_frag'], rows)


def mem_table(figs):
    rows = []
    for c in sorted({c for g, c, _, _ in figs if g == 'mem'}):
        kb = lambda a, m: figs.get(('mem', c, a, m))
        raw, go = kb('raw', 'live_bytes'), kb('go_rule', 'live_bytes')
        live = {a: kb(a, 'live_bytes') for a in TINY}
        churn = {a: kb(a, 'churn_bytes') for a in TINY}
        rows.append([c[4:], fmt(kb('raw', 'objects'), 0), fmt(raw and raw / 1024),
                     fmt(go and go / 1024)] +
                    [fmt(live[a] and live[a] / 1024) for a in TINY] +
                    [fmt(ratio(raw, live['kmalloc']), 2)] +
                    [fmt(ratio(live[t], live['kmalloc']), 2) for t in TINY[3:]] +
                    [fmt(ratio(churn[t], churn[b]), 2)
                     for t in TINY[3:] for b in ('kmalloc', 'page_frag')])
    return table(['sequence', 'objects', 'raw KiB', 'go_rule KiB'] +
                 ['%s KiB' % a for a in TINY] + ['raw / kmalloc'] +
                 ['%s / kmalloc' % t for t in TINY[3:]] +
                 ['churn: %s / %s' % (t, b)
                  for t in TINY[3:] for b in ('kmalloc', 'page_frag')],
                 rows)


def stack_table(figs, metric):
    rows = []
    sizes = sorted({c for g, c, _, _ in figs if g == 'stack'},
                   key=lambda c: int(c[5:-1]))
    for c in sizes:
        v = [figs.get(('stack', c, a, metric)) for a in STACK]
        rows.append([c[5:]] + [fmt(x) for x in v] +
                    [fmt(ratio(v[3], v[0]), 2), fmt(ratio(v[3], v[1]), 2)])
    return table(['size'] + ['%s ns' % a for a in STACK] +
                 ['tinyalloc / alloc_pages', 'tinyalloc / kmalloc'], rows)


def smp_table(figs):
    rows = []
    for k in ('pair', 'burst', 'handoff'):
        for a in TINY:
            one = figs.get(('smp', k, a, 'ns_1cpu'))
            all_ = figs.get(('smp', k, a, 'ns_allcpus'))
            if one is not None:
                rows.append([k, a, fmt(one), fmt(all_), fmt(ratio(all_, one), 2)])
    return table(['case', 'allocator', '1 CPU ns', 'all CPUs ns',
                  'all / 1'], rows)


def aims(figs):
    """The issue's bars, each with the figure that decides it."""
    def worst(vals):
        vals = [v for v in vals if v is not None]
        return max(vals) if vals else None

    sizes = tiny_sizes(figs)
    tr = lambda c, m, a, b: ratio(figs.get(('tiny', c, a, m)), figs.get(('tiny', c, b, m)))
    mr = lambda c, m, a, b: ratio(figs.get(('mem', c, a, m)), figs.get(('mem', c, b, m)))
    sr = lambda c, a, b: ratio(figs.get(('stack', c, a, 'pair_ns')),
                               figs.get(('stack', c, b, 'pair_ns')))
    smp = [ratio(figs.get(('smp', k, 'tinyalloc', 'ns_allcpus')),
                 figs.get(('smp', k, 'tinyalloc', 'ns_1cpu')))
           for k in ('pair', 'burst', 'handoff')]
    seqs = ('seq=codejson', 'seq=boot', 'seq=short')

    def memory(a, prefix, who):
        """The memory aims, for allocator a, named prefix + ... + who."""
        live = (('code.json', 'seq=codejson', 0.95), ('boot', 'seq=boot', 1.0),
                ('short names', 'seq=short', 0.65))
        return [('%smemory live, %s: %s/ kmalloc' % (prefix, name, who), bar,
                 mr(c, 'live_bytes', a, 'kmalloc')) for name, c, bar in live] + [
            ('%safter churn, worst sequence: %s/ %s' % (prefix, who, b), bar,
             worst(mr(c, 'churn_bytes', a, b) for c in seqs))
            for b, bar in (('kmalloc', 1.0), ('page_frag', 0.6))]

    bars = [
        ('tiny pair, worst size: tinyalloc / kmalloc', 0.6,
         worst(tr(c, 'pair_ns', 'tinyalloc', 'kmalloc') for c in sizes)),
        ('tiny burst allocation, worst size: tinyalloc / kmalloc', 0.5,
         worst(tr(c, 'burst_alloc_ns', 'tinyalloc', 'kmalloc') for c in sizes)),
    ] + memory('tinyalloc', '', 'tinyalloc ') + [
        ('stacks 4K-16K pair, worst: tinyalloc / alloc_pages', 0.3,
         worst(sr(c, 'tinyalloc', 'alloc_pages') for c in ('size=4K', 'size=8K', 'size=16K'))),
        ('stacks 2K pair: tinyalloc / kmalloc(2048)', 0.5,
         sr('size=2K', 'tinyalloc', 'kmalloc')),
        ('multi-CPU, worst case: tinyalloc all CPUs / 1 CPU', 1.5, worst(smp)),
    ] + memory('tinyalloc_bestfit', 'best fit: ', '') + [
        ('best fit: tiny pair, worst size: / kmalloc', 0.6,
         worst(tr(c, 'pair_ns', 'tinyalloc_bestfit', 'kmalloc') for c in sizes)),
    ]
    rows = [[name, '<= %.2f' % bar, fmt(v, 2),
             '-' if v is None else ('met' if v <= bar else 'missed')]
            for name, bar, v in bars]
    return table(['aim', 'bar', 'measured', ''], rows)


def gnuplot(figs, out):
    """Data and script for results.png: tiny pair and stack pair times."""
    with open(out + '/tiny.dat', 'w') as f:
        f.write('size ' + ' '.join(TINY) + '\n')
        for c in tiny_sizes(figs):
            f.write(c[5:] + ' ' + ' '.join(
                str(figs.get(('tiny', c, a, 'pair_ns'), 0)) for a in TINY) + '\n')
    with open(out + '/stack.dat', 'w') as f:
        f.write('size ' + ' '.join(STACK) + '\n')
        for c in sorted({c for g, c, _, _ in figs if g == 'stack'},
                        key=lambda c: int(c[5:-1])):
            f.write(c[5:] + ' ' + ' '.join(
                str(figs.get(('stack', c, a, 'pair_ns'), 0)) for a in STACK) + '\n')
    with open(out + '/results.gp', 'w') as f:
        f.write('''set terminal pngcairo size 1100,900 font ",10"
set output "%(o)s/results.png"
set termoption noenhanced
set multiplot layout 2,1
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key autotitle columnhead outside right top
set grid ytics
set ylabel "ns per alloc+free (median)"
set title "Tiny objects: allocate and free at once, by size (UML 6.12, one CPU)"
set yrange [0:*]
plot for [i=2:6] "%(o)s/tiny.dat" using i:xtic(1)
set title "Stacks: allocate and free at once, by size (UML 6.12, one CPU)"
set logscale y
set yrange [*:*]
plot for [i=2:5] "%(o)s/stack.dat" using i:xtic(1)
unset multiplot
''' % {'o': out})


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, header, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
    figs = read(logs)
    if not figs:
        sys.exit('bench-report.py: no TA-BENCH lines in ' + ' '.join(logs))
    with open(out + '/results.csv', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['group', 'case', 'allocator', 'metric', 'value'])
        for k in sorted(figs):
            w.writerow(list(k) + [figs[k]])
    md = ['# tinyalloc benchmarks\n', header + '\n',
          '## Aims\n', aims(figs),
          '## Tiny objects: pair (allocate and free at once), ns per pair\n',
          tiny_table(figs, 'pair_ns'),
          '## Tiny objects: burst of 100k, allocation, ns per object\n',
          tiny_table(figs, 'burst_alloc_ns'),
          '## Tiny objects: burst of 100k, free in allocation order, ns per object\n',
          tiny_table(figs, 'burst_free_ns'),
          '## Tiny objects: burst of 100k, free in random order, ns per object\n',
          tiny_table(figs, 'burst_free_random_ns'),
          '## Memory held, live and after a 90% churn (free pages before and after)\n',
          mem_table(figs),
          '## Stacks: pair, ns per pair\n', stack_table(figs, 'pair_ns'),
          '## Stacks: burst of 10k, allocation, ns per stack\n',
          stack_table(figs, 'burst_alloc_ns'),
          '## Multi-CPU (qemu TCG: compare the ratios only)\n', smp_table(figs)]
    with open(out + '/results.md', 'w') as f:
        f.write('\n'.join(md))
    # The chart needs both timed groups (a partial run has no chart).
    if {g for g, _, _, _ in figs} >= {'tiny', 'stack'}:
        gnuplot(figs, out)
    print('\n'.join(md))


if __name__ == '__main__':
    main()

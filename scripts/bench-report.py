#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's figures: console logs to CSV, CSV to tables.

Usage:
  bench-report.py collect CSV HEADER SOURCE=LOG...
      Read the TA-BENCH lines of each LOG (tests/bench_main.c) into CSV,
      one row per figure: source, group, case, allocator, metric, value.
      SOURCE names the measure: uml (UML ns), icount and icount2 (x86_64
      instructions, two runs), smp (qemu TCG, ratios only).  HEADER (date,
      kernels, host) is kept in the CSV as the row of source "meta".
  bench-report.py render CSV OUTDIR
      Write the aims, the checks and every table as Markdown
      (OUTDIR/results.md) and as reStructuredText for Documentation/
      (results.rst; tuning.rst, the two policies side by side), and the
      chart's data and gnuplot script.  Exit 1 if a check failed.

Documentation/bench/ holds a recorded run's CSV and the RST made from it;
make check renders the CSV again and compares, so the documentation
cannot quote figures the CSV does not have.
"""
import csv
import re
import sys

TINY = ['kmalloc', 'kmem_cache', 'page_frag', 'tinyalloc', 'tinyalloc_bestfit']
STACK = ['alloc_pages', 'kmalloc', 'vmalloc', 'tinyalloc']
LINE = re.compile(r'TA-BENCH (\S+) (\S+) (\S+) (\S+) ([0-9.]+)\s*$')
UNIT = {'uml': 'ns', 'icount': 'instructions'}
MEASURE = {'uml': 'UML 6.12, ns', 'icount': 'x86_64 Debian 6.12, instructions'}
REPEAT_TOLERANCE = 0.02
# vmalloc, a reference no aim uses, whose frees vary with its area tree.
REFERENCE_TOLERANCE = 0.05


def collect(path, header, sources):
    rows = {}
    for spec in sources:
        src, log = spec.split('=', 1)
        with open(log, errors='replace') as f:
            for line in f:
                m = LINE.search(line)
                if m:
                    g, c, a, metric, v = m.groups()
                    rows[(src, g, c, a, metric)] = v
    if not rows:
        sys.exit('bench-report.py: no TA-BENCH lines in ' + ' '.join(sources))
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['source', 'group', 'case', 'allocator', 'metric', 'value'])
        w.writerow(['meta', 'header', '', '', '', header])
        for k in sorted(rows):
            w.writerow(list(k) + [rows[k]])


def load(path):
    figs, header = {}, ''
    with open(path, newline='') as f:
        for r in csv.DictReader(f):
            if r['source'] == 'meta':
                header = r['value']
            else:
                figs[(r['source'], r['group'], r['case'], r['allocator'],
                      r['metric'])] = float(r['value'])
    return figs, header


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, digits=1):
    return '-' if v is None else '%.*f' % (digits, v)


def worst(vals):
    vals = [v for v in vals if v is not None]
    return max(vals) if vals else None


def cases(figs, src, group):
    def key(c):
        n = re.sub(r'\D', '', c)
        return (not n, int(n) if n else 0, c)
    return sorted({c for s, g, c, _, _ in figs if s == src and g == group},
                  key=key)


class Figs:
    """Look-ups in one source's figures."""

    def __init__(self, figs, src):
        self.figs, self.src = figs, src

    def get(self, g, c, a, m):
        return self.figs.get((self.src, g, c, a, m))

    def rel(self, g, c, m, a, b):
        return ratio(self.get(g, c, a, m), self.get(g, c, b, m))


# ---- tables: a title, a head and rows of strings, in either format ----

def md_table(title, head, rows):
    out = ['### ' + title, '',
           '| ' + ' | '.join(head) + ' |',
           '|' + '|'.join('---:' if i else ':---' for i in range(len(head))) + '|']
    out += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(out) + '\n'


def rst_table(title, head, rows):
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    rule = '   ' + '  '.join('=' * w for w in widths)
    line = lambda r: ('   ' + '  '.join(x.ljust(w) for x, w in zip(r, widths))).rstrip()
    out = [title + ':', '', rule, line(head), rule]
    out += [line(r) for r in rows] + [rule]
    return '\n'.join(out) + '\n'


def aims(figs):
    """The bars of the issue, each with the figures that decide it."""
    def time_aims(f):
        tiny = cases(figs, f.src, 'tiny')
        stacks = ('size=4K', 'size=8K', 'size=16K')
        burst = lambda c, a: (lambda x, y: x + y if x is not None and y is not None else None)(
            f.get('stack', c, a, 'burst_alloc_ns'), f.get('stack', c, a, 'burst_free_ns'))
        return [
            ('tiny pair, worst size: tinyalloc / kmalloc', 0.5,
             worst(f.rel('tiny', c, 'pair_ns', 'tinyalloc', 'kmalloc') for c in tiny)),
            ('tiny burst allocation, mixed sizes: / kmalloc', 0.5,
             f.rel('tiny', 'size=mixed', 'burst_alloc_ns', 'tinyalloc', 'kmalloc')),
            ('tiny burst free, mixed sizes, worst order: / kmalloc', 0.8,
             worst(f.rel('tiny', 'size=mixed', m, 'tinyalloc', 'kmalloc')
                   for m in ('burst_free_ns', 'burst_free_random_ns'))),
            ('stacks 4K-16K pair, worst: tinyalloc / alloc_pages', 0.3,
             worst(f.rel('stack', c, 'pair_ns', 'tinyalloc', 'alloc_pages') for c in stacks)),
            ('stacks 4K-16K burst, worst: tinyalloc / alloc_pages', 1.0,
             worst(ratio(burst(c, 'tinyalloc'), burst(c, 'alloc_pages')) for c in stacks)),
            ('stacks 2K pair: tinyalloc / kmalloc(2048)', 0.5,
             f.rel('stack', 'size=2K', 'pair_ns', 'tinyalloc', 'kmalloc')),
        ]

    def memory(f, a, prefix):
        seqs = ('seq=codejson', 'seq=boot', 'seq=short')
        live = (('code.json', 'seq=codejson', 0.92), ('boot', 'seq=boot', 0.98),
                ('short names', 'seq=short', 0.60))
        return [('%smemory live, %s: / kmalloc' % (prefix, name), bar,
                 f.rel('mem', c, 'live_bytes', a, 'kmalloc')) for name, c, bar in live] + [
            ('%safter churn, worst sequence: / %s' % (prefix, b), bar,
             worst(f.rel('mem', c, 'churn_bytes', a, b) for c in seqs))
            for b, bar in (('kmalloc', 1.0), ('page_frag', 0.6))]

    uml, ins, smp = Figs(figs, 'uml'), Figs(figs, 'icount'), Figs(figs, 'smp')
    scale = lambda a, k: ratio(smp.get('smp', k, a, 'ns_allcpus'),
                               smp.get('smp', k, a, 'ns_1cpu'))
    rows = []
    for (name, bar, u), (_, _, x) in zip(time_aims(uml), time_aims(ins)):
        rows.append((name, bar, u, x))
    rows += [(n, b, v, None) for n, b, v in memory(uml, 'tinyalloc', '')]
    rows.append(('multi-CPU, worst case: tinyalloc\'s 2/1 CPU ratio / kmalloc\'s', 1.0,
                 worst(ratio(scale('tinyalloc', k), scale('kmalloc', k))
                       for k in ('pair', 'burst', 'handoff')), None))
    rows += [(n, b, v, None) for n, b, v in memory(uml, 'tinyalloc_bestfit', 'best fit: ')]
    out = []
    for name, bar, u, x in rows:
        got = [v for v in (u, x) if v is not None]
        verdict = '-' if not got else ('met' if max(got) <= bar else 'missed')
        out.append([name, '<= %.2f' % bar, fmt(u, 2), fmt(x, 2), verdict])
    return ('Aims (UML: ns, or pages for memory; x86_64: instructions)',
            ['aim', 'bar', 'UML', 'x86_64', 'verdict'], out)


def checks(figs):
    """The run's own checks: page counts agree, instruction counts repeat."""
    rows, ok = [], True
    agree = sorted(k for k in figs if k[1] == 'check' and k[4] == 'agree')
    for src, _, c, a, _ in agree:
        good = figs[(src, 'check', c, a, 'agree')] == 1
        ok &= good
        rows.append(['%s: free pages and %s\'s own count agree within 1%%' % (c, a),
                     '%s / %s' % (fmt(figs.get((src, 'check', c, a, 'pages_counted')), 0),
                                  fmt(figs.get((src, 'check', c, a, 'pages_own')), 0)),
                     'pass' if good else 'FAIL'])
    timed = [k for k in figs if k[0] == 'icount' and k[4].endswith('_ns')]
    # vmalloc is a reference no aim uses: vfree() walks a tree of areas
    # whose shape differs from boot to boot, so its counts get their own,
    # looser bar rather than none.
    for name, keys, tol in (
            ('x86_64 instruction counts repeat within %.0f%% (%d figures, two boots)',
             [k for k in timed if k[3] != 'vmalloc'], REPEAT_TOLERANCE),
            ('vmalloc\'s counts (no aim) repeat within %.0f%% (%d figures, two boots)',
             [k for k in timed if k[3] == 'vmalloc'], REFERENCE_TOLERANCE)):
        if not keys:
            continue
        dev = worst(abs(figs[k] - figs.get(('icount2',) + k[1:], 0)) / figs[k]
                    for k in keys if figs[k])
        good = dev is not None and dev <= tol and all(
            ('icount2',) + k[1:] in figs for k in keys)
        ok &= good
        rows.append([name % (100 * tol, len(keys)),
                     'worst %.2f%%' % (100 * dev if dev is not None else 0),
                     'pass' if good else 'FAIL'])
    return ('Checks of the run itself', ['check', 'figures', 'result'], rows), ok


# Per timed group: its allocators, the two references tinyalloc (the last
# but one or last column) is divided by, what one operation is, and the
# tables, by metric.
TIMED = {
    'tiny': (TINY, ('kmalloc', 'page_frag'), 'object', (
        ('pair_ns', 'Tiny objects, allocate and free at once'),
        ('burst_alloc_ns', 'Tiny objects, burst allocation'),
        ('burst_free_ns', 'Tiny objects, burst free in allocation order'),
        ('burst_free_random_ns', 'Tiny objects, burst free in random order'))),
    'stack': (STACK, ('alloc_pages', 'kmalloc'), 'stack', (
        ('pair_ns', 'Stacks, allocate and free at once'),
        ('burst_alloc_ns', 'Stacks, burst of 10k, allocation'),
        ('burst_free_ns', 'Stacks, burst of 10k, free'),
        ('burst_held_bytes', 'Stacks, memory held with the burst allocated'))),
}


def timed_table(figs, src, group, metric, title):
    names, refs, per, _ = TIMED[group]
    f = Figs(figs, src)
    held = metric.endswith('_bytes')
    rows = []
    for c in cases(figs, src, group):
        v = {a: f.get(group, c, a, metric) for a in names}
        if held:
            v = {a: x and x / 1048576 for a, x in v.items()}
        rows.append([c[5:]] + [fmt(v[a]) for a in names] +
                    [fmt(ratio(v['tinyalloc'], v[r]), 2) for r in refs])
    unit = 'MiB' if held else '%s per %s' % (UNIT[src], per)
    return ('%s (%s)' % (title, unit),
            ['size'] + names + ['tinyalloc / %s' % r for r in refs], rows)


def mem_tables(figs):
    f = Figs(figs, 'uml')
    kib = lambda c, a, m: fmt((lambda v: v and v / 1024)(f.get('mem', c, a, m)))
    live, churn = [], []
    for c in cases(figs, 'uml', 'mem'):
        live.append([c[4:], fmt(f.get('mem', c, 'raw', 'objects'), 0),
                     kib(c, 'raw', 'live_bytes'), kib(c, 'go_rule', 'live_bytes')] +
                    [kib(c, a, 'live_bytes') for a in TINY] +
                    [fmt(f.rel('mem', c, 'live_bytes', a, 'kmalloc'), 2)
                     for a in ('raw', 'tinyalloc', 'tinyalloc_bestfit')])
        churn.append([c[4:]] + [kib(c, a, 'churn_bytes') for a in TINY] +
                     [fmt(f.rel('mem', c, 'churn_bytes', t, b), 2)
                      for t in TINY[3:] for b in ('kmalloc', 'page_frag')])
    return [('Memory held with every object live (KiB, median)',
             ['sequence', 'objects', 'raw', 'go_rule'] + TINY +
             ['raw / kmalloc', 'tinyalloc / kmalloc', 'bestfit / kmalloc'], live),
            ('Memory held after freeing a random 90% and allocating it again (KiB)',
             ['sequence'] + TINY + ['%s / %s' % (t.replace('tinyalloc_', ''), b)
                                    for t in TINY[3:] for b in ('kmalloc', 'page_frag')],
             churn)]


def smp_table(figs):
    f = Figs(figs, 'smp')
    rows = []
    for k in ('pair', 'burst', 'handoff'):
        ref = ratio(f.get('smp', k, 'kmalloc', 'ns_allcpus'), f.get('smp', k, 'kmalloc', 'ns_1cpu'))
        for a in TINY:
            one, two = f.get('smp', k, a, 'ns_1cpu'), f.get('smp', k, a, 'ns_allcpus')
            if one is not None:
                r = ratio(two, one)
                rows.append([k, a, fmt(one), fmt(two), fmt(r, 2), fmt(ratio(r, ref), 2)])
    return ('Multi-CPU, qemu TCG with 2 vCPUs (ns per operation; ratios only)',
            ['case', 'allocator', '1 CPU', '2 CPUs', '2 / 1', '/ kmalloc\'s 2 / 1'], rows)


def all_tables(figs):
    out = []
    for src in ('uml', 'icount'):
        if not any(k[0] == src for k in figs):
            continue
        out.append(('section', 'Timed cases: ' + MEASURE[src]))
        for group, (_, _, _, tables) in TIMED.items():
            if cases(figs, src, group):
                out += [timed_table(figs, src, group, m, t) for m, t in tables]
    if cases(figs, 'uml', 'mem'):
        out.append(('section', 'Memory: UML 6.12, pages taken from the page allocator'))
        out += mem_tables(figs)
    if any(k[0] == 'smp' for k in figs):
        out.append(('section', 'Multi-CPU'))
        out.append(smp_table(figs))
    return out


def tuning_table(figs):
    """Go's rule against best fit, for tuning.rst's choice of policy."""
    f = Figs(figs, 'uml')
    rows = []
    for c in cases(figs, 'uml', 'mem'):
        go, bf = f.get('mem', c, 'tinyalloc', 'live_bytes'), f.get('mem', c, 'tinyalloc_bestfit', 'live_bytes')
        rows.append([c[4:], fmt(go and go / 1024, 0), fmt(bf and bf / 1024, 0),
                     '%+.0f%%' % (100 * (bf / go - 1)) if go and bf else '-',
                     fmt(f.rel('mem', c, 'live_bytes', 'tinyalloc', 'kmalloc'), 2),
                     fmt(f.rel('mem', c, 'live_bytes', 'tinyalloc_bestfit', 'kmalloc'), 2),
                     fmt(f.rel('mem', c, 'churn_bytes', 'tinyalloc', 'kmalloc'), 2),
                     fmt(f.rel('mem', c, 'churn_bytes', 'tinyalloc_bestfit', 'kmalloc'), 2)])
    for src in ('uml', 'icount'):
        t, tiny = Figs(figs, src), cases(figs, src, 'tiny')
        pair = lambda a: worst(t.rel('tiny', c, 'pair_ns', a, 'kmalloc') for c in tiny)
        burst = lambda a: t.rel('tiny', 'size=mixed', 'burst_alloc_ns', a, 'kmalloc')
        if tiny:
            rows.append(['time: pair, worst size (%s)' % UNIT[src], '-', '-', '-',
                         fmt(pair('tinyalloc'), 2), fmt(pair('tinyalloc_bestfit'), 2),
                         '-', '-'])
            rows.append(['time: burst allocation, mixed (%s)' % UNIT[src], '-', '-', '-',
                         fmt(burst('tinyalloc'), 2), fmt(burst('tinyalloc_bestfit'), 2),
                         '-', '-'])
    return ('The two policies in the recorded run (memory in KiB; time and memory / kmalloc)',
            ['sequence', 'go', 'bestfit', 'change', 'go / kmalloc',
             'bestfit / kmalloc', 'churn: go / kmalloc', 'churn: bestfit / kmalloc'], rows)


def render(path, out):
    """Write out/results.md, results.rst, tuning.rst and the chart's files."""
    figs, header = load(path)
    check, ok = checks(figs)
    parts = [aims(figs), check] + all_tables(figs)
    md = ['# tinyalloc benchmarks', '', header, '']
    note = ('.. SPDX-License-Identifier: GPL-2.0\n'
            '.. Generated by scripts/bench-report.py from results.csv: do not edit.')
    rst = [note, '', header, '']
    for p in parts:
        if p[0] == 'section':
            md += ['## ' + p[1], '']
            rst += [p[1], '-' * len(p[1]), '']
        else:
            md.append(md_table(*p))
            rst.append(rst_table(*p))
    with open(out + '/results.md', 'w') as f:
        f.write('\n'.join(md))
    with open(out + '/results.rst', 'w') as f:
        f.write('\n'.join(rst))
    with open(out + '/tuning.rst', 'w') as f:
        f.write('\n'.join([note, '', header, '', rst_table(*tuning_table(figs))]))
    if cases(figs, 'uml', 'tiny') and cases(figs, 'uml', 'stack'):
        gnuplot(figs, out)
    return ok


def gnuplot(figs, out):
    """Data and script for results.png: tiny and stack pairs, both measures."""
    srcs = [s for s in ('uml', 'icount') if cases(figs, s, 'tiny')]
    plots = []
    for s in srcs:
        f = Figs(figs, s)
        for g, names in (('tiny', TINY), ('stack', STACK)):
            dat = '%s/%s-%s.dat' % (out, g, s)
            with open(dat, 'w') as d:
                d.write('size ' + ' '.join(names) + '\n')
                for c in cases(figs, s, g):
                    d.write(c[5:] + ' ' + ' '.join(
                        str(f.get(g, c, a, 'pair_ns') or 0) for a in names) + '\n')
            plots.append((g, s, dat, len(names)))
    with open(out + '/results.gp', 'w') as f:
        f.write('set terminal pngcairo size 1100,%d font ",10"\n' % (450 * len(plots)))
        f.write('set output "%s/results.png"\n' % out)
        f.write('set termoption noenhanced\nset multiplot layout %d,1\n' % len(plots))
        f.write('set style data histograms\nset style histogram clustered gap 1\n'
                'set style fill solid 0.8 border -1\n'
                'set key autotitle columnhead outside right top\nset grid ytics\n')
        for g, s, dat, n in plots:
            what = 'Tiny objects' if g == 'tiny' else 'Stacks'
            f.write('set title "%s: allocate and free at once, by size (%s)"\n'
                    % (what, MEASURE[s]))
            f.write('set ylabel "%s per pair (median)"\n' % UNIT[s])
            f.write('set logscale y\n' if g == 'stack' else 'unset logscale y\n')
            f.write('plot for [i=2:%d] "%s" using i:xtic(1)\n' % (n + 1, dat))
        f.write('unset multiplot\n')


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == 'collect':
        collect(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 4 and sys.argv[1] == 'render':
        if not render(sys.argv[2], sys.argv[3]):
            print('bench-report.py: a check of the run failed (see the checks table)',
                  file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make the size sequences of make bench's memory cases, one byte per size.

  bench-seq.py codejson CODE.JSON.GZ OUT
      the UTF-8 lengths of the string values shorter than 16 bytes (and not
      empty) of Go's json benchmark document, in document order
  bench-seq.py boot CONSOLE.LOG OUT
      the bytes_req of every kmalloc under 16 bytes that a boot traced with
      trace_event=kmem:kmalloc, as scripts/guest/boot-trace.sh prints them
      ("KMALLOC-SIZES v v v ..." lines), in order
"""
import gzip
import json
import re
import sys


def codejson(path):
    sizes = []

    def walk(v):
        # dicts keep the document's key order (Python 3.7+)
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            n = len(v.encode())
            if 0 < n < 16:
                sizes.append(n)

    with gzip.open(path) as f:
        walk(json.load(f))
    return sizes


def boot(path):
    sizes = []
    with open(path, errors='replace') as f:
        for line in f:
            m = re.search(r'KMALLOC-SIZES((?: \d+)+)\s*$', line)
            if m:
                sizes += [int(v) for v in m.group(1).split() if 0 < int(v) < 16]
    return sizes


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ('codejson', 'boot'):
        sys.exit(__doc__)
    sizes = codejson(sys.argv[2]) if sys.argv[1] == 'codejson' else boot(sys.argv[2])
    if not sizes:
        sys.exit('bench-seq.py: no sizes found in ' + sys.argv[2])
    with open(sys.argv[3], 'wb') as f:
        f.write(bytes(sizes))
    print('%s: %d sizes, %d bytes, mean %.2f' %
          (sys.argv[1], len(sizes), sum(sizes), sum(sizes) / len(sizes)))


if __name__ == '__main__':
    main()

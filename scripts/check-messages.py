#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Is every message tinyalloc can print explained in the troubleshooting page?

Collects the string literals of every printk-style call (pr_*, printk*,
dev_*) in tinyalloc/*.c, with the file's pr_fmt prefix, and of every
ta_report*() call (their reason strings end up in a message), and checks
that each appears in Documentation/troubleshooting.rst.  The other way
round, each message the page lists as a term (a line ``tinyalloc: ...``)
must still be one the module prints.  Exit status 1 if anything is off.

Usage: check-messages.py [REPO]
"""

import pathlib
import re
import sys

CALL = re.compile(r'\b(pr_[a-z_]+|printk[a-z_]*|dev_[a-z_]+|ta_report[a-z_]*)\s*\(')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
PR_FMT = re.compile(r'#define\s+pr_fmt\(fmt\)\s+"((?:[^"\\]|\\.)*)"\s*fmt')


def call_args(text, start):
    """The text between the parenthesis at start and its match."""
    depth, i, quote = 0, start, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == '\\':
                i += 1
            elif ch == quote:
                quote = None
        elif ch in '"\'':
            quote = ch
        elif ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    return ''


def literal_groups(args):
    """Adjacent literals joined, as the C compiler joins them."""
    groups, last_end = [], None
    for m in STRING.finditer(args):
        if last_end is not None and not args[last_end:m.start()].strip():
            groups[-1] += m.group(1)
        else:
            groups.append(m.group(1))
        last_end = m.end()
    return groups


def messages(src):
    """(file:line, text) of every message text in tinyalloc/*.c."""
    found = []
    for path in sorted(src.glob('*.c')):
        text = path.read_text()
        prefix = PR_FMT.search(text)
        prefix = prefix.group(1) if prefix else ''
        for m in CALL.finditer(text):
            groups = literal_groups(call_args(text, m.end() - 1))
            if not groups:
                continue      # a definition, or a message built elsewhere
            where = f'{path.relative_to(src.parent)}:{text.count(chr(10), 0, m.start()) + 1}'
            if m.group(1).startswith(('pr_', 'printk')):
                # The format, then any literal passed for a %s.
                groups[0] = prefix + groups[0]
            for g in groups:
                g = g.replace('\\n', '').strip()
                if g:
                    found.append((where, g))
    return found


def main():
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parent.parent)
    page_path = repo / 'Documentation' / 'troubleshooting.rst'
    page = page_path.read_text()
    flat = ' '.join(page.split())
    found = messages(repo / 'tinyalloc')
    bad = 0
    if not found:
        print('no message found in tinyalloc/*.c: is the scan broken?')
        bad += 1
    for where, msg in found:
        if ' '.join(msg.split()) not in flat:
            print(f'{where}: not in {page_path.name}: {msg}')
            bad += 1
    known = {msg for _, msg in found}
    for term in re.findall(r'^``(tinyalloc: .*)``$', page, re.M):
        if term not in known:
            print(f'{page_path.name}: lists a message the module no longer prints: {term}')
            bad += 1
    print(f'{len(found)} message texts in tinyalloc/*.c, {bad} problems')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

# SPDX-License-Identifier: GPL-2.0
# gdb script of make profile (scripts/profile.sh): attach to qemu's gdb
# stub, stop at each profile_begin() of tests/tinyalloc_profile.c and
# single-step to profile_end(), writing every instruction's address.
# qemu steps with interrupts and timers off, so only the case runs.
# Env: PROFILE_LOG (the guest's console, for the marks' addresses),
# PROFILE_TRACE (output), PROFILE_CASES (how many), PROFILE_PORT.
import os

import gdb

marks = {}
for line in open(os.environ['PROFILE_LOG'], errors='replace'):
    f = line.split()
    if len(f) >= 4 and f[0] == 'TA-SYM' and f[2] in ('profile_begin',
                                                       'profile_end'):
        marks[f[2]] = int(f[1], 16)
begin, end = marks['profile_begin'], marks['profile_end']
limit = 1000000

gdb.execute('set pagination off')
gdb.execute('set architecture i386:x86-64')
gdb.execute('target remote :%s' % os.environ.get('PROFILE_PORT', '1234'))
gdb.execute('hbreak *0x%x' % begin)
with open(os.environ['PROFILE_TRACE'], 'w') as out:
    for _ in range(int(os.environ['PROFILE_CASES'])):
        gdb.execute('continue')
        op = int(gdb.parse_and_eval('$rdi')) & 0xffffffff
        size = int(gdb.parse_and_eval('$rsi')) & 0xffffffff
        out.write('CASE %d %d\n' % (op, size))
        for _ in range(limit):
            gdb.execute('stepi', to_string=True)
            pc = int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff
            if pc == end:
                break
            out.write('%x\n' % pc)
        else:
            out.write('TRUNCATED\n')
gdb.execute('delete')
gdb.execute('detach')

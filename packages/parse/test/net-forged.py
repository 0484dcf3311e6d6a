# Sockets for test/fixtures/net/live-unix-forged (see net-forged-capture.sh). Two roles:
#   net-forged.py victim FOLDER        (root) a stream listener on FOLDER/victim.sock and an
#                                      unnamed stream socket pair; prints "ready PID L A B" with
#                                      their inodes
#   net-forged.py forger FOLDER L A B  (uid 65534) binds names that hold text reading as rows of
#                                      /proc/net/unix claiming those inodes; prints "ready PID"
# Both then wait for stdin EOF.
import os
import socket
import sys

role, folder = sys.argv[1], sys.argv[2]
held = []


def row(inode, flags, kind, state, path=None):
    """A row as the kernel prints it: '%pK: %08X %08X %08X %04X %02X %5lu' and the name."""
    text = f'{0:016x}: {2:08X} {0:08X} {flags:08X} {kind:04X} {state:02X} {inode:5d}'
    return text if path is None else f'{text} {path}'


def bind(name, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(name)
    held.append(s)
    return s


if role == 'victim':
    listener = bind(os.path.join(folder, 'victim.sock'))
    listener.listen(1)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    held.extend((a, b))
    inodes = [os.fstat(s.fileno()).st_ino for s in (listener, a, b)]
    print('ready', os.getpid(), *inodes, flush=True)
else:
    listener, a, b = (int(x) for x in sys.argv[3:6])
    LISTEN, DBUS = 0x10000, '/run/dbus/system_bus_socket'
    # Claims the listener's inode: a listener on the system bus's path.
    bind(('\0forged-1\n' + row(listener, LISTEN, 1, 1, DBUS)).encode())
    # Claims one end of the pair the same way.
    bind(('\0forged-2\n' + row(a, LISTEN, 1, 1, DBUS)).encode())
    # A relative path that starts with a newline: the kernel's line ends right after the space
    # before the name. Claims the other end of the pair.
    os.chdir(folder)
    bind(('\n' + row(b, LISTEN, 1, 1, '@forged-3')).encode())
    # An unnamed row, then a line that is no row: both are this name's text.
    bind(('\0forged-4\n' + row(listener, 0, 2, 1) + '\ntail').encode())
    # A path in a folder anyone may write to that reads, up to its newline, as another path.
    bind((os.path.join(folder, 'X0') + '\n' + row(a, 0, 2, 1)).encode(), socket.SOCK_DGRAM)
    print('ready', os.getpid(), flush=True)
sys.stdin.read()

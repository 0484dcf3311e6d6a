# Opens known sockets for the live tests, prints one JSON line describing them, then waits until
# its stdin closes. Usage: socket-holder.py UNIX_FOLDER
# Each socket: {"fd": n, "kind": ..., "local": [address, port] | name, "remote": ...}.
# Python is used because it binds abstract names with their exact length and has SOCK_SEQPACKET.
import json
import os
import socket
import sys

folder = sys.argv[1]
tag = f'procmon-test-{os.getpid()}'
held = {}


def add(name, sock, **extra):
    held[name] = (sock, extra)


def tcp(family, host):
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(8)
    client = socket.socket(family, socket.SOCK_STREAM)
    client.connect(listener.getsockname()[:2])
    server, _ = listener.accept()
    return listener, client, server


for family, host, suffix in ((socket.AF_INET, '127.0.0.1', '4'), (socket.AF_INET6, '::1', '6')):
    listener, client, server = tcp(family, host)
    add(f'tcp{suffix}-listener', listener)
    add(f'tcp{suffix}-client', client)
    add(f'tcp{suffix}-server', server)
    bound = socket.socket(family, socket.SOCK_DGRAM)
    bound.bind((host, 0))
    add(f'udp{suffix}-bound', bound)
    connected = socket.socket(family, socket.SOCK_DGRAM)
    connected.bind((host, 0))
    connected.connect(bound.getsockname()[:2])
    add(f'udp{suffix}-connected', connected)


def unix_trio(kind, address, **name):
    """A unix listener on `address`, a client connected to it and the accepted socket."""
    label = {socket.SOCK_STREAM: 'stream', socket.SOCK_SEQPACKET: 'seqpacket'}[kind]
    listener = socket.socket(socket.AF_UNIX, kind)
    listener.bind(address)
    listener.listen(8)
    client = socket.socket(socket.AF_UNIX, kind)
    client.connect(address)
    server, _ = listener.accept()
    add(f'unix-{label}-listener', listener, **name)
    add(f'unix-{label}-client', client)
    add(f'unix-{label}-server', server, **name)


# unix stream on a path: listener, client, accepted
path = os.path.join(folder, 'stream.sock')
unix_trio(socket.SOCK_STREAM, path, path=path)

# unix datagram bound to a path, and a connected unnamed pair
dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dgram.bind(os.path.join(folder, 'dgram.sock'))
add('unix-dgram-bound', dgram, path=os.path.join(folder, 'dgram.sock'))
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
add('unix-dgram-pair-a', a)
add('unix-dgram-pair-b', b)

# unix seqpacket on an abstract name: listener, client, accepted
unix_trio(socket.SOCK_SEQPACKET, '\0' + tag, abstract=tag)

# unnamed, unconnected stream socket
add('unix-stream-unnamed', socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))

out = {}
for name, (sock, extra) in held.items():
    info = {'fd': sock.fileno()}
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        info['local'] = list(sock.getsockname()[:2])
        try:
            info['remote'] = list(sock.getpeername()[:2])
        except OSError:
            info['remote'] = None
    info.update(extra)
    out[name] = info
print(json.dumps(out), flush=True)
sys.stdin.read()

# Opens the sockets Node cannot (raw, UDP-Lite, unix datagram and seqpacket, names with odd
# bytes) for the /proc/net fixtures (see net-capture.sh); prints "ready" and waits for stdin EOF.
import os
import socket
import sys

held = []

def raw(family, proto, addr=None):
    s = socket.socket(family, socket.SOCK_RAW, proto)
    if addr:
        s.bind(addr)
    held.append(s)

raw(socket.AF_INET, socket.IPPROTO_ICMP)
raw(socket.AF_INET, socket.IPPROTO_UDP, ('127.0.0.1', 0))
raw(socket.AF_INET6, socket.IPPROTO_ICMPV6, ('::1', 0))

IPPROTO_UDPLITE = 136
for family, bind_to, peer in (
    (socket.AF_INET, ('127.0.0.1', 47031), None),
    (socket.AF_INET, ('127.0.0.1', 47032), ('127.0.0.1', 47031)),
    (socket.AF_INET6, ('::', 47033), None),
):
    s = socket.socket(family, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(bind_to)
    if peer:
        s.connect(peer)
    held.append(s)

def unix(kind, name):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(name)
    held.append(s)
    return s

unix(socket.SOCK_DGRAM, b'/tmp/procmon-net-fixture/dgram-\xff.sock')
unix(socket.SOCK_SEQPACKET, b'\0procmon-seq\0nul').listen(1)
unix(socket.SOCK_DGRAM, b'\0procmon-line\nbreak')
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
held.extend((a, b))

print('ready', os.getpid(), flush=True)
sys.stdin.read()

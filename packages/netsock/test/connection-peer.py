# The other side of the find() tests: connects to the test's listeners and UDP socket (ports in
# argv), opens unconnected UDP sockets (on 0.0.0.0, and on :: without IPV6_V6ONLY) and UDP-Lite
# ones when the kernel has them, prints one JSON line of each socket's fd and addresses as the
# OS gave them, then waits until stdin closes. Usage: connection-peer.py TCP4_PORT TCP6_PORT DUAL_PORT UDP_PORT
import json
import socket
import sys

tcp4_port, tcp6_port, dual_port, udp_port = (int(a) for a in sys.argv[1:5])
held = {}
keep = []


def add(name, sock):
    keep.append(sock)
    remote = None
    try:
        remote = list(sock.getpeername()[:2])
    except OSError:
        pass
    held[name] = {'fd': sock.fileno(), 'local': list(sock.getsockname()[:2]), 'remote': remote}


def connected(family, kind, host, port, proto=0):
    sock = socket.socket(family, kind, proto)
    sock.connect((host, port))
    return sock


add('tcp4', connected(socket.AF_INET, socket.SOCK_STREAM, '127.0.0.1', tcp4_port))
add('tcp6', connected(socket.AF_INET6, socket.SOCK_STREAM, '::1', tcp6_port))
add('dual', connected(socket.AF_INET, socket.SOCK_STREAM, '127.0.0.1', dual_port))
add('udp-connected', connected(socket.AF_INET, socket.SOCK_DGRAM, '127.0.0.1', udp_port))
unconnected = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
unconnected.bind(('0.0.0.0', 0))
add('udp-unconnected', unconnected)
dual_udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
dual_udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
dual_udp.bind(('::', 0))
add('udp-dual', dual_udp)
try:
    lite = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, 136)
    lite.bind(('127.0.0.1', 0))
    add('udplite-unconnected', lite)
    add('udplite-connected', connected(socket.AF_INET, socket.SOCK_DGRAM, '127.0.0.1', lite.getsockname()[1], 136))
except OSError as error:
    held['udplite-error'] = str(error)
print(json.dumps(held), flush=True)
sys.stdin.read()

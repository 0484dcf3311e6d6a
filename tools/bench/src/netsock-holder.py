# Holds the sockets of the netsock benchmark: one TCP listener on 127.0.0.1 and PAIRS connections
# to it (client and accepted server ends: 2 * PAIRS + 1 TCP sockets), plus UNIX unix sockets
# (socket pairs). Usage: netsock-holder.py PAIRS UNIX
# Prints "ready <tcp> <unix>" once all are open, then waits until its stdin closes.
import socket
import sys

pairs, unix = int(sys.argv[1]), int(sys.argv[2])
held = []
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(('127.0.0.1', 0))
listener.listen(1024)
held.append(listener)
address = listener.getsockname()
tcp = 1
for _ in range(pairs):
    client = socket.create_connection(address)
    server, _ = listener.accept()
    held.extend((client, server))
    tcp += 2
for _ in range(unix // 2):
    held.extend(socket.socketpair())
print(f'ready {tcp} {2 * (unix // 2)}', flush=True)
sys.stdin.read()

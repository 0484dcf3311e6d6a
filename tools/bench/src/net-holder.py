# Holds the connection benchmark's sockets: one TCP listener on 127.0.0.1 and CLIENTS connections
# to it, every one accepted (2 * CLIENTS + 1 TCP sockets in this one process, none in the bench's).
# Usage: net-holder.py CLIENTS
# Prints "ready <listener port> <tcp sockets>" once all are open, then waits until stdin closes
# (the bench ended, in any way).
import socket
import sys

clients = int(sys.argv[1])
held = []
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(('127.0.0.1', 0))
listener.listen(1024)
held.append(listener)
port = listener.getsockname()[1]
for _ in range(clients):
    client = socket.create_connection(('127.0.0.1', port))
    server, _ = listener.accept()
    held.extend((client, server))
print(f'ready {port} {len(held)}', flush=True)
sys.stdin.read()

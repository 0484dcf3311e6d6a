# Holds open descriptors for the listing benchmark: usage fd-holder.py TOTAL REGULAR_FILE
# Opens /dev/null, the given regular file, pipes and Unix socket pairs in turn until the process
# holds exactly TOTAL descriptors (stdio included), prints "ready <count>", then waits until its
# stdin closes (the bench ending, or dying, closes it).
import os
import socket
import sys

total = int(sys.argv[1])
regular = sys.argv[2]
held = []  # socket objects must stay referenced, or they close
count = len(os.listdir('/proc/self/fd')) - 1  # minus the descriptor listdir itself used
turn = 0
while count < total:
    kind = turn % 4 if total - count >= 2 else turn % 2
    turn += 1
    if kind == 0:
        os.open('/dev/null', os.O_RDONLY)
        count += 1
    elif kind == 1:
        os.open(regular, os.O_RDONLY)
        count += 1
    elif kind == 2:
        os.pipe()
        count += 2
    else:
        held.extend(socket.socketpair())
        count += 2
actual = len(os.listdir('/proc/self/fd')) - 1
print(f'ready {actual}', flush=True)
sys.stdin.read()

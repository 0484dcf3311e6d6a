# Sends datagrams shaped like the proc connector's fork event, with a marker pid, to a netlink
# port from a userspace NETLINK_CONNECTOR socket: `python3 multicast-forger.py PORT MARKER`.
# One goes straight to the port (unicast, nl_groups 0), one to group CN_IDX_PROC (a multicast
# by a sender whose port id is not 0: root may do that). Both must be dropped by the reader.
import socket, struct, sys

port, marker = int(sys.argv[1]), int(sys.argv[2])
# cn_msg {idx 1, val 1, seq, ack, len 40, flags} + proc_event FORK {what 1, cpu 0, ts, 4 pids}
event = struct.pack('=IIQIIII', 1, 0, 1, marker, marker, marker, marker) + b'\0' * 8
cn = struct.pack('=IIIIHH', 1, 1, 0, 0, len(event), 0) + event
message = struct.pack('=IHHII', 16 + len(cn), 3, 0, 0, 0) + cn
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 11)
s.bind((0, 0))
s.sendto(message, (port, 0))
s.sendto(message, (0, 1))
print('sent', flush=True)

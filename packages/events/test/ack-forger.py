# Asks the kernel's proc connector for op 99 with a chosen ack: `python3 ack-forger.py ACK`.
# The kernel answers every listener of CN_IDX_PROC with {what NONE, ack ACK + 1, err EINVAL}
# (cn_proc.c, cn_proc_ack): an answer that looks like the refusal of the LISTEN sent with ACK.
# It needs CAP_NET_ADMIN (uid 65534's request gets no answer on 6.x kernels).
import socket, struct, sys

ack = int(sys.argv[1])
cn = struct.pack('=IIIIHH', 1, 1, 0, ack, 4, 0) + struct.pack('=I', 99)
message = struct.pack('=IHHII', 16 + len(cn), 3, 0, 0, 0) + cn
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 11)
s.bind((0, 0))
s.sendto(message, (0, 0))
print('sent', flush=True)

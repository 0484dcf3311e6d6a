# psutil's side of the netsock benchmark, timed inside one Python process so Python's startup is
# not counted. Usage: netsock-psutil.py PID MIN_MS MIN_SAMPLES
# Each sample is one call of Process(pid).net_connections(kind='all') (connections() before
# psutil 6.0, which named it so): every inet and unix socket of the process with its addresses
# and state. Timed with perf_counter_ns after 2 warm-up calls, until both minimums are reached.
# Prints one JSON line: {"psutil": version, "method": name, "count": n, "inet": n, "samples": [ns, ...]}.
import json
import socket
import sys
import time

import psutil

pid, min_ms, min_samples = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
process = psutil.Process(pid)
method = 'net_connections' if hasattr(process, 'net_connections') else 'connections'
call = getattr(process, method)
for _ in range(2):
    connections = call(kind='all')
samples = []
spent = 0
now = time.perf_counter_ns
while len(samples) < min_samples or spent < min_ms * 1e6:
    t0 = now()
    connections = call(kind='all')
    t1 = now()
    samples.append(t1 - t0)
    spent += t1 - t0
inet = sum(1 for c in connections if c.family in (socket.AF_INET, socket.AF_INET6))
print(json.dumps({'psutil': psutil.__version__, 'method': method, 'count': len(connections), 'inet': inet, 'samples': samples}))

# psutil's side of the connection benchmark, timed inside one Python process so Python's startup
# is not counted. Usage: net-psutil.py HOLDER_PID MIN_MS MIN_SAMPLES
# Each sample is one psutil.net_connections(kind='all'): every inet and unix socket of the machine
# with its pid (psutil walks every /proc/PID/fd to join them). Timed with perf_counter_ns after one
# warm-up call, until both minimums are reached.
# Prints one JSON line: {"psutil": version, "count": n, "held": n (the holder's), "samples": [ns]}.
import json
import sys
import time

import psutil

holder, min_ms, min_samples = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
connections = psutil.net_connections(kind='all')
samples = []
spent = 0
now = time.perf_counter_ns
while len(samples) < min_samples or spent < min_ms * 1e6:
    t0 = now()
    connections = psutil.net_connections(kind='all')
    t1 = now()
    samples.append(t1 - t0)
    spent += t1 - t0
held = sum(1 for c in connections if c.pid == holder)
print(json.dumps({'psutil': psutil.__version__, 'count': len(connections), 'held': held, 'samples': samples}))

# psutil's side of the descriptor listing benchmark, timed inside one Python process so Python's
# startup is not counted. Usage: psutil-fds.py PID MIN_MS MIN_SAMPLES
# Each sample is one call of Process(pid).num_fds() plus Process(pid).open_files(), timed with
# perf_counter_ns after 2 warm-up calls; samples are taken until both minimums are reached.
# Prints one JSON line: {"psutil": version, "num_fds": n, "open_files": n, "samples": [ns, ...]}.
import json
import sys
import time

import psutil

pid, min_ms, min_samples = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
process = psutil.Process(pid)
for _ in range(2):
    fds, files = process.num_fds(), process.open_files()
samples = []
spent = 0
now = time.perf_counter_ns
while len(samples) < min_samples or spent < min_ms * 1e6:
    t0 = now()
    fds = process.num_fds()
    files = process.open_files()
    t1 = now()
    samples.append(t1 - t0)
    spent += t1 - t0
print(json.dumps({'psutil': psutil.__version__, 'num_fds': fds, 'open_files': len(files), 'samples': samples}))

# psutil's side of the `procmon ps` benchmark (ps.bench.mjs), timed inside one Python process so
# Python's startup is not counted. Usage: ps-psutil.py CROWD_PID MIN_MS MIN_SAMPLES
# One sample is one process_iter over every process with the fields `ps aux` + PPID shows (USER,
# PID, PPID, %CPU as ps computes it: CPU time over the time since start, %MEM, VSZ, RSS, STAT's
# letter, nice and thread count, TTY, START, TIME, COMMAND with exe and name), every info read.
# Timed with perf_counter_ns after 2 warm-up calls, until both minimums are reached. process_iter
# keeps its Process objects from call to call, as it does in any long-running caller.
# Prints one JSON line: {"psutil": version, "view": what the last call saw, "first": the first
# warm-up call's ns (Process objects not made yet), "samples": [ns]}.
import json
import sys
import time

import psutil

crowd_pid, min_ms, min_samples = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
FIELDS = [
    'username',
    'pid',
    'ppid',
    'cpu_times',
    'create_time',
    'memory_percent',
    'memory_info',
    'status',
    'nice',
    'num_threads',
    'terminal',
    'cmdline',
    'exe',
    'name',
]


def listing():
    rows = []
    now = time.time()
    for p in psutil.process_iter(FIELDS):
        info = p.info
        times = info['cpu_times']
        memory = info['memory_info']
        cpu = times.user + times.system if times else 0.0
        started = info['create_time'] or now
        elapsed = now - started
        cpu_percent = cpu * 100 / elapsed if elapsed > 0 else 0.0
        rows.append(
            (
                info['username'],
                info['pid'],
                info['ppid'],
                cpu_percent,
                info['memory_percent'],
                memory.vms // 1024 if memory else 0,
                memory.rss // 1024 if memory else 0,
                info['status'],
                info['nice'],
                info['num_threads'],
                info['terminal'],
                started,
                cpu,
                info['cmdline'],
                info['exe'],
                info['name'],
            )
        )
    return rows


def view_of(rows):
    children = [r for r in rows if r[2] == crowd_pid]
    sample = children[0] if children else None
    return {
        'total': len(rows),
        'children': len(children),
        'sample': {'name': sample[15], 'exe': sample[14], 'cmdline': sample[13]} if sample else None,
    }


t0 = time.perf_counter_ns()
result = listing()
first = time.perf_counter_ns() - t0
result = listing()
samples = []
spent = 0
now_ns = time.perf_counter_ns
while len(samples) < min_samples or spent < min_ms * 1e6:
    t0 = now_ns()
    result = listing()
    t1 = now_ns()
    samples.append(t1 - t0)
    spent += t1 - t0
print(
    json.dumps(
        {'psutil': psutil.__version__, 'view': view_of(result), 'first': first, 'samples': samples}
    )
)

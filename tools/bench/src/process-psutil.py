# psutil's side of the @procmon/process benchmark, timed inside one Python process so Python's
# startup is not counted. Usage: process-psutil.py MODE PID MIN_MS MIN_SAMPLES
# Each sample is one call (MODE below), timed with perf_counter_ns after 2 warm-up calls; samples
# are taken until both minimums are reached. No call runs inside Process.oneshot() unless the mode
# says so, so every call reads its /proc file again (psutil caches a file only inside oneshot()).
# Prints one JSON line: {"psutil": version, "view": what the last call returned, "samples": [ns]}.
import json
import sys
import time

import psutil

mode, pid, min_ms, min_samples = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
process = psutil.Process(pid)


def environ():
    # /proc/PID/environ, split into a dict; every key and value touched.
    env = process.environ()
    n = 0
    for k, v in env.items():
        n += len(k) + len(v)
    return env


def stat():
    # ppid() reads and parses /proc/PID/stat on every call outside oneshot() (_parse_stat_file).
    return process.ppid()


def statm():
    # memory_info() reads and parses /proc/PID/statm.
    return process.memory_info()._asdict()


def io():
    # io_counters() reads and parses /proc/PID/io.
    return process.io_counters()._asdict()


def cmdline():
    # cmdline() reads /proc/PID/cmdline and splits it.
    return process.cmdline()


def details_of(p):
    return {
        'path': p.exe(),
        'args': p.cmdline(),
        'comm': p.name(),
        'cwd': p.cwd(),
        'environ': p.environ(),
    }


def details():
    # A fresh Process (its constructor reads /proc/PID/stat for the create time), then the same
    # five fields as Process.open(pid).details().
    return details_of(psutil.Process(pid))


def details_oneshot():
    # The same, inside oneshot(): stat and status are read once and shared by the getters.
    p = psutil.Process(pid)
    with p.oneshot():
        return details_of(p)


def scan():
    # Every process with pid, ppid, name, exe, cmdline, fully consumed (each info dict read).
    # PID here is the parent of the extra processes; the view counts its children.
    rows = []
    for p in psutil.process_iter(['pid', 'ppid', 'name', 'exe', 'cmdline']):
        info = p.info
        rows.append((info['pid'], info['ppid'], info['name'], info['exe'], info['cmdline']))
    return rows


def view_of(result):
    if mode == 'environ':
        return sorted(result.items())
    if mode == 'scan':
        children = [r for r in result if r[1] == pid]
        return {
            'total': len(result),
            'children': len(children),
            'sample': list(children[0]) if children else None,
        }
    if mode.startswith('details'):
        return {**result, 'environ': len(result['environ'])}
    return result


call = {
    'environ': environ,
    'stat': stat,
    'statm': statm,
    'io': io,
    'cmdline': cmdline,
    'details': details,
    'details-oneshot': details_oneshot,
    'scan': scan,
}[mode]

for _ in range(2):
    result = call()
samples = []
spent = 0
now = time.perf_counter_ns
while len(samples) < min_samples or spent < min_ms * 1e6:
    t0 = now()
    result = call()
    t1 = now()
    samples.append(t1 - t0)
    spent += t1 - t0
print(json.dumps({'psutil': psutil.__version__, 'view': view_of(result), 'samples': samples}))

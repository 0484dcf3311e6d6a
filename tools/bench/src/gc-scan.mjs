// One row of the garbage bench (gc.bench.mjs), in a process of its own so each row starts from a
// fresh heap and may run under other V8 flags: `node [flags] src/gc-scan.mjs BACKEND FIELDS SCANS`
// (FIELDS comma-separated) prints the row's figures as one line of JSON.
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { scanProcesses } from '@procmon/process';
import * as procfsModule from '@procmon/procfs';
import { procmonBackends } from './native-backends.mjs';

const [backendKey, fieldList, scanCount] = process.argv.slice(2);
const FIELDS = (fieldList ?? '').split(',').filter(Boolean);
const SCANS = Number(scanCount);
const WARM_UP_SCANS = 5;
const TOP_ALLOCATORS = 8;

/** A ProcFS over `backend` that notes each distinct ArrayBuffer under the bytes it returns. */
function bufferCountingProcFS(backend) {
  const buffers = new Set();
  const note = (outcome) => {
    if (outcome.ok && outcome.value instanceof Uint8Array) buffers.add(outcome.value.buffer);
    return outcome;
  };
  const counting = {
    name: `${backend.name} (counting buffers)`,
    perform: (op, root) => note(backend.perform(op, root)),
    performAsync: async (op, root) => note(await backend.performAsync(op, root)),
  };
  if (backend.performBatch)
    counting.performBatch = (ops, root) => backend.performBatch(ops, root).map(note);
  return { procfs: new procfsModule.ProcFS({ backend: counting }), buffers };
}

/** GC time and collections by kind while `run` runs (the observer's entries come after it). */
async function collecting(run) {
  const kinds = { minor: 0, major: 0, other: 0 };
  let ms = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      ms += entry.duration;
      const kind = entry.detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) kinds.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) kinds.major++;
      else kinds.other++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const value = run();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { value, ms, kinds };
}

/** JavaScript heap bytes allocated by `run` (collected ones included), in all and per function. */
async function allocations(run) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  run();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const byFunction = new Map();
  let total = 0;
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` ${url.split('/').slice(-3).join('/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    total += node.selfSize;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return { total, byFunction };
}

const scanWith = (procfs) => () => {
  let count = 0;
  for (let i = 0; i < SCANS; i++) count = scanProcesses({ procfs, fields: FIELDS }).length;
  return count;
};

async function measure({ backend, procfs }) {
  for (let i = 0; i < WARM_UP_SCANS; i++) scanProcesses({ procfs, fields: FIELDS });
  const times = [];
  const gc = await collecting(() => {
    for (let i = 0; i < SCANS; i++) {
      const start = performance.now();
      scanProcesses({ procfs, fields: FIELDS });
      times.push(performance.now() - start);
    }
  });
  times.sort((a, b) => a - b);
  const heap = await allocations(scanWith(procfs));
  const counting = bufferCountingProcFS(backend);
  const processes = scanProcesses({ procfs: counting.procfs, fields: FIELDS }).length;
  return {
    processes,
    medianMs: times[times.length >> 1],
    gcMs: gc.ms / SCANS,
    minor: gc.kinds.minor / SCANS,
    major: gc.kinds.major / SCANS,
    heapPerProcess: heap.total / SCANS / processes,
    buffersPerProcess: counting.buffers.size / processes,
    top: [...heap.byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_ALLOCATORS)
      .map(([name, bytes]) => ({
        name,
        share: bytes / heap.total,
        perProcess: bytes / SCANS / processes,
      })),
  };
}

const chosen = procmonBackends().find((b) => b.key === backendKey);
if (!chosen?.procfs) {
  console.log(JSON.stringify({ skipped: chosen?.why ?? `no backend ${backendKey}` }));
} else {
  console.log(JSON.stringify(await measure(chosen)));
}

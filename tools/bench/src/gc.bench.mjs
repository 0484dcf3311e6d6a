// Where the garbage of a scan comes from (issues #15 and #12): `scanProcesses` with the fields
// `procmon ps` reads (path, args, status), 1,000 extra processes, per procfs backend. For each:
// the scan's time, the time V8 spent collecting garbage during it and how many collections of
// each kind, the JavaScript heap bytes it allocated per process (V8's sampling heap profiler,
// objects collected since included) with the functions that allocated most, and how many
// ArrayBuffers its reads' bytes came in. The last two tell the costs apart: a read's bytes live
// outside the JavaScript heap, so only the number of their buffers can add to a collection.
// Usage: node src/gc.bench.mjs [--quick]   (pnpm -F @procmon/bench bench:gc)
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { scanProcesses } from '@procmon/process';
import * as procfsModule from '@procmon/procfs';
import { readBenchArgs } from './bench-args.mjs';
import { environmentLine } from './harness.mjs';
import { procmonBackends } from './native-backends.mjs';
import { startCrowd, stopCrowd } from './process-children.mjs';

const CROWD = 1000;
// What `procmon ps` asks a scan for (tools/cli/src/ps-command.ts).
const FIELDS = ['path', 'args', 'status'];
const { quick } = readBenchArgs();
const SCANS = quick ? 5 : 30;
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

async function measure({ label, backend, procfs }) {
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
    label,
    processes,
    medianMs: times[times.length >> 1],
    gcMs: gc.ms / SCANS,
    minor: gc.kinds.minor / SCANS,
    major: gc.kinds.major / SCANS,
    heapPerProcess: heap.total / SCANS / processes,
    buffersPerProcess: counting.buffers.size / processes,
    top: [...heap.byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP_ALLOCATORS),
    heapTotal: heap.total,
  };
}

const fixed = (value, digits = 1) => value.toFixed(digits);

async function main() {
  console.log('## Garbage of a scan: `scanProcesses({ fields: path, args, status })`\n');
  console.log(environmentLine());
  console.log(
    `load average at the start (1, 5, 15 min): ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const crowd = await startCrowd(CROWD);
  try {
    const rows = [];
    for (const backend of procmonBackends()) {
      if (!backend.procfs) {
        console.log(`${backend.label}: skipped (${backend.why})`);
        continue;
      }
      rows.push(await measure(backend));
    }
    console.log(
      `\n${CROWD.toLocaleString('en-US')} extra processes; ${SCANS} scans per row after ${WARM_UP_SCANS} untimed.\n`,
    );
    console.log(
      '| backend | processes | scan ms (median) | GC ms per scan | minor GCs per scan | major GCs per scan | JS heap KiB allocated per process | ArrayBuffers of read bytes per process |',
    );
    console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of rows) {
      console.log(
        `| ${r.label} | ${r.processes} | ${fixed(r.medianMs)} | ${fixed(r.gcMs)} | ${fixed(r.minor, 2)} | ${fixed(r.major, 2)} | ${fixed(r.heapPerProcess / 1024)} | ${fixed(r.buffersPerProcess, 2)} |`,
      );
    }
    for (const r of rows) {
      console.log(`\nTop allocators, ${r.label} (share of the JS heap bytes a scan allocates):\n`);
      console.log('| function | KiB per process | share |');
      console.log('|---|--:|--:|');
      for (const [name, bytes] of r.top) {
        console.log(
          `| \`${name}\` | ${fixed(bytes / SCANS / r.processes / 1024, 2)} | ${fixed((bytes / r.heapTotal) * 100)}% |`,
        );
      }
    }
  } finally {
    stopCrowd(crowd);
  }
}

await main();

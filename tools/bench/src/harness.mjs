// Timing (mitata) and allocation measurement, and the markdown table of one case.
import os from 'node:os';
import v8 from 'node:v8';
import { measure } from 'mitata';

// Every benchmarked call adds its result here, and the total is printed at the end, so the JIT
// cannot drop a parse whose result looks unused.
let sink = 0;
export const addToSink = (value) => {
  sink = (sink + value) | 0;
};
export const sinkValue = () => sink;

/**
 * How long each timing round runs per implementation, and how many rounds: the implementations of
 * a case take turns round by round, so a burst of load from elsewhere on the machine hits one
 * round, not one implementation. `--quick` is for trying the bench, not for numbers. `minMs` is
 * the same budget in milliseconds, for timing loops in another process (psutil's).
 */
export function timingPlan(quick) {
  const minMs = quick ? 100 : 300;
  return { rounds: quick ? 1 : 3, options: { min_cpu_time: minMs * 1e6 }, minMs };
}

/**
 * Time per call in nanoseconds: the median (p50) of mitata's samples. Each sample is the mean of a
 * batch of calls, so the median is over batch means.
 */
export async function timePerOp(op, options) {
  const stats = await measure(() => addToSink(op()), { ...options });
  return { median: stats.p50, mean: stats.avg, samples: stats.samples.length };
}

/** The round with the lowest median: load from elsewhere only ever adds time. */
export const bestRound = (rounds) =>
  rounds.reduce((best, r) => (r.median < best.median ? r : best));

function heapBytes() {
  // used_heap_size misses ArrayBuffer backing stores (a new Uint8Array(1024) is off-heap);
  // external_memory counts them.
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

/** Bytes allocated by `calls` calls of `op`, or null when a GC ran in between (the delta is void then). */
function allocationWindow(op, calls) {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('run node with --expose-gc to measure allocations');
  }
  globalThis.gc();
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = heapBytes();
  for (let i = 0; i < calls; i++) addToSink(op());
  const after = heapBytes();
  const collections = profiler.stop().statistics.length;
  return collections === 0 ? after - before : null;
}

const WINDOWS = 7;
const empty = () => 0;

/**
 * Bytes allocated per call (V8 heap plus ArrayBuffer backing stores), as the median of 7 windows
 * of up to 4096 calls each, after a full GC, minus the same loop around an empty function. Node 20
 * has no allocation counter (`total_allocated_bytes` does not exist there), so this reads heap
 * growth, and a window in which any GC ran (seen by v8.GCProfiler) is thrown away and retried
 * with half as many calls. Call it after timing, when the code is already optimized.
 */
export function bytesPerOp(op) {
  let calls = 4096;
  const perCall = [];
  while (perCall.length < WINDOWS) {
    const used = allocationWindow(op, calls);
    if (used === null) {
      if (calls === 1) throw new Error('a GC ran during every allocation window');
      calls >>= 1;
      continue;
    }
    const overhead = allocationWindow(empty, calls) ?? 0;
    perCall.push((used - overhead) / calls);
  }
  perCall.sort((a, b) => a - b);
  return Math.max(0, perCall[WINDOWS >> 1]);
}

/** Self-check of bytesPerOp against allocations of known size, printed above the tables. */
export function calibrate() {
  const kib = bytesPerOp(() => new Uint8Array(1024).length);
  const array = bytesPerOp(() => new Array(100).fill(0).length);
  return `allocation check: new Uint8Array(1024) reads ${Math.round(kib)} B/op (1024 B data + typed array and buffer objects), new Array(100).fill(0) reads ${Math.round(array)} B/op (800 B of elements + headers)`;
}

export function environmentLine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()}, ${cpu}, ${os.cpus().length} cpus, flags: ${process.execArgv.join(' ') || '(none)'}`;
}

// Targets. `ratio` is the row's median over ours (row 0): above 1, ours is faster.
/** Ours must be at least `x` times as fast as this row. */
export const fasterBy = (x) => ({
  text: `≥${x}x faster`,
  met: (ratio) => ratio >= x,
  missed: (ratio, row) => `ours ${ratio.toFixed(2)}x as fast as ${row}, target ≥${x}x`,
});
/** Ours may take at most `x` times this row's time (a floor ours cannot beat). */
export const oursWithin = (x) => ({
  text: `ours within ${x}x`,
  met: (ratio) => 1 / ratio <= x,
  missed: (ratio, row) => `ours takes ${(1 / ratio).toFixed(2)}x the time of ${row}, target ≤${x}x`,
});
/** This row (another call style of ours) may take at most `x` times ours' time. */
export const rowWithin = (x, what) => ({
  text: `within ${x}x of ${what}`,
  met: (ratio) => ratio <= x,
  missed: (ratio, row) => `${row} takes ${ratio.toFixed(2)}x the time of ${what}, target ≤${x}x`,
});

const int = (n) => Math.round(n).toLocaleString('en-US');
const ns = (n) => (n < 100 ? n.toFixed(1) : int(n));
const times = (r) => (r >= 10 ? r.toFixed(0) : r.toFixed(2));

function ratioText(ratio) {
  if (ratio >= 1) return `ours ${times(ratio)}x faster`;
  return `ours ${times(1 / ratio)}x slower`;
}

/**
 * One case as a markdown table. `rows[0]` is ours; a row's `target` is
 * one of the target objects above; `bytes` null prints "—" (not measurable in this process, or
 * not at all: the row's `bytesNote` says why, in the target column when it has no target).
 */
export function formatTable(name, title, rows) {
  const ours = rows[0];
  const lines = [
    `### ${title}`,
    '',
    '| implementation | ns/op (median) | ops/s | bytes/op | vs ours | target |',
    '|---|--:|--:|--:|---|---|',
  ];
  const missed = [];
  for (const row of rows) {
    const ratio = row.time.median / ours.time.median;
    let vs = '—';
    let target = row.note ?? '';
    if (row !== ours) {
      vs = ratioText(ratio);
      if (row.target) {
        const met = row.target.met(ratio);
        target = `target ${row.target.text}: ${met ? 'met' : 'MISSED'}`;
        if (!met) missed.push(`${name}: ${row.target.missed(ratio, row.name)}`);
      }
    }
    const bytes = row.bytes === null || row.bytes === undefined ? '—' : int(row.bytes);
    lines.push(
      `| ${row.name} | ${ns(row.time.median)} | ${int(1e9 / row.time.median)} | ${bytes} | ${vs} | ${target} |`,
    );
  }
  return { text: lines.join('\n'), missed };
}

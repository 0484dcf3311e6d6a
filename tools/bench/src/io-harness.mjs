// What the I/O benchmarks need beyond harness.mjs: async timing, allocation windows sized for slow
// calls (sync or async), the floor reader, and tables whose targets can also say "within Nx".
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import v8 from 'node:v8';
import { measure } from 'mitata';
import { addToSink } from './harness.mjs';

/**
 * The bare floor of reading a /proc file from Node: open, read into one reused buffer until a
 * read returns 0, close. No copy, no argument checks, no error mapping; returns the length.
 */
const floorBuffer = new Uint8Array(64 * 1024);
export function floorRead(path) {
  const fd = openSync(path, 'r');
  let length = 0;
  try {
    for (;;) {
      const count = readSync(fd, floorBuffer, length, floorBuffer.length - length, null);
      if (count === 0) break;
      length += count;
    }
  } finally {
    closeSync(fd);
  }
  return length;
}

/**
 * Mitata options for rows that read /proc files: such a read takes microseconds, so a sample is
 * the mean of 256 calls (mitata's default 4,096 would make the awaited async rows take seconds per
 * round), for every row of the table alike.
 */
export const fileReadOptions = (plan) => ({ ...plan.options, batch_samples: 256 });

/** The floor plus a copy of the bytes out of the reused buffer: what a caller can keep. */
export const floorReadCopy = (path) => floorBuffer.slice(0, floorRead(path));

/** The bytes the last floorRead left in its buffer (for the correctness check only). */
export const floorBytes = (length) => floorBuffer.slice(0, length);

/**
 * Time per awaited call, with mitata's async support: mitata sees the returned Promise and awaits
 * every call before starting the next (concurrency 1), so a sample is the mean of a batch of
 * calls made one at a time. Same statistics as harness.mjs's timePerOp.
 */
export async function timePerOpAsync(op, options) {
  const stats = await measure(async () => addToSink(await op()), { ...options });
  return { median: stats.p50, mean: stats.avg, samples: stats.samples.length };
}

/** A time measured elsewhere (another process): the median and mean of its samples, in ns. */
export function timeFromSamples(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((n, s) => n + s, 0) / sorted.length;
  return { median: sorted[sorted.length >> 1], mean, samples: sorted.length };
}

function heapBytes() {
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

async function window(op, calls, isAsync) {
  globalThis.gc();
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = heapBytes();
  if (isAsync) for (let i = 0; i < calls; i++) addToSink(await op());
  else for (let i = 0; i < calls; i++) addToSink(op());
  const after = heapBytes();
  const collections = profiler.stop().statistics.length;
  return collections === 0 ? after - before : null;
}

const WINDOWS = 7;
const empty = () => 0;
const emptyAsync = async () => 0;

/**
 * harness.mjs's bytesPerOp for calls too slow (a 5,000-descriptor listing) or asynchronous: the
 * same method (median of 7 GC-free windows after a full GC, minus an empty loop, a window with a
 * GC retried with half as many calls), starting from `calls` per window. Returns null when a GC
 * ran during every window even at one call: the call allocates more than the young generation
 * holds, and heap growth cannot tell its allocation.
 */
export async function bytesPerCall(op, { calls = 1024, isAsync = false } = {}) {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('run node with --expose-gc to measure allocations');
  }
  const perCall = [];
  let failures = 0;
  while (perCall.length < WINDOWS) {
    const used = await window(op, calls, isAsync);
    if (used === null) {
      if (calls === 1) {
        if (++failures >= 3) return null;
        continue;
      }
      calls >>= 1;
      continue;
    }
    const overhead = (await window(isAsync ? emptyAsync : empty, calls, isAsync)) ?? 0;
    perCall.push((used - overhead) / calls);
  }
  perCall.sort((a, b) => a - b);
  return Math.max(0, perCall[WINDOWS >> 1]);
}

/**
 * Bare reads of every process with nothing else: list /proc, then per pid each of `files` and
 * the exe link, no parsing. A process that exits meanwhile is skipped; a kernel thread has no exe.
 * Returns the bytes read (consumed by the caller so the reads are not dropped).
 */
export function floorScan(files) {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const dir = `/proc/${name}/`;
    try {
      for (const file of files) n += floorRead(`${dir}${file}`);
    } catch {
      continue;
    }
    try {
      n += readlinkSync(`${dir}exe`).length;
    } catch {
      // a kernel thread has no exe; so does a process that just exited
    }
  }
  return n;
}

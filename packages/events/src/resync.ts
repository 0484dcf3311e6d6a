// The picture of running processes from a scan of /proc, and how it differs from an older one:
// what polling diffs, and what a resync reports after events were lost.
//
// A zombie (exited, not yet reaped) does not count as running: the kernel reports a process's
// exit when it exits, not when its parent reaps it, so a picture kept from events has already
// dropped it, and a scan must agree. A main thread that called pthread_exit reads as a zombie
// while other threads run: that process is alive (procfs's processState tells, reading its
// threads only for such a pid).

import { all, type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { readLiveStat } from './live-stat.js';
import type { EventSourceKind, ResyncEvent, RunningProcess } from './types.js';

/** Processes whose stat is read in one batch. */
const SCAN_CHUNK = 256;

/** Every process running now, in pid order: its tgid, parent and start time. */
export function scanRunning(procfs: ProcFS): RunningProcess[] {
  return procfs.run(scanRunningFlow(procfs));
}

/** The same with asynchronous reads. */
export function scanRunningAsync(procfs: ProcFS): Promise<RunningProcess[]> {
  return procfs.runAsync(scanRunningFlow(procfs));
}

/** The scan as a flow, for the sync and the async runner. */
export function* scanRunningFlow(procfs: ProcFS): Flow<RunningProcess[]> {
  const pids = (yield* procfs.flows.listPids()).sort((a, b) => a - b);
  const running: RunningProcess[] = [];
  for (let start = 0; start < pids.length; start += SCAN_CHUNK) {
    const chunk = pids.slice(start, start + SCAN_CHUNK);
    for (const found of yield* all(chunk.map((pid) => runningProcessFlow(procfs, pid)))) {
      if (found) running.push(found);
    }
  }
  return running;
}

/** One process from its stat, or undefined when it is gone or a zombie. */
export function* runningProcessFlow(procfs: ProcFS, pid: number): Flow<RunningProcess | undefined> {
  try {
    const stat = yield* readLiveStat(procfs, pid);
    if (stat.state === 'Z' && (yield* procfs.flows.processState(pid)) !== 'alive') return undefined;
    if (stat.state === 'X' || stat.state === 'x') return undefined;
    return { tgid: pid, ppid: stat.ppid, startTime: stat.startTime };
  } catch (error) {
    // Listed, then gone before its stat was read (or while its threads were): not running.
    if (error instanceof ProcessGoneError) return undefined;
    throw error;
  }
}

/** What changed between two pictures: a pid whose start time changed is both gone and started. */
export interface RunningDiff {
  started: RunningProcess[];
  gone: number[];
}

/**
 * The difference from `before` to `now`. An entry of `before` whose start time is not known
 * yet (a process learned of from an event: see `PictureEntry`) is the same process when the
 * scan's start time is not after the event's time (`sameProcess`).
 */
export function diffRunning(
  before: ReadonlyMap<number, PictureEntry>,
  now: readonly RunningProcess[],
  sameProcess: (entry: PictureEntry, found: RunningProcess) => boolean = sameStartTime,
): RunningDiff {
  const started: RunningProcess[] = [];
  const gone: number[] = [];
  const seen = new Set<number>();
  for (const found of now) {
    seen.add(found.tgid);
    const known = before.get(found.tgid);
    if (known === undefined) {
      started.push(found);
    } else if (!sameProcess(known, found)) {
      gone.push(found.tgid);
      started.push(found);
    }
  }
  for (const tgid of before.keys()) if (!seen.has(tgid)) gone.push(tgid);
  gone.sort((a, b) => a - b);
  return { started, gone };
}

/** The resync event for a scan made against `before`. */
export function resyncEvent(
  before: ReadonlyMap<number, PictureEntry>,
  running: RunningProcess[],
  source: EventSourceKind,
  timestampNs: bigint,
  sameProcess?: (entry: PictureEntry, found: RunningProcess) => boolean,
): ResyncEvent {
  const { started, gone } = diffRunning(before, running, sameProcess);
  return { type: 'resync', timestampNs, source, running, started, gone };
}

/**
 * A process in a picture. From a scan (or an exec whose details were read) its start time is
 * known; from a fork or exec event alone it is not, and `seenAtNs` (the event's time) bounds it.
 */
export interface PictureEntry {
  tgid: number;
  ppid: number;
  startTime?: number | undefined;
  seenAtNs?: bigint | undefined;
}

/** A picture keyed by tgid, from a scan. */
export function pictureOf(running: readonly RunningProcess[]): Map<number, PictureEntry> {
  const picture = new Map<number, PictureEntry>();
  for (const found of running) picture.set(found.tgid, found);
  return picture;
}

function sameStartTime(entry: PictureEntry, found: RunningProcess): boolean {
  return entry.startTime === found.startTime;
}

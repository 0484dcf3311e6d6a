// The source for when the proc connector cannot be used (no CAP_NET_ADMIN, a kernel without
// it): every interval, scan /proc and diff with the scan before. A new (tgid, start time) is an
// exec, one gone is an exit. What it cannot see is in POLLING_MISSES.
//
// Scans run with asynchronous reads, one after the other: the next is timed from the end of the
// one before, so they never overlap however slow /proc is.

import { readFileSync } from 'node:fs';
import { defaultProcFS, type ProcFS } from '@procmon/procfs';
import { EventSourceError } from './errors.js';
import {
  diffRunning,
  pictureOf,
  type RunningDiff,
  scanRunning,
  scanRunningAsync,
} from './resync.js';
import type { EventSink, EventSourceHandle } from './source.js';
import type { ExecEvent, ExitEvent, RunningProcess } from './types.js';

export const DEFAULT_POLL_INTERVAL_MS = 100;

/** What polling cannot see, for `SourceChoice.misses`. */
export const POLLING_MISSES: readonly string[] = [
  'processes that live less than the interval',
  'threads (only processes are listed)',
  'exit codes and signals',
  'comm, uid, gid, sid, ptrace and coredump events',
  'forks: a new process is shown as an exec, whether it ran a program or not',
  "an exec by a process already seen (a shell's `exec`, a child that execs after a scan found it): it keeps the program it was first seen with",
];

/** hidepid values under which a pid this user may not trace is not even listed. */
const HIDING = new Set(['2', 'invisible', '4', 'ptraceable']);

/**
 * What polling misses besides POLLING_MISSES on this mount: with `hidepid=invisible` (or
 * `ptraceable`), the pids of processes this user may not trace are not listed, so their
 * processes never show (read from `<root>/self/mountinfo`; nothing when it cannot be read).
 */
export function mountMisses(procfs: ProcFS): string[] {
  let text: string;
  try {
    text = readFileSync(`${procfs.root}/self/mountinfo`, 'latin1');
  } catch {
    return [];
  }
  // The last mount on the root is the one seen; its options follow " - proc <source> ".
  let options: string | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields[4] === procfs.root && dash > 0 && fields[dash + 1] === 'proc') {
      options = fields[dash + 3];
    }
  }
  const hidepid = options
    ?.split(',')
    .find((option) => option.startsWith('hidepid='))
    ?.slice('hidepid='.length);
  if (hidepid === undefined || !HIDING.has(hidepid)) return [];
  return [
    `processes of other users this one may not trace: ${procfs.root} is mounted with hidepid=${hidepid}, their pids are not listed`,
  ];
}

export interface PollingSourceOptions {
  /** Time between the end of one scan and the start of the next, ms; 100 unless set. */
  intervalMs?: number | undefined;
  procfs?: ProcFS | undefined;
  /** The scan to diff the first poll against; one is made at open unless given. */
  initial?: readonly RunningProcess[] | undefined;
}

/**
 * Starts polling. Events go to `sink` in the order exits (by pid), then execs (by pid): a pid
 * reused between two scans is an exit then an exec. A scan that fails (not a process that
 * vanished: an error reading /proc itself) ends the source with an EventSourceError.
 */
export function openPollingSource(
  sink: EventSink,
  options: PollingSourceOptions = {},
): EventSourceHandle {
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs < 1 || intervalMs > 2_147_483_647) {
    throw new TypeError(`intervalMs must be a number of ms from 1 to 2^31-1, got ${intervalMs}`);
  }
  const procfs = options.procfs ?? defaultProcFS();
  let picture = pictureOf(options.initial ?? scanRunning(procfs));
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let referenced = true;

  const schedule = () => {
    timer = setTimeout(poll, intervalMs);
    if (!referenced) timer.unref();
  };
  const poll = () => {
    timer = undefined;
    scanRunningAsync(procfs).then(
      (running) => {
        if (closed) return;
        const timestampNs = process.hrtime.bigint();
        const diff = diffRunning(picture, running);
        picture = pictureOf(running);
        for (const event of eventsOf(diff, timestampNs)) {
          if (closed) return;
          sink.push(event);
        }
        if (!closed) schedule();
      },
      (error: unknown) => {
        if (closed) return;
        closed = true;
        const code = (error as { code?: unknown }).code;
        const reason = error instanceof Error ? error.message : String(error);
        sink.fail(
          new EventSourceError(
            `polling /proc failed: ${reason}`,
            'polling',
            typeof code === 'string' ? code : undefined,
            { cause: error },
          ),
        );
      },
    );
  };
  schedule();

  return {
    kind: 'polling',
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    ref() {
      referenced = true;
      timer?.ref();
    },
    unref() {
      referenced = false;
      timer?.unref();
    },
  };
}

/** The events of one diff: exits first (a reused pid's old process ends before the new starts). */
function eventsOf(diff: RunningDiff, timestampNs: bigint): (ExecEvent | ExitEvent)[] {
  const events: (ExecEvent | ExitEvent)[] = [];
  for (const tgid of diff.gone) {
    events.push({ type: 'exit', pid: tgid, tgid, timestampNs, source: 'polling' });
  }
  for (const found of diff.started) {
    events.push({
      type: 'exec',
      pid: found.tgid,
      tgid: found.tgid,
      timestampNs,
      source: 'polling',
    });
  }
  return events;
}

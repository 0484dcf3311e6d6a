// What a program is, read the moment its exec is delivered, before it can exit: the exe link,
// cmdline, cwd, stat and status of the process, in one step of reads (one batch: one native call
// with the native backend), parsed by @procmon/parse as everywhere else.
//
// Identity: the event names a pid, and by the time it is read the pid may belong to another
// process. The stat read in the same batch says when the process read was started; if that is
// after the event, it is another process and nothing read is returned (every field missing,
// 'gone'). Reads of one batch happen within microseconds of each other, and a pid is reused only
// after the kernel has handed out every other free pid (pid_max of them), so the stat vouches for
// the batch. Without a stat there is no identity: every field is then missing.

import { decodeText, parseCmdline, parseStatus, type Stat } from '@procmon/parse';
import {
  all,
  type Flow,
  PermissionDeniedError,
  ProcessGoneError,
  type ProcFS,
} from '@procmon/procfs';
import { latestStartTicks } from './clocks.js';
import { readLiveStat } from './live-stat.js';
import type { ExecDetails } from './types.js';

type Field = keyof ExecDetails['missing'];
type Reason = 'gone' | 'not-permitted';

/** Arguments exactly as the NUL-separated strings (as @procmon/process reads them). */
const NUL_SEPARATED = { splitRewrittenTitle: false } as const;

/** A zombie, or a process being reaped. */
const DEAD_STATES: ReadonlySet<string> = new Set(['Z', 'X']);

const FIELDS: readonly Field[] = ['path', 'args', 'cwd', 'stat', 'uids'];

/**
 * Reads the details of process `tgid` for an exec event stamped `eventTimestampNs`
 * (CLOCK_MONOTONIC). Each field that could not be read is missing with its reason; a process
 * whose start time is later than the event (its pid was reused) or whose stat is unreadable gives
 * every field missing. Errors other than gone and permission (an I/O error, a read past its cap)
 * are thrown, as ProcfsError.
 */
export function readExecDetails(
  procfs: ProcFS,
  tgid: number,
  eventTimestampNs: bigint,
  options: DetailsOptions = {},
): ExecDetails {
  checkArguments(tgid, eventTimestampNs);
  return procfs.run(execDetailsFlow(procfs, tgid, eventTimestampNs, options));
}

export interface DetailsOptions {
  /**
   * The process is known to have exited (its exit event is in hand): only a zombie can be it, a
   * live process at its pid is another one that reused it (even within the start time's tick).
   */
  exited?: boolean | undefined;
}

/** The same with asynchronous reads. */
export function readExecDetailsAsync(
  procfs: ProcFS,
  tgid: number,
  eventTimestampNs: bigint,
  options: DetailsOptions = {},
): Promise<ExecDetails> {
  try {
    checkArguments(tgid, eventTimestampNs);
    return procfs.runAsync(execDetailsFlow(procfs, tgid, eventTimestampNs, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The reads as a flow. */
export function* execDetailsFlow(
  procfs: ProcFS,
  tgid: number,
  eventTimestampNs: bigint,
  { exited = false }: DetailsOptions = {},
): Flow<ExecDetails> {
  const missing: ExecDetails['missing'] = {};
  const [path, args, cwd, stat, status] = yield* all([
    field(missing, 'path', function* () {
      const bytes = yield* procfs.flows.readLink(tgid, 'exe');
      return decodeText('text', bytes, 0, bytes.length);
    }),
    field(missing, 'args', function* () {
      return parseCmdline(yield* procfs.flows.readFile(tgid, 'cmdline'), NUL_SEPARATED);
    }),
    field(missing, 'cwd', function* () {
      const bytes = yield* procfs.flows.readLink(tgid, 'cwd');
      return decodeText('text', bytes, 0, bytes.length);
    }),
    field(missing, 'stat', function* () {
      return yield* readLiveStat(procfs, tgid);
    }),
    field(missing, 'uids', function* () {
      return parseStatus(statusHead(yield* procfs.flows.readFile(tgid, 'status'))).uid;
    }),
  ] as const);
  if (stat === undefined) return allMissing(missing.stat ?? 'gone');
  if (exited && !DEAD_STATES.has((stat as Stat).state)) return allMissing('gone');
  if (!(yield* startedBy(procfs, stat as Stat, eventTimestampNs))) return allMissing('gone');
  const details: ExecDetails = { missing };
  if (path !== undefined) details.path = path as string;
  if (args !== undefined) details.args = args as string[];
  if (cwd !== undefined) details.cwd = cwd as string;
  const { ppid, startTime, comm } = stat as Stat;
  details.ppid = ppid;
  details.startTime = startTime;
  details.comm = comm;
  if (status !== undefined) {
    const uid = status as { real: number; effective: number; saved: number; filesystem: number };
    details.uids = [uid.real, uid.effective, uid.saved, uid.filesystem];
  }
  return details;
}

/**
 * Whether the process read had started by the event. A start time that looks later is checked
 * once more against a fresh measure of the clocks (the machine may have been suspended since).
 */
function* startedBy(procfs: ProcFS, stat: Stat, eventNs: bigint): Flow<boolean> {
  if (stat.startTime <= (yield* latestStartTicks(procfs, eventNs))) return true;
  return stat.startTime <= (yield* latestStartTicks(procfs, eventNs, true));
}

/** One field's read: its value, or undefined with the reason noted in `missing`. */
function* field<T>(
  missing: ExecDetails['missing'],
  name: Field,
  read: () => Flow<T>,
): Flow<T | undefined> {
  try {
    return yield* read();
  } catch (error) {
    const reason = reasonOf(error);
    if (reason === undefined) throw error;
    missing[name] = reason;
    return undefined;
  }
}

const GID_LINE = Buffer.from('\nGid:');

/**
 * The lines of a status file up to `Gid:`: every line parseStatus requires (Name, State, Tgid,
 * Pid, PPid, TracerPid, Uid, Gid come first, in that order, on every kernel since 2.6), without
 * the forty-odd after them. Parsing them alone is about seven times faster, and the uids are
 * the same. `Name` cannot hide a `\nGid:` (the kernel escapes a newline in it as `\n`); a file
 * without the line is parsed whole (and refused by parseStatus).
 */
function statusHead(bytes: Uint8Array): Uint8Array {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const gid = view.indexOf(GID_LINE);
  if (gid < 0) return bytes;
  const end = view.indexOf(0x0a, gid + 1);
  return end < 0 ? bytes : bytes.subarray(0, end + 1);
}

function reasonOf(error: unknown): Reason | undefined {
  if (error instanceof ProcessGoneError) return 'gone';
  if (error instanceof PermissionDeniedError) return 'not-permitted';
  return undefined;
}

/** The details of an exec the source knows was followed by another exec: all gone. */
export function supersededDetails(): ExecDetails {
  return allMissing('gone');
}

function allMissing(reason: Reason): ExecDetails {
  const missing: ExecDetails['missing'] = {};
  for (const name of FIELDS) missing[name] = reason;
  return { missing };
}

function checkArguments(tgid: number, eventTimestampNs: bigint): void {
  if (!Number.isSafeInteger(tgid) || tgid < 1) {
    throw new TypeError(`tgid must be a positive integer, got ${String(tgid)}`);
  }
  if (typeof eventTimestampNs !== 'bigint' || eventTimestampNs < 0n) {
    throw new TypeError(
      `eventTimestampNs must be a bigint of CLOCK_MONOTONIC ns, got ${String(eventTimestampNs)}`,
    );
  }
}

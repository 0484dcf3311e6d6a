// Every process on the machine with a chosen set of fields: what `procmon ps` shows. Processes
// that exit during the scan are absent (gone before their stat was read) or marked `gone`.

import {
  decodeText,
  type Environ,
  parseCmdline,
  parseEnviron,
  parseStat,
  parseStatus,
  type Stat,
  type StatusIds,
} from '@procmon/parse';
import { ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
import { NUL_SEPARATED } from './details.js';
import { type FieldFailure, fieldFailure, PidReusedError, ProgramChangedError } from './errors.js';
import { type Flow, readFile, readLink, runAsync, runSync } from './flow.js';
import { isLoading, MAX_READINGS, sameImage } from './image.js';
import { isKernelThread, type PathSource, resolvePath } from './path.js';

/** Fields a scan can read besides the stat it always reads (pid, ppid, comm, state, start time). */
export type ScanField = 'path' | 'args' | 'cwd' | 'environ' | 'uids';

export const SCAN_FIELDS: readonly ScanField[] = ['path', 'args', 'cwd', 'environ', 'uids'];

export interface ScanOptions {
  procfs?: ProcFS | undefined;
  /** Which fields to read; `path` and `args` unless given. */
  fields?: readonly ScanField[] | undefined;
  /** Processes read at once by `scanProcessesAsync`; 32 unless set. */
  concurrency?: number | undefined;
}

export interface ScannedProcess {
  pid: number;
  ppid: number;
  comm: string;
  /** The state letter (R, S, D, Z, ...). */
  state: string;
  startTime: number;
  /** As `Process.details().path`: the binary, else args[0] or comm, or `Kernel connection`. */
  path?: string;
  /**
   * Where `path` came from: `exe` (the binary), `args` or `comm` (what the process calls itself,
   * when its exe link could not be read), `kernel` (a kernel thread).
   */
  pathSource?: PathSource;
  /** The binary was deleted or replaced while it runs. */
  deleted?: boolean;
  kernelTask?: boolean;
  args?: string[];
  /** The arguments joined by one space. */
  command?: string;
  cwd?: string;
  environ?: Environ;
  uids?: StatusIds;
  /** It exited during the scan: the fields read before are kept, the rest are in `failures`. */
  gone: boolean;
  failures: FieldFailure[];
}

const DEFAULT_FIELDS: readonly ScanField[] = ['path', 'args'];

/** Scans every process under the ProcFS root, in pid order. */
export function scanProcesses(options: ScanOptions = {}): ScannedProcess[] {
  const procfs = procfsOf(options);
  const fields = checkFields(options.fields ?? DEFAULT_FIELDS);
  const scanned: ScannedProcess[] = [];
  for (const pid of procfs.listPids().sort(byNumber)) {
    const result = runSync(scanOne(pid, procfs.root, fields), { procfs, sockets: noSockets });
    if (result) scanned.push(result);
  }
  return scanned;
}

/** The same with asynchronous reads, `concurrency` processes at a time; still in pid order. */
export async function scanProcessesAsync(options: ScanOptions = {}): Promise<ScannedProcess[]> {
  const procfs = procfsOf(options);
  const fields = checkFields(options.fields ?? DEFAULT_FIELDS);
  const concurrency = options.concurrency ?? 32;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  const pids = (await procfs.promises.listPids()).sort(byNumber);
  const results: (ScannedProcess | undefined)[] = new Array(pids.length);
  let next = 0;
  const worker = async () => {
    while (next < pids.length) {
      const index = next++;
      const flow = scanOne(pids[index] as number, procfs.root, fields);
      results[index] = await runAsync(flow, { procfs, sockets: noSockets });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pids.length) }, worker));
  return results.filter((result): result is ScannedProcess => result !== undefined);
}

/**
 * One process. One that replaced its program (execve) while its fields were read is read again,
 * so they all come from one program; if it does so each of MAX_READINGS times, it is listed with
 * its stat alone and each asked field a `changed` failure.
 */
function* scanOne(
  pid: number,
  procRoot: string,
  fields: ReadonlySet<ScanField>,
): Flow<ScannedProcess | undefined> {
  for (let attempt = 0; ; attempt++) {
    const read = yield* scanAttempt(pid, procRoot, fields);
    if (read === undefined || read.programChanged === undefined) return read?.scanned;
    if (attempt === MAX_READINGS - 1) return changedEachTime(read.programChanged, fields);
  }
}

/** What one reading of a process gave: `programChanged` is the stat after, if the program changed. */
interface ScanAttempt {
  scanned: ScannedProcess;
  programChanged?: Stat;
}

function* scanAttempt(
  pid: number,
  procRoot: string,
  fields: ReadonlySet<ScanField>,
): Flow<ScanAttempt | undefined> {
  let stat: Stat;
  try {
    stat = parseStat(yield* readFile(pid, 'stat'));
  } catch (error) {
    // Exited between the listing and its stat: not a process any more.
    if (error instanceof ProcessGoneError) return undefined;
    throw error;
  }
  const failures: FieldFailure[] = [];
  const scanned: ScannedProcess = {
    pid,
    ppid: stat.ppid,
    comm: stat.comm,
    state: stat.state,
    startTime: stat.starttime,
    gone: false,
    failures,
  };
  const field = function* (name: ScanField, read: () => Flow<void>): Flow<void> {
    if (!fields.has(name)) return;
    try {
      yield* read();
    } catch (error) {
      failures.push(fieldFailure(name, error));
    }
  };
  let args: string[] | undefined;
  yield* field('args', function* () {
    args = parseCmdline(yield* readFile(pid, 'cmdline'), NUL_SEPARATED);
  });
  yield* field('path', function* () {
    const resolved = yield* resolvePath(
      pid,
      procRoot,
      stat.comm,
      args,
      false,
      isKernelThread(stat),
    );
    scanned.path = resolved.path;
    scanned.pathSource = resolved.source;
    scanned.deleted = resolved.deleted;
    scanned.kernelTask = resolved.kernelTask;
    // A kernel thread's one argument is its comm, as in details (when arguments were asked for).
    if (resolved.kernelTask && fields.has('args')) args = [stat.comm];
    if (resolved.failure) failures.push(resolved.failure);
  });
  if (args !== undefined) {
    if (args[0] === '/proc/self/exe' && scanned.path !== undefined)
      args = [scanned.path, ...args.slice(1)];
    scanned.args = args;
    scanned.command = args.join(' ');
  }
  yield* field('cwd', function* () {
    const bytes = yield* readLink(pid, 'cwd');
    scanned.cwd = decodeText('text', bytes, 0, bytes.length);
  });
  yield* field('environ', function* () {
    scanned.environ = parseEnviron(yield* readFile(pid, 'environ'));
  });
  yield* field('uids', function* () {
    scanned.uids = parseStatus(yield* readFile(pid, 'status')).uid;
  });
  // Still the same process? A reused pid's fields would mix two processes: drop it.
  try {
    const now = parseStat(yield* readFile(pid, 'stat'));
    if (now.starttime !== stat.starttime)
      throw new PidReusedError(pid, `${procRoot}/${pid}/stat`, stat.starttime, now.starttime);
    // Still the same program? execve keeps the pid and start time, not the memory map.
    // Or still being loaded (half of it may have been read).
    if (!sameImage(now, stat) || isLoading(now)) return { scanned, programChanged: now };
  } catch (error) {
    if (error instanceof PidReusedError) return undefined;
    if (!(error instanceof ProcessGoneError)) throw error;
    scanned.gone = true;
  }
  return { scanned };
}

/** A process that replaced its program during every reading: its last stat, no other field. */
function changedEachTime(stat: Stat, fields: ReadonlySet<ScanField>): ScannedProcess {
  const error = new ProgramChangedError(stat.pid, MAX_READINGS);
  return {
    pid: stat.pid,
    ppid: stat.ppid,
    comm: stat.comm,
    state: stat.state,
    startTime: stat.starttime,
    gone: false,
    failures: [...fields].map((field) => fieldFailure(field, error)),
  };
}

// A scan reads no descriptors.
const noSockets = () => undefined;

function byNumber(a: number, b: number): number {
  return a - b;
}

function checkFields(fields: readonly ScanField[]): ReadonlySet<ScanField> {
  for (const name of fields) {
    if (!SCAN_FIELDS.includes(name)) {
      throw new TypeError(`unknown scan field "${String(name)}"; known: ${SCAN_FIELDS.join(', ')}`);
    }
  }
  return new Set(fields);
}

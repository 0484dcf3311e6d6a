// Every process on the machine with a chosen set of fields: what `procmon ps` shows. Processes
// are read side by side, a chunk at a time (one batch of reads per step of each chunk), and each
// is checked after its reads as a collector is: processes that exit during the scan are absent
// (gone before their stat was read) or marked `gone`, reused pids are dropped.

import {
  decodeText,
  type Environ,
  parseCmdline,
  parseEnviron,
  parseStat,
  parseStatus,
  type Stat,
  type Status,
  type StatusIds,
} from '@procmon/parse';
import { all, done, type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { sampleSecondsOf } from './cpu.js';
import { procfsOf } from './default-procfs.js';
import { NUL_SEPARATED } from './details.js';
import {
  captured,
  type FieldFailure,
  fieldFailure,
  PidReusedError,
  ProgramChangedError,
} from './errors.js';
import { isLoading, MAX_READINGS, sameImage } from './image.js';
import {
  type ExeReading,
  isKernelThread,
  kernelThreadPath,
  type PathSource,
  readExePath,
  resolveExe,
} from './path.js';

/** Fields a scan can read besides the stat it always reads (pid, ppid, comm, state, start time). */
export type ScanField = 'path' | 'args' | 'cwd' | 'environ' | 'uids' | 'status';

export const SCAN_FIELDS: readonly ScanField[] = [
  'path',
  'args',
  'cwd',
  'environ',
  'uids',
  'status',
];

export interface ScanOptions {
  procfs?: ProcFS | undefined;
  /** Which fields to read; `path` and `args` unless given. */
  fields?: readonly ScanField[] | undefined;
  /** Processes read side by side (one batch of reads per step); 64 unless set. */
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
   * when its exe link could not be read), `kernel` (a kernel thread), `none` (past PATH_MAX).
   */
  pathSource?: PathSource;
  /** The binary was deleted or replaced while it runs. */
  deleted?: boolean;
  kernelThread?: boolean;
  args?: string[];
  /** The arguments joined by one space. */
  command?: string;
  cwd?: string;
  environ?: Environ;
  uids?: StatusIds;
  /**
   * The whole status, parsed (field `status`): ids, memory sizes in bytes (`VmRSS`, `VmSize`,
   * `VmLck`, ...), threads, capabilities. One read serves `uids` and `status`.
   */
  status?: Status;
  /**
   * The stat as first read: CPU times, memory, threads, nice, priority (what `ps aux` shows);
   * `cpuSampleOf(stat, clockTicks, readAt)` turns it into a CPU sample for cpuPercents.
   */
  stat: Stat;
  /**
   * When that stat was read, in seconds on the clock of CPU samples (`sampleSecondsOf`): the
   * monotonic clock live, the captured machine's uptime at the capture for a snapshot.
   */
  readAt: number;
  /** It exited during the scan: the fields read before are kept, the rest are in `failures`. */
  gone: boolean;
  failures: FieldFailure[];
}

const DEFAULT_FIELDS: readonly ScanField[] = ['path', 'args'];
// The order failures are listed in.
const FAILURE_ORDER: readonly string[] = ['args', 'path', 'cwd', 'environ', 'uids', 'status'];

/** Scans every process under the ProcFS root, in pid order. */
export function scanProcesses(options: ScanOptions = {}): ScannedProcess[] {
  const procfs = procfsOf(options);
  return procfs.run(scanFlow(procfs, checkOptions(options)));
}

/** The same with asynchronous reads; still in pid order. */
export function scanProcessesAsync(options: ScanOptions = {}): Promise<ScannedProcess[]> {
  const procfs = procfsOf(options);
  try {
    return procfs.runAsync(scanFlow(procfs, checkOptions(options)));
  } catch (error) {
    return Promise.reject(error);
  }
}

interface CheckedOptions {
  fields: ReadonlySet<ScanField>;
  concurrency: number;
}

function* scanFlow(procfs: ProcFS, options: CheckedOptions): Flow<ScannedProcess[]> {
  const pids = (yield* procfs.flows.listPids()).sort((a, b) => a - b);
  const scanned: ScannedProcess[] = [];
  for (let start = 0; start < pids.length; start += options.concurrency) {
    const chunk = pids.slice(start, start + options.concurrency);
    for (const result of yield* all(chunk.map((pid) => scanOne(procfs, pid, options.fields)))) {
      if (result) scanned.push(result);
    }
  }
  return scanned;
}

/**
 * One process. One that replaced its program (execve) while its fields were read is read again,
 * so they all come from one program; if it does so each of MAX_READINGS times, it is listed with
 * its stat alone and each asked field a `changed` failure.
 */
function* scanOne(
  procfs: ProcFS,
  pid: number,
  fields: ReadonlySet<ScanField>,
): Flow<ScannedProcess | undefined> {
  for (let attempt = 0; ; attempt++) {
    const read = yield* scanAttempt(procfs, pid, fields);
    if (read === undefined || read.programChanged === undefined) return read?.scanned;
    if (attempt === MAX_READINGS - 1)
      return changedEachTime(read.programChanged, fields, sampleSecondsOf(procfs));
  }
}

/** What one reading of a process gave: `programChanged` is the stat after, if the program changed. */
interface ScanAttempt {
  scanned: ScannedProcess;
  programChanged?: Stat;
}

function* scanAttempt(
  procfs: ProcFS,
  pid: number,
  fields: ReadonlySet<ScanField>,
): Flow<ScanAttempt | undefined> {
  let stat: Stat;
  let readAt: number;
  try {
    stat = parseStat(yield* procfs.flows.readFile(pid, 'stat'));
    readAt = sampleSecondsOf(procfs);
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
    startTime: stat.startTime,
    stat,
    readAt,
    gone: false,
    failures,
  };
  const kernelThread = isKernelThread(stat);
  const wanted = <T>(field: ScanField, read: () => Flow<T>): Flow<T | undefined> =>
    fields.has(field) ? captured(failures, field, read) : done(undefined);
  // One read of status serves both fields; a failure is listed under each field asked.
  const statusField: ScanField | undefined = fields.has('status')
    ? 'status'
    : fields.has('uids')
      ? 'uids'
      : undefined;
  const [args, exe, cwd, environ, status] = yield* all<
    [
      string[] | undefined,
      ExeReading | undefined,
      string | undefined,
      Environ | undefined,
      Status | undefined,
    ]
  >([
    wanted('args', function* () {
      return parseCmdline(yield* procfs.flows.readFile(pid, 'cmdline'), NUL_SEPARATED);
    }),
    fields.has('path') && !kernelThread ? readExePath(procfs, pid) : done(undefined),
    wanted('cwd', function* () {
      const bytes = yield* procfs.flows.readLink(pid, 'cwd');
      return decodeText('text', bytes, 0, bytes.length);
    }),
    wanted('environ', function* () {
      return parseEnviron(yield* procfs.flows.readFile(pid, 'environ'));
    }),
    statusField === undefined
      ? done(undefined)
      : wanted(statusField, function* () {
          return parseStatus(yield* procfs.flows.readFile(pid, 'status'));
        }),
  ]);
  if (statusField === 'status' && fields.has('uids') && status === undefined) {
    const failure = failures.find((f) => f.field === 'status');
    if (failure) failures.push({ ...failure, field: 'uids' });
  }
  let shownArgs = args;
  if (fields.has('path')) {
    const resolved =
      exe === undefined
        ? kernelThreadPath()
        : yield* resolveExe(procfs, pid, exe, { comm: stat.comm, args, realPath: false });
    scanned.path = resolved.path;
    scanned.pathSource = resolved.source;
    scanned.deleted = resolved.deleted;
    scanned.kernelThread = resolved.kernelThread;
    // A kernel thread's one argument is its comm, as in details (when arguments were asked for).
    if (resolved.kernelThread && fields.has('args')) shownArgs = [stat.comm];
    if (resolved.failure) failures.push(resolved.failure);
  }
  if (shownArgs !== undefined) {
    if (shownArgs[0] === '/proc/self/exe' && scanned.path !== undefined)
      shownArgs = [scanned.path, ...shownArgs.slice(1)];
    scanned.args = shownArgs;
    scanned.command = shownArgs.join(' ');
  }
  if (cwd !== undefined) scanned.cwd = cwd;
  if (environ !== undefined) scanned.environ = environ;
  if (status !== undefined && fields.has('uids')) scanned.uids = status.uid;
  if (status !== undefined && fields.has('status')) scanned.status = status;
  failures.sort((a, b) => FAILURE_ORDER.indexOf(a.field) - FAILURE_ORDER.indexOf(b.field));
  // Still the same process? A reused pid's fields would mix two processes: drop it.
  try {
    const now = parseStat(yield* procfs.flows.readFile(pid, 'stat'));
    if (now.startTime !== stat.startTime)
      throw new PidReusedError(pid, procfs.pathOf(pid, 'stat'), stat.startTime, now.startTime);
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
function changedEachTime(
  stat: Stat,
  fields: ReadonlySet<ScanField>,
  readAt: number,
): ScannedProcess {
  const error = new ProgramChangedError(stat.pid, MAX_READINGS);
  return {
    pid: stat.pid,
    ppid: stat.ppid,
    comm: stat.comm,
    state: stat.state,
    startTime: stat.startTime,
    stat,
    readAt,
    gone: false,
    failures: [...fields].map((field) => fieldFailure(field, error)),
  };
}

function checkOptions(options: ScanOptions): CheckedOptions {
  const fields = options.fields ?? DEFAULT_FIELDS;
  for (const name of fields) {
    if (!SCAN_FIELDS.includes(name)) {
      throw new TypeError(`unknown scan field "${String(name)}"; known: ${SCAN_FIELDS.join(', ')}`);
    }
  }
  const concurrency = options.concurrency ?? 64;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  return { fields: new Set(fields), concurrency };
}

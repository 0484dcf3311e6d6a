// Collects what `procmon inspect` shows about one process. Each field is read on its own: a
// field that fails is recorded with the reason, and the others are still shown.

import { type ChecksumSource, type Checksums, processChecksum } from '@procmon/hash';
import {
  decodeText,
  type Environ,
  ParseError,
  parseCmdline,
  parseEnviron,
  parseIo,
  parseStat,
  parseStatm,
  parseStatus,
  statStartTime,
} from '@procmon/parse';
import { PermissionDeniedError, ProcessGoneError, ProcFS } from '@procmon/procfs';

/** A pid, or `self` for the procmon process itself. */
export type ProcTarget = number | 'self';

export type FailureReason = 'gone' | 'permission' | 'parse' | 'other';

export interface FieldFailure {
  field: string;
  reason: FailureReason;
  message: string;
}

export interface InspectReport {
  pid: number;
  comm?: string;
  state?: string;
  ppid?: number;
  uid?: { real: number; effective: number; saved: number; filesystem: number };
  gid?: { real: number; effective: number; saved: number; filesystem: number };
  threads?: number;
  startedAt?: string;
  exe?: string;
  cwd?: string;
  args?: string[];
  env?: Environ;
  /** Checksums of the binary it runs, and which source of the fallback chain gave them. */
  checksums?: Checksums;
  checksumSource?: ChecksumSource;
  memory?: { virtualBytes: number; residentBytes: number; sharedBytes: number };
  io?: { readBytes: bigint; writeBytes: bigint; rchar: bigint; wchar: bigint };
  failures: FieldFailure[];
}

export class ProcessNotFoundError extends Error {
  constructor(readonly pid: ProcTarget) {
    super(`process ${pid} does not exist`);
  }
}

export interface InspectOptions {
  env: boolean;
  /** Algorithms for the binary's checksums; none skips hashing. */
  algorithms: readonly string[];
}

export function inspectProcess(target: ProcTarget, options: InspectOptions): InspectReport {
  const procfs = new ProcFS();
  const pid = target === 'self' ? process.pid : target;
  const facts = procfs.machineFacts();
  const readFile = (name: string) => procfs.readFile(pid, name);
  const readLink = (name: string) => {
    const bytes = procfs.readLink(pid, name);
    return decodeText('text', bytes, 0, bytes.length);
  };
  let stat: ReturnType<typeof parseStat>;
  try {
    stat = parseStat(readFile('stat'));
  } catch (error) {
    if (error instanceof ProcessGoneError) throw new ProcessNotFoundError(target);
    throw error;
  }
  const report: InspectReport = {
    pid: stat.pid,
    comm: stat.comm,
    state: `${stat.state} (${stat.stateName})`,
    ppid: stat.ppid,
    threads: stat.numThreads,
    startedAt: new Date(statStartTime(stat, facts)).toISOString(),
    failures: [],
  };
  const field = <T>(name: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      report.failures.push({ field: name, ...describeFailure(error) });
      return undefined;
    }
  };
  const status = field('status', () => parseStatus(readFile('status')));
  if (status?.uid) report.uid = status.uid;
  if (status?.gid) report.gid = status.gid;
  assign(
    report,
    'exe',
    field('exe', () => readLink('exe')),
  );
  assign(
    report,
    'cwd',
    field('cwd', () => readLink('cwd')),
  );
  assign(
    report,
    'args',
    field('cmdline', () => parseCmdline(readFile('cmdline'))),
  );
  if (options.env) {
    assign(
      report,
      'env',
      field('environ', () => parseEnviron(readFile('environ'))),
    );
  }
  if (options.algorithms.length > 0) {
    const checksum = field('checksums', () => processChecksum(pid, options.algorithms, { procfs }));
    if (checksum) {
      report.checksums = checksum.checksums;
      report.checksumSource = checksum.source;
    }
  }
  const statm = field('statm', () => parseStatm(readFile('statm'), { pageSize: facts.pageSize }));
  if (statm) {
    report.memory = {
      virtualBytes: statm.bytes.size,
      residentBytes: statm.bytes.resident,
      sharedBytes: statm.bytes.shared,
    };
  }
  const io = field('io', () => parseIo(readFile('io')));
  if (io) {
    report.io = {
      readBytes: io.readBytes,
      writeBytes: io.writeBytes,
      rchar: io.rchar,
      wchar: io.wchar,
    };
  }
  return report;
}

function assign<K extends keyof InspectReport>(
  report: InspectReport,
  key: K,
  value: InspectReport[K] | undefined,
): void {
  if (value !== undefined) report[key] = value;
}

function describeFailure(error: unknown): { reason: FailureReason; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ParseError) return { reason: 'parse', message };
  if (error instanceof Error && error.name === 'HashError') return { reason: 'other', message };
  if (error instanceof PermissionDeniedError) return { reason: 'permission', message };
  if (error instanceof ProcessGoneError) return { reason: 'gone', message };
  return { reason: 'other', message };
}

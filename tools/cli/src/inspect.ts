// Collects what `procmon inspect` shows about one process. Each field is read on its own: a
// field that fails is recorded with the reason, and the others are still shown.
import {
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
import { type ProcTarget, readMachineFacts, readProcFile, readProcLink } from './read-proc.js';

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
  memory?: { virtualBytes: number; residentBytes: number; sharedBytes: number };
  io?: { readBytes: bigint; writeBytes: bigint; rchar: bigint; wchar: bigint };
  failures: FieldFailure[];
}

export class ProcessNotFoundError extends Error {
  constructor(readonly pid: ProcTarget) {
    super(`process ${pid} does not exist`);
  }
}

export function inspectProcess(pid: ProcTarget, options: { env: boolean }): InspectReport {
  const facts = readMachineFacts();
  let stat: ReturnType<typeof parseStat>;
  try {
    stat = parseStat(readProcFile(pid, 'stat'));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ESRCH') {
      throw new ProcessNotFoundError(pid);
    }
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
  const status = field('status', () => parseStatus(readProcFile(pid, 'status')));
  if (status?.uid) report.uid = status.uid;
  if (status?.gid) report.gid = status.gid;
  assign(
    report,
    'exe',
    field('exe', () => readProcLink(pid, 'exe')),
  );
  assign(
    report,
    'cwd',
    field('cwd', () => readProcLink(pid, 'cwd')),
  );
  assign(
    report,
    'args',
    field('cmdline', () => parseCmdline(readProcFile(pid, 'cmdline'))),
  );
  if (options.env) {
    assign(
      report,
      'env',
      field('environ', () => parseEnviron(readProcFile(pid, 'environ'))),
    );
  }
  const statm = field('statm', () =>
    parseStatm(readProcFile(pid, 'statm'), { pageSize: facts.pageSize }),
  );
  if (statm) {
    report.memory = {
      virtualBytes: statm.bytes.size,
      residentBytes: statm.bytes.resident,
      sharedBytes: statm.bytes.shared,
    };
  }
  const io = field('io', () => parseIo(readProcFile(pid, 'io')));
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

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

function describeFailure(error: unknown): { reason: FailureReason; message: string } {
  if (error instanceof ParseError) return { reason: 'parse', message: error.message };
  const code = errnoOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission', message };
  if (code === 'ENOENT' || code === 'ESRCH') return { reason: 'gone', message };
  return { reason: 'other', message };
}

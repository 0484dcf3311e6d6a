// `procmon hash <pid|file>`: the checksums of what a process runs, or of a file.
import {
  type ChecksumSource,
  type Checksums,
  checkAlgorithms,
  hashFile,
  processChecksum,
} from '@procmon/hash';
import { escapeText } from '@procmon/parse';
import { ProcessGoneError, ProcFS } from '@procmon/procfs';
import { pc } from './colors.js';
import { ProcessNotFoundError, type ProcTarget, pidOf } from './target.js';

export interface HashReport {
  /** The process hashed, absent for a file. */
  pid?: number;
  path: string;
  /** For a process: which source of the fallback chain answered. */
  source?: ChecksumSource;
  deleted?: boolean;
  checksums: Checksums;
}

/** `self`, or digits, name a process; anything else is a file path. */
export function hashTarget(target: string, algorithms: readonly string[]): HashReport {
  checkAlgorithms(algorithms);
  if (target === 'self' || /^[1-9]\d{0,9}$/.test(target)) {
    const pid = target === 'self' ? process.pid : Number(target);
    const result = checksumOf(target === 'self' ? 'self' : pid, algorithms);
    return {
      pid,
      path: result.path,
      source: result.source,
      deleted: result.deleted,
      checksums: result.checksums,
    };
  }
  return { path: target, checksums: hashFile(target, algorithms) };
}

function checksumOf(target: ProcTarget, algorithms: readonly string[]) {
  try {
    return processChecksum(pidOf(target), algorithms);
  } catch (error) {
    // Gone before anything was read: as every command says it.
    if (error instanceof ProcessGoneError && processGone(pidOf(target))) {
      throw new ProcessNotFoundError(target);
    }
    throw error;
  }
}

function processGone(pid: number): boolean {
  try {
    return new ProcFS().processState(pid) === 'gone';
  } catch {
    return true;
  }
}

export function formatHashReport(report: HashReport): string {
  const head =
    report.pid === undefined
      ? pc.bold(escapeText(report.path))
      : `${pc.bold(`process ${report.pid}`)}  ${escapeText(report.path)}${report.deleted ? ' (deleted)' : ''}  ${pc.dim(`from ${escapeText(report.source ?? '')}`)}`;
  const width = Math.max(...Object.keys(report.checksums).map((name) => name.length));
  const rows = Object.entries(report.checksums).map(
    ([name, digest]) => `  ${pc.dim(name.padEnd(width))}  ${digest}`,
  );
  return [head, ...rows].join('\n');
}

/** `md5,sha1` → ['md5', 'sha1']. */
export const algorithmList = (value: string): string[] =>
  value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');

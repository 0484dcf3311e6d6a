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
import type { HashTarget, ProcTarget } from './arguments.js';
import { pc } from './colors.js';
import { ProcessNotFoundError, pidOf } from './target.js';

export interface HashReport {
  /** The process hashed, absent for a file. */
  pid?: number;
  /** The file, or the process's binary; absent when the kernel cannot give it (past PATH_MAX). */
  path?: string;
  /** For a process: which source of the fallback chain answered. */
  source?: ChecksumSource;
  deleted?: boolean;
  checksums: Checksums;
}

export function hashTarget(target: HashTarget, algorithms: readonly string[]): HashReport {
  checkAlgorithms(algorithms);
  if ('file' in target) return { path: target.file, checksums: hashFile(target.file, algorithms) };
  const result = checksumOf(target.pid, algorithms);
  const report: HashReport = {
    pid: pidOf(target.pid),
    source: result.source,
    checksums: result.checksums,
  };
  if (result.path !== undefined) report.path = result.path;
  if (result.deleted !== undefined) report.deleted = result.deleted;
  return report;
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
  // The exe link past PATH_MAX: no path, and no name the process chose in its place.
  const path = report.path === undefined ? '[path too long to read]' : escapeText(report.path);
  const head =
    report.pid === undefined
      ? pc.bold(path)
      : `${pc.bold(`process ${report.pid}`)}  ${path}${report.deleted ? ' (deleted)' : ''}  ${pc.dim(`from ${escapeText(report.source ?? '')}`)}`;
  const width = Math.max(...Object.keys(report.checksums).map((name) => name.length));
  const rows = Object.entries(report.checksums).map(
    ([name, digest]) => `  ${pc.dim(name.padEnd(width))}  ${digest}`,
  );
  return [head, ...rows].join('\n');
}

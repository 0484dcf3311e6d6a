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
import { InvalidArgumentError } from 'commander';
import { pc } from './colors.js';
import { ProcessNotFoundError, type ProcTarget, pidOf, pidProblem } from './target.js';

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

/** What `procmon hash` was given: a process, or a file. */
export type HashTarget = { pid: ProcTarget } | { file: string };

/**
 * Commander's parser for hash's `<target>`: `self` and digits name a process, anything else a
 * file. Digits that cannot be a pid (too large, a leading zero) are refused rather than taken for
 * a file name, which would hash a file where a process was meant: `./0123` names such a file.
 */
export function parseHashTarget(value: string): HashTarget {
  if (value === 'self') return { pid: 'self' };
  if (!/^\d+$/.test(value)) return { file: value };
  const problem = pidProblem(value);
  if (problem !== undefined) {
    throw new InvalidArgumentError(
      `"${value}" cannot be a process id (${problem}); to hash a file of that name, write ./${value}`,
    );
  }
  return { pid: Number(value) };
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

/**
 * Commander's parser for `--algo`: `md5, sha1` → ['md5', 'sha1']. An empty list or an empty name
 * is a usage error: it would hash nothing and still succeed. Unknown names are for
 * checkAlgorithms.
 */
export function parseAlgorithmList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.every((name) => name === '')) {
    throw new InvalidArgumentError(
      'no algorithm named: give a comma-separated list, e.g. md5,sha256',
    );
  }
  if (names.includes('')) throw new InvalidArgumentError(`an empty algorithm name in "${value}"`);
  return names;
}

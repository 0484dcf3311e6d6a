// Whether a checksum is still the process's: the start time, read before the hash and after it,
// must be the same (a pid reused by another process has another).
import { parseStat } from '@procmon/parse';
import { ProcessGoneError, type ProcFS } from '@procmon/procfs';
import type { Flow } from './flow.js';
import { linkOf, procFile } from './proc-reads.js';

/**
 * The start time (field 22 of stat, in clock ticks) that with the pid names one process. A
 * process already gone is reported by the exe link's own error, as it always was.
 */
export function* startTimeOf(procfs: ProcFS, pid: number): Flow<number> {
  try {
    return parseStat(yield* procFile(procfs, pid, 'stat')).starttime;
  } catch (error) {
    if (error instanceof ProcessGoneError) yield* linkOf(procfs, pid, 'exe');
    throw error;
  }
}

/**
 * Throws ProcessGoneError unless `pid` still names the process that started at `started`: a
 * checksum read while the process exited, or after its pid went to another, is not returned.
 */
export function* confirmProcess(procfs: ProcFS, pid: number, started: number): Flow<void> {
  const path = `${procfs.root}/${pid}/stat`;
  let now: number;
  try {
    now = parseStat(yield* procFile(procfs, pid, 'stat')).starttime;
  } catch (error) {
    if (error instanceof ProcessGoneError) throw error;
    throw new ProcessGoneError(
      `process ${pid} could not be confirmed after its binary was hashed: ${(error as Error).message}`,
      { pid, path, code: 'ESRCH', cause: error },
    );
  }
  if (now !== started) {
    throw new ProcessGoneError(
      `process ${pid} exited while its binary was hashed: its pid now names a process started at ${now}, not ${started}`,
      { pid, path, code: 'ESRCH' },
    );
  }
}

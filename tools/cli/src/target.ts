// A pid or `self` from the command line, opened as a Process, with "does not exist" as the
// one-line answer for a pid that is not there.
import { Process, type ProcessOptions } from '@procmon/process';
import { ProcessGoneError } from '@procmon/procfs';
import type { ProcTarget } from './arguments.js';
import type { DataSource } from './source-option.js';
import { UsageError } from './usage-error.js';

export class ProcessNotFoundError extends Error {
  override name = 'ProcessNotFoundError';
  constructor(
    readonly pid: ProcTarget,
    where?: string,
  ) {
    super(
      where === undefined ? `process ${pid} does not exist` : `process ${pid} is not in ${where}`,
    );
  }
}

export function pidOf(target: ProcTarget): number {
  return target === 'self' ? process.pid : target;
}

export function openTarget(target: ProcTarget, options?: ProcessOptions): Process {
  try {
    return Process.open(pidOf(target), options);
  } catch (error) {
    if (error instanceof ProcessGoneError) throw new ProcessNotFoundError(target);
    throw error;
  }
}

/** The target in a source: this machine's, or a snapshot's (where `self` means nothing). */
export function openIn(target: ProcTarget, source: DataSource): Process {
  if (source.snapshot === undefined) return openTarget(target);
  if (target === 'self')
    throw new UsageError('--from needs a pid: procmon itself is not in the snapshot');
  try {
    return Process.open(target, { procfs: source.procfs, sockets: source.sockets });
  } catch (error) {
    if (error instanceof ProcessGoneError)
      throw new ProcessNotFoundError(target, `the snapshot ${source.snapshot.file}`);
    throw error;
  }
}

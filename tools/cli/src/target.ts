// What a command line names: a pid or `self`, opened as a Process, with "does not exist" as the
// one-line answer for a pid that is not there.
import { Process, type ProcessOptions } from '@procmon/process';
import { ProcessGoneError } from '@procmon/procfs';
import { InvalidArgumentError } from 'commander';

/** A pid, or `self` for the procmon process itself. */
export type ProcTarget = number | 'self';

export class ProcessNotFoundError extends Error {
  override name = 'ProcessNotFoundError';
  constructor(readonly pid: ProcTarget) {
    super(`process ${pid} does not exist`);
  }
}

/** Commander's parser for a `<pid>` argument: digits or `self`, nothing else reaches /proc. */
export function parsePid(value: string): ProcTarget {
  if (value === 'self') return 'self';
  if (!/^[1-9]\d{0,9}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`"${value}" is not a process id (a positive integer, or self)`);
  }
  return Number(value);
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

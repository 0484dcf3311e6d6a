// A pid or `self` from the command line, opened as a Process, with "does not exist" as the
// one-line answer for a pid that is not there.
import { Process, type ProcessOptions } from '@procmon/process';
import { ProcessGoneError } from '@procmon/procfs';
import type { ProcTarget } from './arguments.js';

export class ProcessNotFoundError extends Error {
  override name = 'ProcessNotFoundError';
  constructor(readonly pid: ProcTarget) {
    super(`process ${pid} does not exist`);
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

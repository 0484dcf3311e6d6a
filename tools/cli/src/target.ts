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

/** The largest pid_t, a signed 32-bit int (Linux hands out at most 2^22). */
const MAX_PID = 2 ** 31 - 1;

/** Why a string of ASCII digits cannot be a pid, or undefined when it can. */
export function pidProblem(digits: string): string | undefined {
  if (digits === '0') return 'pids start at 1';
  // 010 is not 10 to every reader (octal): refused rather than guessed.
  if (digits.startsWith('0')) return 'a leading zero';
  if (Number(digits) > MAX_PID) return `larger than ${MAX_PID}, the largest pid`;
  return undefined;
}

/** Commander's parser for a `<pid>` argument: digits or `self`, nothing else reaches /proc. */
export function parsePid(value: string): ProcTarget {
  if (value === 'self') return 'self';
  if (!/^\d+$/.test(value) || pidProblem(value) !== undefined) {
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

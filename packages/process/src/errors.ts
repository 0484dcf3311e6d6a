import { ParseError } from '@procmon/parse';
import { type Flow, PermissionDeniedError, ProcessGoneError } from '@procmon/procfs';

/**
 * The pid now belongs to another process: its start time is not the one this Process was opened
 * with. Whatever was read is discarded rather than mixed with the new process's data. A
 * ProcessGoneError, since the process that was opened is gone; `instanceof PidReusedError` tells
 * the two cases apart.
 */
export class PidReusedError extends ProcessGoneError {
  override name = 'PidReusedError';
  /** Start time (clock ticks after boot, stat field 22) of the process that was opened. */
  readonly expectedStartTime: number;
  /** Start time of the process that holds the pid now. */
  readonly actualStartTime: number;

  constructor(pid: number, path: string, expectedStartTime: number, actualStartTime: number) {
    super(
      `process ${pid} is gone: its pid was reused by a process started at tick ${actualStartTime}, not ${expectedStartTime}`,
      { pid, path, code: 'ESRCH' },
    );
    this.expectedStartTime = expectedStartTime;
    this.actualStartTime = actualStartTime;
  }
}

/**
 * The process replaced its program (execve) during the reads, and again during each reading made
 * because of that: its fields could mix two programs, so none are returned. The pid and start
 * time stay the same across an exec, so this is not a ProcessGoneError: reading it again later
 * gives the program it runs then.
 */
export class ProgramChangedError extends Error {
  override name = 'ProgramChangedError';
  readonly pid: number;

  constructor(pid: number, readings: number) {
    super(
      `process ${pid} replaced its program (execve) while it was read, ${readings} times in a row: nothing of it is returned, read it again`,
    );
    this.pid = pid;
  }
}

/**
 * Why one field of a collector is missing.
 *
 * `changed`: the process replaced its program (execve) during each of three readings (a scan
 * lists such a process with its stat alone).
 */
export type FieldFailureReason = 'gone' | 'permission' | 'parse' | 'changed' | 'other';

/** One field a collector could not fill, and why; the other fields are still returned. */
export interface FieldFailure {
  /** The field that is missing, as the result names it (`cwd`, `environ`, `descriptors`, ...). */
  field: string;
  reason: FieldFailureReason;
  /** One line for people. */
  message: string;
  /** The error itself (ProcessGoneError, PermissionDeniedError, ParseError, ...). */
  error: Error;
}

export function fieldFailure(field: string, error: unknown): FieldFailure {
  const cause = error instanceof Error ? error : new Error(String(error));
  return { field, reason: failureReason(cause), message: cause.message, error: cause };
}

export function failureReason(error: unknown): FieldFailureReason {
  if (error instanceof ProcessGoneError) return 'gone';
  if (error instanceof PermissionDeniedError) return 'permission';
  if (error instanceof ParseError) return 'parse';
  if (error instanceof ProgramChangedError) return 'changed';
  return 'other';
}

/**
 * One field of a collector: its value, or undefined with the reason added to `failures`, so one
 * failure never empties the other fields.
 */
export function* captured<T>(
  failures: FieldFailure[],
  field: string,
  read: () => Flow<T>,
): Flow<T | undefined> {
  try {
    return yield* read();
  } catch (error) {
    failures.push(fieldFailure(field, error));
    return undefined;
  }
}

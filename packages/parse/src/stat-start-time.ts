// A process's start time as a date, from stat's start time in ticks and the machine's facts.
import { ParseError, shownValue } from './errors.js';
import type { Stat } from './stat.js';
import { KIND } from './stat-fields.js';

/** Machine facts {@link statStartTime} needs. */
export interface StatStartTimeOptions {
  /** Clock ticks per second, `sysconf(_SC_CLK_TCK)` (`getconf CLK_TCK`; 100 on most systems). */
  clockTicks: number;
  /** Boot time in seconds since the epoch: the `btime` line of `/proc/stat`. */
  bootTimeSeconds: number;
}

/**
 * When a process started, in milliseconds since the epoch:
 * `bootTimeSeconds * 1000 + startTime * 1000 / clockTicks`.
 *
 * `btime` is whole seconds and the kernel's boot clock drifts from wall time (suspend, NTP), so
 * this is as exact as `ps` is, not more: compare two start times from the same `btime` for
 * identity, not against another clock. The result has a fraction when `clockTicks` does not
 * divide 1000.
 *
 * @throws ParseError (kind `'stat'`) when `clockTicks` is not a positive finite number or
 *   `bootTimeSeconds` is not a finite number ≥ 0.
 */
export function statStartTime(
  stat: Pick<Stat, 'startTime'>,
  machine: StatStartTimeOptions,
): number {
  const startTime = stat?.startTime;
  if (typeof startTime !== 'number' || !Number.isSafeInteger(startTime) || startTime < 0) {
    throw new ParseError(
      KIND,
      `stat.startTime must be a tick count, got ${shownValue(startTime)}`,
      '',
      0,
    );
  }
  const clockTicks = machine?.clockTicks;
  const bootTimeSeconds = machine?.bootTimeSeconds;
  if (typeof clockTicks !== 'number' || !Number.isFinite(clockTicks) || clockTicks <= 0) {
    throw new ParseError(
      KIND,
      `option clockTicks must be a positive number, got ${shownValue(clockTicks)}`,
      '',
      0,
    );
  }
  if (
    typeof bootTimeSeconds !== 'number' ||
    !Number.isFinite(bootTimeSeconds) ||
    bootTimeSeconds < 0
  ) {
    throw new ParseError(
      KIND,
      `option bootTimeSeconds must be a number of seconds >= 0, got ${shownValue(bootTimeSeconds)}`,
      '',
      0,
    );
  }
  return bootTimeSeconds * 1000 + (startTime * 1000) / clockTicks;
}

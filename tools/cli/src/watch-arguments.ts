// What `procmon watch` takes from the command line. The parsers here run while commander reads
// the command line, before any code that reads /proc loads; the event types are checked against
// @procmon/events's own list once watch-command.ts has loaded it (checkEventTypes), so the list
// of types lives in one place.
import { InvalidArgumentError } from 'commander';
import { listOf } from './arguments.js';
import { UsageError } from './usage-error.js';

/** The options `procmon watch` gives its command, as commander parsed them. */
export interface WatchArguments {
  /** `-e/--event`: the types asked for, lowercase, not yet checked (see checkEventTypes). */
  event?: string[] | undefined;
  /** `-u/--user`: names or uids. */
  user?: string[] | undefined;
  /** `--program`: a comm or the basename of an executable's path. */
  program?: string | undefined;
  json?: boolean | undefined;
  /** `--poll`: use the polling source even where the kernel's connector could be used. */
  poll?: boolean | undefined;
  /** `--interval`: polling's interval, ms. */
  interval?: number | undefined;
  /** `--count`: stop after this many printed events. */
  count?: number | undefined;
  /** `--no-details`: false when the new program's details are not to be read at exec. */
  details: boolean;
}

/** Commander's parser for `-e exec,exit`: names, lowercase; checkEventTypes says which exist. */
export function parseEventList(value: string): string[] {
  return listOf(value, 'event type').map((item) => item.toLowerCase());
}

/**
 * The types of `names` among `known` (@procmon/events's PROCESS_EVENT_TYPES), in the order
 * given, each once. A name that is none of them is the user's error, named with the known ones.
 */
export function checkEventTypes<T extends string>(
  names: readonly string[],
  known: readonly T[],
): T[] {
  const types: T[] = [];
  for (const name of names) {
    const type = known.find((candidate) => candidate === name);
    if (type === undefined) {
      throw new UsageError(
        `"${name}" is not an event type (-e/--event); known: ${known.join(', ')}`,
      );
    }
    if (!types.includes(type)) types.push(type);
  }
  return types;
}

/** The longest polling interval taken: an hour. */
const MAX_INTERVAL_MS = 3_600_000;

/** Commander's parser for `--interval 250`: whole milliseconds, from 1 to an hour. */
export function parseIntervalMs(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms >= 1 && ms <= MAX_INTERVAL_MS)) {
    throw new InvalidArgumentError(
      `"${value}" is not a number of milliseconds (a whole number from 1 to ${MAX_INTERVAL_MS})`,
    );
  }
  return ms;
}

/** Commander's parser for `--count 10`: a whole number of events, at least 1. */
export function parseCount(value: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && Number.isSafeInteger(count))) {
    throw new InvalidArgumentError(`"${value}" is not a count of events (a whole number from 1)`);
  }
  return count;
}

/** Commander's parser for `--program name`: a name, never a path (it is compared to basenames). */
export function parseProgram(value: string): string {
  if (value === '' || value.includes('/')) {
    throw new InvalidArgumentError(
      `"${value}" is not a program name (a comm or the last part of an executable's path, without /)`,
    );
  }
  return value;
}

// What the command line gives, checked before any command's code is loaded: pids, hash targets,
// algorithm lists. Nothing here reads /proc, so `procmon --help` and usage errors stay fast.
import { InvalidArgumentError } from 'commander';

/** A pid, or `self` for the procmon process itself. */
export type ProcTarget = number | 'self';

/** What `procmon hash` hashes: a process's binary, or a file. */
export type HashTarget = { pid: ProcTarget } | { file: string };

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

/** Commander's parser for `-p/--pid 12,34`: pids, each checked as `<pid>` is. */
export function parsePidList(value: string): number[] {
  return listOf(value, 'pid').map((item) => {
    if (!/^\d+$/.test(item) || pidProblem(item) !== undefined) {
      throw new InvalidArgumentError(`"${item}" is not a process id (a positive integer)`);
    }
    return Number(item);
  });
}

/** Commander's parser for `--redact 'AWS_*,*TOKEN*'`: variable name globs (`*` any run). */
export function parseNamePatterns(value: string): string[] {
  return listOf(value, 'pattern').map((item) => {
    // An environment variable's name holds neither '=' nor NUL.
    if (/[=\0]/.test(item))
      throw new InvalidArgumentError(`"${item}" is not a variable name pattern`);
    return item;
  });
}

/** Commander's parser for `-u/--user root,1000`: user names or uids. */
export function parseUserList(value: string): string[] {
  return listOf(value, 'user').map((item) => {
    // Not a name a system gives (POSIX portable names start otherwise), and getent would read
    // it as an option.
    if (item.startsWith('-')) throw new InvalidArgumentError(`"${item}" is not a user name or uid`);
    return item;
  });
}

/** The `ps --sort` keys, lowercase, as ps names them. */
export const PS_SORT_KEYS = [
  'pid',
  'ppid',
  'user',
  'uid',
  '%cpu',
  '%mem',
  'vsz',
  'rss',
  'stat',
  'start',
  'time',
  'comm',
  'command',
  'container',
] as const;

export type PsSortKey = (typeof PS_SORT_KEYS)[number];

export interface PsSort {
  key: PsSortKey;
  descending: boolean;
}

/** Commander's parser for `--sort -%cpu,pid`: keys, `-` before one for descending (`+` ascending). */
export function parseSortList(value: string): PsSort[] {
  return listOf(value, 'sort key').map((item) => {
    const descending = item.startsWith('-');
    const name = (descending || item.startsWith('+') ? item.slice(1) : item).toLowerCase();
    const key = PS_SORT_KEYS.find((known) => known === name);
    if (key === undefined) {
      throw new InvalidArgumentError(
        `"${item}" is not a sort key; known: ${PS_SORT_KEYS.join(', ')} (a leading - sorts descending)`,
      );
    }
    return { key, descending };
  });
}

/** Commander's parser for `--interval 0.5`: seconds, above 0 and at most an hour. */
export function parseInterval(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds > 0 && seconds <= 3600)) {
    throw new InvalidArgumentError(`"${value}" is not a number of seconds (above 0, at most 3600)`);
  }
  return seconds;
}

/** A comma-separated list with no empty item. */
export function listOf(value: string, what: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.includes('')) throw new InvalidArgumentError(`an empty ${what} in "${value}"`);
  return items;
}

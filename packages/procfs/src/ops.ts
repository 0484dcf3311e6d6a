// The primitive reads a flow asks for. Each names a path relative to the proc root (`123/stat`,
// `net/tcp`, `self/auxv`): only the backend joins it to the root, so no code outside procfs ever
// builds a /proc path, and a backend (native code, or node:fs) can carry out many at once.
import type { SocketDescriptors } from './process-sockets.js';
import type { ByteRange, RawRangeResult } from './read-ranges.js';

/**
 * One primitive read.
 *
 * - `read`: the whole file (one open, reads to EOF, one close), at most `maxBytes` bytes.
 * - `readlink`: a link's target, raw bytes.
 * - `readdir`: a folder's entry names.
 * - `links`: a folder's entries with each link's target (a `fd/` folder): an entry that
 *   vanished between the listing and its readlink is left out, one whose target cannot be read
 *   carries its error.
 * - `stat`: what a path leads to (links followed). The path may be bytes: a process's binary
 *   path under its root need not be UTF-8.
 * - `ranges`: byte ranges of one file read at their positions (`mem`).
 * - `sockets`: a process folder's socket descriptors and its stat (process-sockets.ts).
 */
export type Op =
  | { kind: 'read'; path: string; maxBytes: number }
  | { kind: 'readlink'; path: string }
  | { kind: 'readdir'; path: string }
  | { kind: 'links'; path: string }
  | { kind: 'stat'; path: string | Uint8Array }
  | { kind: 'ranges'; path: string; ranges: readonly ByteRange[] }
  | { kind: 'sockets'; path: string };

/** The result of an op: its value, or the error the system call gave (an errno-coded Error). */
export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; error: unknown };

/** A folder's link entries: names in listing order, each with its target or its error. */
export interface LinkEntries {
  names: string[];
  /** Per name: the target (latin1, one character per byte) or the fs error reading it. */
  targets: (string | NodeJS.ErrnoException)[];
  /** Whether an entry vanished between the listing and its readlink (it was left out). */
  vanished: boolean;
}

/** The facts of a `stat` op: identity, link count, type and size, times in nanoseconds. */
export interface FileStat {
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  mode: number;
  uid: number;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** What each op gives when it succeeds. */
export interface OpValues {
  read: Uint8Array;
  readlink: Uint8Array;
  readdir: string[];
  links: LinkEntries;
  stat: FileStat;
  ranges: RawRangeResult[];
  sockets: SocketDescriptors;
}

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const failed = (error: unknown): Outcome<never> => ({ ok: false, error });

/** The errno code of a failed outcome's error (`ENOENT`, ...), or `UNKNOWN`. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** ENOENT or ESRCH: the path, or the process behind it, is not there. */
export const isGoneCode = (error: unknown): boolean => {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ESRCH';
};

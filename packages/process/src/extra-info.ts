// The reference's GetExtraInfo (and readStatus): environment, descriptors with the sockets and
// files behind them, io counters, status, stat, kernel stack, maps and statm in bytes.

import {
  decodeText,
  type Environ,
  type FdTarget,
  type Io,
  type MapsEntry,
  parseEnviron,
  parseIo,
  parseMaps,
  parseStatm,
  parseStatus,
  type Stat,
  type Statm,
  type Status,
} from '@procmon/parse';
import { type FieldFailure, fieldFailure } from './errors.js';
import { type Flow, listFds, readFile, resolveSockets, statPath } from './flow.js';
import { toDescriptor } from './readers.js';
import type { SocketInfo } from './sockets.js';

export interface DescriptorInfo {
  fd: number;
  /** What the link points at; missing when it could not be read (`failure` says why). */
  target?: FdTarget;
  /** For a file: its size and modification time, from the open file itself (even if deleted). */
  size?: number;
  modified?: Date;
  /** For a socket: the connection behind it, when a socket lookup is configured and found it. */
  socket?: SocketInfo;
  failure?: FieldFailure;
}

export interface ExtraInfo {
  environ?: Environ;
  descriptors?: DescriptorInfo[];
  io?: Io;
  status?: Status;
  stat?: Stat;
  /** The kernel stack of the main thread (root only: otherwise a `permission` failure). */
  stack?: string;
  maps?: MapsEntry[];
  /** Memory in pages and, in `bytes`, in bytes. */
  statm?: Statm;
  failures: FieldFailure[];
}

export interface ExtraInfoOptions {
  /** Which parts to read; all unless given. An unknown name is a TypeError. */
  fields?: readonly ExtraInfoField[] | undefined;
}

export type ExtraInfoField =
  | 'environ'
  | 'descriptors'
  | 'io'
  | 'status'
  | 'stat'
  | 'stack'
  | 'maps'
  | 'statm';

export const EXTRA_INFO_FIELDS: readonly ExtraInfoField[] = [
  'environ',
  'descriptors',
  'io',
  'status',
  'stat',
  'stack',
  'maps',
  'statm',
];

export function* extraInfoFlow(
  pid: number,
  procRoot: string,
  pageSize: () => number,
  fields: readonly ExtraInfoField[],
): Flow<ExtraInfo> {
  const failures: FieldFailure[] = [];
  const info: ExtraInfo = { failures };
  const wanted = checkExtraInfoFields(fields);
  const field = function* <K extends ExtraInfoField>(
    name: K,
    read: () => Flow<NonNullable<ExtraInfo[K]>>,
  ): Flow<void> {
    if (!wanted.has(name)) return;
    try {
      info[name] = yield* read();
    } catch (error) {
      failures.push(fieldFailure(name, error));
    }
  };
  yield* field('environ', function* () {
    return parseEnviron(yield* readFile(pid, 'environ'));
  });
  yield* field('descriptors', () => descriptorsFlow(pid, procRoot, failures));
  yield* field('io', function* () {
    return parseIo(yield* readFile(pid, 'io'));
  });
  yield* field('status', function* () {
    return parseStatus(yield* readFile(pid, 'status'));
  });
  // `stat` is not read here: the caller takes it from the stat it reads afterwards to check the
  // identity (see Process.extraInfo), one read fewer.
  yield* field('stack', function* () {
    const bytes = yield* readFile(pid, 'stack');
    return decodeText('text', bytes, 0, bytes.length);
  });
  yield* field('maps', function* () {
    return parseMaps(yield* readFile(pid, 'maps'));
  });
  yield* field('statm', function* () {
    return parseStatm(yield* readFile(pid, 'statm'), { pageSize: pageSize() });
  });
  return info;
}

/** The fields as a set; an unknown name is a TypeError (before any read). */
export function checkExtraInfoFields(
  fields: readonly ExtraInfoField[],
): ReadonlySet<ExtraInfoField> {
  for (const name of fields) {
    if (!EXTRA_INFO_FIELDS.includes(name)) {
      throw new TypeError(
        `unknown extra info field "${String(name)}"; known: ${EXTRA_INFO_FIELDS.join(', ')}`,
      );
    }
  }
  return new Set(fields);
}

/**
 * Every descriptor with its target; files with their size and mtime; sockets resolved in one
 * batch (one dump per table), not one lookup per descriptor as the reference does.
 */
export function* descriptorsFlow(
  pid: number,
  procRoot: string,
  failures: FieldFailure[],
): Flow<DescriptorInfo[]> {
  // In fd order (the folder lists them in hash order).
  const entries = (yield* listFds(pid)).sort((a, b) => a.fd - b.fd);
  const descriptors: DescriptorInfo[] = [];
  const socketInodes: number[] = [];
  for (const entry of entries) {
    const info: DescriptorInfo = { fd: entry.fd };
    descriptors.push(info);
    let target: FdTarget | undefined;
    try {
      const descriptor = toDescriptor(entry);
      if (descriptor.error) throw descriptor.error;
      target = descriptor.target;
    } catch (error) {
      info.failure = fieldFailure(`descriptors[${entry.fd}]`, error);
      continue;
    }
    if (target === undefined) continue;
    info.target = target;
    if (target.type === 'socket') socketInodes.push(target.inode);
    if (target.type === 'file' || target.type === 'memfd') {
      try {
        // Through the fd link: the open file itself, even deleted or in another mount namespace.
        const stats = yield* statPath(`${procRoot}/${pid}/fd/${entry.fd}`);
        info.size = stats.size;
        info.modified = stats.mtime; // as fs.statSync gives it (rounded to the millisecond)
      } catch (error) {
        info.failure = fieldFailure(`descriptors[${entry.fd}]`, error);
      }
    }
  }
  if (socketInodes.length === 0) return descriptors;
  let sockets: Map<number, SocketInfo>;
  try {
    sockets = yield* resolveSockets(pid, socketInodes);
  } catch (error) {
    // The descriptors stand without their connections; the failure says why they lack them.
    failures.push(fieldFailure('sockets', error));
    return descriptors;
  }
  for (const info of descriptors) {
    if (info.target?.type !== 'socket') continue;
    const socket = sockets.get(info.target.inode);
    if (socket) info.socket = socket;
  }
  return descriptors;
}

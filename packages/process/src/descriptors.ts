// A process's open descriptors: each with its parsed target; files with the size and mtime of
// the open file itself; sockets with their connection, resolved in one batch for all of them
// (one dump per table), not one lookup per descriptor.

import { type FdTarget, parseFdTarget, type TextDecoding } from '@procmon/parse';
import { all, external, type FdEntry, type Flow, type ProcFS } from '@procmon/procfs';
import { type FieldFailure, fieldFailure } from './errors.js';
import type { SocketInfo, SocketLookup } from './sockets.js';

/** One open descriptor and what is behind it. */
export interface Descriptor {
  fd: number;
  /** What the link points at; missing when it could not be read (`failure` says why). */
  target?: FdTarget;
  /** For a file: its size and modification time, from the open file itself (even if deleted). */
  size?: number;
  modified?: Date;
  /** For a socket: the connection behind it, when a socket lookup is configured and found it. */
  socket?: SocketInfo;
  /** Why the target, or the file's size and time, could not be read. */
  failure?: FieldFailure;
}

/** A listed descriptor with its target parsed (or why it could not be). */
export function toDescriptor(entry: FdEntry, decoding?: TextDecoding): Descriptor {
  const descriptor: Descriptor = { fd: entry.fd };
  try {
    if (entry.error) throw entry.error;
    descriptor.target = parseFdTarget(entry.target, decoding ? { decoding } : undefined);
  } catch (error) {
    descriptor.failure = fieldFailure(`descriptors[${entry.fd}]`, error);
  }
  return descriptor;
}

/**
 * Every descriptor in fd order, files with their size and mtime (statted side by side), sockets
 * with their connections from `sockets` (none when it is undefined). A failing socket lookup is
 * a `sockets` failure in `failures`: the descriptors stand without their connections.
 */
export function* descriptorsFlow(
  procfs: ProcFS,
  pid: number,
  sockets: SocketLookup | undefined,
  failures: FieldFailure[],
): Flow<Descriptor[]> {
  // In fd order (the folder lists them in hash order).
  const entries = (yield* procfs.flows.listFds(pid)).sort((a, b) => a.fd - b.fd);
  const descriptors = entries.map((entry) => toDescriptor(entry));
  const files = descriptors.filter(
    (descriptor) => descriptor.target?.type === 'file' || descriptor.target?.type === 'memfd',
  );
  yield* all(files.map((descriptor) => fileFacts(procfs, pid, descriptor)));
  const inodes: number[] = [];
  for (const descriptor of descriptors) {
    if (descriptor.target?.type === 'socket') inodes.push(descriptor.target.inode);
  }
  if (inodes.length === 0 || sockets === undefined) return descriptors;
  let found: Map<number, SocketInfo>;
  try {
    found = yield* external(
      () => sockets.resolve(inodes, { pid }),
      () => sockets.resolveAsync(inodes, { pid }),
    );
  } catch (error) {
    failures.push(fieldFailure('sockets', error));
    return descriptors;
  }
  for (const descriptor of descriptors) {
    if (descriptor.target?.type !== 'socket') continue;
    const socket = found.get(descriptor.target.inode);
    if (socket) descriptor.socket = socket;
  }
  return descriptors;
}

/** A file descriptor's size and mtime, through its link: the open file, even if deleted. */
function* fileFacts(procfs: ProcFS, pid: number, descriptor: Descriptor): Flow<void> {
  try {
    const stat = yield* procfs.flows.statFd(pid, descriptor.fd);
    descriptor.size = Number(stat.size);
    descriptor.modified = dateOf(stat.mtimeNs);
  } catch (error) {
    descriptor.failure = fieldFailure(`descriptors[${descriptor.fd}]`, error);
  }
}

/** A file time in nanoseconds as fs.statSync gives it: milliseconds as a double, rounded. */
function dateOf(ns: bigint): Date {
  const seconds = ns / 1_000_000_000n;
  const rest = ns - seconds * 1_000_000_000n;
  return new Date(Math.round(Number(seconds) * 1e3 + Number(rest) / 1e6));
}

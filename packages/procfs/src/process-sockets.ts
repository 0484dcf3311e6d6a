// A process's socket descriptors and its stat, for a walk of every process for socket holders:
// the `sockets` op and the flow that asks for it.
//
// The native backend reads both through one handle on `<root>/<pid>`: a handle that fails once
// the process exits, even after its pid is given to another, so its stat (read after the
// listing) is surely the listed process's. node:fs has no such handle (no openat): it declines
// the op, and the flow reads by path in primitive ops, the stat before and after the listing,
// for the caller to compare their start times.
import { checkPid } from './arguments.js';
import { classified } from './classify.js';
import { absolute, type ProcfsContext } from './context.js';
import { type Flow, perform, performAll } from './flow.js';
import { fdNumberOf } from './names.js';
import { errorCode, type FileStat, type LinkEntries, type Outcome } from './ops.js';

/** What the `sockets` op gives for one process. */
export interface SocketDescriptors {
  /** Each socket descriptor (`socket:[N]` link): its number and the socket's inode. */
  sockets: { fd: number; inode: number }[];
  /** The process's stat file, read after the listing. */
  stat: Uint8Array;
  /**
   * The stat file read before the listing, when the backend could not read both through one
   * handle on the process's folder (node:fs): the listing is the process's only if the two
   * start times agree. Absent with the native backend, whose `stat` is of the listed process.
   */
  statBefore?: Uint8Array;
  /** The owner of `<root>/<pid>`: the effective uid (root when the process is not dumpable). */
  uid: number;
  /** A descriptor was closed between the listing and its readlink. */
  vanished: boolean;
  /** A link could not be read (EACCES): a socket may be missing from `sockets`. */
  denied: boolean;
}

/** A stat file is one line of about 300 bytes; a fixture tree's may be anything. */
export const STAT_MAX_BYTES = 64 * 1024;

/**
 * What a backend that cannot read through one handle on a process folder (node:fs: no openat)
 * answers to a `sockets` op: the flow then reads by path, with the stat before and after.
 */
export function socketsNotSupported(): Error {
  return Object.assign(new Error('the sockets op needs reads through one folder handle'), {
    code: 'ENOTSUP',
  });
}

const SOCKET_PREFIX = 'socket:[';

/** `socket:[N]` (latin1 text) as N; undefined for any other target. */
export function socketInodeOfText(target: string): number | undefined {
  if (!target.startsWith(SOCKET_PREFIX) || !target.endsWith(']')) return undefined;
  const digits = target.slice(SOCKET_PREFIX.length, -1);
  if (!/^\d+$/.test(digits)) return undefined;
  const inode = Number(digits);
  return Number.isSafeInteger(inode) && inode > 0 ? inode : undefined;
}

/**
 * The socket descriptors and stat of a process, for a holder walk (see SocketDescriptors).
 * ProcessGoneError when it is gone (before or during the reads), PermissionDeniedError when
 * its fd/ may not be listed.
 */
export function* processSockets(context: ProcfsContext, pid: number): Flow<SocketDescriptors> {
  checkPid(pid);
  const path = `${pid}`;
  const read = yield* perform({ kind: 'sockets', path });
  if (read.ok) return read.value;
  if (errorCode(read.error) === 'ENOTSUP') return yield* byPath(context, pid);
  throw yield* classified(context, read.error, pid, absolute(context, `${path}/fd`), 'list');
}

/** The same by path, in primitive ops: stat and owner, the fd/ links, stat again. */
function* byPath(context: ProcfsContext, pid: number): Flow<SocketDescriptors> {
  const statPath = `${pid}/stat`;
  const [before, folder] = (yield* performAll([
    { kind: 'read', path: statPath, maxBytes: STAT_MAX_BYTES },
    { kind: 'stat', path: `${pid}` },
  ])) as [Outcome, Outcome];
  const statBefore = yield* succeeded<Uint8Array>(context, before, pid, statPath, 'read');
  const { uid } = yield* succeeded<FileStat>(context, folder, pid, `${pid}`, 'stat');
  const listed = yield* perform({ kind: 'links', path: `${pid}/fd` });
  const links = yield* succeeded<LinkEntries>(context, listed, pid, `${pid}/fd`, 'list');
  const after = yield* perform({ kind: 'read', path: statPath, maxBytes: STAT_MAX_BYTES });
  const stat = yield* succeeded<Uint8Array>(context, after, pid, statPath, 'read');
  const sockets: SocketDescriptors['sockets'] = [];
  let denied = false;
  links.names.forEach((name, i) => {
    const target = links.targets[i];
    if (typeof target !== 'string') {
      denied = true;
      return;
    }
    const inode = socketInodeOfText(target);
    const fd = fdNumberOf(name);
    if (inode !== undefined && fd !== undefined) sockets.push({ fd, inode });
  });
  return { sockets, stat, statBefore, uid, vanished: links.vanished, denied };
}

/** An outcome's value, or its error classified and thrown. */
function* succeeded<T>(
  context: ProcfsContext,
  outcome: Outcome,
  pid: number,
  path: string,
  action: string,
): Flow<T> {
  if (outcome.ok) return outcome.value as T;
  throw yield* classified(context, outcome.error, pid, absolute(context, path), action);
}

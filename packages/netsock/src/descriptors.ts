// A process's socket descriptors, listed through @procmon/procfs (its `links` op: one pass over
// /proc/<pid>/fd, in native code when procfs's addon is loaded). netsock itself reads no /proc
// folder in C: procfs owns those reads, netsock keeps netlink.
import { parseFdTarget } from '@procmon/parse';
import { type FdEntry, type Flow, type ProcFS, procfsOf } from '@procmon/procfs';
import type { SocketEntry } from './types.js';

/** A socket descriptor of a process: its number and the socket's inode. */
export interface SocketDescriptor {
  fd: number;
  inode: number;
  /** The socket behind it, when a table has it (`SocketResolver.socketsOf` looks it up). */
  socket?: SocketEntry;
}

/**
 * The socket descriptors of a process as a flow: `procfs.flows.listFds` (whose typed errors say
 * what went wrong: ProcessGoneError, PermissionDeniedError; a zombie's descriptors read through
 * a live thread), keeping the `socket:[N]` targets.
 */
export function* socketDescriptorsFlow(procfs: ProcFS, pid: number): Flow<SocketDescriptor[]> {
  return socketsAmong(yield* procfs.flows.listFds(pid));
}

/** `socketDescriptorsFlow` run with synchronous reads. */
export function socketDescriptors(procfs: ProcFS, pid: number): SocketDescriptor[] {
  return procfs.run(socketDescriptorsFlow(procfs, pid));
}

/**
 * The same with asynchronous reads (the native backend: one trip to libuv's thread pool). The
 * listing is queued before this returns, so a caller can do other work before awaiting it.
 */
export function socketDescriptorsAsync(procfs: ProcFS, pid: number): Promise<SocketDescriptor[]> {
  return procfs.runAsync(socketDescriptorsFlow(procfs, pid));
}

function socketsAmong(entries: FdEntry[]): SocketDescriptor[] {
  const out: SocketDescriptor[] = [];
  for (const entry of entries) {
    if (entry.error !== undefined) continue;
    const inode = socketInode(entry.target);
    if (inode > 0) out.push({ fd: entry.fd, inode });
  }
  return out;
}

// "socket:[" in bytes.
const PREFIX = [0x73, 0x6f, 0x63, 0x6b, 0x65, 0x74, 0x3a, 0x5b];

/**
 * The N of `socket:[N]`, or 0 for any other target: a byte check first, since most of a busy
 * process's thousands of targets are sockets and parseFdTarget builds an object for each.
 */
function socketInode(bytes: Uint8Array): number {
  const end = bytes.length;
  if (end < 10 || bytes[end - 1] !== 0x5d) return 0;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PREFIX[i]) return 0;
  let inode = 0;
  for (let i = 8; i < end - 1; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return 0;
    inode = inode * 10 + digit;
  }
  // Anything odd (leading zeros, past 2^53) is read the careful way.
  if (inode > Number.MAX_SAFE_INTEGER || (bytes[8] === 0x30 && end > 10)) {
    const target = parseFdTarget(bytes);
    return target.type === 'socket' ? target.inode : 0;
  }
  return inode;
}

/**
 * The socket descriptors (`{ fd, inode }`) of a process: the listing `SocketResolver.socketsOf`
 * starts with, through `procfs.listFds` (its errors: ProcessGoneError, PermissionDeniedError).
 */
export function listSocketDescriptors(
  pid: number,
  options?: { procfs?: ProcFS },
): SocketDescriptor[] {
  return socketDescriptors(procfsOf(options), pid);
}

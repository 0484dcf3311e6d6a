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

/**
 * The `socket:[N]` targets among a listing, read by parseFdTarget (a malformed socket target is
 * its ParseError, as for every reader of @procmon/parse; at 5,000 targets this costs about 0.2 ms
 * of a listing's 20 ms or more).
 */
function socketsAmong(entries: FdEntry[]): SocketDescriptor[] {
  const out: SocketDescriptor[] = [];
  for (const entry of entries) {
    if (entry.error !== undefined) continue;
    const target = parseFdTarget(entry.target);
    if (target.type === 'socket') out.push({ fd: entry.fd, inode: target.inode });
  }
  // In descriptor order, as ls -v and the kernel's own listing give them (a listing is sorted
  // by name: 10 before 9).
  return out.sort((a, b) => a.fd - b.fd);
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

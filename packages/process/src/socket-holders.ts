// The socket descriptors of many processes, each bound to its identity: the walk behind
// SocketHolderIndex and connections(). One flow, so sync and async share it; processes are read
// side by side a chunk at a time (`all`), one `sockets` op each (procfs's processSockets), so on
// the native backend the whole machine is one batched call per chunk, not thousands of reads.
//
// Identity. A holder is (pid, start time, fd). The native backend reads the stat after the fd/
// listing through the same handle on <root>/<pid>, which fails once that process is gone (even if
// its pid was handed out again): the start time is the listed process's. node:fs reads by path,
// so the stat is read before the listing and again after it: a pid whose start time stayed the
// same belonged to that one process during the listing (a pid cannot be freed and handed out
// again without its new process getting its own start time; only a reuse within one clock tick,
// with the whole pid space wrapped in between, could hide, and Linux hands pids out in order). A
// pid whose start time changed is read again
// (up to MAX_READINGS times), a process that exits mid-walk is simply not in the result, and a
// fd/ we may not read (EACCES: another user's process, unprivileged) is listed in `unreadable`,
// never guessed around (so is a listing that failed otherwise: never taken for an empty one).
//
// Threads. A process's descriptors are its thread group's table: `<pid>/fd` (through a live
// thread when the main thread has exited). A thread made with clone() without CLONE_FILES has a
// table of its own, which is not walked (pthreads always share the table; such threads come only
// from direct clone() calls): a socket held only there is not found.

import { ParseError, parseStat, type Stat } from '@procmon/parse';
import {
  all,
  type FdEntry,
  type Flow,
  PermissionDeniedError,
  ProcessGoneError,
  type ProcFS,
  ProcfsError,
  type SocketDescriptors,
} from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
import { MAX_READINGS } from './image.js';
import { isKernelThread } from './path.js';

/** One descriptor of one process that refers to a socket. */
export interface SocketHolder {
  pid: number;
  /** The process's start time (stat field 22, clock ticks after boot): with pid, its identity. */
  startTime: number;
  fd: number;
  /** Owner of /proc/<pid>: the effective uid, or 0 for a process that is not dumpable. */
  uid: number;
  comm: string;
}

/** A process and its socket descriptors, as one walk read them. */
export interface ProcessSockets {
  pid: number;
  startTime: number;
  uid: number;
  comm: string;
  /** Each socket descriptor with the socket's inode (the N of `socket:[N]`), in fd order. */
  sockets: { fd: number; inode: number }[];
}

/** What a walk found. */
export interface SocketWalk {
  /** Every process read (also those that hold no socket), in pid order. */
  processes: ProcessSockets[];
  /**
   * Pids whose fd/ could not be read: permission denied (another user's process, or one whose
   * capabilities exceed ours), or another read error than the process being gone. Any of them
   * may hold any socket.
   */
  unreadable: number[];
}

export interface SocketWalkOptions {
  procfs?: ProcFS | undefined;
  /** The processes to read; every pid under the root unless given. */
  pids?: Iterable<number> | undefined;
  /** Processes read side by side (one batch of reads per step); 512 unless set. */
  concurrency?: number | undefined;
}

const DEFAULT_CONCURRENCY = 512;

/** Reads the socket descriptors of every process (or of `options.pids`). */
export function walkSockets(options: SocketWalkOptions = {}): SocketWalk {
  const procfs = procfsOf(options);
  const { pids, concurrency } = checkWalkOptions(options);
  return procfs.run(socketWalkFlow(procfs, pids, concurrency));
}

/** The same with asynchronous reads. */
export function walkSocketsAsync(options: SocketWalkOptions = {}): Promise<SocketWalk> {
  try {
    const procfs = procfsOf(options);
    const { pids, concurrency } = checkWalkOptions(options);
    return procfs.runAsync(socketWalkFlow(procfs, pids, concurrency));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The walk as a flow, to compose: `pids` undefined reads every pid under the root. */
export function* socketWalkFlow(
  procfs: ProcFS,
  pids: readonly number[] | undefined,
  concurrency = DEFAULT_CONCURRENCY,
): Flow<SocketWalk> {
  const listed = [...(pids ?? (yield* procfs.flows.listPids()))].sort((a, b) => a - b);
  const processes: ProcessSockets[] = [];
  const unreadable: number[] = [];
  for (let start = 0; start < listed.length; start += concurrency) {
    const chunk = listed.slice(start, start + concurrency);
    const reads = yield* all(chunk.map((pid) => readProcessSockets(procfs, pid)));
    reads.forEach((read, i) => {
      if (read === UNREADABLE) unreadable.push(chunk[i] as number);
      else if (read !== undefined) processes.push(read);
    });
  }
  return { processes, unreadable };
}

/** Every holder of each socket a walk found, by inode (holders in pid, then fd order). */
export function holdersByInode(walk: SocketWalk): Map<number, SocketHolder[]> {
  const byInode = new Map<number, SocketHolder[]>();
  for (const process of walk.processes) {
    for (const { fd, inode } of process.sockets) {
      const holder = holderOf(process, fd);
      const list = byInode.get(inode);
      if (list) list.push(holder);
      else byInode.set(inode, [holder]);
    }
  }
  return byInode;
}

/** The holder a process's descriptor makes. */
export function holderOf(process: ProcessSockets, fd: number): SocketHolder {
  return {
    pid: process.pid,
    startTime: process.startTime,
    fd,
    uid: process.uid,
    comm: process.comm,
  };
}

const SOCKET_PREFIX = [0x73, 0x6f, 0x63, 0x6b, 0x65, 0x74, 0x3a, 0x5b]; // "socket:["

/** The inode of a `socket:[N]` link target (raw bytes), or undefined for any other target. */
export function socketInodeOf(target: Uint8Array): number | undefined {
  const end = target.length - 1;
  if (end <= SOCKET_PREFIX.length || target[end] !== 0x5d) return undefined;
  for (let i = 0; i < SOCKET_PREFIX.length; i++) {
    if (target[i] !== SOCKET_PREFIX[i]) return undefined;
  }
  let inode = 0;
  for (let i = SOCKET_PREFIX.length; i < end; i++) {
    const digit = (target[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    inode = inode * 10 + digit;
  }
  return Number.isSafeInteger(inode) ? inode : undefined;
}

const UNREADABLE = Symbol('unreadable');

/**
 * One process: its stat and owner, its fd/ listing, its stat again. Undefined when it exited
 * (or its pid changed hands each of MAX_READINGS times), UNREADABLE when fd/ is not ours to read.
 */
function* readProcessSockets(
  procfs: ProcFS,
  pid: number,
): Flow<ProcessSockets | typeof UNREADABLE | undefined> {
  for (let attempt = 0; attempt < MAX_READINGS; attempt++) {
    const read = yield* readOnce(procfs, pid);
    if (read !== REUSED) return read;
  }
  return undefined;
}

const REUSED = Symbol('reused');

function* readOnce(
  procfs: ProcFS,
  pid: number,
): Flow<ProcessSockets | typeof UNREADABLE | typeof REUSED | undefined> {
  let read: SocketDescriptors;
  try {
    read = yield* procfs.flows.processSockets(pid);
  } catch (error) {
    if (error instanceof ProcessGoneError) return undefined;
    // Permission denied, or a listing that failed otherwise (a fixture tree without the folder).
    if (error instanceof ProcfsError) return UNREADABLE;
    throw error;
  }
  const stat = statOf(read.stat);
  const statBefore = read.statBefore === undefined ? undefined : statOf(read.statBefore);
  // A stat that is none (a fixture tree's): whose listing this is cannot be told.
  if (stat === null || statBefore === null) return UNREADABLE;
  // Read by path (node:fs): the listing is this process's only if the start time held.
  if (statBefore !== undefined && statBefore.startTime !== stat.startTime) return REUSED;
  // A main thread that exited (pthread_exit) while others run is a zombie whose fd/ lists
  // nothing: its table is read through a live thread, as listFds does.
  if (stat.state === 'Z' && read.sockets.length === 0 && !isKernelThread(stat)) {
    return yield* readByListing(procfs, pid, read.uid);
  }
  // One link we may not read could be a socket: the process is not fully readable.
  if (read.denied) return UNREADABLE;
  const sockets = read.sockets.slice().sort((a, b) => a.fd - b.fd);
  return { pid, startTime: stat.startTime, uid: read.uid, comm: stat.comm, sockets };
}

/** The descriptors through procfs's listFds (a live thread's), between two reads of the stat. */
function* readByListing(
  procfs: ProcFS,
  pid: number,
  uid: number,
): Flow<ProcessSockets | typeof UNREADABLE | typeof REUSED | undefined> {
  let before: Stat;
  let entries: FdEntry[];
  let after: Stat;
  try {
    before = parseStat(yield* procfs.flows.readFile(pid, 'stat'));
    entries = yield* procfs.flows.listFds(pid);
    after = parseStat(yield* procfs.flows.readFile(pid, 'stat'));
  } catch (error) {
    if (error instanceof ProcessGoneError) return undefined;
    if (error instanceof ProcfsError || error instanceof ParseError) return UNREADABLE;
    throw error;
  }
  if (after.startTime !== before.startTime) return REUSED;
  const sockets: { fd: number; inode: number }[] = [];
  for (const entry of entries) {
    if (entry.error instanceof PermissionDeniedError) return UNREADABLE;
    const inode = socketInodeOf(entry.target);
    if (inode !== undefined) sockets.push({ fd: entry.fd, inode });
  }
  sockets.sort((a, b) => a.fd - b.fd);
  return { pid, startTime: before.startTime, uid, comm: before.comm, sockets };
}

/** A stat file parsed; null when it is not one (a fixture tree's: garbage, empty, a FIFO). */
function statOf(bytes: Uint8Array): Stat | null {
  try {
    return parseStat(bytes);
  } catch (error) {
    if (error instanceof ParseError) return null;
    throw error;
  }
}

function checkWalkOptions(options: SocketWalkOptions): {
  pids: number[] | undefined;
  concurrency: number;
} {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  const pids = options.pids === undefined ? undefined : [...options.pids];
  for (const pid of pids ?? []) {
    if (!Number.isInteger(pid) || pid < 1) {
      throw new TypeError(`pids must be positive integers, got ${String(pid)}`);
    }
  }
  return { pids, concurrency };
}

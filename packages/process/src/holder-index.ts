// Socket inode → the processes that hold it, kept cheap by an index of each process's socket
// descriptors under its identity (pid, start time).
//
// OpenSnitch keeps an inode cache and walks every /proc/*/fd on a miss. Here:
// - a warm hit (the inode is in the index) is verified in two batched reads: each holder's fd
//   link still reads `socket:[inode]`, then its stat still shows the indexed start time (read
//   after the link, so the link belonged to that process: see socket-holders.ts);
// - a miss lists the pids (new processes are found there, exited ones leave the index) and,
//   given the socket's uid (sock_diag gives it), walks that user's processes first: an indexed
//   process's uid is known, a new one's is one stat of its /proc/<pid>. A process that is not dumpable has a /proc/<pid> owned by root
//   whatever its uid, so when that user's processes hold nothing, the rest are walked too;
// - every walk refreshes the entries it read: a pid whose start time changed is replaced, never
//   merged, so a lookup never answers with a pid whose start time changed.
//
// What a warm hit can miss: a holder that got the socket after it was indexed. Another process
// that received it over a unix socket (SCM_RIGHTS), a child forked after its parent was indexed
// (when the child was not walked since), a descriptor dup'ed into an indexed process. The
// holders returned are real (each verified), but may not be all of them. `complete: true` (or
// holdersOf, or connections) walks every process instead. An index that follows a feed of
// process events (`follow`) closes the fork case: a parent that forks is forgotten, so the next
// lookup of its sockets walks and finds the child too.

import { parseStat } from '@procmon/parse';
import { all, done, type Flow, type ProcFS, ProcfsError } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
import { endedOrReplaced, forkingParent, listen, type ProcessEventFeed } from './event-feed.js';
import {
  holderOf,
  holdersByInode,
  type ProcessSockets,
  type SocketHolder,
  type SocketWalk,
  socketInodeOf,
  socketWalkFlow,
} from './socket-holders.js';

/** What a lookup of one socket inode found. */
export interface HolderLookup {
  inode: number;
  /** Every holder found, each verified, in pid then fd order. */
  holders: SocketHolder[];
  /**
   * How far the lookup went: `index` (a verified warm hit, no walk), `uid` (a walk of the
   * socket's user's processes found it), `all` (every process was walked). After `index` or
   * `uid`, a holder elsewhere (another user's process that received the socket, or forked and
   * changed its uid) may be missing: `complete: true` walks every process.
   */
  searched: 'index' | 'uid' | 'all';
  /** Pids whose fd/ could not be read in the walk (see SocketWalk.unreadable): any may hold it. */
  unreadable: number[];
  /**
   * Set when `holders` is empty.
   * - `not-permitted`: no readable process holds it, and some fd/ could not be read
   *   (`unreadable`; as root too: a process whose capabilities exceed ours, such as a
   *   container's init): the holder may be one of those, or none.
   * - `no-visible-holder`: every process was read and none holds it: the socket is closed or
   *   has no descriptor left (TIME_WAIT, an exited process), is held only by the kernel or by
   *   processes outside this pid namespace (or by a thread with its own fd table), or the
   *   inode is not a socket's.
   */
  reason?: 'not-permitted' | 'no-visible-holder';
}

export interface HolderLookupOptions {
  /** The socket's owner (sock_diag's uid): that user's processes are walked first on a miss. */
  uid?: number | undefined;
  /** Skip the index and walk every process: finds holders a warm hit can miss. */
  complete?: boolean | undefined;
}

interface Candidate {
  process: ProcessSockets;
  fd: number;
}

/** Socket holders by inode, from an index of every process's socket descriptors. */
export class SocketHolderIndex {
  readonly procfs: ProcFS;
  readonly #processes = new Map<number, ProcessSockets>();
  /** inode → pids of indexed processes with a descriptor on it. */
  readonly #byInode = new Map<number, Set<number>>();

  constructor(options: { procfs?: ProcFS | undefined } = {}) {
    this.procfs = procfsOf(options);
  }

  /** Every holder of socket `inode`: a verified index hit, else a walk (see the file's top). */
  holders(inode: number, options: HolderLookupOptions = {}): HolderLookup {
    return this.procfs.run(this.holdersFlow(inode, options));
  }

  /** The same with asynchronous reads. */
  holdersAsync(inode: number, options: HolderLookupOptions = {}): Promise<HolderLookup> {
    try {
      return this.procfs.runAsync(this.holdersFlow(inode, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The holders of each inode (an empty list for one no process holds), from one full walk. */
  holdersOf(inodes: Iterable<number>): Map<number, SocketHolder[]> {
    return this.procfs.run(this.holdersOfFlow(inodes));
  }

  /** The same with asynchronous reads. */
  holdersOfAsync(inodes: Iterable<number>): Promise<Map<number, SocketHolder[]>> {
    try {
      return this.procfs.runAsync(this.holdersOfFlow(inodes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Drops what the index knows of `pid` (an exit event, say). */
  forget(pid: number): void {
    const process = this.#processes.get(pid);
    if (process === undefined) return;
    this.#processes.delete(pid);
    for (const { inode } of process.sockets) {
      const pids = this.#byInode.get(inode);
      pids?.delete(pid);
      if (pids?.size === 0) this.#byInode.delete(inode);
    }
  }

  /** Whether the index holds what `pid`'s descriptors were when last walked. */
  has(pid: number): boolean {
    return this.#processes.has(pid);
  }

  /**
   * Keeps the index in step with `feed` (a ProcessEvents of @procmon/events, or any emitter of
   * its 'event'); returns the function that stops following it. With no read, it forgets:
   * - a process that exited (its main thread: `pid === tgid`): its descriptors are closed;
   * - a process that exec'd: its close-on-exec descriptors (sockets made by most runtimes) are
   *   closed by the exec, and which are left is not known until it is walked again;
   * - every pid a resync found `gone`;
   * - a process that forked a process: the child holds the parent's descriptors, and a warm hit
   *   would name only the parent (see the top of this file); forgotten, the parent's sockets are
   *   looked up by a walk that finds both.
   * A forgotten process is walked again by the next lookup that misses the index. Events lost
   * between a `lost` and its resync leave their entries, which the lookup's own checks still
   * guard (each holder's link and start time are verified).
   */
  follow(feed: ProcessEventFeed): () => void {
    return listen(feed, (event) => {
      for (const pid of endedOrReplaced(event)) this.forget(pid);
      const parent = forkingParent(event);
      if (parent !== undefined) this.forget(parent);
    });
  }

  /** Empties the index. */
  clear(): void {
    this.#processes.clear();
    this.#byInode.clear();
  }

  /** How many processes are indexed. */
  get size(): number {
    return this.#processes.size;
  }

  /** The flow behind `holdersOf`, to compose with other reads. */
  *holdersOfFlow(inodes: Iterable<number>): Flow<Map<number, SocketHolder[]>> {
    const wanted = [...inodes];
    for (const inode of wanted) checkInode(inode);
    const { byInode } = yield* this.everyHolderFlow();
    return new Map(wanted.map((inode) => [inode, byInode.get(inode) ?? []]));
  }

  /**
   * One walk of every process (of `pids`, the pid list as just read; the root's pids unless
   * given), refreshing the whole index: the holders of every socket found, by inode, and the
   * pids whose descriptors could not be read (any of them may hold any socket).
   */
  *everyHolderFlow(
    pids?: readonly number[],
  ): Flow<{ byInode: Map<number, SocketHolder[]>; unreadable: number[] }> {
    const listed = pids ?? (yield* this.procfs.flows.listPids());
    const walk = yield* socketWalkFlow(this.procfs, listed);
    this.#refresh(walk, listed, listed);
    return { byInode: holdersByInode(walk), unreadable: walk.unreadable };
  }

  /** The flow behind `holders`, to compose with other reads. */
  *holdersFlow(inode: number, options: HolderLookupOptions = {}): Flow<HolderLookup> {
    checkInode(inode);
    const { uid, complete } = options;
    if (uid !== undefined && (!Number.isInteger(uid) || uid < 0 || uid > 0xffff_ffff)) {
      throw new TypeError(`uid must be an integer from 0 to 2^32-1, got ${String(uid)}`);
    }
    if (!complete) {
      const verified = yield* this.#verified(inode);
      if (verified.length > 0)
        return { inode, holders: verified, searched: 'index', unreadable: [] };
    }
    const pids = yield* this.procfs.flows.listPids();
    let rest = pids;
    const unreadable: number[] = [];
    if (uid !== undefined && !complete) {
      // An indexed process's uid is as last read (a setuid since only costs time: the rest are
      // walked when the uid's hold nothing); one stat finds a new process's.
      const owners = yield* all(
        pids.map((pid) => {
          const known = this.#processes.get(pid);
          return known === undefined ? this.#ownerOf(pid) : done(known.uid);
        }),
      );
      const mine = pids.filter((_, i) => owners[i] === uid);
      const walk = yield* socketWalkFlow(this.procfs, mine);
      this.#refresh(walk, mine, pids);
      const holders = holdersByInode(walk).get(inode) ?? [];
      if (holders.length > 0)
        return { inode, holders, searched: 'uid', unreadable: walk.unreadable };
      unreadable.push(...walk.unreadable);
      rest = pids.filter((_, i) => owners[i] !== uid);
    }
    const walk = yield* socketWalkFlow(this.procfs, rest);
    this.#refresh(walk, rest, pids);
    unreadable.push(...walk.unreadable);
    unreadable.sort((a, b) => a - b);
    const holders = holdersByInode(walk).get(inode) ?? [];
    const lookup: HolderLookup = { inode, holders, searched: 'all', unreadable };
    if (holders.length === 0) {
      lookup.reason = unreadable.length > 0 ? 'not-permitted' : 'no-visible-holder';
    }
    return lookup;
  }

  /**
   * The indexed holders of `inode` that still hold it: the links first, in one batch, then the
   * stats in another (after the links, so each link read belonged to the indexed process). A
   * holder that failed is dropped from the index with its process, which the next walk reads anew.
   */
  *#verified(inode: number): Flow<SocketHolder[]> {
    const pids = this.#byInode.get(inode);
    if (pids === undefined) return [];
    const candidates: Candidate[] = [];
    for (const pid of pids) {
      const process = this.#processes.get(pid) as ProcessSockets;
      for (const socket of process.sockets) {
        if (socket.inode === inode) candidates.push({ process, fd: socket.fd });
      }
    }
    const procfs = this.procfs;
    const links = yield* all(
      candidates.map(({ process, fd }) => orUndefined(procfs.flows.readFdLink(process.pid, fd))),
    );
    const distinct = [...pids];
    const stats = yield* all(
      distinct.map((pid) => orUndefined(procfs.flows.readFile(pid, 'stat'))),
    );
    const startTimes = new Map<number, number | undefined>();
    distinct.forEach((pid, i) => {
      const bytes = stats[i];
      startTimes.set(pid, bytes === undefined ? undefined : parseStat(bytes).startTime);
    });
    const verified: SocketHolder[] = [];
    const stale = new Set<number>();
    candidates.forEach(({ process, fd }, i) => {
      const link = links[i];
      const same =
        link !== undefined &&
        socketInodeOf(link) === inode &&
        startTimes.get(process.pid) === process.startTime;
      if (same) verified.push(holderOf(process, fd));
      else stale.add(process.pid);
    });
    for (const pid of stale) this.forget(pid);
    return verified.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
  }

  /** The owner of /proc/<pid>, or undefined when the process is gone or cannot be stat'ed. */
  *#ownerOf(pid: number): Flow<number | undefined> {
    return (yield* orUndefined(this.procfs.flows.statProcess(pid)))?.uid;
  }

  /**
   * Puts a walk's processes in the index: each pid of `walked` is replaced by what the walk read
   * (or dropped: it exited, its fd/ is not readable); each indexed pid not in `listed` (the pid
   * listing of this lookup) exited and is dropped.
   */
  #refresh(walk: SocketWalk, walked: readonly number[], listed: readonly number[]): void {
    for (const pid of walked) this.forget(pid);
    const alive = new Set(listed);
    for (const pid of [...this.#processes.keys()]) if (!alive.has(pid)) this.forget(pid);
    for (const process of walk.processes) {
      this.#processes.set(process.pid, process);
      for (const { inode } of process.sockets) {
        const pids = this.#byInode.get(inode);
        if (pids) pids.add(process.pid);
        else this.#byInode.set(inode, new Set([process.pid]));
      }
    }
  }
}

/** A read's value, or undefined when it failed (gone, closed, denied). */
function* orUndefined<T>(flow: Flow<T>): Flow<T | undefined> {
  try {
    return yield* flow;
  } catch (error) {
    if (error instanceof ProcfsError) return undefined;
    throw error;
  }
}

function checkInode(inode: number): void {
  if (!Number.isSafeInteger(inode) || inode < 1) {
    throw new TypeError(`a socket inode must be a positive integer, got ${String(inode)}`);
  }
}

// Processes kept by pid, each entry bound to its start time so a reused pid never returns the
// old process; entries expire after a TTL, leave when their process exits, and the least
// recently used leave first when the cache is full. Given a feed of process events (`follow`),
// entries leave as their processes exit or exec, without a read.

import { parseStat } from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
import { endedOrReplaced, listen, type ProcessEventFeed } from './event-feed.js';
import { Process, type ProcessOptions } from './process.js';

export interface ProcessCacheOptions {
  /** How long an entry lives after it was last added or found, in ms; 60 s unless set. */
  ttlMs?: number | undefined;
  /** The most entries kept; the least recently used leave first. 4096 unless set. */
  maxSize?: number | undefined;
  /** Where `get` reads a pid's start time; a shared ProcFS on /proc unless given. */
  procfs?: ProcFS | undefined;
  /** Milliseconds now; `Date.now` unless given (tests pass their own clock). */
  now?: (() => number) | undefined;
}

interface Entry {
  process: Process;
  expires: number;
}

export class ProcessCache {
  readonly ttlMs: number;
  readonly maxSize: number;
  readonly #procfs: ProcFS;
  readonly #now: () => number;
  // Map order is recency order: a hit moves its entry to the end.
  readonly #entries = new Map<number, Entry>();

  constructor(options: ProcessCacheOptions = {}) {
    this.ttlMs = positive(options.ttlMs ?? 60_000, 'ttlMs');
    this.maxSize = positive(options.maxSize ?? 4096, 'maxSize');
    if (!Number.isInteger(this.maxSize))
      throw new TypeError(`maxSize must be an integer, got ${this.maxSize}`);
    this.#procfs = procfsOf(options);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Keeps `process`, replacing any entry for its pid. */
  add(process: Process): void {
    this.#entries.delete(process.pid);
    this.#entries.set(process.pid, { process, expires: this.#now() + this.ttlMs });
    while (this.#entries.size > this.maxSize) {
      const oldest = this.#entries.keys().next().value as number;
      this.#entries.delete(oldest);
    }
  }

  /**
   * The entry for `pid` when it is still that process: its start time is read now, and an entry
   * whose pid was reused (or whose process exited) is removed and not returned. No I/O happens
   * for a pid with no entry.
   */
  get(pid: number): Process | undefined {
    return this.#procfs.run(this.getFlow(pid));
  }

  async getAsync(pid: number): Promise<Process | undefined> {
    return this.#procfs.runAsync(this.getFlow(pid));
  }

  /** The cached process for `pid`, or a new one opened (and kept) when there is none. */
  getOrOpen(pid: number, options?: ProcessOptions): Process {
    return this.#procfs.run(this.getOrOpenFlow(pid, options));
  }

  async getOrOpenAsync(pid: number, options?: ProcessOptions): Promise<Process> {
    return this.#procfs.runAsync(this.getOrOpenFlow(pid, options));
  }

  /**
   * The entry for `pid` without reading anything: for a caller that has just read the pid's
   * start time and compares it itself (the parent chain does).
   */
  peek(pid: number): Process | undefined {
    return this.fresh(pid)?.process;
  }

  /** Removes `pid`'s entry, as when an exit event arrives for it. */
  delete(pid: number): boolean {
    return this.#entries.delete(pid);
  }

  clear(): void {
    this.#entries.clear();
  }

  /**
   * Keeps the cache in step with `feed` (a ProcessEvents of @procmon/events, or any emitter of
   * its 'event'); returns the function that stops following it. With no read:
   * - an exit of a process (its main thread: `pid === tgid`) removes its entry;
   * - an exec removes its entry and resets the checksums of the Process it held: a Process keeps
   *   `comm` and its checksums from before, and those describe the old program (the identity
   *   check sees most execs by the stat's addresses, but not one of the same binary with address
   *   randomization off). Its pid, start time and ppid outlive an exec; the next `getOrOpen`
   *   opens the process anew all the same, so nothing of the old program is served;
   * - a resync removes every pid it found `gone`.
   * Other events change nothing: a thread's exit, a fork (a new pid has no entry), a comm change
   * (`Process.comm` is the name when it was opened, by design). Events lost between a `lost`
   * and its resync cannot be replayed: an exec missed then leaves its entry, which the identity
   * check still guards as without a feed.
   */
  follow(feed: ProcessEventFeed): () => void {
    return listen(feed, (event) => {
      for (const pid of endedOrReplaced(event)) {
        const entry = this.#entries.get(pid);
        if (entry === undefined) continue;
        this.#entries.delete(pid);
        if (event.type === 'exec') entry.process.resetChecksums();
      }
    });
  }

  /** Removes expired entries and those whose process exited or whose pid was reused. Returns how many. */
  prune(): number {
    let removed = 0;
    const now = this.#now();
    for (const [pid, entry] of this.#entries) {
      if (entry.expires <= now || !entry.process.isAlive()) {
        this.#entries.delete(pid);
        removed++;
      }
    }
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<Process> {
    for (const entry of this.#entries.values()) yield entry.process;
  }

  private *getFlow(pid: number): Flow<Process | undefined> {
    const entry = this.fresh(pid);
    if (entry === undefined) return undefined;
    let stat: Uint8Array | undefined;
    try {
      stat = yield* this.#procfs.flows.readFile(pid, 'stat');
    } catch (error) {
      if (!(error instanceof ProcessGoneError)) throw error;
    }
    this.#entries.delete(pid);
    if (stat === undefined || parseStat(stat).startTime !== entry.process.startTime) {
      return undefined;
    }
    // A hit: most recently used, and it lives another TTL.
    this.#entries.set(pid, { process: entry.process, expires: this.#now() + this.ttlMs });
    return entry.process;
  }

  private *getOrOpenFlow(pid: number, options: ProcessOptions | undefined): Flow<Process> {
    const cached = yield* this.getFlow(pid);
    if (cached) return cached;
    const stat = parseStat(yield* this.#procfs.flows.readFile(pid, 'stat'));
    const opened = new Process(stat, { procfs: this.#procfs, ...options, cache: this });
    this.add(opened);
    return opened;
  }

  private fresh(pid: number): Entry | undefined {
    const entry = this.#entries.get(pid);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(pid);
      return undefined;
    }
    return entry;
  }
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

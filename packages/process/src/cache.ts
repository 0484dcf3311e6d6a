// Processes kept by pid, each entry bound to its start time so a reused pid never returns the
// old process; entries expire after a TTL, leave when their process exits, and the least
// recently used leave first when the cache is full.

import { parseStat } from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
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

// Checksums remembered by what identifies a file's content without reading it: device, inode,
// size, modification time and change time. Hundreds of processes of one binary then cost one
// hash, and a binary changed on disk is hashed afresh. The change time matters: an owner can
// rewrite a file at the same size and put its mtime back (touch -r), but no one can set ctime.
import type { BigIntStats } from 'node:fs';
import { external, type Flow, type ProcFS } from '@procmon/procfs';
import { type Checksums, checkAlgorithms } from './algorithms.js';
import { fileRunner, withOpenFile } from './hash-file.js';
import { checkLimits, type HashOptions, type Limits } from './options.js';
import { type StableRead, stableRead } from './stable-read.js';

export interface ChecksumCacheOptions {
  /** The most checksums kept; the least recently used goes first. 4096 by default. */
  maxEntries?: number;
  /**
   * A file changed less than this many milliseconds before it was hashed is hashed but not
   * cached: timestamps can be as coarse as a scheduler tick (up to 10 ms), so a second change
   * within it could leave every timestamp as it was (git's "racy" check). 50 by default.
   */
  settleMs?: number;
  /** Milliseconds now (compared with the file's change time); `Date.now` unless given. */
  now?: (() => number) | undefined;
}

/**
 * A bounded cache of checksums keyed by (device, inode, size, mtime, ctime, algorithm). It only
 * ever holds verified checksums: of a file read as hashFile reads it (twice when anyone but root
 * may write it), or of a running binary whose process was confirmed alive after the read.
 */
export class ChecksumCache {
  readonly maxEntries: number;
  /** @internal */
  readonly settleNs: bigint;
  /** @internal */
  readonly now: () => number;
  /** Lookups answered from the cache, and files that had to be read. */
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, string>();
  /**
   * @internal Verified reads under way, by file identity and algorithms, shared by overlapping
   * async calls: the digests in the order of the algorithms, and the stat they were read under.
   */
  readonly pending = new Map<string, Promise<SharedRead>>();

  constructor(options: ChecksumCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 4096;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`);
    }
    this.maxEntries = maxEntries;
    const settleMs = options.settleMs ?? 50;
    if (!Number.isSafeInteger(settleMs) || settleMs < 0) {
      throw new TypeError(
        `settleMs must be a whole number of milliseconds, got ${String(settleMs)}`,
      );
    }
    this.settleNs = BigInt(settleMs) * 1_000_000n;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }

  /** @internal */
  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry as most recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** @internal */
  set(key: string, value: string): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/**
 * The checksums of a file through a cache: an unchanged file is not read again. The file is
 * opened, checked and read as hashFile does it (same options, same errors, same guarantee);
 * a checksum is kept only when the file's last change is older than the cache's settle time.
 */
export function hashFileCached(
  path: string | Buffer,
  algorithms: readonly string[],
  cache: ChecksumCache,
  options?: HashOptions,
): Checksums {
  checkAlgorithms(algorithms);
  const runner = fileRunner();
  return runner.run(cachedFileFlow(runner, path, algorithms, cache, checkLimits(options)));
}

/**
 * The same as hashFileCached, with the asynchronous fs calls. Overlapping calls for the same
 * file share one read.
 */
export async function hashFileCachedAsync(
  path: string | Buffer,
  algorithms: readonly string[],
  cache: ChecksumCache,
  options?: HashOptions,
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  const runner = fileRunner();
  return runner.runAsync(cachedFileFlow(runner, path, algorithms, cache, checkLimits(options)));
}

function cachedFileFlow(
  runner: ProcFS,
  path: string | Buffer,
  algorithms: readonly string[],
  cache: ChecksumCache,
  limits: Limits,
): Flow<Checksums> {
  return withOpenFile(path, limits, (file) =>
    cachedChecksums(runner, cache, file.stats, algorithms, (wanted) =>
      stableRead(file, wanted, limits, 'verify'),
    ),
  );
}

/** @internal A verified read as overlapping calls share it. */
export interface SharedRead {
  digests: string[];
  stats: BigIntStats;
}

/**
 * @internal The checksums of an open file whose stat is `stats`, from the cache where it has
 * them, else from `read`, which must return only verified checksums: it runs (on `runner`, the
 * ProcFS the caller's flow runs on) for the missing algorithms (sync), or once for overlapping
 * async calls with the same file and algorithms.
 */
export function* cachedChecksums(
  runner: ProcFS,
  cache: ChecksumCache,
  stats: BigIntStats,
  algorithms: readonly string[],
  read: (algorithms: readonly string[]) => Flow<StableRead>,
): Flow<Checksums> {
  const identity = identityOf(stats);
  const found: Checksums = {};
  const missing: string[] = [];
  for (const algorithm of algorithms) {
    const digest = cache.get(`${identity}:${algorithm.toLowerCase()}`);
    if (digest === undefined) missing.push(algorithm);
    else found[algorithm] = digest;
  }
  if (missing.length === 0) {
    cache.hits++;
    return found;
  }
  // Sync reads the missing algorithms; async reads them all, so that overlapping calls for the
  // same algorithms can share one read.
  const [names, fresh] = yield* external(
    (): [readonly string[], SharedRead] => {
      cache.misses++;
      return [missing, asShared(runner.run(read(missing)), missing)];
    },
    async (): Promise<[readonly string[], SharedRead]> => [
      algorithms,
      await shareRead(cache, identity, algorithms, async () =>
        asShared(await runner.runAsync(read(algorithms)), algorithms),
      ),
    ],
  );
  const keep = settled(fresh.stats, cache);
  const freshIdentity = identityOf(fresh.stats);
  names.forEach((algorithm, i) => {
    const digest = fresh.digests[i] as string;
    found[algorithm] = digest;
    if (keep) cache.set(`${freshIdentity}:${algorithm.toLowerCase()}`, digest);
  });
  // The caller's order, whatever came from the cache.
  const ordered: Checksums = {};
  for (const algorithm of algorithms) ordered[algorithm] = found[algorithm] as string;
  return ordered;
}

const asShared = (read: StableRead, algorithms: readonly string[]): SharedRead => ({
  digests: algorithms.map((algorithm) => read.checksums[algorithm] as string),
  stats: read.stats,
});

/**
 * One read for overlapping async calls: the first runs `run`, the others wait for it. A waiter
 * takes the result only if it is of the file as the waiter found it (same identity) and settled;
 * if the read failed (its file changed, its process exited, its caller aborted) or does not fit,
 * the waiter reads for itself.
 */
async function shareRead(
  cache: ChecksumCache,
  identity: string,
  algorithms: readonly string[],
  run: () => Promise<SharedRead>,
): Promise<SharedRead> {
  const key = `${identity}:${algorithms.map((name) => name.toLowerCase()).join(',')}`;
  const pending = cache.pending.get(key);
  if (pending) {
    const shared = await pending.catch(() => undefined);
    if (shared && identityOf(shared.stats) === identity && settled(shared.stats, cache)) {
      cache.hits++;
      return shared;
    }
  }
  cache.misses++;
  const reading = run();
  // Waiters see the outcome through their own await; with none, a failed read must not become
  // an unhandled rejection that ends the process.
  reading.catch(() => {});
  cache.pending.set(key, reading);
  try {
    return await reading;
  } finally {
    if (cache.pending.get(key) === reading) cache.pending.delete(key);
  }
}

function identityOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/**
 * Whether a verified checksum may be kept: the file's last change is older than the settle time
 * (see ChecksumCacheOptions).
 */
function settled(stats: BigIntStats, cache: ChecksumCache): boolean {
  if (cache.settleNs === 0n) return true;
  const now = BigInt(Math.trunc(cache.now())) * 1_000_000n;
  // Every change of content or of mtime sets ctime to the present: it is the last change.
  return now - stats.ctimeNs >= cache.settleNs;
}

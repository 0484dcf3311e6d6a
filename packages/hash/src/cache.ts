// Checksums remembered by what identifies a file's content without reading it: device, inode,
// size, modification time and change time. Hundreds of processes of one binary then cost one
// hash, and a binary changed on disk is hashed afresh. The change time matters: an owner can
// rewrite a file at the same size and put its mtime back (touch -r), but no one can set ctime.
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { type Checksums, checkAlgorithms } from './algorithms.js';
import { hashStableAsync, hashStableSync, type StableRead, statDescriptor } from './hash-file.js';
import { withOpenFile, withOpenHandle } from './open-file.js';

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

/** A bounded cache of checksums keyed by (device, inode, size, mtime, ctime, algorithm). */
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
  /** @internal Reads under way, by file identity and algorithms, shared by overlapping calls. */
  readonly pending = new Map<string, Promise<string[]>>();

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

/** The checksums of a file through a cache: an unchanged file is not read again. */
export function hashFileCached(
  path: string | Buffer,
  algorithms: readonly string[],
  cache: ChecksumCache,
): Checksums {
  checkAlgorithms(algorithms);
  return withOpenFile(path, (fd) => hashOpenFileCached(fd, algorithms, cache, path));
}

/** @internal The cached path for a descriptor that is already open (e.g. /proc/<pid>/exe). */
export function hashOpenFileCached(
  fd: number,
  algorithms: readonly string[],
  cache: ChecksumCache,
  path: string | Uint8Array,
): Checksums {
  const before = statDescriptor(fd);
  const identity = identityOf(before);
  const checksums: Checksums = {};
  const missing: string[] = [];
  for (const algorithm of algorithms) {
    const cached = cache.get(`${identity}:${algorithm.toLowerCase()}`);
    if (cached === undefined) missing.push(algorithm);
    else checksums[algorithm] = cached;
  }
  if (missing.length === 0) {
    cache.hits++;
    return checksums;
  }
  cache.misses++;
  // A file written while it was read is read again, then refused (ECHANGED): what comes back
  // was read while the file stood still, under the stat it had then.
  const fresh = hashStableSync(fd, missing, path);
  const keep = settled(fresh.stats, cache);
  const freshIdentity = identityOf(fresh.stats);
  for (const algorithm of missing) {
    const digest = fresh.checksums[algorithm] as string;
    checksums[algorithm] = digest;
    if (keep) cache.set(`${freshIdentity}:${algorithm.toLowerCase()}`, digest);
  }
  // The caller's order, whatever came from the cache.
  const ordered: Checksums = {};
  for (const algorithm of algorithms) ordered[algorithm] = checksums[algorithm] as string;
  return ordered;
}

/** The same as hashFileCached, with the asynchronous fs calls. */
export async function hashFileCachedAsync(
  path: string | Buffer,
  algorithms: readonly string[],
  cache: ChecksumCache,
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  return withOpenHandle(path, (handle) => hashOpenHandleCached(handle, algorithms, cache, path));
}

/** @internal The cached path for a FileHandle that is already open. */
export async function hashOpenHandleCached(
  handle: FileHandle,
  algorithms: readonly string[],
  cache: ChecksumCache,
  path: string | Uint8Array,
): Promise<Checksums> {
  const before = await handle.stat({ bigint: true });
  const identity = identityOf(before);
  const cached = algorithms.map((algorithm) => cache.get(`${identity}:${algorithm.toLowerCase()}`));
  if (cached.every((digest) => digest !== undefined)) {
    cache.hits++;
    const checksums: Checksums = {};
    algorithms.forEach((algorithm, i) => {
      checksums[algorithm] = cached[i] as string;
    });
    return checksums;
  }
  // Calls that overlap on the same file share one read: the first hashes, the others wait.
  const pendingKey = `${identity}:${algorithms.map((name) => name.toLowerCase()).join(',')}`;
  const pending = cache.pending.get(pendingKey);
  if (pending) {
    cache.hits++;
    const shared = await pending;
    const checksums: Checksums = {};
    algorithms.forEach((algorithm, i) => {
      checksums[algorithm] = shared[i] as string;
    });
    return checksums;
  }
  cache.misses++;
  const reading = hashStableAsync(handle, algorithms, path);
  const shared = reading.then((result) =>
    algorithms.map((algorithm) => result.checksums[algorithm] as string),
  );
  // Waiters (if any) see the rejection through their own await; with none, a failed read
  // must not become an unhandled rejection that ends the process.
  shared.catch(() => {});
  cache.pending.set(pendingKey, shared);
  let fresh: StableRead;
  try {
    fresh = await reading;
  } finally {
    cache.pending.delete(pendingKey);
  }
  if (settled(fresh.stats, cache)) {
    const freshIdentity = identityOf(fresh.stats);
    for (const algorithm of algorithms) {
      cache.set(
        `${freshIdentity}:${algorithm.toLowerCase()}`,
        fresh.checksums[algorithm] as string,
      );
    }
  }
  return fresh.checksums;
}

function identityOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/**
 * Whether a checksum read while the file stood still (see hashStableSync) may be kept: its last
 * change is older than the settle time (see ChecksumCacheOptions).
 */
function settled(stats: BigIntStats, cache: ChecksumCache): boolean {
  if (cache.settleNs === 0n) return true;
  const now = BigInt(Math.trunc(cache.now())) * 1_000_000n;
  // Every change of content or of mtime sets ctime to the present: it is the last change.
  return now - stats.ctimeNs >= cache.settleNs;
}

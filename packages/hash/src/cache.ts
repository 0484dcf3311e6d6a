// Checksums remembered by what identifies a file's content without reading it: device, inode,
// size, modification time and change time. Hundreds of processes of one binary then cost one
// hash, and a binary changed on disk is hashed afresh. The change time matters: an owner can
// rewrite a file at the same size and put its mtime back (touch -r), but no one can set ctime.
import type { BigIntStats } from 'node:fs';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { type Checksums, checkAlgorithms, MultiHash } from './algorithms.js';
import { toHashError } from './errors.js';
import { hashDescriptor, statDescriptor } from './hash-file.js';

export interface ChecksumCacheOptions {
  /** The most checksums kept; the least recently used goes first. 4096 by default. */
  maxEntries?: number;
  /**
   * A file changed less than this many milliseconds before it was hashed is hashed but not
   * cached: timestamps can be as coarse as a scheduler tick (up to 10 ms), so a second change
   * within it could leave every timestamp as it was (git's "racy" check). 50 by default.
   */
  settleMs?: number;
}

/** A bounded cache of checksums keyed by (device, inode, size, mtime, algorithm). */
export class ChecksumCache {
  readonly maxEntries: number;
  /** @internal */
  readonly settleNs: bigint;
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

async function hashHandle(
  handle: Awaited<ReturnType<typeof open>>,
  algorithms: readonly string[],
): Promise<Checksums> {
  const hash = new MultiHash(algorithms);
  const buffer = new Uint8Array(1024 * 1024);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
  }
  return hash.digest();
}

/** The checksums of a file through a cache: an unchanged file is not read again. */
export function hashFileCached(
  path: string | Buffer,
  algorithms: readonly string[],
  cache: ChecksumCache,
): Checksums {
  checkAlgorithms(algorithms);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw toHashError(error, path);
  }
  try {
    return hashOpenFileCached(fd, algorithms, cache);
  } catch (error) {
    throw toHashError(error, path);
  } finally {
    closeSync(fd);
  }
}

/** @internal The cached path for a descriptor that is already open (e.g. /proc/<pid>/exe). */
export function hashOpenFileCached(
  fd: number,
  algorithms: readonly string[],
  cache: ChecksumCache,
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
  const fresh = hashDescriptor(fd, missing);
  // A file written while it was read has no single checksum: keep the result out of the cache.
  const after = statDescriptor(fd);
  const unchanged = cacheable(before, after, cache.settleNs);
  for (const algorithm of missing) {
    const digest = fresh[algorithm] as string;
    checksums[algorithm] = digest;
    if (unchanged) cache.set(`${identity}:${algorithm.toLowerCase()}`, digest);
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
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw toHashError(error, path);
  }
  try {
    const before = await handle.stat({ bigint: true });
    const identity = identityOf(before);
    const cached = algorithms.map((algorithm) =>
      cache.get(`${identity}:${algorithm.toLowerCase()}`),
    );
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
    const reading = hashHandle(handle, algorithms);
    cache.pending.set(
      pendingKey,
      reading.then((result) => algorithms.map((algorithm) => result[algorithm] as string)),
    );
    let checksums: Checksums;
    try {
      checksums = await reading;
    } finally {
      cache.pending.delete(pendingKey);
    }
    const after = await handle.stat({ bigint: true });
    if (cacheable(before, after, cache.settleNs)) {
      for (const algorithm of algorithms) {
        cache.set(`${identity}:${algorithm.toLowerCase()}`, checksums[algorithm] as string);
      }
    }
    return checksums;
  } catch (error) {
    throw toHashError(error, path);
  } finally {
    await handle.close();
  }
}

function identityOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/**
 * Whether a checksum read between these two stats may be kept: the file did not change while
 * it was read, and its last change is older than the settle time (see ChecksumCacheOptions).
 */
function cacheable(before: BigIntStats, after: BigIntStats, settleNs: bigint): boolean {
  if (identityOf(before) !== identityOf(after)) return false;
  if (settleNs === 0n) return true;
  const now = BigInt(Date.now()) * 1_000_000n;
  // Every change of content or of mtime sets ctime to the present: it is the last change.
  return now - after.ctimeNs >= settleNs;
}

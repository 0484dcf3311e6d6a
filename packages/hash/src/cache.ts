// Checksums remembered by what identifies a file's content without reading it: device, inode,
// size and modification time. Hundreds of processes of one binary then cost one hash, and a
// binary changed on disk (new inode, or new size or mtime) is hashed afresh.
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { type Checksums, checkAlgorithms, MultiHash } from './algorithms.js';
import { toHashError } from './errors.js';
import { hashDescriptor, statDescriptor } from './hash-file.js';

export interface ChecksumCacheOptions {
  /** The most checksums kept; the least recently used goes first. 4096 by default. */
  maxEntries?: number;
}

/** A bounded cache of checksums keyed by (device, inode, size, mtime, algorithm). */
export class ChecksumCache {
  readonly maxEntries: number;
  /** Lookups answered from the cache, and files that had to be read. */
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, string>();

  constructor(options: ChecksumCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 4096;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`);
    }
    this.maxEntries = maxEntries;
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
  const identity = `${before.dev}:${before.ino}:${before.size}:${before.mtimeNs}`;
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
  const unchanged = after.size === before.size && after.mtimeNs === before.mtimeNs;
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
    const identity = `${before.dev}:${before.ino}:${before.size}:${before.mtimeNs}`;
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
    cache.misses++;
    const hash = new MultiHash(algorithms);
    const buffer = new Uint8Array(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    const checksums = hash.digest();
    const after = await handle.stat({ bigint: true });
    if (after.size === before.size && after.mtimeNs === before.mtimeNs) {
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

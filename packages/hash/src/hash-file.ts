// Checksums of files, bytes and streams: all requested algorithms in one pass over the data.
import { type BigIntStats, fstatSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { type Checksums, checkAlgorithms, MultiHash } from './algorithms.js';
import { HashError, shownPath } from './errors.js';
import { withOpenFile, withOpenHandle } from './open-file.js';

const CHUNK_BYTES = 1024 * 1024;
// Sync hashing runs one file at a time, so it can reuse one buffer.
const shared = new Uint8Array(CHUNK_BYTES);

/**
 * The checksums of a file, read synchronously in 1 MiB chunks into a reused buffer. The path
 * may be raw bytes (a Buffer), for names that are not UTF-8. A file that changes while it is
 * read (size, mtime or ctime differ before and after) is read once more; if it changes again,
 * HashError with code ECHANGED.
 */
export function hashFile(path: string | Buffer, algorithms: readonly string[]): Checksums {
  checkAlgorithms(algorithms);
  return withOpenFile(path, (fd) => hashStableSync(fd, algorithms, path).checksums);
}

/** @internal The checksums of an open descriptor, from its start to EOF (positional reads). */
export function hashDescriptor(fd: number, algorithms: readonly string[]): Checksums {
  const hash = new MultiHash(algorithms);
  let position = 0;
  for (;;) {
    const count = readSync(fd, shared, 0, CHUNK_BYTES, position);
    if (count === 0) break;
    hash.update(shared.subarray(0, count));
    position += count;
  }
  return hash.digest();
}

/** @internal fstat of an open descriptor, as bigints (inode numbers can pass 2^53). */
export const statDescriptor = (fd: number) => fstatSync(fd, { bigint: true });

/** @internal A read that saw no change: its checksums and the file's stat during it. */
export interface StableRead {
  checksums: Checksums;
  stats: BigIntStats;
}

/** @internal Whether two fstats of one descriptor say the file did not change between them. */
export function sameContent(before: BigIntStats, after: BigIntStats): boolean {
  return (
    before.size === after.size &&
    before.mtimeNs === after.mtimeNs &&
    before.ctimeNs === after.ctimeNs
  );
}

function changedError(path: string | Uint8Array): HashError {
  const shown = shownPath(path);
  return new HashError(
    `cannot hash ${shown}: it changed while it was read, twice (size, mtime or ctime moved); it has no single checksum`,
    { path: shown, code: 'ECHANGED' },
  );
}

/**
 * @internal The checksums of an open descriptor, with fstat before and after the read: a change
 * means one more read, a second change a HashError with code ECHANGED.
 */
export function hashStableSync(
  fd: number,
  algorithms: readonly string[],
  path: string | Uint8Array,
): StableRead {
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = statDescriptor(fd);
    const checksums = hashDescriptor(fd, algorithms);
    const after = statDescriptor(fd);
    if (sameContent(before, after)) return { checksums, stats: after };
  }
  throw changedError(path);
}

/** @internal The same as hashStableSync for a FileHandle. */
export async function hashStableAsync(
  handle: FileHandle,
  algorithms: readonly string[],
  path: string | Uint8Array,
): Promise<StableRead> {
  const buffer = new Uint8Array(CHUNK_BYTES);
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = await handle.stat({ bigint: true });
    const hash = new MultiHash(algorithms);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const checksums = hash.digest();
    const after = await handle.stat({ bigint: true });
    if (sameContent(before, after)) return { checksums, stats: after };
  }
  throw changedError(path);
}

/**
 * The checksums of a file, read with the asynchronous fs calls in 1 MiB chunks: the event loop
 * stays free and the file is never held whole in memory. A file that changes while it is read
 * is read once more; if it changes again, HashError with code ECHANGED.
 */
export async function hashFileAsync(
  path: string | Buffer,
  algorithms: readonly string[],
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  return withOpenHandle(
    path,
    async (handle) => (await hashStableAsync(handle, algorithms, path)).checksums,
  );
}

/** The checksums of bytes in memory. */
export function hashBytes(bytes: Uint8Array, algorithms: readonly string[]): Checksums {
  checkAlgorithms(algorithms);
  const hash = new MultiHash(algorithms);
  hash.update(bytes);
  return hash.digest();
}

/** The checksums of a stream of bytes (any async iterable, a Node Readable among them). */
export async function hashStream(
  stream: AsyncIterable<Uint8Array>,
  algorithms: readonly string[],
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  const hash = new MultiHash(algorithms);
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest();
}

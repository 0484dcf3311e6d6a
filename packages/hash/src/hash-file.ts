// Checksums of files, bytes and streams: all requested algorithms in one pass over the data.
import { close, closeSync, fstatSync, open, openSync, read, readSync } from 'node:fs';
import { type Checksums, checkAlgorithms, MultiHash } from './algorithms.js';
import { toHashError } from './errors.js';

const CHUNK_BYTES = 1024 * 1024;
// Sync hashing runs one file at a time, so it can reuse one buffer.
const shared = new Uint8Array(CHUNK_BYTES);

/**
 * The checksums of a file, read synchronously in 1 MiB chunks into a reused buffer. The path
 * may be raw bytes (a Buffer), for names that are not UTF-8.
 */
export function hashFile(path: string | Buffer, algorithms: readonly string[]): Checksums {
  checkAlgorithms(algorithms);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw toHashError(error, path);
  }
  try {
    return hashDescriptor(fd, algorithms);
  } catch (error) {
    throw toHashError(error, path);
  } finally {
    closeSync(fd);
  }
}

/** @internal The checksums of an open descriptor, from its current position to EOF. */
export function hashDescriptor(fd: number, algorithms: readonly string[]): Checksums {
  const hash = new MultiHash(algorithms);
  for (;;) {
    const count = readSync(fd, shared, 0, CHUNK_BYTES, null);
    if (count === 0) break;
    hash.update(shared.subarray(0, count));
  }
  return hash.digest();
}

/** @internal fstat of an open descriptor, as bigints (inode numbers can pass 2^53). */
export const statDescriptor = (fd: number) => fstatSync(fd, { bigint: true });

/**
 * The checksums of a file, read with the asynchronous fs calls in 1 MiB chunks: the event loop
 * stays free and the file is never held whole in memory.
 */
export function hashFileAsync(
  path: string | Buffer,
  algorithms: readonly string[],
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  return new Promise((resolve, reject) => {
    open(path, 'r', (openError, fd) => {
      if (openError) {
        reject(toHashError(openError, path));
        return;
      }
      const hash = new MultiHash(algorithms);
      const buffer = new Uint8Array(CHUNK_BYTES);
      const finish = (error: unknown, result?: Checksums) =>
        close(fd, () => (error ? reject(toHashError(error, path)) : resolve(result as Checksums)));
      const next = () =>
        read(fd, buffer, 0, CHUNK_BYTES, null, (readError, count) => {
          if (readError) finish(readError);
          else if (count === 0) finish(undefined, hash.digest());
          else {
            hash.update(buffer.subarray(0, count));
            next();
          }
        });
      next();
    });
  });
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

// The checksum of what a process runs, with the reference's fallback chain, and its known bugs
// fixed: the memory image is really hashed (the reference hashes empty input), matched on the
// exact path, and a deleted or replaced binary is never answered with the file now at its path.
import { decodeText } from '@procmon/parse';
import { ProcessGoneError, ProcFS } from '@procmon/procfs';
import { type Checksums, checkAlgorithms } from './algorithms.js';
import { type ChecksumCache, hashFileCached, hashFileCachedAsync } from './cache.js';
import { HashError } from './errors.js';
import { hashBytes, hashFile, hashFileAsync } from './hash-file.js';
import { dumpImage, dumpImageAsync, type MemoryImage } from './image.js';

/**
 * Where a checksum came from: `exe` (<root>/<pid>/exe: the very file the process runs, even if
 * deleted or replaced on disk), `root` (the path under <root>/<pid>/root, for processes in
 * containers and chroots), `path` (the path itself), `memory` (the binary's image in memory).
 */
export type ChecksumSource = 'exe' | 'root' | 'path' | 'memory';

export interface ProcessChecksum {
  checksums: Checksums;
  source: ChecksumSource;
  /** The binary's path: the exe link's target without the ` (deleted)` suffix. */
  path: string;
  /** The exe link said ` (deleted)`: the file was deleted or replaced while the process runs. */
  deleted: boolean;
  /** The sources tried before the one that answered, and why each failed. */
  attempts: { source: ChecksumSource; error: Error }[];
}

export interface ProcessChecksumOptions {
  procfs?: ProcFS;
  /** Checksums by (device, inode, size, mtime): processes of one binary cost one hash. */
  cache?: ChecksumCache;
  /** The most bytes of memory the `memory` source reads; 1 GiB by default. */
  maxImageBytes?: number;
}

const DELETED = ' (deleted)';

/**
 * The checksums of the binary a process runs. Tries `exe`, then (only if the binary was not
 * deleted or replaced, since the file now at that path is not what runs) `root` and `path`,
 * then `memory`.
 *
 * @throws TypeError for an unknown algorithm or a bad pid (before any I/O); ProcessGoneError or
 *   PermissionDeniedError when the exe link cannot be read; HashError (code ENOSOURCE) when no
 *   source could be hashed, its message listing why each failed.
 */
export function processChecksum(
  pid: number,
  algorithms: readonly string[],
  options: ProcessChecksumOptions = {},
): ProcessChecksum {
  checkAlgorithms(algorithms);
  const procfs = options.procfs ?? new ProcFS();
  const binary = binaryOf(procfs.readLink(pid, 'exe'));
  const attempts: ProcessChecksum['attempts'] = [];
  for (const [source, target] of fileSources(procfs, pid, binary)) {
    try {
      const checksums = options.cache
        ? hashFileCached(target, algorithms, options.cache)
        : hashFile(target, algorithms);
      return { checksums, source, path: binary.path, deleted: binary.deleted, attempts };
    } catch (error) {
      attempts.push({ source, error: error as Error });
    }
  }
  try {
    const image = dumpImage(pid, binary.path, imageOptions(procfs, binary, options));
    return fromImage(image, algorithms, binary, attempts);
  } catch (error) {
    attempts.push({ source: 'memory', error: error as Error });
  }
  throw noSource(pid, procfs.processState(pid), attempts, procfs);
}

/** The same, with asynchronous reads throughout. */
export async function processChecksumAsync(
  pid: number,
  algorithms: readonly string[],
  options: ProcessChecksumOptions = {},
): Promise<ProcessChecksum> {
  checkAlgorithms(algorithms);
  const procfs = options.procfs ?? new ProcFS();
  const binary = binaryOf(await procfs.promises.readLink(pid, 'exe'));
  const attempts: ProcessChecksum['attempts'] = [];
  for (const [source, target] of fileSources(procfs, pid, binary)) {
    try {
      const checksums = options.cache
        ? await hashFileCachedAsync(target, algorithms, options.cache)
        : await hashFileAsync(target, algorithms);
      return { checksums, source, path: binary.path, deleted: binary.deleted, attempts };
    } catch (error) {
      attempts.push({ source, error: error as Error });
    }
  }
  try {
    const image = await dumpImageAsync(pid, binary.path, imageOptions(procfs, binary, options));
    return fromImage(image, algorithms, binary, attempts);
  } catch (error) {
    attempts.push({ source: 'memory', error: error as Error });
  }
  throw noSource(pid, await procfs.promises.processState(pid), attempts, procfs);
}

interface Binary {
  path: string;
  /** The path's raw bytes: a path that is not UTF-8 must reach open() unchanged. */
  pathBytes: Buffer;
  deleted: boolean;
}

function binaryOf(link: Uint8Array): Binary {
  const text = Buffer.from(link.buffer, link.byteOffset, link.byteLength);
  const deleted = text.length > DELETED.length && text.toString('latin1').endsWith(DELETED);
  const pathBytes = Buffer.from(deleted ? text.subarray(0, text.length - DELETED.length) : text);
  return { path: decodeText('text', pathBytes, 0, pathBytes.length), pathBytes, deleted };
}

function fileSources(
  procfs: ProcFS,
  pid: number,
  binary: Binary,
): [Exclude<ChecksumSource, 'memory'>, Buffer][] {
  const sources: [Exclude<ChecksumSource, 'memory'>, Buffer][] = [
    ['exe', Buffer.from(`${procfs.root}/${pid}/exe`)],
  ];
  if (!binary.deleted) {
    sources.push([
      'root',
      Buffer.concat([Buffer.from(`${procfs.root}/${pid}/root`), binary.pathBytes]),
    ]);
    sources.push(['path', binary.pathBytes]);
  }
  return sources;
}

function imageOptions(procfs: ProcFS, binary: Binary, options: ProcessChecksumOptions) {
  return options.maxImageBytes === undefined
    ? { procfs, deleted: binary.deleted }
    : { procfs, deleted: binary.deleted, maxBytes: options.maxImageBytes };
}

function fromImage(
  image: MemoryImage,
  algorithms: readonly string[],
  binary: Binary,
  attempts: ProcessChecksum['attempts'],
): ProcessChecksum {
  if (image.bytes.length === 0) {
    const reasons = image.regions.map((region) => region.error?.message).join('; ');
    throw new HashError(`no region of ${image.path} in memory could be read: ${reasons}`, {
      path: image.path,
      code: 'EIO',
    });
  }
  return {
    checksums: hashBytes(image.bytes, algorithms),
    source: 'memory',
    path: binary.path,
    deleted: binary.deleted,
    attempts,
  };
}

function noSource(
  pid: number,
  state: string,
  attempts: ProcessChecksum['attempts'],
  procfs: ProcFS,
): Error {
  const path = `${procfs.root}/${pid}/exe`;
  if (state !== 'alive') {
    return new ProcessGoneError(`cannot hash the binary of process ${pid}: it is ${state}`, {
      pid,
      path,
      code: 'ESRCH',
      zombie: state === 'zombie',
    });
  }
  const reasons = attempts.map((attempt) => `${attempt.source}: ${attempt.error.message}`);
  return new HashError(`cannot hash the binary of process ${pid}: ${reasons.join('; ')}`, {
    path,
    code: 'ENOSOURCE',
    cause: attempts,
  });
}

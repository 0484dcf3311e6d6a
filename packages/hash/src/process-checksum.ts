// The checksum of what a process runs, with the reference's fallback chain, and its known bugs
// fixed: the memory image is really hashed (the reference hashes empty input), matched on the
// exact path, and a deleted or replaced binary is never answered with the file now at its path.

import { type BigIntStats, closeSync, openSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { decodeText, type MapsEntry, parseMaps, parseStat } from '@procmon/parse';
import { ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { type Checksums, checkAlgorithms } from './algorithms.js';
import { type ChecksumCache, hashOpenFileCached, hashOpenHandleCached } from './cache.js';
import { defaultProcFS } from './default-procfs.js';
import { HashError, shownPath, toHashError } from './errors.js';
import { hashStableAsync, hashStableSync, statDescriptor } from './hash-file.js';
import { hashImage, hashImageAsync } from './image.js';

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
  /** Checksums by (device, inode, size, mtime, ctime): processes of one binary cost one hash. */
  cache?: ChecksumCache;
  /**
   * The most bytes of memory the `memory` source reads; 1 GiB by default. The memory checksum
   * covers the binary's executable regions only: comparable between processes of the same
   * binary, never equal to the checksum of its file.
   */
  maxImageBytes?: number;
}

const DELETED = ' (deleted)';

/**
 * The checksums of the binary a process runs. Tries `exe`, then (only if the binary was not
 * deleted or replaced, since the file now at that path is not what runs) `root` and `path`,
 * then `memory`.
 *
 * @throws TypeError for an unknown algorithm or a bad pid (before any I/O); ProcessGoneError or
 *   PermissionDeniedError when the exe link cannot be read; ProcessGoneError when the process
 *   exited or its pid was reused while it was hashed (start time read before and after);
 *   HashError (code ENOSOURCE) when no source could be hashed, its message listing why each
 *   failed. The `root` and `path` sources count only if the opened file is the one the process
 *   maps (device and inode); the `memory` checksum covers the executable regions only.
 */
export function processChecksum(
  pid: number,
  algorithms: readonly string[],
  options: ProcessChecksumOptions = {},
): ProcessChecksum {
  checkAlgorithms(algorithms);
  const procfs = options.procfs ?? defaultProcFS();
  let started: number;
  try {
    started = startTime(procfs.readFile(pid, 'stat'));
  } catch (error) {
    // A gone process: the exe link's own error says so as it always did.
    if (error instanceof ProcessGoneError) procfs.readLink(pid, 'exe');
    throw error;
  }
  const binary = binaryOf(procfs.readLink(pid, 'exe'));
  const attempts: ProcessChecksum['attempts'] = [];
  let maps: MapsEntry[] | Error | undefined;
  const mapsOf = () => {
    if (maps === undefined) {
      try {
        maps = parseMaps(procfs.readFile(pid, 'maps'));
      } catch (error) {
        maps = error as Error;
      }
    }
    return maps;
  };
  const confirm = (result: ProcessChecksum) => {
    sameProcess(pid, started, () => procfs.readFile(pid, 'stat'), procfs);
    return result;
  };
  for (const [source, target] of fileSources(procfs, pid, binary)) {
    let fd: number;
    try {
      fd = openSync(target, 'r');
    } catch (error) {
      attempts.push({ source, error: toHashError(error, target) });
      continue;
    }
    try {
      if (source !== 'exe') checkMapped(statDescriptor(fd), binary, mapsOf(), target, pid);
      const checksums = options.cache
        ? hashOpenFileCached(fd, algorithms, options.cache, target)
        : hashStableSync(fd, algorithms, target).checksums;
      return confirm({ checksums, source, path: binary.path, deleted: binary.deleted, attempts });
    } catch (error) {
      attempts.push({ source, error: toHashError(error, target) });
    } finally {
      closeSync(fd);
    }
  }
  let image: Checksums | undefined;
  try {
    image = hashImage(pid, binary.path, algorithms, imageOptions(procfs, binary, options));
  } catch (error) {
    attempts.push({ source: 'memory', error: error as Error });
  }
  if (image) return confirm(fromImage(image, binary, attempts));
  throw noSource(pid, procfs.processState(pid), attempts, procfs);
}

/** The same, with asynchronous reads throughout. */
export async function processChecksumAsync(
  pid: number,
  algorithms: readonly string[],
  options: ProcessChecksumOptions = {},
): Promise<ProcessChecksum> {
  checkAlgorithms(algorithms);
  const procfs = options.procfs ?? defaultProcFS();
  let started: number;
  try {
    started = startTime(await procfs.promises.readFile(pid, 'stat'));
  } catch (error) {
    // A gone process: the exe link's own error says so as it always did.
    if (error instanceof ProcessGoneError) await procfs.promises.readLink(pid, 'exe');
    throw error;
  }
  const binary = binaryOf(await procfs.promises.readLink(pid, 'exe'));
  const attempts: ProcessChecksum['attempts'] = [];
  let maps: MapsEntry[] | Error | undefined;
  const mapsOf = async () => {
    if (maps === undefined) {
      try {
        maps = parseMaps(await procfs.promises.readFile(pid, 'maps'));
      } catch (error) {
        maps = error as Error;
      }
    }
    return maps;
  };
  const confirm = async (result: ProcessChecksum) => {
    const stat = await procfs.promises.readFile(pid, 'stat').catch((error: unknown) => error);
    sameProcess(
      pid,
      started,
      () => {
        if (stat instanceof Uint8Array) return stat;
        throw stat;
      },
      procfs,
    );
    return result;
  };
  for (const [source, target] of fileSources(procfs, pid, binary)) {
    let handle: FileHandle;
    try {
      handle = await open(target, 'r');
    } catch (error) {
      attempts.push({ source, error: toHashError(error, target) });
      continue;
    }
    let result: ProcessChecksum | undefined;
    try {
      if (source !== 'exe') {
        checkMapped(await handle.stat({ bigint: true }), binary, await mapsOf(), target, pid);
      }
      const checksums = options.cache
        ? await hashOpenHandleCached(handle, algorithms, options.cache, target)
        : (await hashStableAsync(handle, algorithms, target)).checksums;
      result = { checksums, source, path: binary.path, deleted: binary.deleted, attempts };
    } catch (error) {
      attempts.push({ source, error: toHashError(error, target) });
    } finally {
      await handle.close();
    }
    if (result) return confirm(result);
  }
  let image: Checksums | undefined;
  try {
    image = await hashImageAsync(
      pid,
      binary.path,
      algorithms,
      imageOptions(procfs, binary, options),
    );
  } catch (error) {
    attempts.push({ source: 'memory', error: error as Error });
  }
  if (image) return confirm(fromImage(image, binary, attempts));
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
  checksums: Checksums,
  binary: Binary,
  attempts: ProcessChecksum['attempts'],
): ProcessChecksum {
  return { checksums, source: 'memory', path: binary.path, deleted: binary.deleted, attempts };
}

/** The start time (field 22 of stat, in clock ticks) that with the pid names one process. */
function startTime(stat: Uint8Array): number {
  return parseStat(stat).startTime;
}

/**
 * Throws ProcessGoneError unless `pid` still names the process that started at `started`: a
 * checksum read while the process exited, or after its pid went to another, is not returned.
 */
function sameProcess(
  pid: number,
  started: number,
  readStat: () => Uint8Array,
  procfs: ProcFS,
): void {
  const path = `${procfs.root}/${pid}/stat`;
  let now: number;
  try {
    now = startTime(readStat());
  } catch (error) {
    if (error instanceof ProcessGoneError) throw error;
    throw new ProcessGoneError(
      `process ${pid} could not be confirmed after its binary was hashed: ${(error as Error).message}`,
      { pid, path, code: 'ESRCH', cause: error },
    );
  }
  if (now !== started) {
    throw new ProcessGoneError(
      `process ${pid} exited while its binary was hashed: its pid now names a process started at ${now}, not ${started}`,
      { pid, path, code: 'ESRCH' },
    );
  }
}

/** The glibc encoding of a dev_t: major and minor, as maps writes them. */
function deviceOf(dev: bigint): { major: number; minor: number } {
  return {
    major: Number((dev >> 8n) & 0xfffn) | Number((dev >> 32n) & ~0xfffn),
    minor: Number(dev & 0xffn) | Number((dev >> 12n) & ~0xffn),
  };
}

/**
 * A `root` or `path` source is the binary only if the opened file is the one the process maps
 * (same device and inode, at the binary's path, not deleted); anything else (a file of another
 * mount namespace at the same path, a process that exited meanwhile) throws.
 */
function checkMapped(
  stats: BigIntStats,
  binary: Binary,
  maps: MapsEntry[] | Error,
  target: Uint8Array,
  pid: number,
): void {
  const shown = shownPath(target);
  if (maps instanceof Error) {
    throw new HashError(
      `cannot tell whether ${shown} is the binary process ${pid} runs: its maps could not be read (${maps.message})`,
      {
        path: shown,
        code:
          typeof (maps as Error & { code?: unknown }).code === 'string'
            ? String((maps as Error & { code?: unknown }).code)
            : 'EMISMATCH',
        cause: maps,
      },
    );
  }
  const { major, minor } = deviceOf(stats.dev);
  const mapped = maps.some(
    (entry) =>
      entry.pathname === binary.path &&
      !entry.deleted &&
      entry.inode === stats.ino &&
      entry.device.major === major &&
      entry.device.minor === minor,
  );
  if (!mapped) {
    throw new HashError(
      `${shown} (device ${major}:${minor}, inode ${stats.ino}) is not the binary process ${pid} maps at ${binary.path}: not hashed`,
      { path: shown, code: 'EMISMATCH' },
    );
  }
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

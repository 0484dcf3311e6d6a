// The checksum of what a process runs, through a fallback chain (exe, root, path, memory): the
// running file is hashed through its exe link whatever the link's text says (a path past
// PATH_MAX has no text, a file may be named `x (deleted)`); deletion is the kernel's verdict
// (ProcFS.readExe), not the text's; the memory image is really hashed, matched on the kernel's
// exact text and the inode; a deleted or replaced binary is never answered with the file now at
// its path; and a checksum is only returned once the process is confirmed to have kept its
// binary from being written throughout the read. Written as one procfs flow: /proc is read
// through procfs.flows, files through external steps (file-ops.ts).

import { decodeText, type MapsEntry } from '@procmon/parse';
import {
  defaultProcFS,
  type Executable,
  type Flow,
  ProcessGoneError,
  type ProcFS,
  ProcfsError,
  statExe,
} from '@procmon/procfs';
import { type Checksums, checkAlgorithms } from './algorithms.js';
import { type ChecksumCache, cachedChecksums } from './cache.js';
import { HashError, toHashError } from './errors.js';
import { closeFd } from './file-ops.js';
import { type DumpImageOptions, hashImageFlow } from './image.js';
import { checkMapped, mapsOnce } from './mapped-file.js';
import { type OpenFile, openRegular } from './open-file.js';
import {
  checkByteCap,
  checkLimits,
  DEFAULT_MAX_BYTES,
  type HashOptions,
  isAbort,
  type Limits,
} from './options.js';
import { confirmProcess, startTimeOf } from './process-alive.js';
import { type StableRead, stableRead } from './stable-read.js';

/**
 * Where a checksum came from: `exe` (<root>/<pid>/exe: the very file the process runs, even if
 * deleted or replaced on disk), `root` (the path under <root>/<pid>/root, for processes in
 * containers and chroots), `path` (the path itself), `memory` (the binary's image in memory).
 */
export type ChecksumSource = 'exe' | 'root' | 'path' | 'memory';

export interface ProcessChecksum {
  checksums: Checksums;
  source: ChecksumSource;
  /**
   * The binary's path, as the kernel names it: the exe link's target, without the ` (deleted)`
   * the kernel adds to a deleted file's name (a name that really ends in ` (deleted)` keeps it).
   * `undefined` when the link cannot be read, and `pathError` then says why: a path longer than
   * PATH_MAX (4096 bytes) has no text the kernel can give (a ProcfsError with code
   * ENAMETOOLONG). The checksum does not depend on it: the `exe` source opens the running file
   * through the link without its text.
   */
  path: string | undefined;
  /** Why `path` is undefined. */
  pathError?: Error;
  /**
   * The binary's name was removed (deleted, or replaced by another file) while the process runs,
   * as the kernel tells (ProcFS.readExe: a link count of 0, or a marked name that is not the
   * running file), not from the ` (deleted)` text, which a file can be named with. `undefined`
   * when `path` is.
   */
  deleted: boolean | undefined;
  /** The sources tried before the one that answered, and why each failed. */
  attempts: { source: ChecksumSource; error: Error }[];
}

export interface ProcessChecksumOptions extends HashOptions {
  procfs?: ProcFS;
  /** Checksums by (device, inode, size, mtime, ctime): processes of one binary cost one hash. */
  cache?: ChecksumCache;
  /**
   * The most bytes of memory the `memory` source reads; 1 GiB by default. The memory checksum
   * covers the binary's executable regions only: comparable between processes of the same
   * binary, never equal to the checksum of its file. (`maxBytes` caps the file sources.)
   */
  maxImageBytes?: number;
}

/** The options, checked before any I/O. */
interface Plan {
  procfs: ProcFS;
  limits: Limits;
  maxImageBytes: number;
  cache: ChecksumCache | undefined;
}

function planOf(algorithms: readonly string[], options: ProcessChecksumOptions): Plan {
  checkAlgorithms(algorithms);
  const limits = checkLimits(options);
  const maxImageBytes = checkByteCap(options.maxImageBytes, 'maxImageBytes', DEFAULT_MAX_BYTES);
  return { procfs: options.procfs ?? defaultProcFS(), limits, maxImageBytes, cache: options.cache };
}

/**
 * The checksums of the binary a process runs. Tries `exe`, then (only if the binary was not
 * deleted or replaced, since the file now at that path is not what runs) `root` and `path`,
 * then `memory`.
 *
 * What the checksum is of: for `exe`, the file the process ran throughout the read. A running
 * binary cannot be opened for writing (ETXTBSY), so it is read once, and afterwards the process
 * must still run that file (device and inode of its exe link), be the same process (start
 * time) and still be running (not a zombie, not dead, not exiting): once a process exits, its
 * binary can be rewritten. For `root` and `path`, the file must be the one the process maps
 * (device and inode in maps) and is read as hashFile reads any file. `memory` covers the
 * executable regions only (see ProcessChecksumOptions.maxImageBytes).
 *
 * @throws TypeError for an unknown algorithm, a bad pid or a bad option (before any I/O);
 *   ProcessGoneError or PermissionDeniedError when no source answered and the exe link cannot be
 *   read; ProcessGoneError when the process exited, became a zombie or its pid was reused while
 *   its binary was hashed; HashError CHANGED when it ran another program meanwhile; HashError
 *   NO_SOURCE when no source could be hashed, its message listing why each failed (a binary
 *   larger than `maxBytes` is EFBIG there, a path past PATH_MAX leaves only `exe` to try);
 *   `options.signal`'s reason once it is aborted.
 */
export function processChecksum(
  pid: number,
  algorithms: readonly string[],
  options: ProcessChecksumOptions = {},
): ProcessChecksum {
  const plan = planOf(algorithms, options);
  return plan.procfs.run(checksumFlow(pid, algorithms, plan));
}

/** The same, with asynchronous reads throughout. */
export async function processChecksumAsync(
  pid: number,
  algorithms: readonly string[],
  options: ProcessChecksumOptions = {},
): Promise<ProcessChecksum> {
  const plan = planOf(algorithms, options);
  return plan.procfs.runAsync(checksumFlow(pid, algorithms, plan));
}

type Attempts = ProcessChecksum['attempts'];

interface Binary {
  path: string;
  /** The path's raw bytes: a path that is not UTF-8 must reach open() unchanged. */
  pathBytes: Buffer;
  deleted: boolean;
}

function* checksumFlow(
  pid: number,
  algorithms: readonly string[],
  plan: Plan,
): Flow<ProcessChecksum> {
  const { procfs, limits } = plan;
  const started = yield* startTimeOf(procfs, pid);
  const attempts: Attempts = [];

  // 1. exe: the running file itself, opened through the link whatever its text says.
  let exe: StableRead | undefined;
  try {
    exe = yield* hashExe(plan, pid, started, algorithms);
  } catch (error) {
    throwIfFinal(error, limits);
    attempts.push({ source: 'exe', error: toHashError(error, procfs.pathOf(pid, 'exe')) });
  }

  // 2. The link's text: the result's path, and what the other sources need.
  let binary: Binary | undefined;
  let pathError: Error | undefined;
  try {
    binary = binaryOf(yield* procfs.flows.readExe(pid));
  } catch (error) {
    // With nothing hashed, the link's error is the answer (a gone process, permission denied),
    // unless it only says the path is too long to be given.
    if (error instanceof ProcessGoneError || (exe === undefined && !isTooLong(error))) throw error;
    pathError = error as Error;
  }
  if (exe) {
    yield* confirmProcess(procfs, pid, started, exe.stats);
    return answer('exe', exe.checksums, binary, pathError, attempts);
  }
  if (binary === undefined) {
    throw noSource(pid, yield* procfs.flows.processState(pid), attempts, procfs, pathError);
  }

  // 3. root, then path: only for a binary still at its path.
  if (!binary.deleted) {
    const maps = mapsOnce(procfs, pid);
    const targets: [ChecksumSource, Buffer][] = [
      ['root', Buffer.concat([Buffer.from(procfs.pathOf(pid, 'root')), binary.pathBytes])],
      ['path', binary.pathBytes],
    ];
    for (const [source, target] of targets) {
      let checksums: Checksums;
      try {
        checksums = yield* hashMapped(plan, pid, binary, target, algorithms, maps);
      } catch (error) {
        throwIfFinal(error, limits);
        attempts.push({ source, error: toHashError(error, target) });
        continue;
      }
      yield* confirmProcess(procfs, pid, started, undefined);
      return answer(source, checksums, binary, undefined, attempts);
    }
  }

  // 4. memory: the binary's executable regions.
  let image: Checksums | undefined;
  try {
    image = yield* hashMemory(plan, pid, binary, algorithms);
  } catch (error) {
    throwIfFinal(error, limits);
    attempts.push({ source: 'memory', error: error as Error });
  }
  if (image) {
    yield* confirmProcess(procfs, pid, started, undefined);
    return answer('memory', image, binary, undefined, attempts);
  }
  throw noSource(pid, yield* procfs.flows.processState(pid), attempts, procfs, undefined);
}

/**
 * A failure of the check after the read (the process exited, or ran another program): it ends
 * the whole call, it is no reason to try another source.
 */
class Unconfirmed {
  constructor(readonly error: unknown) {}
}

/** Rethrows what must reach the caller as is: an abort, and a failed confirmation. */
function throwIfFinal(error: unknown, limits: Limits): void {
  if (isAbort(error, limits.signal)) throw error;
  if (error instanceof Unconfirmed) throw error.error;
}

/**
 * The `exe` source: the file through <root>/<pid>/exe, read once (it cannot be written while
 * the process runs it), then the process confirmed; only then may the cache keep it.
 */
function* hashExe(
  plan: Plan,
  pid: number,
  started: number,
  algorithms: readonly string[],
): Flow<StableRead> {
  const file = yield* openRegular(plan.procfs.pathOf(pid, 'exe'), plan.limits);
  try {
    const checksums = yield* checksumsOf(plan, file, algorithms, function* (wanted) {
      const read = yield* stableRead(file, wanted, plan.limits, 'once');
      try {
        yield* confirmProcess(plan.procfs, pid, started, file.stats);
      } catch (error) {
        throw new Unconfirmed(error);
      }
      return read;
    });
    return { checksums, stats: file.stats };
  } finally {
    yield* closeFd(file.fd);
  }
}

/**
 * The `root` or `path` source: the file at `target`, taken only if it is the file the process
 * maps, and read as any file is (twice unless only root may write it).
 */
function* hashMapped(
  plan: Plan,
  pid: number,
  binary: Binary,
  target: Buffer,
  algorithms: readonly string[],
  maps: () => Flow<MapsEntry[] | Error>,
): Flow<Checksums> {
  const file = yield* openRegular(target, plan.limits);
  try {
    checkMapped(file.stats, binary.path, yield* maps(), target, pid);
    return yield* checksumsOf(plan, file, algorithms, (wanted) =>
      stableRead(file, wanted, plan.limits, 'verify'),
    );
  } finally {
    yield* closeFd(file.fd);
  }
}

/** Through the cache when there is one, else straight from `read`. */
function* checksumsOf(
  plan: Plan,
  file: OpenFile,
  algorithms: readonly string[],
  read: (algorithms: readonly string[]) => Flow<StableRead>,
): Flow<Checksums> {
  if (plan.cache)
    return yield* cachedChecksums(plan.procfs, plan.cache, file.stats, algorithms, read);
  return (yield* read(algorithms)).checksums;
}

/**
 * The `memory` source, its regions picked by the kernel's text for the binary and, when the
 * running file can be stat'ed, by its inode: a process may map another file under the same text.
 */
function* hashMemory(
  plan: Plan,
  pid: number,
  binary: Binary,
  algorithms: readonly string[],
): Flow<Checksums> {
  const options: DumpImageOptions = { deleted: binary.deleted };
  try {
    options.inode = (yield* statExe(plan.procfs, pid)).ino;
  } catch {
    // Not reachable (a file system this user may not stat, a process exiting): text alone, and
    // regions of one file only.
  }
  const limits = { maxBytes: plan.maxImageBytes, signal: plan.limits.signal };
  return yield* hashImageFlow(plan.procfs, pid, binary.path, algorithms, options, limits);
}

function binaryOf(exe: Executable): Binary {
  const pathBytes = Buffer.from(exe.path);
  return {
    path: decodeText('text', pathBytes, 0, pathBytes.length),
    pathBytes,
    deleted: exe.deleted,
  };
}

const isTooLong = (error: unknown): boolean =>
  error instanceof ProcfsError && error.code === 'ENAMETOOLONG';

function answer(
  source: ChecksumSource,
  checksums: Checksums,
  binary: Binary | undefined,
  pathError: Error | undefined,
  attempts: Attempts,
): ProcessChecksum {
  const result: ProcessChecksum = {
    checksums,
    source,
    path: binary?.path,
    deleted: binary?.deleted,
    attempts,
  };
  if (pathError) result.pathError = pathError;
  return result;
}

function noSource(
  pid: number,
  state: string,
  attempts: Attempts,
  procfs: ProcFS,
  pathError: Error | undefined,
): Error {
  const path = procfs.pathOf(pid, 'exe');
  if (state !== 'alive') {
    return new ProcessGoneError(`cannot hash the binary of process ${pid}: it is ${state}`, {
      pid,
      path,
      code: 'ESRCH',
      zombie: state === 'zombie',
    });
  }
  const reasons = attempts.map((attempt) => `${attempt.source}: ${attempt.error.message}`);
  if (pathError) {
    reasons.push(
      `its path cannot be read (${pathError.message}), so no other source could be tried`,
    );
  }
  return new HashError(`cannot hash the binary of process ${pid}: ${reasons.join('; ')}`, {
    path,
    code: 'NO_SOURCE',
    cause: attempts,
  });
}

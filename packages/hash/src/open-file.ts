// Opening a file to hash, when its path may be chosen by a hostile user: only a regular file
// within the size cap is ever opened for reading.
//
// The path is first opened with O_PATH, which opens nothing: a FIFO's open cannot wait for a
// writer (four such waits held all four of libuv's threads, and every fs call of the process
// hung), and a device's driver is not called (opening one can act by itself: a tape rewinds, a
// watchdog starts). fstat of that descriptor says what the file is and how large. Only then is
// the very same inode opened for reading, through /proc/self/fd/<n>, with O_NONBLOCK and
// O_NOCTTY besides, so no swap of the path between the two opens can bring in another file.
import type { BigIntStats } from 'node:fs';
import type { Flow } from '@procmon/procfs';
import { HashError, shownPath, toHashError } from './errors.js';
import { type ChunkBuffer, closeFd, fstatOf, O_READ, openFd } from './file-ops.js';
import { isAbort, type Limits, throwIfAborted } from './options.js';

// Node has no constant for it; 010000000 on every architecture Node runs on under Linux (only
// alpha, parisc and sparc differ).
const O_PATH = 0o10000000;

/** @internal A regular file open for reading: its descriptor, and its fstat when opened. */
export interface OpenFile {
  fd: number;
  stats: BigIntStats;
  /** The path as the caller gave it, for errors. */
  path: string | Uint8Array;
  /** Where its async reads land. */
  buffer: ChunkBuffer;
}

/**
 * @internal Opens `path` for hashing: HashError EISDIR for a folder, NOT_REGULAR_FILE (naming
 * the type) for anything else that is not a regular file, EFBIG when it is larger than `limits.maxBytes`,
 * all before any read; other failures are HashErrors with the errno.
 */
export function* openRegular(path: string | Buffer, limits: Limits): Flow<OpenFile> {
  throwIfAborted(limits.signal);
  let handle: number;
  try {
    handle = yield* openFd(path, O_PATH);
  } catch (error) {
    throw toHashError(error, path);
  }
  try {
    const stats = yield* fstatOf(handle);
    checkRegular(stats, path);
    checkSize(stats, limits.maxBytes, path);
    return { fd: yield* reopen(handle, stats, path), stats, path, buffer: {} };
  } catch (error) {
    throw isAbort(error, limits.signal) ? error : toHashError(error, path);
  } finally {
    yield* closeFd(handle);
  }
}

/** The inode behind an O_PATH descriptor, opened for reading. */
function* reopen(handle: number, stats: BigIntStats, path: string | Buffer): Flow<number> {
  try {
    return yield* openFd(`/proc/self/fd/${handle}`, O_READ);
  } catch (error) {
    // Without /proc in this process (a bare chroot), the path itself, checked to be the file
    // the first open found.
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  const fd = yield* openFd(path, O_READ);
  const now = yield* fstatOf(fd);
  if (now.dev !== stats.dev || now.ino !== stats.ino) {
    yield* closeFd(fd);
    const shown = shownPath(path);
    throw new HashError(`cannot hash ${shown}: the path led to another file when opened again`, {
      path: shown,
      code: 'CHANGED',
    });
  }
  return fd;
}

/** @internal HashError EISDIR or NOT_REGULAR_FILE unless `stats` is a regular file's. */
export function checkRegular(stats: BigIntStats, path: string | Uint8Array): void {
  if (stats.isFile()) return;
  const shown = shownPath(path);
  if (stats.isDirectory()) {
    // The errno a read of a folder gives, as before this check existed.
    const cause = Object.assign(new Error(`EISDIR: illegal operation on a directory`), {
      code: 'EISDIR',
    });
    throw new HashError(`cannot hash ${shown}: it is a directory`, {
      path: shown,
      code: 'EISDIR',
      cause,
    });
  }
  throw new HashError(
    `cannot hash ${shown}: it is ${typeName(stats)}, not a regular file; it was not read`,
    { path: shown, code: 'NOT_REGULAR_FILE' },
  );
}

function typeName(stats: BigIntStats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return `a file of type ${(stats.mode & 0o170000n).toString(8)}`;
}

/** @internal HashError EFBIG when the file is larger than the cap. */
export function checkSize(stats: BigIntStats, maxBytes: number, path: string | Uint8Array): void {
  if (stats.size > BigInt(maxBytes)) throw tooLarge(path, `is ${stats.size} bytes`, maxBytes);
}

/** @internal HashError EFBIG: `what` says how large it is or became. */
export function tooLarge(path: string | Uint8Array, what: string, maxBytes: number): HashError {
  const shown = shownPath(path);
  return new HashError(
    `cannot hash ${shown}: it ${what}, more than the ${maxBytes}-byte cap (raise maxBytes to hash it)`,
    { path: shown, code: 'EFBIG' },
  );
}

// Checksums of files, bytes and streams: all requested algorithms in one pass over the data.
import { defaultProcFS, type Flow, ProcFS } from '@procmon/procfs';
import { type Checksums, checkAlgorithms, MultiHash } from './algorithms.js';
import { HashError, toHashError } from './errors.js';
import { closeFd } from './file-ops.js';
import { type OpenFile, openRegular } from './open-file.js';
import { checkLimits, type HashOptions, isAbort, type Limits, throwIfAborted } from './options.js';
import { stableRead } from './stable-read.js';

/**
 * The checksums of a regular file, read synchronously in 1 MiB chunks into a reused buffer. The
 * path may be raw bytes (a Buffer), for names that are not UTF-8.
 *
 * What the digests are of: content the file held while it was read, and not in the middle of a
 * write. A file only root may write (owned by root, no write bit for group or other) whose ctime
 * is more than a second old is read once, with fstat before and after. Any other file is read
 * twice, and both reads must give the same digests under the same stat; if its ctime is less
 * than a second old (a write may have started before the reads and be stalled in the middle),
 * it is watched until it is a second old and read a third time, which must agree too. A file
 * that keeps changing is HashError CHANGED. What this cannot see: root (or a program of root's)
 * rewriting a settled root file in place during the one read; a write stalled for more than a
 * second (a writer that makes it stall on purpose); a writer that follows the reads (inotify
 * access events) and gives each read the same mix of old and new bytes; a file system that
 * decides what each read returns (FUSE, a network file system).
 *
 * @throws TypeError for an unknown algorithm or a bad option, before any I/O. HashError: EISDIR
 *   for a folder; NOT_REGULAR_FILE for anything else that is not a regular file (FIFO, device,
 *   socket), before any read, and without waiting on a FIFO or calling a device's driver; EFBIG
 *   when the file is larger than `maxBytes` (before any read) or grows past it; CHANGED as said
 *   above;
 *   else the errno. `options.signal`'s reason once it is aborted.
 */
export function hashFile(
  path: string | Buffer,
  algorithms: readonly string[],
  options?: HashOptions,
): Checksums {
  checkAlgorithms(algorithms);
  return fileRunner().run(fileFlow(path, algorithms, checkLimits(options)));
}

/**
 * The same as hashFile, with the asynchronous fs calls: the event loop stays free, the file is
 * never held whole in memory, and no call waits on a FIFO or a device (it is refused first), so
 * hashing hostile paths cannot use up libuv's threads.
 */
export async function hashFileAsync(
  path: string | Buffer,
  algorithms: readonly string[],
  options?: HashOptions,
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  return fileRunner().runAsync(fileFlow(path, algorithms, checkLimits(options)));
}

let bare: ProcFS | undefined;

/**
 * @internal The ProcFS that runs flows of files that are not under /proc (hashFile's reads are
 * all external steps): the shared one on /proc, or, in a bare chroot without /proc (which
 * open-file.ts still serves), one on `/`, whose root such a flow never reads.
 */
export function fileRunner(): ProcFS {
  try {
    return defaultProcFS();
  } catch {
    bare ??= new ProcFS({ root: '/' });
    return bare;
  }
}

function fileFlow(path: string | Buffer, algorithms: readonly string[], limits: Limits) {
  return withOpenFile(path, limits, function* (file) {
    return (yield* stableRead(file, algorithms, limits, 'verify')).checksums;
  });
}

/**
 * @internal Opens `path` as openRegular does, runs `use` on it and closes it; every failure is a
 * HashError naming the path, but an abort, which reaches the caller as the signal's reason.
 */
export function* withOpenFile<T>(
  path: string | Buffer,
  limits: Limits,
  use: (file: OpenFile) => Flow<T>,
): Flow<T> {
  const file = yield* openRegular(path, limits);
  try {
    return yield* use(file);
  } catch (error) {
    throw isAbort(error, limits.signal) ? error : toHashError(error, path);
  } finally {
    yield* closeFd(file.fd);
  }
}

/** The checksums of bytes in memory. */
export function hashBytes(bytes: Uint8Array, algorithms: readonly string[]): Checksums {
  checkAlgorithms(algorithms);
  const hash = new MultiHash(algorithms);
  hash.update(bytes);
  return hash.digest();
}

/**
 * The checksums of a stream of bytes (any async iterable, a Node Readable among them), at most
 * `maxBytes` of it (1 GiB by default; HashError EFBIG past it: a stream of /dev/zero never
 * ends), stopped by `signal` between chunks.
 */
export async function hashStream(
  stream: AsyncIterable<Uint8Array>,
  algorithms: readonly string[],
  options?: HashOptions,
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  const limits = checkLimits(options);
  throwIfAborted(limits.signal);
  const hash = new MultiHash(algorithms);
  let total = 0;
  for await (const chunk of stream) {
    throwIfAborted(limits.signal);
    total += chunk.length;
    if (total > limits.maxBytes) {
      throw new HashError(
        `cannot hash the stream: it is longer than the ${limits.maxBytes}-byte cap (raise maxBytes to hash it)`,
        { path: '', code: 'EFBIG' },
      );
    }
    hash.update(chunk);
  }
  return hash.digest();
}

// The file I/O hashing needs (open, fstat, reads at a position, close, a pause), as procfs
// external steps: the hashing routines are procfs flows, run by procfs's sync or async runner,
// which calls each step's own style. So hashFile and hashFileAsync, processChecksum and
// processChecksumAsync cannot drift apart, and every check exists in one copy. The browser
// build swaps this module for file-ops.browser.ts (no files to open there).
import {
  type BigIntStats,
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  readSync,
} from 'node:fs';
import { external, type Flow } from '@procmon/procfs';

/** The most bytes one read asks for. */
export const CHUNK_BYTES = 1024 * 1024;

/** @internal How a file to hash is opened: read only, never waiting on a FIFO, never a tty. */
export const O_READ = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

// A sync run does one read at a time and the caller is done with its bytes before it asks for
// the next (a nested run happens between two reads, never during one), so every sync read can
// share one buffer. Async runs overlap: each open file gets its own (ChunkBuffer).
const shared = new Uint8Array(CHUNK_BYTES);

/** @internal Where an open file's async reads land: allocated on its first async read. */
export interface ChunkBuffer {
  bytes?: Uint8Array;
}

/**
 * @internal Up to `length` bytes at `position`: a view of the bytes read, valid until the next
 * read of the same file (sync: of any file).
 */
export const readAt = (
  fd: number,
  position: number,
  length: number,
  buffer: ChunkBuffer,
): Flow<Uint8Array> =>
  external(
    () => shared.subarray(0, readSync(fd, shared, 0, length, position)),
    () => {
      buffer.bytes ??= new Uint8Array(CHUNK_BYTES);
      const into = buffer.bytes;
      return promised<number>((done) => read(fd, into, 0, length, position, done)).then((count) =>
        into.subarray(0, count),
      );
    },
  );

const BIG = { bigint: true } as const;

/** @internal fstat as bigints (inode numbers and nanosecond times pass 2^53). */
export const fstatOf = (fd: number): Flow<BigIntStats> =>
  external(
    () => fstatSync(fd, BIG),
    () => promised<BigIntStats>((done) => fstat(fd, BIG, done)),
  );

/** @internal open(2) with numeric flags; the descriptor. */
export const openFd = (path: string | Buffer, flags: number): Flow<number> =>
  external(
    () => openSync(path, flags),
    () => promised<number>((done) => open(path, flags, done)),
  );

/** @internal */
export const closeFd = (fd: number): Flow<void> =>
  external(
    () => closeSync(fd),
    () => promised<void>((done) => close(fd, done)),
  );

/** @internal Waits `ms` milliseconds: blocks a sync caller (Atomics.wait), a timer for async. */
export const pause = (ms: number): Flow<void> =>
  external(
    () => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    },
    () => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  );

function promised<T>(start: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)));
  });
}

// Reading a /proc file to its end. procfs reports size 0 for nearly everything, so there is no
// stat: one open, reads until a read returns 0, one close in `finally`. The result is always a
// fresh copy, so the reused buffer never reaches a caller.
import { close, closeSync, constants, open, openSync, read, readSync } from 'node:fs';

// O_NONBLOCK: under a root that is not /proc (a fixture tree, a copy), a file may be a FIFO,
// whose open would wait for a writer forever; procfs's own files ignore the flag.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

const SHARED_INITIAL_BYTES = 64 * 1024;
const ASYNC_INITIAL_BYTES = 16 * 1024;
// A shared buffer that grew past this for one large file is dropped after the read.
const SHARED_KEEP_BYTES = 1024 * 1024;

// Sync reads run one at a time, so they can share one buffer.
let shared: Uint8Array = new Uint8Array(SHARED_INITIAL_BYTES);

export interface ReadTarget {
  path: string;
  maxBytes: number;
}

/**
 * The whole file, read synchronously. Node fs errors pass through for the caller to map; a file
 * past the cap is an Error with code EFBIG.
 */
export function readFileToEnd(target: ReadTarget): Uint8Array {
  const fd = openSync(target.path, READ_FLAGS);
  try {
    let buffer = shared;
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        buffer = grow(buffer, length, target);
        shared = buffer;
      }
      const count = readSync(fd, buffer, length, buffer.length - length, null);
      if (count === 0) break;
      length += count;
      if (length > target.maxBytes) throw tooLarge(target);
    }
    return buffer.slice(0, length);
  } finally {
    closeSync(fd);
    if (shared.length > SHARED_KEEP_BYTES) shared = new Uint8Array(SHARED_INITIAL_BYTES);
  }
}

/**
 * The whole file, read with the asynchronous fs calls (never the sync ones in a Promise), so
 * the event loop stays free. Each call has its own buffer: calls may overlap.
 */
export function readFileToEndAsync(target: ReadTarget): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    open(target.path, READ_FLAGS, (openError, fd) => {
      if (openError) {
        reject(openError);
        return;
      }
      let buffer: Uint8Array = new Uint8Array(Math.min(ASYNC_INITIAL_BYTES, target.maxBytes + 1));
      let length = 0;
      const finish = (error: unknown, result?: Uint8Array) => {
        close(fd, (closeError) => {
          if (error) reject(error);
          else if (closeError) reject(closeError);
          else resolve(result as Uint8Array);
        });
      };
      const next = () => {
        if (length === buffer.length) {
          try {
            buffer = grow(buffer, length, target);
          } catch (error) {
            finish(error);
            return;
          }
        }
        read(fd, buffer, length, buffer.length - length, null, (readError, count) => {
          if (readError) finish(readError);
          else if (count === 0) finish(undefined, buffer.slice(0, length));
          else {
            length += count;
            if (length > target.maxBytes) finish(tooLarge(target));
            else next();
          }
        });
      };
      next();
    });
  });
}

/** A buffer twice as large holding the first `length` bytes, up to one byte past the cap. */
function grow(buffer: Uint8Array, length: number, target: ReadTarget): Uint8Array {
  if (length > target.maxBytes) throw tooLarge(target);
  const larger = new Uint8Array(Math.min(buffer.length * 2, target.maxBytes + 1));
  larger.set(buffer.subarray(0, length));
  return larger;
}

/** The error of a file past its cap (the native backend gives the same). */
export function tooLarge(target: ReadTarget): Error {
  return Object.assign(
    new Error(`it is larger than the ${target.maxBytes}-byte cap (raise maxBytes to read it)`),
    { code: 'EFBIG' },
  );
}

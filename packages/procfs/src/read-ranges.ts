// Positional reads of several byte ranges of one file, for /proc/<pid>/mem: it cannot be read
// from the start (unmapped addresses fail), only at the addresses of mapped regions.
import { close, closeSync, constants, open, openSync, read, readSync } from 'node:fs';

// O_NONBLOCK: under a root that is not /proc (a fixture tree, a copy), a file may be a FIFO,
// whose open would wait for a writer forever; procfs's own files ignore the flag.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** A range to read: `length` bytes at `start` (a bigint: addresses can pass 2^53). */
export interface ByteRange {
  start: bigint;
  length: number;
}

/** The bytes of one range, or the fs error reading it gave (EIO for an unreadable region). */
export type RawRangeResult = { bytes: Uint8Array } | { error: NodeJS.ErrnoException };

/**
 * One open, then each range read in full (short reads continued), then one close. Each range's
 * buffer is allocated only when that range is read.
 */
export function readRangesSync(path: string, ranges: readonly ByteRange[]): RawRangeResult[] {
  const fd = openSync(path, READ_FLAGS);
  try {
    return ranges.map((range) => {
      try {
        const bytes = new Uint8Array(range.length);
        let done = 0;
        while (done < range.length) {
          const count = readSync(fd, bytes, done, range.length - done, range.start + BigInt(done));
          if (count === 0) break; // past the end of what the kernel will give
          done += count;
        }
        return { bytes: done === range.length ? bytes : bytes.slice(0, done) };
      } catch (error) {
        return { error: error as NodeJS.ErrnoException };
      }
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * The same with the asynchronous fs calls, one range after another. Whatever throws inside an
 * fs callback (an allocation, a position Node refuses) closes the descriptor and rejects: it
 * never escapes as an uncaught exception.
 */
export function readRangesAsync(
  path: string,
  ranges: readonly ByteRange[],
): Promise<RawRangeResult[]> {
  return new Promise((resolve, reject) => {
    open(path, READ_FLAGS, (openError, fd) => {
      if (openError) {
        reject(openError);
        return;
      }
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        close(fd, () => reject(error));
      };
      const results: RawRangeResult[] = [];
      const readRange = (index: number): void => {
        const range = ranges[index];
        if (range === undefined) {
          settled = true;
          close(fd, () => resolve(results));
          return;
        }
        const bytes = new Uint8Array(range.length);
        const step = (done: number): void => {
          if (done === range.length) {
            results.push({ bytes });
            readRange(index + 1);
            return;
          }
          read(fd, bytes, done, range.length - done, range.start + BigInt(done), (error, count) => {
            try {
              if (error) {
                results.push({ error });
                readRange(index + 1);
              } else if (count === 0) {
                results.push({ bytes: bytes.slice(0, done) });
                readRange(index + 1);
              } else step(done + count);
            } catch (thrown) {
              fail(thrown);
            }
          });
        };
        step(0);
      };
      try {
        readRange(0);
      } catch (thrown) {
        fail(thrown);
      }
    });
  });
}

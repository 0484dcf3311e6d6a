// A snapshot file read whole, but never past what a snapshot can be: the path may name a pipe or
// a device (`--from /dev/stdin` fed by a download), and readFile of an endless stream grew past
// 7 GB of memory in a minute (`procmon ps --from /dev/zero`).
import { open } from 'node:fs/promises';
import { DEFAULT_LIMITS } from '@procmon/snapshot/read';

/**
 * The most bytes a snapshot file may have: gzip inflates to at least about its own size (stored
 * blocks add 5 bytes in 64 KiB), so a larger file cannot inflate under readSnapshot's cap.
 */
export const MAX_SNAPSHOT_FILE_BYTES = DEFAULT_LIMITS.maxDecompressedBytes + 1024 * 1024;

const CHUNK = 1024 * 1024;

/** The bytes of `file`; an Error with code EFBIG past `maxBytes`, without reading further. */
export async function readSnapshotFile(
  file: string,
  maxBytes = MAX_SNAPSHOT_FILE_BYTES,
): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size > maxBytes) throw tooLarge(maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    // A buffer a short read did not fill, for the next read: a pipe gives 64 KiB at a time, and
    // keeping a view of each 1 MiB buffer held 16 times the data (4.9 GB of buffers for 200 MB).
    let spare: Buffer | undefined;
    for (;;) {
      // A regular file is read in one piece of its size; a pipe or device a chunk at a time.
      const length = Math.min(Math.max(size - total, CHUNK), maxBytes + 1);
      const chunk = spare?.length === length ? spare : Buffer.allocUnsafe(length);
      spare = undefined;
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(maxBytes);
      if (bytesRead === chunk.length) chunks.push(chunk);
      else {
        chunks.push(Buffer.from(chunk.subarray(0, bytesRead)));
        spare = chunk;
      }
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

function tooLarge(maxBytes: number): Error {
  return Object.assign(new Error(`it is larger than ${maxBytes} bytes, more than any snapshot`), {
    code: 'EFBIG',
  });
}

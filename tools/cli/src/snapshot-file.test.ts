// A snapshot file is read whole but never past a snapshot's largest size: a regular file comes
// back byte for byte; a larger one, and an endless device (it grew `procmon ps --from /dev/zero`
// past 7 GB), are refused with EFBIG after reading at most the cap.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder, trackChild } from '../../../test-support/processes.js';
import { readSnapshotFile } from './snapshot-file.js';

afterAll(cleanup);

describe('readSnapshotFile', () => {
  it('gives a regular file byte for byte, across chunk sizes', async () => {
    const folder = tempFolder('procmon-snapshot-file-');
    for (const size of [0, 1, 1024 * 1024 + 7]) {
      const file = join(folder, `f${size}`);
      const bytes = randomBytes(size);
      writeFileSync(file, bytes);
      expect(Buffer.from(await readSnapshotFile(file)).equals(bytes)).toBe(true);
    }
  });

  it('refuses a file past the cap, and an endless device after the cap', async () => {
    const folder = tempFolder('procmon-snapshot-file-');
    const file = join(folder, 'big');
    writeFileSync(file, Buffer.alloc(4096));
    await expect(readSnapshotFile(file, 4095)).rejects.toMatchObject({ code: 'EFBIG' });
    expect(Buffer.from(await readSnapshotFile(file, 4096)).equals(Buffer.alloc(4096))).toBe(true);
    await expect(readSnapshotFile('/dev/zero', 3 * 1024 * 1024)).rejects.toMatchObject({
      code: 'EFBIG',
      message: `it is larger than ${3 * 1024 * 1024} bytes, more than any snapshot`,
    });
  });

  it('reads a pipe byte for byte, holding about the data, not a 1 MiB buffer per 64 KiB read', async () => {
    const folder = tempFolder('procmon-snapshot-file-');
    const fifo = join(folder, 'fifo');
    const source = join(folder, 'source');
    const bytes = randomBytes(64 * 1024 * 1024);
    writeFileSync(source, bytes);
    execFileSync('mkfifo', [fifo]);
    // cat writes what the pipe takes; each read of it gives at most the pipe's 64 KiB.
    trackChild(spawn('sh', ['-c', `cat "${source}" > "${fifo}"`], { stdio: 'ignore' }));
    const before = process.memoryUsage().arrayBuffers;
    const read = await readSnapshotFile(fifo);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(Buffer.from(read).equals(bytes)).toBe(true);
    // The pieces and their joined copy: about twice the data. A view kept of each 1 MiB read
    // buffer held 16 times it.
    expect(grown).toBeLessThan(4 * bytes.length);
  });
});

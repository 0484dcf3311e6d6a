// A snapshot file is read whole but never past a snapshot's largest size: a regular file comes
// back byte for byte; a larger one, and an endless device (it grew `procmon ps --from /dev/zero`
// past 7 GB), are refused with EFBIG after reading at most the cap.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder } from '../../../test-support/processes.js';
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
});

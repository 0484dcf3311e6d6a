// A running binary really named `x (deleted)`, beside a different binary `x`: the exe link of the
// process reads exactly like that of a deleted x. It must be hashed, reported and found in memory
// as itself, under its whole name, `deleted: false`; and a binary that really was deleted must
// still be found in memory, under the kernel's ` (deleted)`. The truth is sha256sum of the file,
// or of the executable regions the test reads from /proc/<pid>/mem itself.
import { execFileSync } from 'node:child_process';
import { appendFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checksumOf,
  cleanup,
  codeOf,
  copySleep,
  errorOf,
  executableImageDigest,
  FILES_REFUSED,
  startSleeper,
  styles,
  tempFolder,
  toolDigest,
} from '../test/helpers.js';
import { dumpImage, dumpImageAsync, HashError } from './index.js';

afterAll(cleanup);

describe('a running binary really named "x (deleted)", beside a different binary "x"', () => {
  let twin = '';
  let pid = 0;

  it('is set up: the exe link reads like a deleted x', async () => {
    const folder = tempFolder();
    copySleep(folder, 'x');
    appendFileSync(join(folder, 'x'), 'another binary\n');
    twin = copySleep(folder, 'x (deleted)');
    ({ pid } = await startSleeper(twin));
    expect(execFileSync('readlink', [`/proc/${pid}/exe`], { encoding: 'utf8' }).trim()).toBe(twin);
    expect(toolDigest('sha256', join(folder, 'x'))).not.toBe(toolDigest('sha256', twin));
  });

  describe.each(styles)('processChecksum (%s)', (style) => {
    it('is the checksum of the twin itself, from exe, under its whole name, not deleted', async () => {
      expect(await checksumOf(style, pid, ['sha256'])).toEqual({
        checksums: { sha256: toolDigest('sha256', twin) },
        source: 'exe',
        path: twin,
        deleted: false,
        attempts: [],
      });
    });

    it('from memory, is the image of the twin, not deleted', async () => {
      const result = await checksumOf(style, pid, ['sha256'], FILES_REFUSED);
      expect(result).toMatchObject({
        checksums: { sha256: executableImageDigest(pid, twin) },
        source: 'memory',
        path: twin,
        deleted: false,
      });
      expect(result.attempts.map((attempt) => [attempt.source, codeOf(attempt.error)])).toEqual([
        ['exe', 'EFBIG'],
        ['root', 'EFBIG'],
        ['path', 'EFBIG'],
      ]);
    });
  });

  it('dumpImage finds its regions under its whole name; by text it also reads as a deleted x, which only the inode tells apart', async () => {
    const image = dumpImage(pid, twin);
    expect(image.regions.length).toBeGreaterThan(0);
    const x = twin.slice(0, -' (deleted)'.length);
    // The kernel writes the same text for both: text alone cannot refuse it.
    expect((await dumpImageAsync(pid, x, { deleted: true })).regions.length).toBe(
      image.regions.length,
    );
    const twinInode = statSync(twin, { bigint: true }).ino;
    const xInode = statSync(x, { bigint: true }).ino;
    expect(dumpImage(pid, x, { deleted: true, inode: twinInode }).regions.length).toBe(
      image.regions.length,
    );
    const other = await errorOf(() => dumpImageAsync(pid, x, { deleted: true, inode: xInode }));
    expect(other).toBeInstanceOf(HashError);
    expect(codeOf(other)).toBe('ENOENT');
  });
});

describe.each(styles)('a deleted binary (%s)', (style) => {
  it('is still found in memory, under the kernel\'s " (deleted)"', async () => {
    const binary = copySleep(tempFolder());
    const { pid } = await startSleeper(binary);
    unlinkSync(binary);
    const result = await checksumOf(style, pid, ['sha256'], FILES_REFUSED);
    expect(result).toMatchObject({
      checksums: { sha256: executableImageDigest(pid, `${binary} (deleted)`) },
      source: 'memory',
      path: binary,
      deleted: true,
    });
    // Only exe was tried among the files: the file now at the path is not what runs.
    expect(result.attempts.map((attempt) => attempt.source)).toEqual(['exe']);
  });
});

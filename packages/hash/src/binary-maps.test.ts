// Matching maps entries to a binary by what the kernel wrote. A pathname text that two files share
// (a deleted `x` and a real `x (deleted)`, both shown as `x (deleted)`) is refused unless the
// binary's inode says which; a newline in a name is matched as maps writes it (`\012`).
import { symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMaps } from '@procmon/parse';
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codeOf, errorOf, tempFolder } from '../test/helpers.js';
import { entriesNamed, entryText, mapsText } from './binary-maps.js';
import { dumpImage, HashError, hashImageAsync } from './index.js';

afterAll(cleanup);

const line = (start: string, perms: string, inode: number, pathname: string) =>
  `${start}-${(Number.parseInt(start, 16) + 0x1000).toString(16)} ${perms} 00000000 fe:01 ${inode}                    ${pathname}\n`;

/** A procfs root whose process `pid` has these maps (and this process's real mem and stat). */
async function rootWithMaps(maps: string): Promise<{ procfs: ProcFS; pid: number }> {
  const root = tempFolder('procmon-hash-root-');
  const pid = process.pid;
  await mkdir(join(root, String(pid)));
  writeFileSync(join(root, String(pid), 'maps'), maps);
  for (const name of ['mem', 'stat'])
    symlinkSync(`/proc/${pid}/${name}`, join(root, String(pid), name));
  return { procfs: new ProcFS({ root }), pid };
}

describe('mapsText and entryText', () => {
  it('put back the " (deleted)" the parser took off, and write a newline as maps does', () => {
    const entries = parseMaps(
      new TextEncoder().encode(
        line('7f0000000000', 'r-xp', 1, '/opt/x (deleted)') +
          line('7f0000002000', 'r-xp', 2, '/opt/x (deleted) (deleted)') +
          line('7f0000004000', 'r-xp', 3, '/opt/a\\012b') +
          line('7f0000006000', 'rw-p', 0, '[heap]'),
      ),
    );
    expect(entries.map(entryText)).toEqual([
      '/opt/x (deleted)',
      '/opt/x (deleted) (deleted)',
      '/opt/a\\012b',
      undefined,
    ]);
    expect(mapsText('/opt/x', true)).toBe('/opt/x (deleted)');
    expect(mapsText('/opt/x (deleted)', false)).toBe('/opt/x (deleted)');
    expect(mapsText('/opt/x (deleted)', true)).toBe('/opt/x (deleted) (deleted)');
    expect(mapsText('/opt/a\nb', false)).toBe('/opt/a\\012b');
    expect(entriesNamed(entries, mapsText('/opt/a\nb', false)).map((entry) => entry.inode)).toEqual(
      [3n],
    );
  });
});

describe('regions of two files under one text', () => {
  const maps =
    line('7f0000000000', 'r-xp', 100, '/opt/x (deleted)') +
    line('7f0000010000', 'r-xp', 200, '/opt/x (deleted)') +
    line('7f0000020000', 'r--p', 100, '/opt/x (deleted)');

  it('are refused with MISMATCH: which is the binary cannot be told', async () => {
    const { procfs, pid } = await rootWithMaps(maps);
    for (const call of [
      () => dumpImage(pid, '/opt/x', { procfs, deleted: true }),
      () => hashImageAsync(pid, '/opt/x', ['sha256'], { procfs, deleted: true }),
    ]) {
      const error = await errorOf(call);
      expect(error).toBeInstanceOf(HashError);
      expect(codeOf(error)).toBe('MISMATCH');
      expect((error as Error).message).toMatch(/2 files/);
    }
  });

  it('give the regions of the one whose inode is given', async () => {
    const { procfs, pid } = await rootWithMaps(maps);
    const image = dumpImage(pid, '/opt/x', { procfs, deleted: true, inode: 100n });
    expect(image.regions.map((region) => region.start.toString(16))).toEqual([
      '7f0000000000',
      '7f0000020000',
    ]);
  });
});

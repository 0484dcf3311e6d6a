// processChecksum on live children: copies of /bin/sleep, hashed by sha256sum before they start,
// then deleted or replaced on disk while they run. The checksum must be of what runs (the old
// inode through /proc/<pid>/exe), never of the file now at the path. Then the fallback chain
// (exe, root, path, memory), forced one step at a time with procfs roots made of symlinks.
import {
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checksumOf,
  cleanup,
  copySleep,
  EMPTY_MD5,
  readMaps,
  readMem,
  sleepBinary,
  startSleeper,
  styles,
  tempFolder,
  toolDigest,
} from '../test/helpers.js';
import {
  ChecksumCache,
  HashError,
  hashFile,
  processChecksum,
  processChecksumAsync,
} from './index.js';

// The files these tests hash were written moments ago, inside the cache's default settle time:
// those caches take them at once. The settle time itself is tested in cache.test.ts.
const freshFilesCache = () => new ChecksumCache({ settleMs: 0 });

afterAll(cleanup);

/** The bytes of the sleep binary with a tail appended: a different file that still runs. */
const otherBytes = async (tail: string): Promise<Uint8Array> =>
  Buffer.concat([await readFile(sleepBinary), Buffer.from(tail)]);

describe.each(styles)('processChecksum (%s) of a running copy of sleep', (style) => {
  it('is the checksum of the binary, from exe, not deleted, no attempts before', async () => {
    const binary = copySleep(tempFolder());
    const sha256 = toolDigest('sha256', binary);
    const md5 = toolDigest('md5', binary);
    const { pid } = await startSleeper(binary);
    expect(await checksumOf(style, pid, ['sha256', 'md5'])).toEqual({
      checksums: { sha256, md5 },
      source: 'exe',
      path: binary,
      deleted: false,
      attempts: [],
    });
  });

  it('whose binary was deleted is the checksum taken before, from exe, deleted', async () => {
    const binary = copySleep(tempFolder());
    const sha256 = toolDigest('sha256', binary);
    const { pid } = await startSleeper(binary);
    unlinkSync(binary);
    expect(readlinkSync(`/proc/${pid}/exe`)).toBe(`${binary} (deleted)`);
    const result = await checksumOf(style, pid, ['sha256']);
    expect(result).toMatchObject({
      checksums: { sha256 },
      source: 'exe',
      deleted: true,
      path: binary,
    });
    expect(result.checksums).toEqual({ sha256 });
  });

  it('whose binary was replaced by rename is the OLD checksum; hashFile of the path the NEW', async () => {
    const folder = tempFolder();
    const binary = copySleep(folder, 'x');
    const old = toolDigest('sha256', binary);
    const { pid } = await startSleeper(binary);
    await writeFile(`${binary}.new`, await otherBytes('\nreplaced while running\n'));
    renameSync(`${binary}.new`, binary);
    const fresh = toolDigest('sha256', binary);
    expect(fresh).not.toBe(old);
    // The process keeps the old inode, which now has no name: the kernel says so.
    expect(readlinkSync(`/proc/${pid}/exe`)).toBe(`${binary} (deleted)`);

    const result = await checksumOf(style, pid, ['sha256']);
    expect(result.checksums).toEqual({ sha256: old });
    expect(result.source).toBe('exe');
    expect(result.path).toBe(binary);
    expect(result.deleted).toBe(true);
    expect(hashFile(binary, ['sha256'])).toEqual({ sha256: fresh });
  });
});

describe('20 processes of one binary with a shared cache', () => {
  it.each(styles)('(%s) all get the same checksum, and the file is hashed once', async (style) => {
    const binary = copySleep(tempFolder());
    const sha256 = toolDigest('sha256', binary);
    const sleepers = await Promise.all(Array.from({ length: 20 }, () => startSleeper(binary)));
    expect(new Set(sleepers.map(({ pid }) => pid)).size).toBe(20);
    const cache = freshFilesCache();
    for (const { pid } of sleepers) {
      const result = await checksumOf(style, pid, ['sha256'], { cache });
      expect(result).toMatchObject({ checksums: { sha256 }, source: 'exe', path: binary });
    }
    expect({ misses: cache.misses, hits: cache.hits }).toEqual({ misses: 1, hits: 19 });
  });

  it('(async, all at once) overlapping calls share one read of the binary', async () => {
    const binary = copySleep(tempFolder());
    const sha256 = toolDigest('sha256', binary);
    const sleepers = await Promise.all(Array.from({ length: 20 }, () => startSleeper(binary)));
    const cache = freshFilesCache();
    const results = await Promise.all(
      sleepers.map(({ pid }) => processChecksumAsync(pid, ['sha256'], { cache })),
    );
    for (const result of results) expect(result.checksums).toEqual({ sha256 });
    expect({ misses: cache.misses, hits: cache.hits }).toEqual({ misses: 1, hits: 19 });
    expect(cache.pending.size).toBe(0);
  });

  it('a replaced binary is not answered from the cache entry of the old one', async () => {
    const folder = tempFolder();
    const binary = copySleep(folder);
    const old = toolDigest('sha256', binary);
    const cache = freshFilesCache();
    const first = await startSleeper(binary);
    expect(processChecksum(first.pid, ['sha256'], { cache }).checksums).toEqual({ sha256: old });
    await writeFile(`${binary}.new`, await otherBytes('\nversion 2\n'), { mode: 0o755 });
    renameSync(`${binary}.new`, binary);
    const fresh = toolDigest('sha256', binary);
    const second = await startSleeper(binary);
    expect(processChecksum(second.pid, ['sha256'], { cache }).checksums).toEqual({
      sha256: fresh,
    });
    expect(processChecksum(first.pid, ['sha256'], { cache }).checksums).toEqual({ sha256: old });
  });
});

/**
 * A procfs root holding one pid folder: `exe` a symlink to `exeTarget` (its text is what the
 * exe link says), `root` a symlink to `rootFolder`, and `maps`, `mem`, `stat`, `status`,
 * `cmdline` symlinks to the real files of process `pid`. Opening `exe` fails whenever
 * `exeTarget` does not resolve, which forces the chain past it.
 */
async function symlinkRoot(
  pid: number,
  exeTarget: string,
  rootFolder: string,
  maps?: string,
): Promise<ProcFS> {
  const root = tempFolder('procmon-hash-root-');
  const folder = join(root, String(pid));
  await mkdir(folder);
  symlinkSync(exeTarget, join(folder, 'exe'));
  symlinkSync(rootFolder, join(folder, 'root'));
  for (const name of ['maps', 'mem', 'stat', 'status', 'cmdline']) {
    if (name === 'maps' && maps !== undefined) await writeFile(join(folder, name), maps);
    else symlinkSync(`/proc/${pid}/${name}`, join(folder, name));
  }
  return new ProcFS({ root });
}

/** A maps line that maps `file` (its device and inode, by stat) under the name `pathname`. */
function mapsLine(file: string, pathname: string): string {
  const { dev, ino } = statSync(file, { bigint: true });
  const major = Number((dev >> 8n) & 0xfffn) | Number((dev >> 32n) & ~0xfffn);
  const minor = Number(dev & 0xffn) | Number((dev >> 12n) & ~0xffn);
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `7f0000000000-7f0000001000 r-xp 00000000 ${hex(major)}:${hex(minor)} ${ino} ${pathname}\n`;
}

describe.each(styles)('the fallback chain (%s)', (style) => {
  it('uses <root>/<pid>/root/<path> when exe cannot be opened', async () => {
    const container = tempFolder('procmon-hash-container-');
    const inside = '/procmon-hash-test-not-on-the-host/bin/app';
    await mkdir(join(container, 'procmon-hash-test-not-on-the-host/bin'), { recursive: true });
    await writeFile(join(container, inside), 'the binary inside the container\n');
    const sha256 = toolDigest('sha256', join(container, inside));
    const procfs = await symlinkRoot(
      process.pid,
      inside,
      container,
      mapsLine(join(container, inside), inside),
    );

    const result = await checksumOf(style, process.pid, ['sha256'], { procfs });
    expect(result).toMatchObject({
      checksums: { sha256 },
      source: 'root',
      path: inside,
      deleted: false,
    });
    expect(result.attempts.map((attempt) => attempt.source)).toEqual(['exe']);
    expect(result.attempts[0]?.error).toBeInstanceOf(Error);
  });

  it('uses the path itself when exe and root fail', async () => {
    // exe -> l40 -> l39 -> ... -> l1 -> the file: 41 symlinks through exe (ELOOP, past Linux's
    // 40), 40 through the path itself (fine).
    const folder = tempFolder();
    await writeFile(join(folder, 'target'), 'the binary at its path\n');
    const sha256 = toolDigest('sha256', join(folder, 'target'));
    symlinkSync('target', join(folder, 'l1'));
    for (let i = 2; i <= 40; i++) symlinkSync(`l${i - 1}`, join(folder, `l${i}`));
    const path = join(folder, 'l40');
    const emptyRoot = tempFolder('procmon-hash-empty-');
    const procfs = await symlinkRoot(process.pid, path, emptyRoot, mapsLine(path, path));

    const result = await checksumOf(style, process.pid, ['sha256'], { procfs });
    expect(result).toMatchObject({ checksums: { sha256 }, source: 'path', path, deleted: false });
    expect(result.attempts.map((attempt) => attempt.source)).toEqual(['exe', 'root']);
    const [exe, root] = result.attempts.map((attempt) => attempt.error);
    expect(exe).toBeInstanceOf(HashError);
    expect((exe as HashError).code).toBe('ELOOP');
    expect(root).toBeInstanceOf(HashError);
    expect((root as HashError).code).toBe('ENOENT');
  });

  it('falls back to the memory image of a deleted binary, never to the new file at its path', async () => {
    const folder = tempFolder();
    const binary = copySleep(folder);
    const { pid } = await startSleeper(binary);
    // Replaced: the old file deleted, a different one written at the same path.
    unlinkSync(binary);
    await writeFile(binary, await otherBytes('\nan impostor\n'));
    const impostor = toolDigest('sha256', binary);

    // The truth: the old binary's regions read from mem by the test, hashed by sha256sum/md5sum.
    // Only the executable regions: the others hold ASLR-dependent relocations.
    const regions = readMaps(pid).filter(
      (entry) => entry.pathname === binary && entry.deleted && entry.execute,
    );
    expect(regions.length).toBeGreaterThan(0);
    const image = Buffer.concat(
      regions.map((entry) => readMem(pid, entry.start, Number(entry.end - entry.start))),
    );
    const imageFile = join(tempFolder(), 'image.bin');
    writeFileSync(imageFile, image);
    const want = { sha256: toolDigest('sha256', imageFile), md5: toolDigest('md5', imageFile) };
    expect(want.md5).not.toBe(EMPTY_MD5);

    // exe says "<binary> (deleted)" and that name does not resolve: the chain must go on.
    const procfs = await symlinkRoot(pid, `${binary} (deleted)`, tempFolder('procmon-hash-empty-'));
    const result = await checksumOf(style, pid, ['sha256', 'md5'], { procfs });
    expect(result.checksums).not.toEqual({ sha256: impostor, md5: expect.anything() });
    expect(result).toMatchObject({
      checksums: want,
      source: 'memory',
      path: binary,
      deleted: true,
    });
    expect(result.checksums.md5).not.toBe(EMPTY_MD5);
    expect(result.attempts[0]?.source).toBe('exe');
    expect(result.attempts.every((attempt) => attempt.error instanceof Error)).toBe(true);
    expect(result.attempts.map((attempt) => attempt.source)).not.toContain('memory');
  });

  it('with nothing to hash at all is an error, not an empty checksum', async () => {
    // exe names a file that exists nowhere, and the process maps no such file.
    const procfs = await symlinkRoot(
      process.pid,
      '/procmon-hash-test-not-on-the-host/nothing',
      tempFolder('procmon-hash-empty-'),
    );
    let outcome: unknown;
    try {
      outcome = await checksumOf(style, process.pid, ['md5'], { procfs });
    } catch (error) {
      outcome = error;
    }
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(TypeError);
  });
});

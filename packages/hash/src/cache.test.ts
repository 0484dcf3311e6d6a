// hashFileCached: a file read once for 200 calls, and read again as soon as it changes: new
// content of another size, a new mtime, a new inode, and content rewritten in place with its
// mtime put back (what someone hiding a change does; only the ctime then tells). The truth after
// each change is sha256sum of the file as it now is.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder, toolDigest } from '../test/helpers.js';
import { ChecksumCache, hashFileCached, hashFileCachedAsync } from './index.js';

// The files these tests hash were written moments ago, inside the cache's default settle time:
// those caches take them at once. The settle time itself is tested in cache.test.ts.
const freshFilesCache = () => new ChecksumCache({ settleMs: 0 });

afterAll(cleanup);

const counts = (cache: ChecksumCache) => ({ misses: cache.misses, hits: cache.hits });

function freshFile(content: string): string {
  const path = join(tempFolder(), 'binary');
  writeFileSync(path, content);
  return path;
}

describe('hashFileCached', () => {
  it('reads a file once for 200 calls: 1 miss, 199 hits, the right checksum each time', () => {
    const path = freshFile('version 1\n');
    const sha256 = toolDigest('sha256', path);
    const cache = freshFilesCache();
    for (let i = 0; i < 200; i++)
      expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256 });
    expect(counts(cache)).toEqual({ misses: 1, hits: 199 });
  });

  it('counts one miss per algorithm set: 200 calls for md5+sha1 are 1 miss, 199 hits', () => {
    const path = freshFile('version 1\n');
    const want = { md5: toolDigest('md5', path), sha1: toolDigest('sha1', path) };
    const cache = freshFilesCache();
    for (let i = 0; i < 200; i++)
      expect(hashFileCached(path, ['md5', 'sha1'], cache)).toEqual(want);
    expect(counts(cache)).toEqual({ misses: 1, hits: 199 });
  });

  it('hashFileCachedAsync: 200 calls, 1 miss, 199 hits', async () => {
    const path = freshFile('version 1\n');
    const sha256 = toolDigest('sha256', path);
    const cache = freshFilesCache();
    for (let i = 0; i < 200; i++) {
      expect(await hashFileCachedAsync(path, ['sha256'], cache)).toEqual({ sha256 });
    }
    expect(counts(cache)).toEqual({ misses: 1, hits: 199 });
  });

  it('after new content (another size) gives the fresh checksum', () => {
    const path = freshFile('version 1\n');
    const cache = freshFilesCache();
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256: toolDigest('sha256', path) });
    writeFileSync(path, 'version 2, longer\n');
    const sha256 = toolDigest('sha256', path);
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256 });
    expect(counts(cache)).toEqual({ misses: 2, hits: 0 });
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256 });
    expect(counts(cache)).toEqual({ misses: 2, hits: 1 });
  });

  it('after new content of the same size and a new mtime gives the fresh checksum', () => {
    const path = freshFile('version 1\n');
    const cache = freshFilesCache();
    hashFileCached(path, ['sha256'], cache);
    writeFileSync(path, 'version 2\n');
    utimesSync(path, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256: toolDigest('sha256', path) });
    expect(counts(cache)).toEqual({ misses: 2, hits: 0 });
  });

  it('after a touch with a new mtime (same content) reads the file again', () => {
    const path = freshFile('version 1\n');
    const sha256 = toolDigest('sha256', path);
    const cache = freshFilesCache();
    hashFileCached(path, ['sha256'], cache);
    execFileSync('touch', ['-d', '2030-01-02 03:04:05', path]);
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256 });
    expect(counts(cache)).toEqual({ misses: 2, hits: 0 });
  });

  it('after a rename over the path (new inode, same size, same mtime) gives the fresh checksum', () => {
    const path = freshFile('version 1\n');
    const cache = freshFilesCache();
    hashFileCached(path, ['sha256'], cache);
    writeFileSync(`${path}.new`, 'version 2\n');
    execFileSync('touch', ['-r', path, `${path}.new`]);
    renameSync(`${path}.new`, path);
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256: toolDigest('sha256', path) });
  });

  it('after content rewritten in place with the same size and the mtime put back, gives the fresh checksum', () => {
    // `touch -r` restores the exact mtime (to the nanosecond); the ctime cannot be set back.
    const folder = tempFolder();
    const path = join(folder, 'binary');
    const saved = join(folder, 'timestamps');
    writeFileSync(path, 'version 1\n');
    writeFileSync(saved, '');
    const cache = freshFilesCache();
    const old = hashFileCached(path, ['sha256'], cache);
    const before = statSync(path, { bigint: true });
    execFileSync('touch', ['-r', path, saved]);
    writeFileSync(path, 'version 2\n');
    execFileSync('touch', ['-r', saved, path]);
    const after = statSync(path, { bigint: true });
    // The change is hidden from (device, inode, size, mtime), not from the ctime.
    expect([after.dev, after.ino, after.size, after.mtimeNs]).toEqual([
      before.dev,
      before.ino,
      before.size,
      before.mtimeNs,
    ]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    const sha256 = toolDigest('sha256', path);
    expect(old).not.toEqual({ sha256 });
    expect(hashFileCached(path, ['sha256'], cache)).toEqual({ sha256 });
  });

  it('answers one algorithm from an entry made by a call for several', () => {
    const path = freshFile('version 1\n');
    const cache = freshFilesCache();
    hashFileCached(path, ['md5', 'sha1'], cache);
    expect(hashFileCached(path, ['sha1'], cache)).toEqual({ sha1: toolDigest('sha1', path) });
    expect(counts(cache)).toEqual({ misses: 1, hits: 1 });
  });

  it('keeps at most maxEntries entries, dropping the least recently used', () => {
    const cache = new ChecksumCache({ maxEntries: 2, settleMs: 0 });
    const [a, b, c] = ['a\n', 'b\n', 'c\n'].map(freshFile) as [string, string, string];
    hashFileCached(a, ['sha256'], cache);
    hashFileCached(b, ['sha256'], cache);
    hashFileCached(a, ['sha256'], cache); // a is now the most recently used
    hashFileCached(c, ['sha256'], cache); // b goes
    expect(cache.size).toBe(2);
    expect(counts(cache)).toEqual({ misses: 3, hits: 1 });
    expect(hashFileCached(a, ['sha256'], cache)).toEqual({ sha256: toolDigest('sha256', a) });
    expect(counts(cache)).toEqual({ misses: 3, hits: 2 });
    expect(hashFileCached(b, ['sha256'], cache)).toEqual({ sha256: toolDigest('sha256', b) });
    expect(counts(cache)).toEqual({ misses: 4, hits: 2 });
    expect(cache.size).toBe(2);
  });

  it('clear() empties it', () => {
    const path = freshFile('version 1\n');
    const cache = freshFilesCache();
    hashFileCached(path, ['sha256'], cache);
    expect(cache.size).toBeGreaterThan(0);
    cache.clear();
    expect(cache.size).toBe(0);
    hashFileCached(path, ['sha256'], cache);
    expect(cache.misses).toBeGreaterThanOrEqual(1);
    expect(cache.hits).toBe(0);
  });
});

describe('ChecksumCache settle time', () => {
  it('hashes a file changed moments ago every time, and caches it once it has settled', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hash-settle-'));
    try {
      const file = join(folder, 'fresh');
      writeFileSync(file, 'just written');
      // The clock stands at the file's change time, then moves on past the settle time: no
      // sleep, so a slow machine cannot turn "moments ago" into "long ago".
      const changed = Number(statSync(file, { bigint: true }).ctimeNs / 1_000_000n);
      let now = changed;
      const cache = new ChecksumCache({ settleMs: 200, now: () => now });
      const expected = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
      expect(hashFileCached(file, ['sha256'], cache).sha256).toBe(expected);
      now = changed + 199;
      expect(hashFileCached(file, ['sha256'], cache).sha256).toBe(expected);
      expect(cache.size).toBe(0);
      expect(cache.misses).toBe(2);
      now = changed + 201;
      hashFileCached(file, ['sha256'], cache);
      expect(hashFileCached(file, ['sha256'], cache).sha256).toBe(expected);
      expect(cache.size).toBe(1);
      expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 3 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses a settle time that is not a whole number of milliseconds', () => {
    for (const settleMs of [-1, 1.5, Number.NaN]) {
      expect(() => new ChecksumCache({ settleMs })).toThrow(TypeError);
    }
  });
});

// A file written while it is read has no single checksum: hashFile and its async and cached
// variants compare fstat (size, mtime, ctime) before and after the read, read once more after a
// change, and refuse (HashError CHANGED) after a second one. The writes happen from inside the
// read (a spy on the hash's update), so each case is exact, not a race.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, codeOf, errorOf, tempFolder, toolDigest } from '../test/helpers.js';
import { MultiHash } from './algorithms.js';
import {
  ChecksumCache,
  HashError,
  hashFile,
  hashFileAsync,
  hashFileCached,
  hashFileCachedAsync,
} from './index.js';

afterAll(cleanup);
afterEach(() => {
  vi.restoreAllMocks();
});

type Hasher = (path: string) => unknown;
const hashers: [string, Hasher][] = [
  ['hashFile', (path) => hashFile(path, ['sha256'])],
  ['hashFileAsync', (path) => hashFileAsync(path, ['sha256'])],
  [
    'hashFileCached',
    (path) => hashFileCached(path, ['sha256'], new ChecksumCache({ settleMs: 0 })),
  ],
  [
    'hashFileCachedAsync',
    (path) => hashFileCachedAsync(path, ['sha256'], new ChecksumCache({ settleMs: 0 })),
  ],
];

/** Appends a byte to `path` during the first `times` reads (on the first chunk each pass). */
function writeDuringReads(path: string, times: number): void {
  let writes = 0;
  const seen = new WeakSet<MultiHash>();
  const update = MultiHash.prototype.update;
  vi.spyOn(MultiHash.prototype, 'update').mockImplementation(function (
    this: MultiHash,
    bytes: Uint8Array,
  ) {
    // One write per pass over the file: each pass has its own MultiHash.
    if (writes < times && !seen.has(this)) {
      seen.add(this);
      writes++;
      appendFileSync(path, 'x');
    }
    update.call(this, bytes);
  });
}

describe.each(hashers)('%s on a file written while it is read', (_name, hash) => {
  it('reads it once more after one change and gives the checksum of the file as it now is', async () => {
    const path = join(tempFolder(), 'binary');
    writeFileSync(path, 'version 1\n');
    writeDuringReads(path, 1);
    const result = await hash(path);
    vi.restoreAllMocks();
    expect(result).toEqual({ sha256: toolDigest('sha256', path) });
  });

  it('refuses with HashError CHANGED when it changes during the second read too', async () => {
    const path = join(tempFolder(), 'binary');
    writeFileSync(path, 'version 1\n');
    writeDuringReads(path, 2);
    const error = await errorOf(() => hash(path));
    expect(error).toBeInstanceOf(HashError);
    expect(codeOf(error)).toBe('CHANGED');
    expect((error as HashError).path).toBe(path);
  });
});

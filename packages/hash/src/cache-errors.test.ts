// hashFileCachedAsync when the read fails: the promise shared with overlapping calls must not
// turn into an unhandled rejection (which ends a Node process) when no other call waits on it.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codeOf, errorOf, tempFolder } from '../test/helpers.js';
import { ChecksumCache, HashError, hashFileCachedAsync } from './index.js';

afterAll(cleanup);

describe('hashFileCachedAsync on a file that cannot be read', () => {
  it('rejects with HashError EISDIR and leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const folder = tempFolder();
      const error = await errorOf(() =>
        hashFileCachedAsync(folder, ['sha256'], new ChecksumCache()),
      );
      expect(error).toBeInstanceOf(HashError);
      expect(codeOf(error)).toBe('EISDIR');
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
  });

  it('gives the same rejection to a call that waits on the shared read', async () => {
    const cache = new ChecksumCache();
    const folder = tempFolder();
    const errors = await Promise.all([
      errorOf(() => hashFileCachedAsync(folder, ['sha256'], cache)),
      errorOf(() => hashFileCachedAsync(folder, ['sha256'], cache)),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(HashError);
      expect(codeOf(error)).toBe('EISDIR');
    }
    expect(cache.pending.size).toBe(0);
  });
});

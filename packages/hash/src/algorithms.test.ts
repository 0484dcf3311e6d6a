// Bad algorithm lists (unknown name, empty list, a name twice) are a TypeError before any I/O, in
// every function that takes one. No I/O is proved by aiming each call at something that would
// fail differently if touched: a path that does not exist (ENOENT), a procfs root that does not
// hold the process (ProcessGoneError), a stream that records whether it was read, a cache that counts.
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, errorOf, tempFolder } from '../test/helpers.js';
import {
  ChecksumCache,
  checkAlgorithms,
  hashBytes,
  hashFile,
  hashFileAsync,
  hashFileCached,
  hashStream,
  processChecksum,
  processChecksumAsync,
} from './index.js';

afterAll(cleanup);

const MISSING = '/nonexistent/procmon-hash-test/no-such-file';

const BAD: [string, string[], string][] = [
  ['an unknown algorithm', ['sha256', 'no-such-hash'], 'no-such-hash'],
  ['an empty name', [''], ''],
  ['an empty list', [], ''],
  ['a name listed twice', ['md5', 'sha256', 'md5'], 'md5'],
  ['the same name twice', ['sha256', 'sha256'], 'sha256'],
];

interface Probe {
  name: string;
  call: (algorithms: string[]) => unknown;
  /** Whether the call touched anything (after it failed). */
  touched: () => boolean;
}

function probes(): Probe[] {
  let streamRead = false;
  const cache = new ChecksumCache();
  async function* stream(): AsyncGenerator<Uint8Array> {
    streamRead = true;
    yield new Uint8Array([1, 2, 3]);
  }
  // An empty folder as the proc root: any read under it is a ProcessGoneError (ENOENT).
  const missingRoot = new ProcFS({ root: tempFolder('procmon-hash-empty-root-') });
  return [
    { name: 'hashFile', call: (a) => hashFile(MISSING, a), touched: () => false },
    { name: 'hashFileAsync', call: (a) => hashFileAsync(MISSING, a), touched: () => false },
    { name: 'hashBytes', call: (a) => hashBytes(new Uint8Array(4), a), touched: () => false },
    { name: 'hashStream', call: (a) => hashStream(stream(), a), touched: () => streamRead },
    {
      name: 'hashFileCached',
      call: (a) => hashFileCached(MISSING, a, cache),
      touched: () => cache.hits + cache.misses + cache.size > 0,
    },
    {
      name: 'processChecksum',
      call: (a) => processChecksum(process.pid, a, { procfs: missingRoot, cache }),
      touched: () => cache.hits + cache.misses > 0,
    },
    {
      name: 'processChecksumAsync',
      call: (a) => processChecksumAsync(process.pid, a, { procfs: missingRoot, cache }),
      touched: () => cache.hits + cache.misses > 0,
    },
  ];
}

describe.each(BAD)('%s', (_what, algorithms, named) => {
  it('makes checkAlgorithms throw a TypeError naming the problem', () => {
    expect(() => checkAlgorithms(algorithms)).toThrow(TypeError);
    if (named !== '') expect(() => checkAlgorithms(algorithms)).toThrow(named);
  });

  it.each(probes().map((probe) => [probe.name, probe] as const))(
    'makes %s fail with a TypeError before any I/O (not ENOENT, not ProcessGoneError)',
    async (_name, probe) => {
      const error = await errorOf(() => probe.call(algorithms));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as { code?: unknown }).code).toBeUndefined();
      if (named !== '') expect((error as Error).message).toContain(named);
      expect(probe.touched()).toBe(false);
    },
  );
});

describe('checkAlgorithms', () => {
  it('returns the list it was given when it is good', () => {
    const list = ['md5', 'sha1', 'sha256', 'sha3-256', 'blake2b512'];
    expect(checkAlgorithms(list)).toBe(list);
    expect(checkAlgorithms(list)).toEqual(['md5', 'sha1', 'sha256', 'sha3-256', 'blake2b512']);
  });

  it('accepts every algorithm node:crypto lists', async () => {
    const { getHashes } = await import('node:crypto');
    for (const name of getHashes()) expect(() => checkAlgorithms([name])).not.toThrow();
  });

  it('rejects names that are near misses of real ones (names createHash rejects too)', () => {
    for (const name of ['sha256 ', ' md5', 'sha3_256', 'md5,sha1', 'sha256\n']) {
      expect(() => checkAlgorithms([name])).toThrow(TypeError);
    }
  });
});

// hashFile, hashFileAsync, hashBytes and hashStream against the system tools (md5sum, sha1sum,
// sha256sum, sha512sum, sha224sum, sha384sum, b2sum, openssl dgst) on the same files: empty, a few
// bytes, a few MiB of random bytes, and exactly 2 MiB (a whole number of 1 MiB read chunks).
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, EMPTY_MD5, tempFolder, toolDigests } from '../test/helpers.js';
import { hashBytes, hashFile, hashFileAsync, hashStream } from './index.js';

afterAll(cleanup);

const COMMON = ['md5', 'sha1', 'sha256', 'sha512'] as const;
// Other node:crypto algorithms, each checked against b2sum, sha224sum, sha384sum or openssl dgst.
const OTHERS = [
  'sha224',
  'sha384',
  'sha512-256',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'blake2b512',
  'blake2s256',
  'sm3',
  'ripemd160',
] as const;

interface Sample {
  name: string;
  path: string;
  bytes: Uint8Array;
}

let folder = '';
const samples: Sample[] = [];
/** truth[algorithm][sample name]: the tool's checksum of that sample's file. */
const truth: Record<string, Record<string, string>> = {};

beforeAll(() => {
  folder = tempFolder();
  const contents: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['small', new Uint8Array([...Buffer.from('procmon\n'), 0, 0xff, 0x80, 7])],
    ['random', new Uint8Array(randomBytes(3 * 1024 * 1024 + 12_345))],
    ['two-chunks', new Uint8Array(randomBytes(2 * 1024 * 1024))],
  ];
  for (const [name, bytes] of contents) {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    samples.push({ name, path, bytes });
  }
  const paths = samples.map((sample) => sample.path);
  for (const algorithm of [...COMMON, ...OTHERS]) {
    const digests = toolDigests(algorithm, paths);
    truth[algorithm] = Object.fromEntries(
      samples.map((sample, i) => [sample.name, digests[i] as string]),
    );
  }
});

const sampleNames = ['empty', 'small', 'random', 'two-chunks'];
const sample = (name: string): Sample => samples.find((s) => s.name === name) as Sample;
const expected = (name: string, algorithms: readonly string[]): Record<string, string> =>
  Object.fromEntries(algorithms.map((a) => [a, truth[a]?.[name] as string]));

/** Chunks of `bytes` of uneven sizes, with empty chunks between, as an async iterable. */
async function* unevenChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  const sizes = [1, 0, 7, 4096, 0, 65_537, 3];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
  yield new Uint8Array(0);
}

describe('the tools agree with themselves (the truth used here)', () => {
  it('gives the well-known checksum of empty input', () => {
    expect(truth.md5?.empty).toBe(EMPTY_MD5);
    expect(truth.sha256?.empty).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

describe.each(sampleNames)('the %s file', (name) => {
  it.each(COMMON)('hashFile with %s equals the tool', (algorithm) => {
    const { path } = sample(name);
    const result = hashFile(path, [algorithm]);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual(expected(name, [algorithm]));
  });

  it.each(COMMON)('hashFileAsync with %s equals the tool', async (algorithm) => {
    const { path } = sample(name);
    const pending = hashFileAsync(path, [algorithm]);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual(expected(name, [algorithm]));
  });

  it.each(COMMON)('hashBytes with %s equals the tool', (algorithm) => {
    const { path } = sample(name);
    expect(hashBytes(new Uint8Array(readFileSync(path)), [algorithm])).toEqual(
      expected(name, [algorithm]),
    );
  });

  it.each(COMMON)(
    'hashStream over fs.createReadStream with %s equals the tool',
    async (algorithm) => {
      const { path } = sample(name);
      expect(await hashStream(createReadStream(path), [algorithm])).toEqual(
        expected(name, [algorithm]),
      );
    },
  );

  it('all four algorithms in one call equal the tools, under the names given, in order', async () => {
    const { path, bytes } = sample(name);
    const all = expected(name, COMMON);
    for (const result of [
      hashFile(path, COMMON),
      await hashFileAsync(path, COMMON),
      hashBytes(bytes, COMMON),
      await hashStream(createReadStream(path), COMMON),
    ]) {
      expect(result).toEqual(all);
      expect(Object.keys(result)).toEqual([...COMMON]);
    }
  });

  it('md5, sha1, sha256 in one call equal the three single-algorithm calls', async () => {
    const { path, bytes } = sample(name);
    const three = ['md5', 'sha1', 'sha256'];
    const single = (run: (algorithm: string) => Record<string, string>) =>
      Object.assign({}, ...three.map(run));
    expect(hashFile(path, three)).toEqual(single((a) => hashFile(path, [a])));
    expect(hashBytes(bytes, three)).toEqual(single((a) => hashBytes(bytes, [a])));
    const asyncSingles: Record<string, string> = {};
    const streamSingles: Record<string, string> = {};
    for (const a of three) {
      Object.assign(asyncSingles, await hashFileAsync(path, [a]));
      Object.assign(streamSingles, await hashStream(createReadStream(path), [a]));
    }
    expect(await hashFileAsync(path, three)).toEqual(asyncSingles);
    expect(await hashStream(createReadStream(path), three)).toEqual(streamSingles);
    expect(asyncSingles).toEqual(expected(name, three));
  });

  it('hashBytes of a view into a larger buffer hashes only the view', () => {
    const { bytes } = sample(name);
    const backing = new Uint8Array(bytes.length + 64).fill(0xa5);
    backing.set(bytes, 13);
    const view = backing.subarray(13, 13 + bytes.length);
    expect(hashBytes(view, COMMON)).toEqual(expected(name, COMMON));
    // A Buffer from Node's shared pool is such a view too.
    expect(hashBytes(Buffer.from(bytes), COMMON)).toEqual(expected(name, COMMON));
  });

  it('hashStream over uneven chunks (1, 0, 7, 4096, 65537, ... bytes) equals the tool', async () => {
    const { bytes } = sample(name);
    expect(await hashStream(unevenChunks(bytes), COMMON)).toEqual(expected(name, COMMON));
  });

  it('hashStream over a read stream with an odd chunk size equals the tool', async () => {
    const { path } = sample(name);
    const stream = createReadStream(path, { highWaterMark: 4093 });
    expect(await hashStream(stream, ['sha256', 'md5'])).toEqual(expected(name, ['sha256', 'md5']));
  });

  it('other node:crypto algorithms (sha3, blake2, sm3, ripemd160, ...) equal openssl dgst / b2sum', async () => {
    const { path, bytes } = sample(name);
    const others = expected(name, OTHERS);
    expect(hashFile(path, OTHERS)).toEqual(others);
    expect(await hashFileAsync(path, OTHERS)).toEqual(others);
    expect(hashBytes(bytes, OTHERS)).toEqual(others);
    expect(await hashStream(createReadStream(path), OTHERS)).toEqual(others);
    for (const algorithm of ['sha3-256', 'blake2b512']) {
      expect(hashFile(path, [algorithm])).toEqual(expected(name, [algorithm]));
    }
  });
});

describe('algorithm names', () => {
  it('keeps the names exactly as written as keys (SHA256, Sha1), with the right digests', async () => {
    const { path, bytes } = sample('random');
    const want = { SHA256: truth.sha256?.random, Sha1: truth.sha1?.random };
    expect(hashFile(path, ['SHA256', 'Sha1'])).toEqual(want);
    expect(await hashFileAsync(path, ['SHA256', 'Sha1'])).toEqual(want);
    expect(hashBytes(bytes, ['SHA256', 'Sha1'])).toEqual(want);
    expect(await hashStream(createReadStream(path), ['SHA256', 'Sha1'])).toEqual(want);
  });

  it('gives lowercase hex digests of the right length', () => {
    const result = hashFile(sample('small').path, [...COMMON, ...OTHERS]);
    const lengths: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };
    for (const [algorithm, digest] of Object.entries(result)) {
      expect(digest).toMatch(/^[0-9a-f]+$/);
      if (lengths[algorithm]) expect(digest).toHaveLength(lengths[algorithm] as number);
    }
  });
});

describe('the same file hashed twice, concurrently', () => {
  it('gives the same checksums (no state shared between calls)', async () => {
    const a = sample('random');
    const b = sample('two-chunks');
    const [ra, rb, sa, sb] = await Promise.all([
      hashFileAsync(a.path, ['sha256']),
      hashFileAsync(b.path, ['sha256']),
      hashStream(createReadStream(a.path), ['sha256']),
      hashStream(createReadStream(b.path), ['sha256']),
    ]);
    expect([ra, rb, sa, sb]).toEqual([
      expected('random', ['sha256']),
      expected('two-chunks', ['sha256']),
      expected('random', ['sha256']),
      expected('two-chunks', ['sha256']),
    ]);
    // A sync hash between async ones (a shared sync buffer must not leak into them).
    expect(hashFile(b.path, ['md5'])).toEqual(expected('two-chunks', ['md5']));
  });
});

// What a hostile user can put at a path to hash: a sparse 8 GiB file (a few KiB on disk), a FIFO
// nobody writes, /dev/zero and /dev/urandom (they never end), a symlink to a FIFO; and what a
// caller needs against the rest: a cap smaller than the file, a file that grows past it while
// read, an abort between chunks. Each is refused before any read, or stopped; none is read to
// its (missing) end. Never asserted on time: on the error, and on whether any byte was hashed.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, codeOf, errorOf, tempFolder, toolDigest, trackChild } from '../test/helpers.js';
import { MultiHash } from './algorithms.js';
import {
  ChecksumCache,
  HashError,
  type HashOptions,
  hashFile,
  hashFileAsync,
  hashFileCached,
  hashFileCachedAsync,
  hashStream,
} from './index.js';

afterAll(cleanup);
afterEach(() => {
  vi.restoreAllMocks();
});

const MiB = 1024 * 1024;

type Hasher = (path: string, options?: HashOptions) => unknown;
const hashers: [string, Hasher][] = [
  ['hashFile', (path, options) => hashFile(path, ['sha256'], options)],
  ['hashFileAsync', (path, options) => hashFileAsync(path, ['sha256'], options)],
  [
    'hashFileCached',
    (path, options) =>
      hashFileCached(path, ['sha256'], new ChecksumCache({ settleMs: 0 }), options),
  ],
  [
    'hashFileCachedAsync',
    (path, options) =>
      hashFileCachedAsync(path, ['sha256'], new ChecksumCache({ settleMs: 0 }), options),
  ],
];

/** Counts the chunks fed to any hash from now on; `onChunk` runs before each is hashed. */
function countChunks(onChunk: (count: number) => void = () => {}): { count: number } {
  const seen = { count: 0 };
  const update = MultiHash.prototype.update;
  vi.spyOn(MultiHash.prototype, 'update').mockImplementation(function (
    this: MultiHash,
    bytes: Uint8Array,
  ) {
    seen.count++;
    onChunk(seen.count);
    update.call(this, bytes);
  });
  return seen;
}

function expectHashError(error: unknown, path: string, code: string, message?: RegExp): void {
  expect(error).toBeInstanceOf(HashError);
  expect({ code: codeOf(error), path: (error as HashError).path }).toEqual({ code, path });
  if (message) expect((error as Error).message).toMatch(message);
}

/**
 * A FIFO with no writer. Should a hash wait on it (the bug this guards against), a helper opens
 * it for reading and writing after 20 s, which lets any waiting open through to an empty read:
 * the test then fails on its assertions instead of hanging the suite. `released()` says whether
 * the helper got that far (it leaves a mark first).
 */
function fifoWithoutWriter(
  folder: string,
  name = 'fifo',
): { path: string; released: () => boolean } {
  const path = join(folder, name);
  const mark = `${path}.released`;
  execFileSync('mkfifo', [path]);
  // One process (killed by cleanup), not a shell whose sleep would outlive it.
  const helper = [
    'import os, sys, time',
    'time.sleep(20)',
    'open(sys.argv[1] + ".released", "w").close()',
    'os.close(os.open(sys.argv[1], os.O_RDWR))',
  ].join('\n');
  trackChild(spawn('python3', ['-c', helper, path], { stdio: 'ignore' }));
  return { path, released: () => existsSync(mark) };
}

describe.each(hashers)('%s', (_name, hash) => {
  it('refuses a sparse 8 GiB file with EFBIG before hashing a byte', async () => {
    const path = join(tempFolder(), 'sparse');
    execFileSync('truncate', ['-s', '8G', path]);
    expect(statSync(path).size).toBe(8 * 1024 * MiB);
    const chunks = countChunks();
    expectHashError(await errorOf(() => hash(path)), path, 'EFBIG', /8589934592 bytes/);
    expect(chunks.count).toBe(0);
  });

  it('refuses a FIFO that nobody writes, as a FIFO, without waiting for a writer', async () => {
    const fifo = fifoWithoutWriter(tempFolder());
    const error = await errorOf(() => hash(fifo.path));
    expect(fifo.released()).toBe(false);
    expectHashError(error, fifo.path, 'NOT_REGULAR_FILE', /FIFO/);
  });

  it('refuses a symlink to a FIFO, as a FIFO', async () => {
    const folder = tempFolder();
    const fifo = fifoWithoutWriter(folder);
    const link = join(folder, 'binary');
    symlinkSync(fifo.path, link);
    const error = await errorOf(() => hash(link));
    expect(fifo.released()).toBe(false);
    expectHashError(error, link, 'NOT_REGULAR_FILE', /FIFO/);
  });

  it.each(['/dev/zero', '/dev/urandom'])('refuses %s, a character device, unread', async (path) => {
    const chunks = countChunks();
    expectHashError(await errorOf(() => hash(path)), path, 'NOT_REGULAR_FILE', /character device/);
    expect(chunks.count).toBe(0);
  });

  it('refuses a file larger than maxBytes with EFBIG before hashing a byte', async () => {
    const path = join(tempFolder(), 'file');
    writeFileSync(path, Buffer.alloc(3 * MiB + 1, 7));
    const chunks = countChunks();
    const error = await errorOf(() => hash(path, { maxBytes: 3 * MiB }));
    expectHashError(error, path, 'EFBIG', /3145729 bytes, more than the 3145728-byte cap/);
    expect(chunks.count).toBe(0);
  });

  it('hashes a file of exactly maxBytes', async () => {
    const path = join(tempFolder(), 'file');
    writeFileSync(path, Buffer.alloc(3 * MiB, 7));
    expect(await hash(path, { maxBytes: 3 * MiB })).toEqual({
      sha256: toolDigest('sha256', path),
    });
  });

  it('stops with EFBIG when the file grows past maxBytes while it is read', async () => {
    const path = join(tempFolder(), 'file');
    writeFileSync(path, Buffer.alloc(2 * MiB, 7));
    // After the first chunk, 2 MiB more: 4 MiB, past the 3 MiB cap.
    countChunks((count) => {
      if (count === 1) appendFileSync(path, Buffer.alloc(2 * MiB, 8));
    });
    const error = await errorOf(() => hash(path, { maxBytes: 3 * MiB }));
    expectHashError(error, path, 'EFBIG', /grew while it was read/);
  });

  it("stops with the signal's reason when aborted after the first chunk", async () => {
    const path = join(tempFolder(), 'file');
    writeFileSync(path, Buffer.alloc(5 * MiB, 7));
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    const chunks = countChunks((count) => {
      if (count === 1) controller.abort(reason);
    });
    const error = await errorOf(() => hash(path, { signal: controller.signal }));
    expect(error).toBe(reason);
    expect(chunks.count).toBe(1);
  });

  it('stops with an AbortError when aborted without a reason', async () => {
    const path = join(tempFolder(), 'file');
    writeFileSync(path, Buffer.alloc(5 * MiB, 7));
    const controller = new AbortController();
    countChunks((count) => {
      if (count === 1) controller.abort();
    });
    const error = await errorOf(() => hash(path, { signal: controller.signal }));
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('with a signal aborted before the call, hashes nothing', async () => {
    const path = join(tempFolder(), 'file');
    writeFileSync(path, 'x');
    const chunks = countChunks();
    const signal = AbortSignal.abort();
    expect(await errorOf(() => hash(path, { signal }))).toBe(signal.reason);
    expect(chunks.count).toBe(0);
  });

  it.each([
    [{ maxBytes: 0 }, /maxBytes/],
    [{ maxBytes: -1 }, /maxBytes/],
    [{ maxBytes: 1.5 }, /maxBytes/],
    [{ maxBytes: Number.NaN }, /maxBytes/],
    [{ maxBytes: 2 ** 60 }, /maxBytes/],
    [{ maxBytes: '1024' }, /maxBytes/],
    [{ signal: {} }, /signal/],
    [{ signal: 'abort' }, /signal/],
  ])(
    'refuses options %o with a TypeError naming the option, before any I/O',
    async (options, name) => {
      // The path does not exist: an error about it would mean I/O came first.
      const path = join(tempFolder(), 'missing');
      const error = await errorOf(() => hash(path, options as HashOptions));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(name);
    },
  );
});

describe('four async hashes of FIFOs at once', () => {
  it('all refuse, and an unrelated fs.promises.stat completes while no FIFO has a writer', async () => {
    const folder = tempFolder();
    const fifos = [1, 2, 3, 4].map((i) => fifoWithoutWriter(folder, `fifo${i}`));
    const cache = new ChecksumCache({ settleMs: 0 });
    const attempts = [
      hashFileAsync(fifos[0]?.path as string, ['sha256']),
      hashFileAsync(fifos[1]?.path as string, ['md5']),
      hashFileCachedAsync(fifos[2]?.path as string, ['sha256'], cache),
      hashFileCachedAsync(fifos[3]?.path as string, ['sha1'], cache),
    ].map((attempt) =>
      attempt.then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    // libuv has four threads: four opens waiting on FIFOs would leave none for this stat.
    expect((await stat(folder)).isDirectory()).toBe(true);
    expect(fifos.map((fifo) => fifo.released())).toEqual([false, false, false, false]);
    const errors = await Promise.all(attempts);
    errors.forEach((error, i) => {
      expectHashError(error, fifos[i]?.path as string, 'NOT_REGULAR_FILE', /FIFO/);
    });
  });
});

describe('hashStream', () => {
  async function* endless(): AsyncGenerator<Uint8Array> {
    const chunk = new Uint8Array(64 * 1024);
    for (;;) yield chunk;
  }

  it('stops an endless stream with EFBIG at maxBytes (1 GiB unless given)', async () => {
    const error = await errorOf(() => hashStream(endless(), ['sha256'], { maxBytes: MiB }));
    expect(error).toBeInstanceOf(HashError);
    expect(codeOf(error)).toBe('EFBIG');
  });

  it("stops with the signal's reason when aborted between chunks", async () => {
    const controller = new AbortController();
    let chunks = 0;
    async function* aborting(): AsyncGenerator<Uint8Array> {
      for await (const chunk of endless()) {
        if (++chunks === 3) controller.abort();
        yield chunk;
      }
    }
    const error = await errorOf(() =>
      hashStream(aborting(), ['sha256'], { signal: controller.signal }),
    );
    expect(error).toBe(controller.signal.reason);
  });

  it('refuses a bad maxBytes with a TypeError before reading the stream', async () => {
    let pulled = false;
    async function* watched(): AsyncGenerator<Uint8Array> {
      pulled = true;
      yield new Uint8Array(1);
    }
    const error = await errorOf(() => hashStream(watched(), ['sha256'], { maxBytes: -5 }));
    expect(error).toBeInstanceOf(TypeError);
    expect(pulled).toBe(false);
  });
});

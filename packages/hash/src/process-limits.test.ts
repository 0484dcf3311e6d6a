// processChecksum and the memory image under the limits every read honours: an 8 GiB sparse
// executable (its file is refused by the 1 GiB cap before a byte is read, by every file source;
// its memory image is still hashed), an abort after the first chunk (the call ends with the
// signal's reason, no other source is tried), and options checked before any I/O.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { ProcessGoneError } from '@procmon/procfs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  checksumOf,
  cleanup,
  codeOf,
  copySleep,
  errorOf,
  executableImageDigest,
  gonePid,
  readMaps,
  startSleeper,
  styles,
  tempFolder,
} from '../test/helpers.js';
import { MultiHash } from './algorithms.js';
import {
  dumpImage,
  dumpImageAsync,
  hashImage,
  hashImageAsync,
  type ProcessChecksumOptions,
} from './index.js';

afterAll(cleanup);
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(styles)('an 8 GiB sparse executable (%s)', (style) => {
  it('is refused by every file source before a byte is read, and hashed from memory', async () => {
    const binary = copySleep(tempFolder());
    execFileSync('truncate', ['-s', '8G', binary]);
    const { pid } = await startSleeper(binary);
    const result = await checksumOf(style, pid, ['sha256']);
    expect(result.source).toBe('memory');
    expect(result.checksums).toEqual({ sha256: executableImageDigest(pid, binary) });
    expect(result.attempts.map((attempt) => [attempt.source, codeOf(attempt.error)])).toEqual([
      ['exe', 'EFBIG'],
      ['root', 'EFBIG'],
      ['path', 'EFBIG'],
    ]);
  });
});

describe.each(styles)('processChecksum limits (%s)', (style) => {
  it("an abort after the first chunk ends the call with the signal's reason; no other source is tried", async () => {
    const binary = copySleep(tempFolder());
    appendFileSync(binary, Buffer.alloc(5 * 1024 * 1024));
    const { pid } = await startSleeper(binary);
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    let chunks = 0;
    const update = MultiHash.prototype.update;
    vi.spyOn(MultiHash.prototype, 'update').mockImplementation(function (
      this: MultiHash,
      bytes: Uint8Array,
    ) {
      if (++chunks === 1) controller.abort(reason);
      update.call(this, bytes);
    });
    const error = await errorOf(() =>
      checksumOf(style, pid, ['sha256'], { signal: controller.signal }),
    );
    expect(error).toBe(reason);
    expect(chunks).toBe(1);
  });

  it.each([
    [{ maxBytes: 0 }, /maxBytes/],
    [{ maxBytes: 1.5 }, /maxBytes/],
    [{ maxImageBytes: -1 }, /maxImageBytes/],
    [{ signal: {} }, /signal/],
  ])('refuses %o with a TypeError before any I/O', async (options, name) => {
    // A pid that names no process: any I/O would say so first.
    const error = await errorOf(() =>
      checksumOf(style, gonePid(), ['sha256'], options as ProcessChecksumOptions),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(ProcessGoneError);
    expect((error as Error).message).toMatch(name);
  });
});

describe('hashImage and dumpImage limits', () => {
  it("stop with the signal's reason when it is aborted, before reading", async () => {
    const { pid } = await startSleeper(copySleep(tempFolder()));
    const signal = AbortSignal.abort();
    const path = readMaps(pid).find((entry) => entry.execute && entry.kind === 'file')
      ?.pathname as string;
    for (const call of [
      () => hashImage(pid, path, ['sha256'], { signal }),
      () => hashImageAsync(pid, path, ['sha256'], { signal }),
      () => dumpImage(pid, path, { signal }),
      () => dumpImageAsync(pid, path, { signal }),
    ]) {
      expect(await errorOf(call)).toBe(signal.reason);
    }
  });

  it('refuse a bad signal or inode with a TypeError before any I/O', async () => {
    const pid = gonePid();
    for (const options of [{ signal: 'x' }, { inode: 5 }, { maxBytes: 0 }]) {
      const error = await errorOf(() => dumpImage(pid, '/bin/sleep', options as never));
      expect(error).toBeInstanceOf(TypeError);
    }
  });
});

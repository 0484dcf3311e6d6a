// readRanges against this process's own memory: a mapped region of the node binary reads as the
// binary's bytes at that mapping's offset; an unmapped address is an EIO in its slot.
import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { parseMaps } from '@procmon/parse';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, modes, openFdCount, tempRoot } from '../test/helpers.js';
import { ProcessGoneError, ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';
import { readRangesAsync } from './read-ranges.js';

afterAll(cleanup);

const procfs = new ProcFS();
const binary = realpathSync(process.execPath);

function binaryRegion() {
  const maps = parseMaps(readFileSync('/proc/self/maps'));
  const region = maps.find((entry) => entry.pathname === binary && !entry.write);
  if (!region) throw new Error(`no read-only mapping of ${binary}`);
  return region;
}

function fileBytes(offset: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const fd = openSync(binary, 'r');
  try {
    readSync(fd, bytes, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

describe('readRanges', () => {
  it('reads a mapped region as the file bytes at its offset, and EIO where nothing is mapped', async () => {
    const region = binaryRegion();
    const ranges = [
      { start: region.start, length: 4096 },
      { start: 0n, length: 16 },
      { start: region.start + 100n, length: 0 },
    ];
    for (const results of [
      procfs.readRanges(process.pid, 'mem', ranges),
      await procfs.promises.readRanges(process.pid, 'mem', ranges),
    ]) {
      expect(results).toHaveLength(3);
      expect(results[0]).toEqual({ bytes: fileBytes(region.offset, 4096) });
      const failed = results[1] as { error: ProcfsError };
      expect(failed.error).toBeInstanceOf(ProcfsError);
      expect(failed.error.code).toBe('EIO');
      expect(failed.error.path).toBe(`/proc/${process.pid}/mem`);
      expect(results[2]).toEqual({ bytes: new Uint8Array(0) });
    }
  });

  it('refuses bad ranges before any I/O', () => {
    const bad = [
      [{ start: 1, length: 1 }],
      [{ start: -1n, length: 1 }],
      [{ start: 0n, length: -1 }],
      [{ start: 0n, length: 1.5 }],
      [null],
      'not an array',
    ];
    for (const ranges of bad) {
      expect(() => procfs.readRanges(999_999_999, 'mem', ranges as never)).toThrow(TypeError);
    }
  });
});

describe('readRanges never crashes the host, never leaks a descriptor', () => {
  it('refuses a range that ends past 2^63 - 1 with a TypeError, sync and async', async () => {
    const bad = [
      [{ start: 0xffffffffff600000n, length: 4096 }],
      [{ start: 2n ** 63n - 10n, length: 11 }],
    ];
    for (const ranges of bad) {
      expect(() => procfs.readRanges(process.pid, 'mem', ranges)).toThrow(TypeError);
      await expect(procfs.promises.readRanges(process.pid, 'mem', ranges)).rejects.toThrow(
        TypeError,
      );
    }
    // Ending exactly at 2^63 - 1 is fine.
    const [last] = procfs.readRanges(process.pid, 'mem', [{ start: 2n ** 63n - 10n, length: 9 }]);
    expect(last && 'error' in last).toBe(true);
  });

  it('turns a throw inside an fs callback into a rejection and closes the descriptor', async () => {
    const before = openFdCount();
    // Too large to allocate, and a position Node refuses: both throw inside fs callbacks.
    for (const ranges of [
      [{ start: 0n, length: 2 ** 40 }],
      [
        { start: 0n, length: 0 },
        { start: 0xffffffffff600000n, length: 4096 },
      ],
    ]) {
      await expect(readRangesAsync('/proc/self/mem', ranges)).rejects.toBeInstanceOf(Error);
    }
    expect(openFdCount()).toBe(before);
  });
});

describe.each(modes)('readRanges with maxBytes (%s)', (mode) => {
  it('is EFBIG before any read when the lengths add up past the cap', async () => {
    const small = new ProcFS({ maxBytes: 100 });
    const api = mode === 'sync' ? small : small.promises;
    const ranges = [
      { start: 0n, length: 60 },
      { start: 0n, length: 41 },
    ];
    const expectEfbig = async (run: () => unknown) => {
      let error: unknown;
      try {
        await run();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ProcfsError);
      expect((error as ProcfsError).code).toBe('EFBIG');
    };
    // The ProcFS default cap, and a call's own.
    await expectEfbig(() => api.readRanges(process.pid, 'mem', ranges));
    await expectEfbig(() =>
      api.readRanges(process.pid, 'mem', [{ start: 0n, length: 11 }], { maxBytes: 10 }),
    );
    await expectEfbig(() =>
      procfs.readRanges(process.pid, 'mem', [{ start: 0n, length: 2 ** 40 }]),
    );
    // Under the cap it reads.
    const results = await api.readRanges(process.pid, 'mem', ranges, { maxBytes: 101 });
    expect(results).toHaveLength(2);
  });
});

describe('readRanges reads the ranges it was given', () => {
  it('snapshots the ranges: changing them during an async read changes nothing', async () => {
    const region = binaryRegion();
    const ranges = [
      { start: region.start, length: 4096 },
      { start: region.start + 4096n, length: 16 },
    ];
    const pending = procfs.promises.readRanges(process.pid, 'mem', ranges);
    (ranges[1] as { start: bigint; length: number }).start = 0n;
    (ranges[1] as { start: bigint; length: number }).length = 32;
    ranges.push({ start: 0n, length: 1 });
    const results = await pending;
    expect(results).toHaveLength(2);
    expect(results[1]).toEqual({ bytes: fileBytes(region.offset + 4096n, 16) });
  });
});

describe.each(modes)('a short range of a process that is not alive (%s)', (mode) => {
  const rootWith = (state: string) =>
    tempRoot({ '7/stat': `7 (x) ${state} 1 7 7 0 -1\n`, '7/mem': 'ten bytes!' });

  it('is a ProcessGoneError in its slot; full ranges keep their bytes', async () => {
    for (const [state, zombie] of [
      ['Z', true],
      ['X', false],
    ] as const) {
      const fs = new ProcFS({ root: rootWith(state) });
      const api = mode === 'sync' ? fs : fs.promises;
      const results = await api.readRanges(7, 'mem', [
        { start: 0n, length: 4 },
        { start: 4n, length: 100 },
      ]);
      expect(results[0]).toEqual({ bytes: new TextEncoder().encode('ten ') });
      const short = results[1] as { error: ProcessGoneError };
      expect(short.error).toBeInstanceOf(ProcessGoneError);
      expect(short.error.zombie).toBe(zombie);
      expect(short.error.pid).toBe(7);
    }
  });

  it('is the bytes it got when the process is alive', async () => {
    const fs = new ProcFS({ root: rootWith('S') });
    const api = mode === 'sync' ? fs : fs.promises;
    const results = await api.readRanges(7, 'mem', [{ start: 4n, length: 100 }]);
    expect(results).toEqual([{ bytes: new TextEncoder().encode('bytes!') }]);
  });
});

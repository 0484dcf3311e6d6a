// readRanges against this process's own memory: a mapped region of the node binary reads as the
// binary's bytes at that mapping's offset; an unmapped address is an EIO in its slot.
import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { parseMaps } from '@procmon/parse';
import { describe, expect, it } from 'vitest';
import { ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';

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

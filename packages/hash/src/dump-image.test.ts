// dumpImage on a running copy of sleep, checked against the files it maps: every read-only
// file-backed region holds the file's bytes at the mapping's offset, zero past the end of the
// file (pages the dynamic loader wrote before making them read-only, found through pagemap, are
// the one exception). The child runs with LOCPATH=<dir>/sleep2, so it also maps files whose
// paths start with the binary's path (<dir>/sleep2/C.utf8/LC_*): none of those may be picked up.
// The locale files are smaller than a page, which checks the zero fill past EOF.
import { cpSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MapsEntry } from '@procmon/parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  copySleep,
  EMPTY_MD5,
  errorOf,
  expectSameBytes,
  isAnonymousPage,
  pageSize,
  readMaps,
  readMem,
  startSleeper,
  tempFolder,
  toolDigest,
} from '../test/helpers.js';
import {
  dumpImage,
  dumpImageAsync,
  HashError,
  hashBytes,
  type ImageRegion,
  type MemoryImage,
} from './index.js';

afterAll(cleanup);

const LOCALE = '/usr/lib/locale/C.utf8';

/** A copy of sleep at <dir>/sleep, running with its locale files copied to <dir>/sleep2/C.utf8. */
async function startWithLocale(): Promise<{ pid: number; binary: string; locale: string }> {
  const folder = tempFolder();
  const binary = copySleep(folder, 'sleep');
  const locale = join(folder, 'sleep2', 'C.utf8');
  cpSync(LOCALE, locale, { recursive: true });
  const { pid } = await startSleeper(binary, {
    LOCPATH: join(folder, 'sleep2'),
    LC_ALL: 'C.UTF-8',
  });
  return { pid, binary, locale };
}

const shape = (region: ImageRegion | MapsEntry) => ({
  start: region.start,
  end: region.end,
  offset: region.offset,
  perms: region.perms,
});

/** The file's bytes that a mapping at `offset` shows: file bytes, then zeros past EOF. */
function expectedPage(file: Uint8Array, offset: number, length: number): Uint8Array {
  const page = new Uint8Array(length);
  if (offset < file.length) page.set(file.subarray(offset, Math.min(offset + length, file.length)));
  return page;
}

let pid = 0;
let binary = '';
let locale = '';
let maps: MapsEntry[] = [];
let image: MemoryImage;

beforeAll(async () => {
  ({ pid, binary, locale } = await startWithLocale());
  image = dumpImage(pid, binary);
  maps = readMaps(pid);
});

describe('dumpImage of a running copy of sleep', () => {
  it('the child maps files whose paths start with the binary path (the trap is set)', () => {
    const lookalikes = maps.filter((entry) => entry.pathname?.startsWith(`${binary}2/`));
    expect(lookalikes.length).toBeGreaterThanOrEqual(2);
    expect(lookalikes.map((entry) => entry.pathname)).toContain(join(locale, 'LC_CTYPE'));
  });

  it('has exactly the regions of maps whose pathname is the binary path, in address order', () => {
    const mine = maps.filter((entry) => entry.pathname === binary && !entry.deleted);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(image.path).toBe(binary);
    expect(image.regions.map(shape)).toEqual(mine.map(shape));
    const starts = image.regions.map((region) => region.start);
    expect(starts).toEqual([...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // No region of another path: every region is one of the binary's entries.
    const others = maps.filter((entry) => entry.pathname !== binary);
    for (const region of image.regions) {
      expect(others.some((entry) => entry.start === region.start)).toBe(false);
    }
  });

  it('reads every region whole, and bytes is the regions one after the other', () => {
    const parts: Uint8Array[] = [];
    for (const region of image.regions) {
      expect(region.error).toBeUndefined();
      expect(region.bytes).toBeInstanceOf(Uint8Array);
      expect(region.bytes?.length).toBe(Number(region.end - region.start));
      parts.push(region.bytes as Uint8Array);
    }
    expectSameBytes(image.bytes, Buffer.concat(parts), 'image.bytes');
  });

  it('bytes equal what the test reads from /proc/<pid>/mem itself', () => {
    const mem = Buffer.concat(
      image.regions.map((region) => readMem(pid, region.start, Number(region.end - region.start))),
    );
    expectSameBytes(image.bytes, mem, 'image.bytes against mem');
  });

  it("read-only regions hold the file's bytes at the mapping offset, zero past EOF", () => {
    const file = new Uint8Array(readFileSync(binary));
    let compared = 0;
    let written = 0;
    const readOnly = image.regions.filter((region) => !region.perms.includes('w'));
    expect(readOnly.map((region) => region.perms)).toContain('r-xp');
    expect(readOnly.map((region) => region.perms)).toContain('r--p');
    for (const region of readOnly) {
      const bytes = region.bytes as Uint8Array;
      for (let at = 0; at < bytes.length; at += pageSize) {
        const address = region.start + BigInt(at);
        if (isAnonymousPage(pid, address)) {
          // Written by the dynamic loader (relocations) before mprotect made it read-only.
          expect(region.perms).toBe('r--p');
          written++;
          continue;
        }
        expectSameBytes(
          bytes.subarray(at, at + pageSize),
          expectedPage(file, Number(region.offset) + at, pageSize),
          `page at ${address.toString(16)} (${region.perms}, file offset ${Number(region.offset) + at})`,
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4);
    expect(written).toBeLessThan(compared);
  });

  it('locale files smaller than their pages: file bytes, then zeros to the end of the page', () => {
    const localeEntries = maps.filter((entry) => entry.pathname?.startsWith(`${locale}/`));
    const paths = [...new Set(localeEntries.map((entry) => entry.pathname as string))];
    expect(paths).toContain(join(locale, 'LC_NUMERIC'));
    for (const path of paths) {
      const file = new Uint8Array(readFileSync(path));
      const dump = dumpImage(pid, path);
      expect(dump.regions.map(shape)).toEqual(
        localeEntries.filter((entry) => entry.pathname === path).map(shape),
      );
      for (const region of dump.regions) {
        expect(region.perms).toBe('r--p');
        const length = Number(region.end - region.start);
        expect(region.bytes?.length).toBe(length);
        expectSameBytes(
          region.bytes as Uint8Array,
          expectedPage(file, Number(region.offset), length),
          path,
        );
      }
    }
    // LC_NUMERIC is 50-odd bytes in one page: the rest of the page is zeros.
    const numeric = dumpImage(pid, join(locale, 'LC_NUMERIC'));
    const size = statSync(join(locale, 'LC_NUMERIC')).size;
    expect(size).toBeLessThan(pageSize);
    expect(numeric.bytes.length).toBe(pageSize);
    expect(numeric.bytes.subarray(size).every((byte) => byte === 0)).toBe(true);
  });

  it('its checksum is the checksum of the image, never the checksum of empty input', () => {
    const mem = Buffer.concat(
      image.regions.map((region) => readMem(pid, region.start, Number(region.end - region.start))),
    );
    const file = join(tempFolder(), 'image.bin');
    writeFileSync(file, mem);
    const md5 = hashBytes(image.bytes, ['md5']).md5;
    expect(md5).not.toBe(EMPTY_MD5);
    expect(md5).toBe(toolDigest('md5', file));
    expect(hashBytes(image.bytes, ['sha256'])).toEqual({ sha256: toolDigest('sha256', file) });
  });

  it('dumpImageAsync gives the same image', async () => {
    const again = await dumpImageAsync(pid, binary);
    expect(again.path).toBe(image.path);
    expect(again.regions.map(shape)).toEqual(image.regions.map(shape));
    expectSameBytes(again.bytes, image.bytes, 'async image');
  });

  it.each([
    ['a prefix of the binary path', (b: string) => b.slice(0, -1)],
    ['the binary path plus "2" (a prefix of mapped locale paths)', (b: string) => `${b}2`],
    ['the folder of the binary', (b: string) => b.slice(0, b.lastIndexOf('/'))],
    ['the base name only', () => 'sleep'],
    ['the binary path with a trailing slash', (b: string) => `${b}/`],
    ['the binary path with " (deleted)"', (b: string) => `${b} (deleted)`],
  ])('for %s matches no region', async (_what, pathFor) => {
    const path = pathFor(binary);
    let dump: MemoryImage | undefined;
    try {
      dump = dumpImage(pid, path);
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(TypeError);
    }
    if (dump) {
      expect(dump.regions).toEqual([]);
      expect(dump.bytes.length).toBe(0);
    }
  });

  it('past maxBytes is a HashError with code EFBIG; exactly at it is fine', async () => {
    const total = image.regions.reduce((sum, region) => sum + Number(region.end - region.start), 0);
    expect(dumpImage(pid, binary, { maxBytes: total }).bytes.length).toBe(total);
    for (const call of [
      () => dumpImage(pid, binary, { maxBytes: total - 1 }),
      () => dumpImageAsync(pid, binary, { maxBytes: total - 1 }),
    ]) {
      const error = await errorOf(call);
      expect(error).toBeInstanceOf(HashError);
      expect((error as HashError).code).toBe('EFBIG');
    }
  });
});

describe('dumpImage of regions the kernel cannot read', () => {
  it('gives each unreadable region an EIO error and no bytes, and leaves it out of bytes', async () => {
    const child = await startWithLocale();
    // Truncating a mapped file takes away the pages of the mapping past the new end: reading
    // them through mem is EIO (the process itself would get SIGBUS).
    const time = join(child.locale, 'LC_TIME');
    const ctype = join(child.locale, 'LC_CTYPE');
    truncateSync(time, 0);
    truncateSync(ctype, 100_000);
    for (const path of [time, ctype]) {
      for (const dump of [dumpImage(child.pid, path), await dumpImageAsync(child.pid, path)]) {
        expect(dump.regions.length).toBeGreaterThan(0);
        for (const region of dump.regions) {
          expect(region.bytes).toBeUndefined();
          expect(region.error).toBeInstanceOf(Error);
          expect((region.error as { code?: unknown }).code).toBe('EIO');
        }
        expect(dump.bytes.length).toBe(0);
      }
    }
    // The readable files of the same process still read.
    expect(dumpImage(child.pid, join(child.locale, 'LC_NUMERIC')).bytes.length).toBe(pageSize);
  });
});

describe('dumpImage of a deleted binary', () => {
  it('with deleted: true has the regions maps marks " (deleted)", and the old bytes', async () => {
    const folder = tempFolder();
    const path = copySleep(folder);
    const file = new Uint8Array(readFileSync(path));
    const { pid: child } = await startSleeper(path);
    unlinkSync(path);
    const entries = readMaps(child).filter((entry) => entry.pathname === path);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry) => entry.deleted)).toBe(true);
    const dump = dumpImage(child, path, { deleted: true });
    expect(dump.regions.map(shape)).toEqual(entries.map(shape));
    const text = dump.regions.find((region) => region.perms === 'r-xp') as ImageRegion;
    expectSameBytes(
      text.bytes as Uint8Array,
      expectedPage(file, Number(text.offset), Number(text.end - text.start)),
      'the text region of the deleted binary',
    );
  });
});

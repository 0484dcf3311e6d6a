// parseMaps on a captured process that mapped files with hostile names.
import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf } from '../test/helpers.js';
import { entry, VSYSCALL } from '../test/maps.js';
import { parseMaps } from './maps.js';
import { encodeText } from './text.js';

const fixture = fixtures('maps');

describe('parseMaps on real captures of hostile paths', () => {
  it('reads paths with spaces, newlines, non-UTF-8 bytes and fake "(deleted)" names', () => {
    // A static C program that mapped, shared, one page at offset 4096 of each of
    // "a b.dat", "new\nline.dat", "bad\xffbyte.dat", "fake (deleted)", "back\\012slash.dat"
    // (a real backslash) and "gone.dat" (then unlinked), plus shared anonymous memory (shown as
    // /dev/zero (deleted)) and two private anonymous areas (PROT_NONE, PROT_READ|PROT_EXEC).
    const FILES = '/tmp/pmcap/files/';
    const SELF = '/tmp/pmcap/mapper';
    expect(parseMaps(fixture('mapper-edge-paths.maps'))).toEqual([
      entry(0x400000n, 0x401000n, 'r--p', 0n, 0xfe, 0, 2147065n, SELF, false, 'file'),
      entry(0x401000n, 0x479000n, 'r-xp', 0x1000n, 0xfe, 0, 2147065n, SELF, false, 'file'),
      entry(0x479000n, 0x4a1000n, 'r--p', 0x79000n, 0xfe, 0, 2147065n, SELF, false, 'file'),
      entry(0x4a1000n, 0x4a5000n, 'r--p', 0xa0000n, 0xfe, 0, 2147065n, SELF, false, 'file'),
      entry(0x4a5000n, 0x4a8000n, 'rw-p', 0xa4000n, 0xfe, 0, 2147065n, SELF, false, 'file'),
      entry(0x4a8000n, 0x4ad000n, 'rw-p', 0n, 0, 0, 0n, null, false, 'anonymous'),
      entry(0x12e7e000n, 0x12ea0000n, 'rw-p', 0n, 0, 0, 0n, '[heap]', false, 'heap'),
      entry(0x7f662911d000n, 0x7f662911e000n, 'r-xp', 0n, 0, 0, 0n, null, false, 'anonymous'),
      entry(0x7f662911e000n, 0x7f662911f000n, '---p', 0n, 0, 0, 0n, null, false, 'anonymous'),
      entry(0x7f662911f000n, 0x7f6629121000n, 'rw-s', 0n, 0, 1, 25n, '/dev/zero', true, 'file'),
      entry(
        0x7f6629121000n,
        0x7f6629122000n,
        'rw-s',
        0x1000n,
        0xfe,
        0,
        2147066n,
        `${FILES}gone.dat`,
        true,
        'file',
      ),
      entry(
        0x7f6629122000n,
        0x7f6629123000n,
        'rw-s',
        0x1000n,
        0xfe,
        0,
        2147064n,
        `${FILES}back\\012slash.dat`,
        false,
        'file',
      ),
      // A file really named "fake (deleted)" reads as a deleted "fake": the format cannot tell.
      entry(
        0x7f6629123000n,
        0x7f6629124000n,
        'rw-s',
        0x1000n,
        0xfe,
        0,
        2147063n,
        `${FILES}fake`,
        true,
        'file',
      ),
      entry(
        0x7f6629124000n,
        0x7f6629125000n,
        'rw-s',
        0x1000n,
        0xfe,
        0,
        2147062n,
        `${FILES}bad\udcffbyte.dat`,
        false,
        'file',
      ),
      // The newline is written as \012, exactly like the real backslash two lines above.
      entry(
        0x7f6629125000n,
        0x7f6629126000n,
        'rw-s',
        0x1000n,
        0xfe,
        0,
        2147061n,
        `${FILES}new\\012line.dat`,
        false,
        'file',
      ),
      entry(
        0x7f6629126000n,
        0x7f6629127000n,
        'rw-s',
        0x1000n,
        0xfe,
        0,
        2147060n,
        `${FILES}a b.dat`,
        false,
        'file',
      ),
      entry(0x7f6629127000n, 0x7f662912b000n, 'r--p', 0n, 0, 0, 0n, '[vvar]', false, 'vvar'),
      entry(
        0x7f662912b000n,
        0x7f662912d000n,
        'r--p',
        0n,
        0,
        0,
        0n,
        '[vvar_vclock]',
        false,
        'pseudo',
      ),
      entry(0x7f662912d000n, 0x7f662912f000n, 'r-xp', 0n, 0, 0, 0n, '[vdso]', false, 'vdso'),
      entry(0x7ffea1834000n, 0x7ffea1855000n, 'rw-p', 0n, 0, 0, 0n, '[stack]', false, 'stack'),
      VSYSCALL,
    ]);
  });

  it('gives back the exact bytes of a non-UTF-8 path through encodeText', () => {
    const entries = parseMaps(fixture('mapper-edge-paths.maps'));
    const bad = entries[13]?.pathname ?? '';
    expect(Array.from(encodeText(bad).slice(-9))).toEqual([
      0xff, 0x62, 0x79, 0x74, 0x65, 0x2e, 0x64, 0x61, 0x74,
    ]);
    expect(parseMaps(fixture('mapper-edge-paths.maps'), { decoding: 'latin1' })[13]?.pathname).toBe(
      '/tmp/pmcap/files/bad\u00ffbyte.dat',
    );
    expect(
      parseErrorOf(() => parseMaps(fixture('mapper-edge-paths.maps'), { decoding: 'strict' }))
        .offset,
    ).toBe(1182);
  });
});

// parseMaps on crafted files (named areas, malformed columns, edge widths) and on any input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { damaged, fixtures, parseErrorOf, valueOrParseError } from '../test/helpers.js';
import { entry, PERMS, VSYSCALL } from '../test/maps.js';
import { parseMaps } from './maps.js';

const fixture = fixtures('maps');

describe('parseMaps on crafted files', () => {
  it('reads named anonymous areas, old [stack:tid], big devices and u64 inodes', () => {
    expect(parseMaps(fixture('crafted-pseudo.maps'))).toEqual([
      entry(
        0x5581a0c00000n,
        0x5581a0c21000n,
        'rw-p',
        0n,
        0,
        0,
        0n,
        '[anon:libc_malloc]',
        false,
        'pseudo',
      ),
      entry(
        0x7f2a10000000n,
        0x7f2a10021000n,
        'rw-p',
        0n,
        0,
        0,
        0n,
        '[anon:dalvik-main space (region space)]',
        false,
        'pseudo',
      ),
      entry(
        0x7f2a10021000n,
        0x7f2a14000000n,
        '---p',
        0n,
        0,
        0,
        0n,
        '[anon_shmem:shared buf]',
        false,
        'pseudo',
      ),
      entry(
        0x7f2a14000000n,
        0x7f2a14800000n,
        'rw-p',
        0n,
        0,
        0,
        0n,
        '[stack:4242]',
        false,
        'pseudo',
      ),
      entry(0x7f2a15000000n, 0x7f2a15001000n, 'r-xp', 0n, 0, 0, 0n, '[uprobes]', false, 'pseudo'),
      // overlayfs (xino) sets the inode's top bit: past 2^53, exact as a bigint.
      entry(
        0x7f2a16000000n,
        0x7f2a16004000n,
        'r--p',
        0x2000n,
        0x103,
        5,
        9223372036854775809n,
        '/merged/usr/lib/libz.so.1.3',
        false,
        'file',
      ),
      entry(
        0x7f2a17000000n,
        0x7f2a17001000n,
        'rw-s',
        0n,
        0xfff,
        0xfffff,
        18446744073709551615n,
        '/dev/shm/big inode',
        false,
        'file',
      ),
      entry(
        0x7f2a18000000n,
        0x7f2a18001000n,
        'rw-s',
        0n,
        0,
        0xf,
        1057n,
        '/memfd:jit-cache',
        true,
        'file',
      ),
      entry(
        0x7f2a19000000n,
        0x7f2a19001000n,
        'r--s',
        0n,
        0,
        0xe,
        8n,
        'anon_inode:i915.gem',
        false,
        'file',
      ),
      entry(
        0x7f2a1a000000n,
        0x7f2a1a001000n,
        'rw-p',
        0n,
        0,
        5,
        77n,
        '/tmp/trailing space ',
        false,
        'file',
      ),
      VSYSCALL,
    ]);
  });

  it('names the line of a malformed entry', () => {
    const error = parseErrorOf(() => parseMaps(fixture('crafted-malformed.maps')));
    expect(error.kind).toBe('maps');
    expect(error.message).toContain('line 2: expected "-" after the start address');
    expect(error.offset).toBe(79);
  });

  it('refuses a truncated line', () => {
    const error = parseErrorOf(() => parseMaps(fixture('crafted-truncated.maps')));
    expect(error.message).toContain('line 5: expected a space after the permissions');
  });

  it('reads a file without its final newline, and a line without the trailing space', () => {
    expect(parseMaps('00400000-00401000 r--p 00000000 00:00 0')).toEqual([
      entry(0x400000n, 0x401000n, 'r--p', 0n, 0, 0, 0n, null, false, 'anonymous'),
    ]);
    expect(parseMaps('00400000-00401000 r--p 00000000 08:01 12 /bin/true')).toEqual([
      entry(0x400000n, 0x401000n, 'r--p', 0n, 8, 1, 12n, '/bin/true', false, 'file'),
    ]);
  });

  it('reads empty input as no entries', () => {
    expect(parseMaps('')).toEqual([]);
    expect(parseMaps(new Uint8Array(0))).toEqual([]);
  });

  it('refuses each column that does not have the kernel shape', () => {
    const cases: Array<[string, string]> = [
      ['\n', 'line 1: expected the start address'],
      ['0040000-', 'line 1: expected the end address'],
      ['00400000-00401000', 'line 1: expected a space after the address range'],
      ['00401000-00400000 r--p 0 00:00 0', 'line 1: the end address is not above the start'],
      ['00400000-00400000 r--p 0 00:00 0', 'line 1: the end address is not above the start'],
      ['1-10000000000000000 r--p 0 00:00 0', 'line 1: the end address does not fit 64 bits'],
      ['1-2 r-', 'line 1: expected 4 permission characters'],
      ['1-2 rwxx 0 00:00 0', 'line 1: expected permissions like "r-xp"'],
      ['1-2 R--p 0 00:00 0', 'line 1: expected permissions like "r-xp"'],
      ['1-2 r--pp 0 00:00 0', 'line 1: expected a space after the permissions'],
      ['1-2 r--p  0 00:00 0', 'line 1: expected the offset'],
      ['1-2 r--p 0 0000 0', 'line 1: expected ":" between device major and minor'],
      ['1-2 r--p 0 :00 0', 'line 1: expected the device major number'],
      ['1-2 r--p 0 00: 0', 'line 1: expected the device minor number'],
      ['1-2 r--p 0 123456789:0 0', 'line 1: expected the device major number'],
      ['1-2 r--p 0 0:123456789 0', 'line 1: expected the device minor number'],
      ['1-2 r--p 0 00:00', 'line 1: expected a space after the device'],
      ['1-2 r--p 0 00:00 x', 'line 1: expected the inode'],
      ['1-2 r--p 0 00:00 12x /a', 'line 1: expected a space after the inode'],
      ['1-2 r--p 0 00:00 18446744073709551616 /a', 'line 1: the inode does not fit 64 bits'],
      ['1-2 r--p 0 00:00 123456789012345678901 /a', 'line 1: expected the inode'],
      ['1-2 r--p 0 00:00 0\n3-4 r--p 0 00:00 0 \n\n', 'line 3: expected the start address'],
    ];
    for (const [input, message] of cases) {
      expect(parseErrorOf(() => parseMaps(input)).message).toContain(message);
    }
  });

  it('accepts leading zeros beyond 16 digits, as long as the value fits', () => {
    expect(parseMaps('0000000000000000001-2 r--p 0 00:00 0')[0]?.start).toBe(1n);
  });

  it('reads strings like bytes', () => {
    const bytes = fixture('sleep-deleted.maps');
    expect(parseMaps(new TextDecoder().decode(bytes))).toEqual(parseMaps(bytes));
  });

  it('refuses input that is neither bytes nor a string', () => {
    expect(parseErrorOf(() => parseMaps(null as unknown as string)).kind).toBe('maps');
  });
});

describe('parseMaps properties', () => {
  it('returns entries or throws a ParseError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (input) => {
        valueOrParseError(() => expect(Array.isArray(parseMaps(input))).toBe(true));
      }),
    );
  });

  it('returns entries or throws a ParseError for any string, in every decoding', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.constantFrom('escape', 'strict', 'replace', 'latin1' as const),
        (input, decoding) => {
          valueOrParseError(() => parseMaps(input, { decoding }));
        },
      ),
    );
  });

  it('returns entries or throws a ParseError for mutated real files', () => {
    const real = fixture('mapper-edge-paths.maps');
    fc.assert(
      fc.property(damaged(real), (input) => {
        valueOrParseError(() => parseMaps(input));
      }),
    );
  });

  it('reads back what a kernel-style writer wrote', () => {
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    const line = fc.record({
      start: fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
      length: fc.bigInt({ min: 1n, max: 2n ** 40n }),
      perms: fc.constantFrom(...(Object.keys(PERMS) as Array<keyof typeof PERMS>)),
      offset: u64,
      major: fc.integer({ min: 0, max: 0xfff }),
      minor: fc.integer({ min: 0, max: 0xfffff }),
      inode: u64,
      // A path as the kernel writes it: absolute, no newline, any other printable text.
      path: fc.option(
        fc
          .string({ unit: 'grapheme', maxLength: 40 })
          .filter((p) => !p.includes('\n') && !p.endsWith(' (deleted)'))
          .map((p) => `/${p}`),
      ),
      deleted: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        const valid = lines.filter((l) => l.start + l.length <= 2n ** 64n - 1n);
        const hex = (n: bigint | number, width: number) => n.toString(16).padStart(width, '0');
        const text = valid
          .map((l) => {
            const head =
              `${hex(l.start, 8)}-${hex(l.start + l.length, 8)} ${l.perms} ${hex(l.offset, 8)} ` +
              `${hex(l.major, 2)}:${hex(l.minor, 2)} ${l.inode} `;
            if (l.path === null) return `${head}\n`;
            return `${head.padEnd(72, ' ')} ${l.path}${l.deleted ? ' (deleted)' : ''}\n`;
          })
          .join('');
        expect(parseMaps(text)).toEqual(
          valid.map((l) =>
            entry(
              l.start,
              l.start + l.length,
              l.perms,
              l.offset,
              l.major,
              l.minor,
              l.inode,
              l.path,
              l.path !== null && l.deleted,
              l.path === null ? 'anonymous' : 'file',
            ),
          ),
        );
      }),
    );
  });
});

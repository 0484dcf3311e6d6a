import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf, valueOrParseError } from '../test/helpers.js';
import { parseNetUnix, type UnixSocketEntry } from './net-unix.js';
import type { TextDecoding } from './text.js';

// live-unix comes from test/net-capture.sh: in a fresh network namespace, test/net-sockets.mjs
// opened a stream listener at a path with spaces, one client to it, and an abstract listener;
// test/net-sockets.py opened a datagram socket at a path with a 0xff byte, a seqpacket listener
// and a datagram socket with abstract names holding a NUL and a newline, and a socketpair.
// Inodes are those `ls -l /proc/<pid>/fd` showed (live-fds-*.txt).
const fixture = fixtures('net');

const HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
const LISTEN_PATH = '/tmp/procmon-net-fixture/listen sock here';

const connectedStream = (inode: number, path: string | null = null): UnixSocketEntry => ({
  refCount: 3,
  protocol: 0,
  flags: 0,
  listening: false,
  type: 1,
  typeName: 'stream',
  state: 3,
  stateName: 'CONNECTED',
  inode,
  path,
  abstract: false,
});

describe('parseNetUnix on a live table', () => {
  it('reads every socket the capturing processes opened', () => {
    expect(parseNetUnix(fixture('live-unix'))).toStrictEqual([
      connectedStream(14497), // socketpair
      {
        refCount: 2,
        protocol: 0,
        flags: 0x10000,
        listening: true,
        type: 1,
        typeName: 'stream',
        state: 1,
        stateName: 'UNCONNECTED',
        inode: 14469,
        path: LISTEN_PATH,
        abstract: false,
      },
      connectedStream(14470), // the client: connected, but bound to no name
      {
        refCount: 2,
        protocol: 0,
        flags: 0,
        listening: false,
        type: 2,
        typeName: 'dgram',
        state: 1,
        stateName: 'UNCONNECTED',
        inode: 14493,
        // The 0xff byte, escaped losslessly.
        path: '/tmp/procmon-net-fixture/dgram-\udcff.sock',
        abstract: false,
      },
      connectedStream(14496), // socketpair
      connectedStream(14471, LISTEN_PATH), // accepted: it carries the listener's name
      {
        refCount: 2,
        protocol: 0,
        flags: 0,
        listening: false,
        type: 2,
        typeName: 'dgram',
        state: 1,
        stateName: 'UNCONNECTED',
        inode: 14495,
        // The kernel wrote the newline as is, splitting the row over two lines.
        path: 'procmon-line\nbreak',
        abstract: true,
      },
      {
        refCount: 2,
        protocol: 0,
        flags: 0x10000,
        listening: true,
        type: 5,
        typeName: 'seqpacket',
        state: 1,
        stateName: 'UNCONNECTED',
        inode: 14494,
        // Bound as "\0procmon-seq\0nul": the kernel writes the inner NUL as "@".
        path: 'procmon-seq@nul',
        abstract: true,
      },
      {
        refCount: 2,
        protocol: 0,
        flags: 0x10000,
        listening: true,
        type: 1,
        typeName: 'stream',
        state: 1,
        stateName: 'UNCONNECTED',
        inode: 14472,
        // Node binds "\0procmon-abstract" with the whole 108-byte sun_path: 91 NULs follow.
        path: `procmon-abstract${'@'.repeat(91)}`,
        abstract: true,
      },
    ]);
  });

  it('decodes paths as asked', () => {
    const dgram = (decoding: TextDecoding) =>
      parseNetUnix(fixture('live-unix'), { decoding }).find((entry) => entry.inode === 14493)?.path;
    expect(dgram('latin1')).toBe('/tmp/procmon-net-fixture/dgram-\u00ff.sock');
    expect(dgram('replace')).toBe('/tmp/procmon-net-fixture/dgram-\ufffd.sock');
    expect(parseErrorOf(() => dgram('strict')).message).toContain('not valid UTF-8');
    // Not taken for the rest of the name before it.
    const afterNamed = new Uint8Array([
      ...new TextEncoder().encode(
        `${HEADER}0000000000000000: 00000002 00000000 00000000 0001 01 1 /a\n0000000000000000: 00000002 00000000 00000000 0001 01 2 /b`,
      ),
      0xff,
      0x0a,
    ]);
    expect(parseErrorOf(() => parseNetUnix(afterNamed, { decoding: 'strict' })).offset).toBe(
      afterNamed.length - 2,
    );
    expect(parseNetUnix(afterNamed)[1]?.path).toBe('/b\udcff');
    expect(
      parseErrorOf(() => parseNetUnix(HEADER, { decoding: 'utf16' as never })).message,
    ).toContain('unknown text decoding');
  });
});

describe('parseNetUnix on crafted tables', () => {
  const row = (rest: string) => `ffff888104a3c000: 00000002 00000000 00000000 ${rest}\n`;

  it('returns nothing for a table with only its header', () => {
    expect(parseNetUnix(HEADER)).toEqual([]);
  });

  it('keeps type and state numbers it has no name for', () => {
    const [raw, free, odd] = parseNetUnix(
      HEADER + row('0003 01 10') + row('0001 00     0') + row('00FF 09  4096'),
    );
    expect(raw).toMatchObject({ type: 3, typeName: 'unknown', state: 1 });
    expect(free).toMatchObject({ state: 0, stateName: 'UNKNOWN', inode: 0, path: null });
    expect(odd).toMatchObject({ type: 255, typeName: 'unknown', state: 9, stateName: 'UNKNOWN' });
    expect(odd?.inode).toBe(4096);
  });

  it('names the other states, and reads a real (not hashed) kernel pointer', () => {
    const names = parseNetUnix(HEADER + row('0002 02 1') + row('0001 04 2') + row('0005 03 3')).map(
      (entry) => [entry.typeName, entry.stateName],
    );
    expect(names).toEqual([
      ['dgram', 'CONNECTING'],
      ['stream', 'DISCONNECTING'],
      ['seqpacket', 'CONNECTED'],
    ]);
  });

  it('keeps spaces in paths, leading and trailing, and reads the empty abstract name', () => {
    const entries = parseNetUnix(
      HEADER + row('0001 01 11  lead and trail ') + row('0001 01 12 @') + row('0001 01 13 @@x@'),
    );
    expect(entries.map((entry) => [entry.path, entry.abstract])).toEqual([
      [' lead and trail ', false],
      ['', true],
      ['@x@', true],
    ]);
  });

  it('reads a relative path that starts with "@" as abstract: the kernel writes both alike', () => {
    expect(parseNetUnix(HEADER + row('0001 01 11 @relative'))[0]).toMatchObject({
      path: 'relative',
      abstract: true,
    });
  });

  it('joins the lines of a name with newlines, up to the next line that reads as a row', () => {
    const entries = parseNetUnix(
      HEADER +
        row('0002 01 21 @one\ntwo three') + // "\0one\ntwo three"
        row('0002 01 22 /tmp/ends-with-newline\n') + // the kernel's line, then an empty one
        row('0002 01 23 @a\n\n\nb') +
        row('0002 01 24'),
    );
    expect(entries.map((entry) => [entry.inode, entry.path])).toEqual([
      [21, 'one\ntwo three'],
      [22, '/tmp/ends-with-newline\n'],
      [23, 'a\n\n\nb'],
      [24, null],
    ]);
  });

  it('reads a forged row inside a name as a row (why sock_diag is the trusted source)', () => {
    const forged = '0000000000000000: 00000002 00000000 00000000 0001 03 777 /fake';
    const entries = parseNetUnix(HEADER + row(`0002 01 31 @evil\n${forged}`));
    expect(entries.map((entry) => [entry.inode, entry.path])).toEqual([
      [31, 'evil'],
      [777, '/fake'],
    ]);
  });

  it('rejects a malformed row that cannot continue a name, naming the line and column', () => {
    const cases: [string, string][] = [
      [row('0001 01'), 'line 2: column "Inode" is missing'],
      [row('0001 0G 5'), 'line 2: column "St" is not a hex number'],
      [row('0001 01 5x'), 'line 2: column "Inode" is not a decimal number'],
      [row('0001 01 5').replace('00000000 0001', 'zz 0001'), 'column "Flags" is not a hex'],
      [row('0001 01 5').replace('ffff888104a3c000:', 'ffff888104a3c000'), 'column "Num" does'],
      [row('0001 01 5').replace('ffff888104a3c000:', '(____ptrval____):'), 'column "Num" is not'],
      [row('0001 01 5').replace(': 00000002', ':'), 'column "Inode" is missing'],
      [row('0001 01 5 '), 'line 2: column "Path" is empty'],
      [
        row('0001 01 5') + row('0001 01 6 /a').replace('00000002', '0000000200000000000000'),
        'line 3: column "RefCount" is too large to be exact',
      ],
      [`${row('0001 01 5')}garbage\n`, 'line 3: column "Num" does not end with ":"'],
      [`${row('0001 01 5')}\n`, 'line 3: column "Num" is missing'],
    ];
    for (const [rows, message] of cases) {
      expect(parseErrorOf(() => parseNetUnix(HEADER + rows)).message).toContain(message);
    }
  });

  it('rejects a cut-short table, a wrong header, and input that is not bytes or text', () => {
    expect(parseErrorOf(() => parseNetUnix(HEADER + row('0001 01 5 /a/b').trimEnd())).message).toBe(
      'net/unix: line 2 has no newline: the table is truncated at offset 115 near " 00000000 0001 01 5 /a/b"',
    );
    expect(parseErrorOf(() => parseNetUnix('')).message).toContain('input is empty');
    expect(
      parseErrorOf(() => parseNetUnix('Num RefCount Protocol Flags Type St Inode\n')).message,
    ).toContain('header: expected column "Path"');
    expect(parseErrorOf(() => parseNetUnix(`${HEADER.trimEnd()} Extra\n`)).message).toContain(
      'header: unexpected column after the last',
    );
    expect(parseErrorOf(() => parseNetUnix(fixture('live-tcp'))).message).toContain(
      'header: expected column "Num"',
    );
    expect(parseErrorOf(() => parseNetUnix(undefined as never)).kind).toBe('net/unix');
  });

  it('reads a string the same as its bytes', () => {
    const text = `${HEADER + row('0001 01 5 /tmp/é ✓')}${row('0002 01 6 @x\ny')}`;
    const entries = parseNetUnix(text);
    expect(entries.map((entry) => entry.path)).toEqual(['/tmp/é ✓', 'x\ny']);
    expect(parseNetUnix(new TextEncoder().encode(text))).toStrictEqual(entries);
  });
});

describe('parseNetUnix properties', () => {
  it('returns a value or throws ParseError for any bytes and any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.string({ maxLength: 2000 }),
          fc.string({ maxLength: 2000 }).map((tail) => HEADER + tail),
        ),
        fc.constantFrom<TextDecoding>('escape', 'strict', 'replace', 'latin1'),
        (input, decoding) => valueOrParseError(() => parseNetUnix(input, { decoding })),
      ),
    );
  });

  it('returns a value or throws ParseError for damaged real tables', () => {
    const bytes = fixture('live-unix');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 255 })), { maxLength: 8 }),
        (edits) => {
          const damaged = Array.from(bytes);
          for (const [position, value] of edits) {
            const at = position % (damaged.length + 1);
            if (value < 0) damaged.splice(at, 1);
            else damaged[at] = value;
          }
          valueOrParseError(() => parseNetUnix(Uint8Array.from(damaged)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads back every field of rows written the way the kernel writes them', () => {
    // Name bytes without newlines (which make rows ambiguous); NULs only in abstract names.
    const nameByte = fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x0a);
    const name = fc.oneof(
      fc.constant(null),
      fc
        .array(
          nameByte.filter((b) => b !== 0),
          { minLength: 0, maxLength: 40 },
        )
        .map((bytes) => ({ abstract: false, bytes: [0x2f, ...bytes] })),
      fc
        .array(nameByte, { minLength: 0, maxLength: 40 })
        .map((bytes) => ({ abstract: true, bytes })),
    );
    const socket = fc.record({
      pointer: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      refCount: fc.integer({ min: 0, max: 0xffffffff }),
      listening: fc.boolean(),
      type: fc.constantFrom(1, 2, 5, 3),
      state: fc.nat({ max: 5 }),
      inode: fc.integer({ min: 0, max: 0xffffffff }),
      name,
    });
    const hex = (value: number | bigint, width: number) =>
      value.toString(16).toUpperCase().padStart(width, '0');
    fc.assert(
      fc.property(fc.array(socket, { maxLength: 6 }), (sockets) => {
        const lines = sockets.map((s) => {
          let line = `${hex(s.pointer, 16).toLowerCase()}: ${hex(s.refCount, 8)} ${hex(0, 8)} ${hex(s.listening ? 0x10000 : 0, 8)} ${hex(s.type, 4)} ${hex(s.state, 2)} ${String(s.inode).padStart(5, ' ')}`;
          if (s.name) {
            const printed = s.name.bytes.map((b) => (b === 0 ? '@' : String.fromCharCode(b)));
            line += ` ${s.name.abstract ? '@' : ''}${printed.join('')}`;
          }
          return `${line}\n`;
        });
        const input = Uint8Array.from([...HEADER, ...lines.join('')].map((c) => c.charCodeAt(0)));
        expect(parseNetUnix(input, { decoding: 'latin1' })).toStrictEqual(
          sockets.map((s) => ({
            refCount: s.refCount,
            protocol: 0,
            flags: s.listening ? 0x10000 : 0,
            listening: s.listening,
            type: s.type,
            typeName:
              ({ 1: 'stream', 2: 'dgram', 5: 'seqpacket' } as Record<number, string>)[s.type] ??
              'unknown',
            state: s.state,
            stateName: [
              'UNKNOWN',
              'UNCONNECTED',
              'CONNECTING',
              'CONNECTED',
              'DISCONNECTING',
              'UNKNOWN',
            ][s.state],
            inode: s.inode,
            path: s.name
              ? s.name.bytes.map((b) => (b === 0 ? '@' : String.fromCharCode(b))).join('')
              : null,
            abstract: s.name?.abstract ?? false,
          })),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseNetUnix on hostile continuation lines', () => {
  it('refuses lines past the longest possible name instead of growing it (and stays linear)', () => {
    const header = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
    const row = '0000000000000000: 00000002 00000000 00010000 0001 01 12345 /x\n';
    const input = new Uint8Array([
      ...new TextEncoder().encode(header + row),
      ...Array.from({ length: 80_000 }, () => [0xff, 0x0a]).flat(),
    ]);
    const error = parseErrorOf(() => parseNetUnix(input));
    expect(error.kind).toBe('net/unix');
  });
});

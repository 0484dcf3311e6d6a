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

const connectedStream = (
  inode: number,
  path: string | null = null,
  possiblyForged = false,
): UnixSocketEntry => ({
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
  possiblyForged,
  pathMayContinue: false,
});

describe('parseNetUnix on a live table', () => {
  // possiblyForged and pathMayContinue, worked out by hand from the bytes: a name's text can
  // reach the end of a line at most 108 bytes (109 with the margin) after the name's first byte.
  // Each name here starts 59 bytes into its row's line; a row without a name takes 58 bytes.
  it('reads every socket the capturing processes opened', () => {
    expect(parseNetUnix(fixture('live-unix'))).toStrictEqual([
      connectedStream(14497), // socketpair; the first row: the kernel's
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
        possiblyForged: false,
        // The next line ends 41 + 1 + 58 = 100 bytes after this name's first byte.
        pathMayContinue: true,
      },
      // The client: connected, but bound to no name. Its line could be the rest of the name
      // above (a 100-byte name "...listen sock here\n<this line>").
      connectedStream(14470, null, true),
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
        // 197 bytes after the last name's start (an unnamed row in between): the kernel's.
        possiblyForged: false,
        // A 37-byte name, then a 58-byte row: 96 bytes.
        pathMayContinue: true,
      },
      connectedStream(14496, null, true), // socketpair, within reach of the name above
      // Accepted: it carries the listener's name. Its line ends 197 bytes after the last name's
      // start; the next line ends 114 bytes after its own.
      connectedStream(14471, LISTEN_PATH),
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
        possiblyForged: false,
        // "@procmon-line\nbreak" takes 19 bytes, the next row's line 76 more.
        pathMayContinue: true,
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
        // Its line ends 95 bytes after "@procmon-line" starts: it could be that name's text.
        possiblyForged: true,
        pathMayContinue: false, // the next line ends 184 bytes after this name's start
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
        possiblyForged: false,
        pathMayContinue: false, // the last row
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
    // ...and says so.
    expect(entries.map((entry) => [entry.possiblyForged, entry.pathMayContinue])).toEqual([
      [true, true], // not in the kernel's shape (inode 31 unpadded): so is every row after it
      [true, false],
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

// A row exactly as the kernel prints it ("%pK: %08X %08X %08X %04X %02X %5lu", a space and the
// name), without its newline.
function kernelRow(
  inode: number,
  more: { num?: string; flags?: number; type?: number; state?: number; path?: string } = {},
): string {
  const hex = (value: number, width: number) =>
    value.toString(16).toUpperCase().padStart(width, '0');
  const fixed = `${more.num ?? '0'.repeat(16)}: 00000002 00000000 ${hex(more.flags ?? 0, 8)} ${hex(more.type ?? 1, 4)} ${hex(more.state ?? 1, 2)} ${String(inode).padStart(5, ' ')}`;
  return more.path === undefined ? fixed : `${fixed} ${more.path}`;
}

describe('parseNetUnix on names holding text that reads as rows', () => {
  const DBUS = '/run/dbus/system_bus_socket';
  const base = {
    refCount: 2,
    protocol: 0,
    flags: 0,
    listening: false,
    type: 1,
    typeName: 'stream',
    state: 1,
    stateName: 'UNCONNECTED',
    path: null,
    abstract: false,
    possiblyForged: false,
    pathMayContinue: false,
  } as const;
  const listener = { flags: 0x10000, listening: true } as const;
  const dgram = { type: 2, typeName: 'dgram' } as const;
  const connected = { refCount: 3, state: 3, stateName: 'CONNECTED' } as const;

  // live-unix-forged comes from test/net-forged-capture.sh: in a fresh network namespace, root
  // held a listener on victim.sock (332164) and a socket pair (332165, 332166); uid 65534 bound
  // five names holding rows that claim those inodes (see test/net-forged.py); the inodes are
  // those of live-fds-forged.txt. Worked out by hand from the bytes: each row's fixed part takes
  // 59 bytes here (six-digit inodes), its name starting at byte 60 of its line.
  it('reads a live table with forged rows: every row that may be forged says so', () => {
    expect(parseNetUnix(fixture('live-unix-forged'))).toStrictEqual([
      // The first row: the kernel's. The next line ends 39 + 1 + 61 = 101 bytes after this
      // name's start, so it may be more of this name.
      {
        ...base,
        ...listener,
        inode: 332164,
        path: '/tmp/procmon-forged-fixture/victim.sock',
        pathMayContinue: true,
      },
      // Forger 3, whose relative path starts with a newline: its line ends right after the space
      // before the name, and the next line is that name's text whatever it reads as (a row
      // claiming 332166, the pair's second end). The row itself is within reach of the
      // listener's name above: nothing proves the kernel wrote it.
      {
        ...base,
        inode: 331276,
        path: '\n0000000000000000: 00000002 00000000 00010000 0001 01 332166 @forged-3',
        possiblyForged: true,
      },
      // Forger 5, 70 + 1 + 90 = 161 bytes after forger 3's name starts: the kernel's row. Its
      // name reads as X0 in a folder anyone may write to; its real name goes on past a newline
      // with the next line, a row claiming the pair's first end.
      {
        ...base,
        ...dgram,
        inode: 331278,
        path: '/tmp/procmon-forged-fixture/X0',
        pathMayContinue: true,
      },
      { ...base, ...dgram, inode: 332165, possiblyForged: true }, // 30 + 1 + 59 = 90 bytes on
      // The pair, the kernel's rows: out of reach of every name above (150 bytes and more).
      { ...base, ...connected, inode: 332165 },
      { ...base, ...connected, inode: 332166 },
      // Forger 1 (the kernel's row), and the row its name holds: the listener's inode claimed
      // as a listener on the system bus's path.
      { ...base, inode: 331274, path: 'forged-1', abstract: true, pathMayContinue: true },
      {
        ...base,
        ...listener,
        inode: 332164,
        path: DBUS,
        possiblyForged: true,
        pathMayContinue: true,
      },
      // Forger 2's own row comes 27 + 1 + 69 = 97 bytes after the forged name starts: it may be
      // text of that name, though it is not. Then the row its name holds: the pair's first end.
      {
        ...base,
        inode: 331275,
        path: 'forged-2',
        abstract: true,
        possiblyForged: true,
        pathMayContinue: true,
      },
      {
        ...base,
        ...listener,
        inode: 332165,
        path: DBUS,
        possiblyForged: true,
        pathMayContinue: true,
      },
      // Forger 4: an unnamed row claiming the listener's inode, then "tail", which is no row: so
      // both lines are text of forger 4's name, and the unnamed row is no entry.
      {
        ...base,
        inode: 331277,
        path: 'forged-4\n0000000000000000: 00000002 00000000 00000000 0002 01 332164\ntail',
        abstract: true,
        possiblyForged: true,
      },
    ]);
  });

  it('flags a row whose line ends at most 109 bytes after the start of a name above', () => {
    // A name of 50 bytes, a newline and a 58-byte row: 109 bytes. One byte more: out of reach.
    for (const [length, inReach] of [
      [50, true],
      [51, false],
    ] as const) {
      const named = kernelRow(10, { path: `/${'n'.repeat(length - 1)}` });
      const [first, second] = parseNetUnix(`${HEADER + named}\n${kernelRow(11)}\n`);
      expect([first?.pathMayContinue, second?.possiblyForged]).toEqual([inReach, inReach]);
    }
    // The reach of a name goes past unnamed rows, and past rows that may be forged.
    const rows = [
      kernelRow(20, { path: '@a' }),
      kernelRow(21),
      kernelRow(22),
      kernelRow(23, { path: '@b' }),
      kernelRow(24, { path: '@c' }),
    ];
    const entries = parseNetUnix(`${HEADER + rows.join('\n')}\n`);
    expect(entries.map((entry) => [entry.possiblyForged, entry.pathMayContinue])).toEqual([
      [false, true],
      [true, false], // 2 + 1 + 58 = 61 bytes after "@a" starts
      [false, false], // 61 + 1 + 58 = 120: the kernel's
      [false, true],
      [true, false],
    ]);
  });

  it('flags every row the kernel would not print in this shape, wherever it is', () => {
    const kernel = kernelRow(30);
    const cases = [
      kernelRow(31).replace('00000002', '0000000a'), // %08X is uppercase
      kernelRow(31).replace('0000000000000000', 'ABCDEF0000000000'), // %p is lowercase
      kernelRow(31).replace('0000000000000000', '00000000'), // Num narrower than the first row's
      kernelRow(31).replace('   31', '31'), // %5lu pads to five columns
      kernelRow(31).replace('   31', '  031'), // without zeros
      kernelRow(31).replace('0001 01', '001 01'), // %04X
      kernelRow(31).replace('0001 01', '0001  1'), // %02X
    ];
    // A row far from any name (after an unnamed first row of the kernel's shape).
    for (const odd of cases) {
      const [first, second] = parseNetUnix(`${HEADER + kernel}\n${odd}\n`);
      expect([first?.possiblyForged, second?.possiblyForged], odd).toEqual([false, true]);
    }
    // A 32-bit kernel's Num has 8 digits: the first row sets the width.
    const narrow = parseNetUnix(
      `${HEADER + kernelRow(40, { num: '00000000' })}\n${kernelRow(41, { num: 'c0ffee00' })}\n`,
    );
    expect(narrow.map((entry) => entry.possiblyForged)).toEqual([false, false]);
    // A first row not in the kernel's shape: the text is not the kernel's, no row is proven.
    const unshaped = parseNetUnix(
      `${HEADER + kernelRow(50).replace('00000002', '2')}\n${kernel}\n`,
    );
    expect(unshaped.map((entry) => entry.possiblyForged)).toEqual([true, true]);
  });

  it('reads a name that starts with a newline as that name, even when its text reads as a row', () => {
    const claim = kernelRow(61, { flags: 0x10000, path: DBUS });
    const entries = parseNetUnix(`${HEADER + kernelRow(60)} \n${claim}\n${kernelRow(62)}\n`);
    expect(entries.map((entry) => [entry.inode, entry.path])).toEqual([
      [60, `\n${claim}`],
      [62, null],
    ]);
    // Before, the line ending in a space was an error: any process could stop every parse.
    expect(entries[0]?.possiblyForged).toBe(false);
    // Its text cannot be longer than a name.
    const long = `${HEADER + kernelRow(60)} \n${'x'.repeat(109)}\n`;
    expect(parseErrorOf(() => parseNetUnix(long)).message).toContain(
      'line 3: longer than the rest of a name can be',
    );
  });

  it('takes a line that is no row, after forged unnamed rows, as the rest of the name above them', () => {
    // "@f\\n<row 71>\\n<row 72>\\ntail" would otherwise end the parse with an error on "tail".
    const text = `${HEADER + kernelRow(70, { path: '@f' })}\n${kernelRow(71)}\ntail\n${kernelRow(73)}\n`;
    const entries = parseNetUnix(text);
    expect(entries.map((entry) => [entry.inode, entry.path, entry.possiblyForged])).toEqual([
      [70, `f\n${kernelRow(71)}\ntail`, false],
      [73, null, false], // 2 + 1 + 58 + 1 + 4 + 1 + 58 = 125 bytes after "@f" starts
    ]);
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
        // Where each line ends (its newline) and where its name starts (-1: none), in bytes.
        const ends: number[] = [];
        const nameStarts: number[] = [];
        let offset = HEADER.length;
        for (const [i, line] of lines.entries()) {
          const name = sockets[i]?.name;
          offset += line.length;
          ends.push(offset - 1);
          // The name is the end of the line: its bytes, after the "@" of an abstract one.
          const printed = name ? name.bytes.length + (name.abstract ? 1 : 0) : 0;
          nameStarts.push(name ? offset - 1 - printed : -1);
        }
        // A line is within reach of a name when it ends at most 109 bytes after the name starts.
        const reaches = (name: number, line: number) =>
          name >= 0 && (ends[line] as number) - name <= 109;
        expect(parseNetUnix(input, { decoding: 'latin1' })).toStrictEqual(
          sockets.map((s, i) => ({
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
            possiblyForged: nameStarts.slice(0, i).some((name) => reaches(name, i)),
            pathMayContinue: i + 1 < lines.length && reaches(nameStarts[i] as number, i + 1),
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

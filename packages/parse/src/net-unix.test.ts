import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf } from '../test/helpers.js';
import { connectedStream, HEADER, LISTEN_PATH } from '../test/net-unix.js';
import { parseNetUnix } from './net-unix.js';
import type { TextDecoding } from './text.js';

// live-unix comes from test/net-capture.sh: in a fresh network namespace, test/net-sockets.mjs
// opened a stream listener at a path with spaces, one client to it, and an abstract listener;
// test/net-sockets.py opened a datagram socket at a path with a 0xff byte, a seqpacket listener
// and a datagram socket with abstract names holding a NUL and a newline, and a socketpair.
// Inodes are those `ls -l /proc/<pid>/fd` showed (live-fds-*.txt).
const fixture = fixtures('net');

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

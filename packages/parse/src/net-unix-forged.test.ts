// parseNetUnix on names holding text that reads as rows: which rows a name could have forged.
import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf } from '../test/helpers.js';
import { HEADER } from '../test/net-unix.js';
import { parseNetUnix } from './net-unix.js';

const fixture = fixtures('net');

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

// parseNetUnix on any input: values or ParseErrors, and rows written as the kernel writes them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtures, valueOrParseError } from '../test/helpers.js';
import { HEADER } from '../test/net-unix.js';
import { parseNetUnix } from './net-unix.js';
import type { TextDecoding } from './text.js';

// live-unix comes from test/net-capture.sh: in a fresh network namespace, test/net-sockets.mjs
// opened a stream listener at a path with spaces, one client to it, and an abstract listener;
// test/net-sockets.py opened a datagram socket at a path with a 0xff byte, a seqpacket listener
// and a datagram socket with abstract names holding a NUL and a newline, and a socketpair.
// Inodes are those `ls -l /proc/<pid>/fd` showed (live-fds-*.txt).
const fixture = fixtures('net');

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

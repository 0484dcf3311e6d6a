import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STAT_STATE_NAMES } from '../test/documented.js';
import { distinct, realFixtures, shell, weirdComm, zombie } from '../test/expected/stat.js';
import { bytesOf, fixtures, outcome, parseErrorOf } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { parseStat } from './stat.js';
import type { TextDecoding } from './text.js';

const fixture = fixtures('stat');

describe('parseStat on real captures', () => {
  it.each(realFixtures)('parses %s', (name, expected) => {
    expect(parseStat(fixture(name))).toEqual(expected);
  });

  it.each(realFixtures)('parses %s given as a string the same way', (name, expected) => {
    expect(parseStat(new TextDecoder().decode(fixture(name)))).toEqual(expected);
  });

  it('reads the zombie as state Z, child of the process that did not reap it', () => {
    const parent = parseStat(fixture('zombie-parent.stat'));
    const child = parseStat(fixture('zombie.stat'));
    expect(parent).toMatchObject({ pid: 7597, comm: 'sleep', state: 'S' });
    expect(child).toMatchObject({ state: 'Z', stateName: 'zombie', ppid: parent.pid });
  });

  it('reads a SIGSTOPped process as stopped, with the stop signal as exit code', () => {
    // The same `my (weird) name` process after `kill -STOP`.
    expect(parseStat(fixture('stopped.stat'))).toEqual({
      ...weirdComm,
      state: 'T',
      stateName: 'stopped',
      exitCode: 19,
    });
  });

  it('parses a file read into a larger, reused buffer', () => {
    const file = fixture('weird-comm.stat');
    const buffer = new Uint8Array(file.length + 64).fill(0x29);
    buffer.set(file, 32);
    expect(parseStat(buffer.subarray(32, 32 + file.length))).toEqual(weirdComm);
  });
});

describe('parseStat comm', () => {
  it('keeps % sequences as they are', () => {
    expect(parseStat(fixture('comm-percent.stat'))).toEqual({ ...weirdComm, comm: 'a%41b' });
  });

  it('reads up to the last ")", so a comm holding ") (" reads whole', () => {
    expect(parseStat(fixture('comm-close-paren.stat'))).toEqual({ ...weirdComm, comm: 'x) (y' });
  });

  it('reads an empty comm', () => {
    expect(parseStat(fixture('comm-empty.stat'))).toEqual({ ...weirdComm, comm: '' });
  });

  it('escapes a byte that is not UTF-8 by default and can decode it other ways', () => {
    const bytes = fixture('comm-non-utf8.stat');
    expect(parseStat(bytes)).toEqual({ ...weirdComm, comm: 'ab\udcffc' });
    expect(parseStat(bytes, { decoding: 'latin1' }).comm).toBe('ab\u00ffc');
    expect(parseStat(bytes, { decoding: 'replace' }).comm).toBe('ab\ufffdc');
    const error = parseErrorOf(() => parseStat(bytes, { decoding: 'strict' }));
    expect(error.message).toContain('not valid UTF-8');
    expect(error.offset).toBe(8);
  });

  it('reads a comm holding a newline and a space-separated fake state', () => {
    const tail = ` S${' 7'.repeat(49)}\n`;
    expect(parseStat(`9 (a) R\nb)${tail}`)).toMatchObject({
      pid: 9,
      comm: 'a) R\nb',
      state: 'S',
      ppid: 7,
      exitCode: 7,
    });
  });
});

describe('parseStat numbers', () => {
  it('maps each column to its field (field n holds n)', () => {
    expect(parseStat(fixture('distinct-fields.stat'))).toEqual(distinct);
  });

  it('reads values past 2^53 exactly as bigint', () => {
    expect(parseStat(fixture('huge-values.stat'))).toEqual({
      ...shell,
      vsize: 18446744073709547520n,
      signal: 9007199254740993n,
      sigcatch: 18446744073709551615n,
      wchan: 18446744073709551615n,
    });
  });

  it('ignores fields a newer kernel appends', () => {
    expect(parseStat(fixture('extra-fields.stat'))).toEqual(distinct);
  });

  it('accepts a missing trailing newline', () => {
    expect(parseStat(fixture('no-newline.stat'))).toEqual(zombie);
  });

  it('decodes every state letter', () => {
    const text = new TextDecoder().decode(fixture('distinct-fields.stat'));
    const names = Object.entries(STAT_STATE_NAMES);
    expect(names).toHaveLength(12);
    for (const [letter, name] of names) {
      const stat = parseStat(text.replace(') R ', `) ${letter} `));
      expect([stat.state, stat.stateName]).toEqual([letter, name]);
    }
  });
});

describe('parseStat errors', () => {
  const distinctText = new TextDecoder().decode(fixture('distinct-fields.stat'));
  // Replaces field n (n >= 4) of the crafted distinct-fields line.
  const withField = (n: number, value: string) => {
    const fields = distinctText.slice(0, -1).split(' ');
    fields[n - 1] = value;
    return `${fields.join(' ')}\n`;
  };

  it('names the first missing field of a truncated file', () => {
    const bytes = fixture('truncated.stat');
    const error = parseErrorOf(() => parseStat(bytes));
    expect(error.message).toContain('field 31 (signal) is missing');
    expect(error.kind).toBe('stat');
    expect(error.offset).toBe(bytes.length - 1);
  });

  it('says an empty file is missing the pid', () => {
    expect(parseErrorOf(() => parseStat(fixture('empty.stat'))).message).toContain(
      'field 1 (pid) is missing: the input is empty',
    );
    expect(parseErrorOf(() => parseStat('\n')).message).toContain('field 1 (pid) is missing');
  });

  it('rejects an unknown state letter', () => {
    const error = parseErrorOf(() => parseStat(fixture('unknown-state.stat')));
    expect(error.message).toContain('field 3 (state) is an unknown state "Q"');
    expect(error.offset).toBe(13);
  });

  it('rejects a comm with no closing parenthesis', () => {
    const error = parseErrorOf(() => parseStat(fixture('unclosed-comm.stat')));
    expect(error.message).toContain('field 2 (comm) has no closing ")"');
    expect(error.offset).toBe(5);
  });

  it('names what is wrong around comm and the state', () => {
    const cases: [string, string][] = [
      ['1234', 'field 2 (comm) is missing: no "("'],
      ['(a) S', 'expected " (" between field 1 (pid) and comm'],
      ['1(a) S', 'expected " (" between field 1 (pid) and comm'],
      [' (a) S', 'field 1 (pid) is empty'],
      ['-1 (a) S', 'field 1 (pid) is not an unsigned decimal number'],
      ['1 (a)', 'field 3 (state) is missing'],
      ['1 (a) ', 'field 3 (state) is missing'],
      ['1 (a) \n', 'field 3 (state) is missing'],
      ['1 (a)S 2', 'expected a space after comm\'s closing ")"'],
      ['1 (a) SS 2', 'field 3 (state) must be a single letter'],
      ['1 (a) S', 'field 4 (ppid) is missing'],
      ['1 (a) S ', 'field 4 (ppid) is missing'],
      ['1 (a) \u00e9 2', 'field 3 (state) must be a single letter'],
      ['1 (a) \x01 2', 'field 3 (state) is an unknown state byte 0x1'],
    ];
    for (const [input, message] of cases) {
      expect(parseErrorOf(() => parseStat(input)).message).toContain(message);
    }
  });

  it('names the malformed numeric field and points at the bad byte', () => {
    const cases: [string, string, number][] = [
      [withField(10, '-1'), 'field 10 (minflt) is not an unsigned decimal number', 0],
      [withField(19, '-'), 'field 19 (nice) has no digits', 1],
      [withField(19, '1-'), 'field 19 (nice) is not a decimal number', 1],
      [withField(14, '99999999999999999'), 'field 14 (utime) is too large to be exact', 0],
      [withField(23, '1'.repeat(40)), 'field 23 (vsize) is larger than 64 bits', 0],
      [withField(31, '0x10'), 'field 31 (signal) is not an unsigned decimal number', 1],
      [withField(40, ''), 'field 40 (rtPriority) is empty', 0],
      [withField(52, '52\r'), 'field 52 (exitCode) is not a decimal number', 2],
    ];
    for (const [input, message, into] of cases) {
      const error = parseErrorOf(() => parseStat(input));
      expect(error.message).toContain(message);
      const n = Number(message.slice(6, message.indexOf(' ', 6)));
      // Offset of the field's first byte: after "1 (distinct) R " and fields 4..n-1 with their spaces.
      let fieldStart = '1 (distinct) R '.length;
      for (let k = 4; k < n; k++) fieldStart += String(k).length + 1;
      expect(error.offset).toBe(fieldStart + into);
    }
  });

  it('reads the -1 process group and session of a task being released', () => {
    // fs/proc/array.c do_task_stat: `pid_t ppid = 0, pgid = -1, sid = -1;`, filled only while
    // lock_task_sighand succeeds. A task past __exit_signal (state X) keeps the -1s; a ppid of
    // -1 stays refused (it starts at 0).
    const fields = distinctText.slice(0, -1).split(' ');
    fields.splice(2, 4, 'X', '1', '-1', '-1');
    const released = parseStat(`${fields.join(' ')}\n`);
    expect([released.state, released.pgrp, released.session]).toEqual(['X', -1, -1]);
    expect(() => parseStat(withField(4, '-1'))).toThrow(
      'field 4 (ppid) is not an unsigned decimal number',
    );
  });

  it('reads negative values of signed fields', () => {
    expect(parseStat(withField(16, '-3')).cutime).toBe(-3);
    expect(parseStat(withField(44, '-7')).cguestTime).toBe(-7);
    expect(parseStat(withField(52, '-9')).exitCode).toBe(-9);
  });

  it('fails on every proper prefix of a real file', () => {
    const bytes = fixture('zombie.stat');
    // The last byte is the newline and the one before it is field 52 ("0").
    for (let length = 0; length < bytes.length - 1; length++) {
      expect(() => parseStat(bytes.subarray(0, length))).toThrow(ParseError);
    }
  });

  it('rejects input that is neither bytes nor text, and an unknown decoding', () => {
    expect(() => parseStat(42 as unknown as string)).toThrow(ParseError);
    expect(() => parseStat(null as unknown as string)).toThrow(ParseError);
    expect(() => parseStat('1 (a) S', { decoding: 'utf-16' as unknown as 'strict' })).toThrow(
      ParseError,
    );
  });
});

describe('parseStat properties', () => {
  it('returns a value or throws ParseError for any bytes, in every decoding', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom<TextDecoding[]>('escape', 'strict', 'replace', 'latin1'),
        (bytes, decoding) => {
          outcome(() => parseStat(bytes, { decoding }));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('returns a value or throws ParseError for mutations of a real file', () => {
    const base = fixture('shell.stat');
    fc.assert(
      fc.property(
        fc.nat({ max: base.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.nat({ max: base.length }),
        (at, byte, cut) => {
          const bytes = base.slice(0, cut);
          if (at < bytes.length) bytes[at] = byte;
          outcome(() => parseStat(bytes));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same result for a string as for its UTF-8 bytes', () => {
    const prefix = fc.constantFrom('', '1 (', '1 (a) S ', '7658 (');
    fc.assert(
      fc.property(prefix, fc.string({ unit: 'binary', maxLength: 400 }), (head, text) => {
        const input = head + text;
        expect(outcome(() => parseStat(input))).toEqual(outcome(() => parseStat(bytesOf(input))));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back every field of any well-formed line', () => {
    const uint = fc.nat();
    const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    const comm = fc.uint8Array({ maxLength: 64 }).filter((b) => !b.includes(0));
    const letter = fc.constantFrom(...'RSDZTtXxKWPI');
    // Fields 4..52 in order, each with the arbitrary for its type.
    const kinds = 'uiiiiuuuuuuuiiiiiuububbbbbbbbbbbuuiiuuuuibbbbbbbi';
    expect(kinds.length).toBe(49);
    const columns = fc.tuple(...[...kinds].map((k) => (k === 'u' ? uint : k === 'i' ? int : u64)));
    fc.assert(
      fc.property(uint, comm, letter, columns, (pid, commBytes, state, values) => {
        const line = bytesOf(`${pid} (`);
        const rest = bytesOf(`) ${state} ${values.map(String).join(' ')}\n`);
        const bytes = new Uint8Array(line.length + commBytes.length + rest.length);
        bytes.set(line);
        bytes.set(commBytes, line.length);
        bytes.set(rest, line.length + commBytes.length);
        const stat = parseStat(bytes, { decoding: 'latin1' });
        expect(stat.pid).toBe(pid);
        expect(stat.comm).toBe(String.fromCharCode(...commBytes));
        expect(stat.state).toBe(state);
        const { pid: _p, comm: _c, state: _s, stateName: _n, ...numbers } = stat;
        expect(Object.values(numbers)).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the same through the fast path and the careful one', () => {
    // A field of more than 15 digits (here: leading zeros) sends the line down the careful path.
    const fields = new TextDecoder().decode(fixture('shell.stat')).trimEnd().split(' ');
    const commEnd = fields.findIndex((field) => field.endsWith(')'));
    fc.assert(
      fc.property(fc.integer({ min: commEnd + 2, max: fields.length - 1 }), (index) => {
        const padded = [...fields];
        const field = padded[index] as string;
        const negative = field.startsWith('-');
        padded[index] =
          (negative ? '-' : '') + (negative ? field.slice(1) : field).padStart(18, '0');
        expect(parseStat(padded.join(' '))).toEqual(parseStat(fields.join(' ')));
      }),
    );
  });
});

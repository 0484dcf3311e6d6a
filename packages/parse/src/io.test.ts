import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf, fixtures, outcome, parseErrorOf } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { type Io, parseIo } from './io.js';

const fixture = fixtures('io');

const VALID =
  'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n';
const oneToSeven: Io = {
  rchar: 1n,
  wchar: 2n,
  syscr: 3n,
  syscw: 4n,
  readBytes: 5n,
  writeBytes: 6n,
  cancelledWriteBytes: 7n,
};

describe('parseIo on real captures', () => {
  const cases: [string, Io][] = [
    [
      // `cat /proc/self/io`
      'self-cat.io',
      {
        rchar: 6976n,
        wchar: 0n,
        syscr: 10n,
        syscw: 0n,
        readBytes: 0n,
        writeBytes: 4096n,
        cancelledWriteBytes: 0n,
      },
    ],
    [
      // `sh -c "echo hello > $T; exec sleep 30"`: one write(2) of "hello\n" (6 bytes) by sh's
      // builtin echo, and one dirtied page.
      'echo-then-sleep.io',
      {
        rchar: 10956n,
        wchar: 6n,
        syscr: 18n,
        syscw: 1n,
        readBytes: 0n,
        writeBytes: 4096n,
        cancelledWriteBytes: 0n,
      },
    ],
    [
      // `cat /proc/2/io`: kthreadd never does I/O.
      'kthreadd.io',
      {
        rchar: 0n,
        wchar: 0n,
        syscr: 0n,
        syscw: 0n,
        readBytes: 0n,
        writeBytes: 0n,
        cancelledWriteBytes: 0n,
      },
    ],
  ];

  it.each(cases)('parses %s', (name, expected) => {
    expect(parseIo(fixture(name))).toEqual(expected);
  });

  it.each(cases)('parses %s given as a string the same way', (name, expected) => {
    expect(parseIo(new TextDecoder().decode(fixture(name)))).toEqual(expected);
  });
});

describe('parseIo crafted', () => {
  it('reads keys in any order, skips unknown keys, and needs no final newline', () => {
    expect(parseIo(fixture('reordered-extra-no-newline.io'))).toEqual(oneToSeven);
  });

  it('reads values past 2^53, up to 2^64 - 1, exactly', () => {
    expect(parseIo(fixture('huge-values.io'))).toEqual({
      rchar: 18446744073709551615n,
      wchar: 10000000000000000000n,
      syscr: 9007199254740993n,
      syscw: 0n,
      readBytes: 0n,
      writeBytes: 0n,
      cancelledWriteBytes: 0n,
    });
  });

  it('names a missing counter instead of reading it as zero', () => {
    const bytes = fixture('missing-syscw.io');
    const error = parseErrorOf(() => parseIo(bytes));
    expect(error.message).toContain('the counter syscw is missing');
    expect(error.kind).toBe('io');
    expect(error.offset).toBe(bytes.length);
    expect(parseErrorOf(() => parseIo(fixture('empty.io'))).message).toContain(
      'the counter rchar is missing',
    );
  });

  it('names the line and key of a value that is not a number', () => {
    const error = parseErrorOf(() => parseIo(fixture('not-a-number.io')));
    expect(error.message).toContain('line 5 (read_bytes): the value is not an unsigned decimal');
    expect(error.offset).toBe('rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 12'.length);
  });

  it('treats a carriage return as part of the value, so CRLF lines fail', () => {
    const error = parseErrorOf(() => parseIo(fixture('crlf.io')));
    expect(error.message).toContain('line 1 (rchar): the value is not an unsigned decimal');
    expect(error.offset).toBe(11);
  });

  it('rejects a key given twice', () => {
    const error = parseErrorOf(() => parseIo(fixture('duplicate-key.io')));
    expect(error.message).toContain('line 8 repeats the key rchar');
  });

  it('rejects lines that are not "key: value"', () => {
    const cases: [string, string][] = [
      [`rchar 1\n${VALID.slice(9)}`, 'line 1 is not "key: value" (no ":")'],
      [`rchar:1\n${VALID.slice(9)}`, 'line 1 is not "key: value" (no space after ":")'],
      [`rchar:\n${VALID.slice(9)}`, 'line 1 is not "key: value" (no space after ":")'],
      [`rchar: \n${VALID.slice(9)}`, 'line 1 (rchar): the value is empty'],
      [`rchar:  1\n${VALID.slice(9)}`, 'line 1 (rchar): the value is not an unsigned decimal'],
      [`rchar: -1\n${VALID.slice(9)}`, 'line 1 (rchar): the value is not an unsigned decimal'],
      [
        `rchar: ${'9'.repeat(40)}\n${VALID.slice(9)}`,
        'line 1 (rchar): the value is larger than 64 bits',
      ],
      [`${VALID}\n`, 'line 8 is empty'],
      [`rchar: 1\n\nwchar: 2`, 'line 2 is empty'],
      [`: 5\n${VALID}`, 'line 1 has no key'],
      [
        `rchar: 18446744073709551616\n${VALID.slice(9)}`,
        'line 1 (rchar): the value is larger than 64 bits',
      ],
      [`future\n${VALID}`, 'line 1 is not "key: value" (no ":")'],
      [`${VALID}rchar: 1`, 'line 8 repeats the key rchar'],
    ];
    for (const [input, message] of cases) {
      expect(parseErrorOf(() => parseIo(input)).message).toContain(message);
    }
  });

  it('matches whole keys only', () => {
    // "rchars" and "RCHAR" are unknown keys, so the real rchar is still missing.
    expect(parseErrorOf(() => parseIo(`rchars: 1\n${VALID.slice(9)}`)).message).toContain(
      'the counter rchar is missing',
    );
    expect(parseErrorOf(() => parseIo(`RCHAR: 1\n${VALID.slice(9)}`)).message).toContain(
      'the counter rchar is missing',
    );
    // An unknown key's value is not read.
    expect(parseIo(`future_key: not a number\n${VALID}`)).toEqual(oneToSeven);
  });

  it('rejects input that is neither bytes nor text', () => {
    expect(() => parseIo(undefined as unknown as string)).toThrow(ParseError);
  });
});

describe('parseIo properties', () => {
  it('returns a value or throws ParseError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        outcome(() => parseIo(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a value or throws ParseError for any string and gives the bytes result', () => {
    // Lines close to the real ones, so some parse and most fail deep inside.
    const line = fc.oneof(
      fc.constantFrom(
        'rchar: 1',
        'wchar: 22',
        'syscr: 333',
        'syscw: 0',
        'read_bytes: 4',
        'write_bytes: 5',
        'cancelled_write_bytes: 6',
      ),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    const text = fc.oneof(
      fc.array(line, { maxLength: 10 }).map((lines) => lines.join('\n')),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, (input) => {
        expect(outcome(() => parseIo(input))).toEqual(outcome(() => parseIo(bytesOf(input))));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any counters in any order', () => {
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    const keys = [
      'rchar',
      'wchar',
      'syscr',
      'syscw',
      'read_bytes',
      'write_bytes',
      'cancelled_write_bytes',
    ];
    fc.assert(
      fc.property(
        fc.tuple(u64, u64, u64, u64, u64, u64, u64),
        fc.shuffledSubarray(keys, { minLength: 7 }),
        fc.boolean(),
        (values, order, newline) => {
          const text = order
            .map((key) => `${key}: ${values[keys.indexOf(key)]}`)
            .join('\n')
            .concat(newline ? '\n' : '');
          expect(Object.values(parseIo(text))).toEqual(values);
        },
      ),
    );
  });
});

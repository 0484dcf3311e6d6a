import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf, fixtures, outcome, parseErrorOf } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { parseStatm, type Statm } from './statm.js';

const fixture = fixtures('statm');
const PAGE = { pageSize: 4096 };

describe('parseStatm on real captures (page size 4096)', () => {
  const cases: [string, Statm][] = [
    [
      // `cat /proc/self/statm`
      'self-cat.statm',
      {
        pages: { size: 765, resident: 439, shared: 410, text: 5, lib: 0, data: 123, dt: 0 },
        bytes: {
          size: 3133440,
          resident: 1798144,
          shared: 1679360,
          text: 20480,
          lib: 0,
          data: 503808,
          dt: 0,
        },
      },
    ],
    [
      // `cat /proc/1/statm`
      'pid1.statm',
      {
        pages: { size: 10701, resident: 3667, shared: 1564, text: 1306, lib: 0, data: 8889, dt: 0 },
        bytes: {
          size: 43831296,
          resident: 15020032,
          shared: 6406144,
          text: 5349376,
          lib: 0,
          data: 36409344,
          dt: 0,
        },
      },
    ],
    [
      // `cat /proc/2/statm`: a kernel thread has no memory map.
      'kthreadd.statm',
      {
        pages: { size: 0, resident: 0, shared: 0, text: 0, lib: 0, data: 0, dt: 0 },
        bytes: { size: 0, resident: 0, shared: 0, text: 0, lib: 0, data: 0, dt: 0 },
      },
    ],
    [
      // The `my (weird) name` copy of /bin/sleep (its stat says vsize 2990080 = 730 pages).
      'weird-comm-sleep.statm',
      {
        pages: { size: 730, resident: 457, shared: 430, text: 5, lib: 0, data: 89, dt: 0 },
        bytes: {
          size: 2990080,
          resident: 1871872,
          shared: 1761280,
          text: 20480,
          lib: 0,
          data: 364544,
          dt: 0,
        },
      },
    ],
  ];

  it.each(cases)('parses %s', (name, expected) => {
    expect(parseStatm(fixture(name), PAGE)).toEqual(expected);
  });

  it.each(cases)('parses %s given as a string the same way', (name, expected) => {
    expect(parseStatm(new TextDecoder().decode(fixture(name)), PAGE)).toEqual(expected);
  });
});

describe('parseStatm crafted', () => {
  it('maps each column to its field, without a trailing newline, for another page size', () => {
    expect(parseStatm(fixture('distinct-no-newline.statm'), { pageSize: 16384 })).toEqual({
      pages: { size: 1, resident: 2, shared: 3, text: 4, lib: 5, data: 6, dt: 7 },
      bytes: {
        size: 16384,
        resident: 32768,
        shared: 49152,
        text: 65536,
        lib: 81920,
        data: 98304,
        dt: 114688,
      },
    });
  });

  it('gives exact byte counts past 2^53', () => {
    // size is 2^52 pages: 2^64 bytes, exact as a double though not a safe integer.
    const { pages, bytes } = parseStatm(fixture('huge-pages.statm'), PAGE);
    expect(pages.size).toBe(4503599627370496);
    expect(BigInt(bytes.size)).toBe(18446744073709551616n);
    expect(BigInt(bytes.resident)).toBe(4503599627370496n);
    expect(bytes.shared).toBe(12288);
  });

  it('names the missing field of a short file', () => {
    const bytes = fixture('six-fields.statm');
    const error = parseErrorOf(() => parseStatm(bytes, PAGE));
    expect(error.message).toContain('field 7 (dt) is missing');
    expect(error.kind).toBe('statm');
    expect(error.offset).toBe(bytes.length - 1);
    expect(parseErrorOf(() => parseStatm('1 2 3', PAGE)).message).toContain(
      'field 4 (text) is missing',
    );
    expect(parseErrorOf(() => parseStatm('1 2 3 4 5 6 ', PAGE)).message).toContain(
      'field 7 (dt) is missing',
    );
  });

  it('says an empty file is missing the first field', () => {
    expect(parseErrorOf(() => parseStatm(fixture('empty.statm'), PAGE)).message).toContain(
      'field 1 (size) is missing',
    );
    expect(parseErrorOf(() => parseStatm('\n', PAGE)).message).toContain(
      'field 1 (size) is missing',
    );
  });

  it('rejects an eighth field', () => {
    const error = parseErrorOf(() => parseStatm(fixture('eight-fields.statm'), PAGE));
    expect(error.message).toContain('expected exactly 7 fields');
    expect(error.offset).toBe('765 439 410 5 0 123 0'.length);
  });

  it('names a malformed field and points at the bad byte', () => {
    const negative = parseErrorOf(() => parseStatm(fixture('negative.statm'), PAGE));
    expect(negative.message).toContain('field 3 (shared) is not an unsigned decimal number');
    expect(negative.offset).toBe(8);
    const cases: [string, string, number][] = [
      ['1  3 4 5 6 7', 'field 2 (resident) is empty', 2],
      ['1 2 3 4 5 6 7\r\n', 'field 7 (dt) is not an unsigned decimal number', 13],
      ['1 2 3 4 5 6 7\n\n', 'field 7 (dt) is not an unsigned decimal number', 13],
      ['9007199254740993 2 3 4 5 6 7', 'field 1 (size) is too large to be exact', 0],
      ['1\t2 3 4 5 6 7', 'field 1 (size) is not an unsigned decimal number', 1],
    ];
    for (const [input, message, offset] of cases) {
      const error = parseErrorOf(() => parseStatm(input, PAGE));
      expect(error.message).toContain(message);
      expect(error.offset).toBe(offset);
    }
  });

  it('rejects a page size that is not a positive power of two, naming the option', () => {
    for (const pageSize of [0, -4096, 3, 4095, 4096.5, Number.NaN, 2 ** 60, Infinity]) {
      const error = parseErrorOf(() => parseStatm('1 2 3 4 5 6 7', { pageSize }));
      expect(error.kind).toBe('statm');
      expect(error.message).toContain('option pageSize must be a positive power of two');
    }
    const missing = parseErrorOf(() => parseStatm('1 2 3 4 5 6 7', undefined as never));
    expect(missing.message).toContain('option pageSize');
    expect(parseStatm('1 2 3 4 5 6 7', { pageSize: 1 }).bytes.dt).toBe(7);
    expect(parseStatm('1 2 3 4 5 6 7', { pageSize: 65536 }).bytes.size).toBe(65536);
  });

  it('rejects input that is neither bytes nor text', () => {
    expect(() => parseStatm(7 as unknown as string, PAGE)).toThrow(ParseError);
  });
});

describe('parseStatm properties', () => {
  it('returns a value or throws ParseError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        outcome(() => parseStatm(bytes, PAGE));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a value or throws ParseError for any string and gives the bytes result', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.constantFrom('0', '1', '9', ' ', '\n', '-'), { maxLength: 40 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        expect(outcome(() => parseStatm(input, PAGE))).toEqual(
          outcome(() => parseStatm(bytesOf(input), PAGE)),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any seven page counts, and bytes are pages times the page size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { minLength: 7, maxLength: 7 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        (values, shift, newline) => {
          const pageSize = 2 ** shift;
          const { pages, bytes } = parseStatm(`${values.join(' ')}${newline ? '\n' : ''}`, {
            pageSize,
          });
          expect(Object.values(pages)).toEqual(values);
          expect(Object.values(bytes).map(BigInt)).toEqual(
            values.map((v) => BigInt(v) * BigInt(pageSize)),
          );
        },
      ),
    );
  });
});

describe('parseStatm paths', () => {
  it('reads the same through the one-pass path and the careful one', () => {
    // More than 15 digits (leading zeros here) sends a line down the careful path.
    const columns = fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 7, maxLength: 7 });
    fc.assert(
      fc.property(columns, fc.nat({ max: 6 }), (values, padded) => {
        const plain = values.join(' ');
        const long = values
          .map((value, i) => (i === padded ? String(value).padStart(18, '0') : String(value)))
          .join(' ');
        expect(parseStatm(`${long}\n`, { pageSize: 4096 })).toEqual(
          parseStatm(`${plain}\n`, { pageSize: 4096 }),
        );
      }),
    );
  });
});

// parseEnviron on any input: values or ParseErrors for any bytes, round trips, large and hostile files.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  decodings,
  latin1Bytes,
  safeEscapes,
  valueOrParseError,
} from '../test/helpers.js';
import { Environ, parseEnviron, parseEnvironEntries, serializeEnviron } from './environ.js';
import { decodeText, encodeText, type TextDecoding } from './text.js';

// The environment as the process sees it: each name once, with its first definition.
const entriesOf = (environ: Environ) => [...environ.toMap()];

// Bytes rich in the characters that matter: NUL, "=", and a few others including invalid UTF-8.
const structuredBytes = fc
  .array(
    fc.oneof(fc.constantFrom(0x00, 0x3d, 0x41, 0x20, 0x0a), fc.integer({ min: 0, max: 255 })),
    { maxLength: 400 },
  )
  .map((values) => Uint8Array.from(values));
// Whole environ files from a few names, so that repeats, empty names and entries without "="
// are common; values may hold "=", spaces, controls and invalid UTF-8.
const environBytes = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom('A', 'B', 'PATH', '', '__proto__', '\tX'),
            fc.array(fc.constantFrom('v', '=', ' ', '\n', '\r', '\xe9', '\xff', '\xc3\xa9'), {
              maxLength: 6,
            }),
          )
          .map(([key, value]) => `${key}=${value.join('')}`),
        fc.constantFrom('', 'NOEQUALS', '\xff'),
      ),
      { maxLength: 12 },
    ),
    fc.boolean(),
  )
  .map(([entries, terminated]) => {
    const file = entries.join('\0') + (terminated && entries.length > 0 ? '\0' : '');
    return latin1Bytes(file);
  });
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 2000 }), structuredBytes, environBytes);

const textUnit = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
  fc.constantFrom(...safeEscapes),
);
const text = (options: { minLength?: number; maxLength?: number }) =>
  fc.array(textUnit, options).map((units) => units.join(''));

describe('parseEnviron properties', () => {
  it('returns an Environ or throws a ParseError for any bytes, in every decoding', () => {
    fc.assert(
      fc.property(anyBytes, fc.constantFrom(...decodings), (input, decoding) => {
        valueOrParseError(() => expect(parseEnviron(input, { decoding })).toBeInstanceOf(Environ));
        expect(Array.isArray(parseEnvironEntries(input))).toBe(true);
      }),
    );
  });

  it('returns an Environ or throws a ParseError for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (input) => {
        valueOrParseError(() => expect(parseEnviron(input)).toBeInstanceOf(Environ));
      }),
    );
  });

  it('agrees with a naive model: split on NUL, cut at the first "=", first name wins', () => {
    fc.assert(
      fc.property(anyBytes, (input) => {
        const model: [string, string][] = [];
        const seen = new Set<string>();
        for (const entry of String.fromCharCode(...input).split('\0')) {
          const equals = entry.indexOf('=');
          if (equals === -1) continue;
          const key = entry.slice(0, equals);
          if (seen.has(key)) continue;
          seen.add(key);
          model.push([key, entry.slice(equals + 1)]);
        }
        expect(entriesOf(parseEnviron(input, { decoding: 'latin1' }))).toEqual(model);
      }),
    );
  });

  it('loses no byte: each first entry re-encodes to its raw bytes', () => {
    fc.assert(
      fc.property(anyBytes, (input) => {
        const firsts: [Uint8Array, Uint8Array][] = [];
        const seen = new Set<string>();
        for (const { key, value } of parseEnvironEntries(input)) {
          const id = key.join(',');
          if (seen.has(id)) continue;
          seen.add(id);
          firsts.push([key, value]);
        }
        const decoded = entriesOf(parseEnviron(input)).map(([key, value]) => [
          encodeText(key),
          encodeText(value),
        ]);
        expect(decoded).toEqual(firsts);
      }),
    );
  });

  it('decodes as entry-by-entry decoding would', () => {
    fc.assert(
      fc.property(
        anyBytes,
        fc.constantFrom<TextDecoding>('escape', 'replace'),
        (input, decoding) => {
          const decode = (bytes: Uint8Array) =>
            decodeText('environ', bytes, 0, bytes.length, decoding);
          const environ = entriesOf(parseEnviron(input, { decoding }));
          const expected = new Map<string, string>();
          for (const { key, value } of parseEnvironEntries(input)) {
            const name = decode(key);
            if (!expected.has(name)) expected.set(name, decode(value));
          }
          expect(environ).toEqual([...expected]);
        },
      ),
    );
  });

  it('round-trips any map with valid names through serializeEnviron', () => {
    const name = text({ minLength: 1, maxLength: 8 }).filter(
      (key) => !key.includes('=') && !key.includes('\0'),
    );
    const value = text({ maxLength: 12 }).filter((v) => !v.includes('\0'));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([key]) => key }), (pairs) => {
        const environ = new Map(pairs);
        expect(entriesOf(parseEnviron(serializeEnviron(environ)))).toEqual(pairs);
        expect(entriesOf(parseEnviron(serializeEnviron(environ), { decoding: 'escape' }))).toEqual(
          pairs,
        );
      }),
    );
  });
});

describe('parseEnviron on large and hostile input', () => {
  it('stays linear when no entry has "=" or only the last one does', () => {
    const noEquals = new Uint8Array(2_000_000).fill(0x61);
    for (let i = 1; i < noEquals.length; i += 2) noEquals[i] = 0;
    expect(parseEnviron(noEquals).size).toBe(0);
    expect(parseEnvironEntries(noEquals)).toEqual([]);
    const lastOnly = new Uint8Array(2_000_004).fill(0);
    lastOnly.set(bytesOf('A=1'), 2_000_000);
    expect(entriesOf(parseEnviron(lastOnly))).toEqual([['A', '1']]);
    expect(parseEnvironEntries(lastOnly)).toHaveLength(1);
  });

  it('handles many repeated names', () => {
    const repeated = bytesOf('K=first\0'.concat('K=again\0'.repeat(100_000)));
    const environ = parseEnviron(repeated);
    expect(entriesOf(environ)).toEqual([['K', 'first']]);
    expect(environ.get('K')).toBe('first');
    expect(environ.size).toBe(100_001);
    expect(parseEnvironEntries(repeated)).toHaveLength(100_001);
  });
});

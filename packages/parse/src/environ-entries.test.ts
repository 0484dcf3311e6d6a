// parseEnvironEntries (the entries as bytes) and serializeEnviron (an environment written back).
import { describe, expect, it } from 'vitest';
import { bytesOf, fixtures, latin1Bytes, latin1Text, typeErrorOf } from '../test/helpers.js';
import { parseEnviron, parseEnvironEntries, serializeEnviron } from './environ.js';

const fixture = fixtures('environ');

describe('parseEnvironEntries', () => {
  const asText = (entries: { key: Uint8Array; value: Uint8Array }[]) =>
    entries.map(({ key, value }) => [latin1Text(key), latin1Text(value)]);

  it('keeps every entry with "=", repeats included, in order', () => {
    expect(asText(parseEnvironEntries(fixture('duplicates')))).toEqual([
      ['A', 'first'],
      ['B', '1'],
      ['A', 'second'],
      ['B', '2'],
      ['A', 'third'],
    ]);
  });

  it('skips entries without "=" and empty entries', () => {
    expect(asText(parseEnvironEntries(fixture('malformed-entries')))).toEqual([
      ['BEFORE', '1'],
      ['', 'empty name'],
      ['AFTER', '2'],
    ]);
    expect(parseEnvironEntries(fixture('no-equals'))).toEqual([]);
    expect(parseEnvironEntries(fixture('empty-environment'))).toEqual([]);
    expect(asText(parseEnvironEntries(fixture('no-trailing-nul')))).toEqual([
      ['A', '1'],
      ['B', 'no trailing nul'],
    ]);
  });

  it('returns the bytes undecoded', () => {
    const entries = parseEnvironEntries(fixture('non-utf8'));
    expect(entries[0]).toEqual({ key: latin1Bytes('LATIN1'), value: latin1Bytes('caf\xe9') });
    expect(entries[2]).toEqual({ key: latin1Bytes('KEY\xff'), value: latin1Bytes('v') });
    expect(entries[3]).toEqual({ key: latin1Bytes('TRUNC'), value: latin1Bytes('\xe2\x9c') });
  });

  it('returns plain Uint8Array copies that outlive a reused Buffer', () => {
    const buffer = Buffer.from('KEY=value\0');
    const [entry] = parseEnvironEntries(buffer);
    buffer.fill(0x21);
    expect(Object.getPrototypeOf(entry!.key)).toBe(Uint8Array.prototype);
    expect(latin1Text(entry!.key)).toBe('KEY');
    expect(latin1Text(entry!.value)).toBe('value');
  });
});

describe('serializeEnviron', () => {
  it('writes NUL-terminated NAME=value entries', () => {
    expect(
      serializeEnviron([
        ['A', '1'],
        ['B', 'x=y'],
        ['EMPTY', ''],
      ]),
    ).toEqual(bytesOf('A=1\0B=x=y\0EMPTY=\0'));
    expect(serializeEnviron(new Map([['K', 'é']]))).toEqual(bytesOf('K=é\0'));
    expect(serializeEnviron([])).toEqual(new Uint8Array(0));
  });

  it('writes escaped bytes back as the bytes they stand for', () => {
    expect(serializeEnviron([['KEY\udcff', 'caf\udce9']])).toEqual(
      latin1Bytes('KEY\xff=caf\xe9\0'),
    );
  });

  it.each([
    'basic',
    'whitespace-edges',
    'proto-keys',
    'non-utf8',
    'desktop-4k',
    'empty-environment',
  ])('gives back the exact bytes of the capture %s', (name) => {
    expect(serializeEnviron(parseEnviron(fixture(name)))).toEqual(fixture(name));
  });

  it('throws a TypeError naming the entry that could not be read back', () => {
    expect(typeErrorOf(() => serializeEnviron([['', 'v']])).message).toBe(
      'serializeEnviron: empty variable name',
    );
    expect(typeErrorOf(() => serializeEnviron([['A=B', 'v']])).message).toBe(
      'serializeEnviron: variable name "A=B" contains "="',
    );
    expect(typeErrorOf(() => serializeEnviron([['A\0B', 'v']])).message).toBe(
      'serializeEnviron: variable name "A\\u0000B" contains NUL',
    );
    expect(typeErrorOf(() => serializeEnviron([['PATH', '/bin\0/usr/bin']])).message).toBe(
      'serializeEnviron: value of "PATH" contains NUL',
    );
    expect(typeErrorOf(() => serializeEnviron([['LONE', '\ud800']])).message).toContain(
      'serializeEnviron: variable "LONE": encodeText: lone surrogate U+d800',
    );
  });
});

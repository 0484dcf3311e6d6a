import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { readHex, readHexBig, readInt, readUint, readUintBig } from './numbers.js';

const whole =
  <T>(read: (kind: 'text', bytes: Uint8Array, start: number, end: number) => T) =>
  (text: string) => {
    const bytes = bytesOf(text);
    return read('text', bytes, 0, bytes.length);
  };

describe('decimal readers', () => {
  it('read unsigned and signed decimals', () => {
    expect(whole(readUint)('0')).toBe(0);
    expect(whole(readUint)('4096')).toBe(4096);
    expect(whole(readInt)('-20')).toBe(-20);
    expect(whole(readUint)('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuse a number that is not exact as a double instead of rounding it', () => {
    expect(() => whole(readUint)('9007199254740993')).toThrow(ParseError);
    expect(() => whole(readUint)('18446744073709551615')).toThrow(/too large/);
  });

  it('refuse empty input, signs where none belong, and non-digits, naming the offset', () => {
    expect(() => whole(readUint)('')).toThrow(/found nothing/);
    expect(() => whole(readUint)('-1')).toThrow(ParseError);
    expect(() => whole(readInt)('-')).toThrow(/found nothing/);
    try {
      whole(readUint)('12x4');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).offset).toBe(2);
    }
  });

  it('read any unsigned 64-bit value exactly as a bigint', () => {
    expect(whole(readUintBig)('18446744073709551615')).toBe(18446744073709551615n);
    expect(whole(readUintBig)('00000000000000000000001')).toBe(1n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        expect(whole(readUintBig)(value.toString())).toBe(value);
      }),
    );
  });
});

describe('hexadecimal readers', () => {
  it('read either case', () => {
    expect(whole(readHex)('0100007F')).toBe(0x0100007f);
    expect(whole(readHex)('ffff')).toBe(0xffff);
  });

  it('read 64-bit addresses exactly as bigints', () => {
    expect(whole(readHexBig)('ffffffffff600000')).toBe(0xffffffffff600000n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        expect(whole(readHexBig)(value.toString(16))).toBe(value);
      }),
    );
  });

  it('refuse non-hex digits and values past 2^53 as numbers', () => {
    expect(() => whole(readHex)('12g')).toThrow(/hex digit/);
    expect(() => whole(readHex)('ffffffffff600000')).toThrow(/too large/);
  });
});

describe('64-bit limit', () => {
  it('refuses values past 2^64-1, which no kernel u64 field can hold', () => {
    expect(() => whole(readUintBig)('18446744073709551616')).toThrow(/larger than 64 bits/);
    expect(() => whole(readHexBig)('10000000000000000')).toThrow(/larger than 64 bits/);
    expect(whole(readHexBig)('ffffffffffffffff')).toBe(2n ** 64n - 1n);
  });
});

describe('readUintBig on long inputs', () => {
  it('reads leading zeros past 30 digits and still names a stray byte', () => {
    expect(whole(readUintBig)(`${'0'.repeat(40)}18446744073709551615`)).toBe(2n ** 64n - 1n);
    expect(() => whole(readUintBig)('1'.repeat(40))).toThrow(/larger than 64 bits/);
    expect(() => whole(readUintBig)(`${'1'.repeat(35)}x`)).toThrow(/decimal digit/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes } from '../test/helpers.js';
import { formatIPv4, formatIPv6 } from './net-address.js';

/** 16 bytes from eight 16-bit groups, as an address is written. */
const groups = (...words: number[]) => {
  const out = new Uint8Array(16);
  words.forEach((word, i) => {
    out[2 * i] = word >> 8;
    out[2 * i + 1] = word & 0xff;
  });
  return out;
};

/** The WHATWG URL parser's serialization of an IPv6 address, brackets removed. */
const urlForm = (text: string) => new URL(`http://[${text}]`).hostname.slice(1, -1);

describe('formatIPv4', () => {
  it('writes a dotted quad in network order', () => {
    expect(formatIPv4(bytes(127, 0, 0, 1))).toBe('127.0.0.1');
    expect(formatIPv4(bytes(0, 0, 0, 0))).toBe('0.0.0.0');
    expect(formatIPv4(bytes(255, 254, 10, 9))).toBe('255.254.10.9');
  });

  it('reads at an offset', () => {
    expect(formatIPv4(bytes(9, 9, 192, 0, 2, 1, 9), 2)).toBe('192.0.2.1');
  });

  it('throws a RangeError when the bytes run out', () => {
    expect(() => formatIPv4(bytes(1, 2, 3))).toThrow(RangeError);
    expect(() => formatIPv4(bytes(1, 2, 3, 4), 1)).toThrow(RangeError);
    expect(() => formatIPv4(bytes(1, 2, 3, 4), -1)).toThrow(RangeError);
    expect(() => formatIPv4(bytes(1, 2, 3, 4, 5), 0.5)).toThrow(RangeError);
  });
});

describe('formatIPv6', () => {
  it('follows the RFC 5952 examples', () => {
    // Section 4.1: no leading zeros; 4.2.1: longest run; 4.2.2: not a single zero group;
    // 4.2.3: the first of equal runs; 4.3: lowercase.
    expect(formatIPv6(groups(0x2001, 0xdb8, 0, 0, 0, 0, 2, 1))).toBe('2001:db8::2:1');
    expect(formatIPv6(groups(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6(groups(0x2001, 0, 0, 1, 0, 0, 0, 1))).toBe('2001:0:0:1::1');
    expect(formatIPv6(groups(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xaaaa))).toBe('2001:db8::aaaa');
  });

  it('compresses at either end and writes the unspecified and loopback addresses', () => {
    expect(formatIPv6(groups(0, 0, 0, 0, 0, 0, 0, 0))).toBe('::');
    expect(formatIPv6(groups(0, 0, 0, 0, 0, 0, 0, 1))).toBe('::1');
    expect(formatIPv6(groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0))).toBe('2001:db8::');
    expect(formatIPv6(groups(1, 0, 0, 0, 0, 0, 0, 0))).toBe('1::');
    expect(formatIPv6(groups(0xfe80, 0, 0, 0, 0x1234, 0x56ff, 0xfe78, 0x9abc))).toBe(
      'fe80::1234:56ff:fe78:9abc',
    );
    expect(formatIPv6(groups(1, 2, 3, 4, 5, 6, 7, 8))).toBe('1:2:3:4:5:6:7:8');
    expect(formatIPv6(groups(0, 1, 2, 3, 4, 5, 6, 0))).toBe('0:1:2:3:4:5:6:0');
  });

  it('writes IPv4-mapped addresses with a dotted quad, and other embeddings in hex', () => {
    expect(formatIPv6(groups(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1))).toBe('::ffff:127.0.0.1');
    expect(formatIPv6(groups(0, 0, 0, 0, 0, 0xffff, 0, 0))).toBe('::ffff:0.0.0.0');
    // IPv4-compatible (deprecated) and the NAT64 prefix stay hex.
    expect(formatIPv6(groups(0, 0, 0, 0, 0, 0, 0x7f00, 1))).toBe('::7f00:1');
    expect(formatIPv6(groups(0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201))).toBe('64:ff9b::c000:201');
    // ffff elsewhere is not a mapping.
    expect(formatIPv6(groups(0, 0, 0, 0, 0xffff, 0, 0x7f00, 1))).toBe('::ffff:0:7f00:1');
  });

  it('reads at an offset and throws a RangeError when the bytes run out', () => {
    const buffer = new Uint8Array(20);
    buffer.set(groups(0, 0, 0, 0, 0, 0, 0, 1), 3);
    expect(formatIPv6(buffer, 3)).toBe('::1');
    expect(() => formatIPv6(buffer, 5)).toThrow(RangeError);
    expect(() => formatIPv6(new Uint8Array(15))).toThrow(RangeError);
  });

  it('uses a URL parser that itself follows RFC 5952 (checked before relying on it)', () => {
    expect(urlForm('2001:0DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(urlForm('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(urlForm('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(urlForm('0:0:0:0:0:0:0:0')).toBe('::');
    // It never writes a dotted quad, which RFC 5952 section 5 recommends for mapped addresses.
    expect(urlForm('::ffff:127.0.0.1')).toBe('::ffff:7f00:1');
  });

  it('agrees with the URL parser on any address, but for the dotted tail of mapped ones', () => {
    // Addresses rich in zero groups, so runs of every length and position come up.
    const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), fc.boolean(), (words, mapped) => {
        if (mapped) words.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
        const address = groups(...words);
        const text = formatIPv6(address);
        const hexOnly = text.replace(
          /^::ffff:(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
          (_, a, b, c, d) =>
            `::ffff:${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
        );
        expect(hexOnly).toBe(urlForm(text));
        const isMapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
        expect(text.includes('.')).toBe(isMapped);
      }),
      { numRuns: 2000 },
    );
  });
});

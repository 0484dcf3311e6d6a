import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { toBytes } from './input.js';
import { decodeText, encodeText, hasEscapedBytes } from './text.js';

const decode = (b: Uint8Array, mode?: Parameters<typeof decodeText>[4]) =>
  decodeText('text', b, 0, b.length, mode);

describe('decodeText', () => {
  it('decodes valid UTF-8 as itself in every UTF-8 mode', () => {
    const input = new TextEncoder().encode('héllo wörld ✓ 😀');
    expect(decode(input)).toBe('héllo wörld ✓ 😀');
    expect(decode(input, 'strict')).toBe('héllo wörld ✓ 😀');
    expect(decode(input, 'replace')).toBe('héllo wörld ✓ 😀');
  });

  it('keeps a leading byte order mark', () => {
    expect(decode(bytes(0xef, 0xbb, 0xbf, 0x41))).toBe('\ufeffA');
  });

  it('escapes each invalid byte as U+DC80+byte by default', () => {
    // 0xff is never UTF-8; 0xc3 alone is a truncated two-byte sequence.
    const text = decode(bytes(0x61, 0xff, 0x62, 0xc3));
    expect(text).toBe('a\udcffb\udcc3');
    expect(hasEscapedBytes(text)).toBe(true);
    expect(hasEscapedBytes('plain ✓')).toBe(false);
  });

  it('escapes encoded surrogates and overlong forms instead of decoding them', () => {
    // ED A0 80 would be U+D800, C0 80 an overlong NUL: neither is UTF-8.
    expect(decode(bytes(0xed, 0xa0, 0x80))).toBe('\udced\udca0\udc80');
    expect(decode(bytes(0xc0, 0x80))).toBe('\udcc0\udc80');
  });

  it('throws a ParseError at the first invalid byte in strict mode', () => {
    const error = (() => {
      try {
        decode(bytes(0x61, 0x62, 0xfe), 'strict');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).offset).toBe(2);
    expect((error as ParseError).excerpt).toBe('ab\\xfe');
  });

  it('replaces invalid sequences with U+FFFD when asked', () => {
    expect(decode(bytes(0x61, 0xff), 'replace')).toBe('a\ufffd');
  });

  it('maps bytes 0x80 to 0x9f to U+0080 to U+009F in latin1 mode, not windows-1252', () => {
    expect(decode(bytes(0x80, 0x9f, 0xe9), 'latin1')).toBe('\u0080\u009f\u00e9');
  });

  it('round-trips any bytes through escape decoding and encodeText', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
        expect(encodeText(decode(input))).toEqual(input);
      }),
    );
  });

  it('round-trips latin1 through byte values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
        const text = decode(input, 'latin1');
        expect(Array.from(text, (c) => c.charCodeAt(0))).toEqual(Array.from(input));
      }),
    );
  });

  it('encodes well-formed strings exactly as TextEncoder does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(encodeText(text)).toEqual(new TextEncoder().encode(text));
      }),
    );
  });

  it('refuses a lone surrogate that stands for no byte', () => {
    expect(() => encodeText('a\ud800b')).toThrow(TypeError);
  });
});

describe('decodeText on short input', () => {
  it('reads short ASCII the same in every decoding and still refuses an unknown decoding', () => {
    const short = new TextEncoder().encode('sleep');
    for (const mode of ['escape', 'strict', 'replace', 'latin1'] as const) {
      expect(decode(short, mode)).toBe('sleep');
    }
    expect(() => decode(short, 'utf-16' as never)).toThrow(ParseError);
  });

  it('agrees with the decoder path for every short input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (input) => {
        const padded = new Uint8Array(40);
        padded.set(input);
        // The same bytes read as a long slice take the decoder path.
        const long = decodeText('text', padded, 0, 40);
        expect(long.slice(0, decode(input).length)).toBe(decode(input));
      }),
    );
  });
});

describe('string input', () => {
  it('turns escaped bytes back into their bytes, so a string round-trips losslessly', () => {
    // What a parser decoded with 'escape' reads the same when given back as a string.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        expect(toBytes(decode(input))).toEqual(input);
      }),
    );
  });

  it('encodes other lone surrogates as U+FFFD, as TextEncoder does', () => {
    expect(toBytes('a\ud800b')).toEqual(new TextEncoder().encode('a\ufffdb'));
  });
});

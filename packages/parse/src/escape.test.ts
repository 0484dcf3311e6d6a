import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes } from '../test/helpers.js';
import { escapeText } from './escape.js';
import { decodeText } from './text.js';

const decode = (input: Uint8Array) => decodeText('text', input, 0, input.length, 'escape');
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/**
 * The inverse of escapeText, written from its documented forms: if every output reads back to
 * its input, no two inputs can print the same.
 */
function readBack(shown: string): string {
  return shown.replace(/\\(?:(\\)|x([0-9a-f]{2})|u\{([0-9a-f]{1,6})\})/g, (whole, _b, x, u) => {
    if (x !== undefined) {
      const value = Number.parseInt(x, 16);
      return String.fromCharCode(value < 0x80 ? value : 0xdc00 + value);
    }
    // A lone surrogate's code point gives that one UTF-16 unit.
    if (u !== undefined) return String.fromCodePoint(Number.parseInt(u, 16));
    expect(whole).toBe('\\\\');
    return '\\';
  });
}

// Anything a terminal could act on or a reader be fooled by.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('escapeText', () => {
  it('returns printable ASCII as it is', () => {
    const text = 'ls -la /usr/bin ~user "quoted" \'single\' $HOME {a,b} 100%';
    expect(escapeText(text)).toBe(text);
    expect(escapeText('')).toBe('');
  });

  it('keeps printable text outside ASCII, emoji included', () => {
    for (const text of ['naïve', 'é€\u00a0', '日本語', '😀', '👍🏽', 'e\u0301', '❤\ufe0f', '𝔸']) {
      expect(escapeText(text)).toBe(text);
    }
  });

  it('writes C0 controls and DEL as \\xNN', () => {
    expect(range(0x00, 0x1f).map(escapeText)).toEqual(
      range(0x00, 0x1f).map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
    );
    expect(escapeText('\x7f')).toBe('\\x7f');
    expect(escapeText('a\tb\r\nc')).toBe('a\\x09b\\x0d\\x0ac');
  });

  it('writes C1 controls as \\u{H}: U+009B is CSI on xterm', () => {
    expect(range(0x80, 0x9f).map(escapeText)).toEqual(
      range(0x80, 0x9f).map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`),
    );
    expect(escapeText('a\u009b2Jb')).toBe('a\\u{9b}2Jb');
    // U+00A0 (no-break space) is the first character after them: kept.
    expect(escapeText('\u00a0')).toBe('\u00a0');
  });

  it('writes format characters (bidi, zero-width, BOM, tags) as \\u{H}', () => {
    const format = [
      0xad,
      0x61c,
      0x180e,
      ...[0x200b, 0x200c, 0x200d, 0x200e, 0x200f],
      ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e],
      ...[0x2060, 0x2061, 0x2062, 0x2063, 0x2064],
      ...[0x2066, 0x2067, 0x2068, 0x2069],
      0xfeff,
      0xfff9,
      0xfffb,
      0x110bd,
      0xe0001,
      0xe0041,
      0xe007f,
    ];
    for (const code of format) {
      expect(escapeText(String.fromCodePoint(code))).toBe(`\\u{${code.toString(16)}}`);
    }
    // U+202E makes `invoice\u202Efdp.exe` read `invoiceexe.pdf`.
    expect(escapeText('invoice\u202efdp.exe')).toBe('invoice\\u{202e}fdp.exe');
    // A zero-width joiner is shown even inside an emoji sequence: it is a format character.
    expect(escapeText('👩\u200d💻')).toBe('👩\\u{200d}💻');
  });

  it('writes the line and paragraph separators as \\u{H}', () => {
    expect(escapeText('a\u2028b\u2029c')).toBe('a\\u{2028}b\\u{2029}c');
  });

  it('writes a byte that was not UTF-8 as \\xNN, and the character with that code as \\u{H}', () => {
    // 0x9b alone is not UTF-8; c2 9b is the UTF-8 of U+009B.
    expect(escapeText(decode(bytes(0x61, 0x9b, 0x62)))).toBe('a\\x9bb');
    expect(escapeText(decode(bytes(0x61, 0xc2, 0x9b, 0x62)))).toBe('a\\u{9b}b');
    expect(escapeText(decode(bytes(0x80, 0xc3, 0xff)))).toBe('\\x80\\xc3\\xff');
    expect(range(0xdc80, 0xdcff).map(escapeText)).toEqual(
      range(0x80, 0xff).map((c) => `\\x${c.charCodeAt(0).toString(16)}`),
    );
  });

  it('writes other lone surrogates as \\u{H}, and keeps a surrogate pair', () => {
    expect(escapeText('\ud800')).toBe('\\u{d800}');
    expect(escapeText('a\udbffb')).toBe('a\\u{dbff}b');
    expect(escapeText('\udc7f\udd00\udfff')).toBe('\\u{dc7f}\\u{dd00}\\u{dfff}');
    // A low surrogate before a high one is two lone surrogates, not a pair.
    expect(escapeText('\ude00\ud83d')).toBe('\\u{de00}\\u{d83d}');
    expect(escapeText('\ud83d\ude00')).toBe('😀');
  });

  it('doubles a backslash, so text that looks like an escape reads as itself', () => {
    expect(escapeText('\\')).toBe('\\\\');
    expect(escapeText('C:\\x1b\\u{9b}')).toBe('C:\\\\x1b\\\\u{9b}');
    expect(escapeText('\\\x1b')).toBe('\\\\\\x1b');
    expect(escapeText('\\\x1b')).not.toBe(escapeText('\x1b'));
  });

  it('shows an attempt to retitle and clear the terminal and forge a line, on one line', () => {
    const name = 'x\x1b]0;pwned\x07\x1b[2J\nFAKE-LINE';
    expect(escapeText(name)).toBe('x\\x1b]0;pwned\\x07\\x1b[2J\\x0aFAKE-LINE');
  });
});

// Strings of every kind of character, with the ones that matter made common: any code point
// (lone surrogates included), backslashes and text that looks like an escape.
const anyText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.constantFrom('\\', '\\x9b', '\\u{9b}', '\x9b', '\udc9b', '\u202e', '\n', '😀', 'x'),
    ),
    { maxLength: 12 },
  )
  .map((pieces) => pieces.join(''));

describe('escapeText properties', () => {
  it('reads back to its input: no two strings print the same', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(readBack(escapeText(text))).toBe(text);
      }),
    );
  });

  it('leaves no control, format, separator or lone surrogate, and no newline', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const shown = escapeText(text);
        expect(UNSAFE.test(shown)).toBe(false);
        expect(shown.includes('\n')).toBe(false);
      }),
    );
  });

  it('changes nothing else', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const kept = [...text].filter((c) => c !== '\\' && !UNSAFE.test(c));
        const shownKept = [...unescapeLiterally(escapeText(text))];
        expect(shownKept).toEqual(kept);
      }),
    );
  });
});

/** The escaped text with every escape removed: what escapeText kept as it was. */
function unescapeLiterally(shown: string): string {
  return shown.replace(/\\(?:\\|x[0-9a-f]{2}|u\{[0-9a-f]{1,6}\})/g, '');
}

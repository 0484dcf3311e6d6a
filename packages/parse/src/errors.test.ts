import { describe, expect, it } from 'vitest';
import { bytes } from '../test/helpers.js';
import { ParseError } from './errors.js';

describe('ParseError', () => {
  it('shows the bytes around the offset through escapeText, each past ASCII as \\xNN', () => {
    // "a\\b\n" then the UTF-8 of U+009B, a lone 0x9b and the UTF-8 of U+202E.
    const input = bytes(0x61, 0x5c, 0x62, 0x0a, 0xc2, 0x9b, 0x9b, 0xe2, 0x80, 0xae);
    const error = new ParseError('text', 'bad', input, 3);
    expect(error.excerpt).toBe('a\\\\b\\x0a\\xc2\\x9b\\x9b\\xe2\\x80\\xae');
    expect(error.message).toBe(`text: bad at offset 3 near "${error.excerpt}"`);
  });

  it('shows a string input as text, escaped', () => {
    const error = new ParseError('text', 'bad', 'x\u202eé\u009b\n', 0);
    expect(error.excerpt).toBe('x\\u{202e}é\\u{9b}\\x0a');
  });

  it('shows at most 24 bytes on each side', () => {
    const input = new Uint8Array(100).fill(0x41);
    expect(new ParseError('text', 'bad', input, 50).excerpt).toBe('A'.repeat(48));
  });
});

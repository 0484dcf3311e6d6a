// Bugs the fuzz campaign found, each as its smallest failing case: fixed, and kept so they stay
// fixed (the fuzz arbitraries draw such values again).
import { describe, expect, it } from 'vitest';
import {
  hasEscapedBytes,
  ParseError,
  parseCmdline,
  parseEnviron,
  parseFdTarget,
  parseNetInet,
  parseNetInodes,
  parseNetUnix,
  parseStat,
  parseStatm,
  parseStatus,
  statStartTime,
} from './index.js';

// FIXED: an option value that String() cannot convert (an object without a prototype, or whose
// toString is not a function) escapes as "TypeError: Cannot convert object to primitive value"
// from the option check's message (`${String(value)}`), instead of the documented ParseError.
describe('option values String() cannot convert', () => {
  const odd = Object.create(null) as never;
  const calls: Record<string, () => unknown> = {
    'parseStatm pageSize': () => parseStatm('1 2 3 4 5 6 7\n', { pageSize: odd }),
    'statStartTime startTime': () =>
      statStartTime({ startTime: odd }, { clockTicks: 100, bootTimeSeconds: 0 }),
    'statStartTime clockTicks': () =>
      statStartTime({ startTime: 1 }, { clockTicks: odd, bootTimeSeconds: 0 }),
    'parseNetInet protocol': () => parseNetInet('', { protocol: odd, family: 'inet' }),
    'parseNetInet family': () => parseNetInet('', { protocol: 'tcp', family: odd }),
    'parseNetInodes table': () => parseNetInodes('', { table: odd }),
    'parseStat decoding': () => parseStat('1 (a) R 1', { decoding: odd }),
    'parseStatus decoding': () => parseStatus('Name:\tx\n', { decoding: odd }),
    'parseEnviron decoding': () => parseEnviron('A=1\0', { decoding: odd }),
    'parseCmdline decoding': () => parseCmdline('a\0', { decoding: odd }),
    'parseFdTarget decoding': () => parseFdTarget('/x', { decoding: odd }),
    'parseNetUnix decoding': () => parseNetUnix('', { decoding: odd }),
  };
  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: a ParseError, not a TypeError`, () => {
      expect(call).toThrow(ParseError);
    });
  }
});

// FIXED: hasEscapedBytes looks at UTF-16 code units, so a valid character past U+FFFF whose low
// surrogate lies in U+DC80-U+DCFF (U+1F480-U+1F4FF, U+10080-U+100FF, ...: an eighth of every
// block of 1024) reads as an escaped byte: an environment value "💩" decoded from valid UTF-8
// "holds bytes that were not UTF-8".
describe('hasEscapedBytes on characters past U+FFFF', () => {
  it('is false for valid UTF-8 such as U+1F4A9', () => {
    expect(hasEscapedBytes('\u{1F4A9}')).toBe(false);
    const environ = parseEnviron(new TextEncoder().encode('MOOD=\u{1F4A9}\0'));
    expect(hasEscapedBytes(environ.get('MOOD') as string)).toBe(false);
  });
});

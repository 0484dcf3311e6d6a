// Helpers shared by the unit tests in src/*.test.ts.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';
import { ParseError } from '../src/errors.js';
import type { TextDecoding } from '../src/text.js';

/** The bytes of test/fixtures/<kind>/<name>. */
export const fixtureBytes = (kind: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`fixtures/${kind}/${name}`, import.meta.url)));

/** A loader for the fixtures of one kind: `const fixture = fixtures('stat')`. */
export const fixtures =
  (kind: string) =>
  (name: string): Uint8Array =>
    fixtureBytes(kind, name);

const encoder = new TextEncoder();

/** The UTF-8 encoding of `text`. */
export const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** Bytes from their values: `bytes(0x61, 0xff)`. */
export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** One byte a character (each char code must be below 256). */
export const latin1Bytes = (text: string): Uint8Array =>
  Uint8Array.from(text, (c) => c.charCodeAt(0));

/** One character a byte. */
export const latin1Text = (data: Uint8Array): string => String.fromCharCode(...data);

/** Every text decoding the parsers take. */
export const decodings: TextDecoding[] = ['escape', 'strict', 'replace', 'latin1'];

// Escaped bytes (U+DC80+byte) that can never combine into valid UTF-8 with what follows:
// continuation bytes and bytes that never start a sequence. (An escaped lead byte followed by
// escaped continuation bytes would encode to valid UTF-8 and read back as a different string.)
export const safeEscapes: string[] = [
  ...Array.from({ length: 0x40 }, (_, i) => 0x80 + i),
  0xc0,
  0xc1,
  ...Array.from({ length: 11 }, (_, i) => 0xf5 + i),
].map((byte) => String.fromCharCode(0xdc00 + byte));

/** Runs `run`, asserts it throws an instance of `type`, and returns that error. */
function thrownBy<E extends Error>(type: new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, got a value`);
}

/** Runs `run`, asserts it throws a ParseError, and returns that error. */
export const parseErrorOf = (run: () => unknown): ParseError => thrownBy(ParseError, run);

/** Runs `run`, asserts it throws a TypeError, and returns that error. */
export const typeErrorOf = (run: () => unknown): TypeError => thrownBy(TypeError, run);

/** What a parser call came to: its value, or the message of the ParseError it threw. */
export type Outcome<T> = { value: T } | { error: string };

/** Runs `run` and returns its outcome; any error other than a ParseError is rethrown. */
export function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { value: run() };
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return { error: error.message };
  }
}

/** Runs `run` and asserts that, if it throws, it throws a ParseError. */
export function valueOrParseError(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
  }
}

/** A real file cut at any length, with up to five of its bytes overwritten: damaged, real-shaped. */
export const damaged = (real: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), {
        maxLength: 5,
      }),
      fc.nat(real.length),
    )
    .map(([edits, cut]) => {
      const input = real.slice(0, cut);
      for (const [at, byte] of edits) if (at < input.length) input[at] = byte;
      return input;
    });

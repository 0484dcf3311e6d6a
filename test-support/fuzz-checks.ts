// The small checks a fuzz property makes. A property runs 10,000 times a target: plain throws,
// not vitest's (slow) expect.
import { isDeepStrictEqual } from 'node:util';

/** Fails the case with `message`. */
export function fail(message: string): never {
  throw new Error(message);
}

/** Fails the case with `message` (a string, or a function building it) unless `condition`. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) fail(typeof message === 'string' ? message : message());
}

/** A safe integer ≥ 0 (a count, an inode, a port before its range check). */
export const isNat = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A safe integer, possibly negative. */
export const isInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value);

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** A bigint in 0 .. 2^bits - 1. */
export const isUbig = (value: unknown, bits = 64): value is bigint =>
  typeof value === 'bigint' &&
  value >= 0n &&
  value <= (bits === 64 ? U64_MAX : (1n << BigInt(bits)) - 1n);

/** A port: an integer 0 .. 65535. */
export const isPort = (value: unknown): value is number => isNat(value) && value <= 0xffff;

/** An unsigned 32-bit integer. */
export const isU32 = (value: unknown): value is number => isNat(value) && value <= 0xffff_ffff;

/** Whether `a` and `b` are deeply equal (Maps, typed arrays, bigints and classes included). */
export const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/** What a call came to: its value, or the error it threw (one of `allowed`, else rethrown). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `run`. An error that is an instance of one of `allowed` becomes the outcome; anything
 * else (a RangeError or TypeError from inside, a thrown non-Error) fails the case, naming it.
 */
export function outcome<T>(run: () => T, allowed: readonly ErrorClass[]): Outcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    for (const type of allowed) if (error instanceof type) return { ok: false, error };
    const what =
      error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    throw new Error(
      `threw ${what}; only ${allowed.map((type) => type.name).join(' or ')} may escape`,
    );
  }
}

/**
 * Outcomes compared: equal values, or errors of the same class and message (as `describe` gives
 * it: the whole message unless set).
 */
export function sameOutcome<T>(
  a: Outcome<T>,
  b: Outcome<T>,
  describe: (error: Error) => string = (error) => error.message,
): boolean {
  if (a.ok && b.ok) return same(a.value, b.value);
  if (!a.ok && !b.ok) {
    return a.error.constructor === b.error.constructor && describe(a.error) === describe(b.error);
  }
  return false;
}

/** A ParseError's message without its excerpt (which shows bytes around the offset). */
export const withoutExcerpt = (error: Error): string =>
  error.message.replace(/ near "[\s\S]*"$/, '');

/** One character a byte (ISO-8859-1), computed by Node: a model independent of the code under test. */
export const latin1Text = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** A short printable form of an input for messages: text with bytes escaped, cut at 300. */
export function show(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.slice(0, 300));
  if (Array.isArray(input)) return `[${input.map(show).join(', ')}]`;
  if (input !== null && typeof input === 'object' && 'input' in input) {
    return show((input as { input: unknown }).input);
  }
  if (input instanceof Uint8Array) {
    let out = '';
    for (const byte of input.subarray(0, 300)) {
      out +=
        byte >= 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x22
          ? String.fromCharCode(byte)
          : `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return `bytes "${out}"${input.length > 300 ? `... (${input.length} bytes)` : ''}`;
  }
  return String(input);
}

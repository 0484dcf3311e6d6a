import { ParseError, type ProcFileKind } from './errors.js';
import { encodeInput } from './text.js';

/** What every parser accepts: the file's bytes as read, or its text. */
export type ProcInput = Uint8Array | string;

/**
 * Bytes of the input. A string is the file's text: UTF-8, with escaped bytes (U+DC80 to
 * U+DCFF, as the `'escape'` decoding writes them) turned back into the bytes they stand for.
 */
export function toBytes(input: ProcInput): Uint8Array {
  return typeof input === 'string' ? encodeInput(input) : input;
}

/** Rejects anything that is neither bytes nor a string, as a ParseError rather than a TypeError. */
export function checkInput(kind: ProcFileKind, input: unknown): asserts input is ProcInput {
  if (!(input instanceof Uint8Array) && typeof input !== 'string') {
    throw new ParseError(kind, `expected a Uint8Array or a string, got ${typeof input}`, '', 0);
  }
}

import { ParseError, type ProcFileKind } from './errors.js';

/** What every parser accepts: the file's bytes as read, or its text. */
export type ProcInput = Uint8Array | string;

const encoder = new TextEncoder();

/** Bytes of the input; strings are UTF-8 encoded (the slow path, kept for offline tools). */
export function toBytes(input: ProcInput): Uint8Array {
  return typeof input === 'string' ? encoder.encode(input) : input;
}

/** Rejects anything that is neither bytes nor a string, as a ParseError rather than a TypeError. */
export function checkInput(kind: ProcFileKind, input: unknown): asserts input is ProcInput {
  if (!(input instanceof Uint8Array) && typeof input !== 'string') {
    throw new ParseError(kind, `expected a Uint8Array or a string, got ${typeof input}`, '', 0);
  }
}

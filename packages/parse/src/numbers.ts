import { MINUS, NINE, ZERO } from './bytes.js';
import { ParseError, type ProcFileKind } from './errors.js';

// Scanners for the decimal and hexadecimal numbers the kernel writes. They read bytes in place
// (no substring, no regex) and refuse what would lose precision: a number past 2^53 is an error
// where the caller asked for a `number`, and bigint readers exist for fields that can pass it.

/**
 * The ParseError of a number whose digits are fine but whose value does not fit: callers that
 * name the field in their own message tell this case apart by class, not by wording.
 */
export class NumberTooLargeError extends ParseError {}

/** An unsigned decimal in `bytes[start, end)`, as a safe integer. */
export function readUint(
  kind: ProcFileKind,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  if (start >= end) throw new ParseError(kind, 'expected a number, found nothing', bytes, start);
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - ZERO;
    if (digit < 0 || digit > 9) throw new ParseError(kind, 'expected a decimal digit', bytes, i);
    value = value * 10 + digit;
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new NumberTooLargeError(
      kind,
      'number is too large to be exact as a number',
      bytes,
      start,
    );
  }
  return value;
}

/** A decimal with an optional leading `-`, as a safe integer. */
export function readInt(kind: ProcFileKind, bytes: Uint8Array, start: number, end: number): number {
  if (start < end && bytes[start] === MINUS) return -readUint(kind, bytes, start + 1, end);
  return readUint(kind, bytes, start, end);
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** An unsigned decimal in `bytes[start, end)` as a bigint: exact, up to 2^64-1 as the kernel's u64. */
export function readUintBig(
  kind: ProcFileKind,
  bytes: Uint8Array,
  start: number,
  end: number,
): bigint {
  // Up to 15 digits fit a double exactly: the common case avoids bigint arithmetic.
  const digits = end - start;
  if (digits <= 15) return BigInt(readUint(kind, bytes, start, end));
  // Up to 30 digits: two exact halves, one multiply (RLIM_INFINITY in every stat has 20).
  if (digits <= 30) {
    const high = BigInt(readUint(kind, bytes, start, end - 15));
    const value = high * TEN_TO_15 + BigInt(readUint(kind, bytes, end - 15, end));
    if (value > U64_MAX)
      throw new NumberTooLargeError(kind, 'number is larger than 64 bits', bytes, start);
    return value;
  }
  // Longer is only valid with leading zeros: skip them, or fail naming the number.
  let first = start;
  while (first < end - 1 && bytes[first] === ZERO) first++;
  if (end - first > 30) {
    for (let i = start; i < end; i++) {
      const digit = (bytes[i] as number) - ZERO;
      if (digit < 0 || digit > 9) throw new ParseError(kind, 'expected a decimal digit', bytes, i);
    }
    throw new NumberTooLargeError(kind, 'number is larger than 64 bits', bytes, start);
  }
  return readUintBig(kind, bytes, first, end);
}

const TEN_TO_15 = 1_000_000_000_000_000n;

/** Value of one hexadecimal digit (either case), or -1. */
export function hexDigit(byte: number): number {
  if (byte >= ZERO && byte <= NINE) return byte - ZERO;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** An unsigned hexadecimal (no `0x`) in `bytes[start, end)`, as a safe integer. */
export function readHex(kind: ProcFileKind, bytes: Uint8Array, start: number, end: number): number {
  if (start >= end)
    throw new ParseError(kind, 'expected a hex number, found nothing', bytes, start);
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = hexDigit(bytes[i] as number);
    if (digit < 0) throw new ParseError(kind, 'expected a hex digit', bytes, i);
    value = value * 16 + digit;
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new NumberTooLargeError(
      kind,
      'hex number is too large to be exact as a number',
      bytes,
      start,
    );
  }
  return value;
}

/** An unsigned hexadecimal in `bytes[start, end)` as a bigint: exact, up to 2^64-1. */
export function readHexBig(
  kind: ProcFileKind,
  bytes: Uint8Array,
  start: number,
  end: number,
): bigint {
  if (end - start <= 13) return BigInt(readHex(kind, bytes, start, end));
  let value = 0n;
  for (let i = start; i < end; i += 13) {
    const chunkEnd = Math.min(end, i + 13);
    value = (value << BigInt((chunkEnd - i) * 4)) | BigInt(readHex(kind, bytes, i, chunkEnd));
  }
  if (value > U64_MAX)
    throw new NumberTooLargeError(kind, 'hex number is larger than 64 bits', bytes, start);
  return value;
}

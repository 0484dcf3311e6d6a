// Readers of /proc/<pid>/status values (numbers, masks, flags, id lists, the state and the
// escaped name), each with an error that names the line's key.
import { BACKSLASH, NEWLINE, SLASH, SPACE, TAB } from './bytes.js';
import { ParseError } from './errors.js';
import { readHex, readHexBig, readUint, readUintBig } from './numbers.js';
import type { Status, StatusIds, StatusSignalQueue } from './status.js';
import { decodeText, type TextDecoding } from './text.js';

export const KIND = 'status';
const LETTER_N = 0x6e;
const KB_SUFFIX = [0x20, 0x6b, 0x42]; // " kB"

export function isBlank(byte: number): boolean {
  return byte === TAB || byte === SPACE;
}

function allDigits(bytes: Uint8Array, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte < 0x30 || byte > 0x39) return false;
  }
  return true;
}

function endsWithKilobytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < KB_SUFFIX.length) return false;
  const at = end - KB_SUFFIX.length;
  return bytes[at] === SPACE && bytes[at + 1] === 0x6b && bytes[at + 2] === 0x42;
}

/** Turns a numbers.ts error into one that names the status key. */
function keyError(error: unknown, key: string, expected: string, bytes: Uint8Array): unknown {
  if (!(error instanceof ParseError)) return error;
  return new ParseError(KIND, `${key}: expected ${expected}`, bytes, error.offset);
}

export function uint(key: string, bytes: Uint8Array, start: number, end: number): number {
  try {
    return readUint(KIND, bytes, start, end);
  } catch (error) {
    throw keyError(error, key, 'an unsigned decimal number below 2^53', bytes);
  }
}

// Signal sets are 128 bits on MIPS (_NSIG 128): 32 hex digits, past readHexBig's 64 bits.
const MAX_MASK_DIGITS = 32;

/** A hex mask of up to 128 bits; a longer one is no kernel's and is refused, not read. */
export function hexBig(key: string, bytes: Uint8Array, start: number, end: number): bigint {
  if (end - start > MAX_MASK_DIGITS) {
    throw new ParseError(KIND, `${key}: a mask of more than 128 bits`, bytes, start);
  }
  try {
    if (end - start <= 16) return readHexBig(KIND, bytes, start, end);
    let value = 0n;
    for (let i = start; i < end; i += 12) {
      const chunkEnd = Math.min(end, i + 12);
      value = (value << BigInt((chunkEnd - i) * 4)) | BigInt(readHex(KIND, bytes, i, chunkEnd));
    }
    return value;
  } catch (error) {
    throw keyError(error, key, 'a hex number', bytes);
  }
}

export function flag(key: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start === 1) {
    if (bytes[start] === 0x30) return false;
    if (bytes[start] === 0x31) return true;
  }
  throw new ParseError(KIND, `${key}: expected 0 or 1`, bytes, start);
}

export function octal(key: string, bytes: Uint8Array, start: number, end: number): number {
  // A umask is at most 0777; 12 octal digits keep the value far below 2^53.
  if (start >= end || end - start > 12) {
    throw new ParseError(KIND, `${key}: expected an octal number`, bytes, start);
  }
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 7) {
      throw new ParseError(KIND, `${key}: expected an octal number`, bytes, i);
    }
    value = value * 8 + digit;
  }
  return value;
}

export function readKilobytes(key: string, bytes: Uint8Array, start: number, end: number): number {
  if (!endsWithKilobytes(bytes, start, end)) {
    throw new ParseError(KIND, `${key}: expected "<number> kB"`, bytes, start);
  }
  let digitsStart = start;
  const digitsEnd = end - KB_SUFFIX.length;
  while (digitsStart < digitsEnd && bytes[digitsStart] === SPACE) digitsStart++;
  try {
    return readUint(KIND, bytes, digitsStart, digitsEnd) * 1024;
  } catch (error) {
    throw keyError(error, key, '"<number> kB" with a number below 2^53', bytes);
  }
}

/** Numbers separated by tabs or spaces (`Groups` ends in a space, `NSpid` uses tabs). */
export function uintList(key: string, bytes: Uint8Array, start: number, end: number): number[] {
  const list: number[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isBlank(bytes[i] as number)) i++;
    if (i >= end) break;
    let j = i;
    while (j < end && !isBlank(bytes[j] as number)) j++;
    list.push(uint(key, bytes, i, j));
    i = j;
  }
  return list;
}

export function ids(key: string, bytes: Uint8Array, start: number, end: number): StatusIds {
  const list = uintList(key, bytes, start, end);
  if (list.length !== 4) {
    throw new ParseError(
      KIND,
      `${key}: expected 4 ids (real, effective, saved, filesystem), found ${list.length}`,
      bytes,
      start,
    );
  }
  return {
    real: list[0] as number,
    effective: list[1] as number,
    saved: list[2] as number,
    filesystem: list[3] as number,
  };
}

export function signalQueue(
  key: string,
  bytes: Uint8Array,
  start: number,
  end: number,
): StatusSignalQueue {
  let slash = -1;
  for (let i = start; i < end; i++) {
    if (bytes[i] === SLASH) {
      slash = i;
      break;
    }
  }
  if (slash < 0) throw new ParseError(KIND, `${key}: expected "<queued>/<limit>"`, bytes, start);
  let limit: bigint;
  try {
    limit = readUintBig(KIND, bytes, slash + 1, end);
  } catch (error) {
    throw keyError(error, key, 'an unsigned decimal limit', bytes);
  }
  return { queued: uint(key, bytes, start, slash), limit };
}

export function readState(
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding,
): Pick<Status, 'state' | 'stateName'> {
  // "S (sleeping)": one letter, a space, the name in parentheses.
  const letter = bytes[start] as number;
  if (
    end - start < 5 ||
    letter <= SPACE ||
    letter >= 0x7f ||
    bytes[start + 1] !== SPACE ||
    bytes[start + 2] !== 0x28 ||
    bytes[end - 1] !== 0x29
  ) {
    throw new ParseError(KIND, 'State: expected "<letter> (<name>)"', bytes, start);
  }
  return {
    state: String.fromCharCode(letter),
    stateName: decodeText(KIND, bytes, start + 3, end - 1, decoding),
  };
}

export function unescapeName(
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding,
): string {
  let escaped = false;
  for (let i = start; i < end && !escaped; i++) escaped = bytes[i] === BACKSLASH;
  if (!escaped) return decodeText(KIND, bytes, start, end, decoding);
  const raw = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte !== BACKSLASH) {
      raw[n++] = byte;
      continue;
    }
    const next = bytes[i + 1];
    if (i + 1 < end && next === BACKSLASH) raw[n++] = BACKSLASH;
    else if (i + 1 < end && next === LETTER_N) raw[n++] = NEWLINE;
    else {
      throw new ParseError(KIND, 'Name: a backslash not followed by "\\" or "n"', bytes, i);
    }
    i++;
  }
  return decodeText(KIND, raw, 0, n, decoding);
}

/** A line this parser does not know is a size only when its value is exactly `<digits> kB`. */
export function readUnknownSize(
  key: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  sizesBytes: Map<string, number>,
): void {
  if (!endsWithKilobytes(bytes, start, end)) return;
  const digitsEnd = end - KB_SUFFIX.length;
  let digitsStart = start;
  while (digitsStart < digitsEnd && bytes[digitsStart] === SPACE) digitsStart++;
  if (allDigits(bytes, digitsStart, digitsEnd)) {
    sizesBytes.set(key, readKilobytes(key, bytes, start, end));
  }
}

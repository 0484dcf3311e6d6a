import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { decodeText, encodeText, type TextDecoding } from './text.js';

/** Options of `parseEnviron`. */
export interface EnvironOptions {
  /** How names and values become strings; `'escape'` (lossless) unless set. See `TextDecoding`. */
  decoding?: TextDecoding;
}

/** One `NAME=value` entry of `/proc/<pid>/environ` as raw bytes (copies, not views of the input). */
export interface EnvironEntryBytes {
  key: Uint8Array;
  value: Uint8Array;
}

const NUL = 0x00;
const EQUALS = 0x3d;

/**
 * The environment a process was started with, from `/proc/<pid>/environ` (NUL-separated
 * `NAME=value` entries, normally NUL-terminated).
 *
 * - The name is everything before the first `=`; the value everything after it, `=` included,
 *   byte for byte: nothing is trimmed (`\r`, `\n`, `\t` and spaces stay where they are).
 *   `NAME=` gives an empty value; `=value` gives the empty name.
 * - Entries without `=` (and the empty entries of doubled or trailing NULs) are skipped.
 * - When a name repeats, the FIRST entry wins: that is what `getenv()` inside the process
 *   returns. (Keeping the last one, as OpenSnitch does, shows a value the process never sees.)
 *   `parseEnvironEntries` keeps every entry.
 * - Returns a `Map` in file order, so names such as `__proto__` or `constructor` are ordinary
 *   keys and cannot touch any prototype.
 *
 * Decoding is `'escape'` unless `options.decoding` says otherwise: UTF-8, where each byte that is
 * not valid UTF-8 becomes the lone surrogate U+DC80 + byte. Nothing is lost: `encodeText` turns
 * such a string back into the exact bytes and `hasEscapedBytes` tells whether it holds any.
 * `'strict'` refuses a file with any byte that is not UTF-8, even in an entry that would be
 * skipped; `'replace'` and `'latin1'` are as in `TextDecoding`.
 *
 * @throws ParseError if the input is neither bytes nor a string, if `decoding` is `'strict'` and
 *   a name or value is not UTF-8 (the message names the entry), or if `decoding` is unknown.
 */
export function parseEnviron(input: ProcInput, options?: EnvironOptions): Map<string, string> {
  checkInput('environ', input);
  const bytes = toBytes(input);
  const text = decodeEnviron(bytes, options?.decoding ?? 'escape');
  // Repeated names are rare, so the first pass does not look names up before setting them; if
  // it meets a repeat it gives up and the careful pass runs (at most twice the work, never more).
  return environFromText(text, false) ?? (environFromText(text, true) as Map<string, string>);
}

/**
 * The raw bytes of every entry of `/proc/<pid>/environ` that has a `=`, in file order, repeated
 * names kept, nothing decoded: for callers that want bytes. `key` is what precedes the first
 * `=`, `value` what follows it. The arrays are copies, safe to keep when the input buffer is
 * reused for the next read.
 *
 * @throws ParseError if the input is neither bytes nor a string.
 */
export function parseEnvironEntries(input: ProcInput): EnvironEntryBytes[] {
  checkInput('environ', input);
  const bytes = toBytes(input);
  const entries: EnvironEntryBytes[] = [];
  const end = bytes.length;
  let start = 0;
  // The next `=` at or after `start`, kept between entries so that entries without `=` cost
  // one scan in total rather than one scan each to the end of the input.
  let equals = -1;
  while (start < end) {
    if (equals < start) {
      equals = bytes.indexOf(EQUALS, start);
      if (equals === -1) break;
    }
    let nul = bytes.indexOf(NUL, start);
    if (nul === -1) nul = end;
    if (equals < nul) {
      entries.push({
        key: copyBytes(bytes, start, equals),
        value: copyBytes(bytes, equals + 1, nul),
      });
    }
    start = nul + 1;
  }
  return entries;
}

/**
 * The bytes of an environ file holding these entries: each `NAME=value` encoded with
 * `encodeText` (so escaped bytes come back as themselves) and terminated by a NUL. The inverse of
 * `parseEnviron` for valid entries; used to build fixtures and in round-trip tests.
 *
 * @throws TypeError naming the entry if a name is empty or contains `=` or NUL, if a value
 *   contains NUL (none of these could be read back), or if a string holds a lone surrogate that
 *   is not an escaped byte.
 */
export function serializeEnviron(
  entries: Iterable<readonly [string, string]> | Map<string, string>,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new TypeError(
        `serializeEnviron: entry ${JSON.stringify(key)} is not a pair of strings`,
      );
    }
    if (key.length === 0) throw new TypeError('serializeEnviron: empty variable name');
    if (key.includes('=')) {
      throw new TypeError(`serializeEnviron: variable name ${JSON.stringify(key)} contains "="`);
    }
    if (key.includes('\0')) {
      throw new TypeError(`serializeEnviron: variable name ${JSON.stringify(key)} contains NUL`);
    }
    if (value.includes('\0')) {
      throw new TypeError(`serializeEnviron: value of ${JSON.stringify(key)} contains NUL`);
    }
    let chunk: Uint8Array;
    try {
      chunk = encodeText(`${key}=${value}\0`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TypeError(`serializeEnviron: variable ${JSON.stringify(key)}: ${reason}`);
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

// A plain Uint8Array copy, also for a Node Buffer (whose `slice` returns a view, not a copy).
function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

// Decoding the whole file at once and splitting the text afterwards gives the same strings as
// decoding entry by entry: NUL and `=` are ASCII, so no UTF-8 sequence, valid or not, spans
// them, and each decoding restarts cleanly after them. One decoder call is much faster.
function decodeEnviron(bytes: Uint8Array, decoding: TextDecoding): string {
  if (decoding !== 'strict') return decodeText('environ', bytes, 0, bytes.length, decoding);
  try {
    return decodeText('environ', bytes, 0, bytes.length, 'strict');
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new ParseError('environ', describeInvalid(bytes, error.offset), bytes, error.offset);
  }
}

function describeInvalid(bytes: Uint8Array, offset: number): string {
  let index = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === NUL) {
      index++;
      start = i + 1;
    }
  }
  let nul = bytes.indexOf(NUL, offset);
  if (nul === -1) nul = bytes.length;
  const equals = bytes.indexOf(EQUALS, start);
  if (equals === -1 || equals > nul) return `entry ${index} (which has no "=") is not valid UTF-8`;
  if (equals > offset) return `name of entry ${index} is not valid UTF-8`;
  // Everything before `offset` is valid UTF-8, so the name decodes.
  const name = decodeText('environ', bytes, start, equals, 'strict');
  return `value of ${JSON.stringify(name)} (entry ${index}) is not valid UTF-8`;
}

function environFromText(text: string, keepFirst: boolean): Map<string, string> | undefined {
  const environ = new Map<string, string>();
  const end = text.length;
  let count = 0;
  let start = 0;
  let equals = -1; // as in parseEnvironEntries
  while (start < end) {
    if (equals < start) {
      equals = text.indexOf('=', start);
      if (equals === -1) break;
    }
    let nul = text.indexOf('\0', start);
    if (nul === -1) nul = end;
    if (equals < nul) {
      const key = text.slice(start, equals);
      if (keepFirst) {
        if (!environ.has(key)) environ.set(key, text.slice(equals + 1, nul));
      } else {
        environ.set(key, text.slice(equals + 1, nul));
        if (environ.size === count) return undefined; // a repeated name overwrote the first
        count++;
      }
    }
    start = nul + 1;
  }
  return environ;
}

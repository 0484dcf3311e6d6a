import { ParseError, type ProcFileKind, shownValue } from './errors.js';

/**
 * How bytes that are meant to be text (environ, cmdline, comm, paths) become strings.
 *
 * - `'escape'` (the default): UTF-8, and each byte that is not part of valid UTF-8 becomes the
 *   lone surrogate U+DC80 + byte, as Python's `surrogateescape` does. Lossless: valid text reads
 *   as itself, and `encodeText` gives back the exact bytes. Such strings contain lone surrogates,
 *   which `hasEscapedBytes` detects.
 * - `'strict'`: UTF-8, and a byte sequence that is not UTF-8 is a ParseError.
 * - `'replace'`: UTF-8, and invalid sequences become U+FFFD. Lossy: only when you choose it.
 * - `'latin1'`: one character per byte (U+0000 to U+00FF). Lossless, but wrong for non-ASCII UTF-8.
 */
export type TextDecoding = 'escape' | 'strict' | 'replace' | 'latin1';

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const replacingDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes `bytes[start, end)` as the chosen decoding says. */
export function decodeText(
  kind: ProcFileKind,
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding = 'escape',
): string {
  // A decoder call costs about 60 ns however short its input: very short ASCII (many comm
  // names, short arguments) is cheaper built one character at a time.
  if (end - start <= SHORT_TEXT) {
    const ascii = shortAscii(bytes, start, end);
    // Every decoding reads ASCII the same; an unknown one still falls through to its error.
    if (ascii !== undefined && KNOWN_DECODINGS.has(decoding)) return ascii;
  }
  const slice = bytes.subarray(start, end);
  switch (decoding) {
    case 'escape':
      try {
        return fatalDecoder.decode(slice);
      } catch {
        return decodeEscaped(slice);
      }
    case 'strict':
      try {
        return fatalDecoder.decode(slice);
      } catch {
        throw new ParseError(kind, 'bytes are not valid UTF-8', bytes, start + firstInvalid(slice));
      }
    case 'replace':
      return replacingDecoder.decode(slice);
    case 'latin1':
      return latin1(slice);
    default:
      throw new ParseError(kind, `unknown text decoding "${shownValue(decoding)}"`, '', 0);
  }
}

const SHORT_TEXT = 12;
const KNOWN_DECODINGS: ReadonlySet<unknown> = new Set(['escape', 'strict', 'replace', 'latin1']);

function shortAscii(bytes: Uint8Array, start: number, end: number): string | undefined {
  let out = '';
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return undefined;
    out += String.fromCharCode(byte);
  }
  return out;
}

/**
 * Whether a string decoded with `'escape'` holds bytes that were not UTF-8: a lone U+DC80 to
 * U+DCFF. The same code unit as the low half of a surrogate pair (U+1F4A9 is D83D DCA9) is a
 * valid character, not an escaped byte.
 */
export function hasEscapedBytes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    } else if (code >= 0xdc80 && code <= 0xdcff) return true;
  }
  return false;
}

/**
 * The bytes a string stands for: UTF-8, with escaped bytes (U+DC80 to U+DCFF) turned back into
 * the single bytes they came from. `encodeText(decodeText(b)) equals b` for any bytes `b`.
 * A lone surrogate outside that range stands for no bytes and is a TypeError.
 */
export function encodeText(text: string): Uint8Array {
  return encode(text, true);
}

const textEncoder = new TextEncoder();
const SURROGATE = /[\ud800-\udfff]/;

/**
 * The bytes of a string given to a parser: as `encodeText`, except that a lone surrogate that is
 * not an escaped byte (no file's bytes decode to one) becomes U+FFFD, as TextEncoder does,
 * instead of an error. Strings without surrogates take TextEncoder's fast path.
 */
export function encodeInput(text: string): Uint8Array {
  return SURROGATE.test(text) ? encode(text, false) : textEncoder.encode(text);
}

function encode(text: string, strict: boolean): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[n++] = code;
      continue;
    }
    if (code >= 0xdc80 && code <= 0xdcff) {
      out[n++] = code - 0xdc00;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
        out[n++] = 0xf0 | (code >> 18);
        out[n++] = 0x80 | ((code >> 12) & 0x3f);
        out[n++] = 0x80 | ((code >> 6) & 0x3f);
        out[n++] = 0x80 | (code & 0x3f);
        continue;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      if (strict) {
        throw new TypeError(`encodeText: lone surrogate U+${code.toString(16)} at index ${i}`);
      }
      code = 0xfffd;
    }
    if (code < 0x800) {
      out[n++] = 0xc0 | (code >> 6);
      out[n++] = 0x80 | (code & 0x3f);
    } else {
      out[n++] = 0xe0 | (code >> 12);
      out[n++] = 0x80 | ((code >> 6) & 0x3f);
      out[n++] = 0x80 | (code & 0x3f);
    }
  }
  return out.slice(0, n);
}

// Not TextDecoder('latin1'): the Encoding Standard maps that label to windows-1252, which turns
// bytes 0x80 to 0x9f into other characters.
function latin1(bytes: Uint8Array): string {
  return fromCodeUnits(bytes);
}

function fromCodeUnits(units: ArrayLike<number>): string {
  let out = '';
  for (let k = 0; k < units.length; k += 4096) {
    out += String.fromCharCode.apply(
      null,
      Array.prototype.slice.call(units, k, k + 4096) as number[],
    );
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if the byte there starts none. */
function validSequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f; // UTF-16 surrogates are not valid UTF-8
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return 0;
  if (i + length > bytes.length) return 0;
  const b1 = bytes[i + 1] as number;
  if (b1 < low || b1 > high) return 0;
  for (let k = 2; k < length; k++) {
    const b = bytes[i + k] as number;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}

function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

function decodeEscaped(bytes: Uint8Array): string {
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    const b0 = bytes[i] as number;
    if (length === 0) {
      units.push(0xdc00 + b0);
      i++;
      continue;
    }
    let code: number;
    if (length === 1) code = b0;
    else if (length === 2) code = ((b0 & 0x1f) << 6) | ((bytes[i + 1] as number) & 0x3f);
    else if (length === 3)
      code =
        ((b0 & 0x0f) << 12) |
        (((bytes[i + 1] as number) & 0x3f) << 6) |
        ((bytes[i + 2] as number) & 0x3f);
    else
      code =
        ((b0 & 0x07) << 18) |
        (((bytes[i + 1] as number) & 0x3f) << 12) |
        (((bytes[i + 2] as number) & 0x3f) << 6) |
        ((bytes[i + 3] as number) & 0x3f);
    if (code >= 0x10000) {
      code -= 0x10000;
      units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
    } else units.push(code);
    i += length;
  }
  return fromCodeUnits(units);
}

/**
 * A NUL-separated file (environ, cmdline) decoded whole. Decoding it at once and splitting the
 * text afterwards gives the same strings as decoding entry by entry: NUL and the other separators
 * are ASCII, so no UTF-8 sequence, valid or not, spans them, and each decoding restarts cleanly
 * after them; one decoder call is much faster. With `'strict'`, a byte that is not UTF-8 is a
 * ParseError whose message `describeInvalid` writes from the bytes and the offset.
 */
export function decodeWhole(
  kind: ProcFileKind,
  bytes: Uint8Array,
  decoding: TextDecoding,
  describeInvalid: (bytes: Uint8Array, offset: number) => string,
): string {
  if (decoding !== 'strict') return decodeText(kind, bytes, 0, bytes.length, decoding);
  try {
    return decodeText(kind, bytes, 0, bytes.length, 'strict');
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new ParseError(kind, describeInvalid(bytes, error.offset), bytes, error.offset);
  }
}

/**
 * The NUL-terminated encodings of `items`, one after the other, as environ and cmdline files
 * hold them. A string that cannot be encoded is a TypeError whose message starts with
 * `describe(index)`.
 */
export function encodeNulTerminated(
  items: readonly string[],
  describe: (index: number) => string,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let index = 0; index < items.length; index++) {
    let chunk: Uint8Array;
    try {
      chunk = encodeText(`${items[index]}\0`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TypeError(`${describe(index)}: ${reason}`);
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

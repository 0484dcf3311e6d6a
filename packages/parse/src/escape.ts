// Text a process chose (paths, arguments, environment, comm, socket names) made safe to show a
// person on a terminal: the one escaping function every human-readable line goes through.

// What a terminal or a reader could be fooled by: the backslash (it starts our escapes), control
// characters (C0, DEL, C1: U+009B is CSI on xterm), format characters (bidi overrides and
// isolates, zero-width characters, soft hyphen, BOM, tag characters), the line and paragraph
// separators, and lone surrogates. With the `u` flag a surrogate pair is one code point, never
// \p{Cs}: emoji and other astral characters are kept.
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * `text` as it may be shown on a terminal, on one line, with nothing it contains able to move the
 * cursor, change the terminal's state, start a new line or reorder what a reader sees. JSON and
 * other output for machines keeps the exact strings instead: this is for people.
 *
 * Escaped, each as one of three forms:
 * - `\\`: a backslash. Since every backslash in the result starts an escape, the result reads
 *   back to exactly one input (a name containing the four characters `\x1b` shows as `\\x1b`).
 * - `\xNN` (two lowercase hex digits): one byte. Below `80` it is an ASCII control character
 *   (C0, U+0000 to U+001F, and DEL, U+007F), which is the same as that byte; from `80` up it is a
 *   byte that was not UTF-8, kept by the `'escape'` decoding as the lone surrogate U+DC80 + byte
 *   (see `decodeText`).
 * - `\u{H}` (lowercase hex, no leading zeros): one character by its code point. Every other
 *   character of the Unicode categories Cc (the C1 controls U+0080 to U+009F), Cf (format
 *   characters: U+00AD, U+200B to U+200F, U+202A to U+202E, U+2060 to U+2064, U+2066 to U+2069,
 *   U+FEFF, tags U+E0001 to U+E007F, ...), Zl and Zp (U+2028, U+2029), and lone surrogates that
 *   are not escaped bytes (`\u{d800}`).
 *
 * So the byte 0x9b that was not UTF-8 shows as `\x9b` and the character U+009B as `\u{9b}`.
 * Everything else is kept as it is, including spaces, non-ASCII letters, emoji, combining marks
 * and variation selectors; a zero-width joiner between emoji is a format character and is shown
 * as `\u{200d}`.
 *
 * Printable ASCII without a backslash, the common case, is returned as is, without a copy.
 */
export function escapeText(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code >= 0x7f || code === BACKSLASH) return text.replace(UNSAFE, escapeOne);
  }
  return text;
}

const BACKSLASH = 0x5c;

function escapeOne(character: string): string {
  const code = character.codePointAt(0) as number;
  if (code === BACKSLASH) return '\\\\';
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, '0')}`;
  // An escaped byte: U+DC80 to U+DCFF stand for the bytes 0x80 to 0xff.
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16)}`;
  return `\\u{${code.toString(16)}}`;
}

import { escapeText } from './escape.js';

/** The `/proc` file (or fd link target) a parser was reading when it failed. */
export type ProcFileKind =
  | 'stat'
  | 'statm'
  | 'io'
  | 'environ'
  | 'cmdline'
  | 'status'
  | 'maps'
  | 'fd-target'
  | 'net/tcp'
  | 'net/udp'
  | 'net/raw'
  | 'net/icmp'
  | 'net/netlink'
  | 'net/packet'
  | 'net/unix'
  | 'smaps_rollup'
  | 'meminfo'
  | 'cgroup'
  | 'limits'
  | 'fdinfo'
  | 'ns'
  | 'text';

const EXCERPT_RADIUS = 24;

/**
 * The one error every parser throws: the input did not have the shape the kernel writes.
 * It names the file kind, the byte offset of the problem (a string input is read as its UTF-8 bytes), and
 * an excerpt around it through `escapeText`, each byte past ASCII as `\xNN`, so it prints on one
 * line and shows what the bytes were.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly kind: ProcFileKind;
  readonly offset: number;
  readonly excerpt: string;

  constructor(kind: ProcFileKind, message: string, input: Uint8Array | string, offset: number) {
    const excerpt = excerptAround(input, offset);
    super(`${kind}: ${message} at offset ${offset} near "${excerpt}"`);
    this.kind = kind;
    this.offset = offset;
    this.excerpt = excerpt;
  }
}

function excerptAround(input: Uint8Array | string, offset: number): string {
  const start = Math.max(0, offset - EXCERPT_RADIUS);
  const end = Math.min(input.length, offset + EXCERPT_RADIUS);
  if (typeof input === 'string') return escapeText(input.slice(start, end));
  // Bytes, not text: the window can cut a UTF-8 sequence, so every byte past ASCII is shown as
  // itself (escapeText writes U+DC00 + byte, the 'escape' decoding's form, as \xNN).
  let text = '';
  for (let i = start; i < end; i++) {
    const byte = input[i] as number;
    text += String.fromCharCode(byte < 0x80 ? byte : 0xdc00 + byte);
  }
  return escapeText(text);
}

/**
 * A caller's value as text for an error message. `String()` throws for an object without a
 * prototype, or whose `toString` is not a function: a message about a bad option must not turn
 * into a TypeError of its own.
 */
export function shownValue(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

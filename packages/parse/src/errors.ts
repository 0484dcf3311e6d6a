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
  | 'text';

const EXCERPT_RADIUS = 24;

/**
 * The one error every parser throws: the input did not have the shape the kernel writes.
 * It names the file kind, the byte offset of the problem (a string input is read as its UTF-8 bytes), and
 * an excerpt around it with control and non-ASCII characters escaped so it prints on one line.
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
  let out = '';
  for (let i = start; i < end; i++) {
    const code = typeof input === 'string' ? input.charCodeAt(i) : (input[i] as number);
    out +=
      code >= 0x20 && code < 0x7f && code !== 0x5c && code !== 0x22
        ? String.fromCharCode(code)
        : code <= 0xff
          ? `\\x${code.toString(16).padStart(2, '0')}`
          : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}

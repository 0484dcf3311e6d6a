// Redaction of environment values: a variable whose name matches one of the glob patterns keeps
// its name, and its value is replaced by a fixed marker. Everything else stays byte for byte.

/** What a redacted value reads as. */
export const REDACTED = '<redacted>';

/**
 * Names whose values are secrets often enough to hide unless told otherwise. Matching ignores
 * case: `*TOKEN*` hides `github_token` too.
 */
export const DEFAULT_REDACT: readonly string[] = [
  '*TOKEN*',
  '*SECRET*',
  '*PASSWORD*',
  '*PASSWD*',
  '*KEY*',
  '*CREDENTIAL*',
  '*AUTH*',
  '*COOKIE*',
  '*SESSION*',
  'AWS_*',
  'DATABASE_URL',
];

/** A matcher for names from glob patterns (`*` any run, `?` one character), ignoring case. */
export function nameMatcher(patterns: readonly string[]): (name: string) => boolean {
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || pattern === '') {
      throw new TypeError(
        `a redaction pattern must be a non-empty string, got ${JSON.stringify(pattern)}`,
      );
    }
  }
  if (patterns.length === 0) return () => false;
  const source = patterns
    .map((pattern) =>
      pattern
        .split('')
        .map((c) =>
          c === '*' ? '[^]*' : c === '?' ? '[^]' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
        )
        .join(''),
    )
    .join('|');
  const regex = new RegExp(`^(?:${source})$`, 'i');
  return (name) => regex.test(name);
}

const latin1 = new TextDecoder('latin1');
const MARKER = new TextEncoder().encode(REDACTED);

/** An environ file's bytes with the values of matching names replaced by the marker. */
export function redactEnviron(environ: Uint8Array, matches: (name: string) => boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  let start = 0;
  while (start < environ.length) {
    let end = environ.indexOf(0, start);
    if (end === -1) end = environ.length;
    const entry = environ.subarray(start, end);
    const equals = entry.indexOf(0x3d);
    const name = latin1.decode(equals === -1 ? entry : entry.subarray(0, equals));
    if (equals > 0 && matches(name)) parts.push(entry.subarray(0, equals + 1), MARKER);
    else parts.push(entry);
    if (end < environ.length) parts.push(new Uint8Array([0]));
    start = end + 1;
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

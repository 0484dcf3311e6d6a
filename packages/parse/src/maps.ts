import { CLOSE_BRACKET, COLON, MINUS as DASH, endOfLine, OPEN_BRACKET, SPACE } from './bytes.js';
import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { hexDigit, readHex, readHexBig, readUintBig } from './numbers.js';
import { decodeText, type TextDecoding } from './text.js';

const KIND = 'maps';
const DELETED_SUFFIX = new TextEncoder().encode(' (deleted)');

/**
 * What backs a mapping, from its pathname column:
 * `file` any other pathname (a file path, or a pseudo-file such as `/memfd:x (deleted)`,
 * `/dev/zero (deleted)` for shared anonymous memory, `anon_inode:...`); `anonymous` no pathname;
 * `heap`, `stack`, `vdso`, `vvar`, `vsyscall` those exact bracketed names; `pseudo` any other
 * bracketed name (`[anon:<name>]`, `[anon_shmem:<name>]`, `[stack:<tid>]` before Linux 4.5,
 * `[vvar_vclock]`, `[uprobes]`, `[vectors]`, ...), kept whole in `pathname`.
 */
export type MapsEntryKind =
  | 'file'
  | 'anonymous'
  | 'heap'
  | 'stack'
  | 'vdso'
  | 'vvar'
  | 'vsyscall'
  | 'pseudo';

/** A device number as `/proc` writes it (`fe:01`): major and minor, read from hex. */
export interface DeviceNumber {
  major: number;
  minor: number;
}

/** One line of `/proc/<pid>/maps`: a virtual memory area. */
export interface MapsEntry {
  /** First address of the area. bigint: kernel addresses such as `ffffffffff600000` pass 2^53. */
  start: bigint;
  /** One past the last address of the area. */
  end: bigint;
  /** The permissions column as written, such as `r-xp`. */
  perms: string;
  read: boolean;
  write: boolean;
  execute: boolean;
  /** `s` (the mapping may be shared) rather than `p` (private, copy-on-write). */
  shared: boolean;
  /** Offset into the file, in bytes. */
  offset: bigint;
  device: DeviceNumber;
  /** Inode number: a u64, and overlayfs puts a filesystem index in the high bits. */
  inode: bigint;
  /**
   * The pathname column, `null` when there is none, without the padding before it and without
   * a ` (deleted)` suffix. Kept as the kernel wrote it: the kernel writes a newline in a path as
   * `\012` but leaves backslashes alone, so `\012` in this text may be either a newline or the
   * four characters `\012` in the real name, and it is not undone. Spaces inside and at the end
   * are part of the path.
   */
  pathname: string | null;
  /**
   * The pathname ended in ` (deleted)`: the file was unlinked after it was mapped. A file whose
   * real name ends in ` (deleted)` looks the same, so this is what the kernel wrote, not proof.
   */
  deleted: boolean;
  kind: MapsEntryKind;
}

/** Options for `parseMaps`. */
export interface MapsOptions {
  /** How pathnames become strings; default `'escape'` (lossless). */
  decoding?: TextDecoding;
}

/**
 * Parses `/proc/<pid>/maps`: one entry per line, in file order. Empty input gives `[]`.
 * Throws ParseError (naming the line and column) for a line that does not have the shape
 * `start-end perms offset major:minor inode [pathname]`, a number past 64 bits, or an area
 * whose end is not above its start.
 */
export function parseMaps(input: ProcInput, options?: MapsOptions): MapsEntry[] {
  checkInput(KIND, input);
  const decoding = options?.decoding ?? 'escape';
  const bytes = toBytes(input);
  const length = bytes.length;
  const entries: MapsEntry[] = [];
  let pos = 0;
  let lineNumber = 0;
  while (pos < length) {
    const lineEnd = endOfLine(bytes, pos);
    lineNumber++;
    entries.push(parseLine(bytes, pos, lineEnd, lineNumber, decoding));
    pos = lineEnd + 1;
  }
  return entries;
}

function fail(what: string, line: number, bytes: Uint8Array, offset: number): never {
  throw new ParseError(KIND, `line ${line}: ${what}`, bytes, offset);
}

/** End of the run of hex digits starting at `start` (not past `limit`). */
function hexRunEnd(bytes: Uint8Array, start: number, limit: number): number {
  let i = start;
  while (i < limit && hexDigit(bytes[i] as number) >= 0) i++;
  return i;
}

function hex64(
  bytes: Uint8Array,
  start: number,
  end: number,
  column: string,
  line: number,
): bigint {
  if (start === end) fail(`expected the ${column} (hex)`, line, bytes, start);
  let first = start;
  while (first < end - 1 && bytes[first] === 0x30) first++;
  if (end - first > 16) fail(`the ${column} does not fit 64 bits`, line, bytes, start);
  return readHexBig(KIND, bytes, first, end);
}

function expectByte(
  bytes: Uint8Array,
  at: number,
  lineEnd: number,
  byte: number,
  what: string,
  line: number,
): void {
  if (at >= lineEnd || bytes[at] !== byte) fail(`expected ${what}`, line, bytes, at);
}

function parseLine(
  bytes: Uint8Array,
  lineStart: number,
  lineEnd: number,
  line: number,
  decoding: TextDecoding,
): MapsEntry {
  let i = lineStart;

  let next = hexRunEnd(bytes, i, lineEnd);
  const start = hex64(bytes, i, next, 'start address', line);
  expectByte(bytes, next, lineEnd, DASH, '"-" after the start address', line);
  i = next + 1;

  next = hexRunEnd(bytes, i, lineEnd);
  const end = hex64(bytes, i, next, 'end address', line);
  if (end <= start) fail('the end address is not above the start address', line, bytes, i);
  expectByte(bytes, next, lineEnd, SPACE, 'a space after the address range', line);
  i = next + 1;

  if (i + 4 > lineEnd) fail('expected 4 permission characters', line, bytes, i);
  const r = bytes[i] as number;
  const w = bytes[i + 1] as number;
  const x = bytes[i + 2] as number;
  const s = bytes[i + 3] as number;
  if (
    (r !== 0x72 && r !== DASH) ||
    (w !== 0x77 && w !== DASH) ||
    (x !== 0x78 && x !== DASH) ||
    (s !== 0x73 && s !== 0x70)
  ) {
    fail('expected permissions like "r-xp" (r/w/x or -, then s or p)', line, bytes, i);
  }
  const perms = String.fromCharCode(r, w, x, s);
  i += 4;
  expectByte(bytes, i, lineEnd, SPACE, 'a space after the permissions', line);
  i++;

  next = hexRunEnd(bytes, i, lineEnd);
  const offset = hex64(bytes, i, next, 'offset', line);
  expectByte(bytes, next, lineEnd, SPACE, 'a space after the offset', line);
  i = next + 1;

  next = hexRunEnd(bytes, i, lineEnd);
  // dev_t majors are 12 bits and minors 20: 8 digits is already more than any device has.
  if (next === i || next - i > 8) fail('expected the device major number (hex)', line, bytes, i);
  const major = readHex(KIND, bytes, i, next);
  expectByte(bytes, next, lineEnd, COLON, '":" between device major and minor', line);
  i = next + 1;
  next = hexRunEnd(bytes, i, lineEnd);
  if (next === i || next - i > 8) fail('expected the device minor number (hex)', line, bytes, i);
  const minor = readHex(KIND, bytes, i, next);
  expectByte(bytes, next, lineEnd, SPACE, 'a space after the device', line);
  i = next + 1;

  next = i;
  while (next < lineEnd && (bytes[next] as number) >= 0x30 && (bytes[next] as number) <= 0x39) {
    next++;
  }
  if (next === i || next - i > 20) fail('expected the inode (decimal)', line, bytes, i);
  let inode: bigint;
  try {
    inode = readUintBig(KIND, bytes, i, next);
  } catch {
    // The digits are checked above: only a value past 2^64-1 gets here.
    fail('the inode does not fit 64 bits', line, bytes, i);
  }
  // An anonymous area's line ends right after the inode's trailing space (or, if a tool
  // trimmed it, at the inode); anything else after the inode must be padding spaces.
  if (next < lineEnd && bytes[next] !== SPACE) {
    fail('expected a space after the inode', line, bytes, next);
  }
  i = next;
  // The padding is spaces up to a fixed column (at least one): no pathname the kernel writes
  // starts with a space (paths start with "/", pseudo names with "[" or a prefix like
  // "anon_inode:"), so every leading space is padding.
  while (i < lineEnd && bytes[i] === SPACE) i++;

  let pathname: string | null = null;
  let deleted = false;
  let kind: MapsEntryKind = 'anonymous';
  if (i < lineEnd) {
    let pathEnd = lineEnd;
    if (bytes[i] === OPEN_BRACKET && bytes[pathEnd - 1] === CLOSE_BRACKET) {
      kind = pseudoKind(bytes, i, pathEnd);
    } else {
      kind = 'file';
      if (endsWith(bytes, i, pathEnd, DELETED_SUFFIX)) {
        deleted = true;
        pathEnd -= DELETED_SUFFIX.length;
      }
    }
    pathname = decodeText(KIND, bytes, i, pathEnd, decoding);
  }

  return {
    start,
    end,
    perms,
    read: r !== DASH,
    write: w !== DASH,
    execute: x !== DASH,
    shared: s === 0x73,
    offset,
    device: { major, minor },
    inode,
    pathname,
    deleted,
    kind,
  };
}

function endsWith(bytes: Uint8Array, start: number, end: number, suffix: Uint8Array): boolean {
  if (end - start < suffix.length) return false;
  const at = end - suffix.length;
  for (let k = 0; k < suffix.length; k++) if (bytes[at + k] !== suffix[k]) return false;
  return true;
}

const NAMED_KINDS: ReadonlyArray<readonly [Uint8Array, MapsEntryKind]> = [
  ['[heap]', 'heap'],
  ['[stack]', 'stack'],
  ['[vdso]', 'vdso'],
  ['[vvar]', 'vvar'],
  ['[vsyscall]', 'vsyscall'],
].map(([name, kind]) => [new TextEncoder().encode(name), kind as MapsEntryKind] as const);

function pseudoKind(bytes: Uint8Array, start: number, end: number): MapsEntryKind {
  for (const [name, kind] of NAMED_KINDS) {
    if (end - start === name.length && endsWith(bytes, start, end, name)) return kind;
  }
  return 'pseudo';
}

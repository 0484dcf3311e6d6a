import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { NumberTooLargeError, readUint } from './numbers.js';
import { decodeText, type TextDecoding } from './text.js';

const KIND = 'cgroup';
const NEWLINE = 0x0a;
const COLON = 0x3a;
const COMMA = 0x2c;
const SLASH = 0x2f;
const DELETED_SUFFIX = new TextEncoder().encode(' (deleted)');

/**
 * One line of `/proc/<pid>/cgroup`: the process's cgroup in one hierarchy.
 *
 * - cgroup v1: `4:memory:/docker/<id>`, one line per mounted hierarchy, with its controllers
 *   (`cpu,cpuacct`) or its name (`name=systemd`).
 * - cgroup v2: `0::/system.slice/nginx.service`, hierarchy 0 and no controllers.
 *
 * A hybrid machine (v1 controllers and the v2 hierarchy mounted side by side) has both kinds.
 */
export interface CgroupEntry {
  /** The hierarchy's id; 0 is the v2 (unified) hierarchy. */
  hierarchyId: number;
  /** The v1 hierarchy's controllers as written (`['cpu', 'cpuacct']`, `['name=systemd']`); `[]` for v2. */
  controllers: string[];
  /**
   * The cgroup's path from the hierarchy's root, as seen from the reader's cgroup namespace
   * (`/`, `/system.slice/nginx.service`, `/../other` outside the namespace's root). Set by
   * whoever may write the cgroup filesystem (root, or a user a subtree is delegated to), not
   * by the process itself.
   */
  path: string;
  /**
   * The v2 cgroup was removed (the kernel writes ` (deleted)` after the path; removed from
   * `path`). A live cgroup whose real name ends in ` (deleted)` reads the same: the text cannot
   * tell them apart. Always false for v1 lines, where the kernel never writes it.
   */
  deleted: boolean;
}

/** Options of {@link parseCgroup}. */
export interface CgroupOptions {
  /** How paths and controller names become strings; default `'escape'` (lossless). */
  decoding?: TextDecoding;
}

/**
 * Parses `/proc/<pid>/cgroup`: lines of `<hierarchy id>:<controllers>:<path>`. The path is
 * everything after the second colon (it may hold colons). A path holding a newline cannot be
 * told from two lines: such a path fails to parse or reads as two entries.
 *
 * @returns the entries in the file's order (an empty file, as a kernel without cgroups writes,
 *   gives none).
 * @throws ParseError naming the line, for a line without two colons, a hierarchy id that is not
 *   a decimal number, an empty controller name, a path that does not start with `/`, an empty
 *   line, or (with the `'strict'` decoding) a path that is not UTF-8.
 */
export function parseCgroup(input: ProcInput, options?: CgroupOptions): CgroupEntry[] {
  checkInput(KIND, input);
  const decoding = options?.decoding ?? 'escape';
  const bytes = toBytes(input);
  const length = bytes.length;
  const entries: CgroupEntry[] = [];
  let pos = 0;
  for (let line = 1; pos < length; line++) {
    let lineEnd = bytes.indexOf(NEWLINE, pos);
    if (lineEnd === -1) lineEnd = length;
    if (lineEnd === pos) throw new ParseError(KIND, `line ${line} is empty`, bytes, pos);
    const first = bytes.indexOf(COLON, pos);
    const second = first === -1 || first > lineEnd ? -1 : bytes.indexOf(COLON, first + 1);
    if (second === -1 || second > lineEnd) {
      throw new ParseError(
        KIND,
        `line ${line} is not "<id>:<controllers>:<path>" (fewer than two ":")`,
        bytes,
        pos,
      );
    }
    const hierarchyId = readHierarchyId(bytes, line, pos, first);
    const controllers = readControllers(bytes, line, first + 1, second, decoding);
    if (second + 1 === lineEnd || bytes[second + 1] !== SLASH) {
      throw new ParseError(
        KIND,
        `line ${line}: the path does not start with "/"`,
        bytes,
        second + 1,
      );
    }
    const deleted = hierarchyId === 0 && endsWithDeleted(bytes, second + 1, lineEnd);
    const pathEnd = deleted ? lineEnd - DELETED_SUFFIX.length : lineEnd;
    const path = decodeText(KIND, bytes, second + 1, pathEnd, decoding);
    entries.push({ hierarchyId, controllers, path, deleted });
    pos = lineEnd + 1;
  }
  return entries;
}

function readHierarchyId(bytes: Uint8Array, line: number, start: number, end: number): number {
  try {
    return readUint(KIND, bytes, start, end);
  } catch (error) {
    const what =
      error instanceof NumberTooLargeError ? 'too large to be exact' : 'not a decimal number';
    const at = error instanceof ParseError ? error.offset : start;
    throw new ParseError(KIND, `line ${line}: the hierarchy id is ${what}`, bytes, at);
  }
}

function readControllers(
  bytes: Uint8Array,
  line: number,
  start: number,
  end: number,
  decoding: TextDecoding,
): string[] {
  const controllers: string[] = [];
  if (start === end) return controllers;
  let from = start;
  while (from <= end) {
    let to = bytes.indexOf(COMMA, from);
    if (to === -1 || to > end) to = end;
    if (to === from) {
      throw new ParseError(KIND, `line ${line}: a controller name is empty`, bytes, from);
    }
    controllers.push(decodeText(KIND, bytes, from, to, decoding));
    from = to + 1;
  }
  return controllers;
}

function endsWithDeleted(bytes: Uint8Array, start: number, end: number): boolean {
  const at = end - DELETED_SUFFIX.length;
  // The path keeps at least its "/".
  if (at <= start) return false;
  for (let i = 0; i < DELETED_SUFFIX.length; i++) {
    if (bytes[at + i] !== DELETED_SUFFIX[i]) return false;
  }
  return true;
}

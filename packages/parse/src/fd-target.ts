import { CLOSE_BRACKET, COLON, OPEN_BRACKET, SLASH } from './bytes.js';
import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readUint } from './numbers.js';
import { decodeText, type TextDecoding } from './text.js';

const KIND = 'fd-target';

const encoder = new TextEncoder();
const SOCKET_PREFIX = encoder.encode('socket:');
const PIPE_PREFIX = encoder.encode('pipe:');
const ANON_INODE_PREFIX = encoder.encode('anon_inode:');
const MEMFD_PREFIX = encoder.encode('/memfd:');
const DELETED_SUFFIX = encoder.encode(' (deleted)');

/**
 * Namespace names as nsfs writes them in a link (`net:[4026531840]`). The `*_for_children`
 * files under `/proc/<pid>/ns` link to `pid:[...]` and `time:[...]`, but their names are
 * accepted too.
 *
 * The same union is `NamespaceType` of `@procmon/procfs` (procfs/src/reads.ts, for the ns/
 * files it reads): the two packages may not import each other, so a new name goes in both.
 */
export type NamespaceType =
  | 'cgroup'
  | 'ipc'
  | 'mnt'
  | 'net'
  | 'pid'
  | 'pid_for_children'
  | 'time'
  | 'time_for_children'
  | 'user'
  | 'uts';

/** Every NamespaceType, in the order `ls /proc/<pid>/ns` lists them. */
export const NAMESPACE_TYPES: readonly NamespaceType[] = [
  'cgroup',
  'ipc',
  'mnt',
  'net',
  'pid',
  'pid_for_children',
  'time',
  'time_for_children',
  'user',
  'uts',
];

// As the parser checks them: a name left out of NAMESPACE_TYPES would read as `unknown`.
const KNOWN_NAMESPACE_TYPES: ReadonlySet<string> = new Set(NAMESPACE_TYPES);

/**
 * What a `/proc/<pid>/fd/<n>` link points at, from its target text. Switch on `type`; the union
 * is closed, and anything the kernel may write that is not one of the known forms is `unknown`
 * with the text kept, never a guess.
 *
 * - `socket` / `pipe`: `socket:[<inode>]`, `pipe:[<inode>]`.
 * - `anon_inode`: `anon_inode:<name>`; `bracketed` tells `anon_inode:[eventfd]` (name
 *   `eventfd`) from `anon_inode:inotify` (name `inotify`), so the text can be rebuilt exactly.
 * - `memfd`: `/memfd:<name> (deleted)`. A memfd never has a name in any mounted tree, so the
 *   kernel always adds ` (deleted)`; `/memfd:<name>` without it is a real file under `/` and
 *   reads as `file`. A deleted real file named `/memfd:<name>` looks the same as a memfd: the
 *   link text cannot tell them apart (the inode's filesystem can).
 * - `namespace`: `<type>:[<inode>]` from nsfs.
 * - `file`: any absolute path, with a ` (deleted)` suffix removed and flagged. Pseudo-files that
 *   show as paths (`/dmabuf:`, `/SYSV00000000 (deleted)`, `/[aio] (deleted)`) are files here,
 *   since that is all the text says. A file whose real name ends in ` (deleted)` reads as
 *   deleted: the kernel writes both the same way.
 */
export type FdTarget =
  | { type: 'socket'; inode: number }
  | { type: 'pipe'; inode: number }
  | { type: 'anon_inode'; name: string; bracketed: boolean }
  | { type: 'memfd'; name: string; deleted: true }
  | { type: 'namespace'; namespace: NamespaceType; inode: number }
  | { type: 'file'; path: string; deleted: boolean }
  | { type: 'unknown'; raw: string };

/** The `type` tag of an `FdTarget`. */
export type FdTargetType = FdTarget['type'];

/** Options for `parseFdTarget`. */
export interface FdTargetOptions {
  /** How names and paths become strings; default `'escape'` (lossless). */
  decoding?: TextDecoding;
}

/**
 * Parses the target of a `/proc/<pid>/fd/<n>` link (the bytes `readlink` returns).
 * Returns the matching `FdTarget`, `unknown` for forms it does not know.
 * Throws ParseError for an empty target, or for a `socket:`, `pipe:` or `<namespace>:` target
 * that is not `[<decimal inode>]` (those prefixes belong to the kernel's pseudo-filesystems,
 * so anything else after them is damage, not a new form).
 */
export function parseFdTarget(input: ProcInput, options?: FdTargetOptions): FdTarget {
  checkInput(KIND, input);
  const decoding = options?.decoding ?? 'escape';
  const bytes = toBytes(input);
  const length = bytes.length;
  if (length === 0) throw new ParseError(KIND, 'empty link target', bytes, 0);

  if (bytes[0] === SLASH) {
    const deleted = endsWith(bytes, DELETED_SUFFIX);
    const end = deleted ? length - DELETED_SUFFIX.length : length;
    if (deleted && startsWith(bytes, MEMFD_PREFIX)) {
      return {
        type: 'memfd',
        name: decodeText(KIND, bytes, MEMFD_PREFIX.length, end, decoding),
        deleted: true,
      };
    }
    return { type: 'file', path: decodeText(KIND, bytes, 0, end, decoding), deleted };
  }
  if (startsWith(bytes, SOCKET_PREFIX)) {
    return { type: 'socket', inode: bracketedInode(bytes, SOCKET_PREFIX.length, 'socket') };
  }
  if (startsWith(bytes, PIPE_PREFIX)) {
    return { type: 'pipe', inode: bracketedInode(bytes, PIPE_PREFIX.length, 'pipe') };
  }
  if (startsWith(bytes, ANON_INODE_PREFIX)) {
    const start = ANON_INODE_PREFIX.length;
    const bracketed =
      length - start >= 2 && bytes[start] === OPEN_BRACKET && bytes[length - 1] === CLOSE_BRACKET;
    const name = bracketed
      ? decodeText(KIND, bytes, start + 1, length - 1, decoding)
      : decodeText(KIND, bytes, start, length, decoding);
    return { type: 'anon_inode', name, bracketed };
  }
  const colon = bytes.indexOf(COLON);
  // Namespace names are short ASCII words; a longer prefix is no namespace.
  if (colon > 0 && colon <= 17) {
    const prefix = decodeText(KIND, bytes, 0, colon, 'latin1');
    if (KNOWN_NAMESPACE_TYPES.has(prefix)) {
      return {
        type: 'namespace',
        namespace: prefix as NamespaceType,
        inode: bracketedInode(bytes, colon + 1, prefix),
      };
    }
  }
  return { type: 'unknown', raw: decodeText(KIND, bytes, 0, length, decoding) };
}

/**
 * The link text a target stands for, as `readlink` gives it: `parseFdTarget(formatFdTarget(t))`
 * deep-equals `t` for every target `parseFdTarget` can return. Strings from the `'escape'`
 * decoding may hold escaped bytes; `encodeText` turns the text back into the exact bytes.
 * Throws nothing.
 */
export function formatFdTarget(target: FdTarget): string {
  switch (target.type) {
    case 'socket':
      return `socket:[${target.inode}]`;
    case 'pipe':
      return `pipe:[${target.inode}]`;
    case 'anon_inode':
      return target.bracketed ? `anon_inode:[${target.name}]` : `anon_inode:${target.name}`;
    case 'memfd':
      return `/memfd:${target.name} (deleted)`;
    case 'namespace':
      return `${target.namespace}:[${target.inode}]`;
    case 'file':
      return target.deleted ? `${target.path} (deleted)` : target.path;
    case 'unknown':
      return target.raw;
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (bytes[k] !== prefix[k]) return false;
  return true;
}

function endsWith(bytes: Uint8Array, suffix: Uint8Array): boolean {
  const at = bytes.length - suffix.length;
  if (at < 0) return false;
  for (let k = 0; k < suffix.length; k++) if (bytes[at + k] !== suffix[k]) return false;
  return true;
}

/** `[<decimal>]` from `start` to the end of the text. */
function bracketedInode(bytes: Uint8Array, start: number, what: string): number {
  const end = bytes.length;
  if (end - start < 3 || bytes[start] !== OPEN_BRACKET || bytes[end - 1] !== CLOSE_BRACKET) {
    throw new ParseError(KIND, `${what}: expected "${what}:[<inode>]"`, bytes, start);
  }
  try {
    return readUint(KIND, bytes, start + 1, end - 1);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new ParseError(
      KIND,
      `${what}: expected a decimal inode below 2^53 in "${what}:[<inode>]"`,
      bytes,
      error.offset,
    );
  }
}

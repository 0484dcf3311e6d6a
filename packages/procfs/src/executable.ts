// Which file a process runs, and whether that file was deleted. The kernel appends ` (deleted)`
// to the exe link's text when the file's name was removed (deleted, or replaced by a rename onto
// it), but a file may also be *named* `firefox (deleted)`: the text alone would let any user
// pass such a file off as the deleted `firefox`. So the mark is checked against the kernel's
// own facts about the running file (its link count, and whether the marked name is it).
import type { ProcfsContext } from './context.js';
import { type Flow, performAll } from './flow.js';
import { errorCode, type FileStat } from './ops.js';
import { readLink } from './reads.js';

/** What a stat of the running file (or of the marked name) tells: identity and link count. */
export type ExeFileStat = Pick<FileStat, 'dev' | 'ino' | 'nlink'>;

/**
 * The binary a process runs.
 *
 * - `path`: its path as the kernel names it, as raw bytes (a path need not be UTF-8), without
 *   the ` (deleted)` mark when the kernel added one; a name that truly ends in ` (deleted)`
 *   keeps it.
 * - `deleted`: the file's name was removed (deleted, or replaced) while the process runs: the
 *   file at `path`, if any, is not the one that runs.
 * - `verified`: whether the kernel confirmed `deleted`. True whenever the link had no mark (the
 *   kernel writes it for every removed name), or when the running file could be examined: no
 *   name left (link count 0), or the marked name is or is not the running file itself. False
 *   when it could not be examined (a fixture tree or snapshot whose `exe` is a plain symlink, a
 *   race with the process's exit): `deleted` then rests on the text, which a file named
 *   `x (deleted)` can imitate.
 */
export interface Executable {
  path: Uint8Array;
  deleted: boolean;
  verified: boolean;
}

/** The kernel's mark on the exe link of a file whose name was removed (fs/d_path.c). */
export const DELETED_MARK = ' (deleted)';
const MARK_BYTES = new TextEncoder().encode(DELETED_MARK);

/** Whether the link text ends in ` (deleted)` (with something before it). */
export function hasDeletedMark(link: Uint8Array): boolean {
  const start = link.length - MARK_BYTES.length;
  if (start <= 0) return false;
  for (let i = 0; i < MARK_BYTES.length; i++) {
    if (link[start + i] !== MARK_BYTES[i]) return false;
  }
  return true;
}

/**
 * The binary a process runs, with the kernel's verdict on its deletion (see `Executable`). The
 * running file is `<pid>/exe` itself (stat follows the link to it); the marked name is looked up
 * through the process's own root, in its mount namespace, as the kernel named it.
 */
export function* readExe(context: ProcfsContext, pid: number): Flow<Executable> {
  const link = yield* readLink(context, pid, 'exe');
  if (!hasDeletedMark(link)) return executableFrom(link, undefined, undefined);
  const named = new Uint8Array(link.length + `${pid}/root`.length);
  named.set(new TextEncoder().encode(`${pid}/root`));
  named.set(link, named.length - link.length);
  const [exe, marked] = yield* performAll([
    { kind: 'stat', path: `${pid}/exe` },
    { kind: 'stat', path: named },
  ]);
  const statOrCode = (outcome: typeof exe): FileStat | string =>
    outcome?.ok ? (outcome.value as FileStat) : errorCode(outcome?.error);
  return executableFrom(link, statOrCode(exe), statOrCode(marked));
}

/**
 * The verdict on an exe link. `exe` is a stat of `<root>/<pid>/exe` (the running file itself)
 * and `named` a stat of the marked text as a name, each an errno code when it failed; both are
 * undefined when the link has no mark.
 */
export function executableFrom(
  link: Uint8Array,
  exe: ExeFileStat | string | undefined,
  named: ExeFileStat | string | undefined,
): Executable {
  if (!hasDeletedMark(link)) return { path: link, deleted: false, verified: true };
  const stripped = link.subarray(0, link.length - MARK_BYTES.length);
  // The running file cannot be examined: only the text speaks.
  if (exe === undefined || typeof exe === 'string') {
    return { path: stripped, deleted: true, verified: false };
  }
  // No name left anywhere: deleted, whatever the text says.
  if (exe.nlink === 0n) return { path: stripped, deleted: true, verified: true };
  if (typeof named !== 'string' && named !== undefined) {
    // The marked text is a name of the running file: the name really ends in ` (deleted)`.
    if (named.dev === exe.dev && named.ino === exe.ino) {
      return { path: link, deleted: false, verified: true };
    }
    // Another file has that name: the running file's own name was removed (it lives on under
    // another hard link), and someone made a file named like the mark.
    return { path: stripped, deleted: true, verified: true };
  }
  // Nothing has the marked name: the running file's name was removed, and it lives on under
  // another hard link. Any other failure (permission, a path too long) proves nothing.
  if (named === 'ENOENT' || named === 'ENOTDIR') {
    return { path: stripped, deleted: true, verified: true };
  }
  return { path: stripped, deleted: true, verified: false };
}

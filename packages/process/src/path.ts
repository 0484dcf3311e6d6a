// Which binary a process runs, as a path. The exe link names it; when the link cannot be read
// the process may still be named by its first argument or its comm (which it chooses, so the
// result says where the path came from), except when the link is past PATH_MAX: then no name
// stands in for it. A path under /proc names no binary, and a relative one is read again.

import { decodeText, encodeText } from '@procmon/parse';
import { type Flow, type ProcFS, ProcfsError } from '@procmon/procfs';
import { type FieldFailure, fieldFailure } from './errors.js';

/** The path given to a kernel thread: it runs no binary and has no memory map of its own. */
export const KERNEL_CONNECTION = 'Kernel connection';

/**
 * Where `path` came from: the exe link (`exe`), the first argument (`args`), the command name
 * (`comm`), a kernel thread (`kernel`), or nowhere (`none`: the exe link's target is longer than
 * PATH_MAX, so the kernel cannot give it, and no name the process chooses stands in for it;
 * `path` is then empty and `realPath` reaches the binary through `<root>/<pid>/exe`).
 */
export type PathSource = 'exe' | 'args' | 'comm' | 'kernel' | 'none';

export interface ResolvedPath {
  /** Absolute path of the binary; else the first argument or comm; `Kernel connection` for a kernel thread. */
  path: string;
  /**
   * The binary as the host reaches it: `<proc root>/<pid>/root<path>` when that exists (a
   * process in a container or chroot runs a file its own root names), else `path`. For a
   * deleted or replaced binary, and when there is no path, `<proc root>/<pid>/exe`: the file now
   * at `path` (if any) is not the one that runs.
   */
  realPath: string;
  /**
   * The binary was deleted or replaced while it runs: the kernel marked the exe link, and the
   * running file was checked (no name left, or the marked name is another file), so a file
   * whose real name ends in ` (deleted)` is not taken for a deleted one. See ProcFS.readExe.
   */
  deleted: boolean;
  /** A kernel thread (PF_KTHREAD, or no exe and an empty maps): it runs no program. */
  kernelThread: boolean;
  source: PathSource;
  /** Why the exe link could not give the path (the path then came from another source). */
  failure?: FieldFailure;
}

/** What the exe link gave: the binary's path (text and raw bytes), or why not. */
export type ExeReading =
  | { ok: true; path: string; bytes: Uint8Array; deleted: boolean }
  | { ok: false; failure: FieldFailure; tooLong: boolean };

/** What path resolution takes besides the exe link. */
export interface PathOptions {
  /** The command name, the last fallback. */
  comm: string;
  /** The arguments, when read: a path under /proc falls back to the first one. */
  args?: readonly string[] | undefined;
  /** Whether to look for `realPath` through the process's root (one stat). */
  realPath: boolean;
}

/** The path of a process: none for a kernel thread, else the exe link read, then resolved. */
export function* resolvePath(
  procfs: ProcFS,
  pid: number,
  options: PathOptions & { kernelThread: boolean },
): Flow<ResolvedPath> {
  if (options.kernelThread) return kernelThreadPath();
  return yield* resolveExe(procfs, pid, yield* readExePath(procfs, pid), options);
}

/** The exe link of `pid`, with the kernel's verdict on deletion (ProcFS.readExe). */
export function* readExePath(procfs: ProcFS, pid: number): Flow<ExeReading> {
  try {
    const exe = yield* procfs.flows.readExe(pid);
    return {
      ok: true,
      path: decodeText('text', exe.path, 0, exe.path.length),
      bytes: exe.path,
      deleted: exe.deleted,
    };
  } catch (error) {
    const tooLong = error instanceof ProcfsError && error.code === 'ENAMETOOLONG';
    return { ok: false, failure: fieldFailure('path', error), tooLong };
  }
}

/** The path from an exe reading: fallbacks, re-reads and realPath as the module comment says. */
export function* resolveExe(
  procfs: ProcFS,
  pid: number,
  reading: ExeReading,
  options: PathOptions,
): Flow<ResolvedPath> {
  if (!reading.ok) {
    if (reading.tooLong) return noPath(procfs.pathOf(pid, 'exe'), reading.failure);
    return yield* withoutExe(procfs, pid, options.comm, reading.failure);
  }
  let exe = reading;
  let path = exe.path;
  let source: PathSource = 'exe';
  let failure: FieldFailure | undefined;

  // A path under /proc (such as /proc/self/exe) names no binary: any process could show it.
  if (path.startsWith('/proc/')) {
    const again = yield* readExePath(procfs, pid);
    const first = options.args?.[0];
    if (again.ok && !again.path.startsWith('/proc/')) exe = again;
    else if (first && !first.startsWith('/proc/')) source = 'args';
    else source = 'comm';
    path = source === 'args' ? (first as string) : source === 'comm' ? options.comm : exe.path;
  }
  // The kernel may give a relative path; a process's path must be absolute, so read it again
  // (once: reading until it is absolute could loop for ever).
  if (source === 'exe' && !exe.path.startsWith('/')) {
    const again = yield* readExePath(procfs, pid);
    if (again.ok && again.path.startsWith('/')) exe = again;
    else {
      failure = fieldFailure(
        'path',
        new Error(`the exe link of process ${pid} is not absolute: ${exe.path}`),
      );
    }
    path = exe.path;
  }
  const deleted = source === 'exe' && exe.deleted;
  let realPath = path;
  if (deleted) {
    // No longer at its path (another file may be): the running one is reached through exe.
    realPath = procfs.pathOf(pid, 'exe');
  } else if (options.realPath && source !== 'comm' && path.startsWith('/')) {
    const bytes = source === 'exe' ? exe.bytes : encodeText(path);
    if (yield* procfs.flows.existsInRoot(pid, bytes))
      realPath = `${procfs.pathOf(pid, 'root')}${path}`;
  }
  const resolved: ResolvedPath = { path, realPath, deleted, kernelThread: false, source };
  if (failure) resolved.failure = failure;
  return resolved;
}

/** PF_KTHREAD in stat's flags (field 9): a kernel thread, which has no binary. */
const PF_KTHREAD = 0x00200000;

export function isKernelThread(stat: { flags: number }): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** A kernel thread's path: no binary. */
export function kernelThreadPath(): ResolvedPath {
  return {
    path: KERNEL_CONNECTION,
    realPath: KERNEL_CONNECTION,
    deleted: false,
    kernelThread: true,
    source: 'kernel',
  };
}

/** No path at all: the exe link is past PATH_MAX. The binary is still reached through `exe`. */
function noPath(exeLink: string, failure: FieldFailure): ResolvedPath {
  return {
    path: '',
    realPath: exeLink,
    deleted: false,
    kernelThread: false,
    source: 'none',
    failure,
  };
}

// No exe link: a kernel thread when its maps is empty, else comm (the process's chosen name).
function* withoutExe(
  procfs: ProcFS,
  pid: number,
  comm: string,
  failure: FieldFailure,
): Flow<ResolvedPath> {
  let emptyMaps = false;
  try {
    emptyMaps = (yield* procfs.flows.readFile(pid, 'maps')).length === 0;
  } catch {
    // maps unreadable too: nothing says it is a kernel thread.
  }
  if (emptyMaps) return kernelThreadPath();
  return {
    path: comm,
    realPath: comm,
    deleted: false,
    kernelThread: false,
    source: 'comm',
    failure,
  };
}

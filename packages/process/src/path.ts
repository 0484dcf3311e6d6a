// Which binary a process runs, resolved as the reference (OpenSnitch's ReadPath, SetPath and
// CleanPath) does, with its loops and lost fallbacks fixed.

import { decodeText } from '@procmon/parse';
import { ProcfsError } from '@procmon/procfs';
import { type FieldFailure, fieldFailure } from './errors.js';
import { exists, type Flow, readExe, readFile } from './flow.js';

/** The path the reference gives a kernel task: no binary, no memory map of its own. */
export const KERNEL_CONNECTION = 'Kernel connection';

/**
 * Where `path` came from: the exe link (`exe`), the first argument (`args`), the command name
 * (`comm`), a kernel thread (`kernel`), or nowhere (`none`: the exe link's target is longer than
 * PATH_MAX, so the kernel cannot give it, and no name the process chooses stands in for it;
 * `path` is then empty and `realPath` reaches the binary through `<root>/<pid>/exe`).
 */
export type PathSource = 'exe' | 'args' | 'comm' | 'kernel' | 'none';

export interface ResolvedPath {
  /** Absolute path of the binary; else the first argument or comm; `Kernel connection` for a kernel task. */
  path: string;
  /**
   * The binary as the host reaches it: `<proc root>/<pid>/root<path>` when that exists (a
   * process in a container or chroot runs a file its own root names), else `path`. For a
   * deleted or replaced binary, `<proc root>/<pid>/exe`: the file now at `path` (if any) is not
   * the one that runs.
   */
  realPath: string;
  /**
   * The binary was deleted or replaced while it runs: the kernel marked the exe link, and the
   * running file was checked (no name left, or the marked name is another file), so a file
   * whose real name ends in ` (deleted)` is not taken for a deleted one. See ProcFS.readExe.
   */
  deleted: boolean;
  /** `exe` could not be read and `maps` is empty: a kernel thread, not a program. */
  kernelTask: boolean;
  source: PathSource;
  /** Why the exe link could not give the path (the path then came from another source). */
  failure?: FieldFailure;
}

/**
 * Resolves the path of `pid`. `comm` and `args` are what the caller already read, for the
 * fallbacks; `procRoot` is the ProcFS root, for `realPath`.
 */
export function* resolvePath(
  pid: number,
  procRoot: string,
  comm: string,
  args: readonly string[] | undefined,
  withRealPath = true,
  kernelThread = false,
): Flow<ResolvedPath> {
  // The kernel's own flag says what the reference's test (no exe, empty maps) would find, with
  // no reads and no failed readlink.
  if (kernelThread) return kernelTaskPath();
  let exe: ExePath;
  try {
    exe = yield* readExePath(pid);
  } catch (error) {
    const failure = fieldFailure('path', error);
    if (error instanceof ProcfsError && error.code === 'ENAMETOOLONG') {
      return noPath(`${procRoot}/${pid}/exe`, failure);
    }
    return yield* withoutExe(pid, comm, failure);
  }
  let { path, deleted } = exe;
  let source: PathSource = 'exe';
  let failure: FieldFailure | undefined;

  // A path under /proc (such as /proc/self/exe) names no binary: any process could show it.
  if (path.startsWith('/proc/')) {
    const again = yield* rereadExe(pid);
    if (again !== undefined && !again.path.startsWith('/proc/')) {
      ({ path, deleted } = again);
    } else if (args?.[0] && !args[0].startsWith('/proc/')) {
      path = args[0];
      source = 'args';
    } else {
      path = comm;
      source = 'comm';
    }
  }
  // The kernel may give a relative path; a process's path must be absolute, so read it again
  // (once: the reference re-reads until it is absolute, which can loop for ever).
  if (source === 'exe' && !path.startsWith('/')) {
    const again = yield* rereadExe(pid);
    if (again?.path.startsWith('/')) ({ path, deleted } = again);
    else {
      failure = fieldFailure(
        'path',
        new Error(`the exe link of process ${pid} is not absolute: ${path}`),
      );
    }
  }
  let realPath = path;
  if (withRealPath) {
    // A deleted or replaced binary is no longer at its path (another file may be): the running
    // one is reached through the exe link alone.
    realPath =
      deleted && source === 'exe'
        ? `${procRoot}/${pid}/exe`
        : yield* realPathOf(pid, procRoot, path, source);
  }
  const resolved: ResolvedPath = { path, realPath, deleted, kernelTask: false, source };
  if (failure) resolved.failure = failure;
  return resolved;
}

interface ExePath {
  path: string;
  deleted: boolean;
}

function* readExePath(pid: number): Flow<ExePath> {
  const { path, deleted } = yield* readExe(pid);
  return { path: decodeText('text', path, 0, path.length), deleted };
}

function* rereadExe(pid: number): Flow<ExePath | undefined> {
  try {
    return yield* readExePath(pid);
  } catch {
    return undefined;
  }
}

/** No path at all: the exe link is past PATH_MAX. The binary is still reached through `exe`. */
function noPath(exeLink: string, failure: FieldFailure): ResolvedPath {
  return {
    path: '',
    realPath: exeLink,
    deleted: false,
    kernelTask: false,
    source: 'none',
    failure,
  };
}

// The reference's RealPath: the binary through the process's own root, when it exists there.
function* realPathOf(
  pid: number,
  procRoot: string,
  path: string,
  source: PathSource,
): Flow<string> {
  if (!path.startsWith('/') || source === 'comm') return path;
  const throughRoot = `${procRoot}/${pid}/root${path}`;
  return (yield* exists(throughRoot)) ? throughRoot : path;
}

/** PF_KTHREAD in stat's flags (field 9): a kernel thread, which has no binary. */
const PF_KTHREAD = 0x00200000;

export function isKernelThread(stat: { flags: number }): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

function kernelTaskPath(): ResolvedPath {
  return {
    path: KERNEL_CONNECTION,
    realPath: KERNEL_CONNECTION,
    deleted: false,
    kernelTask: true,
    source: 'kernel',
  };
}

// No exe link: a kernel task when its maps is empty (the reference's test), else comm.
function* withoutExe(pid: number, comm: string, failure: FieldFailure): Flow<ResolvedPath> {
  let kernelTask = false;
  try {
    kernelTask = (yield* readFile(pid, 'maps')).length === 0;
  } catch {
    // maps unreadable too: nothing says it is a kernel task.
  }
  if (kernelTask) {
    return {
      path: KERNEL_CONNECTION,
      realPath: KERNEL_CONNECTION,
      deleted: false,
      kernelTask,
      source: 'kernel',
    };
  }
  return { path: comm, realPath: comm, deleted: false, kernelTask, source: 'comm', failure };
}

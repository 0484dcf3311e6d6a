// Folder listings as flows: every pid, a process's threads, and its open descriptors with their
// targets (one pass over `fd/`, however many descriptors).
import { checkPid } from './arguments.js';
import { classified, notAlive } from './classify.js';
import { absolute, type ProcfsContext } from './context.js';
import { type ProcfsError, toProcfsError } from './errors.js';
import { type Flow, perform } from './flow.js';
import { fdNumberOf, numericNames } from './names.js';
import { isGoneCode } from './ops.js';
import { liveTaskOfZombie, stateOf } from './state.js';

/**
 * One open descriptor: its number and its link target, raw (`socket:[123]`, a path, ...). When
 * the target could not be read (ENAMETOOLONG for a path past PATH_MAX, EACCES, ...), `error`
 * says why and `target` is empty: one unreadable descriptor does not hide the others. The
 * targets of one listing are views of one shared ArrayBuffer.
 */
export interface FdEntry {
  fd: number;
  target: Uint8Array;
  /** Why the target could not be read; `target` is then empty. */
  error?: ProcfsError;
}

/** Every pid under the root, in the kernel's order. */
export function* listPids(context: ProcfsContext): Flow<number[]> {
  return numericNames(yield* list(context, '', undefined));
}

/** The thread ids of a process (`<root>/<pid>/task/`); the first is the pid itself. */
export function* listTasks(context: ProcfsContext, pid: number): Flow<number[]> {
  checkPid(pid);
  return numericNames(yield* list(context, `${pid}/task`, pid));
}

/**
 * Every open descriptor of a process with its target, in one pass over `<root>/<pid>/fd/`. A
 * descriptor closed between the listing and its readlink is left out: it no longer exists. A
 * descriptor whose target cannot be read is an entry with `error` set and an empty target.
 * When the main thread has exited (pthread_exit) while other threads run, the descriptors are
 * read through a live thread.
 */
export function* listFds(context: ProcfsContext, pid: number): Flow<FdEntry[]> {
  checkPid(pid);
  return yield* fds(context, `${pid}/fd`, pid, undefined);
}

/**
 * The descriptors as one thread sees them (`<root>/<pid>/task/<tid>/fd/`). Threads created
 * with `CLONE_FILES` unset (unshare, some runtimes) hold descriptors the main thread's `fd/`
 * does not list.
 */
export function* listTaskFds(context: ProcfsContext, pid: number, tid: number): Flow<FdEntry[]> {
  checkPid(pid);
  checkPid(tid, 'tid');
  return yield* fds(context, `${pid}/task/${tid}/fd`, pid, tid);
}

function* list(context: ProcfsContext, path: string, pid: number | undefined): Flow<string[]> {
  const listed = yield* perform({ kind: 'readdir', path });
  if (listed.ok) return listed.value;
  throw yield* classified(context, listed.error, pid, absolute(context, path), 'list');
}

/** `tid` undefined: the process's own `fd/`, read through a live thread if the main one exited. */
function* fds(
  context: ProcfsContext,
  folder: string,
  pid: number,
  tid: number | undefined,
): Flow<FdEntry[]> {
  const listed = yield* perform({ kind: 'links', path: folder });
  const main = tid === undefined;
  if (!listed.ok) {
    const live =
      main && isGoneCode(listed.error) ? yield* liveTaskOfZombie(context, pid) : undefined;
    if (live !== undefined) return yield* fds(context, `${pid}/task/${live}/fd`, pid, live);
    throw yield* classified(context, listed.error, pid, absolute(context, folder), 'list', tid);
  }
  const { names, targets, vanished } = listed.value;
  if (main && names.length === 0) {
    const live = yield* liveTaskOfZombie(context, pid);
    if (live !== undefined) return yield* fds(context, `${pid}/task/${live}/fd`, pid, live);
  }
  if (names.length === 0 || vanished) {
    // A closed descriptor is normal, but a process that exited or became a zombie meanwhile
    // (a zombie's fd/ lists nothing) must not read as one that holds no descriptors.
    const state = yield* stateOf(context, pid, tid);
    const gone = notAlive(state, pid, absolute(context, folder), 'list', 'no descriptors left');
    if (gone) throw gone;
  }
  // Only names that are descriptor numbers: a fixture tree's fd/ may hold anything.
  const numbers: number[] = [];
  const kept: (string | ProcfsError)[] = [];
  names.forEach((name, i) => {
    const fd = fdNumberOf(name);
    if (fd === undefined) return;
    const target = targets[i];
    numbers.push(fd);
    kept.push(
      typeof target === 'string'
        ? target
        : toProcfsError(target, pid, absolute(context, `${folder}/${name}`), 'read the link'),
    );
  });
  return fdEntries(numbers, kept);
}

/**
 * Entries whose targets are plain Uint8Arrays over one new ArrayBuffer (no fresh buffer per
 * link when a process holds thousands of descriptors, and no view into Node's shared Buffer
 * pool, where a target's `.buffer` would reach other data of this process).
 */
function fdEntries(numbers: number[], targets: (string | ProcfsError)[]): FdEntry[] {
  let total = 0;
  for (const target of targets) if (typeof target === 'string') total += target.length;
  const all = new Uint8Array(total);
  let offset = 0;
  return numbers.map((fd, i) => {
    const target = targets[i] as string | ProcfsError;
    if (typeof target !== 'string') return { fd, target: new Uint8Array(0), error: target };
    for (let k = 0; k < target.length; k++) all[offset + k] = target.charCodeAt(k);
    const view = all.subarray(offset, offset + target.length);
    offset += target.length;
    return { fd, target: view };
  });
}

// Whether a pid names a live process, a zombie or nothing: the one place that tells, read from
// the state letter of stat (a folder that is still there is not enough: a zombie keeps it).
import { absolute, type ProcfsContext } from './context.js';
import { ProcessGoneError, ProcfsError, toProcfsError } from './errors.js';
import { type Flow, perform } from './flow.js';
import { numericNames } from './names.js';

/**
 * Whether a pid names a process: `alive` (running, sleeping, stopped, ...), `zombie` (exited,
 * not yet reaped by its parent: its folder exists, its files are mostly empty), `gone`.
 */
export type ProcessState = 'alive' | 'zombie' | 'gone';

/**
 * The state of a process. A main thread that called pthread_exit reads as a zombie while other
 * threads run: the process is then `alive` if any of its `task/*` is.
 */
export function* processState(context: ProcfsContext, pid: number): Flow<ProcessState> {
  const state = yield* statState(context, `${pid}/stat`, pid);
  if (state !== 'zombie') return state;
  return (yield* firstLiveTask(context, pid)) === undefined ? 'zombie' : 'alive';
}

/** The process's state, narrowed to the thread's own when a tid is given. */
export function* stateOf(
  context: ProcfsContext,
  pid: number,
  tid: number | undefined,
): Flow<ProcessState> {
  const state = yield* processState(context, pid);
  if (state !== 'alive' || tid === undefined) return state;
  return yield* statState(context, `${pid}/task/${tid}/stat`, pid);
}

/** A live thread when the main thread is a zombie (it called pthread_exit), or undefined. */
export function* liveTaskOfZombie(context: ProcfsContext, pid: number): Flow<number | undefined> {
  try {
    if ((yield* statState(context, `${pid}/stat`, pid)) !== 'zombie') return undefined;
  } catch {
    return undefined;
  }
  return yield* firstLiveTask(context, pid);
}

/** A thread other than the main one that is not a zombie, or undefined. */
function* firstLiveTask(context: ProcfsContext, pid: number): Flow<number | undefined> {
  const listed = yield* perform({ kind: 'readdir', path: `${pid}/task` });
  if (!listed.ok) return undefined;
  for (const tid of numericNames(listed.value)) {
    if (tid === pid) continue;
    try {
      if ((yield* statState(context, `${pid}/task/${tid}/stat`, pid)) === 'alive') return tid;
    } catch {
      // a thread whose state cannot be told is not evidence of life
    }
  }
  return undefined;
}

/** The state letter of a stat file; a missing one is `gone`. */
function* statState(context: ProcfsContext, path: string, pid: number): Flow<ProcessState> {
  const read = yield* perform({ kind: 'read', path, maxBytes: 4096 });
  if (!read.ok) {
    const mapped = toProcfsError(read.error, pid, absolute(context, path), 'read');
    if (mapped instanceof ProcessGoneError) return 'gone';
    throw mapped;
  }
  return stateFromStat(read.value, pid, absolute(context, path));
}

const CLOSE_PAREN = 0x29;

/**
 * The state letter after comm's last ")": Z is a zombie, X (dead) is as good as gone. A stat
 * without one is not something to guess about.
 */
export function stateFromStat(stat: Uint8Array, pid: number, path: string): ProcessState {
  const close = stat.lastIndexOf(CLOSE_PAREN);
  const letter = close === -1 ? undefined : stat[close + 2];
  if (letter === undefined || stat[close + 1] !== 0x20) {
    throw new ProcfsError(`cannot tell the state of process ${pid}: ${path} has no state letter`, {
      pid,
      path,
      code: 'EINVAL',
    });
  }
  if (letter === 0x5a) return 'zombie'; // Z
  if (letter === 0x58 || letter === 0x78) return 'gone'; // X, x
  return 'alive';
}

// What a failed read means, written once for every read: the errno says gone, permission or
// other, and for "gone" the process's state decides (a zombie keeps its folder but loses links
// and fd/; a kernel thread is alive with no exe; a process may exit between two reads).
import type { ProcfsContext } from './context.js';
import { ProcessGoneError, ProcfsError, toProcfsError } from './errors.js';
import type { Flow } from './flow.js';
import { isGoneCode } from './ops.js';
import { type ProcessState, stateOf } from './state.js';

/**
 * Maps an fs error on a per-process path, reading the process's state (and the thread's, for a
 * task path) when the errno says "gone".
 */
export function* classified(
  context: ProcfsContext,
  error: unknown,
  pid: number | undefined,
  path: string,
  action: string,
  tid?: number,
): Flow<ProcfsError> {
  if (pid === undefined || !isGoneCode(error)) return classifyError(error, pid, path, action);
  let state: ProcessState | undefined;
  try {
    state = yield* stateOf(context, pid, tid);
  } catch {
    state = undefined;
  }
  return classifyError(error, pid, path, action, state, tid);
}

/**
 * Maps an fs error on a path, given what is known of the process's state (pure: the caller
 * reads the state). On ENOENT/ESRCH the state decides: gone, zombie (still ProcessGoneError,
 * with `zombie` set), or alive (a plain ProcfsError: the process is there, the file is not).
 * With a `tid`, the state is the thread's (a thread that exited is gone). An unknown state
 * (undefined) leaves the errno's verdict.
 */
export function classifyError(
  error: unknown,
  pid: number | undefined,
  path: string,
  action: string,
  state?: ProcessState,
  tid?: number,
): ProcfsError {
  const mapped = toProcfsError(error, pid, path, action);
  if (!(mapped instanceof ProcessGoneError) || pid === undefined || state === undefined) {
    return mapped;
  }
  const who = tid === undefined ? `process ${pid}` : `thread ${tid} of process ${pid}`;
  const details = { pid, path, code: mapped.code, cause: mapped.cause };
  if (state === 'zombie') {
    return new ProcessGoneError(`cannot ${action} ${path}: ${who} is a zombie`, {
      ...details,
      zombie: true,
    });
  }
  if (state === 'alive') {
    return new ProcfsError(
      `cannot ${action} ${path}: ${who} is alive but has no such file (${mapped.code})${path.endsWith('/exe') ? ': kernel threads have no executable' : ''}`,
      details,
    );
  }
  if (tid !== undefined) {
    return new ProcessGoneError(
      `cannot ${action} ${path}: ${who} is gone (${mapped.code})`,
      details,
    );
  }
  return mapped;
}

/**
 * A read that gave less than data (an empty file, a short range, an empty listing) from a
 * process that is not alive: it gave less because it is gone. Undefined while it is alive.
 */
export function notAlive(
  state: ProcessState,
  pid: number,
  path: string,
  action: string,
  what: string,
  code = 'ENOENT',
): ProcessGoneError | undefined {
  if (state === 'alive') return undefined;
  const why = state === 'zombie' ? 'is a zombie' : 'exited while it was read';
  return new ProcessGoneError(`cannot ${action} ${path}: process ${pid} ${why} (${what})`, {
    pid,
    path,
    code,
    zombie: state === 'zombie',
  });
}

// The reference's GetDetails: path, comm, arguments, working directory and environment of one
// process, each read on its own so that one failure never empties the others.

import { decodeText, type Environ, parseCmdline, parseEnviron } from '@procmon/parse';
import { type FieldFailure, fieldFailure } from './errors.js';
import { type Flow, readFile, readLink } from './flow.js';
import { type PathSource, resolvePath } from './path.js';

// Arguments are exactly the NUL-separated strings: an argument with spaces is one argument.
export const NUL_SEPARATED = { splitRewrittenTitle: false } as const;

/** What `/proc/self/exe` in `args[0]` means: AppImages re-exec themselves through it. */
const PROC_SELF_EXE = '/proc/self/exe';

export interface ProcessDetails {
  pid: number;
  /** Start time in clock ticks after boot (stat field 22): with pid, the process's identity. */
  startTime: number;
  /** See `ResolvedPath.path`: the binary's absolute path, else args[0] or comm, or `Kernel connection`. */
  path: string;
  realPath: string;
  deleted: boolean;
  kernelTask: boolean;
  pathSource: PathSource;
  /**
   * The command name, from the stat read that checks the identity after the other reads (the
   * same text as the `comm` file); if the process exited before it, the name it had when opened.
   */
  comm: string;
  /** Split on NUL. A kernel task's one argument is its comm. Missing when unreadable. */
  args?: string[];
  /** The arguments joined by one space: the string firewall rules match on. */
  command?: string;
  cwd?: string;
  environ?: Environ;
  /** Each field that is missing, and why. Empty when everything was read. */
  failures: FieldFailure[];
}

/**
 * Reads the details but comm, which the caller takes from the stat it reads afterwards to check
 * the identity (one read fewer). `statComm`, from the stat read that opened the process, is the
 * path's last fallback and a kernel thread's argument.
 */
export function* detailsFlow(
  pid: number,
  startTime: number,
  procRoot: string,
  statComm: string,
  kernelThread: boolean,
): Flow<ProcessDetails> {
  const failures: FieldFailure[] = [];
  const field = function* <T>(name: string, read: () => Flow<T>): Flow<T | undefined> {
    try {
      return yield* read();
    } catch (error) {
      failures.push(fieldFailure(name, error));
      return undefined;
    }
  };

  // Arguments come before the path: a path under /proc falls back to args[0].
  let args = yield* field('args', function* () {
    return parseCmdline(yield* readFile(pid, 'cmdline'), NUL_SEPARATED);
  });
  const resolved = yield* resolvePath(pid, procRoot, statComm, args, true, kernelThread);
  if (resolved.failure) failures.push(resolved.failure);
  if (resolved.kernelTask) {
    args = [statComm];
    // A kernel thread's empty cmdline is what it is, not a failure.
    removeFailure(failures, 'args');
  }
  if (args?.[0] === PROC_SELF_EXE) args = [resolved.path, ...args.slice(1)];

  const cwd = yield* field('cwd', function* () {
    const bytes = yield* readLink(pid, 'cwd');
    return decodeText('text', bytes, 0, bytes.length);
  });
  const environ = yield* field('environ', function* () {
    return parseEnviron(yield* readFile(pid, 'environ'));
  });

  const details: ProcessDetails = {
    pid,
    startTime,
    path: resolved.path,
    realPath: resolved.realPath,
    deleted: resolved.deleted,
    kernelTask: resolved.kernelTask,
    pathSource: resolved.source,
    // Replaced by the comm of the stat that checks the identity (see Process.details).
    comm: statComm,
    failures,
  };
  if (args !== undefined) {
    details.args = args;
    details.command = args.join(' ');
  }
  if (cwd !== undefined) details.cwd = cwd;
  if (environ !== undefined) details.environ = environ;
  return details;
}

function removeFailure(failures: FieldFailure[], field: string): void {
  const index = failures.findIndex((failure) => failure.field === field);
  if (index >= 0) failures.splice(index, 1);
}

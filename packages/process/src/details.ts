// Who a process is: path, comm, arguments, working directory and environment, each read on its
// own so that one failure never empties the others, the four reads side by side.

import { decodeText, type Environ, parseCmdline, parseEnviron } from '@procmon/parse';
import { all, done, type Flow, type ProcFS } from '@procmon/procfs';
import { captured, type FieldFailure } from './errors.js';
import {
  type ExeReading,
  kernelThreadPath,
  type PathSource,
  readExePath,
  resolveExe,
} from './path.js';

// Arguments are exactly the NUL-separated strings: an argument with spaces is one argument.
export const NUL_SEPARATED = { splitRewrittenTitle: false } as const;

/** What `/proc/self/exe` in `args[0]` means: AppImages re-exec themselves through it. */
const PROC_SELF_EXE = '/proc/self/exe';

/** The order failures are listed in: the order of the fields. */
const FIELD_ORDER = ['args', 'path', 'cwd', 'environ'];

export interface ProcessDetails {
  pid: number;
  /** Start time in clock ticks after boot (stat field 22): with pid, the process's identity. */
  startTime: number;
  /** See `ResolvedPath.path`: the binary's absolute path, else args[0] or comm, or `Kernel connection`. */
  path: string;
  realPath: string;
  deleted: boolean;
  kernelThread: boolean;
  pathSource: PathSource;
  /**
   * The command name, from the stat read that checks the identity after the other reads (the
   * same text as the `comm` file); if the process exited before it, the name it had when opened.
   */
  comm: string;
  /** Split on NUL. A kernel thread's one argument is its comm. Missing when unreadable. */
  args?: string[];
  /** The arguments joined by one space: the string firewall rules match on. */
  command?: string;
  cwd?: string;
  environ?: Environ;
  /** Each field that is missing, and why. Empty when everything was read. */
  failures: FieldFailure[];
}

/** What details needs to know of the process before reading. */
export interface DetailsSubject {
  pid: number;
  startTime: number;
  /** The comm of the stat that opened it: the path's last fallback, a kernel thread's argument. */
  comm: string;
  kernelThread: boolean;
}

/**
 * Reads the details but comm, which the caller takes from the stat it reads afterwards to check
 * the identity (one read fewer).
 */
export function* detailsFlow(procfs: ProcFS, subject: DetailsSubject): Flow<ProcessDetails> {
  const { pid, comm } = subject;
  const failures: FieldFailure[] = [];
  const kernelThread = subject.kernelThread;
  const [args, cwd, environ, exe] = yield* all<
    [string[] | undefined, string | undefined, Environ | undefined, ExeReading | undefined]
  >([
    captured(failures, 'args', function* () {
      return parseCmdline(yield* procfs.flows.readFile(pid, 'cmdline'), NUL_SEPARATED);
    }),
    captured(failures, 'cwd', function* () {
      const bytes = yield* procfs.flows.readLink(pid, 'cwd');
      return decodeText('text', bytes, 0, bytes.length);
    }),
    captured(failures, 'environ', function* () {
      return parseEnviron(yield* procfs.flows.readFile(pid, 'environ'));
    }),
    // The kernel's own flag says what the reference's test (no exe, empty maps) would find.
    kernelThread ? done(undefined) : readExePath(procfs, pid),
  ]);
  const resolved =
    exe === undefined
      ? kernelThreadPath()
      : yield* resolveExe(procfs, pid, exe, { comm, args, realPath: true });
  if (resolved.failure) failures.push(resolved.failure);
  let shownArgs = args;
  if (resolved.kernelThread) {
    shownArgs = [comm];
    // A kernel thread's empty cmdline is what it is, not a failure.
    removeFailure(failures, 'args');
  }
  if (shownArgs?.[0] === PROC_SELF_EXE) shownArgs = [resolved.path, ...shownArgs.slice(1)];

  const details: ProcessDetails = {
    pid,
    startTime: subject.startTime,
    path: resolved.path,
    realPath: resolved.realPath,
    deleted: resolved.deleted,
    kernelThread: resolved.kernelThread,
    pathSource: resolved.source,
    // Replaced by the comm of the stat that checks the identity (see Process.details).
    comm,
    failures: failures.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field)),
  };
  if (shownArgs !== undefined) {
    details.args = shownArgs;
    details.command = shownArgs.join(' ');
  }
  if (cwd !== undefined) details.cwd = cwd;
  if (environ !== undefined) details.environ = environ;
  return details;
}

/** Whether a details result holds nothing read from the process's files. */
export function detailsReadNothing(details: ProcessDetails): boolean {
  return details.args === undefined && details.cwd === undefined && details.environ === undefined;
}

function removeFailure(failures: FieldFailure[], field: string): void {
  const index = failures.findIndex((failure) => failure.field === field);
  if (index >= 0) failures.splice(index, 1);
}

// The reads of one file or link under the root, as flows: a process's file, a thread's, the
// machine's, a socket table, a link's target, byte ranges of `mem`. Each checks its arguments
// before any read (a pid like -1 or "../1" never becomes a path) and classifies its errors once.
import { checkFd, checkFileName, checkMaxBytes, checkPid, checkRanges } from './arguments.js';
import { classified, notAlive } from './classify.js';
import { absolute, type ProcfsContext } from './context.js';
import { ProcfsError, toProcfsError } from './errors.js';
import { type Flow, perform } from './flow.js';
import { isGoneCode } from './ops.js';
import type { ByteRange, RawRangeResult } from './read-ranges.js';
import { liveTaskOfZombie, type ProcessState, processState } from './state.js';

export interface ReadOptions {
  /** This read's size cap, in bytes; the ProcFS default when absent. */
  maxBytes?: number | undefined;
}

/**
 * One range of `readRanges`: its bytes (fewer than asked if the file ended first), or why it
 * could not be read (a ProcfsError, e.g. code EIO for a region of `mem` the kernel refuses).
 */
export type RangeResult = { bytes: Uint8Array } | { error: ProcfsError };

/** The links a thread's folder has too, read through a live thread when the main one exited. */
const TASK_LINKS = new Set(['exe', 'cwd', 'root']);

/** `<root>/<pid>/<name>`. An empty file of a process that is not alive is ProcessGoneError. */
export function* readFile(
  context: ProcfsContext,
  pid: number,
  name: string,
  options?: ReadOptions,
): Flow<Uint8Array> {
  checkPid(pid);
  checkFileName(name);
  const path = `${pid}/${name}`;
  const bytes = yield* readPath(context, path, pid, capOf(context, options));
  if (bytes.length === 0) {
    // A zombie's cmdline, maps, environ are empty: empty is data only for a live process.
    const state = yield* processState(context, pid);
    const gone = notAlive(state, pid, absolute(context, path), 'read', 'the file is empty');
    if (gone) throw gone;
  }
  return bytes;
}

/** `<root>/<pid>/task/<tid>/<name>`: one thread's file. */
export function* readTaskFile(
  context: ProcfsContext,
  pid: number,
  tid: number,
  name: string,
  options?: ReadOptions,
): Flow<Uint8Array> {
  checkPid(pid);
  checkPid(tid, 'tid');
  checkFileName(name);
  return yield* readPath(context, `${pid}/task/${tid}/${name}`, pid, capOf(context, options), tid);
}

/** `<root>/<name>`: a machine-wide file such as `stat`, `uptime`, `loadavg`. */
export function* readSystemFile(
  context: ProcfsContext,
  name: string,
  options?: ReadOptions,
): Flow<Uint8Array> {
  checkFileName(name);
  return yield* readPath(context, name, undefined, capOf(context, options));
}

/**
 * A socket table such as `tcp6` or `unix`: `<root>/net/<name>` (the reader's network
 * namespace), or `<root>/<pid>/net/<name>` (that process's namespace) when a pid is given.
 */
export function* readNetFile(
  context: ProcfsContext,
  name: string,
  pid?: number,
  options?: ReadOptions,
): Flow<Uint8Array> {
  checkFileName(name, 'net file name');
  if (pid === undefined)
    return yield* readPath(context, `net/${name}`, undefined, capOf(context, options));
  checkPid(pid);
  return yield* readPath(context, `${pid}/net/${name}`, pid, capOf(context, options));
}

/**
 * The target of a link of the process, raw: `exe`, `cwd` or `root` (a path, with the kernel's
 * ` (deleted)` mark kept if it wrote one). When the main thread called pthread_exit while
 * others run, its links are gone but the process's are still there through a live thread.
 */
export function* readLink(context: ProcfsContext, pid: number, name: string): Flow<Uint8Array> {
  checkPid(pid);
  checkFileName(name, 'link name');
  const path = `${pid}/${name}`;
  const link = yield* perform({ kind: 'readlink', path });
  if (link.ok) return link.value;
  if (isGoneCode(link.error) && TASK_LINKS.has(name)) {
    const tid = yield* liveTaskOfZombie(context, pid);
    if (tid !== undefined) return yield* linkAt(context, `${pid}/task/${tid}/${name}`, pid, tid);
  }
  throw yield* classified(context, link.error, pid, absolute(context, path), 'read the link');
}

/** The target of `<root>/<pid>/fd/<fd>`, raw (`socket:[123]`, `pipe:[456]`, a path, ...). */
export function* readFdLink(context: ProcfsContext, pid: number, fd: number): Flow<Uint8Array> {
  checkPid(pid);
  checkFd(fd);
  return yield* linkAt(context, `${pid}/fd/${fd}`, pid);
}

/**
 * Byte ranges of `<root>/<pid>/<name>` read at their positions, with one open: for `mem`, whose
 * readable parts are the mapped regions at their addresses. A range that fails is reported in
 * its slot; failing to open the file throws (PermissionDeniedError for another user's `mem`). A
 * range that came back shorter than asked from a process that is no longer alive is a
 * ProcessGoneError in its slot. The total asked is capped by `maxBytes` (the ProcFS default when
 * absent): past it, a ProcfsError (code EFBIG) before any read.
 */
export function* readRanges(
  context: ProcfsContext,
  pid: number,
  name: string,
  ranges: readonly ByteRange[],
  options?: ReadOptions,
): Flow<RangeResult[]> {
  checkPid(pid);
  checkFileName(name);
  const checked = checkRanges(ranges);
  const path = `${pid}/${name}`;
  const shown = absolute(context, path);
  checkRangesTotal(checked, pid, shown, capOf(context, options));
  const read = yield* perform({ kind: 'ranges', path, ranges: checked });
  if (!read.ok) throw yield* classified(context, read.error, pid, shown, 'read');
  const state = anyShort(read.value, checked) ? yield* processState(context, pid) : 'alive';
  return rangeResults(read.value, checked, pid, shown, state);
}

/** The cap of one read: the call's, else the ProcFS default; checked. */
function capOf(context: ProcfsContext, options: ReadOptions | undefined): number {
  const maxBytes = options?.maxBytes ?? context.maxBytes;
  checkMaxBytes(maxBytes);
  return maxBytes;
}

function* readPath(
  context: ProcfsContext,
  path: string,
  pid: number | undefined,
  maxBytes: number,
  tid?: number,
): Flow<Uint8Array> {
  const read = yield* perform({ kind: 'read', path, maxBytes });
  if (read.ok) return read.value;
  throw yield* classified(context, read.error, pid, absolute(context, path), 'read', tid);
}

function* linkAt(
  context: ProcfsContext,
  path: string,
  pid: number,
  tid?: number,
): Flow<Uint8Array> {
  const link = yield* perform({ kind: 'readlink', path });
  if (link.ok) return link.value;
  throw yield* classified(context, link.error, pid, absolute(context, path), 'read the link', tid);
}

/** EFBIG before any read when the ranges ask for more than the cap. */
function checkRangesTotal(
  ranges: readonly ByteRange[],
  pid: number,
  path: string,
  maxBytes: number,
): void {
  let total = 0;
  for (const range of ranges) total += range.length;
  if (total > maxBytes) {
    throw new ProcfsError(
      `cannot read ${path}: the ranges ask for ${total} bytes, more than the ${maxBytes}-byte cap (raise maxBytes to read them)`,
      { pid, path, code: 'EFBIG' },
    );
  }
}

/** Whether any range came back with fewer bytes than asked. */
function anyShort(results: readonly RawRangeResult[], ranges: readonly ByteRange[]): boolean {
  return results.some(
    (result, i) => 'bytes' in result && result.bytes.length < (ranges[i]?.length ?? 0),
  );
}

/** Raw range results as RangeResults; short ranges of a process not alive are gone. */
function rangeResults(
  results: readonly RawRangeResult[],
  ranges: readonly ByteRange[],
  pid: number,
  path: string,
  state: ProcessState,
): RangeResult[] {
  return results.map((result, i) => {
    if ('error' in result) return { error: toProcfsError(result.error, pid, path, 'read') };
    if (result.bytes.length >= (ranges[i]?.length ?? 0)) return result;
    const gone = notAlive(state, pid, path, 'read', 'the range came back short', 'ESRCH');
    return gone ? { error: gone } : result;
  });
}

// The same union is NamespaceType of @procmon/parse (parse/src/fd-target.ts): the two packages
// may not import each other, so a new name goes in both.
/** The namespaces a process has (`<root>/<pid>/ns/<type>`). */
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

/**
 * The namespace a process is in, as its link names it (`net:[4026531840]`): two processes share
 * a namespace when these are equal. `self` is the reading process, as the root shows it.
 */
export function* readNamespace(
  context: ProcfsContext,
  pid: number | 'self',
  type: NamespaceType,
): Flow<Uint8Array> {
  if (pid !== 'self') checkPid(pid);
  checkFileName(type, 'namespace type');
  const path = `${pid}/ns/${type}`;
  const link = yield* perform({ kind: 'readlink', path });
  if (link.ok) return link.value;
  const owner = pid === 'self' ? undefined : pid;
  throw yield* classified(context, link.error, owner, absolute(context, path), 'read the link');
}

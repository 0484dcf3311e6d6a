// What a process's links and names lead to, as flows: the file behind a descriptor, a path as
// the process's own root sees it, one of its threads. stat follows links, as open would.
import { checkFd, checkPid } from './arguments.js';
import { classified } from './classify.js';
import { absolute, type ProcfsContext } from './context.js';
import { type Flow, perform } from './flow.js';
import type { FileStat } from './ops.js';

export type { FileStat };

/**
 * The file a descriptor is open on (`<root>/<pid>/fd/<fd>` followed): the open file itself, even
 * deleted or in another mount namespace. Throws the classified error (a closed descriptor of a
 * live process is a ProcfsError, a process gone meanwhile a ProcessGoneError).
 */
export function* statFd(context: ProcfsContext, pid: number, fd: number): Flow<FileStat> {
  checkPid(pid);
  checkFd(fd);
  const path = `${pid}/fd/${fd}`;
  const stat = yield* perform({ kind: 'stat', path });
  if (stat.ok) return stat.value;
  throw yield* classified(context, stat.error, pid, absolute(context, path), 'stat');
}

/**
 * What `<root>/<pid>` is. Its owner (`uid`) is the process's effective uid, or root for a
 * process that is not dumpable (setuid programs, `prctl(PR_SET_DUMPABLE, 0)`): one stat tells
 * whose a process is without reading and parsing its status. A process that is gone is a
 * ProcessGoneError.
 */
export function* statProcess(context: ProcfsContext, pid: number): Flow<FileStat> {
  checkPid(pid);
  const path = `${pid}`;
  const stat = yield* perform({ kind: 'stat', path });
  if (stat.ok) return stat.value;
  throw yield* classified(context, stat.error, pid, absolute(context, path), 'stat');
}

/**
 * Whether `path` (absolute, as raw bytes: a path need not be UTF-8) leads to something in the
 * process's own root (`<root>/<pid>/root<path>`), as a process in a container or chroot sees it.
 * Any failure (missing, not a folder on the way, permission) means no.
 */
export function* existsInRoot(pid: number, path: Uint8Array): Flow<boolean> {
  checkPid(pid);
  if (path[0] !== 0x2f) throw new TypeError('path must be absolute (start with "/")');
  const prefix = new TextEncoder().encode(`${pid}/root`);
  const joined = new Uint8Array(prefix.length + path.length);
  joined.set(prefix);
  joined.set(path, prefix.length);
  return (yield* perform({ kind: 'stat', path: joined })).ok;
}

/** Whether `tid` is a thread of process `pid` (`<root>/<pid>/task/<tid>` exists). */
export function* hasTask(pid: number, tid: number): Flow<boolean> {
  checkPid(pid);
  checkPid(tid, 'tid');
  return (yield* perform({ kind: 'stat', path: `${pid}/task/${tid}` })).ok;
}

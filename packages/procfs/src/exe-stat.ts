// The file a process runs, as a stat: `<pid>/exe` followed, which reaches the running file even
// when it was deleted or replaced, or lives in another mount namespace. What a checksum of the
// binary is checked against (its device and inode) once the read is done.
import { checkPid } from './arguments.js';
import { classified } from './classify.js';
import { absolute, type ProcfsContext } from './context.js';
import { type Flow, perform } from './flow.js';
import { type FileStat, isGoneCode } from './ops.js';
import { liveTaskOfZombie } from './state.js';

/**
 * The stat of the file process `pid` runs. When the main thread has exited (pthread_exit) while
 * other threads run, its exe link is gone: the file is then reached through a live thread's
 * (`<pid>/task/<tid>/exe`). Throws the classified error of the process's own link otherwise (a
 * process gone or a zombie is ProcessGoneError, a kernel thread a ProcfsError, another user's
 * process PermissionDeniedError).
 */
export function* statExe(context: ProcfsContext, pid: number): Flow<FileStat> {
  checkPid(pid);
  const path = `${pid}/exe`;
  const stat = yield* perform({ kind: 'stat', path });
  if (stat.ok) return stat.value;
  if (isGoneCode(stat.error)) {
    const tid = yield* liveTaskOfZombie(context, pid);
    if (tid !== undefined) {
      const thread = yield* perform({ kind: 'stat', path: `${pid}/task/${tid}/exe` });
      if (thread.ok) return thread.value;
    }
  }
  throw yield* classified(context, stat.error, pid, absolute(context, path), 'stat');
}

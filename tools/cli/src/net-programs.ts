// The program each holder of a socket runs, for `procmon net`: read after the walk that found
// the holder, so it is shown only if, once it was read, that process (same pid and start time)
// still holds the socket at the same descriptor. A pid reused since the walk gets no program
// rather than the new process's; so does a process that exec'd another program since and lost
// the socket with it (close-on-exec): the new program never held it. A process that kept the
// socket across an exec is shown with the program that holds it now.
import {
  openHolder,
  type PathSource,
  Process,
  ProcfsError,
  ProgramChangedError,
  type SocketHolder,
  socketInodeOf,
} from '@procmon/process';
import { type ProcFS, procfsOf } from '@procmon/procfs';

export interface Program {
  path: string;
  /** Where the path came from (`exe`: the binary; `args`/`comm`: what the process calls itself). */
  source: PathSource;
}

/** A holder and the inode of the socket it holds. */
export type HeldSocket = SocketHolder & { inode: number };

/** The key of a holder's program: `pid:startTime:fd`. */
export const programKey = (holder: SocketHolder): string =>
  `${holder.pid}:${holder.startTime}:${holder.fd}`;

/**
 * Programs by programKey; a holder gone, reused or no longer holding its socket has none. Read
 * through `procfs` (a snapshot's), else the shared one on /proc.
 */
export function holderPrograms(
  holders: readonly HeldSocket[],
  procfs: ProcFS = procfsOf({}),
): Map<string, Program> {
  const byProcess = new Map<string, HeldSocket[]>();
  for (const holder of holders) {
    const process = `${holder.pid}:${holder.startTime}`;
    const list = byProcess.get(process);
    if (list) list.push(holder);
    else byProcess.set(process, [holder]);
  }
  const programs = new Map<string, Program>();
  for (const held of byProcess.values()) {
    const program = programOf(held[0] as HeldSocket, procfs);
    if (program === undefined) continue;
    for (const holder of stillHeld(held, procfs)) programs.set(programKey(holder), program);
  }
  return programs;
}

/** The program of the holder's process, if that process is still there (same start time). */
function programOf(holder: SocketHolder, procfs: ProcFS): Program | undefined {
  try {
    const { path, source } = openHolder(holder, { procfs }).path();
    return { path, source };
  } catch (error) {
    // Exited, reused, unreadable or exec'd during the read: the row shows the holder's comm.
    if (!(error instanceof ProcfsError || error instanceof ProgramChangedError)) throw error;
    return undefined;
  }
}

/**
 * Read after the program: the holders of one process whose descriptor still links to their
 * socket, then one stat (after the links: they were read from the process with that start time).
 */
function stillHeld(held: readonly HeldSocket[], procfs: ProcFS): HeldSocket[] {
  const first = held[0] as HeldSocket;
  try {
    const holding = held.filter((holder) => {
      try {
        return socketInodeOf(procfs.readFdLink(holder.pid, holder.fd)) === holder.inode;
      } catch (error) {
        if (error instanceof ProcfsError) return false;
        throw error;
      }
    });
    if (holding.length === 0) return [];
    return Process.open(first.pid, { procfs }).startTime === first.startTime ? holding : [];
  } catch (error) {
    if (error instanceof ProcfsError) return [];
    throw error;
  }
}

// The program each holder of a socket runs, for `procmon net`: read after the walk that found
// the holder, so it is shown only if, once it was read, that process (same pid and start time)
// still holds the socket at the same descriptor. A pid reused since the walk gets no program
// rather than the new process's; so does a process that exec'd another program since and lost
// the socket with it (close-on-exec): the new program never held it. A process that kept the
// socket across an exec is shown with the program that holds it now.
import {
  type PathSource,
  Process,
  ProcfsError,
  ProgramChangedError,
  type SocketHolder,
  socketInodeOf,
} from '@procmon/process';
import { procfsOf } from '@procmon/procfs';

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

/** Programs by programKey; a holder gone, reused or no longer holding its socket has none. */
export function holderPrograms(holders: readonly HeldSocket[]): Map<string, Program> {
  const programs = new Map<string, Program>();
  const paths = new Map<string, Program | undefined>();
  for (const holder of holders) {
    const process = `${holder.pid}:${holder.startTime}`;
    if (!paths.has(process)) paths.set(process, programOf(holder));
    const program = paths.get(process);
    if (program !== undefined && stillHeld(holder)) programs.set(programKey(holder), program);
  }
  return programs;
}

/** The program of the holder's process, if that process is still there (same start time). */
function programOf(holder: SocketHolder): Program | undefined {
  try {
    const process = Process.open(holder.pid);
    if (process.startTime !== holder.startTime) return undefined;
    const { path, source } = process.path();
    return { path, source };
  } catch (error) {
    // Exited, reused, unreadable or exec'd during the read: the row shows the holder's comm.
    if (!(error instanceof ProcfsError || error instanceof ProgramChangedError)) throw error;
    return undefined;
  }
}

/** Read after the program: the descriptor still links to the socket, in the same process. */
function stillHeld(holder: HeldSocket): boolean {
  try {
    const link = procfsOf({}).readFdLink(holder.pid, holder.fd);
    if (socketInodeOf(link) !== holder.inode) return false;
    // The stat after the link: the link was read from the process with that start time.
    return Process.open(holder.pid).startTime === holder.startTime;
  } catch (error) {
    if (error instanceof ProcfsError) return false;
    throw error;
  }
}

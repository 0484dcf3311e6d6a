// The program each holder of a socket runs, for `procmon net`: read once per process, and only
// for the process the holder names (same pid and start time): a pid reused since the walk gets
// no program rather than the new process's.
import {
  openHolder,
  type PathSource,
  ProcfsError,
  ProgramChangedError,
  type SocketHolder,
} from '@procmon/process';

export interface Program {
  path: string;
  /** Where the path came from (`exe`: the binary; `args`/`comm`: what the process calls itself). */
  source: PathSource;
}

/** Programs by `pid:startTime`; a process gone or reused since has none. */
export function holderPrograms(holders: readonly SocketHolder[]): Map<string, Program> {
  const programs = new Map<string, Program>();
  for (const holder of holders) {
    const key = `${holder.pid}:${holder.startTime}`;
    if (programs.has(key)) continue;
    try {
      const { path, source } = openHolder(holder).path();
      programs.set(key, { path, source });
    } catch (error) {
      // Exited, reused, unreadable or exec'd since the walk: the row shows the holder's comm.
      if (!(error instanceof ProcfsError || error instanceof ProgramChangedError)) throw error;
    }
  }
  return programs;
}

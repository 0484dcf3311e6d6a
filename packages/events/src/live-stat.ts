// A process's stat, parsed, or ProcessGoneError. A stat the parser refuses is asked about once
// more through procfs's one judge of life (processState) before its ParseError is believed: a
// process being torn down may show what no live one does.

import { ParseError, parseStat, type Stat } from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';

export function* readLiveStat(procfs: ProcFS, pid: number): Flow<Stat> {
  const bytes = yield* procfs.flows.readFile(pid, 'stat');
  try {
    return parseStat(bytes);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    if ((yield* procfs.flows.processState(pid)) === 'alive') throw error;
    const path = procfs.pathOf(pid, 'stat');
    throw new ProcessGoneError(`cannot read ${path}: the process is exiting`, {
      pid,
      path,
      code: 'ESRCH',
      cause: error,
    });
  }
}

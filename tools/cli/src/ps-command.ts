// `procmon ps`: every process, one line each: pid, ppid, user, path (or comm), command.
import { escapeText } from '@procmon/parse';
import { type PathSource, type ScannedProcess, scanProcesses } from '@procmon/process';
import { pathText, table } from './format.js';
import { userName } from './users.js';

export interface PsLine {
  pid: number;
  ppid: number;
  uid?: number;
  user?: string;
  comm: string;
  path?: string;
  /** Where `path` came from: `exe` (the binary), `args` or `comm` (its own name for itself), `kernel`. */
  pathSource?: PathSource;
  command?: string;
  state: string;
}

export function listProcesses(): PsLine[] {
  return scanProcesses({ fields: ['path', 'args', 'uids'] }).map(toLine);
}

function toLine(scanned: ScannedProcess): PsLine {
  const line: PsLine = {
    pid: scanned.pid,
    ppid: scanned.ppid,
    comm: scanned.comm,
    state: scanned.state,
  };
  if (scanned.uids) {
    line.uid = scanned.uids.effective;
    const name = userName(scanned.uids.effective);
    if (name !== undefined) line.user = name;
  }
  if (scanned.path !== undefined) line.path = scanned.path;
  if (scanned.pathSource !== undefined) line.pathSource = scanned.pathSource;
  if (scanned.command !== undefined) line.command = scanned.command;
  return line;
}

export function formatPs(lines: readonly PsLine[]): string {
  const rows = lines.map((line) => [
    String(line.pid),
    String(line.ppid),
    escapeText(line.user ?? (line.uid === undefined ? '?' : String(line.uid))),
    line.path === undefined
      ? `[${escapeText(line.comm)}]`
      : pathText(line.path, line.pathSource, line.comm),
    escapeText(line.command ?? ''),
  ]);
  return table(['PID', 'PPID', 'USER', 'PATH', 'COMMAND'], rows, new Set([0, 1])).join('\n');
}

// `procmon diff A B`: what changed between two snapshots (@procmon/snapshot's diffSnapshots):
// processes started and gone, binaries whose checksum changed, listeners and connections new and
// gone. Text for people, grouped, every name a process chose escaped; or the diff as JSON.
import { escapeText } from '@procmon/parse';
import {
  type ChecksumChange,
  type DiffProcess,
  type DiffSocket,
  diffSnapshots,
  readSnapshot,
  type Snapshot,
  type SnapshotDiff,
  SnapshotError,
  type SnapshotSide,
} from '@procmon/snapshot';
import { pc } from './colors.js';
import { shellQuote } from './format.js';
import { readSnapshotFile } from './snapshot-file.js';

/** The diff, with the files it came from. */
export interface DiffReport extends Omit<SnapshotDiff, 'before' | 'after'> {
  before: SnapshotSide & { file: string };
  after: SnapshotSide & { file: string };
}

/** A snapshot file that could not be read at all (missing, unreadable): says which. */
export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
}

export async function diffFiles(before: string, after: string): Promise<DiffReport> {
  const [a, b] = await Promise.all([load(before), load(after)]);
  const diff = diffSnapshots(a, b);
  return {
    ...diff,
    before: { file: before, ...diff.before },
    after: { file: after, ...diff.after },
  };
}

/** The snapshot in `file`; its errors name the file (and the member at fault). */
async function load(file: string): Promise<Snapshot> {
  let bytes: Uint8Array;
  try {
    bytes = await readSnapshotFile(file);
  } catch (error) {
    const why = (error as { code?: unknown }).code ?? (error as Error).message;
    throw new SnapshotFileError(`cannot read snapshot ${file}: ${String(why)}`, { cause: error });
  }
  try {
    return await readSnapshot(bytes);
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    throw new SnapshotError(`${file}: ${error.message}`, {
      member: error.member,
      reason: error.reason,
      cause: error,
    });
  }
}

export function formatDiff(report: DiffReport): string {
  const lines = [
    `${pc.bold('before')}  ${escapeText(report.before.file)}  ${sideText(report.before)}`,
    `${pc.bold('after')}   ${escapeText(report.after.file)}  ${sideText(report.after)}`,
    ...section('started', report.started, processLine),
    ...section('gone', report.gone, processLine),
    ...(report.checksumsCompared
      ? section('checksum changed', report.checksumChanged, checksumLines)
      : [
          '',
          `${pc.bold('checksum changed')}  ${pc.dim('not compared: both snapshots need checksums of one algorithm (procmon snapshot --checksums)')}`,
        ]),
    ...section('new listeners', report.newListeners, socketLine),
    ...section('gone listeners', report.goneListeners, socketLine),
    ...section('new connections', report.newConnections, socketLine),
    ...section('gone connections', report.goneConnections, socketLine),
  ];
  return lines.join('\n');
}

const sideText = (side: SnapshotSide) =>
  pc.dim(`taken ${side.takenAt} on ${escapeText(side.hostname)}`);

function section<T>(title: string, items: readonly T[], lines: (item: T) => string | string[]) {
  const head = `${pc.bold(title)} (${items.length})`;
  return ['', head, ...(items.length === 0 ? [pc.dim('  none')] : items.flatMap(lines))];
}

/** `pid ppid started command`: the command as a shell would need it, or [comm] without args. */
function processLine(process: DiffProcess): string {
  return `  ${String(process.pid).padStart(7)} ${String(process.ppid).padStart(7)}  ${pc.dim(process.startedAt)}  ${commandText(process)}`;
}

function commandText(process: DiffProcess): string {
  if (process.args.length > 0) return process.args.map(shellQuote).join(' ');
  return `[${escapeText(process.comm)}]`;
}

const processRef = (process: DiffProcess) => `${process.pid} (${escapeText(process.comm)})`;

function checksumLines(change: ChecksumChange): string[] {
  const path = change.path === undefined ? '[path not captured]' : escapeText(change.path);
  const lines = [`  ${path}  ${pc.dim(change.algorithm)}`];
  if (change.kind === 'process' && change.pathBefore !== change.path) {
    const before =
      change.pathBefore === undefined ? '[path not captured]' : escapeText(change.pathBefore);
    lines.push(`    ${pc.dim('was')}     ${before}`);
  }
  lines.push(
    `    ${pc.dim('before')}  ${change.before.join(', ')}  ${pc.dim(`run by ${change.processesBefore.map(processRef).join(', ')}`)}`,
    `    ${pc.dim('after')}   ${change.after.join(', ')}  ${pc.dim(`run by ${change.processesAfter.map(processRef).join(', ')}`)}`,
  );
  return lines;
}

const endpointText = ({ address, port }: { address: string; port: number }) =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** `proto local [remote] state holders`. */
function socketLine(socket: DiffSocket): string {
  const ends =
    socket.state === 'ESTABLISHED'
      ? `${endpointText(socket.local)} -> ${endpointText(socket.remote)}`
      : endpointText(socket.local);
  const holders =
    socket.holders.length === 0
      ? pc.dim('no holder captured')
      : socket.holders.map(processRef).join(', ');
  return `  ${socket.protocol.padEnd(3)}  ${ends}  ${pc.dim(socket.state)}  ${holders}`;
}

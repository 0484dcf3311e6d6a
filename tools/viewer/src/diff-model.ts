// What the diff panel shows, as data: every group of @procmon/snapshot's `diffSnapshots(a, b)`
// (processes started and gone, binaries whose checksum changed, listeners and connections new
// and gone), each entry as a line of parts. Strings stay as the snapshot gave them (diff-view.ts
// escapes each one when it is shown); a process is a part of its own, marked `opens` when it is in
// the after-snapshot (same pid and start time), whose details the page shows: a process of the
// before-snapshot only has none to open (its pid may even be another process's now).
import type {
  ChecksumChange,
  DiffEndpoint,
  DiffProcess,
  DiffSocket,
  SnapshotDiff,
} from '@procmon/snapshot/read';

/** Text of ours, text a process chose shown as code (a command, a path, a digest), or a process. */
export type DiffPart = string | { code: string } | { process: DiffProcess; opens: boolean };

/** Whether a process (by pid and start time) is one of the after-snapshot's. */
export type InAfter = (process: DiffProcess) => boolean;

export interface DiffItem {
  /** The process the line is about (started, gone), for `data-pid`. */
  pid?: number;
  parts: DiffPart[];
}

export interface DiffSection {
  /** `diff-<id>` is the element's id. */
  id: string;
  title: string;
  /** Shown instead of a count when the group was not computed (checksums not compared). */
  notCompared?: string;
  items: DiffItem[];
}

export const CHECKSUMS_NOT_COMPARED =
  'not compared: both snapshots need checksums with an algorithm in common (procmon snapshot --checksums)';

export function diffSections(diff: SnapshotDiff, inAfter: InAfter): DiffSection[] {
  const processItem = (process: DiffProcess): DiffItem => ({
    pid: process.pid,
    parts: [
      { process, opens: inAfter(process) },
      ' ',
      { code: commandOf(process) },
      ` started ${process.startedAt}`,
    ],
  });
  const list = (processes: DiffProcess[]) => processList(processes, inAfter);
  return [
    {
      id: 'started',
      title: 'Started',
      items: diff.started.map(processItem),
    },
    {
      id: 'gone',
      title: 'Gone',
      items: diff.gone.map(processItem),
    },
    {
      id: 'checksum-changed',
      title: 'Checksums changed',
      ...(diff.checksumsCompared ? {} : { notCompared: CHECKSUMS_NOT_COMPARED }),
      items: diff.checksumChanged.map((change) => checksumItem(change, list)),
    },
    socketSection('new-listeners', 'New listeners', diff.newListeners, list),
    socketSection('gone-listeners', 'Gone listeners', diff.goneListeners, list),
    socketSection('new-connections', 'New connections', diff.newConnections, list),
    socketSection('gone-connections', 'Gone connections', diff.goneConnections, list),
  ];
}

/** What a process ran: its arguments, else its binary's path (kernel threads have neither). */
export function commandOf(process: DiffProcess): string {
  return process.args.length > 0 ? process.args.join(' ') : (process.path ?? '');
}

type ProcessList = (processes: DiffProcess[]) => DiffPart[];

function checksumItem(change: ChecksumChange, list: ProcessList): DiffItem {
  const digests = [
    ` ${change.algorithm} `,
    { code: change.before.join(', ') },
    ' -> ',
    { code: change.after.join(', ') },
  ];
  if (change.kind === 'process') {
    // One process (same pid and start time) now runs another binary: it exec'd.
    return {
      parts: [
        ...list(change.processesAfter),
        ' now runs ',
        { code: change.path ?? '?' },
        ', before ',
        { code: change.pathBefore ?? '?' },
        ',',
        ...digests,
      ],
    };
  }
  return {
    parts: [
      { code: change.path ?? '?' },
      ' rewritten:',
      ...digests,
      '; run before by ',
      ...list(change.processesBefore),
      '; run now by ',
      ...list(change.processesAfter),
    ],
  };
}

function socketSection(
  id: string,
  title: string,
  sockets: DiffSocket[],
  list: ProcessList,
): DiffSection {
  return {
    id,
    title,
    items: sockets.map((socket) => {
      const protocol = socket.family === 'inet6' ? `${socket.protocol}6` : socket.protocol;
      const ends =
        socket.state === 'ESTABLISHED'
          ? `${endpointText(socket.local)} -> ${endpointText(socket.remote)}`
          : endpointText(socket.local);
      return {
        parts: [`${protocol} `, ends, ` ${socket.state} held by `, ...list(socket.holders)],
      };
    }),
  };
}

/** `address:port`, IPv6 in brackets. */
export function endpointText({ address, port }: DiffEndpoint): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The processes, comma separated, or words saying none was captured holding it. */
function processList(processes: DiffProcess[], inAfter: InAfter): DiffPart[] {
  if (processes.length === 0) return ['no captured process'];
  return processes.flatMap((process, index) => {
    const part = { process, opens: inAfter(process) };
    return index === 0 ? [part] : [', ', part];
  });
}

/** A part as plain text (a process as `pid comm`), unescaped: for tests and titles. */
export function partText(part: DiffPart): string {
  if (typeof part === 'string') return part;
  if ('code' in part) return part.code;
  return `${part.process.pid} ${part.process.comm}`;
}

export const itemText = (item: DiffItem): string => item.parts.map(partText).join('');

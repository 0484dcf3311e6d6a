// Where the diff of two snapshots comes from. @procmon/snapshot's own `diffSnapshots(a, b)` is
// being written on another branch; until it lands this is a minimal diff of our own over what the
// page already read: processes started and gone, by (pid, start time), and listening sockets new
// and gone, by (protocol, address, port). Swapping in diffSnapshots means mapping its result to
// ViewerDiff here, and nothing else.
import type { ScannedProcess } from '@procmon/process';
import type { LoadedSnapshot } from './load.js';

export interface DiffProcess {
  pid: number;
  startTime: number;
  comm: string;
  command: string;
}

export interface DiffListener {
  protocol: string;
  address: string;
  port: number;
  /** The pids that held it, in the snapshot where it is. */
  holders: number[];
}

export interface ViewerDiff {
  started: DiffProcess[];
  gone: DiffProcess[];
  newListeners: DiffListener[];
  goneListeners: DiffListener[];
  /** Where the diff came from, shown with it. */
  source: string;
}

export function diffOf(before: LoadedSnapshot, after: LoadedSnapshot): ViewerDiff {
  const beforeProcesses = keyed(before.processes, processKey);
  const afterProcesses = keyed(after.processes, processKey);
  const beforeListeners = listeners(before);
  const afterListeners = listeners(after);
  return {
    started: [...afterProcesses]
      .filter(([key]) => !beforeProcesses.has(key))
      .map(([, p]) => described(p)),
    gone: [...beforeProcesses]
      .filter(([key]) => !afterProcesses.has(key))
      .map(([, p]) => described(p)),
    newListeners: [...afterListeners]
      .filter(([key]) => !beforeListeners.has(key))
      .map(([, l]) => l),
    goneListeners: [...beforeListeners]
      .filter(([key]) => !afterListeners.has(key))
      .map(([, l]) => l),
    source: 'viewer (processes by pid and start time, listeners by protocol, address and port)',
  };
}

const processKey = (process: ScannedProcess) => `${process.pid}/${process.startTime}`;

function keyed<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

function described(process: ScannedProcess): DiffProcess {
  return {
    pid: process.pid,
    startTime: process.startTime,
    comm: process.comm,
    command: process.command ?? process.path ?? '',
  };
}

/** TCP listeners and bound UDP sockets (inet only), by protocol, address and port. */
function listeners(loaded: LoadedSnapshot): Map<string, DiffListener> {
  const found = new Map<string, DiffListener>();
  for (const { socket, holders } of loaded.connections().connections) {
    if (socket.family === 'unix') continue;
    const listening =
      socket.state === 'LISTEN' || (socket.protocol !== 'tcp' && !socket.remotePort);
    if (!listening) continue;
    const protocol = socket.family === 'inet6' ? `${socket.protocol}6` : socket.protocol;
    const address = socket.localAddress ?? '';
    const port = socket.localPort ?? 0;
    const key = `${protocol} ${address} ${port}`;
    const entry = found.get(key) ?? { protocol, address, port, holders: [] };
    for (const holder of holders)
      if (!entry.holders.includes(holder.pid)) entry.holders.push(holder.pid);
    found.set(key, entry);
  }
  return found;
}

/**
 * The shape of `diffSnapshots(a, b)` (@procmon/snapshot, branch diff16) that the page shows, as
 * structural types so this compiles before it lands. Once it has: `diffOf` becomes
 * `fromSnapshotDiff(diffSnapshots(before.snapshot, after.snapshot))`.
 */
interface SnapshotDiffShape {
  started: SnapshotDiffProcess[];
  gone: SnapshotDiffProcess[];
  newListeners: SnapshotDiffSocket[];
  goneListeners: SnapshotDiffSocket[];
}
interface SnapshotDiffProcess {
  pid: number;
  startTime: number;
  comm: string;
  args: string[];
  path?: string | undefined;
}
interface SnapshotDiffSocket {
  protocol: string;
  family: string;
  local: { address: string; port: number };
  holders: SnapshotDiffProcess[];
}

export function fromSnapshotDiff(diff: SnapshotDiffShape): ViewerDiff {
  const process = (p: SnapshotDiffProcess): DiffProcess => ({
    pid: p.pid,
    startTime: p.startTime,
    comm: p.comm,
    command: p.args.length > 0 ? p.args.join(' ') : (p.path ?? ''),
  });
  const listener = (s: SnapshotDiffSocket): DiffListener => ({
    protocol: s.family === 'inet6' ? `${s.protocol}6` : s.protocol,
    address: s.local.address,
    port: s.local.port,
    holders: s.holders.map((holder) => holder.pid),
  });
  return {
    started: diff.started.map(process),
    gone: diff.gone.map(process),
    newListeners: diff.newListeners.map(listener),
    goneListeners: diff.goneListeners.map(listener),
    source: "@procmon/snapshot's diffSnapshots",
  };
}

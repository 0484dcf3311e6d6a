// The processes of one snapshot as the diff sees them, read from the archive's raw bytes with
// @procmon/parse: identity (pid and start time from stat), what to show (comm, args, the exe
// link's text, when it started), and which socket inodes each one holds (its fd links).
import { decodeText, parseCmdline, parseFdTarget, parseStat } from '@procmon/parse';
import { SnapshotError } from './errors.js';
import type { Snapshot, SnapshotFolder, SnapshotNode } from './tree.js';

/** A process in a diff: enough to show it. */
export interface DiffProcess {
  pid: number;
  ppid: number;
  /** The name in stat (`comm`), as the process may have set it: any bytes, escaped losslessly. */
  comm: string;
  /** Its arguments (cmdline), `[]` for kernel threads, zombies, or when not captured. */
  args: string[];
  /** The exe link's text, when it was captured (kernel threads have none). */
  path?: string | undefined;
  /** Start time in clock ticks after boot (stat field 22): with the pid, the process's identity. */
  startTime: number;
  /** When it started on the captured machine's clock, ISO 8601. */
  startedAt: string;
}

/** One snapshot's processes by identity, and the processes holding each socket inode. */
export interface SnapshotProcesses {
  /** By `pid:startTime`, in the manifest's order. */
  byIdentity: Map<string, DiffProcess>;
  /** Socket inode (`socket:[N]` fd links) to the processes holding it, each once. */
  holders: Map<number, DiffProcess[]>;
}

export const identityOf = (process: { pid: number; startTime: number }): string =>
  `${process.pid}:${process.startTime}`;

/**
 * Every captured process of `snapshot` that has a stat (a pid listed without a folder or stat is
 * not identifiable, so it is left out).
 *
 * @throws SnapshotError (reason `malformed`, member `proc/<pid>/stat`) for a stat that does not
 *   parse, or whose pid is not its folder's.
 */
export function readProcesses(snapshot: Snapshot): SnapshotProcesses {
  const { bootTimeSeconds, clockTicks } = snapshot.manifest;
  const byIdentity = new Map<string, DiffProcess>();
  const holders = new Map<number, DiffProcess[]>();
  for (const pid of snapshot.manifest.pids) {
    const folder = snapshot.proc.entries.get(String(pid));
    if (folder?.kind !== 'folder') continue;
    const stat = fileOf(folder, 'stat');
    if (stat === undefined) continue;
    const process = processOf(pid, folder, stat, bootTimeSeconds, clockTicks);
    byIdentity.set(identityOf(process), process);
    for (const inode of socketInodes(folder)) {
      const list = holders.get(inode);
      if (list === undefined) holders.set(inode, [process]);
      else if (!list.includes(process)) list.push(process);
    }
  }
  return { byIdentity, holders };
}

function processOf(
  pid: number,
  folder: SnapshotFolder,
  statBytes: Uint8Array,
  bootTimeSeconds: number,
  clockTicks: number,
): DiffProcess {
  let stat: ReturnType<typeof parseStat>;
  try {
    stat = parseStat(statBytes);
  } catch (error) {
    throw malformed(`proc/${pid}/stat`, error);
  }
  if (stat.pid !== pid) {
    throw malformed(`proc/${pid}/stat`, new Error(`it is the stat of process ${stat.pid}`));
  }
  const cmdline = fileOf(folder, 'cmdline');
  const exe = folder.entries.get('exe');
  const startMs = bootTimeSeconds * 1000 + (stat.startTime * 1000) / clockTicks;
  return {
    pid,
    ppid: stat.ppid,
    comm: stat.comm,
    args: cmdline === undefined ? [] : parseCmdline(cmdline),
    path: exe?.kind === 'link' ? decodeText('text', exe.target, 0, exe.target.length) : undefined,
    startTime: stat.startTime,
    startedAt: isoOf(startMs),
  };
}

/** ISO 8601, or the epoch's for a time a hostile manifest pushed out of Date's range. */
function isoOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

/** The inodes of the process's `socket:[N]` descriptors; other targets and damaged ones skipped. */
function socketInodes(folder: SnapshotFolder): number[] {
  const fds = folder.entries.get('fd');
  if (fds?.kind !== 'folder') return [];
  const inodes: number[] = [];
  for (const node of fds.entries.values()) {
    if (node.kind !== 'link') continue;
    try {
      const target = parseFdTarget(node.target);
      if (target.type === 'socket') inodes.push(target.inode);
    } catch {
      // `socket:[x]`: damage, not a socket anyone can be shown to hold.
    }
  }
  return inodes;
}

function fileOf(folder: SnapshotFolder, name: string): Uint8Array | undefined {
  const node: SnapshotNode | undefined = folder.entries.get(name);
  return node?.kind === 'file' ? node.data : undefined;
}

export function malformed(member: string, cause: unknown): SnapshotError {
  // ParseError's messages show the bytes escaped already.
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SnapshotError(`member ${member} cannot be read: ${why}`, {
    member,
    reason: 'malformed',
    cause,
  });
}

import {
  type InetFamily,
  type InetProtocol,
  type InetSocketEntry,
  parseNetInet,
  parseNetUnix,
  type UnixSocketEntry,
} from '@procmon/parse';
import { ProcessGoneError, type ProcFS, ProcfsError } from '@procmon/procfs';
import type { DumpSink, TableName } from './netlink/tables.js';
import type { SocketEntry, UnixSocketType } from './types.js';

/** The /proc/net files of each table. */
const FILES: Readonly<Record<TableName, readonly (readonly [string, InetFamily])[]>> = {
  tcp: [
    ['tcp', 'inet'],
    ['tcp6', 'inet6'],
  ],
  unix: [],
  udp: [
    ['udp', 'inet'],
    ['udp6', 'inet6'],
  ],
  udplite: [
    ['udplite', 'inet'],
    ['udplite6', 'inet6'],
  ],
  raw: [
    ['raw', 'inet'],
    ['raw6', 'inet6'],
  ],
  icmp: [
    ['icmp', 'inet'],
    ['icmp6', 'inet6'],
  ],
  // SCTP has its own text format (/proc/net/sctp/eps, assocs), which @procmon/parse does not read.
  sctp: [],
};

/** An inet row as an entry. */
export function fromInetRow(row: InetSocketEntry): SocketEntry {
  return {
    family: row.family,
    protocol: row.protocol,
    inode: row.inode,
    uid: row.uid,
    state: row.stateName,
    localAddress: row.localAddress,
    localPort: row.localPort,
    remoteAddress: row.remoteAddress,
    remotePort: row.remotePort,
    rxQueue: row.rxQueue,
    txQueue: row.txQueue,
  };
}

/** A unix row as an entry: no uid (-1), peer, queues or cookie, which the file does not have. */
export function fromUnixRow(row: UnixSocketEntry): SocketEntry {
  const entry: SocketEntry = {
    family: 'unix',
    protocol: 'unix',
    inode: row.inode,
    uid: -1,
    state: row.listening ? 'LISTEN' : (UNIX_STATES[row.state] ?? 'UNKNOWN'),
  };
  if (row.typeName !== 'unknown') entry.type = row.typeName as UnixSocketType;
  if (row.path !== null) {
    entry.path = row.path;
    entry.abstract = row.abstract;
  }
  return entry;
}

// The socket's SS_* state as /proc/net/unix writes it, named as sock_diag's states are.
const UNIX_STATES: readonly (string | undefined)[] = [
  undefined,
  'UNCONNECTED',
  'CONNECTING',
  'ESTABLISHED',
  'DISCONNECTING',
];

/**
 * Reads one table from `/proc/net/*` (the caller's namespace) or `/proc/<pid>/net/*` (that
 * process's) into `sink`. A file the kernel does not have (no IPv6, no UDP-Lite) is skipped.
 */
export function readProcTable(
  procfs: ProcFS,
  table: TableName,
  pid: number | undefined,
  sink: DumpSink,
): void {
  if (table === 'unix') {
    const bytes = readNet(procfs, 'unix', pid);
    if (bytes === undefined) return;
    for (const row of parseNetUnix(bytes)) {
      if (sink.wants(row.inode)) sink.add(fromUnixRow(row));
    }
    return;
  }
  for (const [file, family] of FILES[table]) {
    const bytes = readNet(procfs, file, pid);
    if (bytes === undefined) continue;
    for (const row of parseNetInet(bytes, { protocol: inetProtocol(table), family })) {
      if (sink.wants(row.inode)) sink.add(fromInetRow(row));
    }
  }
}

/** The same, with asynchronous reads. */
export async function readProcTableAsync(
  procfs: ProcFS,
  table: TableName,
  pid: number | undefined,
  sink: DumpSink,
): Promise<void> {
  if (table === 'unix') {
    const bytes = await readNetAsync(procfs, 'unix', pid);
    if (bytes === undefined) return;
    for (const row of parseNetUnix(bytes)) {
      if (sink.wants(row.inode)) sink.add(fromUnixRow(row));
    }
    return;
  }
  for (const [file, family] of FILES[table]) {
    const bytes = await readNetAsync(procfs, file, pid);
    if (bytes === undefined) continue;
    for (const row of parseNetInet(bytes, { protocol: inetProtocol(table), family })) {
      if (sink.wants(row.inode)) sink.add(fromInetRow(row));
    }
  }
}

// Every table with /proc files but unix (tcp, udp, udplite, raw, icmp) is one of parse's inet
// protocols, under the same name.
const inetProtocol = (table: TableName): InetProtocol => table as InetProtocol;

/** Whether a table has anything in /proc/net (sctp does not, for this package). */
export const hasProcFiles = (table: TableName): boolean =>
  table === 'unix' || FILES[table].length > 0;

function readNet(procfs: ProcFS, file: string, pid: number | undefined): Uint8Array | undefined {
  try {
    return procfs.readNetFile(file, pid);
  } catch (error) {
    if (isMissingTable(error, procfs, pid)) return undefined;
    throw error;
  }
}

async function readNetAsync(
  procfs: ProcFS,
  file: string,
  pid: number | undefined,
): Promise<Uint8Array | undefined> {
  try {
    return await procfs.promises.readNetFile(file, pid);
  } catch (error) {
    if (isMissingTable(error, procfs, pid)) return undefined;
    throw error;
  }
}

/** ENOENT for a table file of a live process (or of the machine): the kernel lacks that table. */
function isMissingTable(error: unknown, procfs: ProcFS, pid: number | undefined): boolean {
  if (!(error instanceof ProcfsError) || error.code !== 'ENOENT') return false;
  if (pid === undefined) return true;
  return error instanceof ProcessGoneError && procfs.processState(pid) !== 'gone';
}

// A snapshot file opened in the page: its bytes read under readSnapshot's caps (a hostile archive
// is a SnapshotError, shown as such), then the process model over a ProcFS whose backend is the
// snapshot, exactly as `procmon` runs it live. The scan is done once, up front (the tree needs
// it); connections and a process's details are read when they are first shown.
import { SocketResolver, type TableName } from '@procmon/netsock';
import {
  type Connection,
  connectionsReport,
  type ScannedProcess,
  type SocketLookup,
  scanProcesses,
} from '@procmon/process';
import { ProcFS } from '@procmon/procfs';
import {
  readSnapshot,
  type Snapshot,
  type SnapshotManifest,
  snapshotBackend,
} from '@procmon/snapshot/read';

/**
 * The socket tables a snapshot holds (net/tcp and tcp6, udp and udp6, unix): asking for the
 * others (udplite, raw, ...) would be asking for files the snapshot says it does not have.
 */
const SNAPSHOT_TABLES: readonly TableName[] = ['tcp', 'udp', 'unix'];

export interface LoadedSnapshot {
  /** The file's name, as the browser gave it (chosen by whoever named the file: shown escaped). */
  fileName: string;
  snapshot: Snapshot;
  manifest: SnapshotManifest;
  procfs: ProcFS;
  /** Every captured process, in pid order, with path and args (what the tree shows). */
  processes: ScannedProcess[];
  byPid: Map<number, ScannedProcess>;
  /** A process's effective uid (for searches by user); every status is read on first use. */
  uidOf(pid: number): number | undefined;
  /** The sockets behind descriptors, from the snapshot's socket tables. */
  sockets: SocketLookup;
  /** Every socket with its holders; read on first use. */
  connections(): ConnectionsView;
}

export interface ConnectionsView {
  connections: Connection[];
  /** Processes whose descriptors could not be read at capture time. */
  unreadable: number[];
}

/** Reads a snapshot's bytes and scans its processes; throws SnapshotError for a bad archive. */
export async function loadSnapshot(fileName: string, bytes: Uint8Array): Promise<LoadedSnapshot> {
  const snapshot = await readSnapshot(bytes);
  performance.mark('procmon:snapshot-read');
  const procfs = new ProcFS({ backend: snapshotBackend(snapshot) });
  // Only what the tree shows: every other field is read for one process when it is selected
  // (status for all of them only when a search asks for a user), so the tree comes up sooner.
  const processes = scanProcesses({ procfs, fields: ['path', 'args'] });
  performance.mark('procmon:scanned');
  const byPid = new Map(processes.map((process) => [process.pid, process]));
  // The snapshot holds the socket tables of the capturing process's network namespace, under
  // net/, not each process's own: every lookup reads those (no `pid`).
  const resolver = new SocketResolver({ procfs, backend: 'procfs' });
  const sockets: SocketLookup = {
    resolve: (inodes) => resolver.resolve(inodes),
    resolveAsync: (inodes) => resolver.resolveAsync(inodes),
  };
  let connections: ConnectionsView | undefined;
  let uids: Map<number, number> | undefined;
  return {
    fileName,
    snapshot,
    manifest: snapshot.manifest,
    procfs,
    processes,
    byPid,
    sockets,
    uidOf(pid) {
      uids ??= new Map(
        scanProcesses({ procfs, fields: ['uids'] }).flatMap((process) =>
          process.uids ? [[process.pid, process.uids.effective] as const] : [],
        ),
      );
      return uids.get(pid);
    },
    connections() {
      connections ??= connectionsReport({ procfs, resolver, tables: SNAPSHOT_TABLES });
      return connections;
    },
  };
}

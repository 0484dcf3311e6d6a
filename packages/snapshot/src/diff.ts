// What changed between two snapshots: processes started and gone, programs whose checksum
// changed, listeners and connections new and gone, each with enough to show it.
//
// Why @procmon/parse over the archive's bytes, not the model (ProcFS over snapshotBackend +
// scanProcesses + netsock's SocketResolver): a diff needs stat, cmdline, the exe and fd links and
// the socket tables, all raw bytes already in the tree. The model's value is live reads done
// right (identity re-checks, fallbacks, races), which a frozen snapshot does not have; over one
// it would only add procfs's runners and netsock to the import graph. With the parsers alone the
// diff stays in `@procmon/snapshot/read` (no node:*, nothing of procfs at run time), which the
// viewer already loads, and it gives the same pids, tuples and holders as the model would.
import type { SnapshotChecksums } from './checksums.js';
import { type DiffProcess, identityOf, readProcesses } from './diff-processes.js';
import { type DiffSocket, readSockets } from './diff-sockets.js';
import type { Snapshot } from './tree.js';

export type { DiffProcess } from './diff-processes.js';
export type { DiffEndpoint, DiffSocket } from './diff-sockets.js';

/** A binary whose checksum differs between the snapshots. */
export interface ChecksumChange {
  /**
   * `path`: the binary at one path has other checksums than before (rewritten or replaced,
   * whichever processes run it). `process`: one process (same pid and start time) runs a binary
   * with another checksum (it exec'd, keeping its pid).
   */
  kind: 'path' | 'process';
  /** The binary's path in the second snapshot (the kernel's text for it). */
  path: string | undefined;
  /** For `process`: its binary's path in the first snapshot. */
  pathBefore?: string | undefined;
  /** The algorithm compared: the first one both snapshots have. */
  algorithm: string;
  /** The distinct checksums before and after (one each for `process`). */
  before: string[];
  after: string[];
  /** The processes that ran it in each snapshot. */
  processesBefore: DiffProcess[];
  processesAfter: DiffProcess[];
}

export interface SnapshotSide {
  takenAt: string;
  hostname: string;
}

export interface SnapshotDiff {
  before: SnapshotSide;
  after: SnapshotSide;
  /** In the second snapshot only, by pid (a reused pid is one gone and one started). */
  started: DiffProcess[];
  /** In the first snapshot only, by pid. */
  gone: DiffProcess[];
  /** Empty unless both snapshots have checksums with an algorithm in common. */
  checksumChanged: ChecksumChange[];
  newListeners: DiffSocket[];
  goneListeners: DiffSocket[];
  newConnections: DiffSocket[];
  goneConnections: DiffSocket[];
  /** Whether both snapshots had checksums with an algorithm in common (else none compared). */
  checksumsCompared: boolean;
}

/**
 * The changes from snapshot `a` to snapshot `b` (usually of one machine, `a` first). A process is
 * its pid and start time; a listener its protocol and local address; a connection its protocol,
 * local and remote addresses.
 *
 * @throws SnapshotError (reason `malformed`, naming the member) when a stat or socket table that
 *   the diff reads does not parse.
 */
export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  const processesA = readProcesses(a);
  const processesB = readProcesses(b);
  const socketsA = readSockets(a, processesA.holders);
  const socketsB = readSockets(b, processesB.holders);
  const algorithm = commonAlgorithm(a.checksums, b.checksums);
  return {
    before: sideOf(a),
    after: sideOf(b),
    started: onlyIn(processesB.byIdentity, processesA.byIdentity).sort(byPid),
    gone: onlyIn(processesA.byIdentity, processesB.byIdentity).sort(byPid),
    checksumChanged:
      algorithm === undefined
        ? []
        : checksumChanges(algorithm, a, processesA.byIdentity, b, processesB.byIdentity),
    newListeners: sortedOnlyIn(socketsB.listeners, socketsA.listeners),
    goneListeners: sortedOnlyIn(socketsA.listeners, socketsB.listeners),
    newConnections: sortedOnlyIn(socketsB.connections, socketsA.connections),
    goneConnections: sortedOnlyIn(socketsA.connections, socketsB.connections),
    checksumsCompared: algorithm !== undefined,
  };
}

const sideOf = (s: Snapshot): SnapshotSide => ({
  takenAt: s.manifest.takenAt,
  hostname: s.manifest.hostname,
});

const byPid = (x: DiffProcess, y: DiffProcess): number => x.pid - y.pid;

function onlyIn<T>(these: Map<string, T>, those: Map<string, T>): T[] {
  return [...these].filter(([key]) => !those.has(key)).map(([, value]) => value);
}

function sortedOnlyIn(
  these: Map<string, DiffSocket>,
  those: Map<string, DiffSocket>,
): DiffSocket[] {
  return [...these.keys()]
    .filter((key) => !those.has(key))
    .sort()
    .map((key) => these.get(key) as DiffSocket);
}

function commonAlgorithm(
  a: SnapshotChecksums | undefined,
  b: SnapshotChecksums | undefined,
): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  return a.algorithms.find((algorithm) => b.algorithms.includes(algorithm));
}

/** A process's binary checksum with `algorithm`, with the path checksums.json gave. */
interface Hashed {
  process: DiffProcess;
  path: string | undefined;
  digest: string;
}

/** By identity: every process of the snapshot that has a checksum with `algorithm`. */
function hashedProcesses(
  algorithm: string,
  snapshot: Snapshot,
  processes: Map<string, DiffProcess>,
): Map<string, Hashed> {
  const byPid = new Map([...processes.values()].map((process) => [process.pid, process]));
  const hashed = new Map<string, Hashed>();
  for (const entry of snapshot.checksums?.processes ?? []) {
    const process = byPid.get(entry.pid);
    const digest = entry.checksums?.[algorithm];
    if (process === undefined || digest === undefined) continue;
    hashed.set(identityOf(process), { process, path: entry.path ?? process.path, digest });
  }
  return hashed;
}

/** Per path, the distinct digests and the processes that ran it. */
function byPath(
  hashed: Map<string, Hashed>,
): Map<string, { digests: Set<string>; processes: DiffProcess[] }> {
  const paths = new Map<string, { digests: Set<string>; processes: DiffProcess[] }>();
  for (const { path, digest, process } of hashed.values()) {
    if (path === undefined) continue;
    const known = paths.get(path) ?? { digests: new Set<string>(), processes: [] };
    known.digests.add(digest);
    known.processes.push(process);
    paths.set(path, known);
  }
  return paths;
}

function checksumChanges(
  algorithm: string,
  a: Snapshot,
  processesA: Map<string, DiffProcess>,
  b: Snapshot,
  processesB: Map<string, DiffProcess>,
): ChecksumChange[] {
  const hashedA = hashedProcesses(algorithm, a, processesA);
  const hashedB = hashedProcesses(algorithm, b, processesB);
  const pathsA = byPath(hashedA);
  const pathsB = byPath(hashedB);
  const changes: ChecksumChange[] = [];
  for (const path of [...pathsB.keys()].sort()) {
    const before = pathsA.get(path);
    const after = pathsB.get(path) as { digests: Set<string>; processes: DiffProcess[] };
    if (before === undefined || sameSet(before.digests, after.digests)) continue;
    changes.push({
      kind: 'path',
      path,
      algorithm,
      before: [...before.digests].sort(),
      after: [...after.digests].sort(),
      processesBefore: before.processes.sort(byPid),
      processesAfter: after.processes.sort(byPid),
    });
  }
  const reportedPaths = new Set(changes.map((change) => change.path));
  for (const [identity, after] of [...hashedB].sort(([, x], [, y]) =>
    byPid(x.process, y.process),
  )) {
    const before = hashedA.get(identity);
    if (before === undefined || before.digest === after.digest) continue;
    // The same binary path, already reported as a path whose checksum changed.
    if (before.path === after.path && reportedPaths.has(after.path)) continue;
    changes.push({
      kind: 'process',
      path: after.path,
      pathBefore: before.path,
      algorithm,
      before: [before.digest],
      after: [after.digest],
      processesBefore: [before.process],
      processesAfter: [after.process],
    });
  }
  return changes;
}

const sameSet = (x: Set<string>, y: Set<string>): boolean =>
  x.size === y.size && [...x].every((value) => y.has(value));
